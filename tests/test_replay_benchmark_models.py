"""Every model of the replay benchmark computes, compiled, what the eager engine computes (to 1e-12).

The benchmark (benchmarks/bench_replay.py) times these models; this test makes sure the timed
replay is the right computation: outputs and parameter gradients against the eager engine,
example by example (replay_helpers.eager), on a few digits or two-moons examples.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from replay_helpers import assert_matches, eager

import autograd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
models = pytest.importorskip("models")


def compare(fn, params, X, seed, what):
    f = autograd.compile(fn, X.shape[1], params)
    out, grads = f.value_and_grad(X, seed)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(fn, X, params, seed)
    assert_matches(out, ref_out[:, 0], out_sizes[:, 0], f"{what}: outputs")
    assert_matches(grads, ref_grads, grad_sizes, f"{what}: gradients")
    assert np.abs(grads).max() > 0  # something was differentiated
    return f


def test_micrograd_demo_hinge_and_l2():
    X, y = models.nn.make_moons(12, noise=0.1, seed=1)
    model = models.demo_model()
    params = model.parameters()
    batch = np.c_[X, 2.0 * y - 1.0]
    compare(models.hinge(model), params, batch, np.full(len(batch), 1 / len(batch)), "hinge")
    f = autograd.compile(models.l2(params), 0, params)
    out, grads = f.value_and_grad()
    data = np.array([p.data for p in params])
    assert_matches(out, [models.L2 * np.sum(data * data)], models.L2 * np.sum(data * data), "L2")
    assert_matches(grads, 2 * models.L2 * data, what="L2 gradient")


@pytest.mark.parametrize("hidden,activation,examples", [([32], "tanh", 4), ([128, 128], "relu", 2)])
def test_digits_mlp_and_cross_entropy(hidden, activation, examples):
    X_train, _, y_train, _ = models.digits()
    model = models.digits_model(hidden, activation)
    batch = np.c_[X_train[:examples], models.one_hot(y_train[:examples])]
    f = compare(models.cross_entropy(model), model.parameters(), batch, np.full(examples, 1.0 / examples),
                f"MLP 64-{'-'.join(map(str, hidden))}-10")
    assert sum(type(g).__name__ == "DenseGroup" for g in f._plan.groups) == len(hidden) + 1
