"""The numbers the playground and the training replay draw: decision boundaries, curves, a neuron.

Training itself is ``nn.fit``, run a few steps at a time with one optimiser kept across calls
(its learning-rate schedule and momentum carry on), so the playground and ``chainrule train
--html`` train exactly as ``nn.fit`` does, compiled engine included.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Value, no_grad

from ..graph import build_digraph
from ..picture import Picture
from .graph_data import checked_order, graph_data

GRID = 40  # boundary resolution: GRID x GRID points


def boundary(model: Any, X: np.ndarray, y: np.ndarray, loss: Any = None, resolution: int = GRID) -> dict[str, Any]:
    """The model's decision over a grid covering the data (as ``viz.plot_decision_boundary`` draws it).

    One output: ``values`` is the score minus nn's threshold (the boundary is where it crosses 0,
    ``kind`` "margin"); several outputs: the predicted class (``kind`` "class"). Rows run from
    the lowest second feature up; values rounded to 4 decimals to keep pages small.
    """
    from nn.train import default_threshold, forward_data

    X = np.asarray(X, dtype=float)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.1
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    try:  # the compiled engine: one trace, then the whole grid as one numpy batch
        import autograd

        scores = autograd.compile(model, 2, model.parameters()).forward(grid).reshape(len(grid), -1)
    except (autograd.TracingError, TypeError, AttributeError):  # a model the tracer cannot follow: one by one
        scores = forward_data(model, grid)
    if scores.shape[1] == 1:
        kind, values = "margin", scores[:, 0] - default_threshold(model, None, loss=loss, y=y)
    else:
        kind, values = "class", scores.argmax(axis=1).astype(float)
    values = np.where(np.isfinite(values), values, 0.0)
    return {"kind": kind, "n": resolution, "x0": float(low[0]), "x1": float(high[0]), "y0": float(low[1]),
            "y1": float(high[1]), "values": [round(float(v), 4) for v in values]}


def points(X: np.ndarray, y: np.ndarray) -> list[list[float]]:
    """The data as [x1, x2, class] rows (classes 0..k-1; -1/+1 labels become 0/1)."""
    y = np.asarray(y).ravel()
    classes = np.where(y < 0, 0, y).astype(int) if set(np.unique(y)) <= {-1, 1} else y.astype(int)
    return [[round(float(a), 4), round(float(b), 4), int(c)] for (a, b), c in zip(np.asarray(X)[:, :2], classes)]


def finite(values: list[float]) -> list[float | None]:
    """Numbers JSON can hold (NaN, such as regression's accuracy, becomes None)."""
    return [float(v) if math.isfinite(v) else None for v in values]


def record(fit: Callable[[int], Any], steps: int, every: int, snapshot: Callable[[int], dict[str, Any]],
           ) -> tuple[dict[str, list[float]], list[dict[str, Any]]]:
    """Run ``fit(n)`` (which trains n more steps and returns a History) in chunks of ``every`` steps,
    taking ``snapshot(step)`` before the first and after each chunk. Returns (history, snapshots)."""
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


def neuron_graph(model: Any, x: np.ndarray, layer: int, index: int) -> Value:
    """The graph of neuron ``index`` of ``model.layers[layer]`` on the example ``x``: its inputs are
    leaves holding the previous layer's outputs (labelled x0, x1, ... or a0, a1, ...), its weights and
    bias the model's own parameters, so backward fills d(neuron)/d(weight)."""
    layers = getattr(model, "layers", None)
    if not layers or not 0 <= layer < len(layers) or not 0 <= index < len(layers[layer].neurons):
        raise ValueError(f"playground: no neuron ({layer}, {index}) in this model")
    inputs = [float(v) for v in np.asarray(x, dtype=float).ravel()]
    with no_grad():
        for earlier in layers[:layer]:
            inputs = [float(getattr(v, "data", v)) for v in _as_list(earlier(inputs))]
    prefix = "x" if layer == 0 else "a"
    leaves = [Value(v, label=f"{prefix}{i}") for i, v in enumerate(inputs)]
    return layers[layer].neurons[index](leaves)


def neuron_view(model: Any, x: np.ndarray, layer: int, index: int, svg: bool = False) -> tuple[dict, str]:
    """(graph data, SVG or '') of a neuron's graph: the SVG is drawn only when asked (layout once)."""
    out = neuron_graph(model, x, layer, index)
    neuron = model.layers[layer].neurons[index]
    order = checked_order(out)
    data = graph_data(out, params=neuron, order=order)
    if not svg:
        return data, ""
    grads = {node: data["nodes"][f"v{i}"]["grad"] for i, node in enumerate(order)}
    digraph = build_digraph(order, [out], params=set(neuron.parameters()), legend=False, grad_of=grads.get)
    return data, Picture(digraph, node_count=len(order)).to_svg()


def _as_list(out: Any) -> list[Any]:
    return out if isinstance(out, list) else [out]
