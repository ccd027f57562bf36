"""``dot(a, b)``: a sum of products, a_0 b_0 + a_1 b_1 + ..., as one node of the graph.

Written with the binary operators, ``reduce(add, map(mul, a, b))`` records 2n - 1 nodes; a linear
layer is mostly such sums (D1, D11), so most of a network's graph would be them. ``dot`` records one
node, op ``"dot"``, whose 2n inputs are a_0, ..., a_{n-1}, b_0, ..., b_{n-1} (``value.py``).
Its number is the same to the last bit: the products are added from the left, as ``reduce`` adds
them (not ``sum()``, whose float summation changed in Python 3.12). Its rule in ``rules.py``,

    d(sum_i a_i b_i) = sum_i b_i da_i + a_i db_i,

gives each a_i the gradient g b_i and each b_i the gradient g a_i, so the backward pass does 2n
multiply-adds on floats for this node instead of visiting 2n - 1 nodes.

While ``autograd.compile`` traces, ``dot`` records its one node too (its number is the stand-in
of tracing); the replay reads it as the sum of products it is (``replay/trace.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .domains import expression
from .modes import is_tracing as _is_tracing
from .rules import RULES
from .value import Value, record_node, short_repr, to_float

_forward = RULES["dot"].forward


def dot(a: Iterable[Value | float], b: Iterable[Value | float]) -> Value:
    """a_0 b_0 + a_1 b_1 + ... + a_{n-1} b_{n-1}, added from the left, as one node (op ``"dot"``).

    ``a`` and ``b`` hold the same non-zero number of Values (plain numbers become constant leaves).
    The result equals ``functools.reduce(operator.add, map(operator.mul, a, b))`` bit for bit, and
    so do its gradients up to rounding: d/da_i = b_i and d/db_i = a_i (D1, D11).

    >>> from autograd import Value, dot
    >>> w, x = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)]
    >>> y = dot(w, x)
    >>> y.data, y.op
    (2.0, 'dot')
    >>> y.backward()
    >>> [v.grad for v in w], [v.grad for v in x]
    ([3.0, 4.0], [2.0, -1.0])
    """
    a = tuple(a) if type(a) is list else a if type(a) is tuple else _sequence(a, "a")
    b = tuple(b) if type(b) is list else b if type(b) is tuple else _sequence(b, "b")
    if len(a) != len(b) or not a:
        raise ValueError(f"dot: a and b must have the same non-zero length, got {len(a)} and "
                         f"{len(b)}")
    try:
        a_data = [v._data for v in a]
        b_data = [v._data for v in b]
    except AttributeError:  # a plain number, or something that is not a number at all
        a, b = _values(a, "a"), _values(b, "b")
        a_data = [v._data for v in a]
        b_data = [v._data for v in b]
    data = _forward(a_data, b_data) if not _is_tracing() else _traced(a_data + b_data)
    if type(data) is float and not math.isfinite(data):  # finite inputs: only overflow gets here
        raise _overflow(a_data, b_data)
    # the inputs a_0, ..., a_{n-1}, b_0, ..., b_{n-1}: the first two inline, the rest in _rest
    if len(a) == 1:
        return record_node(data, "dot", a[0], b[0])
    return record_node(data, "dot", a[0], a[1], a[2:] + b)


def _traced(data: list[Any]) -> Any:
    """While compile traces: the stand-in number of tracing if an input holds it (then so does
    the dot, as any rule would give), else the dot of the numbers."""
    for d in data:
        if type(d) is not float:
            return d
    half = len(data) // 2
    return _forward(data[:half], data[half:])


def _sequence(items: Any, name: str) -> tuple:
    """``items`` as a tuple, or a TypeError naming dot and the offending argument."""
    if isinstance(items, Value | str | bytes) or not isinstance(items, Iterable):
        raise TypeError(f"dot: {name} must be a sequence of Values or numbers, got "
                        f"{type(items).__name__}: {short_repr(items)}")
    return tuple(items)


def _values(items: tuple, name: str) -> tuple[Value, ...]:
    """The entries as Values: a plain number becomes a constant leaf; anything else is refused."""
    values = []
    for i, v in enumerate(items):
        if not isinstance(v, Value):  # to_float refuses a non-number, naming dot and the entry
            v = Value(to_float(v, f"dot: {name}[{i}]"))
        values.append(v)
    return tuple(values)


def _overflow(a: list[float], b: list[float]) -> OverflowError:
    """The error for the first product, or partial sum, too large for a float (as
    ``domains.overflow``)."""
    total = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        product = x * y
        if not math.isfinite(product):
            return OverflowError(f"dot: overflow, term {i}: {expression('mul', x, y)} is too large "
                                 "for a float")
        if i and not math.isfinite(total + product):
            return OverflowError(f"dot: overflow, after term {i}: "
                                 f"{expression('add', total, product)} "
                                 "is too large for a float")
        total = product if i == 0 else total + product
    return OverflowError("dot: overflow, the sum is too large for a float")
