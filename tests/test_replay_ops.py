"""The replay (autograd.compile) against the eager engine, op by op, kinks included (D5)."""

import math

import numpy as np
import pytest
from replay_helpers import assert_matches, eager

import autograd
import nn
from autograd import Value

# each op applied to an input x (a placeholder) and a parameter w, so both sides get gradients
OPS = {
    "add": lambda x, w: x + w,
    "add_constant": lambda x, w: x + 1.5 + w,
    "sub": lambda x, w: x - w,
    "sub_constant": lambda x, w: w * x - 0.25,
    "rsub": lambda x, w: 2.0 - x * w,
    "mul": lambda x, w: x * w,
    "mul_constant": lambda x, w: 3.0 * (x + w),
    "div": lambda x, w: x / (w * w + 1.0),
    "div_constant": lambda x, w: (x * w) / 4.0,
    "rdiv": lambda x, w: 1.0 / (x * x + w * w + 0.5),
    "neg": lambda x, w: -(x * w),
    "pow_integer": lambda x, w: (x + w) ** 3,
    "pow_fraction": lambda x, w: (x * x + w * w + 0.1) ** 1.5,
    "pow_negative": lambda x, w: (x * x + 1.0) ** -2 * w,
    "powv": lambda x, w: (x * x + 0.5) ** w,
    "rpow": lambda x, w: 2.0 ** (x * w),
    "exp": lambda x, w: (x * w).exp(),
    "log": lambda x, w: (x * x + w * w + 0.1).log(),
    "sqrt": lambda x, w: (x * x + w * w + 0.1).sqrt(),
    "abs": lambda x, w: abs(x * w),
    "tanh": lambda x, w: (x * w).tanh(),
    "sigmoid": lambda x, w: (x * w).sigmoid(),
    "relu": lambda x, w: (x * w).relu(),
    "leaky_relu": lambda x, w: (x * w).leaky_relu(0.1),
    "elu": lambda x, w: (x * w).elu(0.7),
    "softplus": lambda x, w: (x * w).softplus(),
}

