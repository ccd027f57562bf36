"""Stage 3, plan: give every node that is computed one by one a row, and make the groups' numpy
calls (after ``schedule.py``, whose groups' members it sorts in the order they are read).

Each group's outputs are consecutive rows. Groups are laid out in the order their consumers read
them (last group first), so that most inputs are one contiguous range of rows: a view instead of
a copy (see ``rows.py``). Rows, from the top: the placeholders (in input order), the leaves read
one by one, the constants, then the groups' outputs in the order the groups run. Parameters live
in one vector (``LeafNumbers``); only those read one by one (not only by a matrix product) also
get rows. A dense group's W is a view of that vector when its parameters are laid out evenly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..rules import RULES
from .chains import Chain
from .dense import DenseGroup, LeafNumbers, OtherTerm
from .dots import Dot, from_leaf_vector, parts
from .group import Group
from .op_group import OpGroup
from .rows import Rows
from .schedule import GroupKind, Schedule, ScheduledGroup, SecondInput
from .sum_group import SumGroup, TermRun
from .trace import NodeKind, ReplayGraph


@dataclass
class Plan:
    """Everything the executor needs: the groups in order and where each kind of row lives."""

    graph: ReplayGraph
    n_rows: int
    groups: list[Group]
    numbers: LeafNumbers = field(repr=False)
    """The leaves' numbers and gradients, in the order of ``graph.leaves``."""
    row_of: np.ndarray
    """The row of each node id, -1 for a node with no row (inside a matrix product)."""
    inputs: slice
    """Rows of the placeholders, in input order."""
    leaf_rows: slice
    """Rows of the leaves read by row (not only through a matrix product), in row order."""
    row_leaves: np.ndarray
    """For each of those rows, the leaf's index in ``graph.leaves``."""
    constant_rows: slice
    constants: np.ndarray
    outputs: Rows
    depth: int

    @property
    def computed(self) -> slice:
        """The rows written by the groups (laid out last)."""
        return slice(self.groups[0].rows.start if self.groups else self.n_rows, self.n_rows)


def build_plan(scheduled: Schedule, all_gradients: bool = False) -> Plan:
    """Lay out ``scheduled`` (see the module docstring). With ``all_gradients`` the backward pass
    also leaves every running sum's gradient in its row (``Compiled.graph`` shows them)."""
    graph = scheduled.graph
    asked = _consumer_order(graph, scheduled.groups)
    first_asked = lambda i: asked.get(i, math.inf)
    row = np.full(graph.size, -1, dtype=np.intp)
    index = graph.index
    for k, p in enumerate(graph.placeholders):
        if p in index:
            row[index[p]] = k
    next_row = len(graph.placeholders)
    position = {index[v]: k for k, v in enumerate(graph.leaves) if v in index}
    read_by_row = sorted((i for i in position if i in asked), key=first_asked)
    constant_ids = sorted(range(graph.n_values, graph.size), key=first_asked)  # after the Values
    leaf_start, constant_start = next_row, next_row + len(read_by_row)
    next_row = constant_start + len(constant_ids)
    row[read_by_row + constant_ids] = np.arange(leaf_start, next_row)
    numbers = LeafNumbers(np.zeros(len(graph.leaves)), np.zeros(len(graph.leaves)))
    groups: list[Group] = []
    for group in scheduled.groups:
        kind, members = group.key.kind, group.members
        if kind == GroupKind.OP:
            groups.append(_op_group(graph, members, group.key.op, group.key.second, next_row, row))
        elif kind == GroupKind.SUM:
            groups.append(_sum_group(graph, members, next_row, row, all_gradients))
        else:
            groups.append(_dense_group(graph, members, next_row, row, position, numbers))
        next_row = groups[-1].rows.stop
    return Plan(
        graph=graph,
        n_rows=next_row,
        groups=groups,
        numbers=numbers,
        row_of=row,
        inputs=slice(0, len(graph.placeholders)),
        leaf_rows=slice(leaf_start, constant_start),
        row_leaves=np.array([position[i] for i in read_by_row], dtype=np.intp),
        constant_rows=slice(constant_start, constant_start + len(constant_ids)),
        constants=np.array([graph.constant(i) for i in constant_ids], dtype=np.float64),
        outputs=Rows(row[graph.outputs]),
        depth=scheduled.depth,
    )


