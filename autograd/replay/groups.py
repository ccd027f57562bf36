"""Execute: two kinds of step of a replay, one operation on many nodes and running sums.

Buffers hold one row per node and one column per example: ``vals[row, b]`` is the node's value
on example b, ``grads[row, b]`` its gradient. A group reads and writes whole rows, so one numpy
call serves every node of the group and every example at once.

``OpGroup``  nodes of one operation at one depth: out = forward(x, y), then (dx, dy) = vjp(...),
             with the engine's own rules from ``rules.py`` applied to arrays (D2-D5).
``SumGroup`` chains of additions, such as a neuron's b + w0 x0 + w1 x1 + ... (D11): running sums
             along the chain, added in the engine's order (left to right, so the floats are the
             eager engine's, bit for bit), many chains side by side.
(The third kind, ``DenseGroup``, a matrix product, lives in ``dense.py`` with the search for it.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..domains import DERIVATIVE, FORWARD, Domain, message, overflow
from ..value import Value
from .rows import Pattern, Rows

BoundStep = Callable[[int], None]
"""A group's forward or backward bound to the buffers: step(offset) (``forward_step``, ``backward_step``)."""

SMALL = 256
"""Below this many numbers per step (chains x examples), one np.cumsum beats a loop of adds."""


class ReplayError(FloatingPointError, ValueError):
    """An input outside an operation's domain (``domains.py``), or a NaN or infinity, during the
    replay: names the op, the input as written, the example and the node."""


class ReplayZeroDivisionError(ReplayError, ZeroDivisionError):
    """A division by zero, or an infinite derivative (sqrt'(0)): what the eager engine raises as ZeroDivisionError."""


class ReplayOverflowError(ReplayError, OverflowError):
    """A result or gradient too large for a float: what the eager engine raises as OverflowError."""


AS_REPLAY_ERROR: dict[type[Exception], type[ReplayError]] = {
    ValueError: ReplayError, ZeroDivisionError: ReplayZeroDivisionError, OverflowError: ReplayOverflowError}
"""The replay's error for each kind of error of the domain table: an instance of both."""


SHOWS_AS_NONFINITE = frozenset({"log", "sqrt", "div", "rdiv", "pow"})
"""Ops whose inputs outside the domain (``domains.py``) always give a NaN or an infinity: log(x <= 0)
is -inf or NaN, sqrt(x < 0) NaN, x / 0 and c / 0 inf or NaN, x ** n NaN for x < 0 and a fractional
n, inf for 0 ** (n < 0); their derivatives' domains likewise (sqrt'(0) and n 0 ** (n - 1) are inf,
times any g inf or NaN). Their groups skip the checks: ``Compiled`` looks for a NaN or inf once per
pass anyway, and only then runs the checks, group by group in order, to raise the same error
(``explain``, ``backward(check=True)``). The powers with a Value exponent or base are not in it:
0 ** y is 0, finite, though its derivative needs ln 0."""


