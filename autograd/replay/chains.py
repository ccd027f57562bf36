"""Schedule, steps 1-2: the traced graph as lists, its chains of additions and every node's depth.

1. Sum chains. A neuron's pre-activation b + w0 x0 + w1 x1 + ... is a chain of additions, each
   node adding one term to the previous one: as nodes it is as deep as the neuron has inputs.
   Consecutive add/sub nodes are joined into one chain (a running sum) that counts as ONE step.
2. Depth. Leaves are at depth 0; a node is one deeper than its deepest input; a whole chain sits
   one deeper than its deepest term (``read_graph``). Then every node moves as late as its
   readers allow (``as_late_as_possible``): parts of a model that start at different depths but
   end in one sum (the positions of a sequence, whose attention is deeper for more positions)
   line up, and their nodes share groups. Nodes at the same depth never depend on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..value import Value

ADDITIONS = ("add", "sub")


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


def read_graph(order: list[Value], index: dict[Value, int], outputs: list[int]) -> _Graph:
    """Inputs, depths and use counts of every node; consecutive additions joined into chains.

    An addition ``acc + term`` (or ``acc - term``, or ``term + acc``) extends the chain ending at
    ``acc`` when (a) that chain's end is still open, that is no other addition extended it already
    (a chain is a line, not a tree), and (b) ``term`` is shallower than the chain, or no other
    node reads the chain's sums yet, so that the whole chain can wait for the term (``_may_take``;
    otherwise a deeper term starts a new chain one step later). Anything else starts a new chain
    of one addition. A node's depth is read only once its chain's depth is final.
    """
    n = len(order)
    graph = _Graph(order, [v._op for v in order], [-1] * n, [None] * n, [0] * n, [0] * n, {}, [])
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

    def read(t: Any) -> int:
        """t's depth, for a node that reads t but does not extend its chain: the chain's depth is final."""
        if type(t) is not int or t >= n:
            return 0
        if t not in chain_of:
            return depth[t]
        chain = chain_of[t]
        chain.read = True
        return chain.depth

    open_ends: set[int] = set()  # nodes ending a chain that no addition has extended yet
    xs, ys, ops = graph.xs, graph.ys, graph.ops
    for i, v in enumerate(order):  # the nodes' own slots, read directly: this loop sees every node
        op = ops[i]
        if not op:
            continue
        x = xs[i] = index[v._x]
        y = v._y
        uses[x] += 1
        if type(y) is Value:
            y = index[y]
            uses[y] += 1
        elif type(y) is not float:  # a one-input op (Value.constant: only a float is an operand)
            y = None
        ys[i] = y
        if op not in ADDITIONS:  # read(x) and read(y), written out: most nodes pass here
            if x in chain_of:
                chain = chain_of[x]
                chain.read = True
                dx = chain.depth
            else:
                dx = depth[x]
            if type(y) is int:
                dy = read(y)
                dx = dx if dx > dy else dy
            depth[i] = 1 + dx
            continue
        sign = 1.0 if op == "add" else -1.0
        term = y if type(y) is int else constant(y)
        if x in open_ends and _may_take(chain_of[x], term, depth_of(term), chain_of):  # acc + term: extend acc's chain
            chain = chain_of[x]
            read(term)
            chain.extend(i, term, sign)
            open_ends.discard(x)
        elif sign > 0 and type(y) is int and y in open_ends and _may_take(chain_of[y], x, depth_of(x), chain_of):
            chain = chain_of[y]  # term + acc
            read(x)
            chain.extend(i, x, sign)
            open_ends.discard(y)
        else:
            chain = Chain(i, x, term, sign, 1 + max(read(x), read(term)))
        chain.depth = max(chain.depth, 1 + depth_of(chain.terms[-1]))  # waits for a deeper term
        open_ends.add(i)
        chain_of[i] = chain
    for i, chain in chain_of.items():
        depth[i] = chain.depth
    for i in outputs:
        uses[i] += 1
    return graph


def as_late_as_possible(graph: _Graph, outputs: list[int]) -> None:
    """Move every node (a chain as a whole) to the step just before its first reader, the outputs to the
    last step: then the parts of a model that end in one sum (a loss over the positions of a sequence)
    run side by side at the same depths, even where they start at different depths (attention over
    more or fewer positions). Done from the deepest units up, so that every reader is placed first
    and has told its inputs how late they may be (``latest``)."""
    n, depth, chain_of = graph.n, graph.depth, graph.chain_of
    last = max(depth, default=0)
    latest = [last + 1] * (n + len(graph.constants))  # last + 1: read by nothing (yet)
    for i in outputs:
        latest[i] = last
    by_depth: list[list[int]] = [[] for _ in range(last + 1)]
    for i in range(n):
        if graph.ops[i]:
            by_depth[depth[i]].append(i)

    def before(t: Any, d: int) -> None:  # t is read at depth d + 1
        if type(t) is int and d < latest[t]:
            latest[t] = d

    xs, ys = graph.xs, graph.ys
    for nodes in reversed(by_depth):
        for i in nodes:
            chain = chain_of.get(i)
            if chain is None:  # one node: before(x) and before(y), written out (hot loop)
                if latest[i] <= last:  # (read by nothing: stays where it is)
                    depth[i] = latest[i]
                d, x, y = depth[i] - 1, xs[i], ys[i]
                if d < latest[x]:
                    latest[x] = d
                if type(y) is int and d < latest[y]:
                    latest[y] = d
            elif i == chain.nodes[-1]:  # a chain, placed once, as a whole: its sums are read outside only
                late = min(latest[j] for j in chain.nodes)
                if late <= last:
                    chain.depth = late
                    for j in chain.nodes:
                        depth[j] = late
                for t in chain.terms:
                    before(t, chain.depth - 1)


def _may_take(chain: Chain, term: int, term_depth: int, chain_of: dict[int, Chain]) -> bool:
    """Whether ``chain`` may add ``term``: a shallower term, or any term while no node reads its sums
    yet (then the whole chain waits for the term: one step instead of two chains), but never one of
    its own sums (s + s is no running sum: s would be computed from itself)."""
    return term_depth < chain.depth or (not chain.read and chain_of.get(term) is not chain)
