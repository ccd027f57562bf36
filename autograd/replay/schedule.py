"""Schedule: from a traced graph to groups of nodes and a row layout (after ``tracing.py``).

1-2. Sum chains and depths (``chains.py``): consecutive additions are joined into running sums
   that count as ONE step each; every node gets a depth, as late as its readers allow, such that
   nodes at the same depth never depend on each other.
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

import numpy as np

from ..rules import RULES
from ..value import Value
from .chains import Chain, _Graph, as_late_as_possible, read_graph
from .dense import (
    DenseGroup,
    Dot,
    Leaves,
    as_early_as_possible,
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
    graph = read_graph(trace.order, index, [index[v] for v in trace.outputs])
    as_late_as_possible(graph, [index[v] for v in trace.outputs])
    placeholders = {index[p] for p in trace.placeholders if p in index}
    dots = find_dots(graph, placeholders)
    as_early_as_possible(graph, dots)
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


# ---------------------------------------------------------------- 1-2: depths and chains: chains.py
# ---------------------------------------------------------------- 3-4: dot products and groups


def _group(graph: _Graph, dots: dict[int, Dot], hidden: set[int]) -> dict[GroupKey, list]:
    """Units (node ids, chains or dots) by group key, in graph order. ``hidden`` nodes are computed
    inside a matrix product: they are no unit."""
    by_op: dict[tuple[int, str, Operand], list[int]] = {}  # plain tuples: one GroupKey per group
    units: dict[GroupKey, list] = {}
    seen: set[int] = set()
    ops, ys, depth, chain_of = graph.ops, graph.ys, graph.depth, graph.chain_of
    for i in range(graph.n):
        op = ops[i]
        if not op:
            continue
        chain = chain_of.get(i)
        if chain is None and i in hidden:
            continue
        if chain is not None and len(chain.nodes) == 1 and id(chain) not in dots:
            chain = None  # a lone addition is one operation, cheaper than a running sum
        if chain is None:
            y = ys[i]
            operand = Operand.NONE if y is None else (Operand.NODE if type(y) is int else Operand.CONSTANT)
            key = (depth[i], op, operand)
            if key in by_op:
                by_op[key].append(i)
            else:
                by_op[key] = [i]
        elif id(chain) not in seen:
            seen.add(id(chain))
            dot = dots.get(id(chain))
            if dot is not None:
                key = GroupKey(chain.depth, Step.DENSE, signature=(0, dot.signature))
                units.setdefault(key, []).append(dot)
            else:
                size_class = (len(chain.nodes) - 1).bit_length()
                key = GroupKey(chain.depth, Step.SUM, size_class=size_class)
                units.setdefault(key, []).append(chain)
    for (d, op, operand), nodes in by_op.items():
        units[GroupKey(d, Step.OP, op, operand)] = nodes
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
            split = parts(group)
            group[:] = [dot for part in split for dot in part]
            for part in split:
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
