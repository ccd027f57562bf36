"""The engine against the hand-derived derivatives D2..D6 of docs/derivations.md.

Each test draws several random points and compares backward() with the closed-form
formula, written out independently in plain Python, to 1e-10.
"""

import math
import random

import pytest

from autograd import Value

POINTS = 8
TOL = 1e-10


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def dsigma(z: float) -> float:
    return sigma(z) * (1.0 - sigma(z))


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(b))


@pytest.mark.parametrize("seed", range(POINTS))
def test_d2_one_neuron_per_layer_squared_error(seed):
    rng = random.Random(seed)
    a0, y, w1, b1, w2, b2 = (rng.uniform(-2, 2) for _ in range(6))
    W1, B1, W2, B2 = Value(w1), Value(b1), Value(w2), Value(b2)
    a1 = (W1 * a0 + B1).sigmoid()
    a2 = (W2 * a1 + B2).sigmoid()
    loss = (y - a2) ** 2
    loss.backward()

    z1 = w1 * a0 + b1
    z2 = w2 * sigma(z1) + b2
    dl_da2 = -2 * (y - sigma(z2))  # the notes (001) drop this minus sign
    assert close(a2.grad, dl_da2)
    assert close(W2.grad, dl_da2 * dsigma(z2) * sigma(z1))
    assert close(B2.grad, dl_da2 * dsigma(z2))
    assert close(W1.grad, dl_da2 * dsigma(z2) * w2 * dsigma(z1) * a0)
    assert close(B1.grad, dl_da2 * dsigma(z2) * w2 * dsigma(z1))


def test_d2_the_slip_in_the_notes_is_a_slip():
    # 001 writes dL/da2 = 2(y - a2); the engine gives the opposite sign whenever y != a2.
    a2 = Value(0.3)
    loss = (0.9 - a2) ** 2
    loss.backward()
    assert a2.grad == pytest.approx(-2 * (0.9 - 0.3))
    assert a2.grad != pytest.approx(2 * (0.9 - 0.3))


ACTIVATIONS = {
    # name: (engine method, f, f')
    "sigmoid": (lambda v: v.sigmoid(), sigma, dsigma),
    "tanh": (lambda v: v.tanh(), math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda v: v.relu(), lambda z: max(0.0, z), lambda z: 1.0 if z > 0 else 0.0),
    "elu": (lambda v: v.elu(), lambda z: z if z > 0 else math.expm1(z), lambda z: 1.0 if z > 0 else math.exp(z)),
}


@pytest.mark.parametrize("s1", ACTIVATIONS)
@pytest.mark.parametrize("s2", ACTIVATIONS)
def test_d3_two_scalar_layers_any_activations(s1, s2):
    act1, f1, d1 = ACTIVATIONS[s1]
    act2, f2, d2 = ACTIVATIONS[s2]
    rng = random.Random(f"{s1}-{s2}")
    for _ in range(POINTS):
        x, w1, b1, w2, b2 = (rng.uniform(-2, 2) for _ in range(5))
        W1 = Value(w1)
        f = act2(Value(w2) * act1(W1 * x + b1) + b2)
        f.backward()
        inner = w1 * x + b1
        expected = d2(w2 * f1(inner) + b2) * w2 * d1(inner) * x
        assert close(W1.grad, expected), (s1, s2, x, w1, b1, w2, b2)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("depth", [1, 2, 5, 12, 30])
def test_d4_deep_scalar_chain(name, depth):
    act, f, df = ACTIVATIONS[name]
    rng = random.Random(depth)
    for _ in range(3):
        x = rng.uniform(0.1, 1.0)  # positive input and weights keep ReLU chains alive
        ws = [rng.uniform(0.2, 1.0) for _ in range(depth)]
        bs = [rng.uniform(0.0, 0.5) for _ in range(depth)]
        W = [Value(w) for w in ws]
        a = x
        for w, b in zip(W, bs):
            a = act(w * a + b)
        a.backward()
        # closed form: [prod_{l>=2} w_l] [prod_l s'(z_l)] x
        zs, a_ = [], x
        for w, b in zip(ws, bs):
            zs.append(w * a_ + b)
            a_ = f(zs[-1])
        expected = math.prod(ws[1:]) * math.prod(df(z) for z in zs) * x
        assert close(W[0].grad, expected)


