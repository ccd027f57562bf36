"""Reading a loss's arguments: model outputs (Values) paired with numeric targets, and the
reduction.

The loss functions of ``nn.losses`` share these: ``elementwise`` pairs every output unit with its
target, ``examples`` reads one list of logits per example, ``reduce_terms`` averages or adds;
``total`` and ``largest`` are the sum and the maximum of Values as nodes of the graph.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from functools import reduce
from typing import Any

import numpy as np

from autograd import Value


def total(values: Sequence[Any]) -> Any:
    """v_0 + v_1 + ... (like ``sum`` but with no leading ``0 +`` node in the graph)."""
    return reduce(operator.add, values)


def largest(values: list[Value]) -> Value:
    """max_i values_i as a balanced tree of pairwise ``max`` nodes: log2(n) deep rather than n (the
    replay runs one group per depth); the maximum is the same number whatever the order."""
    while len(values) > 1:
        pairs = [a.max(b) for a, b in zip(values[::2], values[1::2], strict=False)]
        values = pairs + values[len(pairs) * 2 :]
    return values[0]


def elementwise(
    outputs: Any, targets: Any, where: str, labels: tuple[float, float] | None = None
) -> list[tuple]:
    """(output unit, target) pairs: every unit of every example with its own target.

    The losses that use this average over all units, so a batch of n single outputs and one
    example with n units pair up the same way.
    """
    units = flatten(outputs, where)
    y = read_targets(targets, where).reshape(-1).tolist()
    if len(units) != len(y):
        raise ValueError(f"{where}: {len(units)} outputs but {len(y)} targets")
    if labels is not None:
        low, high = labels
        if any(not low <= t <= high for t in y):
            raise ValueError(
                f"{where}: targets must lie in [{low:g}, {high:g}] (0/1 labels or probabilities)"
            )
    return list(zip(units, y, strict=True))


def examples(outputs: Any, targets: Any, where: str) -> tuple[list[list], list[float]]:
    """(n lists of logits, n class indices): one example for a single target, else a batch."""
    y = read_targets(targets, where)
    if y.ndim == 0:
        outputs, y = [outputs], y.reshape(1)
    elif y.ndim != 1:
        raise ValueError(
            f"{where}: targets must be class indices (a number or a 1-D array), got shape {y.shape}"
        )
    if isinstance(outputs, Value) or not isinstance(outputs, Iterable):
        raise ValueError(
            f"{where}: expected one list of logits per example, got {type(outputs).__name__}"
        )
    batch = [[o] if isinstance(o, Value) else list(o) for o in outputs]
    if len(batch) != len(y):
        raise ValueError(f"{where}: {len(batch)} examples but {len(y)} targets")
    if not batch:
        raise ValueError(f"{where}: no outputs")
    return batch, y.tolist()


def flatten(outputs: Any, where: str) -> list[Any]:
    if isinstance(outputs, Value):
        return [outputs]
    if not isinstance(outputs, Iterable):
        raise TypeError(
            f"{where}: outputs must be a Value or a list of Values, got {type(outputs).__name__}"
        )
    units: list[Any] = []
    for o in outputs:
        if isinstance(o, Value):
            units.append(o)
        elif isinstance(o, Iterable):
            units.extend(o)
        else:
            raise TypeError(f"{where}: outputs must be Values, got {type(o).__name__}: {o!r}")
    if not units:
        raise ValueError(f"{where}: no outputs")
    return units


def read_targets(targets: Any, where: str) -> np.ndarray:
    try:
        y = np.asarray(targets, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: targets must be numbers, got {type(targets).__name__}") from None
    if y.ndim > 2:
        raise ValueError(
            f"{where}: targets must be a number, a 1-D or a 2-D array, got shape {y.shape}"
        )
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{where}: targets contain NaN or infinity")
    return y


def reduce_terms(terms: list[Any], reduction: str, where: str) -> Value:
    if reduction == "sum":
        loss = total(terms)
    elif reduction == "mean":
        loss = total(terms) * (1.0 / len(terms))
    else:
        raise ValueError(f"{where}: reduction must be 'mean' or 'sum', got {reduction!r}")
    return loss if isinstance(loss, Value) else Value(loss)  # every term a constant (all clamped)


def times(weight: float, x: Any) -> Any:
    """weight * x, without a multiplication node when the weight is 1 (a hard 0/1 label)."""
    return x if weight == 1.0 else weight * x


def clamped_log(a: Any, eps: float) -> Any:
    """log(a), or the constant log(eps) when a < eps (no gradient through the clamp)."""
    return a.log() if data_of(a) >= eps else math.log(eps)


def data_of(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)
