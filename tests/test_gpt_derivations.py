"""The derivations behind the GPT (D12-D15 of docs/derivations.md): each hand formula, written with
numpy, against the engine's gradients through nn.gpt's own functions, at several random points."""

import numpy as np
import pytest

from autograd import Value
from nn.gpt import attention, nll, rmsnorm, softmax

TOL = 1e-12
SEEDS = range(5)


def values(a):
    return [Value(float(v)) for v in a]


def grads(vs):
    return np.array([v.grad for v in vs])


@pytest.mark.parametrize("seed", SEEDS)
def test_D12_softmax_jacobian_is_p_i_times_delta_minus_p_j(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, size=6)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    jacobian = np.diag(p) - np.outer(p, p)  # dp_i/dz_j = p_i (delta_ij - p_j)
    for i in range(len(z)):
        zs = values(z)
        out = softmax(zs)
        assert out[i].data == pytest.approx(p[i], rel=TOL)
        out[i].backward()
        np.testing.assert_allclose(grads(zs), jacobian[i], rtol=0, atol=TOL)


def test_D12_subtracting_the_max_changes_nothing_and_needs_no_gradient():
    z = values([1000.0, 998.0, -3.0])  # e^1000 overflows without the shift
    p = softmax(z)
    e = np.exp(np.array([0.0, -2.0, -1003.0]))
    np.testing.assert_allclose([v.data for v in p], e / e.sum(), rtol=TOL)
    p[1].backward()  # through the max node too: its share cancels (rows of the Jacobian sum to 0)
    np.testing.assert_allclose(grads(z), [-p[1].data * p[0].data, p[1].data * (1 - p[1].data), 0.0], atol=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_D13_cross_entropy_through_softmax_is_p_minus_onehot(seed):
    rng = np.random.default_rng(seed)
    z, target = rng.normal(0, 2, size=27), int(rng.integers(27))
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    zs = values(z)
    loss = nll(zs, target)
    assert loss.data == pytest.approx(-np.log(p[target]), rel=TOL)
    loss.backward()
    np.testing.assert_allclose(grads(zs), p - np.eye(27)[target], rtol=0, atol=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_D14_rmsnorm_vector_jacobian_product(seed):
    rng = np.random.default_rng(seed)
    x, g = rng.normal(0, 1.5, size=16), rng.normal(size=16)
    n, s = len(x), (np.mean(x**2) + 1e-5) ** -0.5
    xs = values(x)
    y = rmsnorm(xs)
    np.testing.assert_allclose([v.data for v in y], x * s, rtol=TOL)
    sum(gi * yi for gi, yi in zip(g, y)).backward()
    # dy_i/dx_j = s delta_ij - s^3 x_i x_j / n, so dL/dx = s g - (s^3 / n) (g . x) x
    np.testing.assert_allclose(grads(xs), s * g - s**3 / n * (g @ x) * x, rtol=0, atol=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_D15_one_attention_head(seed):
    rng = np.random.default_rng(seed)
    d, T = 4, 5
    q, K, V, g = rng.normal(size=d), rng.normal(size=(T, d)), rng.normal(size=(T, d)), rng.normal(size=d)
    a = K @ q / np.sqrt(d)
    w = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
    o = w @ V
    dv = np.outer(w, g)                       # dL/dv_t = w_t g
    dw = V @ g                                # dL/dw_t = g . v_t
    da = w * (dw - w @ dw)                    # through the softmax (D12)
    dq = da @ K / np.sqrt(d)                  # dL/dq = sum_t da_t k_t / sqrt(d)
    dk = np.outer(da, q) / np.sqrt(d)         # dL/dk_t = da_t q / sqrt(d)
    qs, ks, vs = values(q), [values(k) for k in K], [values(v) for v in V]
    out = attention(qs, ks, vs, n_head=1)
    np.testing.assert_allclose([v.data for v in out], o, rtol=TOL)
    sum(gi * oi for gi, oi in zip(g, out)).backward()
    np.testing.assert_allclose(grads(qs), dq, rtol=0, atol=TOL)
    np.testing.assert_allclose([grads(k) for k in ks], dk, rtol=0, atol=TOL)
    np.testing.assert_allclose([grads(v) for v in vs], dv, rtol=0, atol=TOL)


def test_D15_heads_are_independent_slices():
    rng = np.random.default_rng(7)
    q, K, V = rng.normal(size=8), rng.normal(size=(3, 8)), rng.normal(size=(3, 8))
    both = [v.data for v in attention(values(q), [values(k) for k in K], [values(v) for v in V], n_head=2)]
    for h in (0, 1):
        cut = slice(4 * h, 4 * h + 4)
        alone = attention(values(q[cut]), [values(k[cut]) for k in K], [values(v[cut]) for v in V], n_head=1)
        np.testing.assert_allclose(both[cut], [v.data for v in alone], rtol=TOL)
