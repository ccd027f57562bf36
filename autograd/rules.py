"""Every operation of the engine, one record each: its forward function, its derivative rule, its
formula and how it is called, drawn and checked.

The rules are small named functions, one line each with the derivation beside it, gathered in
the table ``RULES`` (op name -> ``Op``). Named functions rather than lambdas so that mutation
testing (``make mutation``) can break each rule and check that a test notices.

A rule is a vector-Jacobian product ``vjp(g, out, x, y) -> (dx, dy)``:

* ``g``   the upstream gradient dL/d(out),
* ``out`` the operation's result,
* ``x``   the first input (always a Value in the graph),
* ``y``   the second input: another Value, or a plain number kept inline (a constant
          operand such as the 2 in ``x * 2``, or an activation's alpha), or None.

It returns dL/dx (and dL/dy when y is a Value) by the chain rule: dL/dx = g * d(out)/dx.
One op takes many inputs: ``dot`` (``autograd.dot``), whose x and y are the two sequences
a and b, returns the two sequences (dL/da_0, dL/da_1, ...) and (dL/db_0, ...).
Rules use only arithmetic and the primitives of ``primitives.py``, so the same table runs on
floats (``backward()``), on Values (``create_graph=True``: higher derivatives) and on numpy
arrays (the batched replay executor). ``Dn`` names the derivation in docs/derivations.md.
The rules assume inputs inside the op's domain (``Op.refuses``): the executors check it first
(``domains.py``).

Ops with a constant on the left keep the Value in ``x`` and the constant in ``y``:
``rsub`` is ``y - x``, ``rdiv`` is ``y / x`` and ``rpow`` is ``y ** x``.

Everything else is read from the table: ``Value``'s methods (an entry whose method ``Value``
does not define gets one), the stand-in numbers of ``autograd.compile``'s tracing, the domain
checks, the command line's functions (``chainrule graph "sin(x)" x=1``) and the pictures' text.
Adding an operation is a primitive (``primitives.py``, for floats, arrays and Values), two
one-line functions and one entry here; for example ``sin``:

    def sin_forward(x, _):        return sin(x)
    def sin_vjp(g, out, x, _):        return (g * cos(x),)                      # d sin x = cos x dx
        sin=        Op(sin_forward,      sin_vjp,        "d(sin x) = cos(x) dx"),

(``README.md``, How it works; ``tests/test_engine_add_an_op.py`` does it on a copy of the package.)
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any, NamedTuple

from .primitives import (
    absolute,
    elu,
    elu_slope,
    equal,
    exp,
    leaky_relu,
    leaky_slope,
    log,
    max_share,
    maximum,
    power_slope,
    relu,
    sigmoid,
    sigmoid_slope,
    sign,
    softplus,
    sqrt,
    step,
    tanh,
    tanh_slope,
)


class Domain(NamedTuple):
    """One condition an op's inputs must meet (``domains.py`` checks it and words the error)."""

    ok: Callable[[Any, Any], Any]  # (x, y) -> True where defined (elementwise on arrays)
    error: type[Exception]  # raised when ``ok`` fails
    requirement: str  # what the inputs must be, in words, for the message


