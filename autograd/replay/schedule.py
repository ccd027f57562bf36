"""Schedule: from a traced graph to groups of nodes and a row layout (after ``tracing.py``).

1. Sum chains. A neuron's pre-activation b + w0 x0 + w1 x1 + ... is a chain of additions, each
   node adding one term to the previous one: as nodes it is as deep as the neuron has inputs.
   Consecutive add/sub nodes are joined into one chain (a running sum) that counts as ONE step.
2. Depth. Leaves are at depth 0; a node is one deeper than its deepest input; a whole chain sits
   one deeper than its deepest term. Nodes at the same depth never depend on each other. Then
   every node moves as late as its readers allow (``_as_late_as_possible``): parts of a model
   that start at different depths but end in one sum (the positions of a sequence, whose
   attention is deeper for more positions) line up, and their nodes share groups.
3. Dot products. A chain whose terms are parameter * node products (``dense.py``) is a dot
   product; those with the same inputs (a layer's neurons) become one matrix product, and their
   products and inner running sums disappear from the schedule.
4. Groups. Nodes of the same operation at the same depth form one group (one numpy call for all
   of them), chains at the same depth one ``SumGroup``, dot products of the same inputs one
   ``DenseGroup``; a lone addition is an operation like any other. The number of groups grows
   with the depth and the number of kinds of operation, not with the number of nodes.
5. Layout. Each node that is computed one by one gets a row of the buffers; a group's outputs
   are consecutive rows. Groups are laid out in the order their consumers read them (last group
   first), so that most inputs are one contiguous range of rows: a view instead of a copy (see
   ``rows.py``). Parameters live in one vector (``Leaves``); only those read one by one (not only
   by a matrix product) also get rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from ..rules import RULES
from ..value import Value
from .dense import (
    DenseGroup,
    Dot,
    Leaves,
    dense_group,
    find_dots,
    from_leaf_vector,
    hidden_nodes,
    layer_signature,
    parts,
)
from .groups import OpGroup, SumGroup, TermRun
from .rows import Rows
from .tracing import Trace

ADDITIONS = ("add", "sub")


class Step(IntEnum):
    """The kind of a group; at one depth the running sums come first (the order groups are sorted in)."""

    SUM = 0
    """Chains of additions, replayed as running sums (``SumGroup``)."""
    OP = 1
    """Nodes of one operation (``OpGroup``)."""
    DENSE = 2
    """Dot products of the same inputs, replayed as one matrix product (``DenseGroup``, ``dense.py``)."""


class Operand(IntEnum):
    """What an operation's second input ``y`` is."""

    NONE = 0
    """A one-input operation (tanh, exp, ...)."""
    CONSTANT = 1
    """A number kept inline: the 2 of ``x * 2``, an activation's alpha."""
    NODE = 2
    """Another node of the graph."""


@dataclass(frozen=True, order=True)
class GroupKey:
    """Units with the same key form one group; groups run in the order of their keys (depth first)."""

    depth: int
    step: Step
    op: str = ""
    """The operation of an OP group ("" for sums)."""
    operand: Operand = Operand.NONE
    """What y is, for an OP group: nodes whose y differ in kind cannot share one numpy call."""
    size_class: int = 0
    """For a SUM group, the bit length of the chains' number of additions: chains within 2x of
    each other's length share a group (shorter ones are padded with zeros)."""
    signature: tuple = ()
    """For a DENSE group, (0, the inputs and the kinds of other terms its dot products share), or
    (1, the rows of W and those kinds) for a layer applied to several inputs (``dense.parts``)."""


class Chain:
    """A running sum: node j = term 0 + sign 1 * term 1 + ... + sign j * term j."""

    __slots__ = ("nodes", "terms", "signs", "depth", "read")

    def __init__(self, node: int, first: int, second: int, sign: float, depth: int) -> None:
        self.nodes = [node]
        self.terms = [first, second]
        self.signs = [1.0, sign]
        self.depth = depth
        self.read = False  # some node other than its next addition reads one of its sums: its depth is final

    def extend(self, node: int, term: int, sign: float) -> None:
        self.nodes.append(node)
        self.terms.append(term)
        self.signs.append(sign)


