"""Tracing: run a scalar function once on stand-ins and keep the graph it builds.

``trace(fn, n_inputs, parameters)`` calls ``fn`` on a list of placeholder Values. While it
runs, the placeholders hold no number: their ``data`` is ``TRACED``, a stand-in that supports
arithmetic and the engine's functions (so every forward rule of ``rules.py`` runs and the graph
gets recorded) but refuses to become a bool or a float. Everything computed from a placeholder
holds ``TRACED`` too.

The model is not touched: its parameters keep their numbers while ``fn`` runs, so another
thread can use the model meanwhile. The price: a branch on a parameter's number alone
(``if w > 0``, ``w * w.data``) is not detected; it is frozen as it was at tracing time.

Why refuse? The recorded graph is replayed for every example of every batch (``compiled.py``).
A Python ``if x > 0:`` inside ``fn`` would pick one branch at tracing time and replay that
branch for all examples, silently wrong for the others, so it raises ``TracingError`` instead
(like JAX's tracers). Piecewise functions are written with the engine's ops (relu, abs,
leaky_relu, elu), whose rules handle every example on its own side of the kink.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from ..backward import topological_order
from ..modes import enable_grad, mode, tracing
from ..rules import RULES
from ..value import Value


class TracingError(TypeError):
    """A traced function tried to use a traced number as a Python bool or float."""


_WHY = (
    "autograd.compile records the graph once and replays it for every example (and after every "
    "parameter update), so while it traces, the inputs and the parameters have no numbers yet. "
    "A Python `if`, a comparison, float(), .item() or arithmetic on .data would freeze the branch "
    "taken at tracing time for all examples. Write piecewise functions with the engine's ops "
    "(relu, abs, leaky_relu, elu, or s*a + (1 - s)*b with s = sigmoid(x)), "
    "or run the function eagerly (nn.fit(..., engine='eager'))."
)


def _refuse(what: str) -> Callable[..., NoReturn]:
    def refuse(self: TracedNumber, *args: Any, **kwargs: Any) -> NoReturn:
        raise TracingError(f"tracing: {what} needs the number of a traced value. {_WHY}")

    refuse.__name__ = f"refuse_{what}"
    return refuse


class TracedNumber(numbers.Real):
    """The ``data`` of a placeholder (or of anything computed from one) while tracing.

    Arithmetic and the engine's functions give back the stand-in, so forward rules run unchanged;
    anything that needs an actual number raises ``TracingError``. It is a ``numbers.Real`` by its
    own declaration (as ``fractions.Fraction`` is a ``Rational``), so ``Value(x.data)`` asks
    ``float()`` and gets the explanation; nothing is registered anywhere.
    """

    __slots__ = ()

    def _same(self, *args: Any) -> TracedNumber:
        if any(isinstance(a, Value) for a in args):  # x.data * w: a number taken out of the graph
            _refuse("arithmetic on .data (taken out of the graph) with a Value")(self)
        return self

    # Python's arithmetic (numbers.Real asks for it); the engine's functions come from the op
    # table, below the class: x.exp(), x.max(y), ... (every ``Op.method``) give the stand-in too
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = _same

    __bool__ = _refuse("a Python bool (an `if`, `and`/`or`, `while`)")
    __float__ = _refuse("float()")
    __int__ = __index__ = __trunc__ = __floor__ = __ceil__ = __round__ = _refuse("int()/round()")
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse("floor division or %")
    __lt__ = _refuse("the comparison <")
    __le__ = _refuse("the comparison <=")
    __gt__ = _refuse("the comparison >")
    __ge__ = _refuse("the comparison >=")
    __eq__ = _refuse("the comparison ==")
    __ne__ = _refuse("the comparison !=")
    __array__ = _refuse("a numpy function (np.isnan, np.exp, np.asarray, ...)")
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<traced>"

    def __format__(self, spec: str) -> str:
        return "<traced>"


for _rule in RULES.values():  # so every forward rule of the table runs on the stand-in
    if _rule.method:
        setattr(TracedNumber, _rule.method, TracedNumber._same)

TRACED = TracedNumber()


@dataclass
class Trace:
    """What one call of ``fn`` on placeholders recorded."""

    outputs: list[Value]
    """The Values ``fn`` returned (one or several), the roots of the graph."""
    single: bool
    """True when ``fn`` returned one Value rather than a list."""
    placeholders: list[Value]
    """The input leaves: placeholder i stands for column i of the data."""
    parameters: list[Value]
    """Shared leaves whose gradients are wanted, in the caller's order."""
    order: list[Value]
    """Every node of the graph, each after its inputs."""


