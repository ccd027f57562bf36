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
call runs every group once for all B examples: row = node, column = example. Values equal the
eager engine's (same rules from ``rules.py``, same order of additions), up to the last-bit
differences between numpy's and Python's exp/log/tanh and the order in which gradients from
different examples are added.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from .groups import ReplayError, SumGroup
from .schedule import Schedule, build_schedule
from .tracing import Trace, trace
from .value import Value

_DATA = attrgetter("data")
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, from glibc's malloc.h
_MALLOC_TUNED = False
_CACHED_SIZES = 4  # buffers kept for this many batch sizes


def keep_freed_memory() -> None:
    """Ask glibc to keep freed memory instead of giving it back to the system at once (Linux only).

    A group's numpy temporaries are a few hundred kB. By default glibc returns such blocks to the
    operating system when they are freed and page-faults them back in at the next call, which costs
    more than the arithmetic (3x on the micrograd demo step). Raising the two thresholds keeps them.
    This changes malloc for the whole process, once, at the first ``compile``; set the environment
    variable ``CHAINRULE_KEEP_FREED_MEMORY=0`` before it to leave malloc alone.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if os.environ.get("CHAINRULE_KEEP_FREED_MEMORY", "1").strip() == "0":
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # allocations up to 32 MB come from the heap
        libc.mallopt(_M_TRIM_THRESHOLD, 64 * 2**20)  # keep up to 64 MB of freed heap
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def compile(fn: Callable[[list[Value]], Any], n_inputs: int,
            parameters: Sequence[Value] | None = None) -> Compiled:
    """Trace ``fn(inputs) -> Value (or list of Values)`` once and return its batched replay.

    ``inputs`` is a list of ``n_inputs`` placeholder Values: column i of a batch. ``parameters``
    are shared leaves (a model's weights): their current ``.data`` is read at every call, so
    optimiser updates are seen, and their gradients are summed over the batch. With
    ``parameters=None`` every leaf of the graph that is not an input counts as a parameter.
    ``fn`` must not branch on the numbers (``TracingError`` explains, see ``tracing.py``).

    Side effect: the first call tunes glibc's malloc for the whole process (``keep_freed_memory``:
    freed blocks up to 64 MB are kept for reuse rather than returned to the system, which makes the
    replay about 3x faster). Set ``CHAINRULE_KEEP_FREED_MEMORY=0`` in the environment to opt out.
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
        keep_freed_memory()
        self.parameters: list[Value] = recorded.parameters
        self.n_inputs = len(recorded.placeholders)
        self.n_outputs = len(recorded.outputs)
        self._trace = recorded
        self._schedule = schedule
        self._buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._last: tuple[np.ndarray, np.ndarray | None] | None = None  # (values, gradients) of the last call
        first = schedule.groups[0].rows.start if schedule.groups else schedule.n_rows
        self._computed = slice(first, schedule.n_rows)  # rows written by the groups (laid out last)

    # ------------------------------------------------------------ public
    def forward(self, X: Any = None) -> np.ndarray:
        """The outputs on every example (row) of ``X``: shape (B,), or (B, k) for k outputs."""
        vals = self._forward(self._batch(X))
        self._last = (vals, None)
        return self._outputs(vals)

    __call__ = forward

    def gradient(self, seed: Any = None) -> np.ndarray:
        """The parameters' gradients for the batch of the last ``forward`` call:
        gradient[j] = sum over examples b of seed[b] * d output_b / d parameter j.

        ``seed`` has the outputs' shape (default all ones): seed = 1/B gives the gradient of the
        mean output, seed = dL/d(outputs) chains in a loss computed elsewhere.
        """
        if self._last is None:
            raise RuntimeError("compiled: call forward(X) before gradient(seed)")
        vals = self._last[0]
        seed = self._seed(seed, vals.shape[1])
        grads = self._backward(vals, seed)
        self._last = (vals, grads)
        params = self._parameter_gradients(grads)
        if not np.isfinite(params).all():  # a NaN or inf anywhere upstream reaches the parameters
            self._backward(vals, seed, check=True)
        return params

    def value_and_grad(self, X: Any = None, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """(outputs, gradients): ``forward(X)`` then ``gradient(seed)``."""
        outputs = self.forward(X)
        return outputs, self.gradient(seed)

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
        if self._last is None:
            raise RuntimeError("graph: run forward(X) first, so that the graph can show an example's numbers")
        vals, grads = self._last
        if not -vals.shape[1] <= example < vals.shape[1]:
            raise IndexError(f"graph: example {example} is out of range for the last batch of {vals.shape[1]}")
        grad_row = self._gradient_rows()
        placeholders = set(self._trace.placeholders)
        for v, r in self._schedule.row_of.items():
            if v.op or v in placeholders:
                v.data = float(vals[r, example])
                v.grad = 0.0 if grads is None else float(grads[grad_row.get(r, r), example])
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
    def _forward(self, X: np.ndarray) -> np.ndarray:
        s = self._schedule
        vals, _ = self._buffers_for(len(X))
        vals[s.inputs] = X.T
        vals[s.leaf_rows] = self._leaf_data()[:, None]
        with np.errstate(all="ignore"):
            for group in s.groups:
                group.forward(vals)
        if not np.isfinite(vals[self._computed]).all():
            raise self._explain_forward(vals)
        return vals

    def _backward(self, vals: np.ndarray, seed: np.ndarray, check: bool = False) -> np.ndarray:
        """Fill the gradient buffer; with ``check``, raise at the first group giving NaN or inf."""
        s = self._schedule
        _, grads = self._buffers_for(vals.shape[1])
        grads.fill(0.0)
        s.outputs.add_into(grads, seed)
        with np.errstate(all="ignore"):
            for group in reversed(s.groups):
                group.backward(vals, grads, check)
        if check:
            raise ReplayError("replay: the parameters' gradients are not finite (they overflowed when summed "
                              "over the batch)")
        return grads

    def _parameter_gradients(self, grads: np.ndarray) -> np.ndarray:
        """Each parameter's gradient summed over the examples (0 for a parameter the graph does not use)."""
        s = self._schedule
        sums = np.zeros(len(s.leaves) + 1)  # the extra 0 at the end is what index -1 picks
        np.sum(grads[s.leaf_rows], axis=1, out=sums[:-1])
        return sums[s.param_leaf]

    def _explain_forward(self, vals: np.ndarray) -> ReplayError:
        for group in self._schedule.groups:  # the first group with a bad output has good inputs
            error = group.explain(vals)
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

    def _outputs(self, vals: np.ndarray) -> np.ndarray:
        out = self._schedule.outputs.read(vals)
        return out[0].copy() if self._trace.single else out.T.copy()

    def _buffers_for(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        if batch not in self._buffers:
            if len(self._buffers) >= _CACHED_SIZES:
                del self._buffers[next(iter(self._buffers))]
            s = self._schedule
            vals = np.zeros((s.n_rows, batch))
            vals[s.constant_rows] = s.constants[:, None]
            self._buffers[batch] = (vals, np.zeros((s.n_rows, batch)))
        return self._buffers[batch]

    def _gradient_rows(self) -> dict[int, int]:
        """Rows whose gradient lives in another row: inside a chain that nothing else reads, every
        running sum has the chain end's gradient (the backward pass does not write it out)."""
        moved: dict[int, int] = {}
        for group in self._schedule.groups:
            if isinstance(group, SumGroup) and not group.interior_used:
                start, m, k = group.block.start, group.m, group.k
                for r in range(start, start + k * m):
                    moved[r] = start + k * m + (r - start) % m
        return moved


def _real_array(a: Any) -> np.ndarray:
    """``a`` as a float64 array. Complex numbers are refused: numpy would drop their imaginary part."""
    array = np.asarray(a)
    if np.iscomplexobj(array):
        raise TypeError("it holds complex numbers; the replay computes with real numbers")
    return array.astype(np.float64, copy=False)
