"""``viz.playground()``: TensorFlow Playground in a notebook, with the chain rule one click away;
and ``replay_page``: a recorded training run as one offline HTML page.

The widget is a ``Session`` (``playground_session``) in the kernel and a page
(``static/playground.js``) that draws it. The page's controls change ``settings``; play and
step ask the kernel for the next epoch, which it trains and sends back as one ``frame`` (loss
curves, every neuron's heat map over the plane, the weights). A click on a neuron or a weight sets
``selected``; the kernel sends that neuron's graph on training example ``example`` with backward
from the loss (``playground_chain``), shown in the explorer.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

import nn

from .page import Page, asset, explorer_script, json_for_html, script
from .playground_chain import chain_view, nearest_example
from .playground_data import CLASSIFICATION, FEATURES, REGRESSION
from .playground_session import (
    MAX_LAYERS,
    MAX_NEURONS,
    NUMPY_ACTIVATIONS,
    RESETS,
    Session,
    Settings,
    settings_from,
)
from .snapshots import finite

OPTIONS = {
    "classification": list(CLASSIFICATION),
    "regression": list(REGRESSION),
    "features": list(FEATURES),
    "activations": list(NUMPY_ACTIVATIONS),
    "maxLayers": MAX_LAYERS,
    "maxNeurons": MAX_NEURONS,
    "lr": [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    "regRate": [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
}
"""The choices the page offers (TensorFlow Playground's lists)."""


class Playground(anywidget.AnyWidget):
    """Train a small network on 2-D data with TensorFlow Playground's controls; click a neuron or a
    weight for its graph with backward from the loss. ``.session`` holds the model and data."""

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    options = traitlets.Dict().tag(sync=True)
    settings = traitlets.Dict().tag(sync=True)
    points = traitlets.List().tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    selected = traitlets.Dict().tag(sync=True)
    example = traitlets.Int(0).tag(sync=True)
    chain = traitlets.Dict().tag(sync=True)
    chain_svg = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        model: nn.MLP | None = None,
        X: Any = None,
        y: Any = None,
        *,
        epochs_per_frame: int = 1,
        resolution: int = 24,
        **settings: Any,
    ) -> None:
        if (X is None) != (y is None):
            raise ValueError("playground: give both X and y, or neither (then a data set by name)")
        if X is not None:
            settings.setdefault("dataset", "user")
        if settings.get("dataset") in REGRESSION:
            settings.setdefault("problem", "regression")
        if model is not None:  # the settings describe the model given
            settings.setdefault("hidden", model.nouts[:-1])
            settings.setdefault("activation", model.activation)
        self.session = Session(settings_from(Settings(), settings), X, y, model)
        self.epochs_per_frame, self.resolution = epochs_per_frame, resolution
        super().__init__(
            _esm=explorer_script()
            + asset("playground.js")
            + asset("playground_widget.js")
            + "\nexport default { render({ model, el }) "
            + "{ return crPlaygroundWidget(model, el); } };\n",
            _css=asset("explorer.css") + asset("playground.css"),
            options=OPTIONS,
            settings=self.session.settings.as_dict(),
            points=self.session.points(),
        )
        self._send_frame()
        self.on_msg(self._message)
        self.observe(self._on_settings, names="settings")
        self.observe(self._on_selection, names=["selected", "example"])

    # ---------------------------------------------------------------- what the buttons do

    def train(self, epochs: int = 1) -> Playground:
        """Train ``epochs`` more epochs (the step button trains one) and send the new frame."""
        try:
            self.session.epoch(epochs)
            self.error = ""
        except ArithmeticError as problem:
            self.error = str(problem)
        self._send_frame()
        return self

    def reset(self) -> Playground:
        """New data and a new network for the same settings (the reset button)."""
        self.session.reset()
        self.points = self.session.points()
        self.error = ""
        self._send_frame()
        return self

    def set(self, **changes: Any) -> Playground:
        """Change settings as the page's controls do: ``pg.set(dataset="xor", hidden=[4, 4])``."""
        self.settings = {**self.settings, **changes}
        if self.error:
            raise ValueError(self.error)
        return self

    def select(
        self, layer: int, index: int, input: int | None = None, example: int | None = None
    ) -> Playground:
        """Show the graph of neuron (layer, index), or of its weight from ``input`` (nin: bias),
        on training example ``example``, with backward from the loss (a click on the diagram)."""
        if example is not None:
            self.example = example
        kind = "neuron" if input is None else "weight"
        self.selected = {
            "kind": kind,
            "layer": layer,
            "index": index,
            **({} if input is None else {"input": input}),
        }
        if self.error:
            raise ValueError(self.error)
        return self

    # ---------------------------------------------------------------- kernel side of the page

    def _message(self, widget: Any, content: Any, buffers: Any = None) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "step":
            self.train(self.epochs_per_frame)
        elif kind == "reset":
            self.reset()
        elif kind == "pick":  # a click on the plane: the nearest training example
            self.example = nearest_example(self.session, float(content["x1"]), float(content["x2"]))

    def _on_settings(self, change: dict[str, Any]) -> None:
        old = self.session.settings
        if change["new"] == old.as_dict():  # the settings shown (a refused change undone)
            return
        try:
            self.session.update(**{k: v for k, v in change["new"].items() if k in old.as_dict()})
        except (ValueError, TypeError) as problem:
            self.error = str(problem)
            self.settings = old.as_dict()
            return
        self.error = ""
        if any(
            getattr(old, k) != getattr(self.session.settings, k) for k in RESETS
        ):  # started again
            self.points = self.session.points()
            self.selected, self.chain, self.chain_svg = {}, {}, ""
        self._send_frame()

    def _on_selection(self, change: dict[str, Any]) -> None:
        self._send_chain(svg=True)

    def _send_chain(self, svg: bool) -> None:
        if not self.selected:
            return
        try:
            example = min(self.example, len(self.session.train_rows) - 1)
            view = chain_view(self.session, example, self.selected, svg=svg)
        except (ValueError, KeyError) as problem:
            self.error = str(problem)
            self.chain, self.chain_svg = {}, ""
            return
        with self.hold_sync():  # the page gets the new picture and its numbers in one message
            self.error = ""
            if svg:
                self.chain_svg = view.pop("svg")
            self.chain = view

    def _send_frame(self) -> None:
        s = self.session
        self._send_chain(svg=False)
        self.frame = {
            "epoch": s.epochs,
            "train": finite(s.history["train"]),
            "test": finite(s.history["test"]),
            "accuracy": [s.accuracy(s.train_rows), s.accuracy(s.test_rows)],
            "pictures": s.pictures(self.resolution),
            "weights": s.weights(),
            "activation": s.settings.activation,
            "problem": s.settings.problem,
        }


