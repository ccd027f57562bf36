"""Learning-rate schedules: the rate of optimiser step k = 0, 1, 2, ... as a function of k.

``LinearDecay(1.0, 0.1, 100)`` is micrograd's lr = 1.0 - 0.9 k / 100; every schedule saves and
restores its arguments (``state_dict``), so a resumed run continues on the same curve.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

from .validation import check_number, with_article

Schedule = Callable[[int], float]
"""A learning rate as a function of the step number k."""


class Decay:
    """A schedule that moves from ``start`` at step 0 to ``end`` at step ``steps``, then stays
    there."""

    def __init__(self, start: float = 1.0, end: float = 0.1, steps: int = 100) -> None:
        name = type(self).__name__
        self.start = check_number(start, f"{name}: start", low=0.0)
        self.end = check_number(end, f"{name}: end", low=0.0)
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"{name}: steps must be a positive int, got {steps!r}")
        self.steps = int(steps)

    def __call__(self, k: int) -> float:
        return self.at(min(k, self.steps))

    def state_dict(self) -> dict[str, Any]:
        """{"class": ..., and the constructor's arguments}: rebuilt by ``load_state_dict`` or
        ``schedule_from``."""
        return {
            "class": type(self).__name__,
            "start": self.start,
            "end": self.end,
            "steps": self.steps,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Take the arguments of ``state`` (a ``state_dict()`` of the same class)."""
        vars(self).update(vars(schedule_from(state, type(self))))

    def at(self, k: int) -> float:
        """The learning rate at step k (0 <= k <= steps)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(start={self.start}, end={self.end}, steps={self.steps})"


class LinearDecay(Decay):
    """lr_k = start - (start - end) k / steps (micrograd: 1.0 - 0.9 k / 100 with start 1.0, end
    0.1)."""

    def at(self, k: int) -> float:
        """start - (start - end) k / steps."""
        return self.start - (self.start - self.end) * k / self.steps


class CosineDecay(Decay):
    """lr_k = end + (start - end) (1 + cos(pi k / steps)) / 2."""

    def at(self, k: int) -> float:
        """end + (start - end) (1 + cos(pi k / steps)) / 2."""
        return self.end + (self.start - self.end) * (1.0 + math.cos(math.pi * k / self.steps)) / 2


class ExponentialDecay:
    """lr_k = start * gamma^k."""

    def __init__(self, start: float, gamma: float) -> None:
        self.start = check_number(start, "ExponentialDecay: start", low=0.0)
        self.gamma = check_number(
            gamma, "ExponentialDecay: gamma", low=0.0, high=1.0, strict=True, high_inclusive=True
        )

    def __call__(self, k: int) -> float:
        return self.start * self.gamma**k

    def state_dict(self) -> dict[str, Any]:
        """{"class": "ExponentialDecay", "start": ..., "gamma": ...}."""
        return {"class": "ExponentialDecay", "start": self.start, "gamma": self.gamma}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Take start and gamma from ``state`` (a ``state_dict()``)."""
        vars(self).update(vars(schedule_from(state, type(self))))

    def __repr__(self) -> str:
        return f"ExponentialDecay(start={self.start}, gamma={self.gamma})"


SCHEDULES: dict[str, type] = {
    "LinearDecay": LinearDecay,
    "CosineDecay": CosineDecay,
    "ExponentialDecay": ExponentialDecay,
}


def schedule_from(state: Any, kind: type | None = None) -> Any:
    """The schedule a ``state_dict()`` describes (of class ``kind`` if given); ValueError if it is
    not one."""
    name = state.get("class") if isinstance(state, Mapping) else None
    if name not in SCHEDULES or (kind is not None and SCHEDULES[name] is not kind):
        what = with_article(kind.__name__ if kind else "schedule")
        raise ValueError(f"not the state of {what}: {state!r:.80}")
    arguments = {key: value for key, value in state.items() if key != "class"}
    try:
        return SCHEDULES[name](**arguments)
    except TypeError as error:
        raise ValueError(f"bad {name} state: {error}") from None
