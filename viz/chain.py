"""The chain rule as numbers and text, with no drawing in it: what the pictures (and the explorer)
show.

For the output L and a node v used by the nodes u_1, ..., u_k:

    dL/dv = sum over the uses u of v:  dL/du * du/dv        (D2-D4)

``dL/du`` is the *upstream* gradient, ``du/dv`` the *local* derivative of the operation that made
u with respect to its input v, evaluated at the recorded numbers. The local derivative comes from
the engine's own rule table: ``autograd.RULES[op].vjp`` with an upstream of 1, the same rule that
``backward()`` runs, never a second table of derivatives.

* ``node_names(order)``   every node's one name: its label, else ``v1``, ``v2``, ... in forward
                          order.
* ``op_text(u)``          the operation in u's ellipse (``+``, ``×``, ``/``, ``^``, ``tanh``), no
                          letters of a rule.
* ``derivative_name``     ``dL/de``, ``dn/d(x1*w1)``: the one way a derivative is written.
* ``formula_line(u, names)``  the rule's formula with its letters mapped to names
                          (``x = e, y = 1``).
* ``node_name(v)``        v described on its own: its label, else the expression it forms
                          (``e - 1``).
* ``local_grads(u)``      du/dx (and du/dy) for the Value inputs of u (du/da_i = b_i,
                          du/db_i = a_i for a dot).
* ``fresh_gradients(L)``  dL/dv for every v, computed afresh, leaving every ``.grad`` as it was.
* ``chain_terms(...)``    the terms ``(use, upstream, local)`` whose products sum to dL/dv.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from autograd import RULES, Value, gradients, topological_order
from autograd.rules import OPERATORS

# op -> the text in its ellipse: ``+``, ``\u00d7``, ``^``, or its name (``tanh``), from the op table
OP_SYMBOL = {op: rule.symbol for op, rule in RULES.items()}
# a Value's operator -> (part played by the first input, by the second input or the constant),
# where order matters: ``x - y`` (``__sub__``), ``c - x`` (``__rsub__``, x the Value)
ROLES = {"__sub__": ("first", "subtracted"), "__rsub__": ("subtracted", "first"),
         "__truediv__": ("numerator", "denominator"), "__rtruediv__": ("denominator", "numerator"),
         "__pow__": ("base", "exponent"), "__rpow__": ("exponent", "base")}
# op -> the letters of its rule's formula for its inputs, then the constant (``x n`` for pow)
FORMULA_LETTERS = {op: tuple(rule.inputs.split()) for op, rule in RULES.items()}


class Term(NamedTuple):
    """One term of the chain rule's sum for a node v: ``upstream * local`` passed back by ``use``.

    ``use`` is the Value whose operation reads v (None for the output's seed, dL/dL = 1),
    ``upstream`` is dL/d(use) and ``local`` is d(use)/dv.
    """

    use: Value | None
    upstream: float
    local: float


def number(x: float) -> str:
    """Four decimals, as in micrograd's pictures; scientific notation for a tiny non-zero number
    (a vanishing gradient, D4), which would show as a misleading 0.0000, and for a huge one
    (|x| >= 1e6, an exploding gradient), which would print every one of its digits. A negative
    number that rounds to zero prints as ``0.0000``, not ``-0.0000``."""
    if 0.0 < abs(x) < 0.5e-4:
        return f"{x:.2e}"
    if abs(x) >= 1e6:
        return f"{x:.4e}"
    text = f"{x:.4f}"
    return text[1:] if text == "-0.0000" else text


def node_names(order: list[Value]) -> dict[Value, str]:
    """The one name of every node in ``order`` (a topological order), used on the picture, its edges
    and in the explorer: its label, else ``v1``, ``v2``, ... numbered in forward order (a number
    some label already uses is skipped)."""
    labels = {node.label for node in order if node.label}
    names, k = {}, 0
    for node in order:
        if node.label:
            names[node] = node.label
            continue
        k += 1
        while f"v{k}" in labels:
            k += 1
        names[node] = f"v{k}"
    return names


def op_text(node: Value) -> str:
    """The text of the op's ellipse: its symbol (``+``, ``\u00d7``, ``/``, ``^``) or its name
    (``tanh``), as the op table gives it (``Op.symbol``)."""
    return OP_SYMBOL.get(node.op, node.op)


def input_roles(node: Value) -> tuple[str, ...]:
    """The part each of ``node.parents`` plays, as its edge says it: ``("numerator",
    "denominator")`` for a division; empty where the order does not matter (``+``, ``\u00d7``);
    ``term 1``, ``term 2``, ... for a dot product's pairs."""
    if node.op == "dot":
        n = len(node.parents) // 2
        return tuple(f"term {i % n + 1}" for i in range(2 * n))
    roles = _roles(node.op)
    return roles[: len(node.parents)]


def constant_role(node: Value) -> str:
    """The part a plain-number operand plays (``exponent`` in ``x ** 2``), empty where order does
    not matter."""
    return _roles(node.op)[1] if node.constant is not None else ""


def constant_prefix(node: Value) -> str:
    """What its box says before a plain-number operand that is a named parameter (``alpha = `` of
    ``leaky_relu(x, alpha=0.1)``): nothing before an operator's operand (the 2 of ``x ** 2``)."""
    rule = RULES[node.op]
    named = rule.constant and rule.method not in OPERATORS
    return f"{rule.inputs.split()[1]} = " if named else ""


def _roles(op: str) -> tuple[str, str]:
    rule = RULES.get(op)  # a leaf has no op
    return ROLES.get(rule.method or "", ("", "")) if rule else ("", "")


def formula_line(node: Value, names: Mapping[Value, str]) -> str:
    """The rule's formula in its own letters, with the letters mapped to the names:
    ``d(x - y) = dx - dy   (x = e, y = 1)``; ``""`` for a leaf."""
    if not node.op:
        return ""
    formula = RULES[node.op].formula
    letters = FORMULA_LETTERS[node.op]
    if node.op == "dot":
        n = len(node.parents) // 2
        group = lambda nodes: "(" + ", ".join(names[p] for p in nodes) + ")"
        pairs = [f"a = {group(node.parents[:n])}", f"b = {group(node.parents[n:])}"]
    else:
        pairs = [f"{letter} = {names[p]}" for letter, p in zip(letters, node.parents, strict=False)]
        if node.constant is not None:
            pairs.append(f"{letters[len(node.parents)]} = {node.constant:g}")
    return f"{formula}   ({', '.join(pairs)})"


# op -> the expression an operator forms from its inputs' names (x, y; y may be the constant)
EXPRESSION = {op: rule.written for op, rule in RULES.items() if rule.method in OPERATORS}
NAME_DEPTH = 3  # unlabelled inputs spelled out this many operations deep, then ``...``
DOT_TERMS = 3  # a dot node's name spells out this many of its products, then ``...``


def node_name(node: Value, depth: int = NAME_DEPTH) -> str:
    """How the pictures name ``node``: its label, else the expression its op forms from its inputs'
    names (``e - 2``, ``tanh(x * w + b)``, deeper unlabelled inputs as ``...``), else its number."""
    if node.label:
        return node.label
    if not node.op:
        return f"{node.data:.4g}"
    if depth == 0:
        return "..."
    operands = [_operand(parent, depth - 1) for parent in node.parents]
    if node.constant is not None:
        operands.append(f"{node.constant:g}")
    if node.op in EXPRESSION:
        return EXPRESSION[node.op].format(x=operands[0], y=operands[-1])
    if node.op == "dot":  # x * w + y * v, the first DOT_TERMS terms of the sum
        n = len(operands) // 2
        terms = [f"{operands[i]} * {operands[n + i]}" for i in range(min(n, DOT_TERMS))]
        return " + ".join(terms + ["..."] * (n > DOT_TERMS))
    return f"{node.op}({node_name(node.parents[0], depth - 1)})"


def _operand(node: Value, depth: int) -> str:
    """``node_name`` in parentheses when it is a sum or product itself (``(a + b) * c``)."""
    name = node_name(node, depth)
    compound = node.op in EXPRESSION or node.op == "dot"
    return f"({name})" if not node.label and compound and name != "..." else name


def local_grads(node: Value) -> tuple[float, ...]:
    """d(node)/d(input) for each Value input of ``node`` (``node.parents`` order), at the recorded
    numbers.

    The rule's vjp with an upstream gradient of 1: vjp(1, out, x, y) = (d out/dx, d out/dy).
    A derivative that is not defined there (division by zero) is nan.
    """
    if not node.op:
        return ()
    parents = node.parents
    if node.op == "dot":  # d(sum a_i b_i)/da_i = b_i and /db_i = a_i, in the order of parents
        n = len(parents) // 2
        a, b = [p.data for p in parents[:n]], [p.data for p in parents[n:]]
        da, db = RULES["dot"].vjp(1.0, node.data, a, b)
        return tuple(float(g) for g in (*da, *db))
    x = parents[0].data
    y = parents[1].data if len(parents) > 1 else node.constant
    try:
        grads = RULES[node.op].vjp(1.0, node.data, x, y)
    except (ArithmeticError, ValueError):
        return (math.nan,) * len(parents)
    return tuple(float(g) for g in grads[: len(parents)])


def grad_value(node: Value) -> float:
    """A node's gradient as a float (it is a Value after ``backward(create_graph=True)``)."""
    return float(getattr(node.grad, "data", node.grad))


def fresh_gradients(root: Value, order: list[Value] | None = None) -> dict[Value, float]:
    """d(root)/d(node) for every node (``autograd.gradients``: no ``.grad`` is read or changed)."""
    order = topological_order(root) if order is None else order
    return dict(zip(order, gradients(root, order, create_graph=False), strict=True))


def consumers(order: list[Value]) -> dict[Value, list[Value]]:
    """For each node, the nodes whose operation reads it, once per read (``x * x`` reads x
    twice)."""
    uses: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for parent in node.parents:
            uses[parent].append(node)
    return uses


def chain_terms(node: Value, root: Value, uses: Mapping[Value, list[Value]],
                grads: Mapping[Value, float]) -> list[Term]:
    """The terms of dL/d(node): one ``(use, dL/d(use), d(use)/d(node))`` for each read of ``node``.

    ``uses`` as from ``consumers``, ``grads`` as from ``fresh_gradients``. The output's one term
    is the seed ``(None, 1.0, 1.0)``.
    """
    if node is root:
        return [Term(None, 1.0, 1.0)]
    terms = []
    for use in dict.fromkeys(uses[node]):  # each consumer once, in order; a double read: two terms
        for parent, local in zip(use.parents, local_grads(use), strict=True):
            if parent is node:
                terms.append(Term(use, grads[use], local))
    return terms


def derivative_name(of: str, by: str) -> str:
    """``dL/de``; a name with spaces or symbols in parentheses: ``d(x1*w1)/dn``."""
    wrap = lambda name: name if name.isidentifier() else f"({name})"
    return f"d{wrap(of)}/d{wrap(by)}"


def local_label(out: str, by: str, local: float) -> str:
    """An edge's local derivative, the same on the picture, the frames and in the explorer:
    ``dn/dx1 = 2.0000``."""
    return f"{derivative_name(out, by)} = {number(local)}"


def term_label(root: str, use: str, node: str, upstream: float | str | None,
               local: float | str) -> str:
    """The chain rule's term an edge passes back: ``dL/dd \u00d7 dd/de`` over
    ``= 0.1464 \u00d7 1.0000``
    (``?`` for an upstream gradient not known yet; a text stands for itself)."""
    up, down = (signed(x) if isinstance(x, float | int) else x or "?" for x in (upstream, local))
    return f"{derivative_name(root, use)} \u00d7 {derivative_name(use, node)}\n= {up} \u00d7 {down}"


def signed(x: float) -> str:
    """``number(x)``, in parentheses when negative, to sit inside a sum: ``(-0.1036)``."""
    text = number(x)
    return f"({text})" if text.startswith("-") else text


def chain_sum(node: Value, root: Value, terms: list[Term], grad: float,
              names: Mapping[Value, str] | None = None) -> str:
    """The chain rule's sum for ``node``, term by term, with the graph's names (``node_names``):

    ``dL/de = 0.1464 \u00d7 1.0000 (via d) + (-0.1036) \u00d7 1.0000 (via v3) = 0.0429``
    """
    names = node_names(topological_order(root)) if names is None else names
    out = names[root]
    if node is root:
        return f"{derivative_name(out, out)} = 1 (the seed)"
    parts = [f"{signed(t.upstream)} \u00d7 {signed(t.local)} (via {names[t.use]})" for t in terms]
    return f"{derivative_name(out, names[node])} = {' + '.join(parts)} = {number(grad)}"