def playground(
    model: nn.MLP | None = None, X: Any = None, y: Any = None, **options: Any
) -> Playground:
    """TensorFlow Playground's trainer in a notebook: ``viz.playground()`` (moons),
    ``viz.playground(
    dataset="xor", hidden=[4, 4])``, or your own 2-D data ``viz.playground(None, X, y)``; see
    ``Settings`` for every option. ``model``: an ``nn.MLP`` to start from (else fan-in init)."""
    return Playground(model, X, y, **options)


def replay_page(
    title: str,
    data: list[list[float]],
    history: dict[str, list[float]],
    snapshots: list[dict[str, Any]],
) -> Page:
    """A recorded run as one HTML page: the boundary and every neuron's heat map at each snapshot,
    the training loss curve and the test loss at each snapshot (``testLoss``) with axes, and a
    scrubber."""
    record = {
        "title": title,
        "points": data,
        "loss": finite(history["loss"]),
        "accuracy": finite(history["accuracy"]),
        "snapshots": snapshots,
    }
    fragment = (
        '<div class="cr-playground cr-replay">'
        f'<style>{asset("explorer.css")}{asset("playground.css")}</style>'
        f'<script type="application/json" class="cr-data">{json_for_html(record)}</script>'
        '<p class="cr-static-note">This replay needs JavaScript: open the file in a browser.</p>'
        "</div>"
        + script(
            f"(function(){{{asset('playground.js')}\n"
            "crReplay(document.currentScript.previousElementSibling);})();"
        )
    )
    return Page(fragment, title)
