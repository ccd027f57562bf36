"""A model's parameters in one contiguous array, for training loops that update them in place.

An optimiser stepping 26,000 parameter Values one by one costs more than the whole replayed
step. ``ParameterArray`` holds their numbers in one float64 vector instead: compiled functions
bound to it (``Compiled.bind``) read it at every call, an optimiser updates it in place with a
few numpy calls, and ``sync()`` writes it back into the Values' ``.data`` when someone looks
(after training, before saving). Until then the Values keep the numbers they had.

>>> from autograd import Value
>>> w, b = Value(2.0), Value(0.5)
>>> theta = ParameterArray([w, b])
>>> theta.data -= 0.1 * np.array([1.0, 2.0])   # an optimiser's step, in place
>>> w.data                                       # not synchronised yet
2.0
>>> theta.sync(); w.data, b.data
(1.9, 0.3)
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from ..value import Value

_DATA = attrgetter("data")


class ParameterArray:
    """The numbers (``data``) and gradients (``grad``) of ``parameters``, one contiguous vector
    each."""

    def __init__(self, parameters: Sequence[Value]) -> None:
        self.parameters: list[Value] = list(parameters)
        for i, p in enumerate(self.parameters):
            if not isinstance(p, Value):
                raise TypeError(
                    f"ParameterArray: parameters[{i}] must be a Value, got {type(p).__name__}"
                )
        self.data = np.zeros(len(self.parameters))
        """The parameters' numbers, in order: the truth while the array is in use."""
        self.grad = np.zeros(len(self.parameters))
        """Their gradients, written by whoever computes them (``Compiled.gradient(out=...)``)."""
        self.refresh()

    def refresh(self) -> None:
        """Read the Values' ``.data`` into ``data`` (after changing a Value by hand)."""
        self.data[:] = np.fromiter(
            map(_DATA, self.parameters), dtype=np.float64, count=len(self.parameters)
        )

    def sync(self) -> None:
        """Write ``data`` and ``grad`` back into each Value's ``.data`` and ``.grad``."""
        for p, x, g in zip(self.parameters, self.data.tolist(), self.grad.tolist(), strict=True):
            p.data = x
            p.grad = g

    def __len__(self) -> int:
        return len(self.parameters)

    def __repr__(self) -> str:
        return f"ParameterArray({len(self)} parameters)"