@dataclass
class _Graph:
    """The traced graph as lists indexed by node id; constants get the ids n, n + 1, ..."""

    order: list[Value]
    ops: list[str]
    xs: list[int]
    ys: list[int | float | None]  # a node id, a constant operand, or None
    depth: list[int]
    uses: list[int]  # how many nodes (or outputs) read each node
    chain_of: dict[int, Chain]
    constants: list[float]

    @property
    def n(self) -> int:
        return len(self.order)


@dataclass
class Schedule:
    """Everything the replay needs: groups in order and where each kind of row lives."""

    n_rows: int
    groups: list[OpGroup | SumGroup | DenseGroup]
    inputs: slice
    """Rows of the placeholders, in input order."""
    leaves: list[Value]
    """Every leaf that is not a placeholder: first the parameters, in the caller's order (also
    those the graph does not use), then the other leaves of the graph. ``numbers`` holds their
    numbers in this order: ``numbers.values[:n_parameters]`` are the parameters'."""
    n_parameters: int
    numbers: Leaves = field(repr=False)
    leaf_rows: slice
    """Rows of the leaves read by row (not only through a matrix product), in row order."""
    row_leaves: np.ndarray
    """For each of those rows, the leaf's index in ``leaves``."""
    constant_rows: slice
    constants: np.ndarray
    outputs: Rows
    depth: int = 0


def build_schedule(trace: Trace) -> Schedule:
    """Group and lay out a traced graph (see the module docstring)."""
    index = {v: i for i, v in enumerate(trace.order)}
    graph = _read_graph(trace.order, index, [index[v] for v in trace.outputs])
    _as_late_as_possible(graph, [index[v] for v in trace.outputs])
    placeholders = {index[p] for p in trace.placeholders if p in index}
    dots = find_dots(graph, placeholders)
    units = _merge_layers(_group(graph, dots, hidden_nodes(graph, dots)))
    keys = sorted(units)
    asked = _consumer_order(graph, units, keys, [index[v] for v in trace.outputs])
    first_asked = lambda i: asked.get(i, math.inf)
    n = graph.n
    row = np.full(n + len(graph.constants), -1, dtype=np.intp)
    for k, p in enumerate(trace.placeholders):
        if p in index:
            row[index[p]] = k
    next_row = len(trace.placeholders)
    # the leaves' vector: parameters first (the caller's order), then the graph's other leaves
    parameters = set(trace.parameters)
    leaves = list(trace.parameters) + [v for i, v in enumerate(graph.order)
                                       if not graph.ops[i] and i not in placeholders and v not in parameters]
    position = {index[v]: k for k, v in enumerate(leaves) if v in index}
    read_by_row = sorted((i for i in position if i in asked), key=first_asked)  # not only inside a matmul
    constant_ids = sorted(range(n, n + len(graph.constants)), key=first_asked)
    leaf_start, constant_start = next_row, next_row + len(read_by_row)
    next_row = constant_start + len(constant_ids)
    row[read_by_row + constant_ids] = np.arange(leaf_start, next_row)
    numbers = Leaves(np.zeros(len(leaves)), np.zeros(len(leaves)))
    groups: list[OpGroup | SumGroup | DenseGroup] = []
    for key in keys:
        if key.step == Step.OP:
            groups.append(_op_group(graph, units[key], key, next_row, row))
        elif key.step == Step.SUM:
            groups.append(_sum_group(graph, units[key], next_row, row))
        else:
            groups.append(dense_group(graph, units[key], next_row, row, position, numbers, len(trace.placeholders)))
        next_row = groups[-1].rows.stop
    return Schedule(
        n_rows=next_row,
        groups=groups,
        inputs=slice(0, len(trace.placeholders)),
        leaves=leaves,
        n_parameters=len(trace.parameters),
        numbers=numbers,
        leaf_rows=slice(leaf_start, constant_start),
        row_leaves=np.array([position[i] for i in read_by_row], dtype=np.intp),
        constant_rows=slice(constant_start, constant_start + len(constant_ids)),
        constants=np.array([graph.constants[i - n] for i in constant_ids], dtype=np.float64),
        outputs=Rows(row[[index[v] for v in trace.outputs]]),
        depth=max(graph.depth, default=0),
    )


