"""``compile``: trace a scalar function once, then replay it on whole batches with numpy.

>>> import numpy as np
>>> from autograd import Value, compile
>>> w, b = Value(2.0, label="w"), Value(0.5, label="b")
>>> f = compile(lambda x: (w * x[0] + b).tanh(), n_inputs=1, parameters=[w, b])
>>> out, grads = f.value_and_grad(np.array([[0.0], [1.0]]))   # two examples at once
>>> out.round(4).tolist(), grads.round(4).tolist()            # grads summed over the examples
([0.4621, 0.9866], [0.0266, 0.813])

The model stays written in scalar ``Value``s; only the executor changes. ``trace`` records
the graph once (``trace.py``), ``schedule`` groups its nodes (``schedule.py``), ``build_plan``
lays them out in rows (``plan.py``), and each call runs every group once for all B examples
(``execute.py``): row = node, column = example (a batch too big
for ``CHUNK_BYTES`` runs in a few chunks of examples, so memory stays bounded). The buffers and
the leaves' vectors are allocated once and reused by every call. Values equal the eager
engine's (same rules from ``rules.py``) to roundoff: numpy's and Python's exp/log/tanh may
differ in the last bit, and matrix products and sums over the batch add in another order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from ..backward import add_gradients
from ..value import Value, set_recomputed
from .execute import Executor, all_finite
from .group import ReplayError, ReplayOverflowError
from .parameters import ParameterArray
from .plan import Plan, build_plan
from .schedule import schedule
from .trace import ReplayGraph, trace

_DATA = attrgetter("data")
CHUNK_BYTES = 32 * 2**20
"""A batch whose values buffer (8 bytes per row and example) would be bigger runs in chunks of
examples, so that the values and the gradients buffers stay under 64 MB together."""


def compile(
    fn: Callable[[list[Value]], Any], n_inputs: int, parameters: Sequence[Value] | None = None
) -> Compiled:
    """Trace ``fn(inputs) -> Value (or list of Values)`` once and return its batched replay.

    ``inputs`` is a list of ``n_inputs`` placeholder Values: column i of a batch. ``parameters``
    are shared leaves (a model's weights): their current ``.data`` is read at every call, so
    optimiser updates are seen, and their gradients are summed over the batch. With
    ``parameters=None`` every leaf of the graph that is not an input counts as a parameter.
    ``fn`` must not branch on the numbers (``TracingError`` explains, see ``tracing.py``).
    """
    graph = trace(fn, n_inputs, parameters)
    return Compiled(build_plan(schedule(graph)))


class Compiled:
    """A traced function, run forward and backward on B examples at once. Safe to call from several
    threads: one call runs at a time (its buffers and the last batch are shared by the calls).

    ``forward(X)``                 outputs, shape (B,) (or (B, k) for k outputs)
    ``gradient(seed)``             d(sum_b seed_b * output_b)/d(parameters), last forward's batch
    ``value_and_grad(X, seed)``    both at once
    ``backward(X, seed)``          outputs; the gradients are added to each parameter's ``.grad``
    ``graph(example)``             the traced graph, holding one example's numbers, for ``viz``
    ``bind(array)``                read the parameters from a ``ParameterArray``, not ``.data``
    ``sync_parameters()``          write the bound array back into the parameters' ``.data``
    """

    def __init__(self, plan: Plan) -> None:
        graph = plan.graph
        self.parameters: list[Value] = graph.parameters
        self.n_inputs = len(graph.placeholders)
        self.n_outputs = len(graph.outputs)
        self._traced: ReplayGraph = graph
        self._plan = plan
        self._executor = Executor(plan)
        self._numbers = plan.numbers  # the leaves' numbers and gradients, one vector each
        self._chunk = max(1, CHUNK_BYTES // (8 * plan.n_rows))  # most examples per pass
        self._shown: Executor | None = None  # runs the plan of ``graph``, made at its first call
        self._X: np.ndarray | None = None  # the last call's batch and seed (None before a call)
        self._last_seed: np.ndarray | None = None
        self._held: tuple[int, int] | None = None  # the examples whose values the buffer holds
        self._bound: ParameterArray | None = None  # where the parameters' numbers are read from
        self._lock = threading.RLock()  # one call at a time: the buffers and the last batch

    # ------------------------------------------------------------ public
    def forward(self, X: Any = None) -> np.ndarray:
        """The outputs on every example (row) of ``X``: shape (B,), or (B, k) for k outputs."""
        X = self._batch(X)
        with self._lock:
            return self._run(X, None)[0]

    __call__ = forward

    def gradient(self, seed: Any = None, out: np.ndarray | None = None) -> np.ndarray:
        """The parameters' gradients for the batch of the last ``forward`` call:
        gradient[j] = sum over examples b of seed[b] * d output_b / d parameter j.

        ``seed`` has the outputs' shape (default all ones): seed = 1/B gives the gradient of the
        mean output, seed = dL/d(outputs) chains in a loss computed elsewhere. (For a batch too big
        for one pass, see ``CHUNK_BYTES``, the forward pass is run again, chunk by chunk, with the
        parameters' numbers of that ``forward`` call; ``value_and_grad`` needs one pass.)
        ``out``: an array of shape (number of parameters,) to write the gradients into (returned).
        """
        with self._lock:
            if self._X is None:
                raise RuntimeError("compiled: call forward(X) before gradient(seed)")
            return self._run(
                self._X, self._seed(seed, len(self._X)), outputs=False, same_batch=True, out=out
            )[1]

    def value_and_grad(
        self, X: Any = None, seed: Any = None, out: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(outputs, gradients): ``forward(X)`` then ``gradient(seed, out)``, in one pass."""
        X = self._batch(X)
        seed = self._seed(seed, len(X))
        with self._lock:
            return self._run(X, seed, out=out)

    def bind(self, array: ParameterArray | None) -> None:
        """Read the parameters' numbers from ``array.data`` at every call instead of from their
        ``.data`` (``None``: back to ``.data``). ``array`` holds the same parameters in the same
        order; an optimiser updates it in place, ``array.sync()`` writes it back into the Values."""
        if array is not None:
            if not isinstance(array, ParameterArray):
                raise TypeError(
                    f"compiled.bind: expected a ParameterArray, got {type(array).__name__}"
                )
            if len(array.parameters) != len(self.parameters) or any(
                p is not q for p, q in zip(array.parameters, self.parameters, strict=True)
            ):
                raise ValueError(
                    "compiled.bind: the array must hold this function's parameters, "
                    "in the same order"
                )
        self._bound = array

    def sync_parameters(self) -> None:
        """Write the bound array's numbers back into the parameters' ``.data`` (nothing if
        unbound)."""
        if self._bound is not None:
            self._bound.sync()

    def backward(self, X: Any = None, seed: Any = None) -> np.ndarray:
        """Like ``value_and_grad``, but adds the gradients to each parameter's ``.grad`` (as
        ``Value.backward`` does); returns the outputs."""
        out, grads = self.value_and_grad(X, seed)
        add_gradients(self.parameters, grads.tolist())
        return out

    def graph(self, example: int = 0) -> Value | list[Value]:
        """The traced graph (what ``fn`` returned), showing example ``example`` of the last call.

        Each node's ``data`` (and ``grad``, after a gradient call) is set to that example's number,
        computed by the eager rules from the example's inputs and the parameters' numbers of that
        call; parameters keep their own. ``viz.draw_dot(compiled.graph(3))`` draws example 3; the
        graph is a valid eager graph of that example (``backward()`` on it works).
        """
        with self._lock:
            return self._graph(example)

    def _graph(self, example: int) -> Value | list[Value]:
        if self._X is None:
            raise RuntimeError(
                "graph: run forward(X) first, so that the graph can show an example's numbers"
            )
        batch = len(self._X)
        if not -batch <= example < batch:
            raise IndexError(
                f"graph: example {example} is out of range for the last batch of {batch}"
            )
        example %= batch
        graph = self._traced
        if self._shown is None:  # the same stages, without matrix products: every node a row
            self._shown = Executor(
                build_plan(schedule(graph, matrix_products=False), all_gradients=True)
            )
        shown = self._shown
        np.copyto(shown.plan.numbers.values, self._numbers.values)
        held = self._held == (0, batch)  # one pass: the buffer holds the batch as it was
        x = self._executor.vals[self._plan.inputs, example] if held else self._X[example]
        vals = shown.forward(x[None, :], example)
        rows = shown.plan.row_of
        grads = None
        if self._last_seed is not None:
            seed = self._last_seed[:, example, None]
            try:  # the checking pass: 0 times an infinite slope is 0, as eagerly
                shown.backward(seed, example, check=True)
            except ReplayError:  # an overflowing gradient: shown as it is
                shown.backward(seed, example)
            grads = shown.grads[:, 0].tolist()
        numbers = vals[:, 0].tolist()
        for p, value in zip(graph.placeholders, x.tolist(), strict=True):
            p.data = value
        leaves = set(graph.leaves)
        for i, v in enumerate(graph.values):
            if graph.ops[i]:
                set_recomputed(v, numbers[rows[i]])
            if v not in leaves:
                v.grad = 0.0 if grads is None else grads[rows[i]]
        outputs = [graph.values[i] for i in graph.outputs]
        return outputs[0] if graph.single else outputs

    @property
    def stats(self) -> dict[str, int]:
        """Size of the replay: graph nodes, buffer rows, groups (numpy steps) and depth."""
        plan = self._plan
        return {
            "nodes": plan.graph.n_values,
            "rows": plan.n_rows,
            "groups": len(plan.groups),
            "depth": plan.depth,
        }

    def __repr__(self) -> str:
        s = self.stats
        return (
            f"Compiled({self.n_inputs} inputs -> {self.n_outputs} "
            f"output{'s' * (self.n_outputs > 1)}, {len(self.parameters)} parameters, "
            f"{s['nodes']} nodes in {s['groups']} groups, depth {s['depth']})"
        )

    # ------------------------------------------------------------ the replay
    def _run(
        self,
        X: np.ndarray,
        seed: np.ndarray | None,
        outputs: bool = True,
        same_batch: bool = False,
        out: np.ndarray | None = None,
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(outputs on X or None, parameters' gradients for ``seed`` (k, B) or None).

        A big batch runs in chunks of examples (``CHUNK_BYTES``); their gradients are added up.
        ``same_batch``: X is the last call's batch, to be run with the parameters' numbers of then.
        """
        if not same_batch:  # the batch and the leaves' numbers, kept for gradient() and graph()
            # one pass keeps the batch in its buffer (plan.inputs), so X itself is not copied; a
            # batch run in chunks is run again by gradient(): keep a copy the caller cannot change
            self._X, self._held = (X if len(X) <= self._chunk else X.copy()), None
            self._load_leaves()
        self._last_seed = seed
        batch = len(X)
        if seed is not None:
            self._numbers.grads.fill(0.0)
        results = np.empty((batch, self.n_outputs)) if outputs else None
        finite = True
        for start, stop in self._chunks(batch):
            vals = self._values(start, stop)
            if results is not None:
                results[start:stop] = self._plan.outputs.read(vals).T
            if seed is not None:
                finite = self._executor.backward(seed[:, start:stop], start) and finite
        total = None
        if seed is not None:
            grads = self._numbers.grads[: self._traced.n_parameters]
            if not (finite and all_finite(grads)):  # a NaN or inf in a node's or parameter's
                error = self._explain_backward(seed)  # gradient: the checking pass (its sums used)
                if error is not None:
                    raise error  # before anything is written into ``out``
            total = self._gradient_out(out)
            np.copyto(total, grads)
        if results is not None and self._traced.single:
            results = results.reshape(batch)  # (B, 1) -> (B,): a view, no copy
        return results, total

    def _gradient_out(self, out: np.ndarray | None) -> np.ndarray:
        n = self._traced.n_parameters
        if out is None:
            return np.empty(n)
        if not isinstance(out, np.ndarray) or out.shape != (n,) or out.dtype != np.float64:
            raise ValueError(
                f"compiled: out must be a float64 array of shape ({n},), got "
                f"{getattr(out, 'shape', type(out).__name__)}"
            )
        return out

    def _chunks(self, batch: int) -> list[tuple[int, int]]:
        """(start, stop) of each pass over a batch: as few passes as the chunk size allows, of
        equal widths."""
        if batch <= self._chunk:
            return [(0, batch)]
        passes = -(-batch // self._chunk)
        width = -(-batch // passes)
        return [(start, min(start + width, batch)) for start in range(0, batch, width)]

    def _values(self, start: int, stop: int) -> np.ndarray:
        """The values buffer holding examples start:stop of the last batch (run forward unless
        it already does)."""
        if self._held == (start, stop):
            return self._executor.vals
        self._held = None
        vals = self._executor.forward(self._X[start:stop], start)
        self._held = (start, stop)
        return vals

    def _load_leaves(self) -> None:
        """Read the leaves' numbers (the parameters' .data or the bound array, and any other leaf's
        .data) into their vector."""
        leaves = self._traced.leaves
        values = self._numbers.values
        first = 0
        if self._bound is not None:
            first = self._traced.n_parameters
            np.copyto(values[:first], self._bound.data)
        if first < len(leaves):
            values[first:] = np.fromiter(
                map(_DATA, leaves[first:]), dtype=np.float64, count=len(leaves) - first
            )
        if not all_finite(values):
            k = int(np.argmin(np.isfinite(values)))
            raise ValueError(
                f"compiled: parameter {leaves[k].label or leaves[k]!r} is {float(values[k])!r}; "
                "parameters must be finite"
            )

    def _explain_backward(self, seed: np.ndarray) -> ReplayError | None:
        """The backward pass again, checking every group: the error for gradients that are not
        finite (the first group making one is raised), else the sum over the batch. None when the
        checked pass's parameter gradients are finite: only an input's gradient overflowed (nobody
        reads it: the eager engine leaves an infinite x.grad there too), or a zero upstream
        gradient met an infinite slope (sqrt'(0): 0, as eagerly); the leaves' gradients then hold
        the checked pass's sums."""
        self._numbers.grads.fill(0.0)
        for start, stop in self._chunks(len(self._X)):
            self._values(start, stop)
            self._executor.backward(seed[:, start:stop], start, check=True)
        if all_finite(self._numbers.grads[: self._traced.n_parameters]):
            return None
        return ReplayOverflowError(
            "replay: the parameters' gradients are not finite (they overflowed when summed "
            "over the batch)"
        )

    # ------------------------------------------------------------ helpers
    def _batch(self, X: Any) -> np.ndarray:
        """X as a finite float array of shape (B, n_inputs), or a clear error."""
        if X is None and self.n_inputs == 0:
            return np.zeros((1, 0))
        try:
            X = _real_array(X)
        except (
            TypeError,
            ValueError,
            OverflowError,
        ) as error:  # OverflowError: an int too large for a float
            raise TypeError(
                f"compiled: X must be an array of real numbers of shape (B, {self.n_inputs}) "
                f"({error})"
            ) from None
        if X.ndim == 1 and self.n_inputs == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.n_inputs or len(X) == 0:
            raise ValueError(
                f"compiled: X must have shape (B, {self.n_inputs}) with B >= 1 examples as rows, "
                f"got shape {X.shape}"
            )
        if not all_finite(X):
            b, i = np.argwhere(~np.isfinite(X))[0]
            raise ValueError(f"compiled: X[{b}, {i}] is {float(X[b, i])!r}; inputs must be finite")
        return X

    def _seed(self, seed: Any, batch: int) -> np.ndarray:
        """The seed as (k, B): d(objective)/d(output k on example b)."""
        shape = (batch,) if self._traced.single else (batch, self.n_outputs)
        if seed is None:
            return np.ones((self.n_outputs, batch))
        try:
            seed = _real_array(seed)
        except (TypeError, ValueError, OverflowError) as error:
            raise TypeError(
                f"compiled: seed must be an array of real numbers of shape {shape} ({error})"
            ) from None
        if seed.shape != shape:
            raise ValueError(
                f"compiled: seed must have the outputs' shape {shape}, got {seed.shape}"
            )
        if not all_finite(seed):
            raise ValueError("compiled: seed must be finite")
        return seed.reshape(batch, -1).T


def _real_array(a: Any) -> np.ndarray:
    """``a`` as a float64 array. Complex numbers are refused: numpy would drop their imaginary
    part."""
    array = np.asarray(a)
    if np.iscomplexobj(array):
        raise TypeError("it holds complex numbers; the replay computes with real numbers")
    return array.astype(np.float64, copy=False)
