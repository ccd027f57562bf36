"""Stage 2, schedule: from a ReplayGraph to groups of nodes, each group one numpy call.

1-2. Sum chains and depths (``chains.py``): consecutive additions are joined into running sums
   that count as ONE step each; every node gets a depth, as late as its readers allow, such that
   nodes at the same depth never depend on each other.
3. Dot products (``dots.py``). A chain whose terms are parameter * node products is a dot
   product; those with the same inputs (a layer's neurons) become one matrix product, and their
   products and inner running sums disappear from the schedule.
4. Groups. Nodes of the same operation at the same depth form one group (one numpy call for all
   of them), chains at the same depth one sum group, dot products of the same inputs one dense
   group; a lone addition is an operation like any other. The number of groups grows with the
   depth and the number of kinds of operation, not with the number of nodes.

The result is data (``Schedule``: groups of node ids, chains or dot products, in the order they
run); rows and numpy calls come next (``plan.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .chains import Chain, Chains, as_late_as_possible, find_chains
from .dots import Dot, Share, as_early_as_possible, find_dots, hidden_nodes, layer_signature
from .trace import ReplayGraph


class GroupKind(IntEnum):
    """The kind of a group; at one depth the running sums come first (the order groups run in)."""

    SUM = 0
    """Chains of additions, replayed as running sums (``SumGroup``)."""
    OP = 1
    """Nodes of one operation (``OpGroup``)."""
    DENSE = 2
    """Dot products of the same inputs or weights, one matrix product (``DenseGroup``)."""


class SecondInput(IntEnum):
    """What the second input ``y`` of the nodes of an OP group is."""

    NONE = 0
    """A one-input operation (tanh, exp, ...)."""
    CONSTANT = 1
    """A number kept inline: the 2 of ``x * 2``, an activation's alpha."""
    NODE = 2
    """Another node of the graph."""


@dataclass(frozen=True, order=True)
class GroupKey:
    """Members with the same key form one group; groups run in the order of their keys (depth
    first)."""

    depth: int
    kind: GroupKind
    op: str = ""
    """The operation of an OP group ("" otherwise)."""
    second: SecondInput = SecondInput.NONE
    """What y is, for an OP group: nodes whose y differ in kind cannot share one numpy call."""
    size_class: int = 0
    """For a SUM group, the bit length of the chains' number of additions: chains within 2x of
    each other's length share a group (shorter ones are padded with zeros)."""
    share: Share = Share.NONE
    """For a DENSE group, what its dot products share (``dots.Share``)."""
    signature: tuple = ()
    """For a DENSE group, what they share: ``Dot.signature`` or ``dots.layer_signature``."""


@dataclass
class ScheduledGroup:
    """One group of the schedule: its key and its members, node ids (OP), ``Chain``s (SUM) or
    ``Dot``s (DENSE)."""

    key: GroupKey
    members: list


@dataclass
class Schedule:
    """The groups of a ReplayGraph, in the order they run."""

    graph: ReplayGraph
    chains: Chains
    groups: list[ScheduledGroup]
    hidden: set[int]
    """Nodes computed inside a matrix product, never one by one."""
    depth: int


def schedule(graph: ReplayGraph, matrix_products: bool = True) -> Schedule:
    """Group the nodes of ``graph`` (see the module docstring). Without ``matrix_products`` no
    dot product is found, so that every node is computed one by one (``Compiled.graph``)."""
    chains = find_chains(graph)
    as_late_as_possible(graph, chains)
    dots = find_dots(graph, chains) if matrix_products else {}
    as_early_as_possible(graph, chains, dots)
    hidden = hidden_nodes(dots)
    members = _merge_layers(_group(graph, chains, dots, hidden))
    groups = [ScheduledGroup(key, members[key]) for key in sorted(members)]
    return Schedule(graph, chains, groups, hidden, max(chains.depth, default=0))


def _group(graph: ReplayGraph, chains: Chains, dots: dict[int, Dot], hidden: set[int]
           ) -> dict[GroupKey, list]:
    """Members (node ids, chains or dots) by group key, in graph order. ``hidden`` nodes are
    computed inside a matrix product: they are no member."""
    by_op: dict[tuple[int, str, SecondInput], list[int]] = {}  # plain tuples: fast to hash
    members: dict[GroupKey, list] = {}
    ops, ys, depth, chain_of = graph.ops, graph.y, chains.depth, chains.chain_of
    for i in range(graph.n_values):
        op = ops[i]
        if not op:
            continue
        chain: Chain | None = chain_of.get(i)
        if chain is None:
            if i in hidden:
                continue
        elif chain.nodes[0] != i:
            continue  # the chain is a member once, at its first node
        elif len(chain.nodes) == 1 and id(chain) not in dots:
            chain = None  # a lone addition is one operation, cheaper than a running sum
        if chain is None:
            y = ys[i]
            second = (SecondInput.NONE if y is None
                      else SecondInput.NODE if type(y) is int else SecondInput.CONSTANT)
            key = (depth[i], op, second)
            if key in by_op:
                by_op[key].append(i)
            else:
                by_op[key] = [i]
        else:
            dot = dots.get(id(chain))
            if dot is not None:
                key = GroupKey(chain.depth, GroupKind.DENSE, share=Share.INPUTS,
                               signature=dot.signature)
                members.setdefault(key, []).append(dot)
            else:
                size_class = (len(chain.nodes) - 1).bit_length()
                key = GroupKey(chain.depth, GroupKind.SUM, size_class=size_class)
                members.setdefault(key, []).append(chain)
    for (d, op, second), nodes in by_op.items():
        members[GroupKey(d, GroupKind.OP, op, second)] = nodes
    return members


def _merge_layers(members: dict[GroupKey, list]) -> dict[GroupKey, list]:
    """Dense groups at one depth that multiply the same W (a layer applied at several positions
    of a sequence) become one group of several parts (``dots.parts``): one batched product."""
    merged: dict[GroupKey, list] = {}
    for key, group in members.items():
        layer = layer_signature(group) if key.kind == GroupKind.DENSE else None
        if layer is not None:
            key = GroupKey(key.depth, GroupKind.DENSE, share=Share.WEIGHTS, signature=layer)
        merged.setdefault(key, []).extend(group)
    return merged