def trace(fn: Callable[[list[Value]], Any], n_inputs: int, parameters: Sequence[Value] | None = None) -> Trace:
    """Call ``fn(placeholders)`` once, with ``n_inputs`` placeholders, and record the graph.

    ``parameters`` are shared leaves such as a model's weights; they keep their numbers (the model
    is only read). With ``parameters=None`` every leaf of the graph that is not a placeholder
    counts as a parameter.
    """
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 0:
        raise ValueError(f"compile: n_inputs must be a non-negative int, got {n_inputs!r}")
    params = None if parameters is None else list(parameters)
    _check_parameters(params or [])
    placeholders = [Value(0.0, label=f"x{i}") for i in range(n_inputs)]
    for v in placeholders:
        v._data = TRACED  # a placeholder: no number (Value.data itself takes only finite numbers)
    anomaly, mode.anomaly = mode.anomaly, False  # there are no numbers to check while tracing
    try:
        with enable_grad(), tracing():
            result = fn(placeholders)
    finally:
        mode.anomaly = anomaly
    outputs, single = _as_outputs(result)
    order = topological_order(outputs)
    captured = next((v for v in order if v._op == "dot"), None)
    if captured is not None:  # made before tracing began (a closure's): not recorded as binary nodes
        raise TracingError(f"compile: the function uses a dot product made before it was traced "
                           f"({captured.label or captured!r}); the replay runs a dot product as the binary nodes "
                           "autograd.dot records while compile traces: compute it inside the function")
    inputs = set(placeholders)
    leaves = [v for v in order if not v._op and v not in inputs]
    for v in leaves:
        if isinstance(v.data, TracedNumber):
            raise ValueError(f"compile: the graph has a leaf ({v.label or v!r}) computed from traced values without "
                             "its graph (inside no_grad(), or by another compile's function), so it cannot be replayed")
    return Trace(outputs, single, placeholders, leaves if params is None else params, order)


def _check_parameters(params: list[Value]) -> None:
    """Parameters must be distinct leaves: a replay reads a leaf's ``.data`` and sums gradients into
    its row. A computed node (``w * 2``) would be recomputed from its own leaves and get no gradient
    of its own; a parameter listed twice would get its gradient twice from ``Compiled.backward``."""
    distinct = len(set(map(id, params))) == len(params)
    if distinct and all(type(p) is Value and not p._op for p in params):
        return  # the usual case, checked in one pass; the loop below names the first offender
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        name = f"parameters[{i}]" + (f" ({p.label!r})" if isinstance(p, Value) and p.label else "")
        if not isinstance(p, Value):
            raise TypeError(f"compile: {name} must be a Value, got {type(p).__name__}")
        if p.op:
            raise TypeError(f"compile: {name} is computed (by {p.op!r}), not a leaf; parameters must be leaves, "
                            "such as a model's weights. Pass the leaves it is computed from instead")
        if id(p) in seen:
            raise ValueError(f"compile: {name} is the same Value as parameters[{seen[id(p)]}]; "
                             "list each parameter once (its gradient would be counted twice)")
        seen[id(p)] = i


def _as_outputs(result: Any) -> tuple[list[Value], bool]:
    """fn's result as a list of Values (numbers become constant leaves) and whether it was one."""
    single = not isinstance(result, list | tuple)
    items = [result] if single else list(result)
    if not items:
        raise ValueError("compile: the traced function returned an empty list")
    outputs = []
    for i, item in enumerate(items):
        if isinstance(item, Value):
            outputs.append(item)
        elif isinstance(item, TracedNumber):
            _refuse("returning a number computed from .data")(item)
        elif isinstance(item, numbers.Real):
            outputs.append(Value(item))
        else:
            where = "the traced function's result" if single else f"output {i} of the traced function"
            raise TypeError(f"compile: {where} must be a Value or a number, got {type(item).__name__}")
    return outputs, single
