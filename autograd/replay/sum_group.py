"""``SumGroup``: chains of additions side by side, replayed as running sums.

A neuron's b + w0 x0 + w1 x1 + ... (D11) is a chain of additions: its running sums are computed
along the chain, added in the engine's order (left to right, so the floats are the eager
engine's, bit for bit), many chains side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import iadd

import numpy as np

from ..value import Value
from .group import BoundStep, ReplayError, ReplayOverflowError, first_nonfinite
from .rows import Pattern, Rows

SMALL = 256
"""Below this many numbers per step (chains x examples), one np.cumsum beats a loop of adds."""


@dataclass(frozen=True)
class TermRun:
    """Terms of a SumGroup for positions ``first`` to ``stop - 1`` of every chain, read as one
    list of rows.

    ``rows`` lists the terms position by position (m chains each); ``real`` is None when every
    (position, chain) has a term, else the flat indices ``(position - first) * m + chain`` of
    those that have one (the others are padding: 0).
    """

    first: int
    stop: int
    rows: Rows
    real: np.ndarray | None


class SumGroup:
    """``m`` chains of additions, each at most ``k`` additions long, side by side, in ``rows``.

    The rows hold k + 1 positions of m chains (row = start + position * m + chain).
    Position p holds the running sum of the chain's terms up to p, so a chain's nodes are its
    running sums: term 0 sits at the chain's first position, node j (term 0 + ... + term j) at
    the next ones. Shorter chains start later; their first positions stay 0, and 0 + t = t.
    A subtraction is the addition of a negated term: x - y = x + (-y) exactly in floating point.
    """

    def __init__(self, rows: slice, k: int, m: int, terms: list[TermRun],
                 signs: np.ndarray | None, interior_used: bool, ends: list[Value]) -> None:
        self.rows, self.k, self.m = rows, k, m
        self.terms = terms
        self.signs = signs  # (k + 1, m, 1) of +1/-1, or None when every term is added
        self.interior_used = interior_used  # a running sum before a chain's end is read elsewhere
        self.ends = ends  # each chain's last node, for error messages
        self.by_position = _by_position(k, m, terms, signs)
        only = terms[0] if len(terms) == 1 else None  # every term in one block of rows, added
        self.block = (slice(only.rows.start, only.rows.stop)
                      if only is not None and only.real is None
                      and only.rows.kind == Pattern.SLICE and signs is None else None)

    def _positions(self, buf: np.ndarray) -> np.ndarray:
        return buf[self.rows].reshape(self.k + 1, self.m, -1)

    def forward_step(self, vals: np.ndarray) -> BoundStep:
        """A block of terms (``block``) is one np.add.accumulate of views; few numbers per
        position: fill the positions, then one np.cumsum; many: one np.add per position."""
        sums = self._positions(vals)
        if sums[0].size >= SMALL:
            return lambda offset: self._add_by_position(vals, sums)
        if self.block is not None:  # the terms' rows, as (positions, m, B)
            terms = vals[self.block].reshape(sums.shape)
            return lambda offset: np.add.accumulate(terms, axis=0, out=sums)
        fills = [(sums[run.first:run.stop], run.rows.reader(vals), run.real) for run in self.terms]
        signs = self.signs

        def step(offset: int) -> None:
            for part, read, real in fills:
                if real is None:
                    part[...] = read().reshape(part.shape)
                else:
                    part.reshape(-1, part.shape[-1])[real] = read()
            if signs is not None:
                np.multiply(sums, signs, out=sums)
            np.cumsum(sums, axis=0, out=sums)

        return step

    def _add_by_position(self, vals: np.ndarray, sums: np.ndarray) -> None:
        """sums[p] = sums[p - 1] + term at p, reading each term where it lives."""
        previous = None
        for p, (term, add) in enumerate(self.by_position):
            if term is None:  # only padding so far: the block's zeros stay
                continue
            t = term(vals)
            if previous is None:  # the first terms (always added: a chain starts with +term 0)
                sums[p] = t
            else:
                add(previous, t, out=sums[p])
            previous = sums[p]

    def backward_step(self, vals: np.ndarray, grads: np.ndarray, check: bool = False
                      ) -> BoundStep:
        """Every term gets its running sum's gradient: the chain's end gradient, unless a
        running sum is read elsewhere (then its own plus everything after it); signed."""
        g = self._positions(grads)
        end, signs = g[self.k], self.signs
        every_position = self.interior_used or signs is not None
        adds = [self._adder(run, grads, g.shape, every_position) for run in self.terms]
        if self.interior_used:
            def per_term() -> np.ndarray:
                _running_sum(g[::-1])
                return g if signs is None else g * signs
        elif signs is not None:
            per_term = lambda: end * signs
        else:
            per_term = lambda: end  # (m, B): broadcast over each run's positions

        def step(offset: int) -> None:
            d = per_term()
            if check and not np.isfinite(d).all():
                raise ReplayOverflowError(
                    "replay: backward of add: overflow, a non-finite gradient (the upstream "
                    "gradient of a sum was already infinite)")
            for add in adds:
                add(d)

        return step

    def _adder(self, run: TermRun, grads: np.ndarray, shape: tuple[int, ...],
               every_position: bool) -> Callable[[np.ndarray], None]:
        """A function adding the terms' part of the per-term gradient (positions, m, B), or the
        chain's end gradient (m, B) for every position, into the terms' rows."""
        first, stop = run.first, run.stop
        if run.real is None and run.rows.kind == Pattern.SLICE:  # a view as (positions, m, B)
            view = grads[run.rows.start:run.rows.stop].reshape(stop - first, self.m, -1)
            if every_position:
                return lambda d: iadd(view, d[first:stop])
            return lambda d: iadd(view, d)
        add_into, real = run.rows.add_into, run.real

        def add(d: np.ndarray) -> None:
            part = np.broadcast_to(d, shape)[first:stop]
            flat = part.reshape(-1, part.shape[-1])
            add_into(grads, flat if real is None else flat[real])

        return add

    def explain(self, vals: np.ndarray, offset: int = 0) -> ReplayError | None:
        out = vals[self.rows]
        bad = first_nonfinite(out)
        if bad is None:
            return None
        row, b = bad
        label = self.ends[row % self.m].label
        where = f" in the sum ending at node {label!r}" if label else ""
        return ReplayOverflowError(f"replay: add: overflow, a sum gave {float(out[row, b])!r} "
                                   f"at example {b + offset}{where}")


def _running_sum(sums: np.ndarray) -> None:
    """sums[p] = sums[0] + ... + sums[p] along the first axis, in place, added left to right.

    np.cumsum (one call, slow per number) for small blocks, else one np.add per position.
    Both add in the same order as the eager engine's chain of nodes.
    """
    if sums[0].size < SMALL:
        np.cumsum(sums, axis=0, out=sums)
        return
    for p in range(1, len(sums)):
        np.add(sums[p - 1], sums[p], out=sums[p])


def _by_position(k: int, m: int, terms: list[TermRun], signs: np.ndarray | None
                 ) -> list[tuple[Callable | None, Callable]]:
    """For each position 0..k: a function reading its m terms (None if all padding) and the
    ufunc that adds them to the running sum (np.subtract when every term there is
    subtracted)."""
    readers: list[tuple[Callable | None, Callable]] = []
    for run in terms:
        for p in range(run.first, run.stop):
            sign = None if signs is None else signs[p]
            mixed = sign is not None and not (sign == sign[0]).all()
            add = np.subtract if sign is not None and not mixed and sign[0, 0] < 0 else np.add
            readers.append((_reader(run.rows, run.real, p - run.first, m,
                                    sign if mixed else None), add))
    return readers


def _reader(rows: Rows, real: np.ndarray | None, offset: int, m: int, sign: np.ndarray | None
            ) -> Callable | None:
    """A function vals -> the m terms at one position (zeros for padding, signs applied if
    mixed)."""
    lo, hi = offset * m, (offset + 1) * m
    if real is None:
        if rows.kind == Pattern.SLICE:
            here = slice(rows.start + lo, rows.start + hi)
            read = lambda vals: vals[here]
        else:
            here_rows = rows.rows[lo:hi]
            read = lambda vals: vals[here_rows]
    else:
        keep = (real >= lo) & (real < hi)
        if not keep.any():
            return None
        index, chains = rows.rows[keep], real[keep] - lo

        def read(vals: np.ndarray) -> np.ndarray:
            full = np.zeros((m, vals.shape[1]))
            full[chains] = vals[index]
            return full
    if sign is None:
        return read
    return lambda vals: read(vals) * sign
