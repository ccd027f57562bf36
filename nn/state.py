"""State dicts: a model's parameters by name, and loading them back with PyTorch's strictness."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Value


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` could not match, as PyTorch returns it."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError, ValueError):
    """A state dict whose keys do not match the model's (PyTorch raises a RuntimeError)."""

    def __init__(self, message: str, missing_keys: list[str], unexpected_keys: list[str]) -> None:
        super().__init__(message)
        self.missing_keys, self.unexpected_keys = missing_keys, unexpected_keys



MESSAGE_LIMIT = 600
"""The longest message (in characters) for a problem of a state dict or a model file."""


def shorten(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut to about ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()} ... ({len(text) - limit:,} more characters)"


def quote_keys(keys: list[str], limit: int = 10) -> str:
    """'"a", "b", "c"', at most ``limit`` of them, then how many more there are."""
    shown = ", ".join(f'"{k}"' for k in keys[:limit])
    return shown if len(keys) <= limit else f"{shown} and {len(keys) - limit:,} more"


def expand_lists(state: Mapping[str, Any], params: Mapping[str, Value]) -> dict[str, Any]:
    """``state`` with a list under a Value list's name ("w": [a, b]) written as its items (w0, w1;
    fc1.0, fc1.1)."""
    expanded: dict[str, Any] = {}
    for key, value in state.items():
        stem = next((stem for stem in (key, f"{key}.") if f"{stem}0" in params), None)
        if key not in params and stem is not None and isinstance(value, list | tuple | np.ndarray):
            items, count = list(value), 0
            while f"{stem}{count}" in params:
                count += 1
            if len(items) != count:
                raise ValueError(
                    f"load_state_dict: {key!r} has shape ({len(items)},), the model expects "
                    f"({count},)"
                )
            expanded.update((f"{stem}{i}", item) for i, item in enumerate(items))
        else:
            expanded[key] = value
    return expanded


def check_entry(key: str, value: Any) -> float:
    """The value of one parameter: a finite real number."""
    if not _is_number(value):
        raise ValueError(f"load_state_dict: {key!r} must be a number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int such as 10**400
        raise ValueError(f"load_state_dict: {key!r} holds a number too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(f"load_state_dict: {key!r} holds a NaN or infinite value")
    return number


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_ | Value)


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
