"""Operations chosen by name: ``apply("mul", x, y)`` is ``x * y``.

For code that copies or rebuilds a graph (the explorer re-records a graph with new leaf numbers,
node for node): every op of ``RULES`` recorded the way the operators and methods of ``Value``
record it, with the same domain checks and the same errors.
"""

from __future__ import annotations

from collections.abc import Sequence

from .products import dot
from .rules import RULES
from .value import Value, record_binary, record_unary


def apply(op: str, x: Value | Sequence[Value],
          other: Value | float | Sequence[Value] | None = None) -> Value:
    """Record ``op`` on ``x`` (and ``other``: a second Value, or a number kept inline such as the 2
    in ``x * 2`` or an activation's alpha). ``apply(v.op, *v.parents or v.constant)`` re-records a
    unary or binary node v.

    ``apply("tanh", x)`` is ``x.tanh()``; ``apply("rsub", x, 1.0)`` is ``1.0 - x``;
    ``apply("leaky_relu", x, 0.1)`` is ``x.leaky_relu(0.1)``; ``apply("dot", a, b)`` is
    ``dot(a, b)`` for two sequences a and b (a dot node's ``parents`` are a then b).
    """
    if op not in RULES:
        raise ValueError(f"apply: unknown operation {op!r}; the operations are the keys of "
                         "autograd.RULES")
    if op == "dot":
        return dot(x, other)
    if not isinstance(x, Value):
        raise TypeError(f"apply: {op} takes a Value as its first input, got {type(x).__name__}")
    _check_other(op, other)
    out = record_unary(op, x) if other is None else record_binary(op, x, other)
    if out is NotImplemented:
        raise TypeError(f"apply: {op}'s second input must be a Value or a real number, got "
                        f"{type(other).__name__}")
    return out


UNARY = frozenset(op for op, rule in RULES.items() if rule.arity == 1)
"""Ops of one input: no second operand."""
CONSTANT = frozenset(op for op, rule in RULES.items() if rule.constant)
"""Ops whose second operand is a number kept inline (their rule gives no gradient for it)."""


def _check_other(op: str, other: object) -> None:
    """Refuse a second operand op's rule has no place for, before anything is recorded."""
    if op in UNARY and other is not None:
        raise TypeError(f"apply: {op} takes one input, got a second: {type(other).__name__}")
    if op not in UNARY and other is None:
        raise TypeError(f"apply: {op} takes a second input (a Value or a number), got None")
    if op in CONSTANT and isinstance(other, Value):
        instead = " (for a Value exponent, use 'powv')" if op == "pow" else ""
        raise TypeError(f"apply: {op}'s second input is a number kept inline, got a Value{instead}")