class Op(NamedTuple):
    """One operation: all that the engine, the replay, the pictures and the command line know of it.

    forward, vjp     ``out = forward(x, y)`` and ``vjp(g, out, x, y) -> (dL/dx, dL/dy)``
    formula          the rule's math as text, shown by the pictures and the explorer
    inputs           the formula's letters for the inputs: ``"x"`` one Value; ``"x y"`` y a Value or
                     a number; ``"x n"``, ``"x c"``, ``"x alpha"`` a number kept inline (no
                     gradient); ``"a b"`` two sequences (``dot``)
    symbol           the text in the pictures' ellipse (``+``, ``\u00d7``); the op's name if empty
    method           the Value method or operator that records it (``exp``, ``__add__``); the op's
                     name if empty; None for a function of its own (``autograd.dot``)
    refuses          inputs where op(x, y) is undefined (``domains.FORWARD``)
    refuses_slope    inputs where op(x, y) is defined but its derivative is infinite
                     (``domains.DERIVATIVE``)
    late             inputs outside ``refuses`` always give a NaN or an infinity (and so do those
                     outside ``refuses_slope``, in the backward pass): the replay checks them only
                     once one shows up
    name             the op's key in ``RULES`` (filled in by the table)
    """

    forward: Callable[[Any, Any], Any]  # (x, y) -> out, on floats or arrays
    vjp: Callable[[Any, Any, Any, Any], tuple]  # (g, out, x, y) -> (dx,) or (dx, dy)
    formula: str
    inputs: str = "x"
    symbol: str = ""
    method: str | None = ""
    refuses: tuple[Domain, ...] = ()
    refuses_slope: tuple[Domain, ...] = ()
    late: bool = False
    name: str = ""

    @property
    def arity(self) -> int:
        """How many inputs the rule takes: 1 (x) or 2 (x and y, or the sequences a and b)."""
        return len(self.inputs.split())

    @property
    def constant(self) -> bool:
        """True when the second input is a number kept inline (n, c, alpha), never a Value."""
        return self.arity == 2 and self.inputs.split()[1] not in ("y", "b")

    @property
    def written(self) -> str:
        """How op(x, y) is written (in messages, and on the command line), y the second input or the
        constant: ``{x} + {y}``, ``log({x})``, ``elu({x}, alpha={y})``, ``equal({x}, {y})``."""
        if self.method in OPERATORS:
            return OPERATORS[self.method]
        call = self.method or self.name  # x.equal(y) is written equal(x, y)
        if self.arity == 1:
            return f"{call}({{x}})"
        letter = self.inputs.split()[1]
        second = f"{letter}={{y}}" if self.constant else "{y}"
        return f"{call}({{x}}, {second})"


Rule = Op  # the other name of an entry: ``RULES[op]`` is an Op, a Rule

# how Python writes a Value's operators: x - y (``__sub__``), c - x (``__rsub__``, x the Value)
OPERATORS = {
    "__add__": "{x} + {y}", "__sub__": "{x} - {y}", "__rsub__": "{y} - {x}", "__mul__": "{x} * {y}",
    "__truediv__": "{x} / {y}", "__rtruediv__": "{y} / {x}", "__pow__": "{x} ** {y}",
    "__rpow__": "{y} ** {x}", "__neg__": "-{x}",
}


# fmt: off
# ------------------------------------------------------------ forward functions not in ``operator``
def rsub_forward(x, c):       return c - x
def rdiv_forward(x, c):       return c / x
def rpow_forward(x, c):       return c ** x
def neg_forward(x, _):        return -x
def exp_forward(x, _):        return exp(x)
def log_forward(x, _):        return log(x)
def sqrt_forward(x, _):       return sqrt(x)
def abs_forward(x, _):        return absolute(x)
def tanh_forward(x, _):       return tanh(x)
def sigmoid_forward(x, _):    return sigmoid(x)
def relu_forward(x, _):       return relu(x)
def softplus_forward(x, _):   return softplus(x)
def dot_forward(a, b):        return reduce(operator.add, map(operator.mul, _seq(a, b), b))  # left


