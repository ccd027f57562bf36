"""The stand-in number of tracing: what a placeholder holds while ``trace.py`` records a graph.

``trace(fn, n_inputs, parameters)`` (``trace.py``) calls ``fn`` on a list of placeholder Values.
While it runs, the placeholders hold no number: their ``data`` is ``TRACED``, a stand-in that
supports arithmetic and the engine's functions (so every forward rule of ``rules.py`` runs and
the graph gets recorded) but refuses to become a bool or a float. Everything computed from a
placeholder holds ``TRACED`` too.

Why refuse? The recorded graph is replayed for every example of every batch (``compiled.py``).
A Python ``if x > 0:`` inside ``fn`` would pick one branch at tracing time and replay that
branch for all examples, silently wrong for the others, so it raises ``TracingError`` instead
(like JAX's tracers). Piecewise functions are written with the engine's ops (relu, abs,
leaky_relu, elu), whose rules handle every example on its own side of the kink.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, NoReturn

from ..rules import RULES
from ..value import Value


class TracingError(TypeError):
    """A traced function tried to use a traced number as a Python bool or float."""


_WHY = (
    "autograd.compile records the graph once and replays it for every example (and after every "
    "parameter update), so while it traces, the inputs and the parameters have no numbers yet. "
    "A Python `if`, a comparison, float(), .item() or arithmetic on .data would freeze the branch "
    "taken at tracing time for all examples. Write piecewise functions with the engine's ops "
    "(relu, abs, leaky_relu, elu, or s*a + (1 - s)*b with s = sigmoid(x)), "
    "or run the function eagerly (nn.fit(..., engine='eager'))."
)


def _refuse(what: str) -> Callable[..., NoReturn]:
    def refuse(self: TracedNumber, *args: Any, **kwargs: Any) -> NoReturn:
        raise refusal(what)

    refuse.__name__ = f"refuse_{what}"
    return refuse


def refusal(what: str) -> TracingError:
    """The error for ``what`` done with a traced number (the explanation included)."""
    return TracingError(f"tracing: {what} needs the number of a traced value. {_WHY}")


class TracedNumber(numbers.Real):
    """The ``data`` of a placeholder (or of anything computed from one) while tracing.

    Arithmetic and the engine's functions give back the stand-in, so forward rules run unchanged;
    anything that needs an actual number raises ``TracingError``. It is a ``numbers.Real`` by its
    own declaration (as ``fractions.Fraction`` is a ``Rational``), so ``Value(x.data)`` asks
    ``float()`` and gets the explanation; nothing is registered anywhere.
    """

    __slots__ = ()

    def _same(self, *args: Any) -> TracedNumber:
        for a in args:  # a loop, not any(): every traced operation passes here
            if isinstance(a, Value):  # x.data * w: a number taken out of the graph
                _refuse("arithmetic on .data (taken out of the graph) with a Value")(self)
        return self

    # Python's arithmetic (numbers.Real asks for it); the engine's functions come from the op
    # table, below the class: x.exp(), x.max(y), ... (every ``Op.method``) give the stand-in too
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = _same

    __bool__ = _refuse("a Python bool (an `if`, `and`/`or`, `while`)")
    __float__ = _refuse("float()")
    __int__ = __index__ = __trunc__ = __floor__ = __ceil__ = __round__ = _refuse("int()/round()")
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse("floor division or %")
    __lt__ = _refuse("the comparison <")
    __le__ = _refuse("the comparison <=")
    __gt__ = _refuse("the comparison >")
    __ge__ = _refuse("the comparison >=")
    __eq__ = _refuse("the comparison ==")
    __ne__ = _refuse("the comparison !=")
    __array__ = _refuse("a numpy function (np.isnan, np.exp, np.asarray, ...)")
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<traced>"

    def __format__(self, spec: str) -> str:
        return "<traced>"


for _rule in RULES.values():  # so every forward rule of the table runs on the stand-in
    if _rule.method:
        setattr(TracedNumber, _rule.method, TracedNumber._same)

TRACED = TracedNumber()
