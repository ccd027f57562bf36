"""nn.fit(engine="compiled") traces the model and a built-in loss together, and ends where eager ends."""

import numpy as np
import pytest
from replay_helpers import assert_matches

import nn
from nn import fit_steps


def parameters(model):
    return np.array([p.data for p in model.parameters()])


def blobs():
    return nn.make_blobs(48, centers=3, seed=2)


def moons():
    return nn.make_moons(40, noise=0.1, seed=1)


def soft():  # probabilities as targets (bce's soft targets)
    X, y = nn.make_circles(30, seed=3)
    return X, np.clip(0.8 * y + 0.1 + 0.05 * X[:, 0], 0.0, 1.0)


def regression():
    x = np.linspace(-2, 2, 25)[:, None]
    return x, np.sin(x[:, 0])


CASES = {  # name: (data, hidden and output sizes, output activation, loss, fit options)
    "mse, one output": (regression, [8, 1], None, nn.MSE(), dict(steps=5)),
    "mse sum, one-hot over 3 outputs": (blobs, [6, 3], None, nn.MSE(reduction="sum"),
                                        dict(steps=4, alpha_l2=1e-3, lr=0.002)),
    "bce, sigmoid output": (moons, [6, 1], "sigmoid", nn.BCE(), dict(epochs=2, batch_size=16, seed=0)),
    "bce sum, soft targets": (soft, [6, 1], "sigmoid", nn.BCE(reduction="sum"), dict(steps=4, lr=0.02)),
    "bce with logits": (moons, [6, 1], None, nn.BCEWithLogits(), dict(steps=5, alpha_l2=1e-4)),
    "bce with logits, soft targets": (soft, [6, 1], None, nn.BCEWithLogits(), dict(steps=5)),
    "hinge": (moons, [8, 8, 1], None, nn.Hinge(), dict(steps=6, alpha_l2=1e-4)),
    "hinge sum, mini-batches": (moons, [8, 1], None, nn.Hinge(reduction="sum"), dict(epochs=2, batch_size=8, seed=1)),
    "cross-entropy": (blobs, [8, 3], None, nn.CrossEntropy(), dict(epochs=2, batch_size=16, seed=0)),
    "cross-entropy sum": (blobs, [8, 3], None, nn.CrossEntropy(reduction="sum"), dict(steps=4, lr=0.01)),
}


def train_both(case, optimizer=None):
    data, sizes, output, loss, options = case
    X, y = data()
    runs = {}
    for engine in ("eager", "compiled"):
        model = nn.MLP(X.shape[1], sizes, activation="tanh", output_activation=output, init="xavier_normal", seed=0)
        kwargs = dict(options)
        lr = kwargs.pop("lr", None)  # a sum's gradients are larger than the default rate allows
        if optimizer is not None:
            kwargs["optimizer"] = optimizer(model)
        elif lr is not None:
            kwargs["optimizer"] = nn.SGD(model.parameters(), lr=lr)
        else:  # SGD at the loss's rate (Adam parts the engines on symmetric data, see ADAM)
            kwargs["optimizer"] = nn.SGD(model.parameters(), lr=loss.default_lr[0])
        history = nn.fit(model, X, y, loss=loss, engine=engine, progress=False, **kwargs)
        runs[engine] = (model, history)
    return runs


ADAM = ("bce, sigmoid output", "bce with logits", "cross-entropy", "hinge sum, mini-batches",
        "mse sum, one-hot over 3 outputs")
"""Cases also run with Adam. Adam divides a gradient by its own size, so a gradient that is 0 up to
roundoff (symmetric data: the regression, the circles) takes a full step of either sign: there the
two engines part after a few steps, with the model traced alone as much as with its loss."""


@pytest.mark.parametrize(("name", "adam"), [(name, False) for name in sorted(CASES)] + [(name, True) for name in ADAM])
def test_traced_loss_ends_with_the_eager_parameters(name, adam, monkeypatch):
    def no_eager_loss(*args):
        raise AssertionError("the built-in loss was not traced")

    monkeypatch.setattr(fit_steps, "_eager_loss_step", no_eager_loss)
    runs = train_both(CASES[name], (lambda m: nn.Adam(m.parameters(), lr=0.02)) if adam else None)
    (eager, eager_history), (compiled, compiled_history) = runs["eager"], runs["compiled"]
    assert_matches(parameters(compiled), parameters(eager), 1.0, "parameters after training")
    assert_matches(compiled_history.loss, eager_history.loss, 1.0, "losses")
    np.testing.assert_array_equal(compiled_history.accuracy, eager_history.accuracy)
    X, y = CASES[name][0]()
    if not np.isnan(compiled_history.accuracy[-1]):
        assert nn.accuracy(compiled, X, y) == nn.accuracy(eager, X, y)


def test_a_loss_function_keeps_the_eager_loss_on_the_replayed_outputs(monkeypatch):
    calls = []
    eager_loss_step = fit_steps._eager_loss_step
    monkeypatch.setattr(fit_steps, "_eager_loss_step", lambda *a: calls.append(1) or eager_loss_step(*a))
    X, y = moons()

    def squared(outputs, targets):
        return sum((o - t) ** 2 for o, t in zip(outputs, targets, strict=True)) * (1.0 / len(targets))

    runs = {}
    for engine in ("eager", "compiled"):
        model = nn.MLP(2, [6, 1], activation="tanh", init="xavier_normal", seed=0)
        nn.fit(model, X, y, loss=squared, steps=3, engine=engine, progress=False)
        runs[engine] = parameters(model)
    assert len(calls) == 3
    assert_matches(runs["compiled"], runs["eager"], 1.0, "parameters after training")


def test_bce_on_outputs_that_are_not_probabilities_is_the_eager_error():
    X, y = moons()
    for engine in ("eager", "compiled"):
        model = nn.MLP(2, [6, 1], activation="tanh", seed=0)  # no sigmoid: raw scores
        with pytest.raises(ValueError, match="not a probability in"):
            nn.fit(model, X, y, loss="bce", steps=2, engine=engine, progress=False)


def test_a_diverging_traced_loss_stops_with_the_last_finite_parameters():
    X, y = regression()
    model = nn.MLP(1, [8, 1], activation="relu", init="xavier_normal", seed=0)
    start = parameters(model)
    with pytest.raises(nn.TrainingDiverged) as caught:
        nn.fit(model, X * 1e200, y, loss="mse", optimizer=nn.SGD(model.parameters(), lr=1.0), steps=5,
               engine="compiled", progress=False)
    assert caught.value.step == 0 and caught.value.history.loss == []
    np.testing.assert_array_equal(parameters(model), start)
