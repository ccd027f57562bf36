"""``draw_dot``: the computation graph of a Value, with every node's data and gradient.

Each Value is a record: its name (its label, else ``v1``, ``v2``, ... in forward order, see
``viz.chain.node_names``), then its data over its grad (four decimals, as in micrograd's pictures);
the operation that made it is a small ellipse in front of it showing the operation (``+``,
``\u00d7``, ``/``, ``^``, ``tanh``), and a plain number in the formula (the 2 in ``x * 2``, an
alpha) a small dashed box. For an operation whose inputs play different parts the edges say which
part (``numerator``, ``denominator``; ``base``, ``exponent``). The chain rule's numbers come from
``viz.chain``; the direction of the layout from ``viz.layout``.

Node ids are positions in the topological order, and nodes are written in that order, so the
same graph always gives the same DOT text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import graphviz
from graphviz import nohtml

from autograd import Value, topological_order

from .boxes import HeatMap, box_fields
from .chain import (
    constant_prefix,
    constant_role,
    grad_value,
    input_roles,
    local_grads,
    local_label,
    node_name,
    node_names,
    number,
    op_text,
    term_label,
)
from .collapse import Box, assign, module_boxes, one_example, parameters_of
from .escape import plain, record_field, xml_safe
from .layout import NUMBER_ROOM, Drawing, choose, emit
from .picture import Picture
from .rendering import svg_size
from .style import (
    CONSTANT_STYLE,
    DARK_FILLS,
    EDGE_ATTR,
    GRAPH_ATTR,
    HIGHLIGHT,
    NODE_ATTR,
    OP_STYLE,
    VALUE_KINDS,
    GradScale,
    legend_graph,
    value_style,
)

RANKDIRS = ("auto", "LR", "TB", "RL", "BT")
LEGEND_MIN_NODES = 10  # smaller pictures explain themselves: no legend unless asked for
MAX_NODES = 2000

GradOf = Callable[[Value], "float | None"]


def draw_dot(root: Value | Iterable[Value], rankdir: str = "auto", *, params: Any = None,
             collapse: Any = None, collapse_level: str = "layer", example: int | None = None,
             shade_grad: bool = False, legend: bool | None = None, local_grads: bool = False,
             hide: str | Iterable[str] | None = None, scale: float = 1.0,
             max_nodes: int = MAX_NODES, backend: str | None = None) -> Picture:
    """Draw the graph that computed ``root`` (a Value, or several) with every node's data and grad.

    Every picture of one graph (with any of ``local_grads``, ``hide``, ``shade_grad``, and each
    frame of ``backprop_steps``) puts each node at the same place: the layout comes from the graph
    alone.

    rankdir         ``"auto"`` (left to right unless that is too wide: then top to bottom, or a long
                    chain wrapped into rows, see viz.layout), or ``"LR"``, ``"TB"``, ``"RL"``,
                    ``"BT"``.
    params          Values or nn modules whose leaves are drawn as parameters; other leaves are
                    inputs.
    collapse        a Neuron, Layer or MLP (or a list): each neuron's / layer's nodes become one
                    box.
    collapse_level  for a Layer or an MLP: one box per ``"layer"`` (per example) or per
                    ``"neuron"``; ``"matrix"``: per layer and example (in index order), with each
                    layer's weights one box ``W (4 x 2)`` and its biases one box ``b (4)`` (sum of
                    |grad| and a heat map of each entry's gradient, the value as tooltip), each
                    example's loss term one box and the batch sum one box.
    example         with ``collapse=model``: draw a batch's graph for example ``example`` only.
    shade_grad      fill value nodes by |grad| on a log scale, to spot vanishing gradients (D4).
    local_grads     label each edge into an operation with the local derivative d(out)/d(input) at
                    the recorded numbers (``dy/dx = 2.0000``, with the nodes' names), from the
                    engine's rule table.
    hide            ``"grad"`` draws ``grad ?`` everywhere (an exercise: check with
                    ``viz.check_grads``); ``"data"`` hides the data; ``("data", "grad")`` both.
    legend          a one-row legend under the picture; by default only for 10 nodes or more (or
                    shading).
    scale           draw the picture this many times its natural size (Jupyter shows it unscaled).
    max_nodes       above this many nodes the picture is a message saying how to shrink the graph.
    backend         ``"dot"``, ``"wasm"`` or None (auto, see viz.render).
    """
    roots = _as_roots(root)
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    order = topological_order(roots)
    elsewhere = ""
    if example is not None:
        if collapse is None:
            raise ValueError("draw_dot: example= needs collapse=model, the model whose examples "
                             "the batch holds")
        order, examples = one_example(order, collapse, example)
        plural = "s" if examples > 2 else ""
        elsewhere = f"the other {examples - 1} example{plural}\n(example={example} is drawn)"
    boxes = module_boxes(order, collapse, collapse_level) if collapse is not None else []
    placement = assign(boxes)
    # not all nested away
    boxes = [box for box in boxes if any(placement.get(node) is box for node in box.members)]
    size = count_nodes(order, placement, boxes)
    if size > max_nodes:
        return Picture(summary(size, max_nodes), node_count=size, summarised=True,
                       backend=backend, scale=scale)
    known = set(parameters_of(params)) | set(parameters_of(collapse))
    hidden = _hidden(hide)
    grad_of = (lambda node: None) if "grad" in hidden else grad_value
    if legend is None:
        legend = size >= LEGEND_MIN_NODES or shade_grad
    digraph = build_digraph(order, roots, rankdir=rankdir, params=known, boxes=boxes,
                            placement=placement, shade_grad=shade_grad, legend=legend,
                            grad_of=grad_of, local_grad_labels=local_grads,
                            hide_data="data" in hidden, backend=backend, elsewhere=elsewhere)
    return Picture(digraph, node_count=size, backend=backend, scale=scale)


def count_nodes(order: list[Value], placement: dict[Value, Box], boxes: list[Box]) -> int:
    """How many Graphviz nodes the picture needs: values, their operations and constants, and
    boxes."""
    drawn = [node for node in order if node not in placement]
    operations = sum(1 for n in drawn if n.op)
    constants = sum(1 for n in drawn if n.constant is not None)
    return len(drawn) + operations + constants + len(boxes)


def summary(size: int, limit: int) -> graphviz.Digraph:
    """A one-node picture explaining that the graph is too large, and what to do about it."""
    digraph = graphviz.Digraph("summary", graph_attr=GRAPH_ATTR, node_attr=NODE_ATTR)
    text = (
        f"This graph has {size:,} nodes, more than the limit of {limit:,},\n"
        "too many for Graphviz to lay out readably (or quickly).\n"
        "Collapse the model: draw_dot(loss, collapse=model, collapse_level=\"matrix\"),\n"
        "draw one example of a batch: draw_dot(loss, collapse=model, example=0),\n"
        f"or raise the limit: draw_dot(..., max_nodes={size})."
    )
    digraph.node("summary", label=plain(text), shape="note", style="filled", fillcolor="#fff8e1",
                 margin="0.2,0.1")
    return digraph


def build_digraph(order: list[Value], roots: list[Value], *, rankdir: str = "LR",
                  params: set[Value] | None = None, boxes: list[Box] | None = None,
                  placement: dict[Value, Box] | None = None,
                  shade_grad: bool = False, legend: bool = True, grad_of: GradOf = grad_value,
                  highlight: Value | None = None, title: str = "", local_grad_labels: bool = False,
                  hide_data: bool = False, backend: str | None = None, elsewhere: str = "",
                  layout: tuple[str, int] | None = None,
                  layout_grad_of: GradOf = grad_value) -> graphviz.Digraph:
    """The ``graphviz.Digraph`` of a graph in topological ``order`` (see ``draw_dot``); its
    ``legend_graph`` is the legend (a second graph, one row, that ``Picture`` draws under it) or
    None.

    ``grad_of`` gives the gradient to show (None shows ``grad ?``: not computed yet), and
    ``highlight`` a node drawn with a red border whose edges to its uses are red and labelled with
    the chain rule's terms ``dL/d(use) x d(use)/d(node)`` (``backprop_steps``). With
    ``local_grad_labels`` every edge into an operation says the local derivative d(out)/d(input).
    ``rankdir="auto"`` lays the graph out with ``backend`` to choose (see viz.layout), unless
    ``layout`` gives the choice, ``(rankdir, ranks per row)``, as ``digraph.layout`` tells it. An
    input that is not in ``order`` is drawn as one note saying ``elsewhere`` (the other examples of
    a batch).

    Every picture of the same graph has one layout (viz.layout): ``digraph.layout_source`` is the
    DOT text it is laid out from (numbers as wide as ``layout_grad_of``'s gradients or wider, every
    edge with room for the chain rule's term), and ``digraph.pinned(geometry)`` the picture drawn at
    the places Graphviz gave that layout. ``title`` is ``digraph.caption``, for ``Picture`` to draw
    above.
    """
    params, boxes, placement = params or set(), boxes or [], placement or {}
    index = {node: i for i, node in enumerate(order)}
    box_id = {id(box): f"box{j}" for j, box in enumerate(boxes)}
    roots_set = set(roots)
    names = node_names(order)
    # an input drawn elsewhere: described
    name_of = lambda node: names.get(node) or node_name(node)

    def drawn(node: Value) -> str:
        box = placement.get(node)
        if box is not None:
            return box_id[id(box)]
        if node in index:
            return f"v{index[node]}"
        if "elsewhere" not in drawing.nodes:
            drawing.node("elsewhere", label=plain(elsewhere or "not drawn"), shape="note",
                         style="filled", fillcolor="#f5f5f5", color="#999999", fontcolor="#555555")
        return "elsewhere"

    drawing = Drawing()

    def measure(direction: str, per_row: int) -> tuple[float, float] | None:
        trial = graphviz.Digraph(graph_attr=dict(GRAPH_ATTR, rankdir=direction),
                                 node_attr=NODE_ATTR, edge_attr=EDGE_ATTR)
        emit(drawing, trial, direction, per_row, for_layout=True)
        return svg_size(trial.source, backend)
    shown = [node for node in order if node not in placement]
    neurons = [box.outputs[0] for box in boxes if box.kind == "neuron"]
    shown_grads = [grad_of(n) for n in shown + neurons]
    known_grads = [g for g in shown_grads if g is not None]
    # no gradient shown: nothing to shade
    scale = GradScale(known_grads) if shade_grad and known_grads else None
    kinds_found: set[str] = set()
    heat_maps: dict[str, HeatMap] = {}
    box_edges: set[tuple[str, str]] = set()

    for node in shown:
        name = drawn(node)
        kind = node_kind(node, roots_set, params)
        kinds_found.add(kind)
        fields = ([record_field(wrap_name(names[node]))], _numbers(node, grad_of, hide_data))
        room = [f"{what} {_room(x)}"
                for what, x in (("data", node.data), ("grad", layout_grad_of(node)))]
        g = grad_of(node)
        style = value_style(kind, scale.colour(g) if scale is not None and g is not None else None)
        if node is highlight:
            style.update(color=HIGHLIGHT, penwidth="3")
        drawing.node(name, fields=fields, layout_fields=(fields[0], room),
                     tooltip=_tip(names[node]), **style)
        if not node.op:
            continue
        reads_highlight = highlight is not None and highlight in node.parents
        red = {"color": HIGHLIGHT, "penwidth": "2"} if reads_highlight else {}
        drawing.node(f"{name}_op", label=plain(op_text(node)),
                     tooltip=_tip(f"{op_text(node)}: makes {names[node]}"), **OP_STYLE)
        drawing.edge(f"{name}_op", name, tooltip=_tip(f"{op_text(node)} \u2192 {names[node]}"),
                     **red)
        locals_ = local_grads(node) if local_grad_labels or reads_highlight else ()
        for i, (parent, role) in enumerate(zip(node.parents, input_roles(node), strict=True)):
            tail = drawn(parent)
            if parent in placement:
                if (tail, f"{name}_op") in box_edges:
                    continue
                box_edges.add((tail, f"{name}_op"))
            label = role
            if reads_highlight and parent is highlight:  # the term this use passes back
                label = term_label(names[roots[0]], names[node], name_of(parent), grad_of(node),
                                   locals_[i])
            elif local_grad_labels:
                label = local_label(names[node], name_of(parent), locals_[i]).replace(" = ", "\n= ")
            style = dict(red) if parent is highlight else {}
            short = [name[:ROOM_NAME] for name in (names[roots[0]], names[node], name_of(parent))]
            if boxes:  # a collapsed picture is never a backprop frame: room for a local derivative
                most = local_label(*short[1:], 0.0).replace(" = 0.0000", f"\n= {ROOM_SIGNED}")
            else:  # the room a frame's label needs, about
                most = term_label(*short, ROOM_SIGNED, ROOM_SIGNED)
            path = f"{name_of(parent)} \u2192 {op_text(node)} \u2192 {names[node]}"
            style["tooltip"] = _tip(path)
            labelled = {"label": plain(label)} if label else {}
            drawing.edge(tail, f"{name}_op", layout_label=plain(most), **labelled, **style)
        if node.constant is not None:
            text = f"{constant_prefix(node)}{node.constant:.6g}"
            drawing.node(f"{name}_c", label=plain(text), tooltip=_tip(f"{node.constant:.6g}"),
                         **CONSTANT_STYLE)
            role = constant_role(node)
            tip = _tip(f"{node.constant:.6g} \u2192 {op_text(node)}")
            drawing.edge(f"{name}_c", f"{name}_op", tooltip=tip,
                         **({"label": role} if role else {}))

    for box in boxes:
        name = box_id[id(box)]
        inside = sorted((n for n in box.members if placement.get(n) is box), key=index.__getitem__)
        head, stacked, style, heat = box_fields(box, inside, grad_of,
                                                lambda v: _numbers(v, grad_of), wrap_name)
        if heat is not None:
            heat_maps[name] = heat
        if box.kind == "matrix":
            kinds_found.add("parameter")
        g = grad_of(box.outputs[0])
        if scale is not None and box.kind in ("neuron", "term") and g is not None:
            style["fillcolor"] = scale.colour(g)
            if style["fillcolor"] in DARK_FILLS:  # as value_style: white text on the darkest reds
                style["fontcolor"] = "white"
        # numbers and ? laid out with the same room
        room = [re.sub(r"(?<= )(\?|-?[0-9][0-9.e+-]*)$",
                       lambda m: _room(None) if len(m.group()) <= len(NUMBER_ROOM) else m.group(),
                       text) for text in stacked]
        drawing.node(name, fields=(head, stacked), layout_fields=(head, room), **style)
        for node in inside:
            for parent in node.parents:
                tail = drawn(parent)
                if tail != name and (tail, name) not in box_edges:
                    box_edges.add((tail, name))
                    between_layers = (box.kind == "layer"
                                      and getattr(placement.get(parent), "kind", "") == "layer")
                    # room for W, b
                    drawing.edge(tail, name, **({"minlen": "2"} if between_layers else {}))

    # a layer's (or the loss terms') boxes, one per example, in index order
    examples: dict[str, list[str]] = {}
    for box in boxes:
        family, _, k = box.name.rpartition(" [")
        if family and k.rstrip("]").isdigit():
            examples.setdefault(family, []).append(box_id[id(box)])
    drawing.in_order = [names for names in examples.values() if len(names) > 1]
    rankdir, per_row = layout or choose(drawing, rankdir, measure)

    def graph(**how: Any) -> graphviz.Digraph:
        drawn = graphviz.Digraph("computation", graph_attr=dict(GRAPH_ATTR, rankdir=rankdir),
                                 node_attr=NODE_ATTR, edge_attr=EDGE_ATTR)
        emit(drawing, drawn, rankdir, per_row, **how)
        return drawn

    digraph = graph()
    digraph.layout = (rankdir, per_row)
    digraph.layout_source = graph(for_layout=True).source
    digraph.pinned = lambda geometry: graph(geometry=geometry)
    digraph.caption = title
    digraph.heat_maps = heat_maps
    digraph.legend_graph = None
    if legend:
        kinds = [k for k in VALUE_KINDS if k in kinds_found]
        constants = any(node.constant is not None for node in shown)
        digraph.legend_graph = legend_graph(kinds, constants=constants, boxes=bool(boxes),
                                            scale=scale, zero=0.0 in known_grads)
    return digraph


def _numbers(node: Value, grad_of: GradOf, hide_data: bool = False) -> list[str]:
    g = grad_of(node)
    return ["data ?" if hide_data else f"data {number(node.data)}",
            "grad ?" if g is None else f"grad {number(g)}"]


ROOM_NAME = 6
"""Characters of each name an edge's label is laid out with (longer ones reach past it)."""
ROOM_SIGNED = "(-0.0000)"
NAME_LINE = 10
"""Characters a name's line holds before it breaks after a dot (layers.0. / neurons.1.w0)."""


def wrap_name(name: str, width: int = NAME_LINE) -> str:
    """A long dotted name on lines of about ``width`` characters, broken after a dot that a word
    follows (``layers.0.`` / ``neurons.1.`` / ``w0``; never ``layers.`` / ``0 [2]``)."""
    if len(name) <= width:
        return name
    lines = [""]
    # after a dot, before a word: layers.0. / neurons.1.
    for piece in re.split(r"(?<=\.)(?=[A-Za-z_])", name):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(lines)


def _tip(text: str) -> str:
    """A hover text (Graphviz ``tooltip``): the names, not Graphviz's own node ids (``v13``)."""
    return nohtml(xml_safe(text).replace("\\", "\\\\"))


def _room(x: float | None) -> str:
    """The text a number is laid out with: ``NUMBER_ROOM``, or the number when it is wider."""
    text = number(x) if x is not None else ""
    return text if len(text) > len(NUMBER_ROOM) else NUMBER_ROOM


def _hidden(hide: Any) -> set[str]:
    hidden = {hide} if isinstance(hide, str) else set(hide or ())
    unknown = hidden - {"grad", "data"}
    if unknown:
        raise ValueError("draw_dot: hide must be 'grad', 'data' or both, got "
                         f"{sorted(map(str, unknown))}")
    return hidden


def node_kind(node: Value, roots: set[Value], params: set[Value]) -> str:
    if node in roots:
        return "output"
    if node.op:
        return "intermediate"
    return "parameter" if node in params else "input"


def _as_roots(root: Any) -> list[Value]:
    if isinstance(root, Value):
        return [root]
    try:
        roots = list(root)
    except TypeError:
        roots = None
    if not roots or not all(isinstance(r, Value) for r in roots):
        raise TypeError(
            "draw_dot: root must be a Value or a non-empty list of Values, got "
            f"{type(root).__name__}: {root!r:.60}"
        )
    return roots
