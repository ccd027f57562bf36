"""The lecture-note derivations that are about networks (D1, D2/D7, D6, D8, D10, D11).

Every expected value is computed independently: with numpy in matrix form, or with the
hand-derived formulas of /work/shared/derivations.md.
"""

import math

import numpy as np
import pytest

import autograd
import nn

RTOL = 1e-12


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


G = {  # activation g and its derivative g' written with numpy (D5)
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
}


# ---------------------------------------------------------------- D1: matrix form


def forward_notes(W, b, x, g):
    """The notes' convention: a^[0] = x, z^[l] = W^[l] a^[l-1] + b^[l], a^[l] = g(z^[l]), l = 1..L."""
    a, z = {0: x}, {}
    for l in range(1, len(W) + 1):
        z[l] = W[l] @ a[l - 1] + b[l]
        a[l] = g(z[l])
    return a, z


def backprop_notes(W, x, y, g, dg):
    """Matrix backprop for L = 1/2 ||a^[L] - y||^2: delta^[l] = dL/dz^[l], dL/dW^[l] = delta^[l] a^[l-1]^T."""
    a, z = forward_notes(W["W"], W["b"], x, g)
    L = len(W["W"])
    delta = {L: (a[L] - y) * dg(z[L])}
    for l in range(L, 1, -1):
        delta[l - 1] = (W["W"][l].T @ delta[l]) * dg(z[l - 1])
    return {l: np.outer(delta[l], a[l - 1]) for l in delta}, {l: delta[l] for l in delta}


def forward_ufldl(W, b, x, f):
    """UFLDL's convention: a^(1) = x, z^(l+1) = W^(l) a^(l) + b^(l), a^(l+1) = f(z^(l+1)); W^(l) maps l to l+1."""
    a, z = {1: x}, {}
    for l in range(1, len(W) + 1):
        z[l + 1] = W[l] @ a[l] + b[l]
        a[l + 1] = f(z[l + 1])
    return a, z


def backprop_ufldl(W, x, y, f, df):
    """UFLDL: delta^(nl) = -(y - a^(nl)) f'(z^(nl)), delta^(l) = (W^(l)^T delta^(l+1)) f'(z^(l)),
    grad W^(l) = delta^(l+1) a^(l)^T, grad b^(l) = delta^(l+1)."""
    a, z = forward_ufldl(W["W"], W["b"], x, f)
    nl = len(W["W"]) + 1
    delta = {nl: -(y - a[nl]) * df(z[nl])}
    for l in range(nl - 1, 1, -1):
        delta[l] = (W["W"][l].T @ delta[l + 1]) * df(z[l])
    return {l: np.outer(delta[l + 1], a[l]) for l in range(1, nl)}, {l: delta[l + 1] for l in range(1, nl)}


def random_network(sizes, rng):
    """Weights W[l] of shape (n_l, n_{l-1}) and biases b[l], indexed from 1."""
    return {"W": {l: rng.normal(size=(sizes[l], sizes[l - 1])) for l in range(1, len(sizes))},
            "b": {l: rng.normal(size=sizes[l]) for l in range(1, len(sizes))}}


def engine_gradients(model, x, y):
    """Forward the MLP of scalar Neurons and backprop L = 1/2 sum (a - y)^2 through the engine."""
    out = model(list(x))
    out = out if isinstance(out, list) else [out]
    loss = 0.5 * nn.mse(out, y, reduction="sum")
    model.zero_grad()
    loss.backward()
    grads_W = [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in model.layers]
    grads_b = [np.array([n.b.grad for n in layer.neurons]) for layer in model.layers]
    return np.array([o.data for o in out]), grads_W, grads_b