def test_d4_sigmoid_gradients_vanish_geometrically():
    # with |w| <= 1 each sigmoid layer multiplies |df/dw1| by at most 1/4
    previous = None
    for depth in range(1, 15):
        w1 = Value(1.0)
        a = (w1 * 0.5).sigmoid()
        for _ in range(depth - 1):
            a = (a * 1.0).sigmoid()
        a.backward()
        if previous is not None:
            assert abs(w1.grad) <= previous / 4 + 1e-18
        previous = abs(w1.grad)
    assert previous < 1e-8


D5 = {
    # name: (engine, derivative by the notes' formula)
    "sigmoid": (lambda v: v.sigmoid(), lambda z: sigma(z) * (1 - sigma(z))),
    "tanh": (lambda v: v.tanh(), lambda z: 1 - ((math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z))) ** 2),
    "relu": (lambda v: v.relu(), lambda z: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), lambda z: 0.1 if z < 0 else 1.0),
    "elu": (lambda v: v.elu(0.7), lambda z: 0.7 * math.exp(z) if z <= 0 else 1.0),
    "softplus": (lambda v: v.softplus(), lambda z: sigma(z)),
    "linear": (lambda v: v * 1.0, lambda z: 1.0),
}


@pytest.mark.parametrize("name", D5)
def test_d5_activation_derivatives(name):
    act, derivative = D5[name]
    rng = random.Random(name)
    for _ in range(POINTS):
        z = rng.uniform(-4, 4)
        x = Value(z)
        act(x).backward()
        assert close(x.grad, derivative(z)), (name, z)


def test_d5_activation_values():
    for z in (-2.5, -0.3, 0.0, 0.4, 3.0):
        assert Value(z).relu().data == max(0.0, z)
        assert Value(z).leaky_relu(0.2).data == (z if z >= 0 else 0.2 * z)
        assert close(Value(z).elu(1.5).data, z if z > 0 else 1.5 * (math.exp(z) - 1))
        assert close(Value(z).tanh().data, (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z)))
        assert close(Value(z).sigmoid().data, 1 / (1 + math.exp(-z)))
        assert close(Value(z).softplus().data, math.log(1 + math.exp(z)))


def test_d5_kink_conventions_exactly_at_zero():
    cases = {
        "relu": (lambda v: v.relu(), 0.0),
        "leaky_relu": (lambda v: v.leaky_relu(0.05), 1.0),
        "elu": (lambda v: v.elu(0.3), 0.3),
        "abs": (lambda v: abs(v), 0.0),
    }
    for name, (act, expected) in cases.items():
        x = Value(0.0)
        act(x).backward()
        assert x.grad == expected, name


def test_d5_stack_of_linear_layers_collapses():
    # three linear scalar layers equal one affine map w3 w2 w1 x + (w3 w2 b1 + w3 b2 + b3), D5 (002)
    rng = random.Random(5)
    w1, b1, w2, b2, w3, b3 = (rng.uniform(-2, 2) for _ in range(6))
    for x in (-1.0, 0.25, 2.0):
        X = Value(x)
        out = Value(w3) * (Value(w2) * (Value(w1) * X + b1) + b2) + b3
        out.backward()
        assert close(out.data, w3 * w2 * w1 * x + (w3 * w2 * b1 + w3 * b2 + b3))
        assert close(X.grad, w3 * w2 * w1)


@pytest.mark.parametrize("seed", range(POINTS))
def test_d6_bce_with_sigmoid_gives_a_minus_y(seed):
    rng = random.Random(seed)
    z0 = rng.uniform(-5, 5)
    y = float(rng.random() < 0.5) if seed % 2 else rng.random()
    z = Value(z0)
    a = z.sigmoid()
    loss = -(y * a.log() + (1 - y) * (1 - a).log())
    loss.backward()
    assert close(z.grad, sigma(z0) - y)
