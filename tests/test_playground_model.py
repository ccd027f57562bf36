"""The playground's model side without a browser: every control, training, pictures, the chain rule.

References: hand formulas, PyTorch running the same SGD step, the network's own Values at probed
points, central differences, and autograd.gradients on the loss recorded from scratch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from viz.interactive.playground_chain import chain_view, loss_graph, nearest_example
from viz.interactive.playground_data import FEATURES, features
from viz.interactive.playground_session import Session, Settings


def small(**changes) -> Session:
    return Session(Settings(samples=40, **changes))


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spirals", "blobs"])
def test_each_classification_data_set_and_its_noise(name):
    quiet, noisy = small(dataset=name, noise=0.0), small(dataset=name, noise=0.3)
    assert quiet.X.shape == (40, 2) and set(quiet.t) == {-1.0, 1.0}
    assert not np.allclose(quiet.X, noisy.X)
    if name == "circles":  # radius 1 outside (class 0), 0.5 inside, exactly, with no noise
        radius = np.hypot(quiet.X[:, 0], quiet.X[:, 1])
        assert radius == pytest.approx(np.where(quiet.t > 0, 0.5, 1.0))


def test_regression_data_sets_and_a_linear_output():
    s = small(dataset="plane", problem="regression", noise=0.0)
    assert s.t == pytest.approx((s.X[:, 0] + s.X[:, 1]) / 4)
    assert s.model.layers[-1].activation == "linear" and s.accuracy(s.train_rows) is None
    g = small(dataset="gaussians", problem="regression", noise=0.0)
    a, b = g.X[0]
    bumps = [(1, 1, 1), (-1, -1, 1), (1, -1, -1), (-1, 1, -1)]
    assert g.t[0] == pytest.approx(
        sum(sg * math.exp(-((a - p) ** 2 + (b - q) ** 2) / 2) for p, q, sg in bumps)
    )
    assert small().model.layers[-1].activation == "tanh"
    with pytest.raises(ValueError, match="for regression"):
        Settings(dataset="plane").checked()


def test_the_users_own_data():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.2, 0.9]])
    s = Session(X=X, y=[0, 0, 1, 1, 0, 1])
    assert s.settings.dataset == "user" and s.t.tolist() == [-1, -1, 1, 1, -1, 1]
    with pytest.raises(ValueError, match="2 coordinates"):
        Session(X=np.ones((4, 3)), y=[0, 1, 0, 1])
    with pytest.raises(ValueError, match="two classes"):
        Session(X=X, y=[0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="X has a NaN"):
        Session(X=np.where(X == 1.0, np.nan, X), y=[0, 0, 1, 1, 0, 1])
    with pytest.raises(ValueError, match="y has a NaN"):
        Session(Settings(dataset="user", problem="regression"), X=X, y=[0, 0, 1, np.inf, 0, 1])


def test_train_fraction_and_batch_size():
    s = small(train_fraction=0.7, batch_size=4)
    assert len(s.train_rows) == 28 and len(s.test_rows) == 12
    assert set(s.train_rows) | set(s.test_rows) == set(range(40)) and not set(s.train_rows) & set(
        s.test_rows
    )
    s.epoch()
    assert s.steps == 7 and s.epochs == 1  # ceil(28 / 4) updates in one epoch
    s.update(batch_size=28)
    s.epoch()
    assert (
        s.steps == 8 and len(s.history["train"]) == 3
    )  # the batch size applies from the next step


def test_input_features_are_the_formulas():
    x = np.array([[0.3, -1.2]])
    values = features(x, list(FEATURES))[0]
    assert values == pytest.approx([0.3, -1.2, 0.09, 1.44, -0.36, math.sin(0.3), math.sin(-1.2)])
    s = small(features=("x1^2", "sin(x2)"))
    assert s.model.nin == 2 and s.F[:, 0] == pytest.approx(s.X[:, 0] ** 2)


def test_layers_neurons_activation_and_fan_in_init():
    s = small(hidden=(3,), activation="relu")
    assert s.model.nouts == [3, 1]
    s.update(hidden=(3, 5, 2))  # the + buttons: a layer, and neurons
    assert s.model.nouts == [3, 5, 2, 1]
    W = s.model.layers[1].weights()[0]
    assert W.std() < 1.5 * math.sqrt(
        2 / 3
    )  # He: std sqrt(2 / fan_in), not micrograd's U[-1, 1] alone
    s.update(activation="tanh")
    bound = math.sqrt(6 / (3 + 5))  # Xavier uniform: |w| <= sqrt(6 / (fan_in + fan_out))
    assert np.all(np.abs(s.model.layers[1].weights()[0]) <= bound)
    assert s.model.layers[0].activation == "tanh" and s.epochs == 0
    with pytest.raises(ValueError, match="hidden must be at most 6 layers"):
        s.update(hidden=(1,) * 7)


@pytest.mark.parametrize("regularization", ["none", "L1", "L2"])
def test_one_step_is_sgd_on_mse_plus_the_penalty_as_pytorch_computes_it(regularization):
    torch = pytest.importorskip("torch")
    s = small(regularization=regularization, reg_rate=0.1, lr=0.3, activation="tanh")
    rows = s.train_rows[:5]
    params = [torch.tensor(layer.weights()[0], requires_grad=True) for layer in s.model.layers]
    biases = [torch.tensor(layer.weights()[1], requires_grad=True) for layer in s.model.layers]
    a = torch.tensor(s.F[rows])
    for W, b in zip(params, biases):
        a = torch.tanh(a @ W.T + b)
    loss = ((a[:, 0] - torch.tensor(s.t[rows])) ** 2).mean()
    if regularization == "L1":
        loss = loss + 0.1 * sum(W.abs().sum() for W in params)
    elif regularization == "L2":
        loss = loss + 0.1 * 0.5 * sum((W * W).sum() for W in params)
    loss.backward()
    assert s.step(rows) == pytest.approx(loss.item(), rel=1e-12)
    for layer, W, b in zip(s.model.layers, params, biases):
        assert layer.weights()[0] == pytest.approx((W - 0.3 * W.grad).detach().numpy(), rel=1e-10)
        assert layer.weights()[1] == pytest.approx((b - 0.3 * b.grad).detach().numpy(), rel=1e-10)


def test_learning_rate_changes_the_step_and_training_lowers_both_losses():
    s = small(lr=0.1)
    s.update(lr=0.2)
    assert s.optimizer.lr == 0.2 and s.epochs == 0
    s.epoch(40)
    assert s.epochs == 40 and len(s.history["test"]) == 41
    assert s.history["train"][-1] < 0.6 * s.history["train"][0]
    assert s.history["test"][-1] < s.history["test"][0]
    assert s.history["train"][-1] == pytest.approx(
        np.mean([(s.model(s.F[i].tolist()).data - s.t[i]) ** 2 for i in s.train_rows])
    )
    s.reset()
    assert s.epochs == 0 and len(s.history["train"]) == 1


def test_a_too_large_learning_rate_is_reported():
    s = small(dataset="plane", problem="regression", lr=50.0, activation="linear", hidden=(8, 8))
    with pytest.raises(ArithmeticError, match="learning rate 50 is too large"):
        s.epoch(20)


def test_each_neurons_heat_map_is_its_output_at_the_grid_points():
    s = small(hidden=(3, 2), features=("x1", "x2", "x1*x2"))
    s.epoch(3)
    pictures = s.pictures(resolution=7)
    n = pictures["n"]
    for k in (0, 17, 48):
        x1 = pictures["x0"] + (pictures["x1"] - pictures["x0"]) * (k % n) / (n - 1)
        x2 = pictures["y0"] + (pictures["y1"] - pictures["y0"]) * (k // n) / (n - 1)
        a = [x1, x2, x1 * x2]
        for layer_index, layer in enumerate(s.model.layers):
            a = [neuron(a).data for neuron in layer.neurons]
            assert pictures["layers"][layer_index + 1][0][k] == pytest.approx(a[0], abs=1e-4)
        assert pictures["layers"][-1][0][k] == pytest.approx(
            s.model([x1, x2, x1 * x2]).data, abs=1e-4
        )


def test_weights_and_points():
    s = small()
    w = s.weights()
    assert w[0]["W"][1][0] == s.model.layers[0].neurons[1].w[0].data
    assert sum(p[3] for p in s.points()) == len(s.test_rows)


@pytest.mark.parametrize("layer, index", [(0, 1), (1, 0), (2, 0)])
def test_a_neurons_graph_is_backward_from_the_loss(layer, index):
    s = small(hidden=(3, 2))
    s.epoch(2)
    loss, params = loss_graph(s, 4, layer, index)
    row = s.train_rows[4]
    expected = (s.model(s.F[row].tolist()) - float(s.t[row])) ** 2  # the loss recorded from scratch
    assert loss.data == pytest.approx(expected.data)
    view = chain_view(s, 4, {"kind": "neuron", "layer": layer, "index": index})
    nodes = view["graph"]["nodes"]
    assert (
        nodes[view["graph"]["output"]]["name"] == "loss"
        and nodes[view["graph"]["output"]]["grad"] == 1.0
    )
    by_name = {node["name"]: node for node in nodes.values()}
    reference = autograd.gradients(expected, params)
    for p, g in zip(params, reference):
        assert by_name[p.label]["grad"] == pytest.approx(g, rel=1e-9, abs=1e-12)
    assert (
        "<svg" in view["svg"]
        and nodes[view["focus"]]["name"] == s.model.layers[layer].neurons[index].name
    )


def test_a_weights_batch_gradient_and_this_examples_share():
    s = small(hidden=(3,), regularization="L2", reg_rate=0.05)
    view = chain_view(s, 2, {"kind": "weight", "layer": 1, "index": 0, "input": 1})
    w = s.model.layers[1].neurons[0].w[1]
    assert view["focusName"] == w.label
    h, start = 1e-6, w.data
    w.data = start + h
    up = s.batch_loss(s.train_rows).data
    w.data = start - h
    down = s.batch_loss(s.train_rows).data
    w.data = start
    assert view["gradients"]["batch"] == pytest.approx((up - down) / (2 * h), rel=1e-5)
    share = view["graph"]["nodes"][view["focus"]]["grad"] / len(s.train_rows)
    assert view["gradients"]["example"] == pytest.approx(share)


def test_the_chain_refuses_what_is_not_there():
    s = small()
    with pytest.raises(ValueError, match="no neuron"):
        loss_graph(s, 0, 5, 0)
    with pytest.raises(ValueError, match="no training example 999"):
        loss_graph(s, 999, 0, 0)
    big = small(hidden=(8, 8, 8, 8), features=("x1", "x2", "x1^2", "x2^2"))
    # the neuron (4 inputs, 4 weights, 4 products, 4 sums, bias, tanh: 18), its layer's 7 others,
    # 3 layers of 8 neurons of 8 inputs (26 nodes each), the output neuron (26), t, minus, square
    with pytest.raises(ValueError, match="to the loss has 678 nodes, more than 300"):
        chain_view(big, 0, {"kind": "neuron", "layer": 0, "index": 0})
    assert chain_view(big, 0, {"kind": "neuron", "layer": 3, "index": 0}, svg=False)["graph"]
    x1, x2 = s.X[s.train_rows[7]]
    assert nearest_example(s, x1 + 1e-9, x2) == 7
