"""One layout per graph, chosen for its shape so that no picture is a long thin strip.

The picture is first collected as a ``Drawing`` (nodes and edges, no direction yet). Each node and
edge has two texts: the one this picture shows, and the one it is *laid out* with: every number as
wide as ``-00.0000``, every edge into an operation carrying the chain rule's longest label
(``dL/du \u00d7 du/dv`` over ``= upstream \u00d7 local``). The layout text depends on the
graph alone, so the plain picture, ``local_grads``, ``hide``, ``shade_grad`` and every backprop
frame are laid out once, the same: Graphviz places the layout drawing (``geometry``), and each
picture is drawn with its own texts at those places (``emit(..., geometry=...)``, Graphviz's
``nop2`` engine).

The direction comes from the layout drawing too:
``choose`` lays it out left-to-right and top-to-bottom to measure it (a big graph's size is
estimated from its labels instead: Helvetica is about 0.55 em per character), and picks:

* left to right (``LR``, reads like the formula) when it is at most ``MAX_WIDTH`` wide and
  not a tall strip (more than ``STRIP`` times as tall as wide);
* else top to bottom (``TB``) on the same terms;
* else, for a long chain (no more than ``THIN`` nodes side by side anywhere, no edge longer than
  two ranks), left to right *wrapped*: the ranks are cut into rows about
  ``MAX_WIDTH`` wide, stacked top to bottom, and an edge from one row to the next goes to a
  numbered connector at the end of its row and comes out of the same number at the start of
  the next (as on a flowchart);
* else top to bottom when it is narrow enough (the page scrolls down), else the narrower of the
  two (the picture then scrolls sideways in Jupyter).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphviz

from .escape import stacked_record

MAX_WIDTH = 860.0  # points: 1,147 px at 96 dpi, under the 1,200 px of a notebook page
THIN = 3  # at most this many nodes side by side in every rank: a chain, which can wrap into rows
MEASURED = 150  # graphs up to this many nodes are laid out to measure each candidate (~10 ms each)
STRIP = 3.0  # a layout whose long side is more than this many times its short side is a strip
CHAR = 0.55  # width of an average Helvetica character, in em
RANKSEP, NODESEP = 25.0, 13.0  # GRAPH_ATTR's ranksep 0.35 in and nodesep 0.18 in, in points
# the room a number gets in the layout: four decimals up to 99.9999, or 1.23e-05
NUMBER_ROOM = "-00.0000"
# attributes that never move a node
LOOKS = ("color", "fillcolor", "fontcolor", "penwidth", "style")
CONNECTOR = {"shape": "circle", "width": "0.3", "fixedsize": "true", "fontsize": "10",
             "style": "filled", "fillcolor": "#fff3c4", "color": "#b08800"}


@dataclass
class Drawing:
    """The nodes and edges of a picture before a direction is chosen.

    A record node keeps its ``fields`` (the head side by side, the rest stacked) whatever the
    direction.
    """

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    fields: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    layout_fields: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    # edge index -> the label it is laid out with
    layout_labels: dict[int, str] = field(default_factory=dict)
    # nodes side by side in this order (one rank)
    in_order: list[list[str]] = field(default_factory=list)

    def node(self, name: str, label: str = "", *, fields: tuple[list[str], list[str]] | None = None,
             layout_fields: tuple[list[str], list[str]] | None = None, **attrs: Any) -> None:
        self.nodes[name] = dict(attrs, label=label) if fields is None else dict(attrs)
        if fields is not None:
            self.fields[name] = fields
            self.layout_fields[name] = layout_fields or fields

    def edge(self, tail: str, head: str, *, layout_label: str | None = None, **attrs: Any) -> None:
        if layout_label is not None:
            self.layout_labels[len(self.edges)] = layout_label
        self.edges.append((tail, head, attrs))

    # ------------------------------------------------------------ size estimates
    def size(self, name: str) -> tuple[float, float]:
        """(width, height) in points of a node, from its label, font size and shape."""
        attrs = self.nodes[name]
        font = float(attrs.get("fontsize", 11))
        if name in self.fields:
            head, stacked = self.layout_fields[name]
            width = lambda text: len(text.replace("\\", "")) * CHAR * font + 16
            return (sum(map(width, head)) + max(map(width, stacked)),
                    max(36.0, len(stacked) * font * 1.6))
        lines = str(attrs.get("label", "")).split("\\n")
        width = max(len(line) for line in lines) * CHAR * font + 16
        height = max(float(attrs.get("height", 0.5)) * 72, len(lines) * font * 1.2 + 8)
        if attrs.get("shape") == "ellipse":
            width *= 1.3
        least = float(attrs.get("width", 0.3 if attrs.get("shape") == "box" else 0.75)) * 72
        return max(width, least), height

    def ranks(self) -> dict[str, int]:
        """Each node's rank, as late as its uses allow (dot's ranking pulls a node next to its use):
        the sinks share the last rank, and every other node sits one rank before its first use."""
        heads: dict[str, list[str]] = {name: [] for name in self.nodes}
        tails: dict[str, list[str]] = {name: [] for name in self.nodes}
        for tail, head, attrs in self.edges:
            if attrs.get("constraint") != "false":
                heads[tail].append(head)
                tails[head].append(tail)
        waiting = {name: len(heads[name]) for name in self.nodes}
        ready = [name for name, count in waiting.items() if count == 0]
        height = dict.fromkeys(ready, 0)
        while ready:  # Kahn's order from the sinks back: the longest path to a sink
            name = ready.pop()
            for tail in tails[name]:
                height[tail] = max(height.get(tail, 0), height[name] + 1)
                waiting[tail] -= 1
                if waiting[tail] == 0:
                    ready.append(tail)
        top = max(height.values(), default=0)
        rank = {name: top - h for name, h in height.items()}
        for name in sorted(rank, key=rank.__getitem__, reverse=True):  # as late as the uses allow
            if heads[name]:
                rank[name] = min(rank[h] for h in heads[name]) - 1
        return rank

    def per_rank(self, rankdir: str) -> list[tuple[float, float]]:
        """(depth along the edges, breadth across them) in points of each rank laid out in
        ``rankdir``."""
        rank = self.ranks()
        along: dict[int, float] = {}
        across: dict[int, float] = {}
        labelled = {t for i, (t, _, attrs) in enumerate(self.edges)
                    if attrs.get("label") or i in self.layout_labels}
        for name, r in rank.items():
            w, h = self.size(name)
            depth, breadth = (w, h) if rankdir == "LR" else (h, w)
            if rankdir == "LR" and name in labelled:
                depth += 50  # room for the edge labels after it
            along[r] = max(along.get(r, 0.0), depth)
            across[r] = across.get(r, -NODESEP) + breadth + NODESEP
        return [(along[r], across[r]) for r in sorted(along)]

    def extent(self, rankdir: str, per_row: int = 0) -> tuple[float, float]:
        """Estimated (width, height) in points laid out in ``rankdir`` (LR or TB), LR wrapped every
        ``per_row`` ranks when that is not 0."""
        ranks = self.per_rank(rankdir)
        rows = [ranks[i:i + per_row] for i in range(0, len(ranks), per_row)] if per_row else [ranks]
        lengths = [sum(d for d, _ in row) + RANKSEP * (len(row) - 1) + (80 if per_row else 0)
                   for row in rows]
        breadths = [max((b for _, b in row), default=0.0) for row in rows]
        length, breadth = max(lengths, default=0.0), sum(breadths) + RANKSEP * (len(rows) - 1)
        return (length, breadth) if rankdir == "LR" else (breadth, length)


Measure = Callable[[str, int], "tuple[float, float] | None"]


def choose(drawing: Drawing, rankdir: str = "auto",
           measure: Measure | None = None) -> tuple[str, int]:
    """``(rankdir, ranks per row)``: the direction, and how many ranks make one row when the
    picture is wrapped (0: not wrapped). See the module docstring.

    ``measure(rankdir, per_row)`` gives the real (width, height) of a layout (by laying it out),
    or None; the estimate from the labels stands in for it (and is used for big graphs).
    """
    if rankdir != "auto":
        return rankdir, 0

    def size(candidate: str, per_row: int = 0) -> tuple[float, float]:
        measured = measure is not None and len(drawing.nodes) <= MEASURED
        found = measure(candidate, per_row) if measured else None
        return found or drawing.extent(candidate, per_row)

    sizes = {}
    for candidate in ("LR", "TB"):
        width, height = sizes[candidate] = size(candidate)
        if width <= MAX_WIDTH and height <= STRIP * max(width, MAX_WIDTH / 2):
            return candidate, 0
    per_row = _ranks_per_row(drawing.per_rank("LR"))
    rank = drawing.ranks()
    # a chain, no long edges
    thin = max(Counter(rank.values()).values(), default=0) <= THIN and all(
        rank[head] - rank[tail] <= 2 for tail, head, _ in drawing.edges)
    # a long chain: the widest rows that fit (about the estimate)
    for ranks in range(per_row + 3, per_row - 3, -1) if per_row and thin else ():
        if ranks >= 2 and size("LR", ranks)[0] <= MAX_WIDTH:
            return "LR", ranks
    if sizes["TB"][0] <= MAX_WIDTH:  # tall: the page scrolls down
        return "TB", 0
    return min(sizes, key=lambda c: sizes[c][0]), 0


def _ranks_per_row(ranks: list[tuple[float, float]]) -> int:
    """How many ranks fill a row of ``MAX_WIDTH`` (0 when all of them fit in one)."""
    total, count = 80.0, 0  # 80: the connectors at both ends of a row
    for depth, _ in ranks:
        total += depth + RANKSEP
        if total > MAX_WIDTH and count:
            break
        count += 1
    return 0 if count == len(ranks) else max(2, count)


@dataclass
class Geometry:
    """Where Graphviz put every node and edge of a layout drawing (points, y up): ``nodes`` maps a
    name to (x, y, width, height), ``edges`` lists each edge's spline and label position in the
    order ``emit`` writes them; ``box`` is the bounding box (x0, y0, x1, y1)."""

    nodes: dict[str, tuple[float, float, float, float]]
    edges: list[tuple[str, str | None]]
    box: tuple[float, float, float, float]
    # a record's fields (x0, y0, x1, y1)
    rects: dict[str, list[tuple[float, ...]]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> Geometry:
        """The geometry of Graphviz's ``-Tjson`` output."""
        import json

        data = json.loads(text)
        nodes, rects = {}, {}
        for item in data.get("objects", []):
            if "pos" in item and "width" in item:
                x, y = map(float, item["pos"].split(","))
                nodes[item["name"]] = (x, y, float(item["width"]) * 72, float(item["height"]) * 72)
                if "rects" in item:
                    rects[item["name"]] = [tuple(map(float, r.split(",")))
                                           for r in item["rects"].split()]
        ordered = sorted(data.get("edges", []), key=lambda e: int(e["order"]))
        edges = [(edge.get("pos", ""), edge.get("lp")) for edge in ordered]
        x0, y0, x1, y1 = map(float, data["bb"].split(","))
        return cls(nodes, edges, (x0, y0, x1, y1), rects)


