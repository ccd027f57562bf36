"""Loss objects carry their labels' encoding and decision rule: fit, predict, accuracy and evaluate agree."""

import math

import numpy as np
import pytest

import nn

X_MOONS, Y_MOONS = nn.make_moons(40, noise=0.1, seed=0)
SETUPS = {  # loss -> (output activation, number of outputs)
    "mse": (None, 1), "bce": ("sigmoid", 1), "bce_with_logits": (None, 1), "hinge": (None, 1),
    "cross_entropy": (None, 2),
}


@pytest.mark.parametrize("engine", ["eager", "compiled"])
@pytest.mark.parametrize("loss", list(SETUPS))
def test_fit_reports_the_accuracy_nn_accuracy_gives(loss, engine):
    activation, k = SETUPS[loss]
    model = nn.MLP(2, [8, k], output_activation=activation, seed=1)
    nn.fit(model, X_MOONS, Y_MOONS, loss=loss, steps=15, engine=engine, progress=False)
    before = nn.accuracy(model, X_MOONS, Y_MOONS)  # judged by the training's loss, remembered by the model
    scores = nn.evaluation.forward_data(model, X_MOONS)
    # by hand: each loss's rule (mse: midpoint 0.5 of the 0/1 labels; bce: 1/2; logits, scores: 0; argmax)
    cut = {"mse": 0.5, "bce": 0.5, "bce_with_logits": 0.0, "hinge": 0.0}.get(loss)
    by_hand = np.argmax(scores, axis=1) if cut is None else (scores[:, 0] > cut).astype(int)
    assert before == np.mean(by_hand == Y_MOONS)
    history = nn.fit(model, X_MOONS, Y_MOONS, loss=loss, steps=1, engine=engine, progress=False)
    assert history.accuracy[0] == before  # measured on the same parameters, before the step
    assert nn.evaluate(model, X_MOONS, Y_MOONS)["accuracy"] == nn.accuracy(model, X_MOONS, Y_MOONS)


def test_a_model_trained_with_mse_is_judged_by_mse_not_by_a_hinge_default():
    """The issue's case: 100% in fit's history, 67.5% from nn.accuracy (cut at 0 instead of 0.5)."""
    model = nn.MLP.from_weights([[[0.0, 0.0]]], [[0.3]])  # always 0.3: class 0 for mse (cut 0.5), 1 for a score
    history = nn.fit(model, X_MOONS, np.zeros(40), loss="mse", optimizer=nn.SGD(model, lr=1e-12), steps=1,
                     progress=False)
    assert history.accuracy == [1.0] and nn.accuracy(model, X_MOONS, np.zeros(40)) == 1.0
    result = nn.evaluate(model, X_MOONS, np.zeros(40))
    assert result["loss"] == pytest.approx(0.3**2, rel=1e-9)  # mse, not the hinge loss max(0, 1 + 0.3)
    three = nn.MLP(2, [3], seed=0)
    nn.fit(three, X_MOONS, Y_MOONS, loss="cross_entropy", steps=1, progress=False)
    assert math.isfinite(nn.evaluate(three, X_MOONS, Y_MOONS)["loss"])  # no loss= needed for 3 outputs


@pytest.mark.parametrize("labels", [(-1, 1), (0, 1), (3, 7)])
@pytest.mark.parametrize("loss", ["hinge", "mse", "bce_with_logits"])
def test_predict_answers_in_the_users_own_labels(labels, loss):
    y = np.where(Y_MOONS == 1, labels[1], labels[0])
    model = nn.MLP(2, [8, 1], seed=0)
    nn.fit(model, X_MOONS, y, loss=loss, optimizer=nn.Adam(model, lr=0.05), steps=60, progress=False)
    predicted = nn.predict(model, X_MOONS)
    assert set(np.unique(predicted).tolist()) == set(labels)
    assert np.mean(predicted == y) == nn.accuracy(model, X_MOONS, y) >= 0.85


def test_predict_maps_class_labels_of_several_outputs_and_predict_proba_sums_to_one():
    y = np.array([10, 20, 30])[Y_MOONS + (X_MOONS[:, 0] > 1.5)]
    model = nn.MLP(2, [8, 3], seed=0)
    nn.fit(model, X_MOONS, y, loss="cross_entropy", optimizer=nn.Adam(model, lr=0.05), steps=60, progress=False)
    assert set(nn.predict(model, X_MOONS).tolist()) <= {10, 20, 30}
    p = nn.predict_proba(model, X_MOONS)
    scores = nn.evaluation.forward_data(model, X_MOONS)
    softmax = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, softmax, rtol=1e-12)
    np.testing.assert_array_equal(np.array([10, 20, 30])[np.argmax(p, axis=1)], nn.predict(model, X_MOONS))


