"""The Compiled object: outputs, gradients into .grad, parameter updates, batch sizes, the graph for viz."""

import numpy as np
import pytest
from replay_helpers import assert_matches

import autograd
import nn
from autograd import Value, topological_order


def small_model():
    w = [Value(0.7, label="w0"), Value(-1.1, label="w1"), Value(0.3, label="b")]
    return (lambda v: small_model_at(w, v)), w


def small_model_at(w, v):
    """The small model's function of parameters w and inputs v (Values, or placeholders when traced)."""
    h = (w[0] * v[0] + w[1] * v[1] + w[2]).tanh()
    h.label = "hidden"
    return (h * v[0] - w[1]).relu() + h * h


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
        # a matrix product may add in another order for another batch width: equal to roundoff
        np.testing.assert_allclose(out, full[:size], rtol=1e-14, atol=1e-15)
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


# ---------------------------------------------------------------- no side effects on the host process


def test_the_tracer_registers_nothing_in_the_numeric_tower():
    import abc
    import numbers

    from autograd.replay.tracing import TRACED, TracedNumber

    registered = {ref() for ref in abc._get_dump(numbers.Real)[0]}  # what Real.register added
    assert TracedNumber not in registered
    assert isinstance(TRACED, numbers.Real)  # its own declaration, as fractions.Fraction is Rational
    with pytest.raises(autograd.TracingError, match="float"):
        Value(TRACED)


def test_compile_leaves_malloc_and_the_environment_alone(monkeypatch):
    import ctypes

    def no_libc(*args, **kwargs):
        raise AssertionError("compile must not load the C library")

    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    w = Value(1.0)
    f = autograd.compile(lambda v: v[0] * w, 1, [w])
    assert f.value_and_grad(np.array([[2.0], [3.0]]))[1].tolist() == [5.0]
    assert "malloc" not in autograd.compile.__doc__


def test_star_import_does_not_shadow_the_builtin_compile():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "compile" not in namespace and "Compiled" in namespace


def test_tracing_does_not_touch_the_model_while_another_thread_uses_it():
    import threading

    model = nn.MLP(2, [8, 1], seed=0)
    x = [0.3, -0.7]
    expected = model(x).data
    before = [p.data for p in model.parameters()]
    seen, stop = [], threading.Event()

    def use_the_model():
        while not stop.is_set():
            try:
                seen.append(model(x).data)
            except Exception as error:  # noqa: BLE001 - any failure is what the test looks for
                seen.append(error)

    import sys

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so the other thread runs while we trace
    thread = threading.Thread(target=use_the_model)
    thread.start()
    try:
        for _ in range(30):
            autograd.compile(model, 2, model.parameters())
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert seen and all(type(s) is float and s == expected for s in seen), [s for s in seen if type(s) is not float][:3]
    assert [p.data for p in model.parameters()] == before


def test_changing_x_after_a_call_changes_nothing_the_call_left():
    fn, w = small_model()
    f = autograd.compile(fn, 2, w)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    out = f.forward(X)
    X[:] = 9.0  # the caller reuses its array
    root = f.graph(1)
    assert root.data == pytest.approx(out[1], rel=1e-12)
    assert f.gradient().tolist() == autograd.compile(fn, 2, w).value_and_grad(np.array([[0.5, -1.0], [2.0, 0.25]]))[
        1].tolist()


def test_the_graph_of_an_example_is_a_valid_eager_graph_to_differentiate():
    # compiled.graph(b) re-numbers the traced nodes for example b; backward through it must work
    # (assigning .data would have marked every node as overwritten) and give the eager gradients
    fn, w = small_model()
    f = autograd.compile(fn, 2, w)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    f.forward(X)
    root = f.graph(1)
    for p in w:
        p.grad = 0.0
    root.backward()
    got = [p.grad for p in w]
    eager_w = [Value(p.data) for p in w]
    eager_root = small_model_at(eager_w, [Value(2.0), Value(0.25)])
    eager_root.backward()
    assert root.data == pytest.approx(eager_root.data, rel=1e-15)
    assert got == pytest.approx([p.grad for p in eager_w], rel=1e-15)
    f.graph(0).backward()  # another example after it: still valid


def test_the_packages_worked_example_runs_as_written():
    # the module docstring of autograd.replay walks one small layer through the four stages
    import doctest

    import autograd.replay

    for module in (autograd.replay, autograd.replay.compiled, autograd.replay.parameters):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__
