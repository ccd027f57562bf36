"""Reverse mode: order the graph, then apply each node's rule from the output back.

For the output L and every node v, ``v.grad`` becomes dL/dv. Walking the nodes so that
each one comes after every node that uses it, a node's gradient is complete when we reach
it, and its rule passes g * d(out)/d(input) on to each input (the chain rule, D2-D4).

``computed_nodes`` orders the graph (and refuses one whose numbers were changed after it was
recorded). Two executors share the rule table: on floats (the usual case) and on Values
(``create_graph=True``), where the backward pass records a graph of its own so that
gradients can be differentiated again. Nothing here recurses, so a chain of a million
nodes needs no more than Python's default stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any

from .domains import DERIVATIVE, expression, refusal
from .modes import anomaly_enabled, check_backward
from .rules import RULES
from .value import Value

_VJP = {op: rule.vjp for op, rule in RULES.items()}
_data_of, _op_of, _version_of = attrgetter("_data"), attrgetter("_op"), attrgetter("_version")  # for dot nodes


def topological_order(roots: Value | Iterable[Value]) -> list[Value]:
    """Every node the root(s) depend on, each after its inputs (an iterative depth-first search).

    With several roots, each root's new nodes come after those already placed.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    for root in [roots] if isinstance(roots, Value) else roots:
        stack: list[tuple[Value, bool]] = [(root, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            x, y = node._x, node._y
            if type(x) is tuple:  # a dot node: the Values of a, then those of b
                stack.extend((v, False) for v in reversed(x + y) if v not in visited)
                continue
            if type(y) is Value and y not in visited:
                stack.append((y, False))
            if x is not None and x not in visited:
                stack.append((x, False))
    return order


def backward(root: Value, grad: Any, create_graph: bool) -> None:
    """Set ``.grad`` = d(root)/d(node) for every node root depends on; leaves accumulate."""
    interior = computed_nodes(root)
    if root._op:
        root.grad = grad
    else:
        root.grad = root.grad + grad
    if create_graph:
        _backward_values(interior)
    else:
        _backward_floats(interior)


def computed_nodes(root: Value) -> list[Value]:
    """The computed (non-leaf) nodes root depends on, each after its inputs, made ready for backward.

    The same depth-first search as ``topological_order`` (leaves need no visit: they have no rule
    to apply). It resets each node's gradient as it reaches it (interior gradients are recomputed
    on every call, never stale) and, as it places the node, checks that neither the node nor an
    input had its ``.data`` assigned since the node was recorded (``changed_error``), all before
    any gradient is written.

    Visited nodes are marked in their own ``grad`` slot, not in a set: the reset gradient is this
    call's own float object 0.0 (``is`` tells it from every other 0.0), so a graph of 10^6 nodes
    costs no table of 10^6 entries, and each node's cost stays the same at every size
    (``benchmarks/bench_large_graph.py``).
    """
    if not root._op:
        return []
    visited = float("0")  # a new float object, 0.0, made by this call: the mark of a node reached
    interior: list[Value] = []
    root.grad = visited
    stack = [root]
    resume: dict[Value, Iterator[Value]] = {}  # a dot node on the stack: its computed inputs still to look at
    while stack:
        node = stack[-1]
        x, y = node._x, node._y
        try:
            if x._op and x.grad is not visited:  # visit the first input's graph, then come back
                x.grad = visited
                stack.append(x)
                continue
        except AttributeError:  # x is not a Value but a dot node's tuple a (a test binary nodes never pay)
            if not _visit_dot_input(node, stack, resume, visited):
                stack.pop()
                interior.append(node)
            continue
        y_is_value = type(y) is Value
        if y_is_value and y._op and y.grad is not visited:
            y.grad = visited
            stack.append(y)
            continue
        stack.pop()  # both inputs placed: place the node
        version = node._version
        if x._version > version or y_is_value and y._version > version:
            raise changed_error(node)
        interior.append(node)
    return interior


def _visit_dot_input(node: Value, stack: list[Value], resume: dict[Value, Iterator[Value]], visited: float) -> bool:
    """For a dot node on top of ``computed_nodes``'s stack: push its next computed input not yet
    reached and return True, or return False when all are placed (the node is placed next).

    On the first visit it checks the versions of all 2n inputs and keeps an iterator over the
    computed ones (``filter`` drops the leaves, a matrix's weights, without a Python step each).
    """
    inputs = resume.get(node)
    if inputs is None:
        if max(map(_version_of, node._x + node._y)) > node._version:
            raise changed_error(node) from None  # not chained to the AttributeError that led here
        inputs = resume[node] = filter(_op_of, node._x + node._y)
    for v in inputs:
        if v.grad is not visited:
            v.grad = visited
            stack.append(v)
            return True
    return False


def _backward_floats(interior: list[Value]) -> None:
    """The executor on floats: rule(g, out, x, y) with plain numbers."""
    vjp, check = _VJP, anomaly_enabled()
    for node in reversed(interior):
        op, x, y = node._op, node._x, node._y
        y_is_value = type(y) is Value
        y_data = y._data if y_is_value else y
        try:
            grads = vjp[op](node.grad, node._data, x._data, y_data)
        except (ArithmeticError, ValueError) as error:
            raise _backward_error(op, x._data, y_data, error) from error
        except AttributeError:  # x is not a Value but a dot node's tuple a (a test binary nodes never pay)
            if type(x) is not tuple:
                raise
            _dot_floats(node, check)
            continue
        if check:
            check_backward(op, (x, y), node.grad, grads)
        x.grad += grads[0]
        if y_is_value:
            y.grad += grads[1]


def _dot_floats(node: Value, check: bool) -> None:
    """The float executor's step for a dot node: a_i gets g b_i and b_i gets g a_i (its rule)."""
    x, y = node._x, node._y
    a, b = list(map(_data_of, x)), list(map(_data_of, y))
    da, db = _VJP["dot"](node.grad, node._data, a, b)
    if check:
        try:
            check_backward("dot", (*a, *b), node.grad, (*da, *db))
        except FloatingPointError as error:  # raised where backward caught the AttributeError: not chained to it
            raise error from None
    for v, d in zip(x, da):
        v.grad += d
    for v, d in zip(y, db):
        v.grad += d


def _backward_values(interior: list[Value]) -> None:
    """The executor on Values: the same rules, recording their own graph (higher order)."""
    vjp, check = _VJP, anomaly_enabled()
    for node in reversed(interior):
        op, x, y = node._op, node._x, node._y
        if type(x) is tuple:  # a dot node: a = x, b = y
            da, db = vjp[op](node.grad, node, x, y)
            if check:
                check_backward(op, (*x, *y), node.grad, (*da, *db))
            for v, d in zip(x + y, da + db):
                v.grad = _accumulate(v.grad, d)
            continue
        try:
            grads = vjp[op](node.grad, node, x, y)
        except (ArithmeticError, ValueError) as error:
            raise _backward_error(op, x._data, getattr(y, "_data", y), error) from error
        if check:
            check_backward(op, (x, y), node.grad, grads)
        x.grad = _accumulate(x.grad, grads[0])
        if type(y) is Value:
            y.grad = _accumulate(y.grad, grads[1])


def changed_error(node: Value) -> RuntimeError:
    """The error for a node whose number, or an input's, was assigned after the node was recorded.

    ``computed_nodes`` compares versions (``value.py``): an input newer than the node was assigned
    after the node was computed from it. A node whose own result was assigned has a negative
    version, below that of any leaf, so the same comparison catches it (or, if its first input was
    assigned too, that input's own check does: following first inputs always ends at a leaf).
    """
    x, y = node._x, node._y
    if node._version < 0:
        what = "its own .data was assigned"
    else:
        inputs = x + y if type(x) is tuple else (x, y)  # a dot node's inputs are the tuples a and b
        culprit = next(v for v in inputs if v._version > node._version)
        what = f"the .data of its input {_describe(culprit)} was assigned"
    return RuntimeError(
        f"backward: {_describe(node)} was recorded, then {what}; its derivative would mix the old graph "
        "with the new number. Run the forward pass again after changing .data (optimisers change it "
        "between steps, when no graph is held)"
    )


def _describe(v: Value) -> str:
    kind = f"the {v._op} node" if v._op else "the leaf"
    return f"{kind} {v.label!r}" if v.label else f"{kind} (data={v._data!r})"


def _accumulate(total: Any, g: Any) -> Any:
    # skip recording "0.0 + g" when nothing has arrived yet
    return g if type(total) is float and total == 0.0 else total + g


def _backward_error(op: str, x: float, y: Any, error: Exception) -> Exception:
    """The domain table's refusal of op's derivative at (x, y), else the arithmetic error, worded."""
    refused = refusal(op, x, y, DERIVATIVE)
    if refused is not None:
        return refused
    return type(error)(f"backward of {op}: the derivative is not finite, got {expression(op, x, y)} ({error})")


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Reset ``.grad`` to 0.0: of the given Values, or of every leaf of a graph's output."""
    if isinstance(values, Value):
        values = [node for node in topological_order(values) if not node._op]
    for v in values:
        v.grad = 0.0