# ------------------------------------------------------------ rules: vjp(g, out, x, y) -> (dx, dy)
def add_vjp(g, out, x, y):        return g, g                               # D2
def sub_vjp(g, out, x, y):        return g, -g                              # D2
def rsub_vjp(g, out, x, c):       return (-g,)
def mul_vjp(g, out, x, y):        return g * y, g * x                       # D2, D3
def div_vjp(g, out, x, y):        return g / y, -g * out / y
def rdiv_vjp(g, out, x, c):       return (-g * out / x,)
def neg_vjp(g, out, x, _):        return (-g,)
def pow_vjp(g, out, x, n):        return (g * power_slope(x, n),)
def powv_vjp(g, out, x, y):       return g * y * x ** (y - 1), g * out * log(x)
def rpow_vjp(g, out, x, c):       return (g * out * log(c),)
def exp_vjp(g, out, x, _):        return (g * out,)
def log_vjp(g, out, x, _):        return (g / x,)                           # D6
def sqrt_vjp(g, out, x, _):       return (g / (2.0 * out),)
def abs_vjp(g, out, x, _):        return (g * sign(x),)
def eq_vjp(g, out, x, y):         return 0.0 * g, 0.0 * g                   # flat where defined
def max_vjp(g, out, x, y):        return g * max_share(x, y), g * max_share(y, x)  # D12, tie: half
# activations (D5); kinks: ReLU'(0) = 0, leaky ReLU'(0) = 1, ELU'(0) = alpha
def tanh_vjp(g, out, x, _):       return (g * tanh_slope(x, out),)          # D5: 1 - out^2
def sigmoid_vjp(g, out, x, _):    return (g * sigmoid_slope(x, out),)       # D5: out (1 - out)
def relu_vjp(g, out, x, _):       return (g * step(x),)                     # D5
def leaky_relu_vjp(g, out, x, a): return (g * leaky_slope(x, a),)           # D5: 1 or alpha
def elu_vjp(g, out, x, a):        return (g * elu_slope(x, a),)             # D5: 1 or alpha e^x
def softplus_vjp(g, out, x, _):   return (g * sigmoid(x),)                  # D5
def dot_vjp(g, out, a, b):        return [g * bi for bi in b], [g * ai for ai in a]  # D1, D11


def _seq(a: Sequence, b: Sequence) -> Sequence:
    """a, once a and b are checked to be sequences of one length (``dot``'s inputs, not arrays)."""
    if not isinstance(a, list | tuple) or not isinstance(b, list | tuple) or len(a) != len(b) \
            or not a:
        raise TypeError(f"dot: the rule takes two sequences of one length, got {type(a).__name__} "
                        f"and {type(b).__name__}")
    return a


# ------------------------------------------------------------ domains: what an op refuses
def positive(x, _):           return x > 0.0
def non_negative(x, _):       return x >= 0.0
def nonzero_divisor(x, y):    return y != 0.0
def nonzero(x, _):            return x != 0.0
def real_power(x, n):         return (x >= 0.0) | (n % 1.0 == 0.0)    # (-8) ** 0.5 is complex
def finite_power(x, n):       return (x != 0.0) | (n >= 0.0)          # 0 ** -1 = 1 / 0
def finite_slope(x, n):       return (x != 0.0) | (n >= 1.0) | (n == 0.0)  # n 0 ** (n - 1)
def positive_base(x, c):      return c > 0.0


POSITIVE_BASE = "with a Value exponent the base must be positive"
DIVISION = "division by zero"


# Run only at import (mutmut cannot switch it on; the op-table tests check its result).
def _table(**ops: Op) -> dict[str, Op]:  # pragma: no mutate block
    """The table with each entry's name filled in, and its symbol and method where left empty."""
    return {name: op._replace(name=name, symbol=op.symbol or name,
                              method=name if op.method == "" else op.method)
            for name, op in ops.items()}


