"""Schedule, dense part: find the dot products of a traced graph, to run them as matrix products.

A neuron's pre-activation ``b + w0 x0 + w1 x1 + ...`` is a chain of additions (``schedule.py``)
whose terms are products of a parameter and an input. When several chains multiply the SAME
inputs ``x0, x1, ...`` (the neurons of one layer, written with ``nn.Layer`` or by hand with
Values), their sums are one matrix product (D1)::

    out[c] = sum_j W[c, j] x_j + (other terms of chain c)        for every chain c
    forward:   OUT = W @ X                     (m chains, K inputs, B examples: (m, K) @ (K, B))
    backward:  dW  = G @ X.T   (summed over the batch: the parameters' gradient, D11)
               dX  = W.T @ G   (the inputs' gradient, added to their rows)

The same layer applied at several places at one depth (a transformer's projections, one per position
of the sequence: the same W, other inputs) is one group of P parts, a batched matrix product::

    forward:   OUT_p = W @ X_p  for p < P         (np.matmul of (m, K) and (P, K, B))
    backward:  dW = sum_p G_p @ X_p.T,  dX_p = W.T @ G_p

A chain is a ``Dot`` when its products and its running sums are used by nothing else (they are
then never needed one by one: they get no rows), every product is ``parameter * node`` (either
order) added with a + sign, and it has at least one of them. Its other terms (a bias, a
constant, any node) stay, in order, with their signs. Dots with the same inputs and the same
kinds of other terms share one ``DenseGroup``.

The file reads in the replay's order: find the Dots (schedule), build a group of them (layout),
run it (execute).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..value import Value
from .groups import BoundStep, ReplayOverflowError, _first_nonfinite
from .rows import Rows

if TYPE_CHECKING:
    from .chains import Chain, _Graph

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


def layer_signature(dots: list[Dot]) -> tuple | None:
    """Groups of Dots with equal layer signatures at one depth are one layer applied to several inputs:
    the same rows of W (each input's weight at the same place, as inputs are sorted by node id),
    the same kinds of other terms. None when two Dots of the group have the same row (no such merge)."""
    rows = sorted(dot.weights for dot in dots)
    if len(set(rows)) != len(rows):
        return None
    return tuple(rows), dots[0].signature[1]


def parts(dots: list[Dot]) -> list[list[Dot]]:
    """The Dots of a group split by their inputs (one part per input list, in order of first
    appearance), each part in the order of the first part's weights: row c of W is the same in all."""
    if all(dot.inputs == dots[0].inputs for dot in dots):
        return [dots]
    by_inputs: dict[tuple[int, ...], dict[tuple[int, ...], Dot]] = {}
    for dot in dots:  # merged by layer_signature: the weights' rows within one part are distinct
        by_inputs.setdefault(dot.inputs, {})[dot.weights] = dot
    split = list(by_inputs.values())
    first = list(split[0])
    return [[part[w] for w in first] for part in split]


def find_dots(graph: _Graph, placeholders: set[int]) -> dict[int, Dot]:
    """The chains of ``graph`` that are Dots, by ``id(chain)``."""
    n = graph.n
    is_parameter = [not op for op in graph.ops] + [False] * len(graph.constants)  # constants: n, ...
    for i in placeholders:
        is_parameter[i] = False
    uses = graph.uses
    dots: dict[int, Dot] = {}
    for chain in {id(c): c for c in graph.chain_of.values()}.values():
        if any(uses[j] != 1 for j in chain.nodes[:-1]):  # a running sum is read elsewhere
            continue
        products: list[tuple[int, int]] = []
        others: list[tuple[int, float]] = []
        for term, sign in zip(chain.terms, chain.signs, strict=True):
            pair = _product(graph, term, is_parameter) if sign > 0 else None
            if pair is None:
                others.append((term, sign))
            else:
                products.append(pair)
        if not products:
            continue
        products.sort()
        kinds = tuple(LEAF if 0 <= t < n and is_parameter[t] else NODE for t, _ in others)
        dots[id(chain)] = Dot(chain, tuple(x for x, _ in products), tuple(w for _, w in products),
                              tuple(others), kinds)
    return dots


def as_early_as_possible(graph: _Graph, dots: dict[int, Dot]) -> None:
    """Move each Dot back to just after its inputs (``chains.as_late_as_possible`` placed every
    node just before its first reader): the same layer's Dots then meet at one depth even where
    their readers are at several (the keys and queries of a sequence's positions, read by attention
    over more or fewer positions), and they make one matrix product. Its chain sits two steps after
    its deepest input, as the scalar graph has it (the products, then the running sum). Shallowest
    first, so that a Dot reading another Dot sees where that one moved."""
    n, depth = graph.n, graph.depth
    for dot in sorted(dots.values(), key=lambda d: d.chain.depth):
        chain = dot.chain
        ready = max([depth[x] + 1 for x in dot.inputs] + [depth[t] for t, _ in dot.others if t < n])
        chain.depth = ready + 1
        for j in chain.nodes:
            depth[j] = chain.depth


def hidden_nodes(graph: _Graph, dots: dict[int, Dot]) -> set[int]:
    """Products and inner running sums of the Dots: computed inside the matrix product, no rows."""
    hidden: set[int] = set()
    for dot in dots.values():
        others = {t for t, _ in dot.others}
        hidden.update(t for t in dot.chain.terms if t not in others)
        hidden.update(dot.chain.nodes[:-1])
    return hidden


def _product(graph: _Graph, term: int, is_parameter: list[bool]) -> tuple[int, int] | None:
    """(input, parameter) when ``term`` is a product of a parameter and a non-parameter node that
    nothing else reads, else None."""
    if term >= graph.n or graph.ops[term] != "mul" or graph.uses[term] != 1:
        return None
    x, y = graph.xs[term], graph.ys[term]
    if type(y) is not int or is_parameter[x] == is_parameter[y]:
        return None
    return (y, x) if is_parameter[x] else (x, y)


# ---------------------------------------------------------------- layout: a group of Dots


def dense_group(graph: _Graph, dots: list[Dot], start: int, row: np.ndarray, position: dict[int, int],
                numbers: Leaves, n_inputs: int) -> DenseGroup:
    """The DenseGroup of ``dots`` (one or several parts, see ``parts``), each dot's sum in one row from
    ``start``, part after part."""
    split = parts(dots)
    dots = [dot for part in split for dot in part]
    ends = [dot.chain.nodes[-1] for dot in dots]
    row[ends] = np.arange(start, start + len(dots))
    inputs = row[[i for part in split for i in part[0].inputs]]
    weights = np.array([[position[w] for w in dot.weights] for dot in split[0]], dtype=np.intp)
    others = []
    for k in range(len(dots[0].kinds)):
        terms = [dot.others[k][0] for dot in dots]
        sign = dots[0].others[k][1]
        if from_leaf_vector(dots, k):
            others.append(OtherTerm(sign, np.array([position[t] for t in terms], dtype=np.intp), None))
        else:
            others.append(OtherTerm(sign, None, Rows(row[terms])))
    return DenseGroup(slice(start, start + len(dots)), Rows(inputs), weights, others, numbers,
                      bool((inputs >= n_inputs).any()), [graph.order[i] for i in ends], len(split))


def from_leaf_vector(dots: list[Dot], k: int) -> bool:
    """Whether the k-th other terms of ``dots`` are read from the leaves' vector (distinct leaves,
    such as a layer's biases) rather than from rows."""
    terms = [dot.others[k][0] for dot in dots]
    return dots[0].kinds[k] == LEAF and len(set(terms)) == len(terms)


# ---------------------------------------------------------------- execute: the matrix product


@dataclass(frozen=True)
class Leaves:
    """The numbers and the gradients of the leaves (``Schedule.leaves``), one vector each, allocated
    once: matrix products read their weights from ``values`` (a view when the layout allows) and
    add the weights' gradients, already summed over the batch, into ``grads``."""

    values: np.ndarray
    grads: np.ndarray


@dataclass
class OtherTerm:
    """One term (at the same place of every dot product of a DenseGroup) that is not a product:
    a leaf (``leaf``: its index in the leaves' vector, for each dot, all different) or a node
    or constant (``rows``)."""

    sign: float
    leaf: np.ndarray | None
    rows: Rows | None
    value: np.ndarray | None = None
    """The leaves' numbers as an (m, 1) view of the leaves' vector, when the layout allows."""
    grad: np.ndarray | None = None
    """The same view of the leaves' gradients."""


class DenseGroup:
    """``m`` dot products of the same ``K`` inputs: rows = W @ X + other terms, W of shape (m, K).

    ``inputs`` are the rows of X; ``weights[c, j]`` is the index, in the leaves' vector, of the
    parameter multiplying input j in dot product c. ``inputs_need_gradient``: False when every
    input is a placeholder, whose gradient nobody reads (the first layer): one product saved.
    With ``n_parts`` P > 1 the group is P such products with the same W: ``rows`` hold the P
    parts' m outputs one after the other, ``inputs`` the P parts' K inputs.
    """

    def __init__(self, rows: slice, inputs: Rows, weights: np.ndarray, others: list[OtherTerm], numbers: Leaves,
                 inputs_need_gradient: bool, ends: list[Value], n_parts: int = 1) -> None:
        self.rows, self.inputs, self.weights, self.others = rows, inputs, weights, others
        self.n_parts = n_parts
        self.parts_shape = (n_parts, *weights.shape)  # (P, m, K)
        self.numbers = numbers
        self.inputs_need_gradient = inputs_need_gradient
        self.ends = ends
        self.W = _strided_view(numbers.values, weights)  # None: gathered at each call into self._W
        self.dW = _strided_view(numbers.grads, weights)
        self._W = np.empty(weights.shape)
        self._unique = len(np.unique(weights)) == weights.size
        for term in others:
            if term.leaf is not None:
                term.value = _strided_view(numbers.values, term.leaf[:, None])
                term.grad = _strided_view(numbers.grads, term.leaf[:, None])

    def forward_step(self, vals: np.ndarray) -> BoundStep:
        """``forward`` bound to the buffer (views made once) when the leaf terms are views."""
        if any(term.rows is None and term.value is None for term in self.others):
            return lambda offset: self.forward(vals, offset)
        weights, X, out = self._weights, self.inputs.reader(vals), vals[self.rows]
        P, m, K = self.parts_shape
        product = out if P == 1 else out.reshape(P, m, -1)
        terms = [(term.rows.reader(vals) if term.rows is not None else _constant(term.value),
                  np.add if term.sign > 0 else np.subtract) for term in self.others]

        def step(offset: int) -> None:
            x = X()
            np.matmul(weights(), x if P == 1 else x.reshape(P, K, -1), out=product)
            for term, add in terms:
                add(out, term(), out=out)

        return step

    def backward_step(self, vals: np.ndarray, grads: np.ndarray) -> BoundStep:
        """``backward`` (without ``check``) bound to the buffers, when the leaf terms are views."""
        if any(term.rows is None and term.grad is None for term in self.others):
            return lambda offset: self.backward(vals, grads, False, offset)
        X, g, add_weights = self.inputs.reader(vals), grads[self.rows], self._add_weights
        add_inputs = self.inputs.adder(grads) if self.inputs_need_gradient else None
        rows = [(term.rows.adder(grads), term.sign > 0) for term in self.others if term.rows is not None]
        leaves = [(term.grad, np.add if term.sign > 0 else np.subtract) for term in self.others if term.rows is None]

        def step(offset: int) -> None:
            d_weights, d_inputs = self._gradients(g, X())
            add_weights(d_weights)
            if add_inputs is not None:
                add_inputs(d_inputs)
            for add, positive in rows:
                add(g if positive else -g)
            for grad, add in leaves:
                add(grad, np.add.reduce(g, axis=1, keepdims=True), out=grad)

        return step

    def _weights(self) -> np.ndarray:
        return self.W if self.W is not None else np.take(self.numbers.values, self.weights, out=self._W)

    def forward(self, vals: np.ndarray, offset: int = 0) -> None:
        out = vals[self.rows]
        if self.n_parts == 1:
            np.matmul(self._weights(), self.inputs.read(vals), out=out)
        else:  # (m, K) @ (P, K, B) -> (P, m, B): the rows of the P parts, one after the other
            P, m, K = self.parts_shape
            np.matmul(self._weights(), self.inputs.read(vals).reshape(P, K, -1), out=out.reshape(P, m, -1))
        for term in self.others:
            if term.rows is not None:
                t = term.rows.read(vals)
            else:
                t = term.value if term.value is not None else self.numbers.values[term.leaf][:, None]
            if term.sign > 0:
                out += t
            else:
                out -= t

    def backward(self, vals: np.ndarray, grads: np.ndarray, check: bool = False, offset: int = 0) -> None:
        g = grads[self.rows]
        d_weights, d_inputs = self._gradients(g, self.inputs.read(vals))
        if check:
            for part in (d_weights, d_inputs):
                if part is not None and not np.isfinite(part).all():
                    raise ReplayOverflowError("replay: backward of add: overflow, a dot product (a sum of "
                                              f"weight * input) gave a non-finite gradient{_where(self.ends[0])}")
        self._add_weights(d_weights)
        if d_inputs is not None:
            self.inputs.add_into(grads, d_inputs)
        for term in self.others:
            if term.rows is not None:
                term.rows.add_into(grads, g if term.sign > 0 else -g)
            elif term.grad is not None:
                total = g.sum(axis=1, keepdims=True)
                if term.sign > 0:
                    term.grad += total
                else:
                    term.grad -= total
            else:
                self.numbers.grads[term.leaf] += term.sign * g.sum(axis=1)

    def _add_weights(self, d_weights: np.ndarray) -> None:
        """The leaves' gradients at W's places += d_weights (a view when the layout allows)."""
        if self.dW is not None:
            self.dW += d_weights
        elif self._unique:
            self.numbers.grads[self.weights] += d_weights
        else:
            np.add.at(self.numbers.grads, self.weights, d_weights)

    def _gradients(self, g: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(dW, dX) from the outputs' gradient g and the inputs X (None for dX if not needed)."""
        if self.n_parts == 1:
            d_weights = g @ X.T  # summed over the examples by the product
            return d_weights, (self._weights().T @ g if self.inputs_need_gradient else None)
        # dW = sum_p G_p X_p^T: one product of (m, P B) and (P B, K); dX_p = W^T G_p
        P, m, K = self.parts_shape
        g_parts = g.reshape(P, m, -1)
        X_parts = X.reshape(P, K, -1)
        d_weights = g_parts.transpose(1, 0, 2).reshape(m, -1) @ X_parts.transpose(1, 0, 2).reshape(K, -1).T
        d_inputs = np.matmul(self._weights().T, g_parts).reshape(P * K, -1) if self.inputs_need_gradient else None
        return d_weights, d_inputs

    def explain(self, vals: np.ndarray, offset: int = 0) -> ReplayOverflowError | None:
        out = vals[self.rows]
        bad = _first_nonfinite(out)
        if bad is None:
            return None
        c, b = bad
        return ReplayOverflowError(f"replay: add: overflow, a dot product (a sum of weight * input) gave "
                                   f"{float(out[c, b])!r} at example {b + offset}{_where(self.ends[c])}")


def _constant(a: np.ndarray) -> Callable[[], np.ndarray]:
    return lambda: a


def _where(end: Value) -> str:
    return f" in the sum ending at node {end.label!r}" if end.label else ""


def _strided_view(vector: np.ndarray, index: np.ndarray) -> np.ndarray | None:
    """vector[index] as a view (no copy, writes go through) when the (m, K) index is
    first + i * row_step + j * column_step with distinct entries, else None."""
    m, k = index.shape
    first = int(index[0, 0])
    row_step = int(index[1, 0]) - first if m > 1 else 0
    column_step = int(index[0, 1]) - first if k > 1 else 0
    if row_step < 0 or column_step < 0 or len(np.unique(index)) != index.size:
        return None
    if not np.array_equal(index, first + row_step * np.arange(m)[:, None] + column_step * np.arange(k)):
        return None
    size = vector.itemsize
    return as_strided(vector[first:], shape=(m, k), strides=(row_step * size, column_step * size))
