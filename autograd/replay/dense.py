"""``DenseGroup``: dot products of the same inputs, replayed as one matrix product (D1).

The dot products are found by ``dots.py``; ``plan.py`` lays them out::

    out[c] = sum_j W[c, j] x_j + (other terms of chain c)        for every chain c
    forward:   OUT = W @ X                     (m chains, K inputs, B examples: (m, K) @ (K, B))
    backward:  dW  = G @ X.T   (summed over the batch: the parameters' gradient, D11)
               dX  = W.T @ G   (the inputs' gradient, added to their rows)

The same layer applied at several places at one depth (a transformer's projections, one per
position of the sequence: the same W, other inputs) is one group of P parts, a batched matrix
product::

    forward:   OUT_p = W @ X_p  for p < P         (np.matmul of (m, K) and (P, K, B))
    backward:  dW = sum_p G_p @ X_p.T,  dX_p = W.T @ G_p
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..value import Value
from .group import BoundStep, ReplayOverflowError, constant, first_nonfinite
from .rows import Rows


@dataclass(frozen=True)
class LeafNumbers:
    """The numbers and the gradients of the leaves (``ReplayGraph.leaves``), one vector each,
    allocated once: matrix products read their weights from ``values`` (a view when the layout
    allows) and add the weights' gradients, already summed over the batch, into ``grads``."""

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


class DenseGroup:
    """``m`` dot products of the same ``K`` inputs: rows = W @ X + other terms, W of shape (m, K).

    ``inputs`` are the rows of X; ``weights[c, j]`` is the index, in the leaves' vector, of the
    parameter multiplying input j in dot product c. ``inputs_need_gradient``: False when every
    input is a placeholder, whose gradient nobody reads (the first layer): one product saved.
    With ``n_parts`` P > 1 the group is P such products with the same W: ``rows`` hold the P
    parts' m outputs one after the other, ``inputs`` the P parts' K inputs.
    """

    def __init__(self, rows: slice, inputs: Rows, weights: np.ndarray, others: list[OtherTerm],
                 numbers: LeafNumbers, inputs_need_gradient: bool, ends: list[Value],
                 n_parts: int = 1) -> None:
        self.rows, self.inputs, self.weights, self.others = rows, inputs, weights, others
        self.n_parts = n_parts
        self.parts_shape = (n_parts, *weights.shape)  # (P, m, K)
        self.numbers = numbers
        self.inputs_need_gradient = inputs_need_gradient
        self.ends = ends
        self.W = _strided_view(numbers.values, weights)  # None: gathered at each call into _W
        self.dW = _strided_view(numbers.grads, weights)
        self._W = np.empty(weights.shape)
        self._unique = len(np.unique(weights)) == weights.size

    def forward_step(self, vals: np.ndarray) -> BoundStep:
        weights, X, out = self._weights, self.inputs.reader(vals), vals[self.rows]
        P, m, K = self.parts_shape
        product = out if P == 1 else out.reshape(P, m, -1)
        terms = [(self._term_reader(term, vals), np.add if term.sign > 0 else np.subtract)
                 for term in self.others]

        def step(offset: int) -> None:
            x = X()  # (m, K) @ (P, K, B) -> (P, m, B): the rows of the P parts, one after another
            np.matmul(weights(), x if P == 1 else x.reshape(P, K, -1), out=product)
            for term, add in terms:
                add(out, term(), out=out)

        return step

    def _term_reader(self, term: OtherTerm, vals: np.ndarray) -> Callable[[], np.ndarray]:
        if term.rows is not None:
            return term.rows.reader(vals)
        view = _strided_view(self.numbers.values, term.leaf[:, None])
        if view is not None:
            return constant(view)
        values, leaf = self.numbers.values, term.leaf[:, None]
        return lambda: values[leaf]

    def backward_step(self, vals: np.ndarray, grads: np.ndarray, check: bool = False
                      ) -> BoundStep:
        X, g, add_weights = self.inputs.reader(vals), grads[self.rows], self._add_weights
        add_inputs = self.inputs.adder(grads) if self.inputs_need_gradient else None
        rows = [(term.rows.adder(grads), term.sign > 0)
                for term in self.others if term.rows is not None]
        leaves = [self._leaf_adder(term) for term in self.others if term.rows is None]
        where = _where(self.ends[0])

        def step(offset: int) -> None:
            d_weights, d_inputs = self._gradients(g, X())
            if check and not all(d is None or np.isfinite(d).all() for d in (d_weights, d_inputs)):
                raise ReplayOverflowError(
                    "replay: backward of add: overflow, a dot product (a sum of weight * input) "
                    f"gave a non-finite gradient{where}")
            add_weights(d_weights)
            if add_inputs is not None:
                add_inputs(d_inputs)
            for add, positive in rows:
                add(g if positive else -g)
            if leaves:
                total = np.add.reduce(g, axis=1, keepdims=True)
                for add in leaves:
                    add(total)

        return step

    def _leaf_adder(self, term: OtherTerm) -> Callable[[np.ndarray], None]:
        """A function adding the batch's total gradient (m, 1) into the term's leaves."""
        grad = _strided_view(self.numbers.grads, term.leaf[:, None])
        add = np.add if term.sign > 0 else np.subtract
        if grad is not None:
            return lambda total: add(grad, total, out=grad)
        grads, leaf, sign = self.numbers.grads, term.leaf, term.sign

        def add_gathered(total: np.ndarray) -> None:
            grads[leaf] += sign * total[:, 0]

        return add_gathered

    def _weights(self) -> np.ndarray:
        if self.W is not None:
            return self.W
        return np.take(self.numbers.values, self.weights, out=self._W)

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
        d_weights = (g_parts.transpose(1, 0, 2).reshape(m, -1)
                     @ X_parts.transpose(1, 0, 2).reshape(K, -1).T)
        d_inputs = (np.matmul(self._weights().T, g_parts).reshape(P * K, -1)
                    if self.inputs_need_gradient else None)
        return d_weights, d_inputs

    def explain(self, vals: np.ndarray, offset: int = 0) -> ReplayOverflowError | None:
        out = vals[self.rows]
        bad = first_nonfinite(out)
        if bad is None:
            return None
        c, b = bad
        return ReplayOverflowError(
            f"replay: add: overflow, a dot product (a sum of weight * input) gave "
            f"{float(out[c, b])!r} at example {b + offset}{_where(self.ends[c])}")


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
    if not np.array_equal(index, first + row_step * np.arange(m)[:, None]
                          + column_step * np.arange(k)):
        return None
    size = vector.itemsize
    return as_strided(vector[first:], shape=(m, k), strides=(row_step * size, column_step * size))
