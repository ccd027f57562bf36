"""``compile``: trace a scalar function once, then replay it on whole batches with numpy.

>>> import numpy as np
>>> from autograd import Value, compile
>>> w, b = Value(2.0, label="w"), Value(0.5, label="b")
>>> f = compile(lambda x: (w * x[0] + b).tanh(), n_inputs=1, parameters=[w, b])
>>> out, grads = f.value_and_grad(np.array([[0.0], [1.0]]))   # two examples at once
>>> out.round(4).tolist(), grads.round(4).tolist()            # grads summed over the examples
([0.4621, 0.9866], [0.0266, 0.813])

The model stays written in scalar ``Value``s; only the executor changes. ``trace`` records
the graph once (``tracing.py``), ``build_schedule`` groups its nodes (``schedule.py``), and each
call runs every group once for all B examples: row = node, column = example (a batch too big
for ``CHUNK_BYTES`` runs in a few chunks of examples, so memory stays bounded). Values equal the
eager engine's (same rules from ``rules.py``, same order of additions), up to the last-bit
differences between numpy's and Python's exp/log/tanh and the order in which gradients from
different examples are added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from ..value import Value
from .groups import ReplayError, SumGroup
from .schedule import Schedule, build_schedule
from .tracing import Trace, trace

_DATA = attrgetter("data")
CHUNK_BYTES = 32 * 2**20
"""A batch whose values buffer (8 bytes per row and example) would be bigger runs in chunks of
examples, so that the values and the gradients buffers stay under 64 MB together."""


def compile(fn: Callable[[list[Value]], Any], n_inputs: int,
            parameters: Sequence[Value] | None = None) -> Compiled:
    """Trace ``fn(inputs) -> Value (or list of Values)`` once and return its batched replay.

    ``inputs`` is a list of ``n_inputs`` placeholder Values: column i of a batch. ``parameters``
    are shared leaves (a model's weights): their current ``.data`` is read at every call, so
    optimiser updates are seen, and their gradients are summed over the batch. With
    ``parameters=None`` every leaf of the graph that is not an input counts as a parameter.
    ``fn`` must not branch on the numbers (``TracingError`` explains, see ``tracing.py``).
    """
    recorded = trace(fn, n_inputs, parameters)
    return Compiled(recorded, build_schedule(recorded))


class Compiled:
    """A traced function, run forward and backward on B examples at once.

    ``forward(X)``                 outputs, shape (B,) (or (B, k) for k outputs)
    ``gradient(seed)``             d(sum_b seed_b * output_b)/d(parameters) for the last forward's batch
    ``value_and_grad(X, seed)``    both at once
    ``backward(X, seed)``          outputs; the gradients are added to each parameter's ``.grad``
    ``graph(example)``             the traced graph, holding one example's numbers, for ``viz``
    """

    def __init__(self, recorded: Trace, schedule: Schedule) -> None:
        self.parameters: list[Value] = recorded.parameters
        self.n_inputs = len(recorded.placeholders)
        self.n_outputs = len(recorded.outputs)
        self._trace = recorded
        self._schedule = schedule
        first = schedule.groups[0].rows.start if schedule.groups else schedule.n_rows
        self._computed = slice(first, schedule.n_rows)  # rows written by the groups (laid out last)
        self._chunk = max(1, CHUNK_BYTES // (8 * schedule.n_rows))  # most examples per pass
        self._vals: np.ndarray | None = None  # the buffers, for the most recent chunk width only
        self._grads: np.ndarray | None = None  # allocated at the first gradient call
        # the last call: its batch, the parameters' numbers then, its seed (None before a gradient)
        self._X: np.ndarray | None = None
        self._leaf_numbers = np.zeros(0)
        self._last_seed: np.ndarray | None = None
        self._held: tuple[int, int, bool] | None = None  # examples the buffers hold; gradients too?

    # ------------------------------------------------------------ public
    def forward(self, X: Any = None) -> np.ndarray:
        """The outputs on every example (row) of ``X``: shape (B,), or (B, k) for k outputs."""
        return self._run(self._batch(X), None)[0]

    __call__ = forward

    def gradient(self, seed: Any = None) -> np.ndarray:
        """The parameters' gradients for the batch of the last ``forward`` call:
        gradient[j] = sum over examples b of seed[b] * d output_b / d parameter j.

        ``seed`` has the outputs' shape (default all ones): seed = 1/B gives the gradient of the
        mean output, seed = dL/d(outputs) chains in a loss computed elsewhere. (For a batch too big
        for one pass, see ``CHUNK_BYTES``, the forward pass is run again, chunk by chunk, with the
        parameters' numbers of that ``forward`` call; ``value_and_grad`` needs one pass.)
        """
        if self._X is None:
            raise RuntimeError("compiled: call forward(X) before gradient(seed)")
        return self._run(self._X, self._seed(seed, len(self._X)), outputs=False, same_batch=True)[1]

    def value_and_grad(self, X: Any = None, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """(outputs, gradients): ``forward(X)`` then ``gradient(seed)``, in one pass."""
        X = self._batch(X)
        return self._run(X, self._seed(seed, len(X)))

    def backward(self, X: Any = None, seed: Any = None) -> np.ndarray:
        """Like ``value_and_grad``, but adds the gradients to each parameter's ``.grad`` (as
        ``Value.backward`` does); returns the outputs."""
        out, grads = self.value_and_grad(X, seed)
        for p, g in zip(self.parameters, grads.tolist(), strict=True):
            p.grad += g
        return out

    def graph(self, example: int = 0) -> Value | list[Value]:
        """The traced graph (what ``fn`` returned), showing example ``example`` of the last call.

        Each node's ``data`` (and ``grad``, after a gradient call) is set to that example's number;
        parameters keep their own. ``viz.draw_dot(compiled.graph(3))`` draws example 3.
        """
        if self._X is None:
            raise RuntimeError("graph: run forward(X) first, so that the graph can show an example's numbers")
        batch = len(self._X)
        if not -batch <= example < batch:
            raise IndexError(f"graph: example {example} is out of range for the last batch of {batch}")
        example %= batch
        vals, grads, start = self._chunk_holding(example)
        grad_row = self._gradient_rows()
        placeholders = set(self._trace.placeholders)
        column = example - start
        for v, r in self._schedule.row_of.items():
            if v.op or v in placeholders:
                v.data = float(vals[r, column])
                v.grad = 0.0 if grads is None else float(grads[grad_row.get(r, r), column])
        outputs = self._trace.outputs
        return outputs[0] if self._trace.single else list(outputs)

    @property
    def stats(self) -> dict[str, int]:
        """Size of the replay: graph nodes, buffer rows, groups (numpy steps) and depth."""
        s = self._schedule
        return {"nodes": len(self._trace.order), "rows": s.n_rows, "groups": len(s.groups), "depth": s.depth}

    def __repr__(self) -> str:
        s = self.stats
        return (f"Compiled({self.n_inputs} inputs -> {self.n_outputs} output{'s' * (self.n_outputs > 1)}, "
                f"{len(self.parameters)} parameters, {s['nodes']} nodes in {s['groups']} groups, depth {s['depth']})")

    # ------------------------------------------------------------ the replay
    def _run(self, X: np.ndarray, seed: np.ndarray | None, outputs: bool = True, same_batch: bool = False
             ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(outputs on X or None, parameters' gradients for ``seed`` (k, B) or None).

        A big batch runs in chunks of examples (``CHUNK_BYTES``); the chunks' gradients are added up.
        ``same_batch``: X is the last call's batch, to be run with the parameters' numbers of then.
        """
        if not same_batch:  # keep a copy of the batch and the parameters' numbers, for gradient() and graph()
            self._X, self._leaf_numbers, self._held = X.copy(), self._leaf_data(), None
        self._last_seed = seed
        batch = len(X)
        out = np.empty((batch, self.n_outputs)) if outputs else None
        total = None
        for start, stop in self._chunks(batch):
            vals = self._values(start, stop)
            if out is not None:
                out[start:stop] = self._schedule.outputs.read(vals).T
            if seed is not None:
                grads = self._backward(vals, seed[:, start:stop])
                self._held = (start, stop, True)
                part = self._parameter_gradients(grads)
                total = part if total is None else total + part
        if total is not None and not np.isfinite(total).all():  # a NaN or inf upstream reaches the parameters
            raise self._explain_backward(seed)
        if out is not None and self._trace.single:
            out = out[:, 0].copy()
        return out, total

    def _chunks(self, batch: int) -> list[tuple[int, int]]:
        """(start, stop) of each pass over a batch: as few passes as the chunk size allows, of equal widths."""
        passes = -(-batch // self._chunk)
        width = -(-batch // passes)
        return [(start, min(start + width, batch)) for start in range(0, batch, width)]

    def _values(self, start: int, stop: int) -> np.ndarray:
        """The values buffer holding examples start:stop of the last batch (run forward unless it already does)."""
        if self._held is not None and self._held[:2] == (start, stop):
            return self._vals
        s = self._schedule
        vals = self._values_buffer(stop - start)
        vals[s.inputs] = self._X[start:stop].T
        vals[s.leaf_rows] = self._leaf_numbers[:, None]
        self._held = None
        with np.errstate(all="ignore"):
            for group in s.groups:
                group.forward(vals, start)
        if not np.isfinite(vals[self._computed]).all():
            raise self._explain_forward(vals, start)
        self._held = (start, stop, False)
        return vals

    def _backward(self, vals: np.ndarray, seed: np.ndarray, check: bool = False, start: int = 0) -> np.ndarray:
        """Fill the gradient buffer; with ``check``, raise at the first group giving NaN or inf."""
        s = self._schedule
        if self._grads is None or self._grads.shape != vals.shape:
            self._grads = None  # only the most recent width is kept: free the old buffer first
            self._grads = np.empty(vals.shape)
        grads = self._grads
        grads.fill(0.0)
        s.outputs.add_into(grads, seed)
        with np.errstate(all="ignore"):
            for group in reversed(s.groups):
                group.backward(vals, grads, check, start)
        return grads

    def _values_buffer(self, width: int) -> np.ndarray:
        """The (rows, width) values buffer, with the constants in their rows and zeros elsewhere (the
        padding of short sums relies on them). Only the most recent width is kept, so that memory
        stays bounded by ``CHUNK_BYTES`` whatever batch sizes come."""
        if self._vals is None or self._vals.shape[1] != width:
            s = self._schedule
            self._vals = None  # free the old buffer before making the new one
            self._vals = np.zeros((s.n_rows, width))
            self._vals[s.constant_rows] = s.constants[:, None]
        return self._vals

    def _chunk_holding(self, example: int) -> tuple[np.ndarray, np.ndarray | None, int]:
        """(values, gradients or None, first example) of the chunk holding ``example`` of the last batch."""
        for start, stop in self._chunks(len(self._X)):
            if start <= example < stop:
                break
        vals = self._values(start, stop)
        if self._last_seed is None:
            return vals, None, start
        if not self._held[2]:
            self._backward(vals, self._last_seed[:, start:stop])
            self._held = (start, stop, True)
        return vals, self._grads, start

    def _parameter_gradients(self, grads: np.ndarray) -> np.ndarray:
        """Each parameter's gradient summed over the examples (0 for a parameter the graph does not use)."""
        s = self._schedule
        sums = np.zeros(len(s.leaves) + 1)  # the extra 0 at the end is what index -1 picks
        np.sum(grads[s.leaf_rows], axis=1, out=sums[:-1])
        return sums[s.param_leaf]

    def _explain_backward(self, seed: np.ndarray) -> ReplayError:
        """The error for gradients that are not finite: the first group making one, else the sum over the batch."""
        for start, stop in self._chunks(len(self._X)):
            self._backward(self._values(start, stop), seed[:, start:stop], check=True, start=start)
        return ReplayError("replay: the parameters' gradients are not finite (they overflowed when summed "
                           "over the batch)")

    def _explain_forward(self, vals: np.ndarray, start: int) -> ReplayError:
        for group in self._schedule.groups:  # the first group with a bad output has good inputs
            error = group.explain(vals, start)
            if error is not None:
                return error
        return ReplayError("replay: the forward pass gave a non-finite value")

    # ------------------------------------------------------------ helpers
    def _batch(self, X: Any) -> np.ndarray:
        """X as a finite float array of shape (B, n_inputs), or a clear error."""
        if X is None and self.n_inputs == 0:
            return np.zeros((1, 0))
        try:
            X = _real_array(X)
        except (TypeError, ValueError) as error:
            raise TypeError(f"compiled: X must be an array of real numbers of shape (B, {self.n_inputs}) "
                            f"({error})") from None
        if X.ndim == 1 and self.n_inputs == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.n_inputs or len(X) == 0:
            raise ValueError(f"compiled: X must have shape (B, {self.n_inputs}) with B >= 1 examples as rows, "
                             f"got shape {X.shape}")
        if not np.isfinite(X).all():
            b, i = np.argwhere(~np.isfinite(X))[0]
            raise ValueError(f"compiled: X[{b}, {i}] is {float(X[b, i])!r}; inputs must be finite")
        return X

    def _seed(self, seed: Any, batch: int) -> np.ndarray:
        """The seed as (k, B): d(objective)/d(output k on example b)."""
        shape = (batch,) if self._trace.single else (batch, self.n_outputs)
        if seed is None:
            return np.ones((self.n_outputs, batch))
        try:
            seed = _real_array(seed)
        except (TypeError, ValueError) as error:
            raise TypeError(f"compiled: seed must be an array of real numbers of shape {shape} ({error})") from None
        if seed.shape != shape:
            raise ValueError(f"compiled: seed must have the outputs' shape {shape}, got {seed.shape}")
        if not np.isfinite(seed).all():
            raise ValueError("compiled: seed must be finite")
        return seed.reshape(batch, -1).T

    def _leaf_data(self) -> np.ndarray:
        leaves = self._schedule.leaves
        data = np.fromiter(map(_DATA, leaves), dtype=np.float64, count=len(leaves))
        if not np.isfinite(data).all():
            bad = leaves[int(np.argmin(np.isfinite(data)))]
            raise ValueError(f"compiled: parameter {bad.label or bad!r} is {float(bad.data)!r}; "
                             "parameters must be finite")
        return data

    def _gradient_rows(self) -> dict[int, int]:
        """Rows whose gradient lives in another row: inside a chain that nothing else reads, every
        running sum has the chain end's gradient (the backward pass does not write it out)."""
        moved: dict[int, int] = {}
        for group in self._schedule.groups:
            if isinstance(group, SumGroup) and not group.interior_used:
                start, m, k = group.rows.start, group.m, group.k
                for r in range(start, start + k * m):
                    moved[r] = start + k * m + (r - start) % m
        return moved


def _real_array(a: Any) -> np.ndarray:
    """``a`` as a float64 array. Complex numbers are refused: numpy would drop their imaginary part."""
    array = np.asarray(a)
    if np.iscomplexobj(array):
        raise TypeError("it holds complex numbers; the replay computes with real numbers")
    return array.astype(np.float64, copy=False)