class OpGroup:
    """``n`` nodes of one operation at one depth; their values live in ``rows`` of the buffers.

    ``x`` are the rows of their first inputs; ``y`` the rows of their second inputs (Rows), or
    their constant operands as an (n, 1) column (the 2 of ``x * 2``, an activation's alpha), or
    None for one-input operations. Inputs outside the op's domain (``domains.FORWARD``, and
    ``domains.DERIVATIVE`` before the backward pass) raise the table's error, as in the eager engine:
    checked before the group runs, or, for the ops of ``SHOWS_AS_NONFINITE``, once a NaN or an
    infinity shows up (``checked_derivative_domains`` is then empty for every op of today's table:
    the two with a derivative domain, sqrt and pow, are both late).

    ``op`` is the eager engine's name (``Value.op``, a key of ``rules.RULES``); the powers are
    three ops because their rules differ: "pow" is x ** n with a constant exponent n, "powv" is
    x ** y with a Value exponent y (its rule has ln x: the base must be positive), "rpow" is
    c ** x with a constant base c.
    """

    def __init__(self, op: str, rule: Any, rows: slice, x: Rows, y: Rows | np.ndarray | None,
                 nodes: list[Value]) -> None:
        self.op = op
        self.forward_rule: Callable = rule.forward
        self.vjp: Callable = rule.vjp
        self.rows = rows
        self.x = x
        self.y = y
        self.y_rows = y if type(y) is Rows else None  # the second inputs' rows, if they are nodes
        self.nodes = nodes
        self.domains = FORWARD.get(op, ())
        self.derivative_domains = DERIVATIVE.get(op, ())
        late = op in SHOWS_AS_NONFINITE  # checked only when a NaN or inf shows up (see SHOWS_AS_NONFINITE)
        self.checked_domains = () if late else self.domains
        self.checked_derivative_domains = () if late else self.derivative_domains

    def _inputs(self, vals: np.ndarray) -> tuple[np.ndarray, Any]:
        y = self.y_rows
        return self.x.read(vals), (self.y if y is None else y.read(vals))

    def forward(self, vals: np.ndarray, offset: int = 0) -> None:
        """``offset``: the batch's example number of column 0 (for error messages)."""
        x, y = self._inputs(vals)
        if self.checked_domains:  # an input made NaN or inf by an earlier group is that group's error
            self._check(self.checked_domains, x, y, offset, derivative=False, skip_nonfinite=True)
        vals[self.rows] = self.forward_rule(x, y)

    def backward(self, vals: np.ndarray, grads: np.ndarray, check: bool = False, offset: int = 0) -> None:
        """With ``check``, every domain is checked and a non-finite gradient raises (``Compiled`` runs
        the pass again with it when the gradients are not all finite)."""
        x, y = self._inputs(vals)
        domains = self.derivative_domains if check else self.checked_derivative_domains
        rows = self.rows
        g = grads[rows]
        if domains:  # 0 times an infinite slope (sqrt'(0)) is 0, as in the eager engine and PyTorch
            self._check(domains, x, y, offset, derivative=True, exempt=g == 0.0)
        d = self.vjp(g, vals[rows], x, y)
        if domains:
            d = tuple(np.where(g == 0.0, 0.0, part) for part in d)
        if check:
            for part in d:
                bad = _first_nonfinite(part)
                if bad is not None:
                    i, b = bad
                    raise ReplayOverflowError(
                        f"replay: backward of {self.op}: overflow, the gradient is {float(part[i, b])!r} "
                        f"(upstream gradient {float(g[i, b])!r}) at {self._where(i, b, x, y, offset)}")
        self.x.add_into(grads, d[0])
        if self.y_rows is not None:
            self.y_rows.add_into(grads, d[1])

    def forward_step(self, vals: np.ndarray) -> BoundStep:
        """``forward`` on this one buffer, as a function of the offset only: the views of the rows
        are made once (``Compiled`` keeps the steps while it keeps the buffer). The same numpy calls."""
        if self.checked_domains:
            return lambda offset: self.forward(vals, offset)
        rule, x, y, out = self.forward_rule, self.x.reader(vals), self._y_reader(vals), vals[self.rows]

        def step(offset: int) -> None:
            out[...] = rule(x(), y())

        return step

    def backward_step(self, vals: np.ndarray, grads: np.ndarray) -> BoundStep:
        """``backward`` (without ``check``) on these buffers, as a function of the offset only."""
        if self.checked_derivative_domains:
            return lambda offset: self.backward(vals, grads, False, offset)
        vjp, x, y, g, out = self.vjp, self.x.reader(vals), self._y_reader(vals), grads[self.rows], vals[self.rows]
        add_x = self.x.adder(grads)
        if self.y_rows is None:
            def step(offset: int) -> None:
                add_x(vjp(g, out, x(), y())[0])
        else:
            add_y = self.y_rows.adder(grads)

            def step(offset: int) -> None:
                dx, dy = vjp(g, out, x(), y())
                add_x(dx)
                add_y(dy)
        return step

    def _y_reader(self, vals: np.ndarray) -> Callable[[], Any]:
        if self.y_rows is not None:
            return self.y_rows.reader(vals)
        y = self.y
        return lambda: y

    def explain(self, vals: np.ndarray, offset: int = 0) -> ReplayError | None:
        """The error for the first non-finite output of this group (an overflow), if there is one;
        raises the domain's error first if an input is outside it (the checks ``SHOWS_AS_NONFINITE`` left)."""
        x, y = self._inputs(vals)
        if self.domains:  # the checks left for now (SHOWS_AS_NONFINITE): raises if an input is outside
            self._check(self.domains, x, y, offset, derivative=False)
        bad = _first_nonfinite(vals[self.rows])
        if bad is None:
            return None
        i, b = bad
        xi, yi = self._operands(i, b, x, y)
        return ReplayOverflowError(f"replay: {overflow(self.op, xi, yi)}, at {self._where(i, b, x, y, offset)}")

    def _check(self, domains: tuple[Domain, ...], x: np.ndarray, y: Any, offset: int, derivative: bool,
               skip_nonfinite: bool = False, exempt: np.ndarray | None = None) -> None:
        """Raise the table's error for the first input outside a domain (``exempt``: where not to look)."""
        for domain in domains:
            ok = domain.ok(x, y)
            if exempt is not None:
                ok = ok | exempt
            if not ok.all():
                if skip_nonfinite:  # left for the pass's look for NaN and inf, which names the group that made it
                    ok = ok | ~np.isfinite(x) | (~np.isfinite(y) if isinstance(y, np.ndarray) else False)
                    if ok.all():
                        continue
                i, b = np.argwhere(~np.broadcast_to(ok, x.shape))[0]
                text = message(self.op, domain, *self._operands(i, b, x, y), derivative=derivative)
                raise AS_REPLAY_ERROR[domain.error](f"replay: {text}, at {self._where(i, b, x, y, offset)}")

    def _operands(self, i: int, b: int, x: np.ndarray, y: Any) -> tuple[float, float | None]:
        """(x, y) of node i on example b, as numbers."""
        return float(x[i, b]), (None if y is None else float(y[i, -1 if y.shape[1] == 1 else b]))

    def _where(self, i: int, b: int, x: np.ndarray, y: Any, offset: int) -> str:
        node = self.nodes[i]
        source = node.parents[0].label if node.parents else ""
        where = f" in node {node.label!r}" if node.label else (f", applied to node {source!r}" if source else "")
        return f"example {b + offset}{where}"


