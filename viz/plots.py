"""Plots for teaching: activations and their derivatives (D5), a classifier's decision boundary,
training curves, and gradient magnitude against depth (D4).

Every function returns a ``matplotlib.figure.Figure`` and, given ``path``, also writes it there
(PNG unless the suffix says otherwise; an atomic write). Figures are made with the
object-oriented API, not pyplot, so nothing depends on a display and no figure is left open;
Jupyter shows a returned Figure inline. Derivatives are computed by the engine, not by hand.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from autograd import Value, no_grad
from autograd.files import write_atomic

# name -> (function of a Value, title); leaky ReLU uses alpha = 0.1 so its slope is visible
ACTIVATIONS: dict[str, tuple[Callable[[Value], Value], str]] = {
    "sigmoid": (Value.sigmoid, "sigmoid: s' = s (1 - s)"),
    "tanh": (Value.tanh, "tanh: tanh' = 1 - tanh²"),
    "relu": (Value.relu, "ReLU: ReLU'(0) = 0"),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), "leaky ReLU (α = 0.1)"),
    "elu": (Value.elu, "ELU (α = 1)"),
    "softplus": (Value.softplus, "softplus: derivative = sigmoid"),
}
CLASS_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf")


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def show_figures_inline() -> None:
    """In Jupyter, let a returned Figure show as a picture even if pyplot was never imported.

    (pyplot's inline backend registers this display on import; these plots do not use pyplot.)
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    png = shell.display_formatter.formatters["image/png"]
    try:
        png.lookup_by_type(Figure)
    except KeyError:
        png.for_type(Figure, figure_png)


def save_figure(fig: Figure, path: str | os.PathLike) -> None:
    """Write ``fig`` to ``path`` (format from the suffix, PNG when there is none), atomically."""
    fmt = os.path.splitext(os.fspath(path))[1][1:].lower() or "png"
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=100, bbox_inches="tight")
    write_atomic(path, buffer.getvalue())


def _finish(fig: Figure, path: str | os.PathLike | None) -> Figure:
    show_figures_inline()
    if path is not None:
        save_figure(fig, path)
    return fig


def activation_curves(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The activation ``name`` and its derivative at each point of ``z``, both from the engine
    (D5)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation_curves: unknown activation {name!r}; choose from "
                         f"{', '.join(ACTIVATIONS)}")
    function = ACTIVATIONS[name][0]
    values, slopes = [], []
    for zi in np.asarray(z, dtype=float).ravel():
        v = Value(float(zi))
        out = function(v)
        out.backward()
        values.append(out.data)
        slopes.append(v.grad)
    return np.array(values), np.array(slopes)