# inputs include 0, so every kink of relu, leaky_relu, elu and abs is hit exactly
X = np.array([[-2.5], [-1.0], [-0.3], [0.0], [0.4], [1.0], [2.2]])


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_matches_eager(name):
    op = OPS[name]
    w = Value(0.8, label="w")
    f = autograd.compile(lambda v: op(v[0], w), 1, [w])
    out, grads = f.value_and_grad(X)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(lambda v: op(v[0], w), X, [w])
    assert_matches(out, ref_out[:, 0], out_sizes[:, 0], "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_with_a_weighted_seed(name):
    op = OPS[name]
    w = Value(-0.6, label="w")
    seed = np.linspace(-1.0, 2.0, len(X))
    f = autograd.compile(lambda v: op(v[0], w), 1, [w])
    _, grads = f.value_and_grad(X, seed)
    _, ref_grads, (_, grad_sizes, _) = eager(lambda v: op(v[0], w), X, [w], seed)
    assert_matches(grads, ref_grads, grad_sizes, "gradients")


# derivatives at the kink z = 0 (D5): ReLU'(0) = 0, leaky ReLU'(0) = 1, ELU'(0) = alpha, |z|'(0) = 0
KINKS = [
    ("relu", lambda z: z.relu(), 0.0),
    ("leaky_relu", lambda z: z.leaky_relu(0.2), 1.0),
    ("elu", lambda z: z.elu(0.7), 0.7),
    ("abs", lambda z: abs(z), 0.0),
]


@pytest.mark.parametrize("name,act,slope", KINKS)
def test_kinks_at_zero_follow_the_conventions(name, act, slope):
    # z = w * x + b is exactly 0 on every example; dz/db = 1, so d act/db = act'(0) per example
    w, b = Value(2.0), Value(0.0)
    X0 = np.array([[0.0], [0.0], [0.0]])
    f = autograd.compile(lambda v: act(w * v[0] + b), 1, [w, b])
    out, (dw, db) = f.value_and_grad(X0)
    assert out.tolist() == [0.0, 0.0, 0.0]
    assert db == 3 * slope
    assert dw == 0.0  # dz/dw = x = 0


@pytest.mark.parametrize("name,act,_slope", KINKS)
def test_piecewise_sides_of_the_kink(name, act, _slope):
    # on either side of 0 the derivative is the branch's own (D5), checked by hand formulas
    alpha = {"leaky_relu": 0.2, "elu": 0.7}.get(name, 0.0)
    b = Value(0.0)
    X1 = np.array([[-1.5], [-1e-300], [1e-300], [0.7]])
    f = autograd.compile(lambda v: act(v[0] + b), 1, [b])
    out, (db,) = f.value_and_grad(X1)
    z = X1[:, 0]
    slopes = {
        "relu": np.where(z > 0, 1.0, 0.0),
        "leaky_relu": np.where(z >= 0, 1.0, alpha),
        "elu": np.where(z > 0, 1.0, alpha * np.exp(z)),
        "abs": np.sign(z),
    }[name]
    values = {
        "relu": np.maximum(z, 0.0),
        "leaky_relu": np.where(z >= 0, z, alpha * z),
        "elu": np.where(z > 0, z, [alpha * math.expm1(t) for t in z]),
        "abs": np.abs(z),
    }[name]
    assert_matches(out, values, what="values")
    assert_matches(db, slopes.sum(), 1.0, "d/db")


def test_several_outputs_and_seeds():
    w = [Value(0.3), Value(-1.2), Value(0.5)]
    fn = lambda v: [(v[0] * w[0] + v[1] * w[1]).tanh(), (v[1] * w[2]).exp() - v[0], w[0] * w[1]]
    X2 = np.array([[0.1, -0.4], [1.5, 0.2], [0.0, 0.0]])
    seed = np.array([[1.0, 0.5, -2.0], [0.25, -1.0, 1.0], [2.0, 0.0, 3.0]])
    f = autograd.compile(fn, 2, w)
    out, grads = f.value_and_grad(X2, seed)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(fn, X2, w, seed)
    assert out.shape == (3, 3)
    assert_matches(out, ref_out, out_sizes, "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")


def test_gradient_of_a_neuron_by_hand():
    # tanh(w1 x1 + w2 x2 + b): d/dw_i = sum_b (1 - out_b^2) x_bi, d/db = sum_b (1 - out_b^2)  (D3, D5)
    w1, w2, b = Value(0.4), Value(-0.7), Value(0.1)
    f = autograd.compile(lambda v: (b + w1 * v[0] + w2 * v[1]).tanh(), 2, [w1, w2, b])
    X3 = np.array([[1.0, 2.0], [-0.5, 0.25], [3.0, -1.0]])
    out, grads = f.value_and_grad(X3)
    expected = np.tanh(0.1 + 0.4 * X3[:, 0] - 0.7 * X3[:, 1])
    local = 1.0 - expected**2
    assert_matches(out, expected, 1.0, "outputs")
    assert_matches(grads, [np.sum(local * X3[:, 0]), np.sum(local * X3[:, 1]), np.sum(local)], 3.0, "gradients")


# ---------------------------------------------------------------- the comparison itself is tight


def perturbed(a, k, relative=1e-10):
    a = np.array(a, dtype=float)
    a.flat[k] *= 1.0 + relative
    return a


@pytest.mark.parametrize("name", sorted(OPS))
def test_an_error_of_1e10_relative_is_caught(name):
    # the allowance is per element (no "largest number anywhere"), so a replay off by 1e-10 fails
    op = OPS[name]
    w = Value(0.8, label="w")
    out, grads = autograd.compile(lambda v: op(v[0], w), 1, [w]).value_and_grad(X)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(lambda v: op(v[0], w), X, [w])
    with pytest.raises(AssertionError):
        assert_matches(perturbed(grads, 0), ref_grads, grad_sizes, "gradients")
    for k in np.flatnonzero(out):
        with pytest.raises(AssertionError):
            assert_matches(perturbed(out, k), ref_out[:, 0], out_sizes[:, 0], "outputs")


def test_an_error_of_1e10_relative_in_any_gradient_of_a_network_is_caught():
    model = nn.MLP(3, [4, 4, 1], seed=1)
    params = model.parameters()
    X3 = np.random.default_rng(4).normal(size=(16, 3))
    out, grads = autograd.compile(model, 3, params).value_and_grad(X3)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(model, X3, params)
    assert_matches(out, ref_out[:, 0], out_sizes[:, 0], "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")
    alive = np.flatnonzero(ref_grads)  # a dead ReLU's weights have gradient 0: nothing to perturb
    assert len(alive) > len(params) // 2
    for k in alive:
        with pytest.raises(AssertionError):
            assert_matches(perturbed(grads, k), ref_grads, grad_sizes, f"gradient {k}")
