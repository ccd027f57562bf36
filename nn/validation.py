"""Checking what ``nn.fit`` and the scoring functions are given, all of it before the first step.

Every error names the operation and the offending value, with its row in the data set
(``X[37, 1]``, ``y[12]``), never its position in a mini-batch.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd import Value


def check_data(X: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    """X as a finite float array (n, d) and y as a finite float array of n rows (or None)."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: X must be an array of numbers (n examples x d inputs)") from None
    if X.ndim != 2 or len(X) == 0:
        hint = " (for one input per example use X.reshape(-1, 1))" if X.ndim == 1 else ""
        raise ValueError(
            f"{where}: X must be a non-empty 2-D array (n examples x d inputs), got shape "
            f"{X.shape}{hint}"
        )
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        i, j = bad[0].tolist()
        raise ValueError(f"{where}: X[{i}, {j}] is {float(X[i, j])!r}; inputs must be finite")
    if y is None:
        return X, None
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: y must be an array of numbers (labels or targets)") from None
    if y.ndim not in (1, 2) or len(y) != len(X):
        raise ValueError(
            f"{where}: y must have one entry per row of X ({len(X)}), got shape {y.shape}"
        )
    bad = np.argwhere(~np.isfinite(y))
    if len(bad):
        index = bad[0].tolist()
        raise ValueError(f"{where}: y{index} is {float(y[tuple(index)])!r}; targets must be finite")
    return X, y


def check_optimizer(optimizer: Any, params: list[Value], where: str) -> None:
    """The optimiser must update this model's parameters: every one it holds is one of them."""
    held = getattr(optimizer, "params", None)
    if held is None or not hasattr(optimizer, "step"):
        raise TypeError(
            f"{where}: optimizer must be an nn.optim optimiser (SGD, Adam, AdamW), got "
            f"{type(optimizer).__name__}"
        )
    own = {id(p) for p in params}
    foreign = [i for i, p in enumerate(held) if id(p) not in own]
    if foreign:
        raise ValueError(
            f"{where}: the optimiser holds {len(foreign)} of its {len(held)} parameters that are "
            f"not this model's (the first is parameter {foreign[0]}); build it from this model: "
            f"{type(optimizer).__name__}(model.parameters(), ...)"
        )


def check_parameters(model: Any, where: str) -> list[Value]:
    """The model's parameters, each a finite number (a NaN put into ``p.data`` would poison every
    step)."""
    named = list(model.named_parameters())
    if not named:
        raise ValueError(f"{where}: the model {type(model).__name__} has no parameters to train")
    for name, p in named:
        if not (isinstance(p.data, int | float) and math.isfinite(p.data)):
            raise ValueError(
                f"{where}: parameter {name} is {p.data!r}; parameters must be finite numbers"
            )
    return [p for _, p in named]


def check_number(
    x: Any,
    what: str,
    low: float,
    high: float = math.inf,
    strict: bool = False,
    high_inclusive: bool = False,
) -> float:
    """``x`` as a float above ``low`` (or at it unless strict) and below ``high``, else an error
    naming it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}: {x!r}")
    x = float(x)
    above = x > low if strict else x >= low
    below = x <= high if high_inclusive else x < high
    if not (math.isfinite(x) and above and below):
        bounds = f"{'>' if strict else '>='} {low:g}"
        if high < math.inf:
            bounds += f" and {'<=' if high_inclusive else '<'} {high:g}"
        raise ValueError(f"{what} must be finite and {bounds}, got {x!r}")
    return x


def with_article(noun: str) -> str:
    """ "an Adam", "a SGD": the article by the noun's first letter."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"