# the notes' shallow network (001): 4 inputs, 5 hidden, 3 outputs; UFLDL's (004): 3 inputs, 3 hidden, 1 output
NETWORKS = {"notes 4-5-3": [4, 5, 3], "UFLDL 3-3-1": [3, 3, 1]}


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
@pytest.mark.parametrize("net", NETWORKS)
@pytest.mark.parametrize("convention", ["notes", "ufldl"])
def test_D1_scalar_mlp_equals_matrix_forward_and_backprop(net, act, convention):
    sizes = NETWORKS[net]
    rng = np.random.default_rng(sum(sizes))
    g, dg = G[act]
    for _ in range(3):
        params = random_network(sizes, rng)
        x, y = rng.normal(size=sizes[0]), rng.uniform(size=sizes[-1])
        L = len(sizes) - 1
        layers = range(1, L + 1)
        model = nn.MLP.from_weights([params["W"][l] for l in layers], [params["b"][l] for l in layers],
                                    activation=act, output_activation=act)
        out, grads_W, grads_b = engine_gradients(model, x, y)
        if convention == "notes":  # W^[l] maps layer l-1 to layer l; the output is a^[L]
            a, _ = forward_notes(params["W"], params["b"], x, g)
            expected_out = a[L]
            dW, db = backprop_notes(params, x, y, g, dg)
        else:  # W^(l) maps layer l to layer l+1; the output is a^(L+1)
            a, _ = forward_ufldl(params["W"], params["b"], x, g)
            expected_out = a[L + 1]
            dW, db = backprop_ufldl(params, x, y, g, dg)
        np.testing.assert_allclose(out, expected_out, rtol=RTOL, atol=1e-15)
        for l in range(1, L + 1):  # either way, W^[l] = W^(l) is the model's layer l (layers[l - 1])
            np.testing.assert_allclose(grads_W[l - 1], dW[l], rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(grads_b[l - 1], db[l], rtol=1e-10, atol=1e-14)


def test_D1_layer_weights_are_the_rows_of_W():
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(5, 4)), rng.normal(size=5)
    layer = nn.Layer(4, 5, activation="linear")
    layer.set_weights(W, b.reshape(5, 1))  # the notes write b^[l] as a column
    W_back, b_back = layer.weights()
    np.testing.assert_array_equal(W_back, W)
    np.testing.assert_array_equal(b_back, b)
    x = rng.normal(size=4)
    np.testing.assert_allclose([v.data for v in layer(x)], W @ x + b, rtol=RTOL)


# ---------------------------------------------------------------- D2 network, D7 gradient descent


def test_D7_one_sgd_step_by_hand_on_the_D2_network():
    """One neuron per layer, L = (y - a2)^2: the gradients of D2, then W <- W - alpha dL/dW (D7)."""
    rng = np.random.default_rng(7)
    w1, b1, w2, b2 = rng.normal(size=4)
    a0, y, alpha = 0.8, 0.3, 0.5
    model = nn.MLP.from_weights([[[w1]], [[w2]]], [[b1], [b2]], activation="sigmoid", output_activation="sigmoid")
    z1 = w1 * a0 + b1
    a1 = sigmoid(z1)
    z2 = w2 * a1 + b2
    a2 = sigmoid(z2)
    s1, s2 = a1 * (1 - a1), a2 * (1 - a2)
    hand = {  # D2, with the sign 001 drops
        "w2": -2 * (y - a2) * s2 * a1,
        "b2": -2 * (y - a2) * s2,
        "w1": -2 * (y - a2) * s2 * w2 * s1 * a0,
        "b1": -2 * (y - a2) * s2 * w2 * s1,
    }
    loss = nn.mse(model([a0]), y)
    optimizer = nn.SGD(model.parameters(), lr=alpha)
    optimizer.zero_grad()
    loss.backward()
    assert loss.data == pytest.approx((y - a2) ** 2, rel=RTOL)
    n1, n2 = model.layers[0].neurons[0], model.layers[1].neurons[0]
    for p, name in [(n1.w[0], "w1"), (n1.b, "b1"), (n2.w[0], "w2"), (n2.b, "b2")]:
        assert p.grad == pytest.approx(hand[name], rel=1e-10)
    optimizer.step()
    for p, name, old in [(n1.w[0], "w1", w1), (n1.b, "b1", b1), (n2.w[0], "w2", w2), (n2.b, "b2", b2)]:
        assert p.data == pytest.approx(old - alpha * hand[name], rel=1e-12)


# ---------------------------------------------------------------- D6 and D10: cross-entropy


