"""Global switches of the engine and the context managers that flip them.

``no_grad()``        operations make plain values and record no graph (inference, optimiser steps).
``detect_anomaly()`` the backward pass checks every gradient it computes and raises
                     FloatingPointError at the first NaN or inf, naming the operation and inputs.
                     (Forward results need no switch: an operation whose result would overflow
                     raises OverflowError naming itself and its inputs, so every value is finite.)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


class _Mode:
    """Read by every operation; changed only through the context managers below."""

    grad_enabled: bool = True
    anomaly: bool = False


mode = _Mode()


@contextmanager
def no_grad() -> Iterator[None]:
    """Context (or decorator) in which operations record no graph."""
    previous = mode.grad_enabled
    mode.grad_enabled = False
    try:
        yield
    finally:
        mode.grad_enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Context that records the graph again, inside a ``no_grad`` block."""
    previous = mode.grad_enabled
    mode.grad_enabled = True
    try:
        yield
    finally:
        mode.grad_enabled = previous


def is_grad_enabled() -> bool:
    """True when operations record the graph."""
    return mode.grad_enabled


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Context in which backward raises FloatingPointError at the first NaN or inf gradient."""
    previous = mode.anomaly
    mode.anomaly = True
    try:
        yield
    finally:
        mode.anomaly = previous


_DIFFERENTIATING: ContextVar[bool] = ContextVar("chainrule_differentiating", default=False)


@contextmanager
def differentiating() -> Iterator[None]:
    """Context in which ``grad`` runs the function it differentiates.

    A ``grad`` called inside (a nested derivative) must return a Value with a graph, even when it
    is given plain numbers: its result may depend on the outer variable through a closure.
    """
    token = _DIFFERENTIATING.set(True)
    try:
        yield
    finally:
        _DIFFERENTIATING.reset(token)


def is_differentiating() -> bool:
    """True inside the function that an enclosing ``grad`` or ``hessian`` differentiates."""
    return _DIFFERENTIATING.get()


def _finite(x: Any) -> bool:
    x = getattr(x, "data", x)
    return math.isfinite(x)


def check_backward(op: str, inputs: tuple, upstream: Any, grads: tuple) -> None:
    """Raise if a gradient computed by ``op``'s rule is NaN or inf."""
    for g in grads:
        if not _finite(g):
            shown = ", ".join(repr(getattr(v, "data", v)) for v in inputs if v is not None)
            raise FloatingPointError(
                f"detect_anomaly: backward of {op} produced gradient {getattr(g, 'data', g)!r} "
                f"from inputs ({shown}) and upstream gradient {getattr(upstream, 'data', upstream)!r}"
            )
