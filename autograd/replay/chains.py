"""Stage 2, schedule, steps 1-2: the chains of additions of a ReplayGraph and every node's depth.

1. Sum chains. A neuron's pre-activation b + w0 x0 + w1 x1 + ... is a chain of additions, each
   node adding one term to the previous one: as nodes it is as deep as the neuron has inputs.
   Consecutive add/sub nodes are joined into one chain (a running sum) that counts as ONE step.
2. Depth. Leaves are at depth 0; a node is one deeper than its deepest input; a whole chain sits
   one deeper than its deepest term (``find_chains``). Then every node moves as late as its
   readers allow (``as_late_as_possible``): parts of a model that start at different depths but
   end in one sum (the positions of a sequence, whose attention is deeper for more positions)
   line up, and their nodes share groups. Nodes at the same depth never depend on each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from .trace import ADDITIONS, ReplayGraph


class Chain:
    """A running sum: node j = term 0 + sign 1 * term 1 + ... + sign j * term j."""

    __slots__ = ("nodes", "terms", "signs", "depth", "read")

    def __init__(self, node: int, first: int, second: int, sign: float, depth: int) -> None:
        self.nodes = [node]
        self.terms = [first, second]
        self.signs = [1.0, sign]
        self.depth = depth
        self.read = False  # a node other than its next addition reads a sum: its depth is final

    def extend(self, node: int, term: int, sign: float) -> None:
        self.nodes.append(node)
        self.terms.append(term)
        self.signs.append(sign)


@dataclass
class Chains:
    """Every node's depth and the running sums the additions were joined into."""

    depth: list[int]
    """The depth of each id (constants: 0); a chain's nodes share the chain's depth."""
    chain_of: dict[int, Chain]
    """The chain of each addition that is part of one."""

    def distinct(self) -> list[Chain]:
        """Each chain once, in the order of its first node."""
        return list({id(c): c for c in self.chain_of.values()}.values())


def find_chains(graph: ReplayGraph) -> Chains:
    """Depths of every node; consecutive additions joined into chains.

    An addition ``acc + term`` (or ``acc - term``, or ``term + acc``) extends the chain ending at
    ``acc`` when (a) that chain's end is still open, that is no other addition extended it already
    (a chain is a line, not a tree), and (b) ``term`` is shallower than the chain, or no other
    node reads the chain's sums yet, so that the whole chain can wait for the term (``_may_take``;
    otherwise a deeper term starts a new chain one step later). Anything else starts a new chain
    of one addition. A node's depth is read only once its chain's depth is final.
    """
    n = graph.n_values
    depth = [0] * graph.size
    chain_of: dict[int, Chain] = {}
    depth_of = lambda t: chain_of[t].depth if t in chain_of else depth[t]

    def read(t: int) -> int:
        """t's depth, for a node that reads t but does not extend its chain: the chain's depth
        is final."""
        if t not in chain_of:
            return depth[t]
        chain = chain_of[t]
        chain.read = True
        return chain.depth

    open_ends: set[int] = set()  # nodes ending a chain that no addition has extended yet
    xs, ys, ops, dot_sums = graph.x, graph.y, graph.ops, graph.dot_sums
    for i in range(n):
        op = ops[i]
        if not op:
            continue
        x, y = xs[i], ys[i]
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
        if i in dot_sums:  # s_k = s_{k-1} + m_k of a dot: always extends s_{k-1}'s chain
            chain = chain_of[x]
            chain.extend(i, y, 1.0)
            d = 1 + depth[y]  # m_k, a product
            if d > chain.depth:
                chain.depth = d
            open_ends.discard(x)
            open_ends.add(i)
            chain_of[i] = chain
            continue
        sign = 1.0 if op == "add" else -1.0
        term = y if type(y) is int else graph.constant_id(y)
        chain = chain_of.get(x) if x in open_ends else None  # acc + term: extend acc's chain
        if chain is not None and _may_take(chain, term, depth_of(term), chain_of):
            read(term)
            chain.extend(i, term, sign)
            open_ends.discard(x)
        elif (
            sign > 0
            and type(y) is int
            and y in open_ends
            and _may_take(chain_of[y], x, depth_of(x), chain_of)
        ):
            chain = chain_of[y]  # term + acc
            read(x)
            chain.extend(i, x, sign)
            open_ends.discard(y)
        else:
            dx, dt = read(x), read(term)
            chain = Chain(i, x, term, sign, 1 + (dx if dx > dt else dt))
        last = chain.terms[-1]  # the chain waits for a deeper term
        d = 1 + (chain_of[last].depth if last in chain_of else depth[last])
        if d > chain.depth:
            chain.depth = d
        open_ends.add(i)
        chain_of[i] = chain
    for i, chain in chain_of.items():
        depth[i] = chain.depth
    return Chains(depth, chain_of)


def as_late_as_possible(graph: ReplayGraph, chains: Chains) -> None:
    """Move every node (a chain as a whole) to the step just before its first reader, the outputs
    to the last step: then the parts of a model that end in one sum (a loss over the positions of
    a sequence)
    run side by side at the same depths, even where they start at different depths (attention over
    more or fewer positions). Done from the deepest units up, so that every reader is placed first
    and has told its inputs how late they may be (``latest``)."""
    n, depth, chain_of = graph.n_values, chains.depth, chains.chain_of
    last = max(depth, default=0)
    latest = [last + 1] * graph.size  # last + 1: read by nothing (yet)
    for i in graph.outputs:
        latest[i] = last
    by_depth: list[list[int]] = [[] for _ in range(last + 1)]
    ops = graph.ops
    for i in range(n):
        if ops[i]:
            by_depth[depth[i]].append(i)

    xs, ys = graph.x, graph.y
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
            elif (
                i == chain.nodes[-1]
            ):  # a chain, placed once, as a whole: its sums are read outside only
                late = min([latest[j] for j in chain.nodes])
                if late <= last:
                    chain.depth = late
                    for j in chain.nodes:
                        depth[j] = late
                d = chain.depth - 1  # every term is read at the chain's depth
                for t in chain.terms:
                    if d < latest[t]:
                        latest[t] = d


def _may_take(chain: Chain, term: int, term_depth: int, chain_of: dict[int, Chain]) -> bool:
    """Whether ``chain`` may add ``term``: a shallower term, or any term while no node reads its
    sums
    yet (then the whole chain waits for the term: one step instead of two chains), but never one of
    its own sums (s + s is no running sum: s would be computed from itself)."""
    return term_depth < chain.depth or (not chain.read and chain_of.get(term) is not chain)
