"""Stage 4, execute: run a Plan's groups in order, forward then backward, on two buffers.

``vals[row, b]`` is a node's value on example b, ``grads[row, b]`` its gradient; both have one
column per example of the chunk being run. Each group is bound to the buffers once (its
``forward_step`` and ``backward_step``, ``group.py``) and the bound steps are kept while the
buffers are: a pass is one loop over them. A NaN or an infinity is looked for once per pass;
only then are the groups asked, in order, which one made it (``explain``), and the backward pass
run again with every check on (``check=True``).
"""

from __future__ import annotations

import math

import numpy as np

from .group import BoundStep, ReplayError, ReplayOverflowError
from .plan import Plan


class Executor:
    """The buffers of one Plan and its groups bound to them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.vals: np.ndarray | None = None  # the buffers, for the most recent width only
        self.grads: np.ndarray | None = None  # allocated at the first backward pass
        self._forward_steps: list[BoundStep] | None = None
        self._backward_steps: list[BoundStep] | None = None

    def forward(self, X: np.ndarray, offset: int = 0) -> np.ndarray:
        """The values buffer after a forward pass over the examples ``X`` (B, inputs), reading the
        leaves' numbers from ``plan.numbers.values``. ``offset``: the example number of X[0]."""
        plan = self.plan
        vals = self._values_buffer(len(X))
        vals[plan.inputs] = X.T
        vals[plan.leaf_rows] = plan.numbers.values[plan.row_leaves, None]
        if self._forward_steps is None:
            self._forward_steps = [group.forward_step(vals) for group in plan.groups]
        refused = False
        with np.errstate(all="ignore"):
            try:
                for step in self._forward_steps:
                    step(offset)
            except ReplayError:  # a domain checked before its group ran: an earlier group's
                refused = True  # error comes first
        if refused or not all_finite(vals[plan.computed]):
            raise self._explain_forward(vals, offset)
        return vals

    def backward(self, seed: np.ndarray, offset: int = 0, check: bool = False) -> bool:
        """Add the gradients of sum_b seed[:, b] . outputs_b into the leaves' gradients
        (``plan.numbers.grads``), for the examples the values buffer holds; with ``check``, raise
        at the first group giving NaN or inf (or an input outside a derivative's domain).
        Returns whether every node's gradient is finite."""
        plan, vals = self.plan, self.vals
        if self.grads is None or self.grads.shape != vals.shape:
            self.grads = self._backward_steps = None  # free the old buffer first
            self.grads = np.empty(vals.shape)
        grads = self.grads
        grads.fill(0.0)
        plan.outputs.add_into(grads, seed)
        if check:
            steps = [group.backward_step(vals, grads, True) for group in reversed(plan.groups)]
        else:
            if self._backward_steps is None:
                self._backward_steps = [group.backward_step(vals, grads)
                                        for group in reversed(plan.groups)]
            steps = self._backward_steps
        with np.errstate(all="ignore"):
            for step in steps:
                step(offset)
        if len(plan.row_leaves):  # leaves read by row: the sum of the row over the examples
            plan.numbers.grads[plan.row_leaves] += grads[plan.leaf_rows].sum(axis=1)
        return all_finite(grads)

    def _values_buffer(self, width: int) -> np.ndarray:
        """The (rows, width) values buffer, with the constants in their rows and zeros elsewhere
        (the padding of short sums relies on them). Only the most recent width is kept, so that
        memory stays bounded whatever batch sizes come."""
        if self.vals is None or self.vals.shape[1] != width:
            plan = self.plan
            self.vals = self._forward_steps = self._backward_steps = None  # free the old first
            self.vals = np.zeros((plan.n_rows, width))
            self.vals[plan.constant_rows] = plan.constants[:, None]
        return self.vals

    def _explain_forward(self, vals: np.ndarray, offset: int) -> ReplayError:
        for group in self.plan.groups:  # the first group with a bad output has good inputs
            error = group.explain(vals, offset)
            if error is not None:
                return error
        return ReplayOverflowError("replay: overflow, the forward pass gave a non-finite value")


def all_finite(a: np.ndarray) -> bool:
    """No NaN or infinity in ``a``: one sum (NaN and inf propagate), and an exact look only if it
    overflowed."""
    with np.errstate(over="ignore", invalid="ignore"):  # a sum of large numbers may overflow
        return math.isfinite(np.add.reduce(a, axis=None)) or bool(np.isfinite(a).all())
