"""``OpGroup``: nodes of one operation at one depth, one rule of ``rules.py`` on many rows.

out = forward(x, y), then (dx, dy) = vjp(g, out, x, y), with the engine's own rules applied to
arrays (D2-D5). Inputs outside the op's domain raise the domain table's error, as in the eager
engine (``domains.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..domains import DERIVATIVE, FORWARD, SHOWS_AS_NONFINITE, Domain, message, overflow
from ..value import Value
from .group import (
    AS_REPLAY_ERROR,
    BoundStep,
    ReplayError,
    ReplayOverflowError,
    constant,
    first_nonfinite,
)
from .rows import Rows

# SHOWS_AS_NONFINITE (the ops marked ``late`` in the table, domains.py): their inputs outside the
# domain always give a NaN or an infinity (log(x <= 0), sqrt(x < 0), x / 0, c / 0, x ** n for
# x < 0 and a fractional n, 0 ** (n < 0); likewise their derivatives'). Their groups skip the
# checks: the executor looks for a NaN or inf once per pass anyway, and only then runs the checks,
# group by group in order, to raise the same error (``explain``, the checking backward pass).


class OpGroup:
    """``n`` nodes of one operation at one depth; their values live in ``rows`` of the buffers.

    ``x`` are the rows of their first inputs; ``y`` the rows of their second inputs (Rows), or
    their constant operands as an (n, 1) column (the 2 of ``x * 2``, an activation's alpha), or
    None for one-input operations. Inputs outside the op's domain (``domains.FORWARD``, and
    ``domains.DERIVATIVE`` before the backward pass) raise the table's error: checked before the
    group runs, or, for the ops of ``SHOWS_AS_NONFINITE``, once a NaN or an infinity shows up.

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
        late = op in SHOWS_AS_NONFINITE  # checked only when a NaN or inf shows up
        self.early_domains = () if late else self.domains
        self.early_derivative_domains = () if late else self.derivative_domains

    def _readers(self, vals: np.ndarray) -> tuple[Callable[[], Any], Callable[[], Any]]:
        y = self.y_rows
        return self.x.reader(vals), (constant(self.y) if y is None else y.reader(vals))

    def forward_step(self, vals: np.ndarray) -> BoundStep:
        rule, out = self.forward_rule, vals[self.rows]
        x, y = self._readers(vals)
        domains = self.early_domains
        check = self._check

        def step(offset: int) -> None:
            xv, yv = x(), y()
            if domains:  # an input made NaN or inf by an earlier group is that group's error
                check(domains, xv, yv, offset, derivative=False, skip_nonfinite=True)
            out[...] = rule(xv, yv)

        return step

    def backward_step(self, vals: np.ndarray, grads: np.ndarray, check: bool = False
                      ) -> BoundStep:
        vjp, g, out = self.vjp, grads[self.rows], vals[self.rows]
        x, y = self._readers(vals)
        add_x = self.x.adder(grads)
        add_y = None if self.y_rows is None else self.y_rows.adder(grads)
        domains = self.derivative_domains if check else self.early_derivative_domains
        guard = self._guard(domains, check) if domains or check else None

        def step(offset: int) -> None:
            xv, yv = x(), y()
            d = vjp(g, out, xv, yv)
            if guard is not None:
                d = guard(g, xv, yv, d, offset)
            add_x(d[0])
            if add_y is not None:
                add_y(d[1])

        return step

    def _guard(self, domains: tuple[Domain, ...], check: bool) -> Callable[..., tuple]:
        """The checks between the vjp and the additions: the derivative's domains, and with
        ``check`` the finiteness of every part."""

        def guard(g: np.ndarray, x: np.ndarray, y: Any, d: tuple, offset: int) -> tuple:
            if domains:  # 0 times an infinite slope (sqrt'(0)) is 0, as eagerly and in PyTorch
                self._check(domains, x, y, offset, derivative=True, exempt=g == 0.0)
                d = tuple(np.where(g == 0.0, 0.0, part) for part in d)
            if check:
                for part in d:
                    bad = first_nonfinite(part)
                    if bad is not None:
                        i, b = bad
                        raise ReplayOverflowError(
                            f"replay: backward of {self.op}: overflow, the gradient is "
                            f"{float(part[i, b])!r} (upstream gradient {float(g[i, b])!r}) at "
                            f"{self._where(i, b, offset)}")
            return d

        return guard

    def explain(self, vals: np.ndarray, offset: int = 0) -> ReplayError | None:
        x, y = (reader() for reader in self._readers(vals))
        if self.domains:  # the checks left for now (SHOWS_AS_NONFINITE): raises if one fails
            self._check(self.domains, x, y, offset, derivative=False)
        bad = first_nonfinite(vals[self.rows])
        if bad is None:
            return None
        i, b = bad
        xi, yi = self._operands(i, b, x, y)
        return ReplayOverflowError(
            f"replay: {overflow(self.op, xi, yi)}, at {self._where(i, b, offset)}")

    def _check(self, domains: tuple[Domain, ...], x: np.ndarray, y: Any, offset: int,
               derivative: bool, skip_nonfinite: bool = False,
               exempt: np.ndarray | None = None) -> None:
        """Raise the table's error for the first input outside a domain (``exempt``: where not
        to look)."""
        for domain in domains:
            ok = domain.ok(x, y)
            if exempt is not None:
                ok = ok | exempt
            if not ok.all():
                if skip_nonfinite:  # left for the pass's look for NaN and inf (names its group)
                    ok = ok | ~np.isfinite(x) | (
                        ~np.isfinite(y) if isinstance(y, np.ndarray) else False)
                    if ok.all():
                        continue
                i, b = np.argwhere(~np.broadcast_to(ok, x.shape))[0]
                text = message(self.op, domain, *self._operands(i, b, x, y),
                               derivative=derivative)
                raise AS_REPLAY_ERROR[domain.error](
                    f"replay: {text}, at {self._where(i, b, offset)}")

    def _operands(self, i: int, b: int, x: np.ndarray, y: Any) -> tuple[float, float | None]:
        """(x, y) of node i on example b, as numbers."""
        return float(x[i, b]), (None if y is None else float(y[i, -1 if y.shape[1] == 1 else b]))

    def _where(self, i: int, b: int, offset: int) -> str:
        node = self.nodes[i]
        source = node.parents[0].label if node.parents else ""
        where = (f" in node {node.label!r}" if node.label
                 else (f", applied to node {source!r}" if source else ""))
        return f"example {b + offset}{where}"
