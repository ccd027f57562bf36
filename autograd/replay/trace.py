"""Stage 1, trace: run a scalar function once on placeholders and keep its graph as a ReplayGraph.

``trace(fn, n_inputs, parameters)`` calls ``fn`` on a list of placeholder Values whose ``data``
is ``TRACED`` (``tracing.py``: arithmetic works, ``if``/``float()`` raise), then numbers the
graph's nodes in topological order and reads each node's inputs once (``node_inputs``, the one
place that reads a Value's input slots). The later stages see only the ``ReplayGraph``: lists
indexed by node id, no Value attribute lookups in their loops.

The model is not touched: its parameters keep their numbers while ``fn`` runs, so another
thread can use the model meanwhile. The price: a branch on a parameter's number alone
(``if w > 0``, ``w * w.data``) is not detected; it is frozen as it was at tracing time.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..backward import topological_order
from ..modes import enable_grad, mode, tracing
from ..value import Value
from .tracing import TRACED, TracedNumber, TracingError, refusal

ADDITIONS = ("add", "sub")
"""The ops joined into running sums (``chains.py``); their constant operands become nodes."""


class NodeKind(Enum):
    """What a node id stands for."""

    INPUT = "input"
    """A placeholder: column i of the batch."""
    LEAF = "leaf"
    """A parameter or another leaf Value: its number is read from ``.data`` at every call."""
    OP = "op"
    """A node computed by an operation of ``rules.py``."""
    CONSTANT = "constant"
    """A number added or subtracted in a sum (the 2 of ``x + 2``), or the 0 padding short sums."""


Second = int | float | None
"""An operation's second input: a node id, a constant kept inline (the 2 of ``x * 2``, an
activation's alpha), or None for a one-input operation."""


@dataclass
class ReplayGraph:
    """A traced graph as lists indexed by node id.

    Ids ``0 .. n_values - 1`` are the traced Values in topological order (``values[i]``); the
    constants of sums follow them as nodes of their own (``kinds[i] is NodeKind.CONSTANT``,
    number ``constant(i)``), so that a sum reads every term from a row.
    """

    values: list[Value]
    """The traced Values, each after its inputs."""
    kinds: list[NodeKind]
    """The kind of every id, constants included."""
    ops: list[str]
    """The operation of each Value ("" for a leaf or an input)."""
    x: list[int]
    """The first input's id (-1 for a leaf or an input)."""
    y: list[Second]
    """The second input (``Second``)."""
    uses: list[int]
    """How many operations (and outputs) read each id."""
    outputs: list[int]
    """The ids of what ``fn`` returned."""
    single: bool
    """True when ``fn`` returned one Value rather than a list."""
    placeholders: list[Value]
    """The input leaves: placeholder i stands for column i of the data."""
    leaves: list[Value]
    """Every leaf that is not a placeholder: the parameters first, in the caller's order (also
    those the graph does not use), then the graph's other leaves."""
    n_parameters: int
    constants: list[float] = field(default_factory=list)
    """The constants' numbers: id ``n_values + k`` is ``constants[k]``; id ``n_values`` is 0."""
    index: dict[Value, int] = field(default_factory=dict, repr=False)
    """The id of each traced Value."""
    _constant_ids: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def n_values(self) -> int:
        return len(self.values)

    @property
    def size(self) -> int:
        """Number of ids: the Values and the constants."""
        return len(self.kinds)

    @property
    def zero(self) -> int:
        """The id of the constant 0 (padding of short sums)."""
        return self.n_values

    @property
    def parameters(self) -> list[Value]:
        return self.leaves[:self.n_parameters]

    def constant(self, i: int) -> float:
        return self.constants[i - self.n_values]

    def constant_id(self, c: float) -> int:
        """The id of the constant node holding ``c`` (made on first use)."""
        key = float.hex(c)
        if key not in self._constant_ids:
            self._constant_ids[key] = self.size
            self.constants.append(c)
            self.kinds.append(NodeKind.CONSTANT)
            self.uses.append(0)
        return self._constant_ids[key]


