"""What the explorer shows, as JSON-ready data: every node's numbers, rule and chain-rule terms.

The explorer (in Jupyter or in a saved HTML page) draws the graph once, with Graphviz, and then
only changes the numbers in it. This module gives those numbers for a root Value:

* one entry per value node, named as on the picture (``viz.chain.node_names``), keyed by its id
  (``v0``, ``v1``, ... in topological order, as ``build_digraph`` draws them), with its data and
  gradient, its operation (``opText``: ``+``, ``\u00d7``, ``tanh``), the rule's formula (``rule``,
  ``autograd.RULES[op].formula``; ``formula``: the same with its letters mapped to the nodes'
  names, ``x = e, y = 1``), its inputs with the local derivatives (``localLabel``:
  ``dn/dx1 = 2.0000``), and the chain rule's terms over its uses, all from ``viz.chain``;
* ``order``: the nodes in the order ``backward()`` completes their gradients (as
  ``backprop_steps``), for stepping;
* ``leaves``: the inputs and parameters, for sliders;
* for practice, each gradient's symbol (``dL/da``) and each term's (dL/d(use), d(use)/da), as
  ``viz.practice`` writes its hints;
* ``code`` and each node's ``source``: the lines that made the nodes (``autograd.record_source``).

Numbers are sent both raw (for checking a student's answer) and as text, formatted as the
pictures format them, so the page never formats a number differently from the picture.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Mapping
from typing import Any

from autograd import RULES, Source, Value, apply, dot, source_of, topological_order

from ..chain import (
    chain_sum,
    chain_terms,
    consumers,
    derivative_name,
    formula_line,
    fresh_gradients,
    input_roles,
    local_grads,
    local_label,
    node_name,
    node_names,
    number,
    op_text,
)
from ..collapse import parameters_of
from ..expression import ExpressionError, evaluate, parse_binding
from ..graph import node_kind
from ..practice import check_grads
from .source_lines import code_lines, file_keys, source_data

MAX_NODES = 300  # a graph the student can read and click through; larger ones belong in draw_dot
_CHECK = inspect.signature(check_grads).parameters
# as viz.check_grads marks
TOLERANCE = {"rel": _CHECK["rel_tol"].default, "abs": _CHECK["abs_tol"].default}


def build_root(
    root: Value | str, bindings: Mapping[str, float] | None = None
) -> tuple[Value, list[Value]]:
    """``root`` itself, or the expression ``root`` evaluated with ``bindings``
    (as ``chainrule graph``).

    Returns the root and the named leaves (empty for a Value). The result is labelled ``f`` unless
    it is one of the variables.
    """
    if isinstance(root, Value):
        if bindings:
            raise TypeError(
                "explore: bindings are for an expression string; a Value already has its numbers"
            )
        return root, []
    if not isinstance(root, str):
        raise TypeError(
            f"explore: root must be a Value or an expression string, got {type(root).__name__}"
        )
    variables = {}
    for name, value in (bindings or {}).items():
        name, number_ = parse_binding(f"{name}={value}")
        variables[name] = Value(number_, label=name)
    result = evaluate(root, variables)
    if not isinstance(result, Value):
        raise ExpressionError(
            f"{root.strip()!r} has no variable in it: bind one, as in explore('x*2', x=1.5)"
        )
    unused = [name for name, v in variables.items() if v not in set(topological_order(result))]
    if unused:
        raise ExpressionError(f"{', '.join(unused)} bound but not used in {root.strip()!r}")
    if not result.label:
        result.label = "f"
    return result, list(variables.values())


def node_ids(order: list[Value]) -> dict[Value, str]:
    """Each node's id in the picture: ``v`` and its position in the topological order."""
    return {node: f"v{i}" for i, node in enumerate(order)}


def checked_order(root: Value, max_nodes: int = MAX_NODES) -> list[Value]:
    """The topological order of ``root``'s graph; ValueError when it has more than
    ``max_nodes`` nodes."""
    if not isinstance(root, Value):
        raise TypeError(f"explore: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"explore: the graph has {len(order)} nodes, more than max_nodes={max_nodes}; "
            "explore a smaller graph (one neuron, one example) or draw it with viz.draw_dot"
        )
    return order


