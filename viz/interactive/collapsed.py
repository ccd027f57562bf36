"""A big graph opens collapsed in the explorer: its modules' boxes first, every node on "expand".

A network's loss on one example is a hundred nodes and more: the explorer first draws each layer
as one box (``viz.collapse``, level ``"layer"``), a batch's loss at the ``"matrix"`` level (each
layer's W and b one box, each example's layer one box). Backward's steps walk what is drawn, the
boxes and the nodes outside them, in the order backward reaches them; a box expands into the
whole graph, where the steps go on through its nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from autograd import Value

from ..collapse import assign, module_boxes
from ..graph import build_digraph, count_nodes
from ..picture import Picture

COLLAPSE_AT = 60  # a graph of more value nodes than this (with modules to group by) opens collapsed
MAX_GROUPED = 1000  # a graph with modules to group by may be this large (it opens as boxes)


def modules_in(params: Any) -> list[Any]:
    """The nn modules among ``params`` (a module, or a list holding modules and Values)."""
    items = params if isinstance(params, list | tuple) else [params]
    return [item for item in items if not isinstance(item, Value) and hasattr(item, "parameters")]


def collapsed_view(
    order: list[Value],
    root: Value,
    params: Any,
    ids: Mapping[Value, str],
    grad_of: Callable[[Value], float | None],
    *,
    known: set[Value],
    rankdir: str,
    backend: str | None,
) -> dict[str, Any] | None:
    """The collapsed picture and its structure, or None for a graph small enough to show whole.

    ``grad_of(node)``: the gradient the boxes show. Returns ``svg``; ``boxes``: id -> name, kind,
    size, member and output ids; ``order``: the drawn ids in backward's order; ``place``: each
    node id inside a box -> the box's id.
    """
    modules = modules_in(params)
    if not modules or len(order) <= COLLAPSE_AT:
        return None
    level = "matrix"  # each layer one box, its W and b one box each: no crowd of parameters
    boxes = module_boxes(order, modules, level)
    placement = assign(boxes)
    boxes = [box for box in boxes if any(placement.get(node) is box for node in box.members)]
    if not boxes:
        return None
    box_ids = {id(box): f"box{j}" for j, box in enumerate(boxes)}  # as build_digraph names them
    digraph = build_digraph(
        order,
        [root],
        rankdir=rankdir,
        params=known,
        boxes=boxes,
        placement=placement,
        legend=False,
        grad_of=grad_of,
        backend=backend,
    )
    svg = Picture(
        digraph, node_count=count_nodes(order, placement, boxes), backend=backend
    ).to_svg()
    position = {node: i for i, node in enumerate(order)}
    item = {node: box_ids[id(placement[node])] if node in placement else ids[node]
            for node in order}
    # backward reaches a drawn item (a box, a node outside the boxes) at its latest operation; a
    # leaf, or a box of leaves (W, b), just after the items that read it (after the layer it feeds)
    drawn: dict[str, float] = {}
    for node in order:
        if node.op:
            drawn[item[node]] = max(drawn.get(item[node], -1.0), position[node])
    readers: dict[Value, list[str]] = {}
    for node in order:
        for parent in node.parents:
            readers.setdefault(parent, []).append(item[node])
    for node in order:
        if not node.op:
            read_at = [drawn[reader] for reader in readers.get(node, [])]
            reached = min(read_at, default=position[node] + 0.5) - 0.5
            drawn[item[node]] = min(drawn.get(item[node], reached), reached)
    described = {}
    for box in boxes:
        inside = [node for node in order if placement.get(node) is box]
        outputs = [node for node in box.outputs if node in position]
        described[box_ids[id(box)]] = {
            "id": box_ids[id(box)],
            "name": box.name,
            "kind": box.kind,
            "size": len(inside),
            "members": [ids[node] for node in inside],
            "outputs": [ids[node] for node in outputs],
        }
    return {
        "svg": svg,
        "boxes": described,
        "level": level,
        "order": sorted(drawn, key=drawn.__getitem__, reverse=True),
        "place": {
            ids[node]: box_ids[id(box)] for node, box in placement.items() if node in position
        },
    }
