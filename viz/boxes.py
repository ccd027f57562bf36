"""How a collapsed box (viz.collapse) is drawn: its record's fields, and a W or b box's gradient as
a small heat map, one cell per entry.

The WebAssembly Graphviz cannot draw HTML tables, so the heat map is drawn in two steps: the
record keeps an empty field of the map's shape (``heat_field``), and once the picture is laid out
``paint_heat_maps`` fills that field's rectangle with one SVG square per entry, coloured by
|grad| (``viz.style.GradScale``), with the entry and its gradient as the square's tooltip.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from autograd import Value

from .chain import number
from .collapse import Box
from .escape import record_field
from .style import BOX_STYLE, KIND_COLOURS, ZERO_GRAD_FILL, GradScale

MAX_CELLS = 400  # a bigger matrix shows only sum |grad|
CELL_SPACES = 3  # no-break spaces a cell's column is wide in the empty field (~8 pt at 11 pt)
UNKNOWN_FILL = "#f5f5f5"


@dataclass
class HeatMap:
    """The cells of one box's heat map: ``rows`` x ``cols`` (fill, tooltip), row by row."""

    rows: int
    cols: int
    cells: list[tuple[str, str]]


def box_fields(box: Box, inside: list[Value], grad_of: Callable[[Value], float | None],
               numbers: Callable[[Value], list[str]], wrap: Callable[[str], str] = str
               ) -> tuple[list[str], list[str], dict[str, str], HeatMap | None]:
    """A box's record: (head fields, stacked fields, style, its heat map or None); ``wrap`` breaks a
    long name into lines."""
    if box.kind == "matrix":  # a layer's W (nout x nin) or b (nout): sum |grad| and the heat map
        layer, _, which = box.name.rpartition(" ")
        grads = [grad_of(p) for p in box.outputs]
        total = "?"
        if not any(g is None for g in grads):
            total = number(sum(abs(g) for g in grads))
        fill, border, width = KIND_COLOURS["parameter"]
        style = {"shape": "record", "style": "filled", "fillcolor": fill, "color": border,
                 "penwidth": width}
        shape = " x ".join(map(str, box.shape))
        stacked = [record_field(layer), record_field(f"\u03a3|grad| {total}")]
        heat = heat_map(which, box.shape, grads)
        if heat is not None:
            stacked.append(heat_field(heat))
        return [record_field(f"{which} ({shape})")], stacked, style, heat
    if box.kind == "layer":
        neurons = f"{len(box.outputs)} neuron{'s' if len(box.outputs) > 1 else ''}"
        stacked = [record_field(neurons), f"{len(inside)} nodes"]
        return [record_field(wrap(box.name))], stacked, dict(BOX_STYLE), None
    what = {"sum": f"{len(inside) + 1} terms added"}.get(
        box.kind, f"{len(inside)} nodes")
    stacked = [record_field(what), *numbers(box.outputs[0])]
    return [record_field(wrap(box.name))], stacked, dict(BOX_STYLE), None


def heat_map(which: str, shape: tuple[int, ...], grads: list[float | None]) -> HeatMap | None:
    """The cells of a W (rows: neurons, columns: inputs) or b (one column) box, or None when too
    big."""
    rows, cols = (shape[0], shape[1]) if len(shape) == 2 else (shape[0], 1)
    if rows * cols > MAX_CELLS or rows * cols != len(grads):
        return None
    known = [g for g in grads if g is not None]
    scale = GradScale(known) if known else None
    cells = []
    for k, g in enumerate(grads):
        where = f"{which}[{k // cols}][{k % cols}]" if cols > 1 else f"{which}[{k}]"
        if g is None or scale is None:
            cells.append((UNKNOWN_FILL, f"{where}: grad ?"))
        else:
            fill = ZERO_GRAD_FILL if g == 0.0 else scale.colour(g)
            cells.append((fill, f"{where}: grad {number(g)}"))
    return HeatMap(rows, cols, cells)


def heat_field(heat: HeatMap) -> str:
    """The empty record field that keeps room for the heat map: a block of no-break spaces."""
    return "\\n".join(["\u00a0" * (CELL_SPACES * heat.cols)] * heat.rows)


def paint_heat_maps(svg: str, heat_maps: dict[str, HeatMap],
                    rects: dict[str, list[tuple[float, ...]]]) -> str:
    """``svg`` (a Graphviz SVG) with each heat map's squares drawn in its node's last record field;
    ``rects`` gives each record node's field rectangles (x0, y0, x1, y1) in Graphviz's
    coordinates."""
    for name, heat in heat_maps.items():
        found = re.search(rf"<title>{re.escape(name)}</title>.*?(?=</g>)", svg, flags=re.S)
        if not found or not rects.get(name):
            continue
        x0, y0, x1, y1 = rects[name][-1]
        inset = 2.0
        width, height = (x1 - x0 - 2 * inset) / heat.cols, (y1 - y0 - 2 * inset) / heat.rows
        squares = []
        for k, (fill, tip) in enumerate(heat.cells):
            x = x0 + inset + (k % heat.cols) * width
            # SVG's y grows downwards: Graphviz's y negated
            y = -(y1 - inset) + (k // heat.cols) * height
            squares.append(f'<rect class="cr-heat" x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" '
                           f'height="{height:.2f}" fill="{fill}" stroke="white" '
                           f'stroke-width="0.5"><title>{html.escape(tip)}</title></rect>')
        svg = svg[:found.end()] + "\n".join(squares) + "\n" + svg[found.end():]
    return svg
