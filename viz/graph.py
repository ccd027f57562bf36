"""``draw_dot``: the computation graph of a Value, with every node's data and gradient.

Each Value is a record ``label | data | grad`` (four decimals, as in micrograd's pictures); the
operation that made it is a small ellipse in front of it, and a plain number in the formula
(the 2 in ``x * 2``, an alpha) a small dashed box. For an operation whose inputs play
different parts (``a - b``, ``a / b``, ``a ** b``) the ellipse shows the formula and the edges
say which input is ``a`` and which is ``b`` (``c`` for the number).

Node ids are positions in the topological order, and nodes are written in that order, so the
same graph always gives the same DOT text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import graphviz

from autograd import Value, topological_order

from .chain import grad_value, local_grads, number, op_text
from .collapse import Box, assign, module_boxes, parameters_of
from .labels import plain, record_field
from .layout import Drawing, choose, emit
from .picture import Picture
from .rendering import svg_size
from .style import (
    BOX_STYLE,
    CONSTANT_STYLE,
    DARK_FILLS,
    EDGE_ATTR,
    GRAPH_ATTR,
    HIGHLIGHT,
    NODE_ATTR,
    OP_STYLE,
    VALUE_KINDS,
    GradScale,
    add_legend,
    value_style,
)

RANKDIRS = ("auto", "LR", "TB", "RL", "BT")
LEGEND_MIN_NODES = 10  # smaller pictures explain themselves: no legend unless asked for
MAX_NODES = 2000

ALPHA_OPS = ("leaky_relu", "elu")

GradOf = Callable[[Value], "float | None"]


def draw_dot(root: Value | Iterable[Value], rankdir: str = "auto", *, params: Any = None, collapse: Any = None,
             collapse_level: str = "layer", example: int | None = None, shade_grad: bool = False,
             legend: bool | None = None, local_grads: bool = False, hide: str | Iterable[str] | None = None,
             scale: float = 1.0, max_nodes: int = MAX_NODES, backend: str | None = None) -> Picture:
    """Draw the graph that computed ``root`` (a Value, or several) with every node's data and grad.

    rankdir         ``"auto"`` (left to right unless that is too wide: then top to bottom, or a long
                    chain wrapped into rows, see viz.layout), or ``"LR"``, ``"TB"``, ``"RL"``, ``"BT"``.
    params          Values or nn modules whose leaves are drawn as parameters; other leaves are inputs.
    collapse        a Neuron, Layer or MLP (or a list): each neuron's / layer's nodes become one box.
    collapse_level  for a Layer or an MLP: one box per ``"layer"`` (per example) or per ``"neuron"``.
    shade_grad      fill value nodes by |grad| on a log scale, to spot vanishing gradients (D4).
    local_grads     label each edge into an operation with the local derivative d(out)/d(input) at
                    the recorded numbers (``∂/∂a = 2.0000``), from the engine's rule table.
    hide            ``"grad"`` draws ``grad ?`` everywhere (an exercise: check with ``viz.check_grads``);
                    ``"data"`` hides the data; ``("data", "grad")`` both.
    legend          a one-row legend under the picture; by default only for 10 nodes or more (or shading).
    scale           draw the picture this many times its natural size (Jupyter shows it unscaled).
    max_nodes       above this many nodes the picture is a message saying how to shrink the graph.
    backend         ``"dot"``, ``"wasm"`` or None (auto, see viz.render).
    """
    roots = _as_roots(root)
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    order = topological_order(roots)
    boxes = module_boxes(order, collapse, collapse_level) if collapse is not None else []
    placement = assign(boxes)
    boxes = [box for box in boxes if any(placement.get(node) is box for node in box.members)]  # not all nested away
    size = count_nodes(order, placement, boxes)
    if size > max_nodes:
        return Picture(summary(size, max_nodes), node_count=size, summarised=True, backend=backend, scale=scale)
    known = set(parameters_of(params)) | set(parameters_of(collapse))
    hidden = _hidden(hide)
    grad_of = (lambda node: None) if "grad" in hidden else grad_value
    build = lambda with_legend: build_digraph(order, roots, rankdir=rankdir, params=known, boxes=boxes,
                                              placement=placement, shade_grad=shade_grad, legend=with_legend,
                                              grad_of=grad_of, local_grad_labels=local_grads,
                                              hide_data="data" in hidden, backend=backend)
    if legend is None:
        legend = size >= LEGEND_MIN_NODES or shade_grad
    alternative = lambda: build(not legend)  # for the WebAssembly Graphviz bug, see Picture.to_svg
    return Picture(build(legend), node_count=size, backend=backend, alternative=alternative, scale=scale)


def count_nodes(order: list[Value], placement: dict[Value, Box], boxes: list[Box]) -> int:
    """How many Graphviz nodes the picture needs: values, their operations and constants, and boxes."""
    drawn = [node for node in order if node not in placement]
    return len(drawn) + sum(1 for n in drawn if n.op) + sum(1 for n in drawn if n.constant is not None) + len(boxes)


def summary(size: int, limit: int) -> graphviz.Digraph:
    """A one-node picture explaining that the graph is too large, and what to do about it."""
    digraph = graphviz.Digraph("summary", graph_attr=GRAPH_ATTR, node_attr=NODE_ATTR)
    text = (
        f"This graph has {size:,} nodes, more than the limit of {limit:,},\n"
        "too many for Graphviz to lay out readably (or quickly).\n"
        "Collapse modules: draw_dot(loss, collapse=model),\n"
        "draw the graph of one example instead of a whole batch,\n"
        f"or raise the limit: draw_dot(..., max_nodes={size})."
    )
    digraph.node("summary", label=plain(text), shape="note", style="filled", fillcolor="#fff8e1")
    return digraph


def build_digraph(order: list[Value], roots: list[Value], *, rankdir: str = "LR", params: set[Value] | None = None,
                  boxes: list[Box] | None = None, placement: dict[Value, Box] | None = None,
                  shade_grad: bool = False, legend: bool = True, grad_of: GradOf = grad_value,
                  highlight: Value | None = None, title: str = "", local_grad_labels: bool = False,
                  hide_data: bool = False, backend: str | None = None) -> graphviz.Digraph:
    """The ``graphviz.Digraph`` of a graph in topological ``order`` (see ``draw_dot``).

    ``grad_of`` gives the gradient to show (None shows ``grad ?``: not computed yet), and
    ``highlight`` a node drawn with a red border whose edges to its uses are red and labelled with
    the chain rule's terms ``dL/d(use) x d(use)/d(node)`` (``backprop_steps``). With
    ``local_grad_labels`` every edge into an operation says the local derivative d(out)/d(input).
    ``rankdir="auto"`` lays the graph out with ``backend`` to choose (see viz.layout).
    """
    params, boxes, placement = params or set(), boxes or [], placement or {}
    index = {node: i for i, node in enumerate(order)}
    box_id = {id(box): f"box{j}" for j, box in enumerate(boxes)}
    roots_set = set(roots)

    def drawn(node: Value) -> str:
        box = placement.get(node)
        return box_id[id(box)] if box is not None else f"v{index[node]}"

    drawing = Drawing()

    def measure(direction: str, per_row: int) -> tuple[float, float] | None:
        trial = graphviz.Digraph(graph_attr=dict(GRAPH_ATTR, rankdir=direction), node_attr=NODE_ATTR,
                                 edge_attr=EDGE_ATTR)
        emit(drawing, trial, direction, per_row)
        return svg_size(trial.source, backend)
    shown = [node for node in order if node not in placement]
    shown_grads = [grad_of(n) for n in shown] + [grad_of(box.outputs[0]) for box in boxes if box.kind == "neuron"]
    scale = GradScale([g for g in shown_grads if g is not None]) if shade_grad else None
    kinds_found: set[str] = set()
    box_edges: set[tuple[str, str]] = set()

    for node in shown:
        name = drawn(node)
        kind = _kind(node, roots_set, params)
        kinds_found.add(kind)
        fields = ([record_field(node.label)] if node.label else [], _numbers(node, grad_of, hide_data))
        g = grad_of(node)
        style = value_style(kind, scale.colour(g) if scale is not None and g is not None else None)
        if node is highlight:
            style.update(color=HIGHLIGHT, penwidth="3")
        drawing.node(name, fields=fields, **style)
        if not node.op:
            continue
        text, x_role, y_role = op_text(node)
        reads_highlight = highlight is not None and highlight in node.parents
        red = {"color": HIGHLIGHT, "penwidth": "2"} if reads_highlight else {}
        drawing.node(f"{name}_op", label=plain(text), **OP_STYLE)
        drawing.edge(f"{name}_op", name, **red)
        locals_ = local_grads(node) if local_grad_labels or reads_highlight else ()
        for i, (parent, role) in enumerate(zip(node.parents, (x_role, y_role), strict=False)):
            tail = drawn(parent)
            if parent in placement:
                if (tail, f"{name}_op") in box_edges:
                    continue
                box_edges.add((tail, f"{name}_op"))
            label = role
            if reads_highlight and parent is highlight:  # the chain rule's term this use passes back
                upstream = grad_of(node)
                label = f"{number(upstream) if upstream is not None else '?'} x {number(locals_[i])}"
            elif local_grad_labels:
                label = local_label(parent.label or role, locals_[i])
            style = dict(red) if parent is highlight else {}
            drawing.edge(tail, f"{name}_op", **({"label": plain(label)} if label else {}), **style)
        if node.constant is not None:
            prefix = "alpha = " if node.op in ALPHA_OPS else ""
            drawing.node(f"{name}_c", label=plain(f"{prefix}{node.constant:.6g}"), **CONSTANT_STYLE)
            drawing.edge(f"{name}_c", f"{name}_op", **({"label": y_role} if y_role else {}))

    for box in boxes:
        name = box_id[id(box)]
        inside = sorted((n for n in box.members if placement.get(n) is box), key=index.__getitem__)
        what = f"{box.kind}, {len(inside)} nodes" if box.kind == "neuron" else (
            f"layer: {len(box.outputs)} neuron{'s' if len(box.outputs) > 1 else ''}, {len(inside)} nodes")
        stacked = [record_field(what)] + (_numbers(box.outputs[0], grad_of) if box.kind == "neuron" else [])
        style = dict(BOX_STYLE)
        g = grad_of(box.outputs[0])
        if scale is not None and box.kind == "neuron" and g is not None:
            style["fillcolor"] = scale.colour(g)
            if style["fillcolor"] in DARK_FILLS:  # as value_style: white text on the darkest reds
                style["fontcolor"] = "white"
        drawing.node(name, fields=([record_field(box.name)], stacked), **style)
        for node in inside:
            for parent in node.parents:
                tail = drawn(parent)
                if tail != name and (tail, name) not in box_edges:
                    box_edges.add((tail, name))
                    drawing.edge(tail, name)

    rankdir, per_row = choose(drawing, rankdir, measure)
    graph_attr = dict(GRAPH_ATTR, rankdir=rankdir)
    if title:
        graph_attr.update(label=plain(title), labelloc="t", fontsize="13")
    digraph = graphviz.Digraph("computation", graph_attr=graph_attr, node_attr=NODE_ATTR, edge_attr=EDGE_ATTR)
    if legend:  # declared before the graph, so that dot puts the row under it
        kinds = [k for k in VALUE_KINDS if k in kinds_found]
        constants = any(node.constant is not None for node in shown)
        add_legend(digraph, kinds, constants=constants, boxes=bool(boxes), scale=scale, rankdir=rankdir,
                   below=drawn(roots[0]))
    emit(drawing, digraph, rankdir, per_row)
    return digraph


def _numbers(node: Value, grad_of: GradOf, hide_data: bool = False) -> list[str]:
    g = grad_of(node)
    return ["data ?" if hide_data else f"data {number(node.data)}", "grad ?" if g is None else f"grad {number(g)}"]


def local_label(name: str, local: float) -> str:
    """An edge's local derivative: ``∂/∂a = 2.0000`` (``local 2.0000`` for an input with no name)."""
    return f"\u2202/\u2202{name} = {number(local)}" if name else f"local {number(local)}"


def _hidden(hide: Any) -> set[str]:
    hidden = {hide} if isinstance(hide, str) else set(hide or ())
    unknown = hidden - {"grad", "data"}
    if unknown:
        raise ValueError(f"draw_dot: hide must be 'grad', 'data' or both, got {sorted(map(str, unknown))}")
    return hidden


def _kind(node: Value, roots: set[Value], params: set[Value]) -> str:
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
            f"draw_dot: root must be a Value or a non-empty list of Values, got {type(root).__name__}: {root!r:.60}"
        )
    return roots
