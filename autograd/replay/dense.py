"""Schedule, dense part: find the dot products of a traced graph, to run them as matrix products.

A neuron's pre-activation ``b + w0 x0 + w1 x1 + ...`` is a chain of additions (``schedule.py``)
whose terms are products of a parameter and an input. When several chains multiply the SAME
inputs ``x0, x1, ...`` (the neurons of one layer, written with ``nn.Layer`` or by hand with
Values), their sums are one matrix product (D1)::

    out[c] = sum_j W[c, j] x_j + (other terms of chain c)        for every chain c
    forward:   OUT = W @ X                     (m chains, K inputs, B examples: (m, K) @ (K, B))
    backward:  dW  = G @ X.T   (summed over the batch: the parameters' gradient, D11)
               dX  = W.T @ G   (the inputs' gradient, added to their rows)

A chain is a ``Dot`` when its products and its running sums are used by nothing else (they are
then never needed one by one: they get no rows), every product is ``parameter * node`` (either
order) added with a + sign, and it has at least one of them. Its other terms (a bias, a
constant, any node) stay, in order, with their signs. Dots with the same inputs and the same
kinds of other terms share one ``DenseGroup`` (``groups.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schedule import Chain, _Graph

LEAF, NODE = 0, 1
"""Kinds of the other terms of a Dot: a parameter (read from the parameter vector, no row), or a
node or constant (read from its row)."""


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
    kinds: tuple[int, ...]
    """LEAF or NODE, for each of the other terms."""

    @property
    def signature(self) -> tuple:
        """Dots with equal signatures share a matrix product: same inputs, same kinds of other terms."""
        return self.inputs, tuple(zip(self.kinds, (s for _, s in self.others), strict=True))


def find_dots(graph: _Graph, placeholders: set[int]) -> dict[int, Dot]:
    """The chains of ``graph`` that are Dots, by ``id(chain)``."""
    n = graph.n
    parameter = lambda i: 0 <= i < n and not graph.ops[i] and i not in placeholders
    dots: dict[int, Dot] = {}
    for chain in {id(c): c for c in graph.chain_of.values()}.values():
        if any(graph.uses[j] != 1 for j in chain.nodes[:-1]):  # a running sum is read elsewhere
            continue
        products: list[tuple[int, int]] = []
        others: list[tuple[int, float]] = []
        for term, sign in zip(chain.terms, chain.signs, strict=True):
            pair = _product(graph, term, parameter) if sign > 0 else None
            if pair is None:
                others.append((term, sign))
            else:
                products.append(pair)
        if not products:
            continue
        products.sort()
        dots[id(chain)] = Dot(chain, tuple(x for x, _ in products), tuple(w for _, w in products), tuple(others),
                              tuple(LEAF if parameter(t) else NODE for t, _ in others))
    return dots


def hidden_nodes(graph: _Graph, dots: dict[int, Dot]) -> set[int]:
    """Products and inner running sums of the Dots: computed inside the matrix product, no rows."""
    hidden: set[int] = set()
    for dot in dots.values():
        others = {t for t, _ in dot.others}
        hidden.update(t for t in dot.chain.terms if t not in others)
        hidden.update(dot.chain.nodes[:-1])
    return hidden


def _product(graph: _Graph, term: int, parameter: Callable[[int], bool]) -> tuple[int, int] | None:
    """(input, parameter) when ``term`` is a product of a parameter and a non-parameter node that
    nothing else reads, else None."""
    if term >= graph.n or graph.ops[term] != "mul" or graph.uses[term] != 1 or type(graph.ys[term]) is not int:
        return None
    x, y = graph.xs[term], graph.ys[term]
    if parameter(x) and not parameter(y):
        return y, x
    if parameter(y) and not parameter(x):
        return x, y
    return None