def plot_activations(names: Sequence[str] = tuple(ACTIVATIONS), z: np.ndarray | None = None,
                     path: str | os.PathLike | None = None) -> Figure:
    """One panel per activation: the function g(z) and its derivative g'(z) computed by backward
    (D5)."""
    z = np.linspace(-4.0, 4.0, 401) if z is None else np.asarray(z, dtype=float)
    names = list(names)
    if not names:
        raise ValueError("plot_activations: give at least one activation name")
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    fig = Figure(figsize=(4.2 * columns, 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        values, slopes = activation_curves(name, z)
        ax.plot(z, values, color="#1f77b4", lw=2, label="g(z)")
        ax.plot(z, slopes, color="#d62728", lw=1.5, ls="--", label="g'(z) from backward")
        ax.axhline(0, color="#999999", lw=0.5)
        ax.axvline(0, color="#999999", lw=0.5)
        ax.set_title(ACTIVATIONS[name][1], fontsize=10)
        ax.set_xlabel("z")
        ax.legend(fontsize=8, loc="upper left")
    for ax in axes[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Activations and their derivatives (D5)")
    return _finish(fig, path)


def plot_decision_boundary(model: Any, X: Any, y: Any, *, test: tuple[Any, Any] | None = None,
                           resolution: int = 60, threshold: float | None = None, loss: Any = None,
                           predict: Callable[[np.ndarray], np.ndarray] | None = None,
                           title: str = "", path: str | os.PathLike | None = None) -> Figure:
    """The classes a 2-D classifier predicts over a ``resolution`` x ``resolution`` grid, with the
    data.

    ``X, y`` are the training points (dots) and ``test=(X_test, y_test)`` the test points
    (triangles); the title gives the accuracy on each. By default the classes are ``nn.predict``'s:
    the argmax of several outputs, or a single output above ``threshold`` (by default nn's rule: 0.5
    for a sigmoid output or, given ``loss``, for bce and mse on 0/1 labels; 0 for a score or logit);
    for a single output the boundary is the smooth contour where the output crosses the threshold.
    ``predict(points) -> class indices`` replaces the model's own prediction.
    """
    X, y = _points(X, y)
    sets = [("train", X, y, "o")]
    if test is not None:
        sets.append(("test", *_points(*test), "^"))
    if not isinstance(resolution, int) or not 2 <= resolution <= 1000:
        raise ValueError("plot_decision_boundary: resolution must be an int in 2..1000, got "
                         f"{resolution!r}")
    every = np.vstack([points for _, points, _, _ in sets])
    pad = 0.1 * (every.max(axis=0) - every.min(axis=0)) + 0.1
    low, high = every.min(axis=0) - pad, every.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    margin = None  # for one output: score - threshold, whose zero contour is the smooth boundary
    known: tuple = ()  # the model's classes, coloured in their order even when a class has no point
    with no_grad():
        if predict is not None:
            classify = lambda points: np.asarray(predict(points)).reshape(-1)
        else:
            classify, margin, known = _classifier(model, gx, grid, sets, threshold, loss)
        classes = classify(grid).reshape(gx.shape)
        accuracy = {name: float(np.mean(classify(points) == labels))
                    for name, points, labels, _ in sets}
    # colours by the rank of each label among all shown (0/1, -1/+1, 0..9 alike)
    every_label = [known, classes.ravel(), *(labels for _, _, labels, _ in sets)]
    shown = np.unique(np.concatenate(every_label))
    k = max(len(shown), 2)
    colours = ListedColormap([CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(k)])
    fig = Figure(figsize=(5.5, 4.8), layout="constrained")
    ax = fig.subplots()
    if margin is not None and k == 2:
        levels = [min(margin.min(), 0.0) - 1.0, 0.0, max(margin.max(), 0.0) + 1.0]
        ax.contourf(gx, gy, margin, levels=levels, cmap=colours, alpha=0.25)
        ax.contour(gx, gy, margin, levels=[0.0], colors="#555555", linewidths=0.8)
    else:
        ax.contourf(gx, gy, np.searchsorted(shown, classes), levels=np.arange(k + 1) - 0.5,
                    cmap=colours, alpha=0.25)
    for name, points, labels, marker in sets:
        train = name == "train"
        ax.scatter(points[:, 0], points[:, 1], c=np.searchsorted(shown, labels), cmap=colours,
                   vmin=-0.5, vmax=k - 0.5, marker=marker, s=18 if train else 34,
                   edgecolors="black", linewidths=0.4 if train else 0.9,
                   label=f"{name} ({len(labels)} points)")
    if test is not None:
        ax.legend(fontsize=8, loc="best", framealpha=0.85)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    scores_line = ", ".join(f"{name} accuracy {value:.1%}" for name, value in accuracy.items())
    if test is None:
        scores_line = f"accuracy {accuracy['train']:.1%} on the points shown"
    heading = title or "Decision boundary (shaded: predicted class)"
    ax.set_title(f"{heading}\n{scores_line}", fontsize=10)
    return _finish(fig, path)


def _classifier(model: Any, gx: np.ndarray, grid: np.ndarray, sets: list, threshold: float | None,
                loss: Any) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray | None, tuple]:
    """``nn.predict``'s labels, in the label set the model was trained with (or y's); for one output
    the margin score - cut over the grid; and the classes. Labels of another set are refused, as
    nn.accuracy does."""
    from nn.evaluation import decide, forward_data, task_of
    from nn.labels import read_labels

    scores = forward_data(model, grid)
    y = np.concatenate([labels for _, _, labels, _ in sets]).astype(np.float64)
    task = task_of(model, loss, y, scores.shape[1], "plot_decision_boundary")
    if task.classes is None:
        raise ValueError("plot_decision_boundary: the model is judged as a regression (its loss "
                         "and labels give no classes); pass labels of two classes, a "
                         "classification loss, or predict=")
    # labels of another set
    read_labels(task.loss, y, scores.shape[1], "plot_decision_boundary", task.classes)
    margin = None
    if scores.shape[1] == 1:
        cut = task.loss.cut(*task.binary_targets()) if threshold is None else threshold
        margin = (scores[:, 0] - cut).reshape(gx.shape)
    classify = lambda points: decide(task, forward_data(model, points), threshold)
    return classify, margin, tuple(task.classes)


def _points(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X, dtype=float), np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError("plot_decision_boundary: needs data with 2 features, X has shape "
                         f"{X.shape}")
    if len(y) != len(X):
        raise ValueError(f"plot_decision_boundary: X has {len(X)} rows but y has {len(y)} labels")
    return X, y


def plot_history(history: Any, title: str = "", path: str | os.PathLike | None = None, *,
                 test: Mapping[str, float] | None = None) -> Figure:
    """Loss (and accuracy, if recorded) per step from an ``nn.fit`` History or a dict of lists.

    The History's curves are the training batches' (labelled ``train``); a dict may add
    ``test_loss`` / ``test_accuracy`` (or ``val_...``) curves, and ``test={"loss": ..,
    "accuracy": ..}`` (``nn.evaluate`` on the test set) marks the trained model's test scores.
    """
    loss = _series(history, "loss")
    accuracy = _series(history, "accuracy")
    if not loss:
        raise ValueError("plot_history: the history has no loss values")
    panels = 2 if accuracy else 1
    fig = Figure(figsize=(5.0 * panels, 3.6), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False).ravel()
    for ax, key, values, colour in ((axes[0], "loss", loss, "#1f77b4"),
                                    (axes[-1], "accuracy", accuracy, "#2ca02c")):
        if not values:
            continue
        ax.plot(np.arange(1, len(values) + 1), values, color=colour,
                label="train (each step's batch)")
        for prefix, split in (("test", "test"), ("val", "validation")):
            other = _series(history, f"{prefix}_{key}")
            if other:
                ax.plot(np.arange(1, len(other) + 1), other, color="#ff7f0e", ls="--", label=split)
        if test is not None and key in test:
            ax.plot([len(values)], [test[key]], marker="*", ms=11, color="#d62728", ls="none",
                    label=f"test, after training: {test[key]:.3g}" if key == "loss" else
                    f"test, after training: {test[key]:.1%}")
        ax.set_xlabel("step")
        ax.set_ylabel(key)
        also = " and the test set" if test is not None else ""
        ax.set_title(f"{key} on the training set{also}", fontsize=10)
        ax.legend(fontsize=8, loc="best")
    if min(loss) > 0 and max(loss) / min(loss) > 100:
        axes[0].set_yscale("log")
    if accuracy:
        axes[-1].set_ylim(-0.02, 1.02)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def _series(history: Any, key: str) -> list[float]:
    if isinstance(history, Mapping):
        values = history.get(key, [])
    else:
        values = getattr(history, key, [])
    return [float(v) for v in (values or [])]


def depth_gradients(activation: str, depths: Iterable[int] = range(1, 31), *, weight: float = 1.0,
                    bias: float = 0.0, x: float = 0.5) -> np.ndarray:
    """|df/dw_1| for a chain of L scalar layers, for each L in ``depths``, computed by backward
    (D4).

    z_1 = w_1 x + b_1, a_l = s(z_l), z_l = w_l a_{l-1} + b_l, f = a_L, every w_l = ``weight``:
    ``df/dw_1 = [prod_{l=2..L} w_l] [prod_{l=1..L} s'(z_l)] x``, which shrinks geometrically for
    sigmoid.
    """
    function = ACTIVATIONS[activation][0] if activation in ACTIVATIONS else None
    if function is None:
        raise ValueError(f"depth_gradients: unknown activation {activation!r}; choose from "
                         f"{', '.join(ACTIVATIONS)}")
    result = []
    for depth in depths:
        if not isinstance(depth, int) or depth < 1:
            raise ValueError(f"depth_gradients: depths must be positive ints, got {depth!r}")
        w1 = Value(weight)
        a = function(w1 * x + bias)
        for _ in range(depth - 1):
            a = function(Value(weight) * a + bias)
        a.backward()
        result.append(abs(w1.grad))
    return np.array(result)


def plot_gradient_depth(activations: Sequence[str] = ("sigmoid", "tanh", "relu"),
                        depths: Iterable[int] = range(1, 31), *, weight: float = 1.0,
                        x: float = 0.5, path: str | os.PathLike | None = None) -> Figure:
    """|df/dw_1| against the number of layers L on a log scale, one line per activation (D4)."""
    depths = list(depths)
    fig = Figure(figsize=(6.0, 4.0), layout="constrained")
    ax = fig.subplots()
    for name in activations:
        grads = depth_gradients(name, depths, weight=weight, x=x)
        shown = np.where(grads > 0, grads, np.nan)  # a zero gradient has no place on a log axis
        ax.plot(depths, shown, marker="o", ms=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("number of layers L")
    ax.set_ylabel("|df/dw_1|")
    ax.set_title(f"Vanishing gradients (D4): every w_l = {weight:g}, x = {x:g}", fontsize=10)
    ax.legend()
    return _finish(fig, path)


def layer_gradient_sizes(model: Any) -> np.ndarray:
    """Mean |grad| of each layer's parameters (``model.layers``), after a backward pass."""
    layers = getattr(model, "layers", None)
    if not layers:
        raise TypeError("layer_gradient_sizes: expected a model with .layers (an nn.MLP), got "
                        f"{type(model).__name__}")
    return np.array([np.mean([abs(float(p.grad)) for p in layer.parameters()]) for layer in layers])


def plot_layer_gradients(model: Any, path: str | os.PathLike | None = None) -> Figure:
    """Mean |grad| of the parameters of each layer of an MLP, input layer first (D4 in a real
    network)."""
    sizes = layer_gradient_sizes(model)
    fig = Figure(figsize=(5.5, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(np.arange(1, len(sizes) + 1), np.where(sizes > 0, sizes, np.nan), marker="o")
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("mean |grad| of its parameters")
    ax.set_title("Gradient size by depth", fontsize=10)
    return _finish(fig, path)
