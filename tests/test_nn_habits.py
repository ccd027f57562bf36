"""nn as a practitioner uses it: defaults that train, honest records, familiar habits.

References are hand formulas, nn.evaluate/nn.accuracy recomputed independently with numpy, or the
run's own data (labels, shapes); no expected number is taken from the code under test.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

import nn
from autograd import Value


def blobs_as_main_trained_them():
    """`chainrule train blobs` before standardising: make_blobs(100, seed=0), a quarter held out."""
    X, y = nn.make_blobs(100, seed=0)
    return nn.train_test_split(X, y, test_size=0.25, seed=0)


# ------------------------------------ defaults that train; divergence


@pytest.mark.parametrize("loss", [None, "mse"])
def test_fits_defaults_train_unscaled_blobs_with_a_warning(loss):
    X, y = nn.make_blobs(40, centers=3, seed=0)
    for seed in range(3):
        model = nn.MLP(2, [8, 3], seed=seed)
        with pytest.warns(UserWarning, match="far from unit scale"):
            history = nn.fit(model, X, y, loss=loss, progress=False, engine="compiled")
        assert all(math.isfinite(v) for v in history.loss)
        if loss is None:  # cross-entropy: three separable clusters, all right
            assert nn.accuracy(model, X, y) == 1.0
        assert history.loss[-1] < history.loss[0] / 5


def test_unit_scale_data_draws_no_warning():
    X, y = nn.make_moons(40, noise=0.1, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, steps=2, progress=False)


def test_the_divergence_rule_catches_the_blobs_blow_up():
    """micrograd's SGD 1.0 -> 0.1 with cross-entropy on raw blobs: the loss ran from 20 to 4.6e6
    (under 1e6 times the first loss) and the weights to 1e5: it stops, with the last good state."""
    X_train, _, y_train, _ = blobs_as_main_trained_them()
    model = nn.MLP(2, [16, 16, 3], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=nn.LinearDecay(1.0, 0.1, 100))
    with pytest.warns(UserWarning), pytest.raises(nn.TrainingDiverged, match="diverged") as stop:
        nn.fit(
            model,
            X_train,
            y_train,
            optimizer=optimizer,
            steps=100,
            alpha_l2=1e-4,
            progress=False,
            engine="compiled",
        )
    history = stop.value.history
    assert (
        len(history.loss) == stop.value.step and max(abs(p.data) for p in model.parameters()) < 1e4
    )


def test_runaway_weights_count_as_divergence_even_when_the_loss_looks_fine():
    from nn.monitor import Divergence

    rule = Divergence(largest_initial=0.5)
    assert rule.reason(1.0, 0.9) is None and rule.reason(0.5, 999.0) is None
    assert "running away" in rule.reason(0.5, 1001.0)  # 1e3 times max(0.5, 1)
    assert rule.reason(999.0, 1.0) is None  # under 1e3 times max(best 0.5, 1)
    assert "best so far" in rule.reason(1001.0, 1.0)
    assert rule.reason(float("nan"), 1.0) == "the loss is nan"


def test_default_optimizer_is_micrograds_sgd_for_hinge_and_adam_otherwise():
    model = nn.MLP(2, [3, 1], seed=0)
    assert isinstance(nn.default_optimizer(model, "hinge", 10), nn.SGD)
    for loss in ("mse", "bce_with_logits", nn.mse):
        assert isinstance(nn.default_optimizer(model, loss, 10), nn.Adam)


# ------------------------------------ cheap refusals of model files


def test_a_file_whose_config_does_not_match_its_state_is_refused_before_building(
    tmp_path, monkeypatch
):
    path = tmp_path / "big.json"
    nn.save(nn.MLP(2, [3, 3], seed=0), path)
    document = json.loads(path.read_text())
    document["config"]["nouts"] = [1000, 1000, 3]  # a 7 KB file asking for ~1M parameters
    path.write_text(json.dumps(document))

    def no_building(**config):
        raise AssertionError("a model was built before the file was checked")

    monkeypatch.setitem(nn.serialize.MODEL_CLASSES, "MLP", no_building)
    declared = (
        (2 + 1) * 1000 + (1000 + 1) * 1000 + (1000 + 1) * 3
    )  # weights and biases, layer by layer
    with pytest.raises(
        nn.ModelFileError, match=f"{declared:,} parameters but its state holds 21 values"
    ) as error:
        nn.load(path)
    assert len(str(error.value)) < 300


def test_long_key_lists_are_cut_with_a_count(tmp_path):
    state = {f"extra.{i}": 0.0 for i in range(5000)}
    with pytest.raises(nn.StateDictError) as error:
        nn.MLP(2, [1], seed=0).load_state_dict(state)
    message = str(error.value)
    assert (
        len(message) < 1000 and "and 4,990 more" in message and '"layers.0.neurons.0.w0"' in message
    )
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [1], seed=0), path)
    document = json.loads(path.read_text())
    document["state"].update(state)
    path.write_text(json.dumps(document))
    with pytest.raises(nn.ModelFileError) as error:
        nn.load(path, model=nn.MLP(2, [1], seed=1))
    assert len(str(error.value)) < 1000


# ------------------------------------ predict in y's own labels and dtype


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1, 2]),
        np.array([False, True]),
        np.array(["cat", "dog", "emu"]),
        np.array([-1, 1]),
        np.array([0.0, 1.0]),
    ],
)
def test_predict_answers_in_the_labels_and_dtype_of_y(labels, tmp_path):
    X, index = nn.make_blobs(60, centers=len(labels), seed=1)
    X = nn.standardize(X).transform(X)
    y = labels[index]
    model = nn.MLP(2, [8, len(labels) if len(labels) > 2 else 1], init="he_normal", seed=0)
    nn.fit(model, X, y, epochs=60, progress=False, engine="compiled")
    predicted = nn.predict(model, X)
    assert predicted.dtype.kind == y.dtype.kind and set(predicted.tolist()) <= set(y.tolist())
    assert np.mean(predicted == y) == nn.accuracy(model, X, y) >= 0.95
    nn.save(model, tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert (
        np.array_equal(nn.predict(loaded, X), predicted)
        and nn.predict(loaded, X).dtype == predicted.dtype
    )
    if labels.dtype.kind == "i" and labels.min() == 0:
        assert np.eye(len(labels))[predicted].shape == (60, len(labels))  # usable as an index


def test_unknown_string_labels_name_the_row():
    X, index = nn.make_blobs(20, centers=2, seed=0)
    y = np.array(["a", "b"])[index]
    model = nn.MLP(2, [2, 1], seed=0)
    nn.fit(model, X / 10, y, steps=2, progress=False)
    wrong = y.copy()
    wrong[7] = "c"
    with pytest.raises(ValueError, match=r"y\[7\] is 'c', not one of the classes \(a, b\)"):
        nn.accuracy(model, X / 10, wrong)


# ------------------------------------ History: what it records, epochs


def test_history_per_step_is_before_the_update_per_epoch_is_the_whole_set_after():
    X, y = nn.load_iris()
    X = nn.standardize(X).transform(X)
    model = nn.MLP(4, [8, 3], init="he_normal", seed=0)
    history = nn.fit(
        model,
        X,
        y,
        optimizer=nn.Adam(model.parameters(), lr=0.01),
        epochs=3,
        batch_size=50,
        seed=0,
        progress=False,
        epoch_metrics=True,
        alpha_l2=0.01,
    )
    assert len(history.loss) == 9 and len(history.train_accuracy) == len(history.train_loss) == 3
    with autograd_off():
        scores = np.array([[v.data for v in model(x)] for x in X.tolist()])
    shifted = scores - scores.max(axis=1, keepdims=True)
    by_hand = float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(150), y]))
    assert history.train_loss[-1] == pytest.approx(by_hand, rel=1e-12)  # whole set, no penalty
    assert (
        history.train_accuracy[-1]
        == float(np.mean(scores.argmax(axis=1) == y))
        == nn.accuracy(model, X, y)
    )
    assert "before that step's update" in nn.History.loss.__doc__


def autograd_off():
    import autograd

    return autograd.no_grad()


def test_validation_split_early_stopping_restores_the_best_epoch():
    X, y = nn.make_moons(120, noise=0.3, seed=0)
    model = nn.MLP(2, [32, 32, 1], init="he_normal", seed=0)
    epochs = []
    history = nn.fit(
        model,
        X,
        y,
        loss="bce_with_logits",
        optimizer=nn.Adam(model.parameters(), lr=0.05),
        epochs=300,
        validation_split=0.25,
        patience=10,
        seed=0,
        progress=False,
        engine="compiled",
        callback=lambda epoch, h: epochs.append((epoch, len(h.val_loss))),
    )
    assert epochs == [
        (k, k + 1) for k in range(len(history.val_loss))
    ]  # called after each epoch's record
    assert len(history.val_loss) < 300  # stopped early
    best = history.best_epoch
    assert history.val_loss[best] == min(history.val_loss) and len(history.val_loss) == best + 11
    _, X_val, _, y_val = nn.train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
    assert nn.evaluate(model, X_val, y_val)["loss"] == pytest.approx(
        history.val_loss[best], rel=1e-9
    )


def test_a_callback_stops_training_and_validation_data_is_checked():
    X, y = nn.make_moons(30, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(
        model,
        X,
        y,
        steps=50,
        validation_data=(X, y),
        callback=lambda epoch, h: epoch == 4,
        progress=False,
    )
    assert len(history.loss) == len(history.val_loss) == 5
    with pytest.raises(ValueError, match="validation_data: y has 2 columns"):
        nn.fit(model, X, y, validation_data=(X, np.ones((30, 2))), progress=False)
    with pytest.raises(ValueError, match="patience stops on the validation loss"):
        nn.fit(model, X, y, patience=3, progress=False)


# ------------------------------------ scikit-learn's Bunch; PyTorch's batch call


def test_iris_and_digits_are_bunches_that_still_unpack():
    iris = nn.load_iris()
    X, y = iris
    assert iris.data is X and iris.target is y and X.shape == (150, 4)
    assert iris.feature_names[2] == "petal length (cm)" and list(iris.target_names) == [
        "setosa",
        "versicolor",
        "virginica",
    ]
    digits = nn.load_digits()
    assert (
        digits.data.shape == (1797, 64)
        and len(digits.feature_names) == 64
        and list(digits.target_names) == list(range(10))
    )


def test_model_of_a_2d_batch_returns_each_rows_outputs():
    model = nn.MLP(3, [4, 2], seed=0)
    X = np.arange(6.0).reshape(2, 3)
    batch = model(X)
    assert [[v.data for v in out] for out in batch] == [
        [v.data for v in model(list(row))] for row in X
    ]
    neuron = nn.Neuron(3, seed=0)
    assert [v.data for v in neuron(X)] == [neuron(list(row)).data for row in X]
    loss = nn.mse([o[0] for o in batch], np.array([1.0, 0.0]))
    assert isinstance(loss, Value)


# ------------------------------------ wording, accuracy of a regression, stratify


def test_wording_of_errors():
    model = nn.MLP(2, [1], seed=0)
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="the loss function given gives scores"):
        nn.predict_proba(model, X, loss=lambda o, t: o[0])
    adam = nn.Adam(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="expected the state of an Adam"):
        adam.load_state_dict({"class": "SGD"})
    other = nn.MLP(2, [1], seed=1)
    with pytest.raises(ValueError, match=r"build it from this model: Adam\(model.parameters"):
        nn.fit(model, X, [0, 1, 0, 1], optimizer=nn.Adam(other.parameters()), progress=False)


def test_a_missing_config_key_is_called_missing(tmp_path):
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [1], seed=0), path)
    document = json.loads(path.read_text())
    del document["config"]["activation"]
    path.write_text(json.dumps(document))
    with pytest.raises(
        nn.ModelFileError, match="config 'activation' is missing from the file but 'relu'"
    ):
        nn.load(path, model=nn.MLP(2, [1], seed=0))


def test_accuracy_of_a_regression_model_is_an_error_not_nan():
    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    model = nn.MLP(1, [4, 1], seed=0)
    nn.fit(model, X, 0.3 * X[:, 0] + 0.1, loss="mse", steps=3, progress=False)
    with pytest.raises(ValueError, match="no accuracy; use nn.evaluate"):
        nn.accuracy(model, X, 0.3 * X[:, 0])


def test_stratify_refuses_a_class_of_one():
    X = np.zeros((10, 2))
    y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 2])
    with pytest.raises(ValueError, match="class 2 has only 1 member"):
        nn.train_test_split(X, y, stratify=y)


def test_the_scaled_initialisers():
    rng = np.random.default_rng(0)
    W = nn.init.INITIALIZERS["torch"](400, 300, rng)
    assert np.abs(W).max() <= 1 / 20 and W.var() == pytest.approx(1 / (3 * 400), rel=0.02)
    assert (
        nn.init.scaled_for("relu") == "he_normal" and nn.init.scaled_for("tanh") == "xavier_normal"
    )
    X, y = nn.load_digits()
    X = nn.standardize(X).transform(X)
    starts = {
        init: [
            round(numpy_cross_entropy(nn.MLP(64, [16, 16, 10], init=init, seed=seed), X, y), 1)
            for seed in range(3)
        ]
        for init in ("micrograd", "he_normal")
    }
    assert starts == {
        "micrograd": [11.1, 18.4, 14.1],
        "he_normal": [3.0, 2.9, 2.8],
    }  # the README's numbers
    assert all(abs(start - math.log(10)) < 1.0 for start in starts["he_normal"])


def numpy_cross_entropy(model, X, y):
    """The mean cross-entropy of a ReLU MLP with a linear output, by hand with numpy (D1, D11)."""
    a = X
    for i, layer in enumerate(model.layers):
        W, b = layer.weights()
        a = a @ W.T + b
        if i < len(model.layers) - 1:
            a = np.maximum(a, 0.0)
    shifted = a - a.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(y)), y]))
