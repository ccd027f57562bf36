"""Pictures of computation graphs, plots for teaching, and interactive widgets.

>>> from autograd import Value
>>> import viz
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = (x * w).tanh()
>>> y.backward()
>>> picture = viz.draw_dot(y, params=[w])   # shows inline in Jupyter
>>> "data 2.0000" in picture.source
True

Graphs render with the system Graphviz ``dot`` when it is installed, otherwise with Graphviz
compiled to WebAssembly (SVG only), so nothing beyond ``pip install`` is needed. The plotting
functions import matplotlib, and the widgets anywidget, on first use. The ``chainrule`` command
line is ``viz.cli``, built on top of this package.
"""

from __future__ import annotations

from typing import Any

from .graph import draw_dot
from .picture import Picture
from .practice import check_grads
from .rendering import GraphvizError, render
from .steps import BackpropSteps, Frame, backprop_steps

_PLOTS = (
    "plot_activations", "plot_decision_boundary", "plot_history", "plot_gradient_depth",
    "plot_layer_gradients", "activation_curves", "depth_gradients", "layer_gradient_sizes",
    "save_figure",
)
# anywidget loads ipywidgets: only when asked
_EXPLORE = ("explore", "Explorer", "explore_gpt", "gpt_page", "GPTExplorer", "playground",
            "Playground", "side_by_side")

__all__ = ["draw_dot", "check_grads", "Picture", "GraphvizError", "render", "backprop_steps",
           "BackpropSteps", "Frame", *_PLOTS, *_EXPLORE]


def __getattr__(name: str) -> Any:
    if name in _PLOTS:  # matplotlib takes half a second to import: only when a plot is asked for
        from . import plots

        return getattr(plots, name)
    if name in _EXPLORE:
        from . import interactive

        return getattr(interactive, name)
    raise AttributeError(f"module 'viz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