# ---------------------------------------------------------------- 1-2: depths and chains


def _read_graph(order: list[Value], index: dict[Value, int], outputs: list[int]) -> _Graph:
    """Inputs, depths and use counts of every node; consecutive additions joined into chains.

    An addition ``acc + term`` (or ``acc - term``, or ``term + acc``) extends the chain ending at
    ``acc`` when (a) that chain's end is still open, that is no other addition extended it already
    (a chain is a line, not a tree), and (b) ``term`` is shallower than the chain, or no other
    node reads the chain's sums yet, so that the whole chain can wait for the term (``_may_wait``;
    otherwise a deeper term starts a new chain one step later). Anything else starts a new chain
    of one addition. A node's depth is read only once its chain's depth is final.
    """
    n = len(order)
    graph = _Graph(order, [v.op for v in order], [-1] * n, [None] * n, [0] * n, [0] * n, {}, [])
    constant_ids: dict[str, int] = {}

    def constant(c: float) -> int:  # a constant term of a chain gets an id (and later a row)
        key = float.hex(c)
        if key not in constant_ids:
            constant_ids[key] = n + len(graph.constants)
            graph.constants.append(c)
        return constant_ids[key]

    constant(0.0)  # the zero that pads shorter chains: id n
    depth, uses, chain_of = graph.depth, graph.uses, graph.chain_of
    depth_of = lambda t: (chain_of[t].depth if t in chain_of else depth[t]) if t < n else 0

    def read(t: Any) -> None:  # t is read by a node that does not extend its chain: the chain's depth is final
        if type(t) is int and t in chain_of:
            chain_of[t].read = True

    open_ends: set[int] = set()  # nodes ending a chain that no addition has extended yet
    for i, v in enumerate(order):
        if not v.op:
            continue
        parents = v.parents
        x = graph.xs[i] = index[parents[0]]
        y = graph.ys[i] = index[parents[1]] if len(parents) == 2 else v.constant
        uses[x] += 1
        if type(y) is int:
            uses[y] += 1
        if v.op not in ADDITIONS:
            read(x)
            read(y)
            depth[i] = 1 + max(depth_of(x), depth_of(y) if type(y) is int else 0)
            continue
        sign = 1.0 if v.op == "add" else -1.0
        term = y if type(y) is int else constant(y)
        if x in open_ends and _may_wait(chain_of[x], depth_of(term)):  # acc + term: extend acc's chain
            chain = chain_of[x]
            read(term)
            chain.extend(i, term, sign)
            open_ends.discard(x)
        elif sign > 0 and type(y) is int and y in open_ends and _may_wait(chain_of[y], depth_of(x)):  # term + acc
            chain = chain_of[y]
            read(x)
            chain.extend(i, x, sign)
            open_ends.discard(y)
        else:
            read(x)
            read(term)
            chain = Chain(i, x, term, sign, 1 + max(depth_of(x), depth_of(term)))
        chain.depth = max(chain.depth, 1 + depth_of(chain.terms[-1]))  # waits for a deeper term
        open_ends.add(i)
        chain_of[i] = chain
    for i, chain in chain_of.items():
        depth[i] = chain.depth
    for i in outputs:
        uses[i] += 1
    return graph


