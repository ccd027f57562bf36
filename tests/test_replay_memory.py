"""Memory of the replay: one buffer width kept, gradients allocated on demand, big batches in chunks."""

import tracemalloc

import numpy as np
import pytest

import autograd
import nn
from autograd import ReplayError, Value
from autograd.replay import compiled as compiled_module


def digits_model():
    model = nn.MLP(64, [32, 10], seed=0)  # 7285 buffer rows: 58 kB per example and buffer
    return autograd.compile(model, 64, model.parameters())


def test_memory_stays_bounded_whatever_the_batch_sizes():
    f = digits_model()
    rng = np.random.default_rng(0)
    tracemalloc.start()
    try:
        for batch in (64, 1797, 1000, 500, 300):  # used to keep 419 MB: buffers for 4 sizes
            f.value_and_grad(rng.normal(size=(batch, 64)))
        kept = tracemalloc.get_traced_memory()[0]
        X = rng.normal(size=(10_000, 64))
        tracemalloc.reset_peak()
        out = f.forward(X)  # used to need 1.6 GB
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert kept < 70 * 2**20
    assert peak < 150 * 2**20
    assert out.shape == (10_000, 10)


def test_forward_alone_does_not_allocate_the_gradients():
    f = digits_model()
    f.forward(np.ones((5, 64)))
    assert f._executor.grads is None
    f.gradient()
    assert f._executor.grads.shape == f._executor.vals.shape == (f.stats["rows"], 5)


@pytest.fixture
def chunked(monkeypatch):
    """The same function compiled twice: in one pass, and in passes of at most 3 examples."""
    w = [Value(0.3, label="w0"), Value(-1.2, label="w1"), Value(0.7, label="b")]
    fn = lambda v: [(v[0] * w[0] + v[1] * w[1] + w[2]).tanh(), (v[0] * w[1]).relu() * w[2]]
    whole = autograd.compile(fn, 2, w)
    monkeypatch.setattr(compiled_module, "CHUNK_BYTES", 3 * 8 * whole.stats["rows"])
    return whole, autograd.compile(fn, 2, w), w


def test_chunks_give_the_same_results(chunked):
    whole, parts, _ = chunked
    assert parts._chunks(10) == [(0, 3), (3, 6), (6, 9), (9, 10)]
    rng = np.random.default_rng(1)
    X, seed = rng.normal(size=(10, 2)), rng.normal(size=(10, 2))
    out, grads = whole.value_and_grad(X, seed)
    out2, grads2 = parts.value_and_grad(X, seed)
    np.testing.assert_allclose(out2, out, rtol=1e-14, atol=1e-15)  # matrix products of other widths
    np.testing.assert_allclose(grads2, grads, rtol=1e-14, atol=1e-15)  # sums over the chunks, then added
    np.testing.assert_allclose(parts.forward(X), out, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(parts.gradient(seed), grads2, rtol=1e-14, atol=1e-15)  # reruns chunk by chunk
    for example in (0, 4, -1):
        want = [(o.data, o.grad) for o in whole.graph(example)]
        assert [(o.data, o.grad) for o in parts.graph(example)] == want


def test_gradient_after_a_chunked_forward_uses_that_forwards_parameters(chunked):
    whole, parts, w = chunked
    X = np.linspace(-1.0, 1.0, 14).reshape(7, 2)
    expected = whole.value_and_grad(X)[1]
    parts.forward(X)
    w[0].data = 5.0  # an update between forward and gradient does not mix two models
    np.testing.assert_allclose(parts.gradient(), expected, rtol=1e-14)


def test_errors_in_a_later_chunk_name_the_example_of_the_batch(monkeypatch):
    w = Value(1.0)
    monkeypatch.setattr(compiled_module, "CHUNK_BYTES", 8 * 8)  # 2 examples per pass
    f = autograd.compile(lambda v: (v[0] * w).log(), 1, [w])
    with pytest.raises(ReplayError, match=r"log: the input must be positive, got log\(-1.0\), at example 5"):
        f.forward(np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [-1.0]]))
    g = autograd.compile(lambda v: (v[0] * v[0] * w).sqrt(), 1, [w])
    g.forward(np.array([[1.0], [2.0], [3.0], [0.0]]))
    with pytest.raises(ReplayError, match=r"backward of sqrt: .*infinite at x = 0, got sqrt\(0.0\), at example 3"):
        g.gradient()
