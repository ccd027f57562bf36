"""The chain rule at one point, as text: the terms the engine sums where paths part.

For the output L and a node v read by the operations u_1, ..., u_k,

    dL/dv = sum over the reads u of v:  dL/du * du/dv

``breakdown(L, x)`` writes this sum for x and for every node between x and L that is read more
than once (where the paths from x to L part and then meet again), with the engine's own numbers:
dL/du from ``autograd.gradients``, du/dv from the rule table (``RULES[op].vjp`` with an upstream
gradient of 1, the rule ``backward()`` runs).
"""

from __future__ import annotations

from ..backward import topological_order
from ..functional import gradients
from ..rules import RULES
from ..value import Value

SHOWN = 6  # nodes listed at most


def name(node: Value, depth: int = 2) -> str:
    """A node as a reader knows it: its label, a leaf's number, else ``op(inputs)``, a few deep."""
    if node.label:
        return node.label
    if not node.op:
        return f"{node.data:.6g}"
    if depth == 0:
        return node.op
    inner = [name(p, depth - 1) for p in node.parents]
    if node.constant is not None:
        inner.append(f"{node.constant:g}")
    return f"{node.op}({', '.join(inner)})"


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d(node)/d(input) for each of ``node.parents``, by the node's rule at the recorded numbers."""
    parents = node.parents
    if node.op == "dot":
        n = len(parents) // 2
        da, db = RULES["dot"].vjp(
            1.0, node.data, [p.data for p in parents[:n]], [p.data for p in parents[n:]]
        )
        return tuple(float(g) for g in (*da, *db))
    y = parents[1].data if len(parents) > 1 else node.constant
    try:
        grads = RULES[node.op].vjp(1.0, node.data, parents[0].data, y)
    except (ArithmeticError, ValueError):
        return (float("nan"),) * len(parents)
    return tuple(float(g) for g in grads[: len(parents)])


def breakdown(output: Value, x: Value) -> list[str]:
    """Lines ``dL/dv = sum of dL/du * du/dv`` for x and the nodes after x where paths part."""
    order = topological_order(output)
    reads: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for parent in node.parents:
            reads[parent].append(node)
    after_x = {x}  # the nodes x reaches: only their terms carry x's gradient
    for node in order:
        if any(p in after_x for p in node.parents):
            after_x.add(node)
    shown = [
        v
        for v in reversed(order)
        if v in after_x and (v is x or len(reads[v]) > 1) and v is not output
    ]
    shown = ([x] + [v for v in shown if v is not x])[:SHOWN]
    grads = dict(
        zip(order, (float(getattr(g, "data", g)) for g in gradients(output, order)), strict=True)
    )
    lines = []
    for v in shown:
        terms, total = [], 0.0
        for use in dict.fromkeys(reads[v]):
            for parent, local in zip(use.parents, local_derivatives(use), strict=True):
                if parent is v:
                    terms.append(f"{grads[use]:.6g} * {local:.6g} (through {name(use)})")
                    total += grads[use] * local
        lines.append(f"dL/d{name(v)} = " + " + ".join(terms or ["0"]) + f" = {total:.6g}")
    return lines