def test_predict_proba_of_one_logit_is_sigmoid_in_two_columns_and_refused_for_scores():
    model = nn.MLP(2, [4, 1], seed=0)
    nn.fit(model, X_MOONS, Y_MOONS, loss="bce_with_logits", steps=2, progress=False)
    z = nn.evaluation.forward_data(model, X_MOONS)[:, 0]
    np.testing.assert_allclose(nn.predict_proba(model, X_MOONS), np.column_stack([1 / (1 + np.exp(z)),
                                                                                   1 / (1 + np.exp(-z))]))
    nn.fit(model, X_MOONS, Y_MOONS, loss="hinge", steps=1, progress=False)
    with pytest.raises(ValueError, match="predict_proba: the hinge loss gives scores, not probabilities"):
        nn.predict_proba(model, X_MOONS)


@pytest.mark.parametrize("name", ["mse", "bce_with_logits", "hinge", "cross_entropy"])
def test_a_loss_function_behaves_as_its_name(name):
    k = 2 if name == "cross_entropy" else 1
    runs = []
    for loss in (name, getattr(nn, name), nn.losses.LOSSES[name]):
        model = nn.MLP(2, [6, k], seed=3)
        history = nn.fit(model, X_MOONS, 2 * Y_MOONS - 1 if name == "hinge" else Y_MOONS, loss=loss, steps=5,
                         progress=False)
        runs.append((history, [p.data for p in model.parameters()], nn.predict(model, X_MOONS).tolist()))
    assert runs[0] == runs[1] == runs[2]
    assert nn.losses.get_loss(nn.mse) == nn.losses.MSE() and nn.losses.get_loss(nn.hinge) == nn.losses.Hinge()


def test_mse_with_several_outputs_trains_on_one_hot_rows_of_the_loss_object():
    y = Y_MOONS
    targets, task = nn.labels.read_labels(nn.losses.MSE(), y.astype(float), 2, "test")
    np.testing.assert_array_equal(targets, np.eye(2)[y])
    assert task.classes == (0.0, 1.0)


@pytest.mark.parametrize("y_bad, loss, message", [
    (2.0, "bce_with_logits", r"nn.fit: y\[37\] is 2.0; bce_with_logits needs two class labels or targets in \[0, 1\]"),
    (0.5, "hinge", r"nn.fit: y\[37\] is 0.5; the hinge loss needs two class labels"),
    (2.0, "hinge", r"nn.fit: y\[37\] is 2.0; the hinge loss needs two class labels"),
    (5.0, "cross_entropy", r"nn.fit: y\[37\] is 5.0, not one of the classes \(0, 1\)"),
])
def test_a_bad_label_late_in_the_data_is_found_before_the_first_step_by_its_row(y_bad, loss, message):
    y = Y_MOONS.astype(float)
    y[37] = y_bad
    model = nn.MLP(2, [4, 2 if loss == "cross_entropy" else 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=message):
        nn.fit(model, X_MOONS, y, loss=loss, batch_size=4, seed=0, progress=False)
    assert [p.data for p in model.parameters()] == before  # no step was taken


def test_an_optimiser_of_another_model_is_refused():
    model, other = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match="nn.fit: the optimiser holds 13 of its 13 parameters that are not this"):
        nn.fit(model, X_MOONS, Y_MOONS, optimizer=nn.SGD(other, lr=0.1), progress=False)
    nn.fit(model, X_MOONS, Y_MOONS, optimizer=nn.SGD(model.layers[-1], lr=0.1), steps=1, progress=False)  # a part


def test_accuracy_with_labels_from_another_label_set_is_an_error_not_a_wrong_number():
    model = nn.MLP(2, [4, 1], seed=0)
    nn.fit(model, X_MOONS, Y_MOONS, loss="hinge", steps=1, progress=False)  # trained on 0/1
    with pytest.raises(ValueError, match=r"nn.accuracy: y\[0\] is -1.0, not one of the classes \(0, 1\)"):
        nn.accuracy(model, X_MOONS, 2 * Y_MOONS - 1)  # Y_MOONS[0] is 0
