"""``viz.explore_gpt(model, name)``: inside a GPT, from tokens to attention to the scalar graph.

One name is fed to a trained ``nn.GPT`` and every view is drawn from the nodes of that forward
pass: the tokens, the embedding rows and their RMSNorm, each head's attention weights (query
position x key position, the scores on hover) and output, the next character's probabilities
with the target's -log p, and which characters pushed the loss most. A switch colours the same
views by dL/d(cell). Clicking any cell opens its node: value, gradient, the rule that made it,
its inputs with their local derivatives and the chain rule's sum over its uses, each a link to
walk the graph down to the parameters. A prefix box shows the next character's distribution at
a chosen temperature, and steps through a sample.

In Jupyter it is a widget (anywidget) whose prefix box asks the kernel's model; ``.save(path)``
writes one offline HTML page, whose prefix box runs the same forward pass in JavaScript on the
weights the page carries (tests/test_gpt_explorer.py checks it against the model). With
``before=`` (the model before training) the page shows both side by side.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from nn.gpt import GPT

from .gpt_data import gpt_data, next_distribution
from .page import Page, asset, json_for_html, script


def gpt_fragment(data: dict[str, Any]) -> str:
    """The explorer as an HTML fragment: styles, data and the script that draws it (no network)."""
    start = "crGptBoot(document.currentScript.previousElementSibling);"
    boot = f"(function(){{{asset('gpt_explorer.js')}\n{start}}})();"
    return (
        f'<div class="crg-page"><style>{asset("gpt_explorer.css")}</style><div class="crg-root">'
        "<p>The GPT explorer draws itself with JavaScript: open this page in a browser "
        "(or trust the notebook).</p>"
        f'</div><script type="application/json" class="crg-data">{json_for_html(data)}</script>'
        + script(boot)
        + "</div>"
    )


class GPTExplorer(anywidget.AnyWidget):
    """The GPT explorer as a Jupyter widget; ``.save("gpt.html")`` writes it as one offline page."""

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    data = traitlets.Dict().tag(sync=True)
    prefix = traitlets.Unicode("").tag(sync=True)
    temperature = traitlets.Float(1.0).tag(sync=True)
    distribution = traitlets.List().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, model: GPT, name: str, *, before: GPT | None = None) -> None:
        self.models = [model] if before is None else [model, before]
        titles = ["the model"] if before is None else ["after training", "before training"]
        runs = [gpt_data(m, name, title) for m, title in zip(self.models, titles)]
        super().__init__(
            _esm=asset("gpt_explorer.js") + "\nexport default { render({ model, el }) "
            "{ return crGptWidget(model, el); } };\n",
            _css=asset("gpt_explorer.css"),
            data={"runs": runs},
        )
        self.observe(self._update_distribution, names=["prefix", "temperature"])
        self._update_distribution()

    def _update_distribution(self, change: dict[str, Any] | None = None) -> None:
        """The prefix box or the temperature moved: each model's next-character distribution."""
        try:
            self.distribution = [
                next_distribution(m, self.prefix, self.temperature) for m in self.models
            ]
            self.error = ""
        except (TypeError, ValueError) as problem:
            self.error = str(problem)
            self.distribution = [[] for _ in self.models]

    def page(self) -> Page:
        """The explorer as an HTML page: works in a notebook without a kernel, and offline."""
        return GPTPage(self.data)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path``: one HTML file that works offline in any browser."""
        return self.page().save(path)

    def to_html(self) -> str:
        """The page as one HTML document."""
        return self.page().to_html()

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget, plus the page as ``text/html`` where no kernel runs widgets (a code host)."""
        shown = super()._repr_mimebundle_(**kwargs)
        if shown is None:
            return None
        data, metadata = shown
        return {**data, "text/html": self.page().fragment}, metadata


def gpt_page(model: GPT, name: str, *, before: GPT | None = None) -> GPTPage:
    """``explore_gpt``'s page alone, no widget: shows in a notebook (the prefix box then runs in the
    page) and ``.save(path)`` writes it; lighter than the widget where no kernel is wanted."""
    _check(model, before)
    titles = ["the model"] if before is None else ["after training", "before training"]
    models = [model] if before is None else [model, before]
    return GPTPage({"runs": [gpt_data(m, name, title) for m, title in zip(models, titles)]})


class GPTPage(Page):
    """The GPT explorer's page, with its numbers as ``.data`` (the runs, from ``gpt_data``)."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(gpt_fragment(data), f"chainrule GPT explorer: {data['runs'][0]['name']}")
        self.data = data


def _check(model: GPT, before: GPT | None) -> None:
    if not isinstance(model, GPT):
        raise TypeError(f"explore_gpt: model must be an nn.GPT, got {type(model).__name__}")
    if before is not None and (not isinstance(before, GPT) or before.config() != model.config()):
        raise ValueError(
            "explore_gpt: before must be an nn.GPT with the same configuration as model"
        )


def explore_gpt(model: GPT, name: str, *, before: GPT | None = None) -> GPTExplorer:
    """Look inside ``model`` (an ``nn.GPT``) as it reads ``name``: tokens, embeddings, attention,
    predictions and gradients, each cell a node of the engine's graph to click down to the scalars.

    ``before``: the same model before training, shown beside it. ``.save("gpt.html")`` writes an
    offline page, as ``chainrule explore-gpt --model model.json --name emma -o gpt.html`` does.
    """
    _check(model, before)
    return GPTExplorer(model, name, before=before)
