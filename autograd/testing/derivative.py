"""``assert_derivative``: a hand formula against the engine, and central differences as a third.

    assert_derivative(lambda x: x.tanh(), lambda x: 1 - math.tanh(x) ** 2, at=[-1.0, 0.5, 2.0])

At each point the engine's derivative (``autograd.gradients``; with ``order=2`` the Hessian,
``autograd.hessian``) must equal the hand formula to ``rtol``/``atol``, and central differences
of f's values must agree with them to a looser tolerance (they are accurate to about 1e-7,
second differences to about 1e-4). A failure raises ``DerivativeMismatch`` (an AssertionError)
that names the input and the point, shows hand, engine and central difference, says which one
is the odd one out, and prints the engine's chain-rule breakdown at that point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..functional import gradients, hessian
from ..modes import no_grad
from ..value import Value
from .breakdown import breakdown

Point = tuple[float, ...]


class DerivativeMismatch(AssertionError):
    """The hand formula, the engine and central differences do not all agree at a point."""


def as_point(p: float | Sequence[float]) -> Point:
    return tuple(float(v) for v in p) if isinstance(p, (list, tuple)) else (float(p),)


def _as_points(at: Any) -> list[Point]:
    """``at`` as a list of points: a number, one point (a tuple), or a list of either."""
    if isinstance(at, tuple) or isinstance(at, (int, float)):
        return [as_point(at)]
    return [as_point(p) for p in at]


def _flat(hand_value: Any, n: int, order: int) -> list[float]:
    """The hand formula's answer as a flat list: n partials, or n * n Hessian entries by rows."""
    if order == 1:
        values = list(hand_value) if isinstance(hand_value, (list, tuple)) else [hand_value]
        expected = n
    else:
        values = (
            [v for row in hand_value for v in row]
            if isinstance(hand_value, (list, tuple))
            else [hand_value]
        )
        expected = n * n
    if len(values) != expected:
        raise ValueError(
            f"assert_derivative: the hand formula gave {len(values)} numbers, "
            f"expected {expected} for {n} input(s) at order {order}"
        )
    return [float(getattr(v, "data", v)) for v in values]


def value_at(f: Callable[..., Any], point: Sequence[float]) -> float:
    """f's value at ``point`` (computed with the engine, no graph kept)."""
    with no_grad():
        out = f(*(Value(v) for v in point))
    return float(getattr(out, "data", out))


def central_difference(f: Callable[..., Any], point: Point, order: int = 1) -> list[float]:
    """df/dx_i by (f(x + h e_i) - f(x - h e_i)) / 2h; order 2: every d2f/dx_i dx_j (h ~ 1e-4)."""
    n = len(point)
    h = [(1e-6 if order == 1 else 1e-4) * max(1.0, abs(v)) for v in point]

    def shifted(*moves: tuple[int, float]) -> float:
        p = list(point)
        for i, sign in moves:
            p[i] += sign * h[i]
        return value_at(f, p)

    if order == 1:
        return [(shifted((i, 1)) - shifted((i, -1))) / (2 * h[i]) for i in range(n)]
    return [
        (
            shifted((i, 1), (j, 1))
            - shifted((i, 1), (j, -1))
            - shifted((i, -1), (j, 1))
            + shifted((i, -1), (j, -1))
        )
        / (4 * h[i] * h[j])
        for i in range(n)
        for j in range(n)
    ]


def engine_derivative(f: Callable[..., Any], point: Point, order: int = 1) -> list[float]:
    """The engine's partials (order 1) or Hessian entries row by row (order 2) at ``point``."""
    if order == 2:
        return [float(getattr(v, "data", v)) for row in hessian(f)(*point) for v in row]
    xs = [Value(v) for v in point]
    return [float(getattr(g, "data", g)) for g in gradients(f(*xs), xs)]


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= atol + rtol * abs(b)


