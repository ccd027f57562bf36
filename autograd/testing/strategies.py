"""Hypothesis strategies for each operation's valid inputs, taken from the domain table.

    from autograd.testing.strategies import inputs
    from autograd import apply
    assert_derivative(lambda x: apply("log", x), lambda x: 1 / x, strategy=inputs("log"))

``inputs(op)`` draws tuples ``(x,)`` or ``(x, y)`` as ``autograd.apply(op, x, y)`` takes them (y a
second Value's number or the op's inline constant), keeping only inputs where
``autograd.domains`` accepts both the op and its derivative and the result is a finite float.
With ``smooth=True`` (the default) points within ``margin`` of a kink (relu, abs, max, ...) are
left out too: there central differences disagree with any one-sided derivative.
Needs hypothesis (``pip install chainrule[testing]``).
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from ..domains import DERIVATIVE, FORWARD, refusal
from ..rules import RULES

TWO_VALUES = {op for op, rule in RULES.items() if rule.inputs == "x y"}
WITH_CONSTANT = {op for op, rule in RULES.items() if rule.constant}
EXPONENTS = (-2.0, -1.0, 0.5, 1.5, 2.0, 3.0)  # pow's constant n
KINKS = {
    "relu": lambda x, y: x,
    "abs": lambda x, y: x,
    "leaky_relu": lambda x, y: x,
    "elu": lambda x, y: x,
    "max": lambda x, y: x - y,
    "eq": lambda x, y: x - y,
}


def _constant(op: str) -> st.SearchStrategy[float]:
    if op == "pow":
        return st.sampled_from(EXPONENTS)
    if op in ("leaky_relu", "elu"):
        return st.floats(0.01, 2.0)  # alpha
    if op == "rpow":
        return st.floats(0.1, 5.0)  # the base c of c ** x
    return st.floats(-5.0, 5.0)  # rsub, rdiv: c - x, c / x


def valid(op: str, x: float, y: Any = None, *, margin: float = 0.0) -> bool:
    """True where op(x, y) and its derivative are defined (domains.py) and finite, and stay so
    ``margin`` (relative, at least absolute) around x (and a second Value's y); not near a kink."""
    xs = _around(x, margin)
    ys = _around(y, margin) if op in TWO_VALUES else [y]
    if any(refusal(op, a, b, FORWARD) or refusal(op, a, b, DERIVATIVE) for a in xs for b in ys):
        return False
    if op in KINKS and abs(KINKS[op](x, y)) <= margin:
        return False
    try:
        out = RULES[op].forward(x, y)
    except (ArithmeticError, ValueError):
        return False
    return isinstance(out, (int, float)) and math.isfinite(out) and abs(out) < 1e100


def _around(x: float, margin: float) -> list[float]:
    """x, x +- margin (relative, at least absolute), and 0 if that lies within: every edge of
    the domain table sits at 0 (log x needs x > 0, a divisor must not be 0, ...)."""
    step = margin * max(1.0, abs(x))
    return [x, x - step, x + step] + [0.0] * (abs(x) <= step)


def inputs(
    op: str, low: float = -5.0, high: float = 5.0, *, smooth: bool = True, margin: float = 1e-3
) -> st.SearchStrategy[tuple[float, ...]]:
    """Points ``(x,)`` or ``(x, y)`` in op's domain, x (and a second Value's y) in [low, high]."""
    if op not in RULES or op == "dot":
        raise ValueError(
            f"inputs: no strategy for {op!r}; the operations are the keys of autograd.RULES but dot"
        )
    x = st.floats(low, high, allow_nan=False, allow_infinity=False)
    if op in TWO_VALUES:
        points = st.tuples(x, x)
    elif op in WITH_CONSTANT:
        points = st.tuples(x, _constant(op))
    else:
        points = st.tuples(x)
    keep = margin if smooth else 0.0
    return points.filter(lambda p: valid(op, p[0], p[1] if len(p) > 1 else None, margin=keep))


def points(n: int, low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[tuple[float, ...]]:
    """Tuples of n floats in [low, high]: points for ``assert_derivative(..., strategy=...)``."""
    x = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.tuples(*([x] * n))


OPERATIONS = tuple(op for op in RULES if op != "dot")
# the ops whose domain is part of the real line, and what they refuse: for readers of the strategies
DOMAINS = {
    op: [d.requirement for d in FORWARD.get(op, ()) + DERIVATIVE.get(op, ())] for op in OPERATIONS
}