@pytest.mark.parametrize("z", [-1000.0, -30.0, -2.5, 0.0, 0.7, 40.0, 1000.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_D6_bce_gradient_is_a_minus_y_and_finite(z, y):
    logit = autograd.Value(z)
    loss = nn.bce_with_logits(logit, y)
    loss.backward()
    def sig(t):
        return 1 / (1 + math.exp(-t)) if t >= 0 else math.exp(t) / (1 + math.exp(t))

    a = sig(z)
    expected = np.logaddexp(0.0, -z) if y == 1.0 else np.logaddexp(0.0, z)  # -log a = log(1 + e^-z), -log(1 - a)
    a_minus_y = a if y == 0.0 else -sig(-z)  # 1 - a = sigma(-z), without rounding a to 1
    assert math.isfinite(loss.data) and loss.data == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert logit.grad == pytest.approx(a_minus_y, rel=1e-12, abs=1e-300)
    # the same loss on probabilities: clamped at eps, finite, and dL/dz = a - y where a is not saturated
    zp = autograd.Value(z)
    prob_loss = nn.bce(zp.sigmoid(), y)
    prob_loss.backward()
    assert math.isfinite(prob_loss.data)
    assert prob_loss.data <= 100.0 + 1e-9  # each log term is clamped at -100
    if abs(z) <= 30 and not (y == 0.0 and z < -20):  # 1 - a rounds to 1 there: only ~1e-3 relative accuracy
        assert prob_loss.data == pytest.approx(expected, rel=1e-9)
        assert zp.grad == pytest.approx(a - y, rel=1e-9, abs=1e-15)


def test_D10_two_outputs_summed_bce_gradient_is_a_minus_y_per_output():
    rng = np.random.default_rng(10)
    W1, b1, W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=2)
    x, y = rng.normal(size=3), np.array([1.0, 0.0])
    model = nn.MLP.from_weights([W1, W2], [b1, b2], activation="tanh", output_activation="sigmoid")
    out = model(x)
    loss = nn.bce(out, y, reduction="sum")
    model.zero_grad()
    loss.backward()
    h = np.tanh(W1 @ x + b1)
    a = sigmoid(W2 @ h + b2)
    expected_loss = -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))
    assert loss.data == pytest.approx(expected_loss, rel=1e-12)
    pre_activations = [o.parents[0] for o in out]  # z_k, the input of each output's sigmoid
    np.testing.assert_allclose(autograd.gradients(loss, pre_activations), a - y, rtol=1e-12)
    grads_W2 = np.array([[w.grad for w in n.w] for n in model.layers[1].neurons])
    np.testing.assert_allclose(grads_W2, np.outer(a - y, h), rtol=1e-10)
    delta1 = (W2.T @ (a - y)) * (1 - h**2)
    grads_W1 = np.array([[w.grad for w in n.w] for n in model.layers[0].neurons])
    np.testing.assert_allclose(grads_W1, np.outer(delta1, x), rtol=1e-10)
    # the logits form on a linear output gives the same gradients
    logits_model = nn.MLP.from_weights([W1, W2], [b1, b2], activation="tanh")
    logits_loss = nn.bce_with_logits(logits_model(x), y, reduction="sum")
    logits_loss.backward()
    assert logits_loss.data == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose([[w.grad for w in n.w] for n in logits_model.layers[1].neurons], grads_W2, rtol=1e-10)


# ---------------------------------------------------------------- D8: symmetry and initialisation


def hidden_weights(model):
    return [[w.data for w in n.w] + [n.b.data] for n in model.layers[0].neurons]


def test_D8_equal_initial_weights_get_equal_gradients_and_stay_equal():
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 2, size=20)
    model = nn.MLP(3, [4, 1], activation="tanh", seed=8)
    first, second = model.layers[0].neurons[0], model.layers[0].neurons[1]
    for w0, w1 in zip(first.w, second.w, strict=True):  # neuron 1 starts as a copy of neuron 0 ...
        w1.data = w0.data
    out = model.layers[1].neurons[0]
    out.w[1].data = out.w[0].data  # ... and feeds the output with the same weight
    optimizer = nn.SGD(model, lr=0.1)
    for _ in range(5):
        loss = nn.hinge([model(x) for x in X], y)
        optimizer.zero_grad()
        loss.backward()
        assert [w.grad for w in first.w] == [w.grad for w in second.w]
        assert first.b.grad == second.b.grad and first.w[0].grad != 0.0
        optimizer.step()
    assert hidden_weights(model)[0] == hidden_weights(model)[1]