def _consumer_order(graph: ReplayGraph, groups: list[ScheduledGroup]) -> dict[int, int]:
    """Sort each group's members in the order its consumers read them, last group first; return
    the rank at which each node (or constant) was first read, which orders the leaves too."""
    asked: dict[int, int] = {}

    def ask(t: int) -> None:
        if t not in asked:
            asked[t] = len(asked)

    for i in graph.outputs:
        ask(i)
    late = math.inf
    for group in reversed(groups):
        kind, members = group.key.kind, group.members
        if kind == GroupKind.OP:
            members.sort(key=lambda i: asked.get(i, late))
            for i in members:
                ask(graph.x[i])
            for i in members:
                if type(graph.y[i]) is int:
                    ask(graph.y[i])
        elif kind == GroupKind.DENSE:
            members.sort(key=lambda d: asked.get(d.chain.nodes[-1], late))
            split = parts(members)
            members[:] = [dot for part in split for dot in part]
            for part in split:
                for i in part[0].inputs:
                    ask(i)
            for k in range(len(members[0].kinds)):
                if not from_leaf_vector(members, k):
                    for dot in members:
                        ask(dot.others[k][0])
        else:
            members.sort(key=lambda c: min(asked.get(j, late) for j in c.nodes))
            width = max(len(c.nodes) for c in members)
            for position in range(width + 1):
                for chain in members:
                    j = position - (width - len(chain.nodes))
                    if j >= 0:
                        ask(chain.terms[j])
    return asked


def _op_group(graph: ReplayGraph, nodes: list[int], op: str, second: SecondInput, start: int,
              row: np.ndarray) -> OpGroup:
    """The OpGroup of ``nodes`` (one op, one depth), its outputs in rows from ``start``."""
    row[nodes] = np.arange(start, start + len(nodes))
    y: Rows | np.ndarray | None = None
    if second == SecondInput.NODE:
        y = Rows(row[[graph.y[i] for i in nodes]])
    elif second == SecondInput.CONSTANT:
        y = np.array([[graph.y[i]] for i in nodes], dtype=np.float64)
    return OpGroup(op, RULES[op], slice(start, start + len(nodes)),
                   Rows(row[[graph.x[i] for i in nodes]]), y, [graph.values[i] for i in nodes])


def _sum_group(graph: ReplayGraph, chains: list[Chain], start: int, row: np.ndarray,
               all_gradients: bool) -> SumGroup:
    """The SumGroup of ``chains`` laid out from row ``start`` (row = start + position * m +
    chain), every chain ending at the last position; its terms read in runs of positions."""
    width, m = max(len(c.nodes) for c in chains), len(chains)
    terms = np.full((width + 1, m), row[graph.zero], dtype=np.intp)  # padding reads the zero
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
        if real[position].all() and _consecutive(terms[position]):  # extend while consecutive
            while end <= width and real[end].all() and terms[end, 0] == terms[end - 1, -1] + 1 \
                    and _consecutive(terms[end]):
                end += 1
            runs.append(TermRun(position, end, Rows(terms[position:end].ravel()), None))
        else:
            while end <= width and not (real[end].all() and _consecutive(terms[end])):
                end += 1
            flat_real = real[position:end].ravel()
            rows = terms[position:end].ravel()[flat_real]
            runs.append(TermRun(position, end, Rows(rows),
                                None if flat_real.all() else np.flatnonzero(flat_real)))
        position = end
    interior_used = all_gradients or any(
        graph.uses[j] > 1 for chain in chains for j in chain.nodes[:-1])
    return SumGroup(slice(start, start + (width + 1) * m), width, m, runs,
                    None if (signs > 0).all() else signs, interior_used,
                    [graph.values[chain.nodes[-1]] for chain in chains])


def _consecutive(rows: np.ndarray) -> bool:
    return bool((np.diff(rows) == 1).all())


def _dense_group(graph: ReplayGraph, dots: list[Dot], start: int, row: np.ndarray,
                 position: dict[int, int], numbers: LeafNumbers) -> DenseGroup:
    """The DenseGroup of ``dots`` (one or several parts, see ``dots.parts``), each dot's sum in
    one row from ``start``, part after part."""
    split = parts(dots)
    dots = [dot for part in split for dot in part]
    ends = [dot.chain.nodes[-1] for dot in dots]
    row[ends] = np.arange(start, start + len(dots))
    input_ids = [i for part in split for i in part[0].inputs]
    inputs = row[input_ids]
    weights = np.array([[position[w] for w in dot.weights] for dot in split[0]], dtype=np.intp)
    others = []
    for k in range(len(dots[0].kinds)):
        terms = [dot.others[k][0] for dot in dots]
        sign = dots[0].others[k][1]
        if from_leaf_vector(dots, k):
            others.append(OtherTerm(sign, np.array([position[t] for t in terms], dtype=np.intp),
                                    None))
        else:
            others.append(OtherTerm(sign, None, Rows(row[terms])))
    need_gradient = any(graph.kinds[i] is not NodeKind.INPUT for i in input_ids)
    return DenseGroup(slice(start, start + len(dots)), Rows(inputs), weights, others, numbers,
                      need_gradient, [graph.values[i] for i in ends], len(split))

