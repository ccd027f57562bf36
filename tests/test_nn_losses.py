"""Losses against numpy formulas, their gradients, stability and input checking."""

import math

import numpy as np
import pytest

import nn
from autograd import Value


def values(xs):
    return [Value(float(x)) for x in xs]


def grads(vs):
    return np.array([v.grad for v in vs])


def test_mse_is_the_mean_of_squares_and_its_gradient():
    rng = np.random.default_rng(0)
    a, y = rng.normal(size=6), rng.normal(size=6)
    outs = values(a)
    loss = nn.mse(outs, y)
    loss.backward()
    assert loss.data == pytest.approx(np.mean((a - y) ** 2), rel=1e-12)
    np.testing.assert_allclose(grads(outs), 2 * (a - y) / 6, rtol=1e-12)
    assert nn.mse(values(a), y, reduction="sum").data == pytest.approx(np.sum((a - y) ** 2), rel=1e-12)
    # a batch of 3 examples with 2 outputs each: the mean over all 6 units
    batch = [values(a[:2]), values(a[2:4]), values(a[4:])]
    assert nn.mse(batch, y.reshape(3, 2)).data == pytest.approx(np.mean((a - y) ** 2), rel=1e-12)
    assert nn.mse(Value(2.0), 0.5).data == 2.25


def test_hinge_is_micrograds_max_margin_with_either_label_convention():
    scores = np.array([2.0, 0.3, -0.5, -2.0, 0.9])
    labels01 = np.array([1, 1, 0, 1, 0])
    signs = 2 * labels01 - 1
    expected = np.mean(np.maximum(0.0, 1 - signs * scores))
    for labels in (labels01, signs):
        outs = values(scores)
        loss = nn.hinge(outs, labels)
        loss.backward()
        assert loss.data == pytest.approx(expected, rel=1e-12)
        np.testing.assert_allclose(grads(outs), np.where(1 - signs * scores > 0, -signs, 0.0) / 5, rtol=1e-12)
    with pytest.raises(ValueError, match=r"hinge: labels must be 0/1 or -1/\+1, got \[-1.0, 0.0, 1.0\]"):
        nn.hinge(values(scores[:3]), [-1, 0, 1])


def numpy_cross_entropy(z, c):
    z = np.asarray(z, dtype=np.longdouble)
    m = z.max()
    return float(m + np.log(np.sum(np.exp(z - m))) - z[c])


def test_cross_entropy_value_and_gradient_softmax_minus_onehot():
    rng = np.random.default_rng(1)
    Z, c = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    batch = [values(z) for z in Z]
    loss = nn.cross_entropy(batch, c)
    loss.backward()
    expected = np.mean([numpy_cross_entropy(z, k) for z, k in zip(Z, c, strict=True)])
    assert loss.data == pytest.approx(expected, rel=1e-12)
    softmax = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose([grads(z) for z in batch], (softmax - np.eye(3)[c]) / 4, rtol=1e-10, atol=1e-15)
    # one example: its logits and a class index
    assert nn.cross_entropy(values(Z[1]), 2).data == pytest.approx(numpy_cross_entropy(Z[1], 2), rel=1e-12)


@pytest.mark.parametrize("z, c", [([1000.0, 0.0, -1000.0], 0), ([1000.0, 0.0, -1000.0], 1), ([-800.0, -805.0], 1)])
def test_cross_entropy_is_stable_for_huge_logits(z, c):
    logits = values(z)
    loss = nn.cross_entropy(logits, c)
    loss.backward()
    assert loss.data == pytest.approx(numpy_cross_entropy(z, c), rel=1e-12, abs=1e-300)
    assert all(math.isfinite(g) for g in grads(logits))
    assert sum(grads(logits)) == pytest.approx(0.0, abs=1e-12)  # softmax sums to 1, onehot to 1


def test_softmax_and_log_sum_exp():
    z = [0.5, -1.0, 2.0]
    p = nn.softmax(values(z))
    np.testing.assert_allclose([v.data for v in p], np.exp(z) / np.sum(np.exp(z)), rtol=1e-12)
    big = nn.losses.log_sum_exp(values([1000.0, 1000.0]))
    assert big.data == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)