def graph_data(root: Value, params: Any = None, order: list[Value] | None = None, *,
               sources: list[Source | None] | None = None, scale: float = 1.0) -> dict[str, Any]:
    """The explorer's data for ``root`` (see the module docstring); ``.grad`` are left as they were.

    ``sources``: where each node of ``order`` was made (``autograd.record_source``; by default
    as recorded), for the panel's source line and the code pane. ``scale``: the presentation size.
    """
    order = checked_order(root) if order is None else order
    sources = [source_of(node) for node in order] if sources is None else sources
    recorded = [source for source in sources if source is not None]
    keys = file_keys(recorded)
    ids = node_ids(order)
    grads = fresh_gradients(root, order)
    uses = consumers(order)
    known = set(parameters_of(params))
    names = node_names(order)
    out = names[root]
    nodes = {}
    for node, source in zip(order, sources, strict=True):
        terms = chain_terms(node, root, uses, grads)
        inputs = [
            {"id": ids[p], "name": names[p], "role": role,
             "data": _json(p.data), "dataText": number(p.data),
             "local": _json(local), "localText": number(local),
             "localLabel": local_label(names[node], names[p], local)}
            for p, role, local in zip(
                node.parents, input_roles(node), local_grads(node), strict=True
            )
        ]
        nodes[ids[node]] = {
            "name": names[node], "kind": node_kind(node, {root}, known),
            "op": node.op, "opText": op_text(node) if node.op else "",
            "formula": formula_line(node, names),
            "rule": RULES[node.op].formula if node.op else "",
            "constant": node.constant, "inputs": inputs,
            "data": _json(node.data), "dataText": number(node.data),
            "grad": _json(grads[node]), "gradText": number(grads[node]),
            "terms": [_term(t, ids, node, out, names) for t in terms],
            "sum": chain_sum(node, root, terms, grads[node], names),
            "gradSymbol": derivative_name(out, names[node]),
            "source": source_data(source, keys),
        }
    return {
        "output": ids[root], "outputName": out,
        # the order backward completes the gradients
        "order": [ids[node] for node in reversed(order)],
        "leaves": [ids[node] for node in order if not node.op],
        "nodes": nodes, "tolerance": TOLERANCE, "scale": scale,
        "code": code_lines(recorded) or None,
    }


def _term(term: Any, ids: Mapping[Value, str], node: Value, out: str,
          names: Mapping[Value, str]) -> dict[str, Any]:
    product = term.upstream * term.local
    use = term.use
    use_name = names[use] if use is not None else "the seed"
    return {"use": ids[use] if use is not None else None, "useName": use_name,
            "useOp": op_text(use) if use is not None else "",
            "useFormula": RULES[use.op].formula if use is not None else "",
            "upstreamSymbol": derivative_name(out, use_name),
            "localSymbol": derivative_name(use_name, names[node]),
            "upstream": _json(term.upstream), "upstreamText": number(term.upstream),
            "local": _json(term.local), "localText": number(term.local),
            "productText": number(product)}


def _json(x: float) -> float | None:
    """A float JSON can hold: nan and infinities become None (shown as "undefined")."""
    return float(x) if math.isfinite(x) else None


def rebuild(order: list[Value], values: Mapping[int, float]) -> list[Value]:
    """The graph of ``order`` (a topological order) recorded afresh, with the leaf at position i set
    to ``values[i]``: the same operations, recorded by the engine's own recorder, in the same order,
    so every node keeps its position (its id in the picture). The original graph is left as it was.

    Recording anew, not assigning ``.data`` in place: the engine refuses a backward pass through a
    node whose inputs changed after it was recorded. A number outside an operation's domain (log of
    a negative number) raises the engine's error.
    """
    copies: dict[Value, Value] = {}
    for i, node in enumerate(order):
        if not node.op:
            value = float(values.get(i, node.data))
            if not math.isfinite(value):
                raise ValueError(
                    f"explore: the value for {node_name(node)} must be finite, got {value!r}"
                )
            copy = Value(value, label=node.label)
        else:
            inputs = [copies[parent] for parent in node.parents]
            if node.op == "dot":  # a_0, ..., a_{n-1}, b_0, ..., b_{n-1}
                copy = dot(inputs[:len(inputs) // 2], inputs[len(inputs) // 2:])
            else:
                copy = apply(node.op, inputs[0], inputs[1] if len(inputs) > 1 else node.constant)
            copy.label = node.label
        copies[node] = copy
    return [copies[node] for node in order]


def leaves_of(order: Iterable[Value]) -> list[Value]:
    """The leaves of the graph, in topological order."""
    return [node for node in order if not node.op]
