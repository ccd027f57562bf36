"""The scalar ``Value``: a number that remembers how it was computed.

Every operation on Values makes a new Value that records the operation's name (``op``) and
its inputs. Following those links from an output back to the leaves gives the computation
graph that ``backward()`` walks in reverse. Forward functions and derivative rules both come
from the one table in ``rules.py``.

A node keeps its operands in order in three slots, read the same way by every executor: the
first input in ``_x``; the second operand in ``_y``: a Value, a plain number kept inline instead
of as a node of its own (the 2 in ``x * 2``, an activation's alpha), or None; any further inputs
in the tuple ``_rest`` (``()`` unless the op takes more, as ``dot`` does, ``products.py``).
``_op`` is ``""`` for a leaf, None for a result computed inside ``no_grad()`` (a leaf whose
operation was not recorded). A node is one object and its number, about 126 bytes: no tuple or
closure of its own, each one more object for Python's garbage collector to walk. Nodes point
only to their inputs, so a graph is freed as soon as its output is. Two slots serve safety:
``_version`` (see below) and ``__weakref__`` (so ``weakref.ref(v)`` works).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from .domains import CHECKED_FORWARD as _FORWARD
from .domains import overflow
from .modes import grad_enabled as _grad_enabled
from .operands import constant_operand, short_repr, to_float
from .rules import OPERATORS, RULES, Op
from .source import RECORDING as _RECORDING
from .source import remember as _remember

Number = int | float
Operand = "Value | int | float"

_new = object.__new__
_isfinite = math.isfinite

# Versions. Every Value keeps in ``_version`` the clock of when its number was set: the clock
# when it was made, or a new tick when ``.data`` was assigned (negated for a computed node:
# its own result was overwritten). The clock advances only on assignments, so building a graph
# costs one slot per node and no new int. Backward checks, per node, that no input is newer than
# the node and that the node's own result is intact (``backward.computed_nodes``,
# ``backward.changed_error``).
_ticks = itertools.count(1)
_clock = 0


class Value:
    """A scalar in a computation graph: ``data``, ``grad``, ``label``, ``op`` and ``parents``."""

    __slots__ = ("_data", "grad", "label", "_op", "_x", "_y", "_rest", "_version", "__weakref__")

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self._data = to_float(data, "Value")
        self._version = _clock
        self.grad = 0.0
        self.label = label
        self._op = ""
        self._x = self._y = None
        self._rest = ()
        if _grad_enabled() is _RECORDING:  # inside record_source(): note the line (source.py)
            _remember(self)

    # ------------------------------------------------------------ the number
    @property
    def data(self) -> float:
        """The number. Assigning it (an optimiser step) makes graphs recorded before unusable.

        The engine then refuses a backward pass through a node computed from the old number,
        instead of giving a derivative that mixes the old graph with the new number (as PyTorch
        does with its version counters; see ``_version``). Like ``Value(...)``, it takes only a
        finite real number: ``v.data = float("nan")`` raises ValueError naming ``Value.data``.
        """
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        global _clock
        value = to_float(value, "Value.data")  # never a NaN, an inf or a non-number in a graph
        _clock = tick = next(_ticks)
        self._data = value
        # a computed node's own result changed: its rule (which may use it) no longer holds
        self._version = -tick if self._op else tick

    # ------------------------------------------------------------ the graph
    @property
    def op(self) -> str:
        """Name of the operation that made this Value ('' for a leaf)."""
        return self._op or ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Value inputs of the operation, in argument order (constants excluded); a dot node's
        are a_0, ..., a_{n-1}, b_0, ..., b_{n-1} (a Value used twice is listed twice)."""
        x, y = self._x, self._y
        if type(y) is not Value:
            return () if x is None else (x,)
        return (x, y, *self._rest) if self._rest else (x, y)

    _prev = parents  # micrograd's name

    @property
    def constant(self) -> float | None:
        """The plain-number operand kept inline (the 2 in ``x * 2``, an alpha), if any."""
        return self._y if type(self._y) is float else None

    def is_leaf(self) -> bool:
        """True for a Value that no operation made (an input or a parameter)."""
        return not self._op

    # ------------------------------------------------------------ conversions
    def item(self) -> float:
        """The data as a Python float."""
        return float(self.data)  # float() so that a traced value explains why it has no number

    def __float__(self) -> float:
        return float(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph."""
        return Value(self.data, self.label)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # ------------------------------------------------------------ copy and pickle (copying.py)
    def __copy__(self) -> Value:
        """A new node with the same number, operation and (shared, not copied) inputs."""
        from .copying import shallow_copy

        return shallow_copy(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """A copy of the whole graph behind this Value (and its gradients' graphs), no recursion."""
        from .copying import deep_copy

        return deep_copy(self, memo)

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """Pickle: the graph's nodes first, each after its inputs, so that none recurses."""
        from .copying import reduce_node

        return reduce_node(self)

    def __setstate__(self, state: tuple[list[Value], list[Any]]) -> None:
        """Unpickle: the gradients of every node of the graph, once all of them exist."""
        for node, g in zip(*state):
            node.grad = g

    # comparisons look at data only; == stays identity so Values can be dict keys
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other)

    __hash__ = object.__hash__

    # ------------------------------------------------------------ backward
    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every node this Value depends on (reverse mode, D2-D4).

        Leaves accumulate (calling twice adds twice); interior gradients are recomputed. All or
        nothing: a pass that raises changes no ``.grad``. Passes from several threads on one graph
        add up as the same passes one after another would. With ``create_graph=True`` the
        gradients are Values with graphs of their own (a Value ``grad`` then counts as a function
        too), recorded even inside ``no_grad()``; without it they are floats, whatever ``grad`` is.
        """
        from .backward import backward

        if self._op is None:
            raise RuntimeError(
                f"backward: {self!r} was computed inside no_grad(), so no graph was recorded to "
                "differentiate; compute it outside no_grad() (or with enable_grad())"
            )
        if not isinstance(grad, Value):
            grad = to_float(grad, "backward: grad")
        elif not create_graph:
            grad = grad._data
        backward(self, grad, create_graph)

    # ------------------------------------------------------------ operators
    def __add__(self, other: Operand) -> Value:
        return record_binary("add", self, other)

    def __radd__(self, other: Number) -> Value:
        return record_binary("add", self, other)

    def __sub__(self, other: Operand) -> Value:
        return record_binary("sub", self, other)

    def __rsub__(self, other: Number) -> Value:
        return record_binary("rsub", self, other)

    def __mul__(self, other: Operand) -> Value:
        return record_binary("mul", self, other)

    def __rmul__(self, other: Number) -> Value:
        return record_binary("mul", self, other)

    def __truediv__(self, other: Operand) -> Value:
        return record_binary("div", self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return record_binary("rdiv", self, other)

    def __pow__(self, other: Operand) -> Value:
        return record_binary("powv" if type(other) is Value else "pow", self, other)

    def __rpow__(self, other: Number) -> Value:
        return record_binary("rpow", self, other)

    def __neg__(self) -> Value:
        return record_unary("neg", self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return record_unary("abs", self)

    # ------------------------------------------------------------ functions
    def exp(self) -> Value:
        """e ** self."""
        return record_unary("exp", self)

    def log(self) -> Value:
        """Natural logarithm; ValueError for data <= 0."""
        return record_unary("log", self)

    def sqrt(self) -> Value:
        """Square root; ValueError for data < 0."""
        return record_unary("sqrt", self)

    def abs(self) -> Value:
        """|self|, with derivative 0 at 0."""
        return record_unary("abs", self)

    def max(self, other: Operand) -> Value:
        """The larger of self and other; the gradient goes to the larger (half each at a tie, as
        PyTorch)."""
        return _method("max", self, other)

    def equal(self, other: Operand) -> Value:
        """1.0 where self == other, else 0.0, with derivative 0: a one-hot mask (a token id equal
        to c)."""
        return _method("eq", self, other)

    def tanh(self) -> Value:
        """Hyperbolic tangent (D5)."""
        return record_unary("tanh", self)

    def sigmoid(self) -> Value:
        """Logistic sigmoid 1 / (1 + e^-x), stable for any x (D5)."""
        return record_unary("sigmoid", self)

    def relu(self) -> Value:
        """max(0, x); ReLU'(0) = 0 (D5)."""
        return record_unary("relu", self)

    def leaky_relu(self, alpha: float = 0.01) -> Value:
        """x for x >= 0, alpha x below; derivative 1 at 0 (D5)."""
        return record_binary("leaky_relu", self, to_float(alpha, "leaky_relu: alpha"))

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, alpha (e^x - 1) for x <= 0; derivative alpha at 0 (D5)."""
        return record_binary("elu", self, to_float(alpha, "elu: alpha"))

    def softplus(self) -> Value:
        """log(1 + e^x), stable for any x."""
        return record_unary("softplus", self)


# ---------------------------------------------------------------- recording a node


def _record(op: str, x: Value, y: Any, x_data: Any, y_data: Any) -> Value:
    """Make the Value ``op(x, y)`` (y a second Value, a number kept inline, or None).

    Inputs outside the op's domain (``domains.py``) and results too large for a float are refused
    with an error naming the op and the numbers, so every value in a graph is a finite float.
    """
    try:
        data = _FORWARD[op](x_data, y_data)
    except OverflowError:  # math.exp and float ** raise it
        raise overflow(op, x_data, y_data) from None
    if type(data) is float and not _isfinite(data):  # finite inputs: only overflow (1e200 * 1e200)
        raise overflow(op, x_data, y_data)
    node = _new(Value)  # record_node's work, written out: most nodes of a graph are made here
    node._data = data
    node._version = _clock
    node.grad = 0.0
    node.label = ""
    on = _grad_enabled()
    if on:
        node._op = op
        node._x = x
        node._y = y
        node._rest = ()
        if on is not True:  # inside record_source(): note the user's line (source.py)
            _remember(node)
    else:
        node._op = node._x = node._y = None
        node._rest = ()
    return node


def record_node(data: Any, op: str, x: Value, y: Any, rest: tuple[Value, ...] = ()) -> Value:
    """A node holding ``data``, made by ``op`` from the operands x, y, *rest; inside ``no_grad()``
    a leaf whose operation is not recorded (``_op`` None)."""
    node = _new(Value)
    node._data = data
    node._version = _clock
    node.grad = 0.0
    node.label = ""
    on = _grad_enabled()
    if on:
        node._op = op
        node._x = x
        node._y = y
        node._rest = rest
        if on is not True:  # inside record_source(): note the user's line (source.py)
            _remember(node)
    else:
        node._op = node._x = node._y = None
        node._rest = ()
    return node


def record_unary(op: str, x: Value) -> Value:
    return _record(op, x, None, x._data, None)


def record_binary(op: str, x: Value, other: Any) -> Value:
    y = other if type(other) is Value else constant_operand(other, op)
    if y is NotImplemented:
        return NotImplemented
    return _record(op, x, y, x._data, y._data if type(y) is Value else y)


def _method(op: str, x: Value, other: Any) -> Value:
    """``record_binary`` for a method (``x.max(other)``): a TypeError naming it for an operand
    that is not a Value or a real number (an operator returns NotImplemented instead, for Python
    to try the other side)."""
    out = record_binary(op, x, other)
    if out is NotImplemented:
        raise TypeError(f"{op}: the other operand must be a Value or a real number, got "
                        f"{type(other).__name__}: {short_repr(other)}")
    return out


# Run only while autograd is imported, so mutmut (which switches a mutant on after the import)
# cannot reach it: tests/test_engine_add_an_op.py checks it in a fresh process instead.
def _recorder(op: Op) -> Callable[..., Value]:  # pragma: no mutate block
    """The Value method (or operator) of a table entry that ``Value`` does not define itself:
    ``x.sin()`` records ``sin(x)``, ``x.f(c)`` records f with the number c kept inline."""
    name = op.name

    def unary(self: Value) -> Value:
        return record_unary(name, self)

    def operator(self: Value, other: Any) -> Value:
        return record_binary(name, self, other)

    def with_constant(self: Value, c: Any) -> Value:
        return record_binary(name, self, to_float(c, f"{name}: {op.inputs.split()[1]}"))

    def binary(self: Value, other: Any) -> Value:
        return _method(name, self, other)

    method = (unary if op.arity == 1 else operator if op.method in OPERATORS
              else with_constant if op.constant else binary)
    method.__name__ = op.method
    method.__qualname__ = f"Value.{op.method}"
    method.__doc__ = f"{op.written.format(x='self', y=op.inputs.split()[-1])}; {op.formula}."
    return method


for _rule in RULES.values():  # every op of the table is a method: one entry adds an operation
    if _rule.method and _rule.method not in vars(Value):
        setattr(Value, _rule.method, _recorder(_rule))


def set_recomputed(node: Value, data: float) -> None:
    """Give a computed node the number its rule gives on its inputs' numbers now (set first,
    a finite float: ``Compiled.graph``), stamped as if just recorded, unlike assigning ``.data``
    (which marks the node's own result as overwritten)."""
    node._data = data
    node._version = _clock


def clock_past(version: int) -> None:
    """Move the clock past a version from another process (unpickling), so later changes count."""
    global _ticks, _clock
    if abs(version) > _clock:
        _clock = abs(version)
        _ticks = itertools.count(_clock + 1)


def _data(x: Operand) -> float:
    return x.data if type(x) is Value else to_float(x, "compare")