def test_bce_and_bce_with_logits_agree_on_a_batch():
    rng = np.random.default_rng(2)
    z, y = rng.normal(size=5), np.array([1.0, 0.0, 1.0, 0.25, 0.0])  # soft labels allowed
    a = 1 / (1 + np.exp(-z))
    expected = np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a)))
    logits = values(z)
    loss = nn.bce_with_logits(logits, y)
    loss.backward()
    assert loss.data == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(grads(logits), (a - y) / 5, rtol=1e-10)  # D6, averaged
    probs = [v.sigmoid() for v in values(z)]
    assert nn.bce(probs, y).data == pytest.approx(expected, rel=1e-12)


def test_bce_on_a_saturated_probability_is_clamped_not_infinite():
    assert nn.bce(Value(1.0), 0.0).data == pytest.approx(100.0)  # -log(1 - 1) clamped at 100
    assert nn.bce(Value(0.0), 1.0).data == pytest.approx(100.0)
    assert nn.bce(Value(1.0), 1.0).data == 0.0


def test_l2_penalty():
    model = nn.MLP(2, [3, 1], seed=0)
    expected = 1e-4 * sum(p.data**2 for p in model.parameters())
    assert nn.l2_penalty(model, 1e-4).data == pytest.approx(expected, rel=1e-12)
    params = model.parameters()
    penalty = nn.l2_penalty(params, 0.5)
    penalty.backward()
    np.testing.assert_allclose(grads(params), [p.data for p in params], rtol=1e-12)  # d/dp 0.5 p^2 = p


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.mse(values([1, 2, 3]), [1, 2]), ValueError, "mse: 3 outputs but 2 targets"),
    (lambda: nn.mse(values([1, 2]), [1, math.nan]), ValueError, "mse: targets contain NaN or infinity"),
    (lambda: nn.mse(values([1, 2]), [1, 2], reduction="avg"), ValueError, "reduction must be 'mean' or 'sum'"),
    (lambda: nn.bce(values([0.5]), [2.0]), ValueError, r"bce: targets must lie in \[0, 1\]"),
    (lambda: nn.bce(values([0.5, 1.7]), [1, 0]), ValueError, r"bce: output 1 is 1.7, not a probability in \[0, 1\]; "
     "use output_activation='sigmoid' or loss='bce_with_logits'"),
    (lambda: nn.bce(values([-0.2]), 0.0), ValueError, "bce: output 0 is -0.2"),
    (lambda: nn.cross_entropy(values([1, 2]), 2), ValueError, r"cross_entropy: target 0 is 2.0, expected a class "
                                                              r"index in 0..1"),
    (lambda: nn.cross_entropy(values([1, 2]), 0.5), ValueError, "expected a class index"),
    (lambda: nn.cross_entropy([Value(1.0)], [0]), ValueError, "example 0 has 1 output"),
    (lambda: nn.l2_penalty(values([1, 2]), alpha=-1.0), ValueError, "l2_penalty: alpha must be a finite number >= 0"),
    (lambda: nn.l2_penalty(values([1, 2]), alpha=math.nan), ValueError, "got nan"),
    (lambda: nn.cross_entropy([], []), ValueError, "cross_entropy: no outputs"),
    (lambda: nn.mse([], []), ValueError, "mse: no outputs"),
    (lambda: nn.losses.get_loss("l1"), ValueError, "unknown loss 'l1'; known losses: mse, bce"),
    (lambda: nn.mse(values([1]), ["a"]), TypeError, "mse: targets must be numbers"),
])
def test_bad_loss_input_is_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_loss_on_a_graph_backpropagates_to_the_parameters():
    model = nn.MLP(2, [3, 2], seed=1)

    def loss():
        return nn.cross_entropy([model([0.5, -0.5]), model([1.0, 2.0])], [1, 0])

    model.zero_grad()
    loss().backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    eps = 1e-6
    for p in model.parameters():  # every dL/dp against a central difference of the same loss
        start = p.data
        p.data = start + eps
        up = loss().data
        p.data = start - eps
        down = loss().data
        p.data = start
        assert p.grad == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8), p.label
