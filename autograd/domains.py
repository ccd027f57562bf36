"""Which inputs each operation refuses, read from the op table: the checks every executor uses.

An operation is defined only on part of the real line (log needs x > 0, a divisor must not be
0, ...). Rather than let a bad input become NaN, inf, a complex number or Python's bare "math
domain error", every executor checks these tables (``FORWARD`` and ``DERIVATIVE``, from each
op's ``refuses`` and ``refuses_slope`` in ``rules.RULES``) and raises the table's error, worded by
``refusal`` in one format that names the operation and the offending value:

    log: the input must be positive, got log(-2.0)
    rdiv: division by zero, got 1.0 / 0.0
    backward of sqrt: the derivative 1 / (2 sqrt x) is infinite at x = 0, got sqrt(0.0)
    mul: overflow, 1e+200 * 1e+200 is too large for a float

``FORWARD``     inputs where op(x, y) itself is undefined: checked before computing the op.
``DERIVATIVE``  inputs where op(x, y) is defined but its derivative is infinite: checked before
                (or, by the eager engine, when) the backward pass applies the op's rule.
                sqrt'(0) is refused, in every executor: 1 / (2 sqrt 0) is infinite, and a
                finite stand-in (0, or a huge number) would be a silently wrong derivative.
                Likewise x ** n at x = 0 for 0 < n < 1. Both executors pass on 0 when the
                gradient arriving is exactly 0 (0 times the slope, as PyTorch).
Any other non-finite result is an overflow (``overflow``): exp(1000), 1e200 * 1e200.

How an executor uses the tables (``x`` is the op's first input, ``y`` its second input, the
inline constant, or None, exactly as the rules of ``rules.py`` receive them):

* on floats (the eager engine, ``value.py`` and ``backward.py``)::

      error = refusal(op, x, y)                 # or refusal(op, x, y, FORWARD/DERIVATIVE)
      if error is not None:
          raise error

* on numpy arrays (the replay: one row per node, one column per example)::

      for domain in FORWARD.get(op, ()):
          bad = ~domain.ok(x, y)                # ``ok`` works elementwise on arrays too
          if bad.any():
              i, b = np.argwhere(bad)[0]
              raise domain.error(message(op, domain, float(x[i, b]), y_i_b))  # add the example

  and the same with ``DERIVATIVE`` before applying the rules backward; a non-finite result left
  after these checks is reported with ``overflow(op, x_i_b, y_i_b)``. (For the ops whose bad inputs
  always give a NaN or an infinity, the replay runs these checks only once one shows up:
  ``SHOWS_AS_NONFINITE``, the ops marked ``late`` in the table.)

The error types are the ones Python itself raises for these cases (ValueError for a domain,
ZeroDivisionError for a division by zero or an infinite slope, OverflowError for overflow), so
``except ArithmeticError`` and ``except ValueError`` catch what users expect.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from .rules import RULES, Domain

__all__ = ["Domain", "FORWARD", "DERIVATIVE", "EXPRESSION", "SHOWS_AS_NONFINITE", "CHECKED_FORWARD",
           "expression", "message", "refusal", "overflow"]

FORWARD: dict[str, tuple[Domain, ...]] = {op: r.refuses for op, r in RULES.items() if r.refuses}
DERIVATIVE: dict[str, tuple[Domain, ...]] = {
    op: r.refuses_slope for op, r in RULES.items() if r.refuses_slope}
SHOWS_AS_NONFINITE = frozenset(op for op, r in RULES.items() if r.late)
"""Ops whose inputs outside the domain always give a NaN or an infinity (``Op.late``)."""
# how op(x, y) is written in messages; y is the second input or the inline constant c
EXPRESSION: dict[str, str] = {op: r.written for op, r in RULES.items()}


def expression(op: str, x: Any, y: Any = None) -> str:
    """op(x, y) as a reader writes it: ``1.0 / 1e-310`` for rdiv(1e-310, 1.0), ``log(-2.0)``."""
    template = EXPRESSION.get(op, "{op}({x})" if y is None else "{op}({x}, {y})")
    show = repr if "(" in template else _operand  # in a call, -2.0 needs no parentheses
    return template.format(op=op, x=show(x), y=show(y))


def message(op: str, domain: Domain, x: Any, y: Any = None, derivative: bool = False) -> str:
    """The one wording of a refusal: ``<op>: <requirement>, got <expression>``."""
    where = f"backward of {op}" if derivative else op
    return f"{where}: {domain.requirement}, got {expression(op, x, y)}"


def refusal(op: str, x: float, y: Any = None,
            table: dict[str, tuple[Domain, ...]] = FORWARD) -> Exception | None:
    """The error for scalar inputs outside op's domain in ``table`` (FORWARD or DERIVATIVE), else
    None."""
    for domain in table.get(op, ()):
        if not domain.ok(x, y):
            return domain.error(message(op, domain, x, y, derivative=table is DERIVATIVE))
    return None


def _checked_forward(op: str, forward: Any, x: Any, y: Any) -> Any:
    """``forward(x, y)``, first refusing inputs outside op's domain (the few ops that have one)."""
    if type(x) is float and (y is None or type(y) is float):  # a traced stand-in has no number yet
        error = refusal(op, x, y)
        if error is not None:
            raise error
    return forward(x, y)


CHECKED_FORWARD: dict[str, Callable[[Any, Any], Any]] = {
    op: partial(_checked_forward, op, rule.forward) if op in FORWARD else rule.forward
    for op, rule in RULES.items()}
"""Each op's forward rule on floats, refusing inputs outside its domain first: the table the eager
engine computes with (``value._record``)."""


def overflow(op: str, x: Any, y: Any = None) -> OverflowError:
    """The error for a result too large for a float (inputs inside the domain)."""
    return OverflowError(f"{op}: overflow, {expression(op, x, y)} is too large for a float")


def _operand(v: Any) -> str:
    """repr of an infix operand, in parentheses when negative: ``(-8.0) ** 0.5`` reads right."""
    text = repr(v)
    return f"({text})" if text.startswith("-") else text