def _as_late_as_possible(graph: _Graph, outputs: list[int]) -> None:
    """Move every node (a chain as a whole) to the step just before its first reader, the outputs to the
    last step: then the parts of a model that end in one sum (a loss over the positions of a sequence)
    run side by side at the same depths, even where they start at different depths (attention over
    more or fewer positions). Done from the deepest units up, so that every reader is placed first."""
    n, depth, chain_of = graph.n, graph.depth, graph.chain_of
    last = max(depth, default=0)
    readers: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        if graph.ops[i]:
            readers[graph.xs[i]].append(i)
            if type(graph.ys[i]) is int:
                readers[graph.ys[i]].append(i)
    is_output = set(outputs)
    placed: set[int] = set()
    for i in sorted((i for i in range(n) if graph.ops[i]), key=depth.__getitem__, reverse=True):
        chain = chain_of.get(i)
        if chain is not None and id(chain) in placed:
            continue
        members = chain.nodes if chain is not None else [i]
        if chain is not None:
            placed.add(id(chain))
        inside = set(members)
        late = [last] if inside & is_output else []
        late += [depth[r] - 1 for j in members for r in readers[j] if r not in inside]
        if not late:  # read by nothing: stays where it is
            continue
        for j in members:
            depth[j] = min(late)
        if chain is not None:
            chain.depth = min(late)


def _may_wait(chain: Chain, term_depth: int) -> bool:
    """Whether ``chain`` may take a term of this depth: a shallower term, or any term while no node
    reads its sums yet (then the whole chain waits for the term, one step instead of two chains)."""
    return term_depth < chain.depth or not chain.read


# ---------------------------------------------------------------- 3-4: dot products and groups


def _group(graph: _Graph, dots: dict[int, Dot], hidden: set[int]) -> dict[GroupKey, list]:
    """Units (node ids, chains or dots) by group key, in graph order. ``hidden`` nodes are computed
    inside a matrix product: they are no unit."""
    units: dict[GroupKey, list] = {}
    seen: set[int] = set()
    for i in range(graph.n):
        if not graph.ops[i] or i in hidden and graph.chain_of.get(i) is None:
            continue
        chain = graph.chain_of.get(i)
        if chain is not None and id(chain) not in dots and len(chain.nodes) == 1:
            chain = None  # a lone addition is one operation, cheaper than a running sum
        if chain is None:
            y = graph.ys[i]
            operand = Operand.NONE if y is None else (Operand.NODE if type(y) is int else Operand.CONSTANT)
            units.setdefault(GroupKey(graph.depth[i], Step.OP, graph.ops[i], operand), []).append(i)
        elif id(chain) in dots and id(chain) not in seen:
            seen.add(id(chain))
            dot = dots[id(chain)]
            units.setdefault(GroupKey(chain.depth, Step.DENSE, signature=(0, dot.signature)), []).append(dot)
        elif id(chain) not in seen:
            seen.add(id(chain))
            size_class = (len(chain.nodes) - 1).bit_length()
            units.setdefault(GroupKey(chain.depth, Step.SUM, size_class=size_class), []).append(chain)
    return units


def _merge_layers(units: dict[GroupKey, list]) -> dict[GroupKey, list]:
    """Dense groups at one depth that multiply the same W (a layer applied at several positions of a
    sequence) become one group of several parts (``dense.parts``): one batched matrix product."""
    merged: dict[GroupKey, list] = {}
    for key, group in units.items():
        layer = layer_signature(group) if key.step == Step.DENSE else None
        if layer is not None:
            key = GroupKey(key.depth, Step.DENSE, signature=(1, layer))
        merged.setdefault(key, []).extend(group)
    return merged


# ---------------------------------------------------------------- 5: layout


