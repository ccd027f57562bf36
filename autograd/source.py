"""Where each number came from: inside ``with record_source():`` each node remembers the line
of code that made it.

>>> from autograd import Value, record_source, source_of
>>> with record_source():
...     y = Value(2.0) * 3
>>> source_of(y).line > 0
True

Inside the block (in this thread or asyncio task only: a ``ContextVar``), every operation that
records a node also notes the file and line of the first frame outside the library (``autograd``,
``nn``, ``viz``): the student's line, not the library's. Outside it nothing is noted and nothing
is paid: the switch rides on the value of ``modes``' grad switch (``RECORDING`` is a truthy value
other than True), so an operation's one check ``if on is not True`` costs no extra lookup.
The notes live in a weak side table, never on the node, and go with the node.
"""

from __future__ import annotations

import linecache
import os
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from .modes import _GRAD_ENABLED


class Source(NamedTuple):
    """A line of code: ``file``, ``line`` (1-based) and its ``text`` (stripped; '' when unknown)."""

    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{os.path.basename(self.file)}:{self.line}"


class _Recording:
    """The grad switch's value inside ``record_source()``: true (operations record the graph),
    but not True."""

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "RECORDING"


RECORDING = _Recording()

_SOURCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LIBRARY = tuple(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep + package + os.sep
    for package in ("autograd", "nn", "viz")
)


@contextmanager
def record_source() -> Iterator[None]:
    """Context in which every node made remembers the user's line that made it (``source_of``).

    Off by default; it only notes where nodes come from and changes no number. Inside
    ``no_grad()`` nothing is recorded, as before; an ``enable_grad()`` block inside that records
    the graph but no lines. The gradient nodes of ``backward(create_graph=True)`` made inside the
    block note the line that called it.
    """
    token = _GRAD_ENABLED.set(RECORDING if _GRAD_ENABLED.get() else False)
    try:
        yield
    finally:
        _GRAD_ENABLED.reset(token)


def is_recording_source() -> bool:
    """True inside ``record_source()`` (in this thread or task)."""
    return _GRAD_ENABLED.get() is RECORDING


def remember(node: object) -> None:
    """Note the user's line that is making ``node`` (the engine calls it inside
    ``record_source``)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY):
        frame = frame.f_back
    if frame is None:
        return
    file, line = frame.f_code.co_filename, frame.f_lineno
    _SOURCES[node] = Source(file, line, linecache.getline(file, line, frame.f_globals).strip())


def source_of(node: object) -> Source | None:
    """Where ``node`` was made, when it was made inside ``record_source()``; else None."""
    try:
        return _SOURCES.get(node)
    except TypeError:  # not weakly referenceable: never recorded
        return None
