"""The Compiled object: outputs, gradients into .grad, parameter updates, batch sizes, the graph for viz."""

import numpy as np
import pytest
from replay_helpers import assert_matches

import autograd
import nn
from autograd import Value, topological_order
from autograd.replay import compiled as compiled_module


def small_model():
    w = [Value(0.7, label="w0"), Value(-1.1, label="w1"), Value(0.3, label="b")]

    def fn(v):
        h = (w[0] * v[0] + w[1] * v[1] + w[2]).tanh()
        h.label = "hidden"
        return (h * v[0] - w[1]).relu() + h * h

    return fn, w


def test_graph_shows_one_example_like_the_eager_graph():
    fn, w = small_model()
    X = np.array([[0.5, -1.0], [2.0, 0.25], [-0.3, 0.8]])
    seed = np.array([1.0, -2.0, 0.5])
    f = autograd.compile(fn, 2, w)
    f.value_and_grad(X, seed)
    for b in range(3):
        root = f.graph(b)
        eager_root = fn([Value(x) for x in X[b]])
        eager_root.backward(seed[b])
        traced, reference = topological_order(root), topological_order(eager_root)
        assert [v.op for v in traced] == [v.op for v in reference]
        for v, e in zip(traced, reference, strict=True):
            assert v.data == pytest.approx(e.data, rel=1e-12, abs=1e-15)
            if v not in w:  # parameters keep their own .grad
                assert v.grad == pytest.approx(e.grad, rel=1e-12, abs=1e-15)
    assert w[0].data == 0.7  # parameters keep their own data


def test_viz_draws_the_traced_graph():
    viz = pytest.importorskip("viz")
    fn, w = small_model()
    f = autograd.compile(fn, 2, w)
    out = f.forward(np.array([[0.5, -1.0], [2.0, 0.25]]))
    picture = viz.draw_dot(f.graph(1), params=w)
    assert f"data {out[1]:.4f}" in picture.source
    assert "hidden" in picture.source


def test_backward_adds_into_grad_like_value_backward():
    fn, w = small_model()
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    f = autograd.compile(fn, 2, w)
    _, grads = f.value_and_grad(X)
    for p in w:
        p.grad = 0.0
    f.backward(X)
    f.backward(X)
    assert_matches([p.grad for p in w], 2 * grads, what="accumulated .grad")


def test_parameter_updates_are_seen_at_the_next_call():
    w = Value(2.0)
    f = autograd.compile(lambda v: v[0] * w, 1, [w])
    X = np.array([[1.0], [3.0]])
    assert f.forward(X).tolist() == [2.0, 6.0]
    w.data = -1.0
    assert f.forward(X).tolist() == [-1.0, -3.0]


def test_batch_sizes_can_change():
    fn, w = small_model()
    f = autograd.compile(fn, 2, w)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    full, full_grads = f.value_and_grad(X)
    for size in (1, 7, 40, 3, 11, 2, 5):  # more sizes than buffers kept
        out, grads = f.value_and_grad(X[:size])
        assert out.tolist() == full[:size].tolist()
    parts = sum(f.value_and_grad(X[i:i + 10])[1] for i in range(0, 40, 10))
    assert_matches(parts, full_grads, 40.0, "gradients of 4 batches of 10 vs one of 40")


def test_no_inputs_gives_a_batch_of_one():
    w = [Value(1.5), Value(-2.0)]
    f = autograd.compile(lambda _: 1e-4 * sum(p * p for p in w), 0, w)
    out, grads = f.value_and_grad()
    assert out.shape == (1,)
    assert_matches(out, [1e-4 * (1.5**2 + 2.0**2)], what="L2 penalty")
    assert_matches(grads, [2e-4 * 1.5, 2e-4 * -2.0], what="its gradient")


def test_parameters_default_to_every_leaf_and_unused_ones_get_zero():
    a, b, unused = Value(2.0, label="a"), Value(3.0, label="b"), Value(5.0, label="unused")
    f = autograd.compile(lambda v: v[0] * a + b, 1)
    assert set(f.parameters) == {a, b}
    g = autograd.compile(lambda v: v[0] * a + b, 1, [unused, b, a])
    _, grads = g.value_and_grad(np.array([[1.0], [4.0]]))
    assert grads.tolist() == [0.0, 2.0, 5.0]


def test_outputs_may_be_leaves_or_numbers():
    w = Value(4.0)
    f = autograd.compile(lambda v: [v[0], w, 2.5, v[0] * w], 1, [w])
    out, grads = f.value_and_grad(np.array([[1.0], [-2.0]]))
    assert out.tolist() == [[1.0, 4.0, 2.5, 4.0], [-2.0, 4.0, 2.5, -8.0]]
    assert grads.tolist() == [2.0 + 1.0 - 2.0]  # d w / d w per example, plus d(x w)/d w = x


def test_repr_and_stats_describe_the_replay():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    f = autograd.compile(model, 2, model.parameters())
    assert f.stats["groups"] < 20 < 500 < f.stats["nodes"]
    assert "337 parameters" in repr(f) and f"{f.stats['groups']} groups" in repr(f)


def test_tracing_works_inside_no_grad_and_leaves_it_on():
    w = Value(3.0)
    with autograd.no_grad():
        f = autograd.compile(lambda v: v[0] * w, 1, [w])
        assert not autograd.is_grad_enabled()
    assert f.value_and_grad(np.array([[2.0]]))[1].tolist() == [2.0]


class FakeLibc:
    def __init__(self, calls):
        self.calls = calls

    def mallopt(self, parameter, value):
        self.calls.append((parameter, value))


@pytest.mark.parametrize("setting,tuned", [(None, True), ("1", True), ("0", False)])
def test_malloc_tuning_happens_once_and_can_be_turned_off(monkeypatch, setting, tuned):
    compiled = compiled_module
    calls = []
    monkeypatch.setattr(compiled, "_MALLOC_TUNED", False)
    monkeypatch.setattr(compiled.ctypes, "CDLL", lambda name: FakeLibc(calls))
    if setting is None:
        monkeypatch.delenv("CHAINRULE_KEEP_FREED_MEMORY", raising=False)
    else:
        monkeypatch.setenv("CHAINRULE_KEEP_FREED_MEMORY", setting)
    w = Value(1.0)
    autograd.compile(lambda v: v[0] * w, 1, [w])
    autograd.compile(lambda v: v[0] + w, 1, [w])
    assert len(calls) == (2 if tuned else 0)  # two thresholds, set at the first compile only
    assert "CHAINRULE_KEEP_FREED_MEMORY" in autograd.compile.__doc__