def check_point(
    f: Callable[..., Any],
    hand: Callable[..., Any],
    point: Point,
    *,
    order: int = 1,
    names: Sequence[str] | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    fd_tol: float | None = None,
) -> str | None:
    """None if hand, engine and central differences agree at ``point``, else the explanation."""
    n = len(point)
    names = list(names) if names else [f"x{i + 1}" if n > 1 else "x" for i in range(n)]
    fd_tol = fd_tol if fd_tol is not None else (1e-5 if order == 1 else 1e-3)
    expected = _flat(hand(*point), n, order)
    engine = engine_derivative(f, point, order)
    try:
        numeric = central_difference(f, point, order)
    except (ArithmeticError, ValueError):  # a step crossed the edge of f's domain
        numeric = [math.nan] * len(engine)
    where = ", ".join(f"{k} = {v!r}" for k, v in zip(names, point))
    for k, (h, e, c) in enumerate(zip(expected, engine, numeric)):
        hand_ok, fd_ok = (
            _close(h, e, rtol, atol),
            _close(c, e, fd_tol, fd_tol) or _close(c, h, fd_tol, fd_tol),
        )
        if hand_ok and fd_ok:
            continue
        by = names[k] if order == 1 else f"{names[k // n]} d{names[k % n]}"
        what = f"d{'2' if order == 2 else ''}f/d{by}"
        if not hand_ok and _close(c, e, fd_tol, fd_tol):
            verdict = (
                "the hand formula disagrees with the engine and central differences: "
                "the hand formula is wrong"
            )
        elif not hand_ok and _close(c, h, fd_tol, fd_tol):
            verdict = (
                "the engine disagrees with the hand formula and central differences: "
                "the engine is wrong"
            )
        elif not hand_ok:
            verdict = (
                "all three disagree (a kink or a discontinuity near the point? a wrong formula?)"
            )
        else:
            verdict = (
                "hand and engine agree but central differences do not: "
                "f is not smooth near the point"
            )
        lines = [
            f"{what} at {where}:",
            f"  hand formula        {h!r}",
            f"  engine              {e!r}",
            f"  central difference  {c!r}",
            f"  {verdict}",
        ]
        if order == 1:
            xs = [Value(v, label=k) for v, k in zip(point, names)]
            out = f(*xs)
            if isinstance(out, Value):
                lines += ["  the engine's chain rule at this point:"]
                lines += [f"    {line}" for line in breakdown(out, xs[k])]
        return "\n".join(lines)
    return None


def assert_derivative(
    f: Callable[..., Any],
    hand: Callable[..., Any],
    at: Any = None,
    *,
    order: int = 1,
    strategy: Any = None,
    examples: int = 50,
    names: Sequence[str] | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-9,
) -> None:
    """Assert that the engine's derivative of ``f`` is ``hand`` at each point of ``at``.

    ``f`` takes one Value per input; ``hand`` takes the same inputs as floats and returns the
    derivative (one input), the partials (several), or with ``order=2`` the Hessian's rows.
    ``at``: a number, a tuple (one point) or a list of points. ``strategy``: a hypothesis
    strategy of points (``autograd.testing.strategies``) to draw ``examples`` points from instead.
    """
    if order not in (1, 2):
        raise ValueError(f"assert_derivative: order must be 1 or 2, got {order!r}")
    if (at is None) == (strategy is None):
        raise ValueError(
            "assert_derivative: give the points with at=... or a hypothesis strategy=..., "
            "one of them"
        )

    def check(point: Point) -> None:
        problem = check_point(
            f, hand, as_point(point), order=order, names=names, rtol=rtol, atol=atol
        )
        if problem:
            raise DerivativeMismatch(problem)

    if at is not None:
        for point in _as_points(at):
            check(point)
        return
    from hypothesis import HealthCheck, given, settings  # optional: pip install chainrule[testing]

    run = settings(
        max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )(given(strategy)(check))
    run()

