"""Collapsing a Neuron's or a Layer's nodes into one box, so that a network's graph stays readable.

A neuron labels the Value it returns with its name (``out.label == neuron.name``, see nn). The
*region* of one such output ``out`` is every node that is both

* a descendant-or-self of the neuron's parameters (computed from ``w`` and ``b``), and
* an ancestor-or-self of ``out`` (used to compute ``out``),

that is the products w_i x_i, their sum, the bias and the activation: the neuron of D11,
f(x) = rho(sum_i w_i x_i + b). A Layer's box for one example is the union of its neurons'
regions for that example; regions belong to the same example when they read the same inputs.

Parameters (and every other leaf) stay drawn outside the boxes, with their gradients, and so
does a node that falls in several boxes that do not nest; edges lead from them into the boxes.

The ``"matrix"`` level draws a network as its matrix form a = g(W x + b) (D1): one box per layer
and example as at ``"layer"``, and each layer's parameters as two boxes, ``W (nout x nin)`` and
``b (nout)``, with one edge each into the layer's box; what one example's outputs go through on
their own before the examples meet (its loss term) is one more box per example, and the additions
that sum the terms one n-ary sum box (the batch sum).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from autograd import Value

LEVELS = ("layer", "neuron", "matrix")


@dataclass
class Box:
    """One collapsed region: a neuron's (or a layer's) nodes for one example."""

    name: str
    # "neuron", "layer", "matrix" (a layer's W or b), "term" (one example's loss term) or "sum"
    kind: str
    members: set[Value] = field(default_factory=set)
    outputs: list[Value] = field(default_factory=list)
    shape: tuple[int, ...] = ()  # of a "matrix" box: (nout, nin) for W, (nout,) for b


def module_boxes(order: list[Value], modules: Any, level: str = "layer") -> list[Box]:
    """The boxes of ``modules`` (a Neuron, a Layer, an MLP, or a list of them) in a graph's
    ``order``.

    ``level`` says how a Layer (and each layer of an MLP) collapses: one box per example
    (``"layer"``) or one box per neuron and example (``"neuron"``).
    """
    if level not in LEVELS:
        raise ValueError(
            f"collapse: collapse_level must be one of {', '.join(LEVELS)}, got {level!r}"
        )
    children = _children(order)
    boxes: list[Box] = []
    last: list[Box] = []  # the boxes of the last unit, one per example
    for kind, name, neurons in _units(modules, "layer" if level == "matrix" else level):
        regions = [
            (out, region)
            for neuron in neurons
            for out, region in _neuron_regions(order, children, neuron)
        ]
        if kind == "neuron":
            found = [Box(name, "neuron", region, [out]) for out, region in regions]
        else:
            found = _group_by_example(name, regions)
        if len(found) > 1:
            for i, box in enumerate(found):
                box.name = f"{box.name} [{i}]"
        boxes.extend(found)
        if level == "matrix" and found:
            boxes.extend(_parameter_boxes(name, neurons))
            last = found
    if not boxes:
        raise ValueError(
            "collapse: no output of the given modules is in this graph (a neuron's output is the "
            "Value labelled with the neuron's name); draw the graph of a forward pass of that model"
        )
    if level == "matrix":
        terms = _term_boxes(last, children)
        boxes.extend(terms + _sum_box(order, children, terms))
    return boxes


def example_outputs(order: list[Value], modules: Any) -> list[list[Value]]:
    """The outputs of the last layer of ``modules`` in the graph, one list per example, in order."""
    children = _children(order)
    found: list[Box] = []
    for kind, name, neurons in _units(modules, "layer"):
        regions = [
            (out, region)
            for neuron in neurons
            for out, region in _neuron_regions(order, children, neuron)
        ]
        if regions:
            found = _group_by_example(name, regions) if kind == "layer" else [
                Box(name, kind, region, [out]) for out, region in regions]
    return [box.outputs for box in found]


def one_example(order: list[Value], modules: Any, k: int) -> tuple[list[Value], int]:
    """The part of a batch's graph that example ``k`` goes through: its forward pass through
    ``modules`` and everything after it up to the output, without the other examples' nodes.

    Returns that part (in ``order``'s order) and the number of examples found.
    """
    outputs = example_outputs(order, modules)
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < len(outputs):
        raise ValueError(
            f"draw_dot: example must be an index from 0 to {len(outputs) - 1} (the graph holds "
            f"{len(outputs)} example{'s' if len(outputs) != 1 else ''} of the model), got {k!r}"
        )
    children = _children(order)
    mine = _reachable(outputs[k], lambda node: children[node])
    others = set().union(
        *(_reachable(out, lambda node: children[node]) for j, out in enumerate(outputs) if j != k)
    )
    keep = _reachable(
        list(mine), lambda node: [p for p in node.parents if p in mine or p not in others]
    )
    return [node for node in order if node in keep], len(outputs)


def assign(boxes: list[Box]) -> dict[Value, Box]:
    """Which box each node is drawn in: the largest one holding it, if every other box holding it
    nests inside.

    Leaves (the parameters) are put in no box but a ``W`` or ``b`` box: their gradients are what a
    student wants to read.
    """
    holders: dict[Value, list[Box]] = {}
    for box in boxes:
        for node in box.members:
            if node.op or box.kind == "matrix":  # a W or b box holds its leaves
                holders.setdefault(node, []).append(box)
    nested: dict[tuple[int, int], bool] = {}
    placement: dict[Value, Box] = {}
    for node, held_by in holders.items():
        biggest = max(held_by, key=lambda box: len(box.members))
        if all(_inside(box, biggest, nested) for box in held_by if box is not biggest):
            placement[node] = biggest
    return placement


def parameters_of(modules: Any) -> list[Value]:
    """Every parameter of ``modules`` (anything with ``.parameters()``, or a list of those /
    Values)."""
    found: list[Value] = []
    for item in _flatten(modules, "params"):
        if isinstance(item, Value):
            found.append(item)
        elif hasattr(item, "parameters"):
            found.extend(item.parameters())
        else:
            raise TypeError(f"params: expected Values or nn modules, got {type(item).__name__}")
    return found


# ---------------------------------------------------------------- helpers


def _inside(small: Box, big: Box, cache: dict[tuple[int, int], bool]) -> bool:
    key = (id(small), id(big))
    if key not in cache:
        cache[key] = small.members <= big.members
    return cache[key]


def _flatten(items: Any, where: str) -> Iterable[Any]:
    if items is None:
        return
    if isinstance(items, Value) or hasattr(items, "parameters"):
        yield items
        return
    if isinstance(items, str | bytes):
        raise TypeError(f"{where}: expected a Value, an nn module or a list of them, "
                        f"got the string {items!r:.40}")
    try:
        iterator = iter(items)
    except TypeError:
        raise TypeError(f"{where}: expected a Value, an nn module or a list of them, "
                        f"got {type(items).__name__}") from None
    for item in iterator:
        yield from _flatten(item, where)


def _units(modules: Any, level: str) -> Iterable[tuple[str, str, list[Any]]]:
    """(kind, name, neurons) for each box-making unit: a neuron, or a layer."""
    for module in _flatten(modules, "collapse"):
        if hasattr(module, "layers"):  # an MLP: each layer
            yield from _units(list(module.layers), level)
        elif hasattr(module, "neurons"):  # a Layer
            neurons = list(module.neurons)
            if level == "neuron":
                yield from _units(neurons, level)
            else:
                yield "layer", _layer_name(module, neurons), neurons
        elif hasattr(module, "w") and hasattr(module, "parameters"):  # a Neuron
            if not getattr(module, "name", ""):
                raise ValueError(
                    "collapse: this Neuron has no name, so its output cannot be found (a neuron "
                    "labels its output with its name); set neuron.name = 'n' and run the forward "
                    "pass again"
                )
            yield "neuron", module.name, [module]
        else:
            raise TypeError(
                f"collapse: expected an nn Neuron, Layer or MLP, got {type(module).__name__}"
            )


def _parameter_boxes(name: str, neurons: list[Any]) -> list[Box]:
    """A layer's ``W (nout x nin)`` and ``b (nout)`` boxes."""
    weights = [w for neuron in neurons for w in neuron.w]
    biases = [neuron.b for neuron in neurons]
    shape = (len(neurons), len(neurons[0].w))
    return [Box(f"{name} W", "matrix", set(weights), weights, shape),
            Box(f"{name} b", "matrix", set(biases), biases, (len(neurons),))]


def _term_boxes(last: list[Box], children: dict[Value, list[Value]]) -> list[Box]:
    """One box per example: the nodes after its outputs that no other example's outputs reach."""
    if len(last) < 2:
        return []
    reach = [_reachable(list(box.outputs), lambda node: children[node]) for box in last]
    boxes = []
    for k, (box, mine) in enumerate(zip(last, reach, strict=True)):
        others = set().union(*(r for j, r in enumerate(reach) if j != k))
        region = {node for node in mine - others - set(box.outputs) if node.op}
        if len(region) > 1:
            ends = [node for node in region if not any(child in region for child in children[node])]
            boxes.append(Box(f"loss term [{k}]", "term", region, ends[:1]))
    return boxes


def _sum_box(order: list[Value], children: dict[Value, list[Value]], terms: list[Box]) -> list[Box]:
    """The additions that sum the loss terms (``((t0 + t1) + t2) + t3``), as one box: each adds
    only terms and earlier sums, and is used by nothing but the next."""
    summed = {box.outputs[0] for box in terms}
    adds: list[Value] = []
    for node in order:
        if node.op == "add" and node.parents and all(p in summed for p in node.parents):
            if not all(p in summed - set(adds) or children[p] == [node] for p in node.parents):
                continue
            adds.append(node)
            summed.add(node)
    if len(adds) < 2:
        return []
    return [Box(f"batch sum of {len(terms)}", "sum", set(adds), [adds[-1]])]


def _layer_name(layer: Any, neurons: list[Any]) -> str:
    name = getattr(layer, "name", "")
    if not name and neurons and getattr(neurons[0], "name", ""):
        name = neurons[0].name.rpartition(".neurons.")[0]
    return name or "layer"


def _children(order: list[Value]) -> dict[Value, list[Value]]:
    children: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for parent in node.parents:
            if parent in children:  # not a node left out (the other examples of a batch)
                children[parent].append(node)
    return children


def _neuron_regions(order: list[Value], children: dict[Value, list[Value]],
                    neuron: Any) -> list[tuple[Value, set[Value]]]:
    """(out, region) for every output of ``neuron`` in the graph (see the module docstring)."""
    if not getattr(neuron, "name", ""):
        raise ValueError(
            "collapse: a Neuron without a name cannot be found in the graph; set neuron.name"
        )
    descendants = _reachable(
        [p for p in neuron.parameters() if p in children], lambda node: children[node]
    )
    regions = []
    for out in order:
        if out.label == neuron.name and out in descendants:
            region = _reachable([out], lambda node: [p for p in node.parents if p in descendants])
            regions.append((out, region))
    return regions


def _reachable(start: list[Value], step: Any) -> set[Value]:
    seen = set(start)
    stack = list(start)
    while stack:
        for nxt in step(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _group_by_example(name: str, regions: list[tuple[Value, set[Value]]]) -> list[Box]:
    """Union of the regions that read the same inputs (the same example), one Box per example."""
    boxes: dict[Any, Box] = {}
    for out, region in regions:
        box = boxes.setdefault(_example_key(region), Box(name, "layer"))
        box.members |= region
        box.outputs.append(out)
    return list(boxes.values())


def _example_key(region: set[Value]) -> tuple[frozenset[Value], tuple[float, ...]]:
    """The inputs a region reads: Values from outside it, and the plain numbers inside it
    (x_i in w_i * x_i)."""
    inputs = frozenset(p for node in region for p in node.parents if p not in region)
    numbers = tuple(sorted(node.constant for node in region if node.constant is not None))
    return inputs, numbers
