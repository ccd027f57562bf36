"""Optimisers and schedules: every update checked against its formula worked by hand (D7)."""

import math

import numpy as np
import pytest

import nn
from autograd import Value


def params_with(data, grad):
    ps = [Value(d) for d in data]
    for p, g in zip(ps, grad, strict=True):
        p.grad = g
    return ps


def test_sgd_is_p_minus_lr_g():
    ps = params_with([1.0, -2.0], [0.5, -4.0])
    nn.SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == [1.0 - 0.1 * 0.5, -2.0 - 0.1 * -4.0]


def test_sgd_momentum_and_weight_decay_over_two_steps():
    p = Value(2.0)
    opt = nn.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    p.grad = 1.0
    opt.step()
    g1 = 1.0 + 0.01 * 2.0  # g + weight_decay * p
    p1 = 2.0 - 0.1 * g1  # v = g at the first step
    assert p.data == pytest.approx(p1, rel=1e-15)
    p.grad = -3.0
    opt.step()
    g2 = -3.0 + 0.01 * p1
    v2 = 0.9 * g1 + g2
    assert p.data == pytest.approx(p1 - 0.1 * v2, rel=1e-15)


def test_adam_two_steps_by_hand():
    p = Value(0.5)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = nn.Adam([p], lr=lr)
    p.grad = 0.2
    opt.step()
    # t = 1: m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + eps)
    p1 = 0.5 - lr * 0.2 / (0.2 + eps)
    assert p.data == pytest.approx(p1, rel=1e-14)
    p.grad = -0.1
    opt.step()
    m = b1 * (1 - b1) * 0.2 + (1 - b1) * -0.1
    v = b2 * (1 - b2) * 0.04 + (1 - b2) * 0.01
    p2 = p1 - lr * (m / (1 - b1**2)) / (math.sqrt(v / (1 - b2**2)) + eps)
    assert p.data == pytest.approx(p2, rel=1e-14)


def test_linear_decay_is_micrograds_learning_rate():
    schedule = nn.LinearDecay(1.0, 0.1, 100)
    assert [schedule(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]  # bit for bit
    assert schedule(100) == schedule(500) == pytest.approx(0.1)


def test_a_numpy_int_is_a_number_of_steps():
    assert [nn.LinearDecay(1.0, 0.1, np.int64(100))(k) for k in range(101)] == [
        nn.LinearDecay(1.0, 0.1, 100)(k) for k in range(101)]
    with pytest.raises(ValueError, match="steps must be a positive int, got True"):
        nn.LinearDecay(1.0, 0.1, True)


def test_other_schedules():
    cosine = nn.CosineDecay(0.5, 0.0, 10)
    assert cosine(0) == 0.5 and cosine(5) == pytest.approx(0.25) and cosine(10) == pytest.approx(0.0, abs=1e-17)
    exponential = nn.ExponentialDecay(2.0, 0.5)
    assert [exponential(k) for k in range(3)] == [2.0, 1.0, 0.5]


def test_the_schedule_sets_each_steps_learning_rate():
    p = Value(0.0)
    opt = nn.SGD([p], lr=nn.LinearDecay(1.0, 0.5, 2))
    for expected in (1.0, 0.75, 0.5, 0.5):
        assert opt.current_lr() == expected
        p.grad = 1.0
        before = p.data
        opt.step()
        assert before - p.data == expected


def test_zero_grad_and_module_parameters():
    model = nn.MLP(2, [2, 1], seed=0)
    opt = nn.SGD(model, lr=0.1)
    assert opt.params == model.parameters()
    model([1.0, 1.0]).backward()
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_non_finite_gradient_stops_the_step_and_changes_nothing():
    ps = params_with([1.0, 2.0], [0.5, math.nan])
    ps[1].label = "layers.0.neurons.0.b"
    opt = nn.Adam(ps, lr=0.1)
    with pytest.raises(FloatingPointError, match="gradient of layers.0.neurons.0.b is nan; no parameter was changed"):
        opt.step()
    assert [p.data for p in ps] == [1.0, 2.0] and opt.steps_taken == 0


@pytest.mark.parametrize("make, message", [
    (lambda: nn.SGD([Value(1.0)], lr=-0.1), r"SGD: lr must be finite and > 0, got -0.1"),
    (lambda: nn.SGD([Value(1.0)], lr=0.1, momentum=1.0), r"SGD: momentum must be finite and >= 0 and < 1"),
    (lambda: nn.SGD([], lr=0.1), "SGD: no parameters to optimise"),
    (lambda: nn.SGD([1.0], lr=0.1), "SGD: parameter 0 must be a Value, got float"),
    (lambda: nn.Adam([Value(1.0)], betas=(0.9, 1.5)), r"Adam: betas\[1\] must be finite"),
    (lambda: nn.Adam([Value(1.0)], lr=math.inf), "Adam: lr must be finite"),
    (lambda: nn.LinearDecay(1.0, 0.1, 0), "LinearDecay: steps must be a positive int"),
])
def test_bad_settings_are_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()
