"""Reading and adding into a list of rows of a (rows, batch) buffer, with as few numpy calls as possible.

The replay keeps one row of B numbers per graph node (one number per example). A group of
nodes reads its inputs as a list of rows, and the backward pass adds gradients into a list of
rows, where a row may appear several times (a node used by several nodes of the group): the
additions must all land, which plain ``buf[rows] += d`` does not do for repeated rows.

``Rows`` looks at the list once and picks the cheapest way that is exact:

=========  =============================  ===============================  ==========================
pattern    example                        read                             add into (repeats summed)
=========  =============================  ===============================  ==========================
slice      5 6 7 8                        a view, no copy                  ``buf[5:9] += d``
repeat     5 5 5 6 6 6                    ``np.repeat`` of a view          sum over each run, then add
tile       5 6 5 6 5 6                    ``np.tile`` of a view            sum over the copies, then add
unique     9 2 7                          ``buf[rows]``                    ``buf[rows] += d``
general    9 2 9 7 2                      ``buf[rows]``                    sort, ``np.add.reduceat``, add
=========  =============================  ===============================  ==========================

(``np.add.at`` is also exact, but about ten times slower than these.)
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class Pattern(StrEnum):
    """How a list of rows is laid out, which decides how it is read and added into (table above)."""

    SLICE = "slice"
    REPEAT = "repeat"
    TILE = "tile"
    UNIQUE = "unique"
    GENERAL = "general"


class Rows:
    """An ordered list of buffer rows, read and added into by the cheapest exact pattern."""

    __slots__ = ("rows", "kind", "start", "stop", "count", "order", "starts", "targets")
    rows: np.ndarray
    """The row numbers, in order."""
    kind: Pattern
    start: int
    """SLICE, REPEAT, TILE: the first row of the range read (``buf[start:stop]``)."""
    stop: int
    count: int
    """REPEAT: how many copies of each row; TILE: how many copies of the whole range."""
    order: np.ndarray
    """GENERAL: the positions sorted by row; ``starts`` where each distinct row begins; ``targets`` those rows."""
    starts: np.ndarray
    targets: np.ndarray

    def __init__(self, rows: np.ndarray | list[int]) -> None:
        rows = np.asarray(rows, dtype=np.intp)
        if rows.ndim != 1 or len(rows) == 0:
            raise ValueError("Rows: need a non-empty 1-D list of rows")
        self.rows = rows
        n = len(rows)
        first = int(rows[0])
        run = int(np.argmax(rows != first)) if (rows != first).any() else n  # length of the first run
        distinct = n // run if n % run == 0 else 0
        self.count = run  # repeat: copies of each row; tile: copies of the whole range
        self.start, self.stop = first, first + n
        self.kind = Pattern.GENERAL
        if np.array_equal(rows, np.arange(first, first + n)):
            self.kind = Pattern.SLICE
        elif run > 1 and distinct and np.array_equal(rows, np.repeat(np.arange(first, first + distinct), run)):
            self.kind, self.stop = Pattern.REPEAT, first + distinct
        else:
            period = _period(rows)
            if period and np.array_equal(rows, np.tile(np.arange(first, first + period), n // period)):
                self.kind, self.stop, self.count = Pattern.TILE, first + period, n // period
            elif len(np.unique(rows)) == n:
                self.kind = Pattern.UNIQUE
        if self.kind == Pattern.GENERAL:
            self.order = np.argsort(rows, kind="stable")
            sorted_rows = rows[self.order]
            self.starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
            self.targets = sorted_rows[self.starts]

    def __len__(self) -> int:
        return len(self.rows)

    def read(self, buf: np.ndarray) -> np.ndarray:
        """buf[rows]: a view when the rows are one contiguous range, else a copy."""
        kind = self.kind
        if kind == Pattern.SLICE:
            return buf[self.start:self.stop]
        if kind == Pattern.REPEAT:
            return np.repeat(buf[self.start:self.stop], self.count, axis=0)
        if kind == Pattern.TILE:
            view = buf[self.start:self.stop]
            return np.broadcast_to(view, (self.count, *view.shape)).reshape(len(self.rows), -1)
        return buf[self.rows]

    def add_into(self, buf: np.ndarray, d: np.ndarray) -> None:
        """buf[rows[i]] += d[i] for every i, repeated rows receiving the sum of their parts."""
        kind = self.kind
        if kind == Pattern.SLICE:
            buf[self.start:self.stop] += d
        elif kind == Pattern.REPEAT:  # ones @ (runs, copies, B) sums each run: one BLAS call, faster than .sum(axis=1)
            runs = d.reshape(self.stop - self.start, self.count, -1)
            buf[self.start:self.stop] += np.matmul(np.ones(self.count), runs)
        elif kind == Pattern.TILE:
            buf[self.start:self.stop] += d.reshape(self.count, self.stop - self.start, -1).sum(axis=0)
        elif kind == Pattern.UNIQUE:
            buf[self.rows] += d
        else:
            buf[self.targets] += np.add.reduceat(d[self.order], self.starts, axis=0)

    def __repr__(self) -> str:
        return f"Rows({self.kind.value}, {len(self.rows)} rows)"


def _period(rows: np.ndarray) -> int:
    """The length p of the repeating block if rows starts with p consecutive rows and p divides the length, else 0."""
    n = len(rows)
    steps = np.flatnonzero(np.diff(rows) != 1)
    p = int(steps[0]) + 1 if len(steps) else n
    return p if p < n and n % p == 0 else 0