def emit(drawing: Drawing, digraph: graphviz.Digraph, rankdir: str, per_row: int = 0, *,
         for_layout: bool = False, geometry: Geometry | None = None) -> None:
    """Write ``drawing`` into ``digraph`` laid out in ``rankdir``, wrapped every ``per_row`` ranks.

    ``for_layout``: with the layout texts (see the module docstring). ``geometry``: every node and
    edge pinned where that layout put them, for Graphviz's ``nop2`` engine.
    """
    across = rankdir in ("LR", "RL")
    written = [0]

    def put_node(name: str, attrs: dict[str, Any]) -> None:
        if for_layout:  # the same text whatever the colours: one layout, computed once (picture.py)
            attrs = {key: value for key, value in attrs.items() if key not in LOOKS}
        if geometry is not None and name in geometry.nodes:
            x, y, width, height = geometry.nodes[name]
            attrs = dict(attrs, pos=f"{x:.2f},{y:.2f}!", width=f"{width / 72:.4f}",
                         height=f"{height / 72:.4f}", fixedsize="true")
        digraph.node(name, **attrs)

    def put_edge(tail: str, head: str, attrs: dict[str, Any], index: int | None = None) -> None:
        if for_layout:  # Graphviz lists edges by their tails: ``order`` says which was written when
            attrs = {key: value for key, value in attrs.items() if key not in LOOKS}
            attrs["order"] = str(written[0])
            if index in drawing.layout_labels:
                attrs["label"] = drawing.layout_labels[index]
        if geometry is not None and written[0] < len(geometry.edges):
            pos, label_pos = geometry.edges[written[0]]
            attrs = dict(attrs, pos=pos)
            if attrs.get("label") and label_pos:
                attrs["lp"] = label_pos
            elif "label" in attrs:
                attrs.pop("label")
        written[0] += 1
        digraph.edge(tail, head, **attrs)

    for name, attrs in drawing.nodes.items():
        if name in drawing.fields:
            fields = drawing.layout_fields[name] if for_layout else drawing.fields[name]
            attrs = dict(attrs, label=stacked_record(*fields, across=across))
        put_node(name, attrs)
    # the layout's corners: every picture of it has the same size and origin
    if geometry is not None:
        x0, y0, x1, y1 = geometry.box
        for corner, (x, y) in enumerate([(x0, y0), (x1, y1)]):
            digraph.node(f"corner{corner}", label="", shape="point", style="invis", width="0",
                         height="0", pos=f"{x:.2f},{y:.2f}!")
    if not per_row:
        for index, (tail, head, attrs) in enumerate(drawing.edges):
            put_edge(tail, head, attrs, index)
        # one rank, kept in order by invisible edges between neighbours
        for names in drawing.in_order:
            same = graphviz.Digraph()
            same.attr(rank="same")
            for name in names:
                same.node(name)
            digraph.subgraph(same)
            for a, b in zip(names, names[1:], strict=False):
                put_edge(a, b, {"style": "invis"})
        return
    rank = drawing.ranks()
    last = max(rank.values(), default=0)
    rows = last // per_row if last % per_row < 2 and last >= per_row else last // per_row + 1
    # a last rank or two joins the row above
    row = {name: min(r // per_row, rows - 1) for name, r in rank.items()}
    # column 0: the connectors
    place = {name: r - row[name] * per_row + 1 for name, r in rank.items()}
    connectors: dict[str, str] = {}
    for index, (tail, head, attrs) in enumerate(drawing.edges):
        if row[tail] == row[head]:
            put_edge(tail, head, attrs, index)
            continue
        if tail not in connectors:  # the row ends in a numbered connector ...
            connectors[tail] = str(len(connectors) + 1)
            put_node(f"wrap{connectors[tail]}_out", dict(CONNECTOR, label=connectors[tail]))
            put_edge(tail, f"wrap{connectors[tail]}_out", attrs, index)
        back = f"wrap{connectors[tail]}_in"  # ... and the same number starts the next row
        if back not in row:
            put_node(back, dict(CONNECTOR, label=connectors[tail]))
            row[back], place[back] = row[head], place[head] - 1
        put_edge(back, head, attrs, index)
    column: dict[int, list[str]] = {}
    for name, c in place.items():
        column.setdefault(c, []).append(name)
    for names in column.values():  # one rank per column; rows in order down the page
        same = graphviz.Digraph()
        same.attr(rank="same")
        for name in names:
            same.node(name)
        by_row: dict[int, list[str]] = {}
        for name in names:
            by_row.setdefault(row[name], []).append(name)
        bands = [(r, by_row[r]) for r in sorted(by_row)]
        # each row above the next, a gap between
        for (r, upper), (_, lower) in zip(bands, bands[1:], strict=False):
            gap = f"gap{r}_{place[upper[0]]}"
            put_node(gap, {"label": "", "shape": "point", "style": "invis", "height": "0.3",
                           "width": "0.01"})
            same.node(gap)
            for a in upper:
                put_edge(a, gap, {"style": "invis"})
            for b in lower:
                put_edge(gap, b, {"style": "invis"})
        digraph.subgraph(same)