def node_inputs(order: list[Value]) -> tuple[list[Any], list[Any]]:
    """The first and the second input of every node of ``order``: for an operation's node, x is
    a Value and y its second input Value, its constant operand (a float) or anything else for a
    one-input operation."""
    return [v._x for v in order], [v._y for v in order]


def trace(fn: Callable[[list[Value]], Any], n_inputs: int,
          parameters: Sequence[Value] | None = None) -> ReplayGraph:
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
    if captured is not None:  # made before tracing began (a closure's): no binary nodes recorded
        raise TracingError(
            f"compile: the function uses a dot product made before it was traced "
            f"({captured.label or captured!r}); the replay runs a dot product as the binary nodes "
            "autograd.dot records while compile traces: compute it inside the function")
    inputs = set(placeholders)
    leaves = [v for v in order if not v._op and v not in inputs]
    for v in leaves:
        if isinstance(v.data, TracedNumber):
            raise ValueError(
                f"compile: the graph has a leaf ({v.label or v!r}) computed from traced values "
                "without its graph (inside no_grad(), or by another compile's function), so it "
                "cannot be replayed")
    if params is not None:
        chosen = set(params)
        leaves = params + [v for v in leaves if v not in chosen]
    return _read(order, outputs, single, placeholders, leaves,
                 len(leaves) if params is None else len(params))


def _read(order: list[Value], outputs: list[Value], single: bool, placeholders: list[Value],
          leaves: list[Value], n_parameters: int) -> ReplayGraph:
    """The ReplayGraph of ``order``: every node's inputs read once, constants of sums as nodes."""
    n = len(order)
    index = {v: i for i, v in enumerate(order)}
    ops = [v._op for v in order]
    kinds = [NodeKind.OP if op else NodeKind.LEAF for op in ops]
    for p in placeholders:
        if p in index:
            kinds[index[p]] = NodeKind.INPUT
    graph = ReplayGraph(order, kinds, ops, [-1] * n, [None] * n, [0] * n,
                        [index[v] for v in outputs], single, placeholders, leaves, n_parameters,
                        index=index)
    graph.constant_id(0.0)  # the zero that pads shorter sums: id n
    xs, ys, uses = graph.x, graph.y, graph.uses
    first, second = node_inputs(order)
    for i in range(n):
        op = ops[i]
        if not op:
            continue
        x = xs[i] = index[first[i]]
        uses[x] += 1
        y = second[i]
        if type(y) is Value:
            y = ys[i] = index[y]
            uses[y] += 1
        elif type(y) is float:  # an operand kept inline (only a float is one)
            ys[i] = y
            if op in ADDITIONS:
                graph.constant_id(y)
    for i in graph.outputs:
        uses[i] += 1
    return graph


def _check_parameters(params: list[Value]) -> None:
    """Parameters must be distinct leaves: a replay reads a leaf's ``.data`` and sums gradients
    into its row. A computed node (``w * 2``) would be recomputed from its own leaves and get no
    gradient of its own; a parameter listed twice would get its gradient twice."""
    distinct = len(set(map(id, params))) == len(params)
    if distinct and all(type(p) is Value and not p._op for p in params):
        return  # the usual case, checked in one pass; the loop below names the first offender
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        name = f"parameters[{i}]" + (f" ({p.label!r})" if isinstance(p, Value) and p.label else "")
        if not isinstance(p, Value):
            raise TypeError(f"compile: {name} must be a Value, got {type(p).__name__}")
        if p.op:
            raise TypeError(f"compile: {name} is computed (by {p.op!r}), not a leaf; parameters "
                            "must be leaves, such as a model's weights. Pass the leaves it is "
                            "computed from instead")
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
            raise refusal("returning a number computed from .data")
        elif isinstance(item, numbers.Real):
            outputs.append(Value(item))
        else:
            where = ("the traced function's result" if single
                     else f"output {i} of the traced function")
            raise TypeError(
                f"compile: {where} must be a Value or a number, got {type(item).__name__}")
    return outputs, single
