"""Plain numbers given to the engine: each becomes a finite float, or an error names where it was
given (``Value(...)``, ``.data``, an operation's operand, a function's argument) and what it was."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

_REAL = (numbers.Real, np.bool_)  # a Value is not one: it is refused where a number is asked for


def to_float(x: Any, where: str) -> float:
    """Convert a real number to a finite float, or raise naming ``where`` and the type."""
    if type(x) is not float:
        if not isinstance(x, _REAL):
            raise TypeError(
                f"{where}: expected a real number (int, float, bool or numpy scalar), "
                f"got {type(x).__name__}: {short_repr(x)}"
            )
        try:
            x = float(x)
        except OverflowError:
            raise OverflowError(f"{where}: {short_repr(x)} is too large for a float") from None
    if not math.isfinite(x):
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    return x


def constant_operand(c: Any, op: str) -> Any:
    """A plain-number operand as a finite float, or NotImplemented for other types."""
    if type(c) is float and math.isfinite(c):
        return c
    if not isinstance(c, _REAL):
        return NotImplemented
    return to_float(c, op)


def short_repr(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."
