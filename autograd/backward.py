"""Reverse mode: order the graph, then apply each node's rule from the output back.

For the output L and every node v, ``v.grad`` becomes dL/dv. Walking the nodes so that
each one comes after every node that uses it, a node's gradient is complete when we reach
it, and its rule passes g * d(out)/d(input) on to each input (the chain rule, D2-D4).

``computed_nodes`` orders the graph (and refuses one whose numbers were changed after it was
recorded). Two executors share the rule table. ``backward`` on floats (the usual case) sums the
gradients in the nodes' own ``grad`` slots, one pass at a time (a lock), and puts every ``.grad``
back if a rule raises. ``gradient_table`` sums them in a table of its own, on floats or on Values
(``create_graph=True``: the backward pass records a graph of its own, so that gradients can be
differentiated again); ``gradients`` reads the table, ``backward(create_graph=True)`` writes it
into the nodes. Nothing here recurses, so a chain of a million nodes needs no more than
Python's default stack.

Threads (as in PyTorch): backward passes from several threads on one graph, or on graphs that
share leaves, add into the leaves exactly as the same passes one after another would; ``grad``
and ``gradients`` never write a ``.grad``; grad mode and anomaly mode belong to each thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any

from .domains import DERIVATIVE, expression, refusal
from .modes import anomaly_enabled, check_backward, enable_grad
from .rules import RULES
from .value import Value

_WALK = threading.RLock()
"""Held by a backward pass while it uses the nodes' ``grad`` slots: one pass at a time, so that
passes in several threads on shared nodes add up as the same passes one after another would."""
_VJP = {op: rule.vjp for op, rule in RULES.items()}
_MANY_INPUTS = "dot"
"""The op of many inputs (``products.py``): its rule takes two sequences, a and b; its node's
inputs are a, then b."""
_data_of, _version_of = attrgetter("_data"), attrgetter("_version")


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
            x, y, rest = node._x, node._y, node._rest
            if rest:  # pushed first, walked last
                stack.extend((v, False) for v in reversed(rest) if v not in visited)
            if type(y) is Value and y not in visited:
                stack.append((y, False))
            if x is not None and x not in visited:
                stack.append((x, False))
    return order


def backward(root: Value, grad: Any, create_graph: bool) -> None:
    """Set ``.grad`` = d(root)/d(node) for every node root depends on; leaves accumulate.

    All or nothing: if a rule raises (a derivative outside its domain, an anomaly), every ``.grad``
    is put back as it was. One pass at a time (``_WALK``): passes from several threads on one
    graph, or on graphs sharing leaves, add into the leaves as the same calls made one after
    another would. ``create_graph`` records the backward pass whatever the grad mode.
    """
    if create_graph or not root._op:  # gradients computed first, then written (a leaf: no walk)
        table = gradient_table(root, grad, create_graph)
        with _WALK:
            for node, g in table.items():
                node.grad = g if node._op else _accumulate(node.grad, g)
        return
    with _WALK:
        computed: list[Any] = []  # node, its .grad before this pass, ...: where it was not 0.0
        leaves: list[Any] = []  # the same for the leaves
        interior = computed_nodes(root, computed, leaves)  # if it raises, it undoes its marks
        try:
            root.grad = grad
            _backward_floats(interior)
        except BaseException:  # every node of the graph was reached
            _undo(topological_order(root), computed + leaves)
            raise
        for leaf, old in zip(leaves[::2], leaves[1::2]):  # .grad holds what this pass added
            leaf.grad = _accumulate(old, leaf.grad)


def computed_nodes(root: Value, computed: list[Any] | None = None,
                   leaves: list[Any] | None = None) -> list[Value]:
    """The computed (non-leaf) nodes root depends on, each after its inputs, ready for backward.

    The same depth-first search as ``topological_order`` (leaves are not placed: they have no rule
    to apply). It resets the gradient of every node it reaches, leaves included, to 0.0, keeping
    an old gradient that was not 0.0 in ``computed`` or ``leaves`` (node, old gradient, ...), and,
    as it places a node, checks that neither the node nor an input had its ``.data`` assigned
    since the node was recorded (``changed_error``), before any gradient is computed. If that
    check raises, every gradient it reset is put back first.

    Reached nodes are marked in their own ``grad`` slot, not in a set: the reset gradient is this
    call's own float object 0.0 (``is`` tells it from every other 0.0), so each node's cost stays
    the same at every size (``benchmarks/bench_large_graph.py``). ``backward`` holds ``_WALK``, so
    no other pass sees the marks. First inputs first: where each step's first input is the node
    made just before (a chain, or the benchmark's random DAG), the nodes are placed in the order
    they were made, so sorting them by age would gain nothing; the far reads left are the graph's
    own edges, which any walk must follow.
    """
    computed = [] if computed is None else computed
    leaves = [] if leaves is None else leaves
    keep, keep_leaf = computed.append, leaves.append
    reached = float("0")  # a new float object, 0.0, made by this call: the mark of a node reached
    interior: list[Value] = []
    if root.grad != 0.0:
        keep(root)
        keep(root.grad)
    root.grad = reached
    stack = [root]
    more: dict[Value, Iterator[Value]] = {}  # a node of many inputs: its computed ones still to see
    try:
        while stack:
            node = stack[-1]
            x, y = node._x, node._y
            g = x.grad
            if g is not reached:  # mark x; a computed x: walk its graph, then come back
                x.grad = reached
                if x._op:
                    if g != 0.0:
                        keep(x)
                        keep(g)
                    stack.append(x)
                    continue
                if g != 0.0:
                    keep_leaf(x)
                    keep_leaf(g)
            y_is_value = type(y) is Value  # not a number kept inline, nor None
            if y_is_value:
                g = y.grad
                if g is not reached:
                    y.grad = reached
                    if y._op:
                        if g != 0.0:
                            keep(y)
                            keep(g)
                        stack.append(y)
                        continue
                    if g != 0.0:
                        keep_leaf(y)
                        keep_leaf(g)
                if node._rest and _visit_rest(node, stack, more, reached, keep, keep_leaf):
                    continue
            stack.pop()  # every input placed: place the node
            version = node._version  # (the inputs in _rest are checked by _visit_rest)
            if x._version > version or y_is_value and y._version > version:
                raise changed_error(node)
            interior.append(node)
    except BaseException:
        _undo([v for v in topological_order(root) if v.grad is reached], computed + leaves)
        raise
    return interior


def _visit_rest(node: Value, stack: list[Value], more: dict[Value, Iterator[Value]],
                reached: float, keep: Any, keep_leaf: Any) -> bool:
    """For a node of more than two inputs on top of ``computed_nodes``'s stack: push the next
    computed input of ``_rest`` not yet reached and return True, or return False when all are.

    On the first visit it checks their versions, marks the leaves among them (a computed input
    is marked when it is pushed, so that it is placed before anything using it) and keeps an
    iterator over the computed ones.
    """
    inputs = more.get(node)
    if inputs is None:
        if max(map(_version_of, node._rest)) > node._version:
            raise changed_error(node)
        to_walk = []
        for v in node._rest:
            g = v.grad
            if g is not reached:
                if v._op:
                    to_walk.append(v)
                    continue
                if g != 0.0:
                    keep_leaf(v)
                    keep_leaf(g)
                v.grad = reached
        inputs = more[node] = iter(to_walk)
    for v in inputs:
        g = v.grad
        if g is not reached:
            if g != 0.0:
                keep(v)
                keep(g)
            v.grad = reached
            stack.append(v)
            return True
    return False


def _undo(reached: list[Value], kept: list[Any]) -> None:
    """Put back the ``.grad`` of every node a backward pass reached (it raised): the old gradient
    kept for it (``kept``: node, old, ...), or the 0.0 it had when none was kept."""
    old = dict(zip(kept[::2], kept[1::2]))
    for v in reached:
        v.grad = old.get(v, 0.0)


def _backward_floats(interior: list[Value]) -> None:
    """The executor on floats: each node's rule on its inputs' numbers, from the output back."""
    vjp, check, many_inputs_rule = _VJP, anomaly_enabled(), _VJP[_MANY_INPUTS]
    for node in reversed(interior):
        op, x, y = node._op, node._x, node._y
        rule = vjp[op]
        if rule is many_inputs_rule:
            _many_inputs_floats(node, check)
            continue
        y_is_value = type(y) is Value
        y_data = y._data if y_is_value else y  # the second input's number, or the constant
        try:
            grads = rule(node.grad, node._data, x._data, y_data)
        except (ArithmeticError, ValueError) as error:
            grads = _infinite_slope(op, node.grad, x._data, y_data, error)
        if check:
            check_backward(op, (x, y), node.grad, grads)
        x.grad += grads[0]
        if y_is_value:
            y.grad += grads[1]


def _many_inputs_floats(node: Value, check: bool) -> None:
    """The float executor's step for a dot node: a_i gets g b_i and b_i gets g a_i (its rule)."""
    inputs = node.parents
    n = len(inputs) // 2
    numbers = list(map(_data_of, inputs))
    da, db = _VJP[node._op](node.grad, node._data, numbers[:n], numbers[n:])
    if check:
        check_backward(node._op, numbers, node.grad, (*da, *db))
    for v, d in zip(inputs, (*da, *db)):
        v.grad += d


def gradient_table(root: Value, grad: Any, create_graph: bool) -> dict[Value, Any]:
    """{node: d(root)/d(node)} for root and every node it depends on, where d(root)/d(root) = grad.

    The gradients are summed in this call's own table: no node's ``.grad`` is read or written, so
    ``gradients`` and ``grad`` may run beside backward passes in other threads. With
    ``create_graph`` they are Values whose graph records the backward pass (differentiable again),
    whatever the grad mode.
    """
    order = topological_order(root)
    for node in order:  # refuse a changed graph before computing anything
        if node._op and max(map(_version_of, node.parents)) > node._version:
            raise changed_error(node)
    table: dict[Value, Any] = {root: grad}
    with enable_grad():  # (on floats nothing is recorded anyway)
        for node in reversed(order):
            if node._op:
                for v, d in zip(node.parents, _local_gradients(node, table[node], create_graph)):
                    table[v] = _accumulate(table.get(v, 0.0), d)
    return table


def _local_gradients(node: Value, g: Any, on_values: bool) -> tuple:
    """g * d(node)/d(input) for each input of a computed node, in ``parents`` order: its rule on
    the Values (recording a graph) or on their numbers."""
    op, x, y = node._op, node._x, node._y
    if op == _MANY_INPUTS:
        inputs = node.parents
        n = len(inputs) // 2
        args = inputs if on_values else tuple(map(_data_of, inputs))
        da, db = _VJP[op](g, None, args[:n], args[n:])  # the dot rule does not read out
        shown, grads = args, (*da, *db)
    else:
        y_data = y._data if type(y) is Value else y  # the second input's number, or the constant
        try:
            rule = _VJP[op]
            grads = rule(g, node, x, y) if on_values else rule(g, node._data, x._data, y_data)
        except (ArithmeticError, ValueError) as error:
            grads = _infinite_slope(op, g, x._data, y_data, error)
        shown = (x, y)
    if anomaly_enabled():
        check_backward(op, shown, g, grads)
    return grads


def changed_error(node: Value) -> RuntimeError:
    """The error for a node whose number, or an input's, was assigned after the node was recorded.

    ``computed_nodes`` compares versions (``value.py``): an input newer than the node was assigned
    after the node was computed from it. A node whose own result was assigned has a negative
    version, below that of any leaf, so the same comparison catches it (or, if its first input was
    assigned too, that input's own check does: following first inputs always ends at a leaf).
    """
    if node._version < 0:
        what = "its own .data was assigned"
    else:
        culprit = next(v for v in node.parents if v._version > node._version)
        what = f"the .data of its input {_describe(culprit)} was assigned"
    return RuntimeError(
        f"backward: {_describe(node)} was recorded, then {what}; its derivative would mix the old "
        "graph with the new number. Run the forward pass again after changing .data (optimisers "
        "change it between steps, when no graph is held)"
    )


def _describe(v: Value) -> str:
    kind = f"the {v._op} node" if v._op else "the leaf"
    return f"{kind} {v.label!r}" if v.label else f"{kind} (data={v._data!r})"


def _accumulate(total: Any, g: Any) -> Any:
    # skip recording "0.0 + g" when nothing has arrived yet
    return g if type(total) is float and total == 0.0 else total + g


def _infinite_slope(op: str, g: Any, x: float, y: Any, error: Exception) -> tuple:
    """For a rule that raised: zero gradients when g is 0 and op's derivative is infinite at (x, y)
    (0 times an infinite slope is 0, as in PyTorch), else the domain table's refusal, else the
    arithmetic error, worded."""
    refused = refusal(op, x, y, DERIVATIVE)
    if refused is not None and getattr(g, "_data", g) == 0.0:
        zero = g * 0.0  # a Value g keeps its graph: the zero is still a function of it
        return zero, zero
    if refused is not None:
        raise refused from error
    raise type(error)(f"backward of {op}: the derivative is not finite, got "
                      f"{expression(op, x, y)} ({error})") from error


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Reset ``.grad`` to 0.0: of the given Values, or of every leaf of a graph's output."""
    if isinstance(values, Value):
        values = [node for node in topological_order(values) if not node._op]
    for v in values:
        v.grad = 0.0


def add_gradients(leaves: Iterable[Value], grads: Iterable[Any]) -> None:
    """Add each gradient into its leaf's ``.grad``, as one step among backward passes (under
    ``_WALK``)."""
    with _WALK:
        for leaf, g in zip(leaves, grads):
            leaf.grad += g
