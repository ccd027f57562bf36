"""A seeded sample of the mpmath precision sweep (tests/engine_precision.py; the full one: make precision).

Every rule's derivatives to third order within a few ulps of mpmath's where the true value is a
normal float, at inputs from -745 to 745 and at tiny and subnormal magnitudes.
"""

import math

import pytest

pytest.importorskip("mpmath")

import engine_precision as sweep  # noqa: E402  (pytest puts tests/ on sys.path: it has no __init__.py)

from autograd import Value  # noqa: E402

ULPS = 8  # the full sweep's worst is 6.6 (sigmoid, third order, at x = 3): tests/PRECISION.md
POINTS = [-745.0, -40.0, -37.0, -3.0, -1e-300, 2.5e-310, 1e-8, 0.5, 20.0, 710.0] + sweep.sample(12, seed=20)


@pytest.mark.parametrize("name", sorted(sweep.CASES))
def test_every_rule_to_third_order_within_a_few_ulps(name):
    worst = sweep.sweep(POINTS, {name: sweep.CASES[name]})
    bad = {key: value for key, value in worst.items() if not value[0] <= ULPS}
    assert bad == {}, f"(rule, order): (ulps, at x): {bad}"


@pytest.mark.parametrize("x", [-37.0, -40.0, -700.0])
def test_elu_gradient_below_zero_is_alpha_exp_x(x):
    # the rule once computed out + alpha, which cancels: 0.3 relative error at -37, 0 at -40 and below
    v = Value(x)
    v.elu(0.5).backward()
    assert v.grad == pytest.approx(0.5 * math.exp(x), rel=4e-16)
