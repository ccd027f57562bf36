"""From a traced graph to a replay schedule: depths, sum chains, groups and the row layout.

1. Sum chains. A neuron's pre-activation b + w0 x0 + w1 x1 + ... is a chain of additions, each
   node adding one term to the previous one: as nodes it is as deep as the neuron has inputs.
   Consecutive add/sub nodes are joined into one chain (a running sum) that counts as ONE step.
2. Depth. Leaves are at depth 0; a node is one deeper than its deepest input; a whole chain sits
   one deeper than its deepest term. Nodes at the same depth never depend on each other.
3. Groups. Nodes of the same operation at the same depth form one group (one numpy call for all
   of them), chains at the same depth one ``SumGroup``. The number of groups grows with the depth
   and the number of kinds of operation, not with the number of nodes.
4. Layout. Each node gets a row of the buffers; a group's outputs are consecutive rows. Groups
   are laid out in the order their consumers read them (last group first), so that most inputs
   are one contiguous range of rows: a view instead of a copy (see ``rows.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .groups import OpGroup, SumGroup
from .rows import Rows
from .rules import RULES
from .tracing import Trace
from .value import Value

ADDITIONS = ("add", "sub")


class _Chain:
    """A running sum: node j = term 0 + sign 1 * term 1 + ... + sign j * term j."""

    __slots__ = ("nodes", "terms", "signs", "depth")

    def __init__(self, node: int, first: int, second: int, sign: float, depth: int) -> None:
        self.nodes = [node]
        self.terms = [first, second]
        self.signs = [1.0, sign]
        self.depth = depth


@dataclass
class Schedule:
    """Everything the replay needs: groups in order and where each kind of row lives."""

    n_rows: int
    groups: list[OpGroup | SumGroup]
    inputs: slice
    """Rows of the placeholders, in input order."""
    leaves: list[Value]
    """The parameters (and other leaves) in the graph, in row order from ``leaf_rows.start``."""
    leaf_rows: slice
    param_leaf: np.ndarray
    """For each parameter, its index in ``leaves`` (-1 when the graph does not use it)."""
    constant_rows: slice
    constants: np.ndarray
    outputs: Rows
    row_of: dict[Value, int] = field(repr=False)
    depth: int = 0


def build_schedule(trace: Trace) -> Schedule:
    """Group and lay out a traced graph (see the module docstring)."""
    order = trace.order
    n = len(order)
    index = {v: i for i, v in enumerate(order)}
    constants: dict[str, int] = {}  # a number's hex -> its id (n, n + 1, ...)
    constant_values: list[float] = []

    def constant(c: float) -> int:
        key = float.hex(c)
        if key not in constants:
            constants[key] = n + len(constant_values)
            constant_values.append(c)
        return constants[key]

    zero = constant(0.0)  # pads shorter chains
    ops = [v.op for v in order]
    xs = [-1] * n
    ys: list[int | float | None] = [None] * n  # an id, a constant, or None
    depth = [0] * n
    uses = [0] * n
    chain_of: dict[int, _Chain] = {}
    open_ends: set[int] = set()  # ends of chains that the next addition may extend

    def depth_of(t: int) -> int:
        return depth[t] if t < n else 0

    for i, v in enumerate(order):
        if not ops[i]:
            continue
        parents = v.parents
        x = xs[i] = index[parents[0]]
        uses[x] += 1
        y: int | float | None = v.constant
        if len(parents) == 2:
            y = index[parents[1]]
            uses[y] += 1
        ys[i] = y
        if ops[i] not in ADDITIONS:
            depth[i] = 1 + max(depth[x], depth[y] if type(y) is int else 0)
            continue
        sign = 1.0 if ops[i] == "add" else -1.0
        term = y if type(y) is int else constant(y)
        if x in open_ends and depth_of(term) < chain_of[x].depth:
            chain, acc = chain_of[x], x
        elif sign > 0 and type(y) is int and y in open_ends and depth[x] < chain_of[y].depth:
            chain, acc, term = chain_of[y], y, x
        else:
            chain, acc = _Chain(i, x, term, sign, 1 + max(depth[x], depth_of(term))), None
        if acc is not None:
            chain.nodes.append(i)
            chain.terms.append(term)
            chain.signs.append(sign)
            open_ends.discard(acc)
        open_ends.add(i)
        chain_of[i] = chain
        depth[i] = chain.depth
    for v in trace.outputs:
        uses[index[v]] += 1

    # ---- groups: (depth, kind, op, variant) -> units (node ids, or chains), in graph order
    units: dict[tuple, list] = {}
    seen_chains: set[int] = set()
    for i in range(n):
        if not ops[i]:
            continue
        if i in chain_of:
            chain = chain_of[i]
            if id(chain) not in seen_chains:
                seen_chains.add(id(chain))
                size = len(chain.nodes)
                units.setdefault((chain.depth, 0, "", (size - 1).bit_length()), []).append(chain)
            continue
        variant = 0 if ys[i] is None else (2 if type(ys[i]) is int else 1)
        units.setdefault((depth[i], 1, ops[i], variant), []).append(i)
    keys = sorted(units)

    # ---- layout: order each group's units as its consumers ask for them, last group first
    asked: dict[int, int] = {}

    def ask(t: int) -> None:
        if t not in asked:
            asked[t] = len(asked)

    for v in trace.outputs:
        ask(index[v])
    late = math.inf
    for key in reversed(keys):
        group = units[key]
        if key[1]:
            group.sort(key=lambda i: asked.get(i, late))
            for i in group:
                ask(xs[i])
            for i in group:
                if type(ys[i]) is int:
                    ask(ys[i])
        else:
            group.sort(key=lambda c: min(asked.get(j, late) for j in c.nodes))
            width = max(len(c.nodes) for c in group)
            for position in range(width + 1):
                for chain in group:
                    j = position - (width - len(chain.nodes))
                    if j >= 0:
                        ask(chain.terms[j])

    # ---- rows: placeholders, leaves, constants, then each group's block
    row = np.full(n + len(constant_values), -1, dtype=np.intp)
    placeholders = [index[p] for p in trace.placeholders if p in index]
    for k, p in enumerate(trace.placeholders):
        if p in index:
            row[index[p]] = k
    next_row = len(trace.placeholders)
    inputs = set(placeholders)
    leaves = sorted((i for i in range(n) if not ops[i] and i not in inputs), key=lambda i: asked.get(i, late))
    leaf_start = next_row
    for i in leaves:
        row[i], next_row = next_row, next_row + 1
    constant_start = next_row
    constant_ids = sorted(range(n, n + len(constant_values)), key=lambda i: asked.get(i, late))
    for i in constant_ids:
        row[i], next_row = next_row, next_row + 1
    groups: list[OpGroup | SumGroup] = []
    for key in keys:
        group = units[key]
        start = next_row
        if key[1]:
            next_row += len(group)
            row[group] = np.arange(start, next_row)
            op = key[2]
            if key[3] == 2:
                y = Rows(row[[ys[i] for i in group]])
            elif key[3] == 1:
                y = np.array([[ys[i]] for i in group], dtype=np.float64)
            else:
                y = None
            groups.append(OpGroup(op, RULES[op], slice(start, next_row), Rows(row[[xs[i] for i in group]]), y,
                                  [order[i] for i in group]))
        else:
            width, m = max(len(c.nodes) for c in group), len(group)
            next_row += (width + 1) * m
            for c_index, chain in enumerate(group):
                pad = width - len(chain.nodes)
                for j, node in enumerate(chain.nodes, start=1):
                    row[node] = start + (pad + j) * m + c_index
            interior_used = any(uses[j] > 1 for chain in group for j in chain.nodes[:-1])
            ends = [order[chain.nodes[-1]] for chain in group]
            groups.append(_sum_group(group, start, width, row, zero, interior_used, ends))
    leaf_index = {order[i]: k for k, i in enumerate(leaves)}
    param_leaf = np.array([leaf_index.get(p, -1) for p in trace.parameters], dtype=np.intp)
    return Schedule(
        n_rows=next_row,
        groups=groups,
        inputs=slice(0, len(trace.placeholders)),
        leaves=[order[i] for i in leaves],
        leaf_rows=slice(leaf_start, constant_start),
        param_leaf=param_leaf,
        constant_rows=slice(constant_start, constant_start + len(constant_ids)),
        constants=np.array([constant_values[i - n] for i in constant_ids], dtype=np.float64),
        outputs=Rows(row[[index[v] for v in trace.outputs]]),
        row_of={v: int(row[i]) for i, v in enumerate(order)},
        depth=max(depth, default=0),
    )


def _sum_group(chains: list[_Chain], start: int, width: int, row: np.ndarray, zero: int, interior_used: bool,
               ends: list[Value]) -> SumGroup:
    """The SumGroup of ``chains`` laid out from row ``start``: terms read in runs of positions."""
    m = len(chains)
    terms = np.full((width + 1, m), row[zero], dtype=np.intp)
    real = np.zeros((width + 1, m), dtype=bool)
    signs = np.ones((width + 1, m, 1))
    for c_index, chain in enumerate(chains):
        pad = width - len(chain.nodes)
        terms[pad:, c_index] = row[chain.terms]
        real[pad:, c_index] = True
        signs[pad:, c_index, 0] = chain.signs
    runs: list[tuple[int, int, Rows, np.ndarray | None]] = []
    position = 0
    while position <= width:
        end = position + 1
        if real[position].all() and _consecutive(terms[position]):  # extend while rows stay consecutive
            while end <= width and real[end].all() and terms[end, 0] == terms[end - 1, -1] + 1 \
                    and _consecutive(terms[end]):
                end += 1
            runs.append((position, end, Rows(terms[position:end].ravel()), None))
        else:
            while end <= width and not (real[end].all() and _consecutive(terms[end])):
                end += 1
            flat_real = real[position:end].ravel()
            rows = terms[position:end].ravel()[flat_real]
            runs.append((position, end, Rows(rows), None if flat_real.all() else np.flatnonzero(flat_real)))
        position = end
    return SumGroup(slice(start, start + (width + 1) * m), width, m, runs,
                    None if (signs > 0).all() else signs, interior_used, ends)


def _consecutive(rows: np.ndarray) -> bool:
    return bool((np.diff(rows) == 1).all())
