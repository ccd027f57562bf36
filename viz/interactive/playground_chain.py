"""The chain rule behind a neuron or a weight of the playground: its graph, from the loss backward.

For training example k the loss is l_k = (f(x_k) - t_k)^2. ``loss_graph`` records l_k with the
clicked neuron, and every layer after it, computed from the model's own parameters; the layer's
inputs and its other neurons are leaves holding their numbers (they do not depend on the neuron,
so every gradient on the graph is still the true dl_k/d(node)). Backward starts at l_k, so the
numbers shown are the ones the optimiser uses, and the explorer's panel explains each of them.

The optimiser uses the gradient of the whole training loss, L = (1/N) sum_k l_k + penalty; for a
weight, ``weight_gradients`` gives that next to this example's share, (1/N) dl_k/dw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Value, topological_order

from ..graph import build_digraph
from ..picture import Picture
from .graph_data import MAX_NODES, graph_data, node_ids
from .playground_session import Session


def loss_graph(session: Session, example: int, layer: int, index: int) -> tuple[Value, list[Value]]:
    """(l_k, the parameters in its graph) for training example ``example``, neuron (layer, j)."""
    layers = session.model.layers
    if not 0 <= layer < len(layers) or not 0 <= index < layers[layer].nout:
        raise ValueError(f"playground: no neuron ({layer}, {index}) in this network")
    if not 0 <= example < len(session.train_rows):
        raise ValueError(
            f"playground: no training example {example} (there are {len(session.train_rows)})"
        )
    row = session.train_rows[example]
    before = session.activations(session.F[row : row + 1])
    names = session.settings.features if layer == 0 else [n.name for n in layers[layer - 1].neurons]
    inputs = [Value(float(v), label=name) for v, name in zip(before[layer][0], names)]
    clicked = layers[layer].neurons[index]
    outputs = [
        clicked.forward(inputs) if j == index else Value(float(v), label=n.name)
        for j, (v, n) in enumerate(zip(before[layer + 1][0], layers[layer].neurons))
    ]
    params = list(clicked.parameters())
    for later in layers[layer + 1 :]:
        outputs = later.forward(outputs)
        params += later.parameters()
    target = Value(float(session.t[row]), label="t")
    loss = (outputs[0] - target) ** 2
    loss.label = "loss"
    return loss, params


def weight_gradients(session: Session, example: int, weight: Value) -> dict[str, float]:
    """dL/dw of the whole training loss (mean over the N training points, plus the penalty) and this
    example's share of it, (1/N) dl_k/dw."""
    everything = session.batch_loss(session.train_rows)
    (total,) = autograd.gradients(everything, [weight])
    layer, index = _owner(session, weight)
    loss, _ = loss_graph(session, example, layer, index)
    (mine,) = autograd.gradients(loss, [weight])
    return {"batch": float(total), "example": float(mine) / len(session.train_rows)}


def chain_view(
    session: Session, example: int, selected: dict[str, Any], svg: bool = True
) -> dict[str, Any]:
    """What the page shows for a click: the explorer's data and SVG of ``loss_graph``, the node to
    select, and for a weight its gradients. ``selected``: {"kind": "neuron", "layer", "index"} or
    {"kind": "weight", "layer", "index", "input"} (the input's position; nin is the bias)."""
    layer, index = int(selected["layer"]), int(selected["index"])
    loss, params = loss_graph(session, example, layer, index)
    neuron = session.model.layers[layer].neurons[index]
    if selected.get("kind") == "weight":
        position = int(selected["input"])
        if not 0 <= position <= neuron.nin:
            raise ValueError(f"playground: neuron ({layer}, {index}) has no input {position}")
        focus = neuron.w[position] if position < neuron.nin else neuron.b
    else:
        focus = None
    order = topological_order(loss)
    if len(order) > MAX_NODES:
        raise ValueError(
            f"playground: the graph from {neuron.name} to the loss has {len(order)} nodes, "
            f"more than {MAX_NODES} to draw; click a neuron nearer the output, or use fewer neurons"
        )
    data = graph_data(loss, params=params, order=order)
    ids = node_ids(order)
    if focus is None:
        focus = next(node for node in order if node.label == neuron.name and node.op)
    view = {
        "graph": data,
        "focus": ids[focus],
        "focusName": focus.label,
        "example": example,
        "row": int(session.train_rows[example]),
        "layer": layer,
        "index": index,
        "kind": selected.get("kind", "neuron"),
    }
    if svg:  # the layout: drawn once per selection; later frames change only the numbers
        grads = {node: data["nodes"][ids[node]]["grad"] for node in order}
        digraph = build_digraph(
            order, [loss], params=set(params), legend=False, grad_of=grads.get, highlight=focus
        )
        view["svg"] = Picture(digraph, node_count=len(order)).to_svg()
    if selected.get("kind") == "weight":
        view["gradients"] = weight_gradients(session, example, focus)
    return view


def _owner(session: Session, weight: Value) -> tuple[int, int]:
    for l, layer in enumerate(session.model.layers):
        for j, neuron in enumerate(layer.neurons):
            if any(weight is p for p in neuron.parameters()):
                return l, j
    raise ValueError("playground: that Value is not a parameter of the network")


def nearest_example(session: Session, x1: float, x2: float) -> int:
    """The training example nearest the point (x1, x2) (a click on the plane picks it)."""
    points = session.X[session.train_rows]
    return int(np.argmin((points[:, 0] - x1) ** 2 + (points[:, 1] - x2) ** 2))
