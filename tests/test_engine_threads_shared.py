"""Several threads on shared nodes, as in PyTorch: backward passes on one graph (or on graphs
sharing leaves) add into the leaves exactly as the same calls made one after another would;
grad/gradients never write a .grad; one compiled function may be called from several threads.

Every expected number is an exact sum of hand derivatives (integers, so no rounding to allow for).
"""

import sys
import threading

import numpy as np
import pytest
from test_engine_threads import run_threads as run_all  # tests/ is on sys.path (no __init__.py)

import autograd
from autograd import Value, grad, gradients

THREADS, CALLS, TIMEOUT = 8, 1000, 30


@pytest.fixture(autouse=True)
def switch_often():
    """Threads take turns every 10 us instead of 5 ms, so that they interleave inside each call."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


def run_threads(work, n=THREADS):
    """Run work(k) in n threads started together; re-raise the first error in this thread."""
    barrier = threading.Barrier(n)

    def starter(k):
        def run():
            barrier.wait(TIMEOUT)
            work(k)
        return run

    run_all(*(starter(k) for k in range(n)))


def test_backward_on_one_graph_from_eight_threads_adds_every_call():
    # y = y*1 + y*0 fifty times: 2^50 paths from y to x, dy/dx = 1; interior nodes reached many ways
    x = Value(2.0)
    y = x
    for _ in range(50):
        y = y * 1.0 + y * 0.0
    run_threads(lambda k: [y.backward() for _ in range(CALLS)])
    assert x.grad == THREADS * CALLS
    assert y.grad == 1.0  # an interior gradient is this graph's, not a sum over the calls


def test_backward_on_graphs_sharing_leaves_adds_every_call():
    w, b = Value(3.0), Value(-1.0)

    def work(k):
        out = (w * w) * (k + 1)
        for _ in range(20):
            out = out + w * b + b  # in all: d/dw = 2w(k+1) + 20b = 6(k+1) - 20, d/db = 20w + 20 = 80
        for _ in range(CALLS):
            out.backward()

    run_threads(work)
    assert w.grad == sum(6 * (k + 1) - 20 for k in range(THREADS)) * CALLS
    assert b.grad == 80 * THREADS * CALLS


def test_grad_and_gradients_beside_backward_never_write_a_grad():
    w = Value(3.0)
    seen = []

    def work(k):
        if k % 2:  # backward: d(w^3)/dw = 3 w^2 = 27, added each call
            out = w * w * w
            for _ in range(CALLS):
                out.backward()
        else:  # grad and gradients of the same function: their own numbers, no .grad touched
            f = grad(lambda v: v * v * v)
            out = w * w * w
            for i in range(CALLS // 2):
                seen.append(f(float(i % 5)) == 3.0 * (i % 5) ** 2)
                seen.append(gradients(out, [w]) == [27.0])

    run_threads(work)
    assert len(seen) == THREADS // 2 * CALLS and all(seen)
    assert w.grad == 27 * (THREADS // 2) * CALLS


def test_one_compiled_function_from_eight_threads():
    w, b = Value(0.5), Value(-0.25)
    f = autograd.compile(lambda v: (w * v[0] + b).tanh(), 1, [w, b])
    wrong = []

    def work(k):
        X = np.linspace(-1.0, 1.0, 5 + k)[:, None]  # each thread its own batch size: buffers differ
        t = np.tanh(0.5 * X[:, 0] - 0.25)
        for _ in range(CALLS // 4):
            out, g = f.value_and_grad(X)
            expected = [((1 - t * t) * X[:, 0]).sum(), (1 - t * t).sum()]  # D5 by hand
            if not (np.allclose(out, t, rtol=1e-14, atol=0) and np.allclose(g, expected, rtol=1e-13, atol=1e-15)):
                wrong.append(k)
            if not np.allclose(f.forward(X), t, rtol=1e-14, atol=0):
                wrong.append(k)

    run_threads(work)
    assert wrong == []


def test_compiled_backward_from_eight_threads_adds_every_call():
    w, b = Value(2.0), Value(1.0)
    f = autograd.compile(lambda v: w * v[0] + b * 3.0, 1, [w, b])

    def work(k):
        X = np.arange(1.0, k + 2)[:, None]  # 1, 2, ..., k + 1: d/dw = sum X, d/db = 3 per example
        for _ in range(CALLS // 4):
            f.backward(X)

    run_threads(work)
    assert w.grad == sum((k + 1) * (k + 2) // 2 for k in range(THREADS)) * (CALLS // 4)
    assert b.grad == sum(3 * (k + 1) for k in range(THREADS)) * (CALLS // 4)
