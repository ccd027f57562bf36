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


# ---------------------------------------------------------------- parameters in one array


def test_a_bound_array_is_read_instead_of_the_values_until_synced():
    w, b = autograd.Value(2.0, label="w"), autograd.Value(0.5, label="b")
    f = autograd.compile(lambda v: w * v[0] + b, 1, [w, b])
    theta = autograd.ParameterArray([w, b])
    f.bind(theta)
    theta.data[:] = [3.0, -1.0]
    X = np.array([[1.0], [2.0]])
    assert f.forward(X).tolist() == [2.0, 5.0]
    grad = np.empty(2)
    out, got = f.value_and_grad(X, out=grad)
    assert got is grad and grad.tolist() == [3.0, 2.0]
    assert (w.data, b.data) == (2.0, 0.5)  # the Values are left alone until someone syncs
    f.sync_parameters()
    assert (w.data, b.data) == (3.0, -1.0)
    w.data = 7.0
    theta.refresh()
    assert theta.data.tolist() == [7.0, -1.0]
    f.bind(None)
    w.data = 1.0
    assert f.forward(X).tolist() == [0.0, 1.0]


def test_bind_and_out_refuse_what_does_not_fit():
    w, b = autograd.Value(2.0), autograd.Value(0.5)
    f = autograd.compile(lambda v: w * v[0] + b, 1, [w, b])
    with pytest.raises(ValueError, match="same order"):
        f.bind(autograd.ParameterArray([b, w]))
    with pytest.raises(TypeError, match="ParameterArray"):
        f.bind(np.zeros(2))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        f.value_and_grad(np.ones((3, 1)), out=np.zeros(3))
    theta = autograd.ParameterArray([w, b])
    f.bind(theta)
    theta.data[0] = np.nan
    with pytest.raises(ValueError, match="parameter .* is nan"):
        f.forward(np.ones((1, 1)))


OPTIMIZERS = {
    "sgd": lambda ps: nn.SGD(ps, lr=nn.LinearDecay(0.5, 0.1, 4)),
    "sgd, momentum, weight decay": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "adam, weight decay": lambda ps: nn.Adam(ps, lr=0.05, weight_decay=0.01),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_array_step_is_the_value_step(name):
    rng = np.random.default_rng(0)
    start = rng.normal(size=7)
    grads = rng.normal(size=(6, 7))
    by_value = [autograd.Value(float(x)) for x in start]
    by_array = autograd.ParameterArray([autograd.Value(float(x)) for x in start])
    opt_value, opt_array = OPTIMIZERS[name](by_value), OPTIMIZERS[name](by_array.parameters)
    for k, g in enumerate(grads):
        for p, gi in zip(by_value, g.tolist()):
            p.grad = gi
        opt_value.step()
        by_array.grad[:] = g
        if k == 3:  # one step through the Values in between: the optimiser's state carries over
            by_array.sync()
            opt_array.step()
            by_array.refresh()
        else:
            opt_array.step_array(by_array)
    np.testing.assert_array_equal(by_array.data, [p.data for p in by_value])  # the same floats
    by_array.grad[2] = np.inf
    with pytest.raises(FloatingPointError, match="no parameter was changed"):
        opt_array.step_array(by_array)


def test_fit_compiled_keeps_the_parameters_in_one_array_and_syncs_once(monkeypatch):
    X, y = nn.make_blobs(40, centers=3, seed=2)
    model = nn.MLP(2, [6, 3], activation="tanh", seed=0)
    first = model.parameters()[0]
    seen, syncs = [], []
    real_sync = autograd.ParameterArray.sync
    monkeypatch.setattr(autograd.ParameterArray, "sync", lambda self: syncs.append(1) or real_sync(self))

    def loss(outputs, targets):
        seen.append(first.data)  # what a user sees in the middle of training
        return nn.losses.cross_entropy(outputs, targets)

    before = first.data
    nn.fit(model, X, y, loss=loss, optimizer=nn.Adam(model.parameters(), lr=0.05), steps=5, engine="compiled",
           progress=False)
    assert seen == [before] * 5  # no Value written per step
    assert syncs == [1] and first.data != before  # written once, at the end


def test_fit_compiled_with_an_optimizer_without_an_array_form_uses_the_values():
    class Halving(nn.optim.Optimizer):  # a user's optimiser: only the Value step
        def update(self, lr):
            for p in self.params:
                p.data -= lr * p.grad

    X, y = nn.make_moons(20, noise=0.1, seed=0)
    runs = []
    for engine in ("eager", "compiled"):
        model = nn.MLP(2, [4, 1], seed=0)
        nn.fit(model, X, y, loss="hinge", optimizer=Halving(model.parameters(), lr=0.1), steps=3, engine=engine,
               progress=False)
        runs.append(parameters(model))
    assert_matches(runs[1], runs[0], 1.0, "parameters")
