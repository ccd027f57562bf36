"""Reading and adding into a list of rows of a (rows, batch) buffer, with few numpy calls.

The replay keeps one row of B numbers per graph node (one number per example). A group of
nodes reads its inputs as a list of rows, and the backward pass adds gradients into a list of
rows, where a row may appear several times (a node used by several nodes of the group): the
additions must all land, which plain ``buf[rows] += d`` does not do for repeated rows.

``Rows`` looks at the list once and picks the cheapest way that is exact:

=======  ===========  ======================  ==========================================
pattern  example      read                    add into (repeats summed)
=======  ===========  ======================  ==========================================
slice    5 6 7 8      a view, no copy         ``buf[5:9] += d``
repeat   5 5 5 6 6 6  ``buf.take(rows, 0)``   sum over each run, then add
tile     5 6 5 6 5 6  ``buf.take(rows, 0)``   sum over the copies, then add
unique   9 2 7        ``buf.take(rows, 0)``   ``buf[rows] = buf[rows] + d``
general  9 2 9 7 2    ``buf.take(rows, 0)``   sort, ``np.add.reduceat``, add
=======  ===========  ======================  ==========================================

The replay calls these thousands of times per step on small arrays, where numpy's per-call cost
dominates: so the pattern picks the two functions once, at construction (``read`` and
``add_into`` are then plain attributes, no test of the pattern per call), and uses the fastest
calls for small arrays (``take`` is about 3x faster than ``buf[rows]``, a read then a write 1.4x
faster than ``buf[rows] += d``). (``np.add.at`` is also exact, but slow before numpy 1.25.)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from operator import iadd

import numpy as np


class Pattern(StrEnum):
    """How a list of rows is laid out, which decides how it is read and added into (table above)."""

    SLICE = "slice"
    REPEAT = "repeat"
    TILE = "tile"
    UNIQUE = "unique"
    GENERAL = "general"


class Rows:
    """An ordered list of buffer rows, read and added into by the cheapest exact pattern.

    ``read(buf)``: buf[rows], a view when the rows are one contiguous range, else a copy.
    ``add_into(buf, d)``: buf[rows[i]] += d[i] for every i, repeated rows receiving the sum of
    their parts.
    """

    __slots__ = (
        "rows",
        "kind",
        "start",
        "stop",
        "count",
        "order",
        "starts",
        "targets",
        "read",
        "add_into",
    )
    rows: np.ndarray
    """The row numbers, in order."""
    kind: Pattern
    start: int
    """SLICE, REPEAT, TILE: the first row of the range read (``buf[start:stop]``)."""
    stop: int
    count: int
    """REPEAT: how many copies of each row; TILE: how many copies of the whole range."""
    order: np.ndarray
    """GENERAL: the positions sorted by row; ``starts`` where each distinct row begins;
    ``targets`` those rows."""
    starts: np.ndarray
    targets: np.ndarray
    read: Callable[[np.ndarray], np.ndarray]
    add_into: Callable[[np.ndarray, np.ndarray], None]

    def __init__(self, rows: np.ndarray | list[int]) -> None:
        rows = np.asarray(rows, dtype=np.intp)
        if rows.ndim != 1 or len(rows) == 0:
            raise ValueError("Rows: need a non-empty 1-D list of rows")
        self.rows = rows
        n = len(rows)
        first = int(rows[0])
        run = (
            int(np.argmax(rows != first)) if (rows != first).any() else n
        )  # length of the first run
        distinct = n // run if n % run == 0 else 0
        self.count = run  # repeat: copies of each row; tile: copies of the whole range
        self.start, self.stop = first, first + n
        self.kind = Pattern.GENERAL
        if np.array_equal(rows, np.arange(first, first + n)):
            self.kind = Pattern.SLICE
        elif (
            run > 1
            and distinct
            and np.array_equal(rows, np.repeat(np.arange(first, first + distinct), run))
        ):
            self.kind, self.stop = Pattern.REPEAT, first + distinct
        else:
            period = _period(rows)
            if period and np.array_equal(
                rows, np.tile(np.arange(first, first + period), n // period)
            ):
                self.kind, self.stop, self.count = Pattern.TILE, first + period, n // period
            elif len(np.unique(rows)) == n:
                self.kind = Pattern.UNIQUE
        if self.kind == Pattern.GENERAL:
            self.order = np.argsort(rows, kind="stable")
            sorted_rows = rows[self.order]
            self.starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
            self.targets = sorted_rows[self.starts]
        self.read, self.add_into = _READ_ADD[self.kind](self)

    def __len__(self) -> int:
        return len(self.rows)

    def reader(self, buf: np.ndarray) -> Callable[[], np.ndarray]:
        """``read`` on this one buffer, as a function of nothing: a slice's view is made once."""
        if self.kind == Pattern.SLICE:
            view = buf[self.start : self.stop]
            return lambda: view
        rows = self.rows
        return lambda: buf.take(rows, 0)

    def adder(self, buf: np.ndarray) -> Callable[[np.ndarray], None]:
        """``add_into`` this one buffer, as a function of d: a slice's view is made once."""
        if self.kind == Pattern.SLICE:
            view = buf[self.start : self.stop]
            return lambda d: iadd(view, d)  # view += d, in place
        add_into = self.add_into
        return lambda d: add_into(buf, d)

    def __repr__(self) -> str:
        return f"Rows({self.kind.value}, {len(self.rows)} rows)"