def _consumer_order(graph: _Graph, units: dict[GroupKey, list], keys: list[GroupKey], outputs: list[int]
                    ) -> dict[int, int]:
    """Sort each group's units in the order its consumers read them, last group first; return
    the rank at which each node (or constant) was first read, which orders the leaves too."""
    asked: dict[int, int] = {}

    def ask(t: int) -> None:
        if t not in asked:
            asked[t] = len(asked)

    for i in outputs:
        ask(i)
    late = math.inf
    for key in reversed(keys):
        group = units[key]
        if key.step == Step.OP:
            group.sort(key=lambda i: asked.get(i, late))
            for i in group:
                ask(graph.xs[i])
            for i in group:
                if type(graph.ys[i]) is int:
                    ask(graph.ys[i])
        elif key.step == Step.DENSE:
            group.sort(key=lambda d: asked.get(d.chain.nodes[-1], late))
            group[:] = [dot for part in parts(group) for dot in part]
            for part in parts(group):
                for i in part[0].inputs:
                    ask(i)
            for k in range(len(group[0].kinds)):
                if not from_leaf_vector(group, k):
                    for dot in group:
                        ask(dot.others[k][0])
        else:
            group.sort(key=lambda c: min(asked.get(j, late) for j in c.nodes))
            width = max(len(c.nodes) for c in group)
            for position in range(width + 1):
                for chain in group:
                    j = position - (width - len(chain.nodes))
                    if j >= 0:
                        ask(chain.terms[j])
    return asked


def _op_group(graph: _Graph, nodes: list[int], key: GroupKey, start: int, row: np.ndarray) -> OpGroup:
    """The OpGroup of ``nodes`` (one op, one depth), its outputs in rows from ``start``."""
    op = key.op
    row[nodes] = np.arange(start, start + len(nodes))
    y: Rows | np.ndarray | None = None
    if key.operand == Operand.NODE:
        y = Rows(row[[graph.ys[i] for i in nodes]])
    elif key.operand == Operand.CONSTANT:
        y = np.array([[graph.ys[i]] for i in nodes], dtype=np.float64)
    return OpGroup(op, RULES[op], slice(start, start + len(nodes)), Rows(row[[graph.xs[i] for i in nodes]]), y,
                   [graph.order[i] for i in nodes])


def _sum_group(graph: _Graph, chains: list[Chain], start: int, row: np.ndarray) -> SumGroup:
    """The SumGroup of ``chains`` laid out from row ``start`` (row = start + position * m + chain),
    every chain ending at the last position; its terms read in runs of positions."""
    width, m = max(len(c.nodes) for c in chains), len(chains)
    terms = np.full((width + 1, m), row[graph.n], dtype=np.intp)  # padding reads the zero
    real = np.zeros((width + 1, m), dtype=bool)
    signs = np.ones((width + 1, m, 1))
    for c, chain in enumerate(chains):
        pad = width - len(chain.nodes)
        for j, node in enumerate(chain.nodes, start=1):
            row[node] = start + (pad + j) * m + c
        terms[pad:, c] = row[chain.terms]
        real[pad:, c] = True
        signs[pad:, c, 0] = chain.signs
    runs: list[TermRun] = []
    position = 0
    while position <= width:
        end = position + 1
        if real[position].all() and _consecutive(terms[position]):  # extend while rows stay consecutive
            while end <= width and real[end].all() and terms[end, 0] == terms[end - 1, -1] + 1 \
                    and _consecutive(terms[end]):
                end += 1
            runs.append(TermRun(position, end, Rows(terms[position:end].ravel()), None))
        else:
            while end <= width and not (real[end].all() and _consecutive(terms[end])):
                end += 1
            flat_real = real[position:end].ravel()
            rows = terms[position:end].ravel()[flat_real]
            runs.append(TermRun(position, end, Rows(rows), None if flat_real.all() else np.flatnonzero(flat_real)))
        position = end
    interior_used = any(graph.uses[j] > 1 for chain in chains for j in chain.nodes[:-1])
    return SumGroup(slice(start, start + (width + 1) * m), width, m, runs, None if (signs > 0).all() else signs,
                    interior_used, [graph.order[chain.nodes[-1]] for chain in chains])


def _consecutive(rows: np.ndarray) -> bool:
    return bool((np.diff(rows) == 1).all())
