"""What every kind of group of the replay offers the executor (``execute.py``), and its errors.

Buffers hold one row per node and one column per example: ``vals[row, b]`` is the node's value
on example b, ``grads[row, b]`` its gradient. A group reads and writes whole rows, so one numpy
call serves every node of the group and every example at once. Three kinds implement ``Group``:
``OpGroup`` (``op_group.py``), ``SumGroup`` (``sum_group.py``), ``DenseGroup`` (``dense.py``).

A group is bound to the buffers once (``forward_step``, ``backward_step``: the views of its rows
made once, since a small batch costs numpy calls, not arithmetic). The checking backward pass
is the same step with a check inserted (``check=True``), not another implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

BoundStep = Callable[[int], None]
"""A group's forward or backward bound to the buffers: step(offset), offset being the batch's
example number of column 0 (for error messages)."""


class Group(Protocol):
    """A group of nodes computed together; its outputs are the buffer rows ``rows``."""

    rows: slice

    def forward_step(self, vals: np.ndarray) -> BoundStep:
        """Compute the group's rows of ``vals`` from its inputs' rows (raising the domain's error
        for an input outside it, where that is checked before running)."""
        ...

    def backward_step(self, vals: np.ndarray, grads: np.ndarray, check: bool = False
                      ) -> BoundStep:
        """Add the group's vector-Jacobian products into its inputs' rows of ``grads`` (and the
        parameters' gradients). With ``check`` every domain is checked and a non-finite
        gradient raises."""
        ...

    def explain(self, vals: np.ndarray, offset: int = 0) -> ReplayError | None:
        """The error for the first non-finite output of the group after a forward pass, if any
        (raising a domain's error first if an input is outside it)."""
        ...


class ReplayError(FloatingPointError, ValueError):
    """An input outside an operation's domain (``domains.py``), or a NaN or infinity, during the
    replay: names the op, the input as written, the example and the node."""


class ReplayZeroDivisionError(ReplayError, ZeroDivisionError):
    """A division by zero, or an infinite derivative (sqrt'(0)): what the eager engine raises as
    ZeroDivisionError."""


class ReplayOverflowError(ReplayError, OverflowError):
    """A result or gradient too large for a float: what the eager engine raises as
    OverflowError."""


AS_REPLAY_ERROR: dict[type[Exception], type[ReplayError]] = {
    ValueError: ReplayError, ZeroDivisionError: ReplayZeroDivisionError,
    OverflowError: ReplayOverflowError}
"""The replay's error for each kind of error of the domain table: an instance of both."""


def first_nonfinite(a: np.ndarray) -> tuple[int, int] | None:
    """(row, example) of the first NaN or infinity in a (rows, examples) array, or None."""
    bad = np.argwhere(~np.isfinite(a))
    return (int(bad[0][0]), int(bad[0][1])) if len(bad) else None


def constant(a: object) -> Callable[[], object]:
    """A reader that returns ``a``: the same call as a buffer's reader, for an operand fixed at
    planning time."""
    return lambda: a
