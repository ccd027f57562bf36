"""Reading what a model is given: one example's inputs, or a batch, or a layer's size."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Value

Inputs = Sequence[Value | float] | np.ndarray | Value | float
"""One example (a list or 1-D array of numbers or Values, or one number), or a batch (n, d)."""


def as_inputs(x: Inputs, nin: int, where: str) -> list[Value | float]:
    """A model's input as a list of ``nin`` Values or floats, or a clear error."""
    if isinstance(x, Value | numbers.Real):
        x = [x]
    elif isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(
                f"{where}: expected one example (a 1-D input of length {nin}), got an array of "
                f"shape {x.shape}; pass one example or a 2-D batch (n, {nin})"
            )
        x = x.tolist()
    elif not isinstance(x, Sequence) or isinstance(x, str):
        raise TypeError(
            f"{where}: expected a list of {nin} numbers or Values, got {type(x).__name__}"
        )
    if len(x) != nin:
        raise ValueError(f"{where}: expected {nin} inputs, got {len(x)}")
    out: list[Value | float] = []
    for i, xi in enumerate(x):
        if type(xi) is Value:
            out.append(xi)
        elif isinstance(xi, numbers.Real) and not isinstance(xi, Value):
            xf = float(xi)
            if not math.isfinite(xf):
                raise ValueError(f"{where}: input {i} is {xf!r}; inputs must be finite numbers")
            out.append(xf)
        else:
            raise TypeError(
                f"{where}: input {i} must be a number or a Value, got {type(xi).__name__}: {xi!r}"
            )
    return out


def is_batch(x: Any) -> bool:
    """A batch of examples: a 2-D numpy array, one example per row."""
    return isinstance(x, np.ndarray) and x.ndim == 2


def check_size(n: Any, where: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{where} must be a positive int, got {n!r}")
