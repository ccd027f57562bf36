"""A model trained a few steps with the replay ends where the eager engine ends (D7)."""

import numpy as np
import pytest
from replay_helpers import assert_matches

import autograd
import nn


def parameters(model):
    return np.array([p.data for p in model.parameters()])


FITS = {
    "hinge + L2, micrograd's SGD, full batch": dict(
        data=lambda: nn.make_moons(40, noise=0.1, seed=1), sizes=[8, 8, 1], activation="relu",
        fit=dict(loss="hinge", steps=6, alpha_l2=1e-4)),
    "cross-entropy, Adam, mini-batches": dict(
        data=lambda: nn.make_blobs(60, centers=3, seed=2), sizes=[8, 3], activation="tanh",
        fit=dict(loss="cross_entropy", epochs=2, batch_size=16, seed=0), adam=0.01),
    "bce with logits, one output": dict(
        data=lambda: nn.make_circles(30, seed=3), sizes=[6, 1], activation="elu",
        fit=dict(loss="bce_with_logits", steps=5), adam=0.05),
    "mse regression, leaky ReLU": dict(
        data=lambda: (np.linspace(-2, 2, 25)[:, None], np.sin(np.linspace(-2, 2, 25))), sizes=[10, 1],
        activation="leaky_relu", fit=dict(loss="mse", steps=5)),
}


@pytest.mark.parametrize("name", sorted(FITS))
def test_fit_compiled_ends_with_the_eager_parameters(name):
    case = FITS[name]
    X, y = case["data"]()
    runs = {}
    for engine in ("eager", "compiled"):
        model = nn.MLP(X.shape[1], case["sizes"], activation=case["activation"], init="xavier_normal", seed=0)
        kwargs = dict(case["fit"])
        if "adam" in case:
            kwargs["optimizer"] = nn.Adam(model.parameters(), lr=case["adam"])
        history = nn.fit(model, X, y, engine=engine, progress=False, **kwargs)
        runs[engine] = (parameters(model), history)
    (eager_params, eager_history), (compiled_params, compiled_history) = runs["eager"], runs["compiled"]
    assert not np.array_equal(eager_params, parameters(nn.MLP(X.shape[1], case["sizes"], init="xavier_normal",
                                                                 seed=0)))  # training moved them
    assert_matches(compiled_params, eager_params, 1.0, "parameters after training")
    assert_matches(compiled_history.loss, eager_history.loss, 1.0, "losses")
    assert compiled_history.accuracy == eager_history.accuracy


def test_micrograd_demo_steps_with_a_traced_per_example_loss():
    # the benchmark's step: hinge traced per example (label as an input), L2 traced once, SGD
    X, y = nn.make_moons(30, noise=0.1, seed=0)
    labels = 2.0 * y - 1.0
    eager_model, replay_model = nn.MLP(2, [16, 16, 1], seed=0), nn.MLP(2, [16, 16, 1], seed=0)
    params = replay_model.parameters()
    hinge = autograd.compile(lambda v: (1 + -v[2] * replay_model(v[:2])).relu(), 3, params)
    l2 = autograd.compile(lambda _: 1e-4 * sum(p * p for p in params), 0, params)
    for k in range(5):
        lr = 1.0 - 0.9 * k / 100
        scores = [eager_model(row) for row in X.tolist()]
        losses = [(1 + -t * s).relu() for t, s in zip(labels.tolist(), scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in eager_model.parameters())
        eager_model.zero_grad()
        total.backward()
        for p in eager_model.parameters():
            p.data -= lr * p.grad

        per_example, grads = hinge.value_and_grad(np.c_[X, labels], seed=np.full(len(X), 1.0 / len(X)))
        penalty, penalty_grads = l2.value_and_grad()
        assert_matches([per_example.mean() + penalty[0]], [total.data], 1.0, f"loss at step {k}")
        for p, g in zip(params, (grads + penalty_grads).tolist()):
            p.data -= lr * g
    assert_matches(parameters(replay_model), parameters(eager_model), 1.0, "parameters after 5 steps")
