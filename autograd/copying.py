"""Copying and pickling a graph of Values without recursion.

A graph can be a million nodes deep: copying or pickling node by node through the inputs would
recurse that deep. So the graph's nodes are taken in topological order, each after its inputs,
and each node then refers only to nodes already copied. ``Value.__copy__``, ``__deepcopy__`` and
``__reduce_ex__`` call the functions here.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from .backward import topological_order
from .value import Value, clock_past

_new = object.__new__

_PLACED: ContextVar[set[Value] | None] = ContextVar("chainrule_pickle_placed", default=None)
"""While a pickle stores an ``_InOrder`` list: the nodes it has handed over so far (each after its
inputs), which ``reduce_node`` then stores without a list of their own. None between pickles."""


def _fields(node: Value, grad: Any) -> tuple:
    """The arguments of ``_restore`` that rebuild node (with ``grad`` as its gradient)."""
    return node._data, grad, node.label, node._op, node._x, node._y, node._rest, node._version


def shallow_copy(node: Value) -> Value:
    """A new node with the same number, operation and (shared, not copied) inputs."""
    return _restore(*_fields(node, node.grad))


def deep_copy(root: Value, memo: dict[int, Any]) -> Value:
    """A copy of the whole graph behind root (and its gradients' graphs), made without recursion."""
    made = []
    for node in _graph_and_gradients(root):
        if id(node) not in memo:
            x, y = node._x, node._y
            x = None if x is None else memo[id(x)]
            y = memo[id(y)] if type(y) is Value else y
            rest = tuple(memo[id(v)] for v in node._rest)
            memo[id(node)] = _restore(node._data, 0.0, node.label, node._op, x, y, rest,
                                      node._version)
            made.append(node)
    for node in made:  # after the nodes: a gradient with a graph (create_graph) uses them
        g = node.grad
        memo[id(node)].grad = memo[id(g)] if type(g) is Value else g
    return memo[id(root)]


def reduce_node(node: Value) -> tuple:
    """Pickle: the graph's nodes first, in topological order, so that none recurses into its inputs.

    The node stores the nodes before it (``_InOrder``); once it exists, its state stores the rest
    of its gradients' graphs (``create_graph``) and every gradient, so no gradient recurses either.
    A node handed over by such a list stores only its fields: the list's owner sets its gradient.
    """
    fields = _fields(node, 0.0)
    placed = _PLACED.get()
    if placed is not None and node in placed:  # its inputs are in the pickle already
        return _restore, fields
    order = _graph_and_gradients(node)
    before = order[:order.index(node)]
    return _restore_after, (_InOrder(before), *fields), (_InOrder(order), [v.grad for v in order])


class _InOrder(list):
    """A graph's nodes in topological order, as a pickle stores them (``_restore_after``'s before).

    The pickle asks for the items one at a time; each is marked as placed just before it is handed
    over, so it is stored with references to its inputs (already stored) and without a list of its
    own. The marks last while the list is being stored, and are then dropped. (Lists never nest:
    the list holds every Value its nodes lead to, inputs and gradients, so each is placed or
    stored.)
    """

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return list, (), None, self._placing()

    def _placing(self) -> Any:
        placed: set[Value] = set()
        token = _PLACED.set(placed)
        try:
            for node in self:
                placed.add(node)
                yield node
        finally:
            _PLACED.reset(token)


def _graph_and_gradients(root: Value) -> list[Value]:
    """Every node of root's graph, and of the graphs of the gradients in it (and theirs...), each
    after its inputs; root's own graph comes first, root last in it."""
    roots = [root]
    while True:
        order = topological_order(roots)
        known = set(roots)
        more = [v.grad for v in order if type(v.grad) is Value and v.grad not in known]
        if not more:
            return order
        roots += dict.fromkeys(more)  # once each, in order


def _restore(data: Any, grad: Any, label: str, op: str | None, x: Value | None, y: Any,
             rest: tuple[Value, ...], version: int) -> Value:
    """A node from its fields (for copy and pickle), its version kept so that staleness survives."""
    node = _new(Value)
    node._data, node.grad, node.label, node._op = data, grad, label, op
    node._x, node._y, node._rest, node._version = x, y, rest, version
    clock_past(version)  # from another process: later changes here must still count
    return node


def _restore_after(before: list[Value], *fields: Any) -> Value:
    """Unpickle the last node of a graph; ``before`` (its inputs' graph) is already unpickled."""
    return _restore(*fields)
