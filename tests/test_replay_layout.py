"""How the replay groups and lays out a graph: row patterns, group counts, long sums on big batches."""

import numpy as np
import pytest
from replay_helpers import assert_matches, compile_and_check, eager

import autograd
import nn
from autograd import Value
from autograd.replay.rows import Rows

PATTERNS = {
    "slice": [4, 5, 6, 7],
    "repeat": [3, 3, 3, 4, 4, 4, 5, 5, 5],
    "tile": [6, 7, 8, 6, 7, 8],
    "unique": [9, 2, 7, 0],
    "general": [9, 2, 9, 7, 2, 2, 0],
}


@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_rows_read_and_add_like_numpy_fancy_indexing(kind):
    rows = np.array(PATTERNS[kind])
    r = Rows(rows)
    assert r.kind == kind
    rng = np.random.default_rng(0)
    buf = rng.normal(size=(12, 5))
    np.testing.assert_array_equal(r.read(buf), buf[rows])
    d = rng.normal(size=(len(rows), 5))
    expected = buf.copy()
    np.add.at(expected, rows, d)  # the slow reference that handles repeated rows
    r.add_into(buf, d)
    np.testing.assert_allclose(buf, expected, rtol=1e-14, atol=1e-14)


def test_rows_refuses_an_empty_list():
    with pytest.raises(ValueError, match="non-empty"):
        Rows([])


def test_group_count_grows_with_depth_not_width():
    # the number of numpy steps depends on the depth and the kinds of op, not on the node count
    counts = {}
    for width in (4, 16, 64):
        model = nn.MLP(3, [width, width, 1], seed=0)
        f = autograd.compile(model, 3, model.parameters())
        counts[width] = (f.stats["groups"], f.stats["nodes"])
    assert len({groups for groups, _ in counts.values()}) == 1
    assert counts[64][1] > 50 * counts[4][1]
    deeper = nn.MLP(3, [4, 4, 4, 4, 1], seed=0)
    assert autograd.compile(deeper, 3, deeper.parameters()).stats["groups"] > counts[4][0]


def test_a_neuron_sum_is_one_step():
    # b + w0 x0 + ... + w99 x99: 100 products and 100 additions, replayed as one matrix product
    w = [Value(0.01 * k) for k in range(100)]
    b = Value(0.5)
    f = autograd.compile(lambda v: sum((wi * xi for wi, xi in zip(w, v)), b), 100, w + [b])
    assert f.stats["groups"] == 1
    X = np.random.default_rng(1).normal(size=(3, 100))
    out, grads = f.value_and_grad(X)
    assert_matches(out, 0.5 + X @ np.array([p.data for p in w]), 10.0, "outputs")
    assert_matches(grads, np.r_[X.sum(axis=0), 3.0], 10.0, "gradients")


def long_sums(v, w):
    """Sums of different lengths, with subtractions, a term added on the left, and reused running sums."""
    outs, reused = [], []
    for unit in range(6):
        s = w[unit] * v[0]
        for k in range(1, 5 + unit % 4):  # 5..8 terms: one size class, so some chains are padded
            t = w[(unit + k) % len(w)] * v[k % len(v)]
            s = t + s if k == 2 else (s - t if (unit + k) % 3 == 0 else s + t)
            if k == 3 and unit % 2:
                reused.append(s.tanh())  # a running sum read before the chain's end
        outs.append(s.relu())
    return outs + reused


@pytest.mark.parametrize("batch", [3, 200])  # small batches use np.cumsum, big ones a loop of adds
def test_long_sums_on_small_and_big_batches(batch):
    w = [Value(x) for x in np.linspace(-1.0, 1.3, 7)]
    X = np.random.default_rng(2).normal(size=(batch, 4))
    X[0] = 0.0
    seed = np.random.default_rng(3).normal(size=(batch, 9))
    f = autograd.compile(lambda v: long_sums(v, w), 4, w)
    out, grads = f.value_and_grad(X, seed)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(lambda v: long_sums(v, w), X, w, seed)
    assert_matches(out, ref_out, out_sizes, "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")


def test_outputs_equal_eager_to_roundoff_on_an_mlp():
    # the layers are matrix products, which add in another order than the eager chain of nodes
    model = nn.MLP(2, [16, 16, 1], seed=0)
    X = np.random.default_rng(4).normal(size=(50, 2))
    f = autograd.compile(model, 2, model.parameters())
    out, grads = f.value_and_grad(X)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(model, X, model.parameters())
    assert_matches(out, ref_out[:, 0], out_sizes[:, 0], "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")


