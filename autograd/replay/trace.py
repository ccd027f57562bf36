"""Stage 1, trace: run a scalar function once on placeholders and keep its graph as a ReplayGraph.

``trace(fn, n_inputs, parameters)`` calls ``fn`` on a list of placeholder Values whose ``data``
is ``TRACED`` (``tracing.py``: arithmetic works, ``if``/``float()`` raise), then numbers the
graph's nodes in topological order and reads each node's inputs once (``_traced_order``, the one
place that reads a Value's input slots; a dot node becomes the products and sums it adds). The
later stages see only the ``ReplayGraph``: lists indexed by node id, no Value attribute lookups
in their loops.

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

from ..modes import enable_grad, mode, tracing
from ..value import Value
from .tracing import TRACED, TracedNumber, refusal

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
    """The traced Value of each id, each after its inputs (the products and running sums of a dot
    node all have the dot node, which is the last of them: ``_traced_order``)."""
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
    dot_sums: set[int] = field(default_factory=set, repr=False)
    """The running sums s_2, s_3, ... of the dot nodes: s_k = s_{k-1} + m_k, where nothing else
    reads s_{k-1} or the product m_k (``chains.py`` extends s_{k-1}'s chain without asking)."""
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
    values, ops, xs, ys, index, dot_sums = _traced_order(outputs)
    inputs = set(placeholders)
    leaves = [v for v in index if not v._op and v not in inputs]
    for v in leaves:
        if isinstance(v.data, TracedNumber):
            raise ValueError(
                f"compile: the graph has a leaf ({v.label or v!r}) computed from traced values "
                "without its graph (inside no_grad(), or by another compile's function), so it "
                "cannot be replayed")
    if params is not None:
        chosen = set(params)
        leaves = params + [v for v in leaves if v not in chosen]
    graph = ReplayGraph(values, [NodeKind.OP if op else NodeKind.LEAF for op in ops], ops, xs, ys,
                        [0] * len(ops), [index[v] for v in outputs], single, placeholders, leaves,
                        len(leaves) if params is None else len(params), index=index,
                        dot_sums=dot_sums)
    _finish(graph)
    return graph


def _traced_order(outputs: list[Value]) -> tuple[list[Value], list[str], list[int], list[Second],
                                                 dict[Value, int], set[int]]:
    """Every node the outputs depend on, each after its inputs (depth first, as
    ``backward.topological_order``), read into lists: (values, ops, x, y, index, dot_sums).

    A dot node (``products.py``) of n terms gets the 2n - 1 ids of ``reduce(add, map(mul, a, b))``:
    products m_k = a_k b_k and running sums s_k = s_{k-1} + m_k, all with ``values[i]`` the dot
    node, which is the last of them (``index``); they come in the order a depth-first search
    of those binary nodes would give (a_0, b_0, m_0, a_1, b_1, m_1, s_1, ...), so the later
    stages find the sums of products they know.
    """
    out = _Lists()
    visited: set[Value] = set()
    for root in outputs:
        stack: list[tuple[Value, Any]] = [(root, None)]
        while stack:
            node, step = stack.pop()
            if step is True:
                out.node(node)
            elif step is not None:
                out.term(node, *step)
            elif node in visited:
                continue
            elif node._op == "dot":  # a first visit: push the emissions, then the inputs
                visited.add(node)
                a, b = _dot_inputs(node)
                n = len(a)
                if all(v in visited or not v._op for v in a + b):  # no search below: at once
                    for k in range(n):
                        for v in (a[k], b[k]):
                            if v not in visited:  # a leaf: its node, then nothing to search
                                visited.add(v)
                                out.node(v)
                        out.term(node, k, a[k], b[k], k == n - 1)
                    continue
                for k in range(n - 1, -1, -1):  # k-th: visit a_k, b_k, emit m_k (and s_k)
                    stack.append((node, (k, a[k], b[k], k == n - 1)))
                    if b[k] not in visited:
                        stack.append((b[k], None))
                    if a[k] not in visited:
                        stack.append((a[k], None))
            else:
                visited.add(node)
                stack.append((node, True))
                y = node._y
                if type(y) is Value and y not in visited:
                    stack.append((y, None))
                x = node._x
                if x is not None and x not in visited:
                    stack.append((x, None))
    return out.values, out.ops, out.x, out.y, out.index, out.dot_sums


class _Lists:
    """What ``_traced_order`` reads, appended one id at a time."""

    def __init__(self) -> None:
        self.values: list[Value] = []
        self.ops: list[str] = []
        self.x: list[int] = []
        self.y: list[Second] = []
        self.index: dict[Value, int] = {}
        self.dot_sums: set[int] = set()
        self._running: dict[Value, int] = {}  # a dot node's last running sum so far

    def node(self, v: Value) -> None:
        """A Value's own node, after its inputs: a leaf, or an operation of one or two inputs."""
        self.index[v] = len(self.ops)
        self.values.append(v)
        op = v._op
        self.ops.append(op or "")
        if not op:
            self.x.append(-1)
            self.y.append(None)
            return
        self.x.append(self.index[v._x])
        y = v._y
        self.y.append(self.index[y] if type(y) is Value else y if type(y) is float else None)

    def term(self, dot: Value, k: int, a: Value, b: Value, last: bool) -> None:
        """The k-th product m_k = a_k b_k of a dot node, then (k >= 1) s_k = s_{k-1} + m_k."""
        i = len(self.ops)
        self.values.append(dot)
        self.ops.append("mul")
        self.x.append(self.index[a])
        self.y.append(self.index[b])
        if k:
            self.values.append(dot)
            self.ops.append("add")
            self.x.append(self._running[dot])
            self.y.append(i)
            i += 1
            if k > 1:
                self.dot_sums.add(i)
        if last:
            self.index[dot] = i
        else:
            self._running[dot] = i


def _dot_inputs(node: Value) -> tuple[tuple[Value, ...], tuple[Value, ...]]:
    """(a, b) of a dot node, whose inputs are a_0, a_1 (``_x``, ``_y``), then ``_rest``:
    a_2 .. a_{n-1}, b_0 .. b_{n-1}; a dot of one term has inputs a_0 and b_0."""
    rest = node._rest
    if not rest:
        return (node._x,), (node._y,)
    n = len(rest) // 2 + 1
    return (node._x, node._y, *rest[:n - 2]), rest[n - 2:]


def _finish(graph: ReplayGraph) -> None:
    """Count how many operations (and outputs) read each id, make the constants of sums nodes
    and mark the placeholders."""
    graph.constant_id(0.0)  # the zero that pads shorter sums: id n_values
    ops, xs, ys, uses = graph.ops, graph.x, graph.y, graph.uses
    for i in range(len(ops)):
        op = ops[i]
        if not op:
            continue
        uses[xs[i]] += 1
        y = ys[i]
        if type(y) is int:
            uses[y] += 1
        elif type(y) is float and op in ADDITIONS:  # an operand kept inline (only a float is one)
            graph.constant_id(y)
    for i in graph.outputs:
        uses[i] += 1
    for p in graph.placeholders:
        if p in graph.index:
            graph.kinds[graph.index[p]] = NodeKind.INPUT


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
