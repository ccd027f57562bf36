"""The one domain table (autograd/domains.py): scalar and array checks agree with the math."""

import math

import numpy as np
import pytest

from autograd import RULES
from autograd.domains import DERIVATIVE, FORWARD, expression, overflow, refusal

GRID = [-2.5, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]


def defined(op: str, x: float, y: float) -> bool:
    """Hand statement of each op's domain, from the math (not from the table)."""
    if op == "log":
        return x > 0
    if op == "sqrt":
        return x >= 0
    if op == "div":
        return y != 0
    if op == "rdiv":
        return x != 0
    if op == "pow":
        return not (x < 0 and y != int(y)) and not (x == 0 and y < 0)
    if op == "powv":
        return x > 0
    if op == "rpow":
        return y > 0
    raise AssertionError(op)


@pytest.mark.parametrize("op", sorted(FORWARD))
def test_forward_table_refuses_exactly_outside_the_domain(op):
    for x in GRID:
        for y in GRID:
            error = refusal(op, x, y)
            assert (error is None) == defined(op, x, y), (op, x, y)
            if error is None:
                out = RULES[op].forward(x, y)
                assert type(out) is float and math.isfinite(out), (op, x, y, out)
            else:
                assert str(error).startswith(f"{op}: ") and str(error).endswith(expression(op, x, y))


@pytest.mark.parametrize("table", [FORWARD, DERIVATIVE], ids=["forward", "derivative"])
def test_the_checks_work_elementwise_on_arrays_as_the_replay_uses_them(table):
    x = np.array(GRID)[:, None] * np.ones((1, len(GRID)))
    y = x.T.copy()
    for op, domains in table.items():
        for domain in domains:
            ok = np.asarray(domain.ok(x, y))
            assert ok.shape == x.shape
            scalar = [[bool(domain.ok(float(a), float(b))) for a, b in zip(ra, rb)] for ra, rb in zip(x, y)]
            assert ok.tolist() == scalar, op


def test_derivative_table_refuses_infinite_slopes_only():
    assert refusal("sqrt", 0.0, None, DERIVATIVE) is not None and refusal("sqrt", 1e-300, None, DERIVATIVE) is None
    for n, refused in [(0.5, True), (0.999, True), (0.0, False), (1.0, False), (1.5, False), (2.0, False)]:
        assert (refusal("pow", 0.0, n, DERIVATIVE) is not None) == refused, n
        assert refusal("pow", 0.1, n, DERIVATIVE) is None
    assert str(refusal("sqrt", 0.0, None, DERIVATIVE)).startswith("backward of sqrt: ")


def test_expressions_read_as_written():
    assert expression("rdiv", 1e-310, 1.0) == "1.0 / 1e-310"
    assert expression("rsub", 2.0, 5.0) == "5.0 - 2.0"
    assert expression("rpow", 3.0, 2.0) == "2.0 ** 3.0"
    assert expression("pow", -8.0, 0.5) == "(-8.0) ** 0.5"
    assert expression("log", -2.0) == "log(-2.0)"
    assert expression("leaky_relu", -1.0, 0.1) == "leaky_relu(-1.0, alpha=0.1)"
    assert str(overflow("rdiv", 1e-310, 1.0)) == "rdiv: overflow, 1.0 / 1e-310 is too large for a float"