@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_rows_bound_to_a_buffer_read_and_add_like_fancy_indexing(kind):
    # reader(buf) and adder(buf): the same, on one buffer, with a slice's view made once
    rows = np.array(PATTERNS[kind])
    r = Rows(rows)
    rng = np.random.default_rng(1)
    buf = rng.normal(size=(12, 3))
    read, add = r.reader(buf), r.adder(buf)
    buf *= 2.0  # in place: the bound functions see the new numbers
    np.testing.assert_array_equal(read(), buf[rows])
    d = rng.normal(size=(len(rows), 3))
    expected = buf.copy()
    np.add.at(expected, rows, d)
    add(d)
    np.testing.assert_allclose(buf, expected, rtol=1e-14, atol=1e-14)


def test_bound_steps_follow_the_buffers_when_the_batch_width_changes():
    # the groups are bound to the buffers of one width; another width makes new buffers and new steps
    model = nn.MLP(3, [4, 2], seed=0)
    params = model.parameters()
    f = autograd.compile(lambda x: [y.exp() for y in model(x)], 3, params)
    rng = np.random.default_rng(2)
    for batch in (3, 1, 3, 5):
        X, seed = rng.normal(size=(batch, 3)), rng.normal(size=(batch, 2))
        out, grads = f.value_and_grad(X, seed)
        ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(lambda x: [y.exp() for y in model(x)], X, params, seed)
        assert_matches(out, ref_out, out_sizes, "outputs")
        assert_matches(grads, ref_grads, grad_sizes, "gradients")


def _check_against_eager(fn, params, n_inputs, batch=4, seed=3):
    return compile_and_check(fn, params, n_inputs, batch, seed)


def ops(f, op):
    return sum(getattr(g, "op", None) == op for g in f._plan.groups)


def test_a_sum_of_ever_deeper_terms_is_one_running_sum():
    # 0 + t0 + t1 + t2 + t3 with t_k k tanh deep: nothing else reads the partial sums, so the chain
    # waits for its deepest term (one SumGroup) instead of starting a new chain at each deeper term
    w = Value(0.5, label="w")

    def fn(x):
        terms = []
        for k in range(4):
            t = x[k] * x[k]
            for _ in range(k):
                t = t.tanh()
            terms.append(t)
        return sum(terms, Value(0.0)) * w

    f = _check_against_eager(fn, [w], 4)
    assert sum(type(g).__name__ == "SumGroup" for g in f._plan.groups) == 1 and ops(f, "add") == 0
    assert ops(f, "tanh") == 3  # one group per depth of the tanh chains


def test_a_partial_sum_read_elsewhere_does_not_wait():
    # s = a + b is read by exp before a deeper term is added: the chain keeps its depth (exp reads it)
    w = Value(0.7, label="w")

    def fn(x):
        s = x[0] * w + x[1]
        deep = (x[2] * w).tanh().tanh().tanh()
        return (s + deep) * s.exp()

    _check_against_eager(fn, [w], 3)


def test_positions_of_different_depths_share_their_tail():
    # position p reduces p + 1 inputs with a tree of max (deeper for more inputs), then runs the same
    # tail (tanh, times w, exp); the loss sums the positions. Each tail op is placed just before its
    # reader (as late as possible), so the positions' tails line up: one group per tail op
    w = Value(0.3, label="w")

    def fn(x):
        losses = []
        for p in range(6):
            values = list(x[:p + 1])
            while len(values) > 1:
                values = [a.max(b) for a, b in zip(values[::2], values[1::2])] + values[len(values) - len(values) % 2:]
            losses.append((values[0].tanh() * w).exp())
        return sum(losses, Value(0.0))

    f = _check_against_eager(fn, [w], 6)
    assert ops(f, "tanh") == ops(f, "exp") == 1


def test_a_sum_added_to_itself_is_no_running_sum():
    # s + s and (s + c) + s read s, the chain's own sum: the chain may not take it as a term
    # (found by hypothesis: x - 1.25 then s + s once gave 0)
    w = Value(0.5, label="w")
    f = _check_against_eager(lambda x: [(x[0] - 1.25) + (x[0] - 1.25), x[1] * w], [w], 2)
    s_twice = lambda x: (lambda s: s + s)(x[0] - 1.25)
    f = _check_against_eager(lambda x: s_twice(x) * w, [w], 1)
    assert f.forward(np.array([[0.0]])).tolist() == [-1.25]

    def interior(x):
        s = x[0] * x[1] + x[1]
        return ((s + 2.0) + s) * w

    _check_against_eager(interior, [w], 2)
