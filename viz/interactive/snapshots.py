"""The numbers the training replay draws: decision boundaries, curves, every neuron over the plane.

Training itself is ``nn.fit``, run a few steps at a time with one optimiser kept across calls
(its learning-rate schedule and momentum carry on), so ``chainrule train --html`` trains exactly
as ``nn.fit`` does, compiled engine included.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

GRID = 40  # boundary resolution: GRID x GRID points


def boundary(model: Any, X: np.ndarray, y: np.ndarray, loss: Any = None,
             resolution: int = GRID) -> dict[str, Any]:
    """The model's decision over a grid covering the data (as ``viz.plot_decision_boundary`` draws
    it).

    One output: ``values`` is the score minus nn's threshold (the boundary is where it crosses 0,
    ``kind`` "margin"); several outputs: the predicted class (``kind`` "class"). Rows run from
    the lowest second feature up; values rounded to 4 decimals to keep pages small.
    """
    from nn.evaluation import default_threshold, forward_data

    X = np.asarray(X, dtype=float)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.1
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    try:  # the compiled engine: one trace, then the whole grid as one numpy batch
        import autograd

        scores = autograd.compile(model, 2, model.parameters()).forward(grid).reshape(len(grid), -1)
    except (autograd.TracingError, TypeError, AttributeError):
        scores = forward_data(model, grid)  # a model the tracer cannot follow: one by one
    if scores.shape[1] == 1:
        kind, values = "margin", scores[:, 0] - default_threshold(model, None, loss=loss, y=y)
    else:
        kind, values = "class", scores.argmax(axis=1).astype(float)
    values = np.where(np.isfinite(values), values, 0.0)
    return {"kind": kind, "n": resolution, "x0": float(low[0]), "x1": float(high[0]),
            "y0": float(low[1]), "y1": float(high[1]),
            "values": [round(float(v), 4) for v in values]}


def points(X: np.ndarray, y: np.ndarray) -> list[list[float]]:
    """The data as [x1, x2, class] rows (classes 0..k-1; -1/+1 labels become 0/1)."""
    y = np.asarray(y).ravel()
    classes = np.where(y < 0, 0, y).astype(int) if set(np.unique(y)) <= {-1, 1} else y.astype(int)
    return [[round(float(a), 4), round(float(b), 4), int(c)]
            for (a, b), c in zip(np.asarray(X)[:, :2], classes)]


def finite(values: list[float]) -> list[float | None]:
    """Numbers JSON can hold (NaN, such as regression's accuracy, becomes None)."""
    return [float(v) if math.isfinite(v) else None for v in values]


def record(fit: Callable[[int], Any], steps: int, every: int,
           snapshot: Callable[[int], dict[str, Any]],
           ) -> tuple[dict[str, list[float]], list[dict[str, Any]]]:
    """Run ``fit(n)`` (which trains n more steps and returns a History) in chunks of ``every``
    steps, taking ``snapshot(step)`` before the first and after each chunk. Returns (history,
    snapshots)."""
    if every < 1:
        raise ValueError(f"record: every must be at least 1, got {every}")
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    snapshots = [snapshot(0)]
    done = 0
    while done < steps:
        chunk = fit(min(every, steps - done))
        history["loss"] += chunk.loss
        history["accuracy"] += chunk.accuracy
        done += len(chunk.loss)
        snapshots.append(snapshot(done))
    return history, snapshots


def snapshot(step: int, model: Any, X: np.ndarray, y: np.ndarray, loss: Any, X_test: np.ndarray,
             y_test: np.ndarray, alpha_l2: float = 0.0, resolution: int = 16) -> dict[str, Any]:
    """One frame of a recorded run: the boundary, every neuron's output over the plane, the weights
    and the test loss (with the same L2 penalty as the training loss) at ``step``."""
    from nn import evaluate

    from .playground_data import plane_grid
    from .playground_session import layer_outputs

    grid = plane_grid(X, resolution)
    layers = layer_outputs(model, grid.pop("points"))
    weights = [layer.weights() for layer in model.layers]
    network = {"features": ["x1", "x2"], "active": ["x1", "x2"], "sizes": model.nouts,
               "n": resolution, "layers": [np.round(np.tanh(a.T), 3).tolist() for a in layers],
               "weights": [{"W": W.tolist(), "b": b.tolist()} for W, b in weights]}
    test = evaluate(model, X_test, y_test, loss=loss, alpha_l2=alpha_l2)["loss"]
    return {"step": step, "grid": boundary(model, X, y, loss), "network": network, "testLoss": test}
