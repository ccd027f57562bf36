"""How each kind of node looks, the |grad| colour scale, and the legend that explains both.

Kinds of value node: a *parameter* (a leaf the optimiser changes), an *input* (any other leaf),
an *intermediate* value and the *output* (the root the gradients are taken of). The kind sets
the fill and the border; with gradient shading on, the fill shows |grad| instead and the border
still tells the kinds apart.
"""

from __future__ import annotations

import math

import graphviz

# nslimit, nslimit1: cap dot's network-simplex passes. Without them a value reused along a long
# chain (edges spanning many ranks) makes layout take minutes; with them it takes well under a
# second.
GRAPH_ATTR = {"fontname": "Helvetica", "fontsize": "11", "nodesep": "0.18", "ranksep": "0.35",
              "nslimit": "2", "nslimit1": "2"}
NODE_ATTR = {"fontname": "Helvetica", "fontsize": "11"}
EDGE_ATTR = {"color": "#666666", "arrowsize": "0.6", "fontname": "Helvetica", "fontsize": "9"}

VALUE_KINDS = ("parameter", "input", "intermediate", "output")
# kind: (fill, border, border width)
KIND_COLOURS = {
    "parameter": ("#ffe0b2", "#e65100", "2"),
    "input": ("#d6eaf8", "#1f618d", "1.5"),
    "intermediate": ("#ffffff", "#555555", "1"),
    "output": ("#eeeeee", "#000000", "3"),
}
KIND_LEGEND = {
    "parameter": "parameter (learned)",
    "input": "input (other leaf)",
    "intermediate": "intermediate value",
    "output": "output (root)",
}
OP_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#f2f2f2", "color": "#999999",
            "height": "0.3", "margin": "0.03,0.01"}
CONSTANT_STYLE = {"shape": "box", "style": "rounded,dashed", "fontsize": "9", "height": "0.2",
                  "width": "0.3", "margin": "0.04,0.02", "color": "#999999", "fontcolor": "#444444"}
BOX_STYLE = {"shape": "Mrecord", "style": "filled", "fillcolor": "#e8f5e9", "color": "#2e7d32",
             "penwidth": "2"}
HIGHLIGHT = "#d62728"  # the node whose gradient is being filled (backprop_steps)

# ColorBrewer YlOrRd: pale for tiny |grad|, dark red for the largest
PALETTE = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
           "#800026")
ZERO_GRAD_FILL = "#e0e0e0"
DARK_FILLS = PALETTE[-3:]  # fills dark enough to need white text
MAX_DECADES = 12.0


def value_style(kind: str, fill: str | None = None) -> dict[str, str]:
    """Attributes of a value (record) node of ``kind``, with ``fill`` overriding the kind's fill."""
    kind_fill, border, width = KIND_COLOURS[kind]
    fill = fill or kind_fill
    style = {"shape": "record", "style": "filled", "fillcolor": fill, "color": border,
             "penwidth": width}
    if fill in DARK_FILLS:
        style["fontcolor"] = "white"
    return style


class GradScale:
    """Maps |grad| to a colour on a log scale spanning the magnitudes found (at most 12 decades).

    Vanishing gradients (D4) show as pale nodes far from the dark ones; a zero gradient is grey.
    """

    def __init__(self, grads: list[float]) -> None:
        magnitudes = [abs(g) for g in grads if g != 0.0 and math.isfinite(g)]
        self.high = max(magnitudes, default=1.0)
        self.low = max(min(magnitudes, default=1.0), self.high * 10.0 ** -MAX_DECADES)

    def position(self, g: float) -> float:
        """Where |g| falls between the smallest (0.0) and largest (1.0) magnitude, in log10."""
        if not math.isfinite(g):
            return 1.0
        span = math.log10(self.high) - math.log10(self.low)
        if span == 0.0:
            return 1.0
        t = (math.log10(max(abs(g), self.low)) - math.log10(self.low)) / span
        return min(1.0, max(0.0, t))

    def colour(self, g: float) -> str:
        """The fill for a node with gradient ``g``."""
        if g == 0.0:
            return ZERO_GRAD_FILL
        return PALETTE[min(len(PALETTE) - 1, int(self.position(g) * len(PALETTE)))]

    def ticks(self, count: int = 5) -> list[tuple[str, float]]:
        """Up to ``count`` (colour, |grad|) pairs from the smallest magnitude to the largest, no two
        alike (one pair when every gradient has the same magnitude)."""
        lo, hi = math.log10(self.low), math.log10(self.high)
        pairs: list[tuple[str, float]] = []
        for i in range(count if hi > lo else 1):
            magnitude = 10.0 ** (lo + (hi - lo) * i / max(1, count - 1))
            pair = (self.colour(magnitude), magnitude)
            if not pairs or (
                pair[0] != pairs[-1][0] and f"{magnitude:.2g}" != f"{pairs[-1][1]:.2g}"
            ):
                pairs.append(pair)
        return pairs


def legend_graph(kinds: list[str], *, constants: bool, boxes: bool, scale: GradScale | None,
                 zero: bool = True) -> graphviz.Digraph:
    """The legend: one row of sample nodes, one per kind that occurs, an operation, and the |grad|
    colour scale when shading (its lowest swatch reads ``<=``: smaller magnitudes share it; a
    ``grad 0`` swatch when ``zero``, some gradient is 0).

    A graph of its own, drawn under the picture (see Picture), of plain nodes (not an HTML table,
    which the WebAssembly Graphviz cannot draw) kept in one row by invisible edges.
    """
    small = {"fontsize": "9", "height": "0.25", "margin": "0.06,0.02"}
    items: list[tuple[str, str, dict[str, str]]] = []
    for kind in kinds:
        fill, border, width = KIND_COLOURS[kind]
        items.append((f"legend_{kind}", KIND_LEGEND[kind],
                      {"shape": "box", "style": "filled", "fillcolor": fill, "color": border,
                       "penwidth": width}))
    items.append(("legend_op", "operation", OP_STYLE))
    if constants:
        items.append(("legend_constant", "number", CONSTANT_STYLE))
    if boxes:
        items.append(("legend_box", "collapsed module", dict(BOX_STYLE, shape="box")))
    if scale is not None:
        if zero:
            items.append(("legend_grad_zero", "grad 0", {"fillcolor": ZERO_GRAD_FILL}))
        ticks = scale.ticks()
        for i, (colour, m) in enumerate(ticks):
            text = f"|grad| <= {m:.2g}" if i == 0 and len(ticks) > 1 else f"|grad| {m:.2g}"
            items.append((f"legend_grad{i}", text,
                          {"fillcolor": colour,
                           "fontcolor": "white" if colour in DARK_FILLS else "black"}))
    graph = graphviz.Digraph(
        "legend",
        graph_attr=dict(GRAPH_ATTR, rankdir="LR", ranksep="0.12", margin="0"),
        node_attr=NODE_ATTR,
    )
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="", style="rounded", color="#bbbbbb", margin="4")
        for name, text, style in items:
            style = dict({"shape": "box", "style": "filled", "color": "#555555"}, **style)
            legend.node(name, label=text, **dict(style, **small))
        for (tail, _, _), (head, _, _) in zip(items, items[1:], strict=False):
            legend.edge(tail, head, style="invis")
    return graph
