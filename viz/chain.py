"""The chain rule as numbers and text, with no drawing in it: what the pictures (and the explorer) show.

For the output L and a node v used by the nodes u_1, ..., u_k:

    dL/dv = sum over the uses u of v:  dL/du * du/dv        (D2-D4)

``dL/du`` is the *upstream* gradient, ``du/dv`` the *local* derivative of the operation that made
u with respect to its input v, evaluated at the recorded numbers. The local derivative comes from
the engine's own rule table: ``autograd.RULES[op].vjp`` with an upstream of 1, the same rule that
``backward()`` runs, never a second table of derivatives.

* ``node_name(v)``        v as the picture labels it: its label, else the formula of its op (``a - c``).
* ``local_grads(u)``      du/dx (and du/dy) for the Value inputs of u (du/da_i = b_i, du/db_i = a_i for a dot).
* ``fresh_gradients(L)``  dL/dv for every v, computed afresh, leaving every ``.grad`` as it was.
* ``chain_terms(...)``    the terms ``(use, upstream, local)`` whose products sum to dL/dv.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from autograd import RULES, Value, topological_order

# op -> (text in the op's ellipse, role of x, role of y or of the constant); roles only where order matters
OP_TEXT: dict[str, tuple[str, str, str]] = {
    "add": ("+", "", ""), "mul": ("*", "", ""),
    "sub": ("a - b", "a", "b"), "rsub": ("c - a", "a", "c"),
    "div": ("a / b", "a", "b"), "rdiv": ("c / a", "a", "c"),
    "pow": ("a ** c", "a", "c"), "powv": ("a ** b", "a", "b"), "rpow": ("c ** a", "a", "c"),
    "neg": ("-a", "", ""),
    "dot": ("a \u00b7 b", "a", "b"),  # a_0 b_0 + a_1 b_1 + ...: its inputs are a_0, ..., b_0, ... (input_roles)
}


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


def op_text(node: Value) -> tuple[str, str, str]:
    """``(formula, role of the first input, role of the second)`` as the op's ellipse shows them.

    A second operand that is a plain number is ``c`` (``x - 2`` is ``a - c``); roles are empty
    where the order of the inputs does not matter (``+``, ``*``).
    """
    text, x_role, y_role = OP_TEXT.get(node.op, (node.op, "", ""))
    if node.constant is not None and y_role == "b":
        text, y_role = text.replace("b", "c"), "c"
    return text, x_role, y_role


def input_roles(node: Value) -> tuple[str, ...]:
    """The role of each of ``node.parents`` as its edges show it: ``("a", "b")`` for ``a - b``, empty
    where the order does not matter, ``("a0", "a1", "b0", "b1")`` for ``dot(a, b)`` with two terms."""
    _, x_role, y_role = op_text(node)
    if node.op == "dot":
        n = len(node.parents) // 2
        return tuple(f"a{i}" for i in range(n)) + tuple(f"b{i}" for i in range(n))
    return (x_role, y_role)[: len(node.parents)]


# op -> the expression it forms from its inputs' names (x, y; y may be the constant)
EXPRESSION = {
    "add": "{x} + {y}", "mul": "{x} * {y}", "sub": "{x} - {y}", "rsub": "{y} - {x}", "div": "{x} / {y}",
    "rdiv": "{y} / {x}", "pow": "{x} ** {y}", "powv": "{x} ** {y}", "rpow": "{y} ** {x}", "neg": "-{x}",
}
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
    return f"({name})" if not node.label and (node.op in EXPRESSION or node.op == "dot") and name != "..." else name


def local_grads(node: Value) -> tuple[float, ...]:
    """d(node)/d(input) for each Value input of ``node`` (``node.parents`` order), at the recorded numbers.

    The rule's vjp with an upstream gradient of 1: vjp(1, out, x, y) = (d out/dx, d out/dy).
    A derivative that is not defined there (division by zero) is nan.
    """
    if not node.op:
        return ()
    parents = node.parents
    if node.op == "dot":  # d(sum a_i b_i)/da_i = b_i and /db_i = a_i, in the order of parents
        n = len(parents) // 2
        da, db = RULES["dot"].vjp(1.0, node.data, [p.data for p in parents[:n]], [p.data for p in parents[n:]])
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
    """d(root)/d(node) for every node, computed as if every ``.grad`` started at 0; every ``.grad``
    is left as it was found."""
    order = topological_order(root) if order is None else order
    saved = [(node, node.grad) for node in order]
    try:
        for node in order:
            node.grad = 0.0
        root.backward()
        return {node: grad_value(node) for node in order}
    finally:
        for node, g in saved:
            node.grad = g


def consumers(order: list[Value]) -> dict[Value, list[Value]]:
    """For each node, the nodes whose operation reads it, once per read (``x * x`` reads x twice)."""
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
    for use in dict.fromkeys(uses[node]):  # each consumer once, in order; a double read gives two terms
        for parent, local in zip(use.parents, local_grads(use), strict=True):
            if parent is node:
                terms.append(Term(use, grads[use], local))
    return terms


def derivative_name(of: str, by: str) -> str:
    """``dL/de``; a name with spaces or symbols in parentheses: ``d(a - c)/de``."""
    wrap = lambda name: name if name.isidentifier() else f"({name})"
    return f"d{wrap(of)}/d{wrap(by)}"


def signed(x: float) -> str:
    """``number(x)``, in parentheses when negative, to sit inside a sum: ``(-0.1036)``."""
    text = number(x)
    return f"({text})" if text.startswith("-") else text


def chain_sum(node: Value, root: Value, terms: list[Term], grad: float) -> str:
    """The chain rule's sum for ``node``, term by term (an unlabelled output is called L):

    ``dL/de = 0.1464 x 1.0000 (via a - c) + (-0.1036) x 1.0000 (via +) = 0.0429``
    """
    head = derivative_name(root.label or "L", node_name(node))
    if node is root:
        return f"{derivative_name(root.label or 'L', root.label or 'L')} = 1 (the seed)"
    parts = [f"{signed(t.upstream)} x {signed(t.local)} (via {node_name(t.use)})" for t in terms]
    return f"{head} = {' + '.join(parts)} = {number(grad)}"
