"""Stage 2, schedule, step 3: the dot products of a ReplayGraph, to run as matrix products.

A neuron's pre-activation ``b + w0 x0 + w1 x1 + ...`` is a chain of additions (``chains.py``)
whose terms are products of a parameter and an input. When several chains multiply the SAME
inputs ``x0, x1, ...`` (the neurons of one layer, written with ``nn.Layer`` or by hand with
Values), their sums are one matrix product (D1), run by ``DenseGroup`` (``dense.py``)::

    out[c] = sum_j W[c, j] x_j + (other terms of chain c)        for every chain c

A chain is a ``Dot`` when its products and its running sums are used by nothing else (they are
then never needed one by one: they get no rows), every product is ``parameter * node`` (either
order) added with a + sign, and it has at least one of them. Its other terms (a bias, a
constant, any node) stay, in order, with their signs. Dots with the same inputs and the same
kinds of other terms share one group (``Share.INPUTS``); groups of one depth multiplying the
same W (a layer applied at several positions of a sequence) are merged into one group of
several parts (``Share.WEIGHTS``), a batched matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .chains import Chain, Chains
from .trace import NodeKind, ReplayGraph


class TermKind(IntEnum):
    """What a Dot's other term is."""

    LEAF = 0
    """A parameter: read from the leaves' vector when the group's leaves are distinct."""
    NODE = 1
    """A node or a constant: read from its row."""


class Share(IntEnum):
    """What the dot products of one dense group have in common (``GroupKey.share``)."""

    NONE = 0
    """Not a dense group."""
    INPUTS = 1
    """The same inputs: one matrix product W @ X (``Dot.signature``)."""
    WEIGHTS = 2
    """The same W applied to several inputs: P parts, one batched product (``layer_signature``)."""


@dataclass
class Dot:
    """A chain of additions that is a dot product of parameters with nodes, plus other terms."""

    chain: Chain
    inputs: tuple[int, ...]
    """The nodes multiplied by parameters, sorted by node id (the columns of X)."""
    weights: tuple[int, ...]
    """The parameter multiplying each input (a row of W)."""
    others: tuple[tuple[int, float], ...]
    """(term, sign) of the terms that are not such products, in the chain's order."""
    kinds: tuple[TermKind, ...]
    """The kind of each of the other terms."""

    @property
    def terms_signature(self) -> tuple[tuple[TermKind, float], ...]:
        """The kinds and signs of the other terms: equal in all Dots of a group."""
        return tuple(zip(self.kinds, (s for _, s in self.others), strict=True))

    @property
    def signature(self) -> tuple:
        """Dots with equal signatures share a matrix product: same inputs, same kinds of other
        terms."""
        return self.inputs, self.terms_signature


def layer_signature(dots: list[Dot]) -> tuple | None:
    """Groups of Dots with equal layer signatures at one depth are one layer applied to several
    inputs: the same rows of W (each input's weight at the same place, as inputs are sorted by
    node id), the same kinds of other terms. None when two Dots of the group have the same row
    (no such merge)."""
    rows = sorted(dot.weights for dot in dots)
    if len(set(rows)) != len(rows):
        return None
    return tuple(rows), dots[0].terms_signature


def parts(dots: list[Dot]) -> list[list[Dot]]:
    """The Dots of a group split by their inputs (one part per input list, in order of first
    appearance), each part in the order of the first part's weights: row c of W is the same in
    all."""
    if all(dot.inputs == dots[0].inputs for dot in dots):
        return [dots]
    by_inputs: dict[tuple[int, ...], dict[tuple[int, ...], Dot]] = {}
    for dot in dots:  # merged by layer_signature: the weights' rows within one part are distinct
        by_inputs.setdefault(dot.inputs, {})[dot.weights] = dot
    split = list(by_inputs.values())
    first = list(split[0])
    return [[part[w] for w in first] for part in split]


def find_dots(graph: ReplayGraph, chains: Chains) -> dict[int, Dot]:
    """The chains that are Dots, by ``id(chain)``.

    A term is a product when it is ``mul`` of a parameter and a non-parameter node, read once
    (``(input, parameter)``); the test is written out in the loop, which sees every term."""
    is_parameter = [kind is NodeKind.LEAF for kind in graph.kinds]
    uses, ops, xs, ys, n = graph.uses, graph.ops, graph.x, graph.y, graph.n_values
    dots: dict[int, Dot] = {}
    for chain in chains.distinct():
        nodes = chain.nodes
        if len(nodes) > 1 and any(uses[j] != 1 for j in nodes[:-1]):  # a sum read elsewhere
            continue
        products: list[tuple[int, int]] = []
        others: list[tuple[int, float]] = []
        for term, sign in zip(chain.terms, chain.signs, strict=True):
            if sign > 0 and term < n and ops[term] == "mul" and uses[term] == 1:
                x, y = xs[term], ys[term]  # a constant's id is >= n: no product
                if type(y) is int and is_parameter[x] != is_parameter[y]:
                    products.append((y, x) if is_parameter[x] else (x, y))
                    continue
            others.append((term, sign))
        if not products:
            continue
        products.sort()
        kinds = tuple(TermKind.LEAF if is_parameter[t] else TermKind.NODE for t, _ in others)
        inputs, weights = zip(*products)
        dots[id(chain)] = Dot(chain, inputs, weights, tuple(others), kinds)
    return dots


def as_early_as_possible(graph: ReplayGraph, chains: Chains, dots: dict[int, Dot]) -> None:
    """Move each Dot back to just after its inputs (``chains.as_late_as_possible`` placed every
    node just before its first reader): the same layer's Dots then meet at one depth even where
    their readers are at several (the keys and queries of a sequence's positions, read by
    attention over more or fewer positions), and they make one matrix product. Its chain sits two
    steps after its deepest input, as the scalar graph has it (the products, then the running
    sum). Shallowest first, so that a Dot reading another Dot sees where that one moved."""
    depth = chains.depth
    for dot in sorted(dots.values(), key=lambda d: d.chain.depth):
        chain = dot.chain
        ready = max([depth[x] + 1 for x in dot.inputs] + [depth[t] for t, _ in dot.others])
        chain.depth = ready + 1
        for j in chain.nodes:
            depth[j] = chain.depth


def hidden_nodes(dots: dict[int, Dot]) -> set[int]:
    """Products and inner running sums of the Dots: computed inside the matrix product, no rows."""
    hidden: set[int] = set()
    for dot in dots.values():
        others = {t for t, _ in dot.others}
        hidden.update(t for t in dot.chain.terms if t not in others)
        hidden.update(dot.chain.nodes[:-1])
    return hidden


def from_leaf_vector(dots: list[Dot], k: int) -> bool:
    """Whether the k-th other terms of ``dots`` are read from the leaves' vector (distinct leaves,
    such as a layer's biases) rather than from rows."""
    terms = [dot.others[k][0] for dot in dots]
    return dots[0].kinds[k] == TermKind.LEAF and len(set(terms)) == len(terms)
