"""Switches of the engine and the context managers that flip them.

Each switch is a ``contextvars.ContextVar``: it belongs to the thread (and the asyncio task)
that flips it, so a ``no_grad()`` in one thread never stops another from recording, and the
previous state comes back when the block ends, however threads interleave.

``no_grad()``        operations make plain values and record no graph (inference, optimiser steps).
``detect_anomaly()`` the backward pass checks every gradient it computes and raises
                     FloatingPointError at the first NaN or inf, naming the operation and inputs.
                     (Forward results need no switch: an operation whose result would overflow
                     raises OverflowError naming itself and its inputs, so every value is finite.)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

_GRAD_ENABLED: ContextVar[bool] = ContextVar("chainrule_grad_enabled", default=True)
_ANOMALY: ContextVar[bool] = ContextVar("chainrule_detect_anomaly", default=False)

grad_enabled = _GRAD_ENABLED.get
"""True when operations record the graph: read by every operation (a C call, no Python frame)."""
anomaly_enabled = _ANOMALY.get
"""True inside ``detect_anomaly()``: read once per backward pass."""


@contextmanager
def _switch(var: ContextVar[bool], on: bool) -> Iterator[None]:
    token = var.set(on)
    try:
        yield
    finally:
        var.reset(token)


def no_grad() -> AbstractContextManager[None]:
    """Context (or decorator) in which operations record no graph (in this thread or task only)."""
    return _switch(_GRAD_ENABLED, False)


def enable_grad() -> AbstractContextManager[None]:
    """Context that records the graph again, inside a ``no_grad`` block (where the graph is
    already recorded, it keeps the switch as it is: inside ``record_source()`` lines are noted)."""
    return _switch(_GRAD_ENABLED, _GRAD_ENABLED.get() or True)


def is_grad_enabled() -> bool:
    """True when operations record the graph (in this thread or task)."""
    return bool(_GRAD_ENABLED.get())


def detect_anomaly() -> AbstractContextManager[None]:
    """Context in which backward raises FloatingPointError at the first NaN or inf gradient."""
    return _switch(_ANOMALY, True)


class _Mode:
    """The switches as attributes, for code that sets them directly (the replay's tracer).

    Prefer the context managers: an attribute set here is not undone when the block ends.
    """

    @property
    def grad_enabled(self) -> bool:
        return _GRAD_ENABLED.get()

    @grad_enabled.setter
    def grad_enabled(self, on: bool) -> None:
        _GRAD_ENABLED.set(on)

    @property
    def anomaly(self) -> bool:
        return _ANOMALY.get()

    @anomaly.setter
    def anomaly(self, on: bool) -> None:
        _ANOMALY.set(on)


mode = _Mode()


_DIFFERENTIATING: ContextVar[bool] = ContextVar("chainrule_differentiating", default=False)


def differentiating() -> AbstractContextManager[None]:
    """Context in which ``grad`` runs the function it differentiates.

    A ``grad`` called inside (a nested derivative) must return a Value with a graph, even when it
    is given plain numbers: its result may depend on the outer variable through a closure.
    """
    return _switch(_DIFFERENTIATING, True)


def is_differentiating() -> bool:
    """True inside the function that an enclosing ``grad`` or ``hessian`` differentiates."""
    return _DIFFERENTIATING.get()


_TRACING: ContextVar[bool] = ContextVar("chainrule_tracing", default=False)


def tracing() -> AbstractContextManager[None]:
    """Context in which ``autograd.compile`` records a function's graph for the replay.

    An op with a form the replay does not run (``dot``, one node of many inputs) records its
    binary form there instead, even when none of its inputs is traced (a dot of parameters alone).
    """
    return _switch(_TRACING, True)


def is_tracing() -> bool:
    """True while ``autograd.compile`` traces a function (in this thread)."""
    return _TRACING.get()


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
                f"from inputs ({shown}) and upstream gradient "
                f"{getattr(upstream, 'data', upstream)!r}"
            )