RULES: dict[str, Op] = _table(
    # op =      Op(forward,          vjp,            formula (shown to students),
    #              inputs ("x" if left out), symbol, method (the op's name if left out),
    #              what it refuses (refuses, refuses_slope), late)
    add=        Op(operator.add,     add_vjp,        "d(x + y) = dx + dy",
                   "x y", "+", "__add__"),
    sub=        Op(operator.sub,     sub_vjp,        "d(x - y) = dx - dy",
                   "x y", "-", "__sub__"),
    rsub=       Op(rsub_forward,     rsub_vjp,       "d(c - x) = -dx",
                   "x c", "-", "__rsub__"),
    mul=        Op(operator.mul,     mul_vjp,        "d(x y) = y dx + x dy",
                   "x y", "\u00d7", "__mul__"),
    div=        Op(operator.truediv, div_vjp,        "d(x / y) = dx / y - (x / y) dy / y",
                   "x y", "/", "__truediv__",
                   (Domain(nonzero_divisor, ZeroDivisionError, DIVISION),), late=True),
    rdiv=       Op(rdiv_forward,     rdiv_vjp,       "d(c / x) = -(c / x) dx / x",
                   "x c", "/", "__rtruediv__",
                   (Domain(nonzero, ZeroDivisionError, DIVISION),), late=True),
    neg=        Op(neg_forward,      neg_vjp,        "d(-x) = -dx",
                   "x", "-", "__neg__"),
    pow=        Op(operator.pow,     pow_vjp,        "d(x^n) = n x^(n-1) dx   (n a number)",
                   "x n", "^", "__pow__",
                   (Domain(real_power, ValueError, "a negative base needs an integer exponent "
                                                   "(the result would be complex)"),
                    Domain(finite_power, ZeroDivisionError,
                           "zero to a negative power is a division by zero")),
                   (Domain(finite_slope, ZeroDivisionError,
                           "the derivative n x**(n - 1) is infinite at x = 0 for 0 < n < 1"),),
                   late=True),
    powv=       Op(operator.pow,     powv_vjp,       "d(x^y) = y x^(y-1) dx + x^y ln(x) dy",
                   "x y", "^", "__pow__",
                   (Domain(positive, ValueError, f"{POSITIVE_BASE} (d/dy x**y = x**y ln x)"),)),
    rpow=       Op(rpow_forward,     rpow_vjp,       "d(c^x) = c^x ln(c) dx",
                   "x c", "^", "__rpow__",
                   (Domain(positive_base, ValueError,
                           f"{POSITIVE_BASE} (d/dx c**x = c**x ln c)"),)),
    exp=        Op(exp_forward,      exp_vjp,        "d(e^x) = e^x dx"),
    log=        Op(log_forward,      log_vjp,        "d(ln x) = dx / x",
                   refuses=(Domain(positive, ValueError, "the input must be positive"),),
                   late=True),
    sqrt=       Op(sqrt_forward,     sqrt_vjp,       "d(sqrt x) = dx / (2 sqrt x)",
                   refuses=(Domain(non_negative, ValueError, "the input must be non-negative"),),
                   refuses_slope=(Domain(positive, ZeroDivisionError,
                                         "the derivative 1 / (2 sqrt x) is infinite at x = 0"),),
                   late=True),
    abs=        Op(abs_forward,      abs_vjp,        "d|x| = sign(x) dx   (0 at x = 0)"),
    eq=         Op(equal,            eq_vjp,         "d[x = y] = 0   (a step: flat wherever it is "
                                                     "defined)", "x y", method="equal"),
    max=        Op(maximum,          max_vjp,        "d max(x, y) = [x > y] dx + [y > x] dy   "
                                                     "(a tie: half each)", "x y"),
    tanh=       Op(tanh_forward,     tanh_vjp,       "d(tanh x) = (1 - tanh^2 x) dx"),
    sigmoid=    Op(sigmoid_forward,  sigmoid_vjp,    "d(s(x)) = s(x) (1 - s(x)) dx"),
    relu=       Op(relu_forward,     relu_vjp,       "d(relu x) = [x > 0] dx"),
    leaky_relu= Op(leaky_relu,       leaky_relu_vjp, "d(lrelu x) = (1 if x >= 0 else alpha) dx",
                   "x alpha"),
    elu=        Op(elu,              elu_vjp,        "d(elu x) = (1 if x > 0 else alpha e^x) dx",
                   "x alpha"),
    softplus=   Op(softplus_forward, softplus_vjp,   "d(ln(1 + e^x)) = sigmoid(x) dx"),
    dot=        Op(dot_forward,      dot_vjp,        "d(sum a_i b_i) = sum b_i da_i + a_i db_i",
                   "a b", "\u00b7", None),
)
# fmt: on