Reader = Callable[[np.ndarray], np.ndarray]
Adder = Callable[[np.ndarray, np.ndarray], None]


def _slice(r: Rows) -> tuple[Reader, Adder]:
    here = slice(r.start, r.stop)

    def add_into(buf: np.ndarray, d: np.ndarray) -> None:
        buf[here] += d

    return (lambda buf: buf[here]), add_into


def _taken(r: Rows) -> Reader:
    rows = r.rows
    return lambda buf: buf.take(rows, 0)


def _repeat(r: Rows) -> tuple[Reader, Adder]:
    here, shape, ones = slice(r.start, r.stop), (r.stop - r.start, r.count, -1), np.ones(r.count)

    def add_into(
        buf: np.ndarray, d: np.ndarray
    ) -> None:  # ones @ (runs, copies, B) sums each run: one BLAS call
        buf[here] += np.matmul(ones, d.reshape(shape))

    return _taken(r), add_into


def _tile(r: Rows) -> tuple[Reader, Adder]:
    here, shape = slice(r.start, r.stop), (r.count, r.stop - r.start, -1)

    def add_into(buf: np.ndarray, d: np.ndarray) -> None:  # sum over the copies
        buf[here] += np.add.reduce(d.reshape(shape), axis=0)

    return _taken(r), add_into


def _unique(r: Rows) -> tuple[Reader, Adder]:
    rows = r.rows

    def add_into(buf: np.ndarray, d: np.ndarray) -> None:  # every row once: a read, then a write
        buf[rows] = buf.take(rows, 0) + d

    return _taken(r), add_into


def _general(r: Rows) -> tuple[Reader, Adder]:
    order, starts, targets = r.order, r.starts, r.targets

    def add_into(
        buf: np.ndarray, d: np.ndarray
    ) -> None:  # the parts of each row summed, then added once
        buf[targets] = buf.take(targets, 0) + np.add.reduceat(d.take(order, 0), starts, axis=0)

    return _taken(r), add_into


_READ_ADD: dict[Pattern, Callable[[Rows], tuple[Reader, Adder]]] = {
    Pattern.SLICE: _slice,
    Pattern.REPEAT: _repeat,
    Pattern.TILE: _tile,
    Pattern.UNIQUE: _unique,
    Pattern.GENERAL: _general,
}
"""For each pattern, the function making a Rows' ``read`` and ``add_into`` (table above)."""


def _period(rows: np.ndarray) -> int:
    """The length p of the repeating block if rows starts with p consecutive rows and p divides
    the length, else 0."""
    n = len(rows)
    steps = np.flatnonzero(np.diff(rows) != 1)
    p = int(steps[0]) + 1 if len(steps) else n
    return p if p < n and n % p == 0 else 0
