"""``viz.explore(root)``: the graph explorer as a Jupyter widget (anywidget), and as a saved page.

The kernel lays the graph out once (Graphviz SVG) and sends it with the numbers. The page
(``static/explorer.js``) makes the nodes clickable, steps through backward and runs practice
mode. Moving a leaf's slider sends the new number back; the kernel records the same graph afresh
with the new number (forward), runs backward and sends only the numbers, so the layout stays put.
The explorer works on its own copy: the Values it was given keep their numbers and gradients.

anywidget works in JupyterLab, Notebook 7, VS Code and Colab with no extension to install.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from autograd import Value, source_of

from ..graph import build_digraph
from ..picture import Picture
from .collapsed import MAX_GROUPED, collapsed_view, modules_in
from .graph_data import (
    MAX_NODES,
    build_root,
    checked_order,
    graph_data,
    leaves_of,
    node_ids,
    rebuild,
)
from .page import Page, asset, explorer_fragment, explorer_script


class Explorer(anywidget.AnyWidget):
    """A computation graph to click through, step backward in, practise on and move the leaves of.

    ``.save("graph.html")`` writes the page (everything but the sliders) to open offline in any
    browser; ``.page()`` shows that page in a notebook, where it works without a kernel.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    graph = traitlets.Dict().tag(sync=True)
    sliders = traitlets.List().tag(sync=True)
    leaf_values = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, root: Value, *, params: Any = None, rankdir: str = "auto",
                 legend: bool = False, backend: str | None = None, scale: float = 1.0) -> None:
        self.root = root
        self.scale = _scale(scale)
        self.order = checked_order(root, MAX_GROUPED if modules_in(params) else MAX_NODES)
        self._sources = [source_of(node) for node in self.order]  # also for the sliders' graphs
        ids = node_ids(self.order)
        known = set(_params(params))
        self._root_position = self.order.index(root)
        self._param_positions = [i for i, node in enumerate(self.order) if node in known]
        data = graph_data(root, params, self.order, sources=self._sources, scale=self.scale)
        grads = {node: data["nodes"][ids[node]]["grad"] for node in self.order}
        digraph = build_digraph(self.order, [root], rankdir=rankdir, params=known, legend=legend,
                                grad_of=grads.get)
        svg = Picture(digraph, node_count=len(self.order), backend=backend).to_svg()
        self._collapsed = collapsed_view(self.order, root, params, ids, grads.get, known=known,
                                         rankdir=rankdir, backend=backend)
        data["collapsed"] = self._collapsed
        super().__init__(
            _esm=explorer_script()
            + "\nexport default { render({ model, el }) { return crWidget(model, el); } };\n",
            _css=asset("explorer.css"), svg=svg, graph=data,
            sliders=[_slider(ids[v], v) for v in leaves_of(self.order)],
            leaf_values={ids[v]: v.data for v in leaves_of(self.order)},
        )
        self.observe(self._leaves_moved, names="leaf_values")

    def _leaves_moved(self, change: dict[str, Any]) -> None:
        """A slider moved: record the graph afresh with the new leaves, run backward, send the
        numbers."""
        positions = {f"v{i}": i for i in range(len(self.order))}
        values = {positions[i]: v for i, v in change["new"].items() if i in positions}
        # the numbers shown (a refused value undone)
        if all(self.order[i].data == v for i, v in values.items()):
            return
        try:
            order = rebuild(self.order, values)
            root = order[self._root_position]
            params = [order[i] for i in self._param_positions]
            graph = graph_data(root, params, order, sources=self._sources, scale=self.scale)
            # the boxes' picture and structure (numbers: graph)
            graph["collapsed"] = self._collapsed
        except (ArithmeticError, ValueError) as problem:  # log of a negative number, an overflow
            self.error = f"cannot compute the graph there: {problem}"
            self.leaf_values = {  # as shown
                f"v{i}": node.data for i, node in enumerate(self.order) if not node.op
            }
            return
        self.order, self.root, self.graph, self.error = order, root, graph, ""

    def set(self, **values: float) -> Explorer:
        """Move leaves by label, as the sliders do: ``explorer.set(x=1.5, w=-2)``."""
        ids = node_ids(self.order)
        by_label = {v.label: ids[v] for v in leaves_of(self.order) if v.label}
        unknown = sorted(set(values) - set(by_label))
        if unknown:
            known = ", ".join(by_label) or "none"
            raise ValueError(f"explore: no leaf labelled {', '.join(unknown)} (leaves: {known})")
        self.error = ""
        self.leaf_values = {
            **self.leaf_values,
            **{by_label[name]: float(v) for name, v in values.items()},
        }
        if self.error:
            raise ValueError(self.error)
        return self

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget, plus the page as ``text/html`` for wherever no kernel runs the widget (a
        saved notebook on a code host, nbviewer): front ends that run widgets pick the widget."""
        shown = super()._repr_mimebundle_(**kwargs)
        if shown is None:
            return None
        data, metadata = shown
        return {**data, "text/html": self.page().fragment}, metadata

    def page(self) -> Page:
        """The explorer as an HTML page with the current numbers: shows in a notebook without a
        kernel."""
        name = self.graph["outputName"]
        return Page(
            explorer_fragment(self.svg, self.graph), f"chainrule explorer: {name}", self.svg
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page (``.page()``) to ``path``: one HTML file that works offline in any
        browser."""
        return self.page().save(path)

    def to_html(self) -> str:
        """The page as one HTML document."""
        return self.page().to_html()


