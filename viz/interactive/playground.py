"""``viz.playground(model, X, y)``: watch an MLP learn, like TensorFlow Playground, with the chain
rule one click away; and ``replay_page``: a recorded training run as one offline HTML page.

The widget trains in the kernel: the page asks for a few steps at a time (play, or step), the
kernel runs them with ``nn.fit`` (the compiled engine by default) and sends back the decision
boundary, the loss and accuracy curves and the graph of one chosen neuron on the first example
with its current numbers (click its nodes as in the explorer). Changing the activation starts
again with a fresh model of the same shape; the learning rate applies from the next step.
"""

from __future__ import annotations

from typing import Any

import anywidget
import numpy as np
import traitlets

import autograd
import nn

from .page import Page, asset, explorer_script, json_for_html, script
from .training import boundary, finite, neuron_view, points

ACTIVATIONS = tuple(nn.ACTIVATIONS)


class Playground(anywidget.AnyWidget):
    """Train ``model`` on (X, y) with play / pause / step, learning rate and activation controls."""

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    data = traitlets.List().tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    neuron_svg = traitlets.Unicode("").tag(sync=True)
    lr = traitlets.Float(0.1).tag(sync=True)
    activation = traitlets.Unicode("relu").tag(sync=True)
    activations = traitlets.List().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, model: nn.MLP, X: Any, y: Any, *, loss: str = "hinge", lr: float = 0.1,
                 steps_per_frame: int = 5, neuron: tuple[int, int] = (0, 0), engine: str = "compiled",
                 alpha_l2: float = 1e-4, seed: int = 0, resolution: int = 40) -> None:
        X, y = np.asarray(X, dtype=float), np.asarray(y).ravel()
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"playground: needs data with 2 features (to draw the boundary), X has shape {X.shape}")
        if not lr > 0:
            raise ValueError(f"playground: lr must be positive, got {lr}")
        self.model, self.X, self.y, self.loss = model, X, y, loss
        self.steps_per_frame, self.neuron, self.engine = steps_per_frame, neuron, engine
        self.alpha_l2, self.seed, self.resolution = alpha_l2, seed, resolution
        self.history: dict[str, list[float]] = {"loss": [], "accuracy": []}
        activation = getattr(model, "activation", "relu")
        super().__init__(
            _esm=explorer_script() + asset("playground.js")
            + "\nexport default { render({ model, el }) { return crPlaygroundWidget(model, el); } };\n",
            _css=asset("explorer.css"), data=points(X, y), lr=lr,
            activation=activation if isinstance(activation, str) else "",
            activations=list(ACTIVATIONS) if isinstance(model, nn.MLP) else [],
        )
        self._new_optimizer()
        self._send_frame(svg=True)
        self.on_msg(self._message)
        self.observe(self._on_lr, names="lr")
        self.observe(self._on_activation, names="activation")

    def _new_optimizer(self) -> None:
        self.optimizer = nn.SGD(self.model.parameters(), lr=self.lr)

    def train(self, steps: int = 1) -> Playground:
        """Train ``steps`` more steps (as the page's step button does) and send the new picture."""
        try:
            chunk = nn.fit(self.model, self.X, self.y, loss=self.loss, optimizer=self.optimizer, steps=steps,
                           progress=False, engine=self.engine, alpha_l2=self.alpha_l2, seed=self.seed)
        except ArithmeticError as problem:  # diverged: too large a learning rate
            self.error = f"{problem}"
            return self
        except autograd.TracingError:  # a model the compiled engine cannot trace: the scalar engine then
            if self.engine == "eager":
                raise
            self.engine = "eager"
            return self.train(steps)
        self.error = ""
        self.history["loss"] += chunk.loss
        self.history["accuracy"] += chunk.accuracy
        self._send_frame()
        return self

    def _send_frame(self, svg: bool = False) -> None:
        graph, picture = neuron_view(self.model, self.X[0], *self.neuron, svg=svg)
        if svg:
            self.neuron_svg = picture
        self.frame = {"step": len(self.history["loss"]), "loss": finite(self.history["loss"]),
                      "accuracy": finite(self.history["accuracy"]),
                      "grid": boundary(self.model, self.X, self.y, self.loss, self.resolution), "neuron": graph}

    def _message(self, widget: Any, content: Any, buffers: Any = None) -> None:
        if isinstance(content, dict) and content.get("type") == "step":
            self.train(self.steps_per_frame)
        elif isinstance(content, dict) and content.get("type") == "reset":
            self._restart(self.activation)

    def _on_lr(self, change: dict[str, Any]) -> None:
        if change["new"] > 0:
            self.optimizer.lr = change["new"]

    def _on_activation(self, change: dict[str, Any]) -> None:
        if change["new"] in ACTIVATIONS and isinstance(self.model, nn.MLP):
            self._restart(change["new"])

    def _restart(self, activation: str) -> None:
        """A fresh model of the same shape with ``activation`` in its hidden layers."""
        if isinstance(self.model, nn.MLP):
            sizes = [len(layer.neurons) for layer in self.model.layers]
            self.model = nn.MLP(self.model.layers[0].neurons[0].nin, sizes, activation=activation,
                                output_activation=self.model.output_activation, seed=self.seed)
        self.history = {"loss": [], "accuracy": []}
        self._new_optimizer()
        self._send_frame(svg=True)


def playground(model: nn.MLP, X: Any, y: Any, **options: Any) -> Playground:
    """A training playground for ``model`` on 2-D data (X, y); see ``Playground`` for the options."""
    return Playground(model, X, y, **options)


def replay_page(title: str, data: list[list[float]], history: dict[str, list[float]],
                snapshots: list[dict[str, Any]]) -> Page:
    """A recorded run as one HTML page: the boundary at each snapshot, the curves, and a scrubber."""
    record = {"title": title, "points": data, "loss": finite(history["loss"]),
              "accuracy": finite(history["accuracy"]), "snapshots": snapshots}
    fragment = (
        f'<div class="cr-playground cr-replay"><style>{asset("explorer.css")}</style>'
        f'<script type="application/json" class="cr-data">{json_for_html(record)}</script>'
        '<p class="cr-static-note">This replay needs JavaScript: open the file in a browser.</p></div>'
        + script(f'(function(){{{asset("playground.js")}\n'
                 'crReplay(document.currentScript.previousElementSibling);})();')
    )
    return Page(fragment, title)