@dataclass(frozen=True)
class TermRun:
    """Terms of a SumGroup for positions ``first`` to ``stop - 1`` of every chain, read as one list of rows.

    ``rows`` lists the terms position by position (m chains each); ``real`` is None when every
    (position, chain) has a term, else the flat indices ``(position - first) * m + chain`` of those
    that have one (the others are padding: 0).
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
        self.interior_used = interior_used  # some running sum before a chain's end is used elsewhere
        self.ends = ends  # each chain's last node, for error messages
        self.by_position = _by_position(k, m, terms, signs)
        only = terms[0] if len(terms) == 1 else None  # every term in one contiguous block of rows, added
        self.block = (slice(only.rows.start, only.rows.stop) if only is not None and only.real is None
                      and only.rows.kind == Pattern.SLICE and signs is None else None)

    def _positions(self, buf: np.ndarray) -> np.ndarray:
        return buf[self.rows].reshape(self.k + 1, self.m, -1)

    def forward_step(self, vals: np.ndarray) -> BoundStep:
        """``forward`` bound to the buffer; a block of terms (``block``) is one np.add.accumulate of views."""
        sums = self._positions(vals)
        if self.block is None or sums[0].size >= SMALL:
            return lambda offset: self.forward(vals, offset)
        terms = vals[self.block].reshape(sums.shape)
        return lambda offset: np.add.accumulate(terms, axis=0, out=sums)

    def backward_step(self, vals: np.ndarray, grads: np.ndarray) -> BoundStep:
        """``backward`` bound to the buffers; the common case (every term added, runs of consecutive rows,
        no running sum read elsewhere) adds the chain's end gradient into views of the terms' rows."""
        if self.interior_used or self.signs is not None or any(
                run.real is not None or run.rows.kind != Pattern.SLICE for run in self.terms):
            return lambda offset: self.backward(vals, grads, False, offset)
        end = self._positions(grads)[self.k]  # (m, B), broadcast over each run's positions
        views = [grads[run.rows.start:run.rows.stop].reshape(run.stop - run.first, self.m, -1) for run in self.terms]

        def step(offset: int) -> None:
            for view in views:
                view += end

        return step

    def forward(self, vals: np.ndarray, offset: int = 0) -> None:
        sums = self._positions(vals)
        if self.block is not None and sums[0].size < SMALL:  # the terms' rows, as (positions, m, B): one cumsum
            np.add.accumulate(vals[self.block].reshape(sums.shape), axis=0, out=sums)
            return
        if sums[0].size < SMALL:  # few numbers per position: fill the block, then one np.cumsum
            for run in self.terms:
                part = sums[run.first:run.stop]
                if run.real is None:
                    part[...] = run.rows.read(vals).reshape(part.shape)
                else:
                    part.reshape(-1, part.shape[-1])[run.real] = run.rows.read(vals)
            if self.signs is not None:
                sums *= self.signs
            np.cumsum(sums, axis=0, out=sums)
            return
        previous = None  # sums[p] = sums[p - 1] + term at p, reading each term where it lives
        for p, (term, add) in enumerate(self.by_position):
            if term is None:  # only padding so far: the block's zeros stay
                continue
            t = term(vals)
            if previous is None:  # the first terms (always added: a chain starts with +term 0)
                sums[p] = t
            else:
                add(previous, t, out=sums[p])
            previous = sums[p]

    def backward(self, vals: np.ndarray, grads: np.ndarray, check: bool = False, offset: int = 0) -> None:
        g = self._positions(grads)
        if self.interior_used:
            _running_sum(g[::-1])  # a running sum's gradient: its own plus everything after it
            per_term = g if self.signs is None else g * self.signs
        elif self.signs is not None:
            per_term = g[self.k] * self.signs  # every term gets the chain's end gradient, signed
        else:
            per_term = g[self.k][None]  # every term gets the chain's end gradient: (1, m, B), broadcast
        if check and not np.isfinite(per_term).all():
            raise ReplayOverflowError("replay: backward of add: overflow, a non-finite gradient (the upstream "
                                      "gradient of a sum was already infinite)")
        for run in self.terms:
            if run.real is None and run.rows.kind == Pattern.SLICE:  # the terms' rows as (positions, m, B)
                view = grads[run.rows.start:run.rows.stop].reshape(run.stop - run.first, self.m, -1)
                view += per_term[run.first:run.stop] if len(per_term) > 1 else per_term
            else:
                part = np.broadcast_to(per_term, g.shape)[run.first:run.stop]
                flat = part.reshape(-1, part.shape[-1])
                run.rows.add_into(grads, flat if run.real is None else flat[run.real])

    def explain(self, vals: np.ndarray, offset: int = 0) -> ReplayError | None:
        out = vals[self.rows]
        bad = _first_nonfinite(out)
        if bad is None:
            return None
        row, b = bad
        label = self.ends[row % self.m].label
        where = f" in the sum ending at node {label!r}" if label else ""
        return ReplayOverflowError(f"replay: add: overflow, a sum gave {float(out[row, b])!r} at example {b + offset}"
                                   f"{where}")


def _first_nonfinite(a: np.ndarray) -> tuple[int, int] | None:
    """(row, example) of the first NaN or infinity in a (rows, examples) array, or None."""
    bad = np.argwhere(~np.isfinite(a))
    return (int(bad[0][0]), int(bad[0][1])) if len(bad) else None


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
    """For each position 0..k: a function reading its m terms (None if all padding) and the ufunc
    that adds them to the running sum (np.subtract when every term there is subtracted)."""
    readers: list[tuple[Callable | None, Callable]] = []
    for run in terms:
        for p in range(run.first, run.stop):
            sign = None if signs is None else signs[p]
            mixed = sign is not None and not (sign == sign[0]).all()
            add = np.subtract if sign is not None and not mixed and sign[0, 0] < 0 else np.add
            readers.append((_reader(run.rows, run.real, p - run.first, m, sign if mixed else None), add))
    return readers


def _reader(rows: Rows, real: np.ndarray | None, offset: int, m: int, sign: np.ndarray | None) -> Callable | None:
    """A function vals -> the m terms at one position (zeros for padding, signs applied if mixed)."""
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