def _params(params: Any) -> list[Value]:
    from ..collapse import parameters_of

    return list(parameters_of(params))


def _scale(scale: Any) -> float:
    """The presentation size: a number from 0.5 to 3 (1.5 for a projector)."""
    try:
        value = float(scale)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(scale, bool) or not 0.5 <= value <= 3.0:
        raise ValueError("explore: scale must be a number from 0.5 to 3 (1.5 for a projector), "
                         f"got {scale!r:.40}")
    return value


def _slider(node_id: str, leaf: Value) -> dict[str, Any]:
    spread = 2.0 * max(1.0, abs(leaf.data))
    name = leaf.label or (f"c = {leaf.data:g}")
    return {"id": node_id, "name": name, "value": leaf.data,
            "min": leaf.data - spread, "max": leaf.data + spread}


def explore(root: Value | str, params: Any = None, *, rankdir: str = "auto", legend: bool = False,
            backend: str | None = None, scale: float = 1.0, **bindings: float) -> Explorer:
    """Explore the graph of ``root``: a Value, or an expression with its variables bound, as on the
    command line: ``viz.explore("tanh(x*w + b)", x=2, w=-3, b=6.88, params="w,b")``.

    ``params``: Values (or nn modules) drawn as parameters; for an expression, their names
    (``"w,b"`` or a list); with nn modules among them a graph of more than 60 nodes opens as the
    modules' boxes (each layer, its W and b), which expand into every node. ``scale``: the
    presentation size it opens at (1.5 for a projector; the page's *present* button switches it).
    Graphs made inside ``autograd.record_source()`` show the line of code that made each node.
    Returns an ``Explorer`` widget; ``.save("graph.html")`` writes the page.
    """
    root, named = build_root(root, bindings)
    if named and params is not None:
        names = params.split(",") if isinstance(params, str) else list(params)
        by_name = {v.label: v for v in named}
        missing = [n.strip() for n in names if n.strip() not in by_name]
        if missing:
            raise ValueError(f"explore: params names {', '.join(missing)}, not bound "
                             f"(bound: {', '.join(by_name)})")
        params = [by_name[n.strip()] for n in names]
    return Explorer(root, params=params, rankdir=rankdir, legend=legend, backend=backend,
                    scale=scale)