def test_D8_constant_init_keeps_a_whole_layer_identical():
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(10, 2)), rng.normal(size=10)
    model = nn.MLP(2, [5, 1], activation="tanh", init=nn.init.constant(0.3))
    nn.fit(model, X, y, loss="mse", steps=5, optimizer=nn.SGD(model, lr=0.05), progress=False)
    rows = hidden_weights(model)
    assert all(row == rows[0] for row in rows)
    assert rows[0][:2] != [0.3, 0.3]  # they did train, in lockstep


def _sample_variance_within_error(w, variance, fourth_moment):
    """|s^2 - sigma^2| below 5 standard errors, with Var(s^2) ~ (mu_4 - sigma^4) / N."""
    w = np.asarray(w).ravel()
    error = math.sqrt((fourth_moment - variance**2) / w.size)
    assert abs(w.var(ddof=1) - variance) < 5 * error
    assert abs(w.mean()) < 5 * math.sqrt(variance / w.size)


@pytest.mark.parametrize("n_in, n_out", [(300, 500), (784, 10)])
def test_D8_xavier_normal_variance_is_2_over_fan_in_plus_fan_out(n_in, n_out):
    var = 2.0 / (n_in + n_out)  # the variance, not the standard deviation
    w = nn.init.xavier_normal(n_in, n_out, np.random.default_rng(0))
    assert w.shape == (n_out, n_in)
    _sample_variance_within_error(w, var, 3 * var**2)  # normal: mu_4 = 3 sigma^4


def test_D8_xavier_through_a_layer_of_neurons():
    layer = nn.Layer(200, 300, init="xavier_normal", seed=3)
    W, b = layer.weights()
    var = 2.0 / 500
    _sample_variance_within_error(W, var, 3 * var**2)
    assert np.all(b == 0.0)


def test_D8_other_initialisers_have_their_variances():
    rng = np.random.default_rng(4)
    a = math.sqrt(6 / 700)
    w = nn.init.xavier_uniform(300, 400, rng)
    assert np.all(np.abs(w) <= a)
    _sample_variance_within_error(w, a * a / 3, a**4 / 5)  # uniform on [-a, a]: mu_4 = a^4 / 5
    w = nn.init.he_normal(300, 400, rng)
    _sample_variance_within_error(w, 2 / 300, 3 * (2 / 300) ** 2)
    w = nn.init.INITIALIZERS["uniform"](300, 400, rng)  # the notes' U[-0.1, 0.1]
    assert np.all(np.abs(w) <= 0.1)
    _sample_variance_within_error(w, 0.01 / 3, 0.1**4 / 5)
    w = nn.init.INITIALIZERS["micrograd"](300, 400, rng)  # micrograd's U[-1, 1]
    assert np.all(np.abs(w) <= 1.0)
    _sample_variance_within_error(w, 1 / 3, 1 / 5)


# ---------------------------------------------------------------- D11: the neuron definition

RHO = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "leaky_relu": lambda z: np.where(z >= 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "linear": lambda z: z,
}


@pytest.mark.parametrize("act", list(RHO))
def test_D11_neuron_is_rho_of_weighted_sum_plus_bias(act):
    rng = np.random.default_rng(11)
    for _ in range(5):
        w, b, x = rng.normal(size=4), rng.normal(), rng.normal(size=4)
        neuron = nn.Neuron(4, activation=act, weights=w, bias=b)
        assert neuron(x).data == pytest.approx(RHO[act](np.sum(x * w) + b), rel=RTOL, abs=1e-15)
        # 001's other form rho(<x, w> - b'): the same family, with b' = -b
        assert neuron(x).data == pytest.approx(RHO[act](np.dot(x, w) - (-b)), rel=RTOL, abs=1e-15)


def test_D11_deep_network_is_affine_maps_and_rho_with_an_affine_last_layer():
    rng = np.random.default_rng(12)
    sizes = [3, 6, 5, 2]
    T = [(rng.normal(size=(sizes[i + 1], sizes[i])), rng.normal(size=sizes[i + 1])) for i in range(3)]
    model = nn.MLP(3, sizes[1:], seed=0)  # default: relu hidden, last layer affine (no activation)
    for layer, (W, b) in zip(model.layers, T, strict=True):
        layer.set_weights(W, b)
    x = rng.normal(size=3)
    phi = x
    for i, (W, b) in enumerate(T):
        phi = W @ phi + b
        if i < len(T) - 1:
            phi = np.maximum(phi, 0.0)
    np.testing.assert_allclose([v.data for v in model(x)], phi, rtol=RTOL)
