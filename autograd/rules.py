"""Every operation of the engine: its forward function and its derivative rule, one line each.

The rules are small named functions, one line each with the derivation beside it, gathered in
the table ``RULES`` (op -> forward, vjp, formula). Named functions rather than lambdas so that
mutation testing (``make mutation``) can break each rule and check that a test notices.

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
The rules assume inputs inside the op's domain: the executors check ``domains.py`` first.

Ops with a constant on the left keep the Value in ``x`` and the constant in ``y``:
``rsub`` is ``y - x``, ``rdiv`` is ``y / x`` and ``rpow`` is ``y ** x``.
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


class Rule(NamedTuple):
    forward: Callable[[Any, Any], Any]  # (x, y) -> out, on floats or arrays
    vjp: Callable[[Any, Any, Any, Any], tuple]  # (g, out, x, y) -> (dx,) or (dx, dy)
    formula: str  # the rule's math as text: shown by the pictures and the explorer


# fmt: off
# ---------------------------------------------------------------- forward functions not in ``operator``
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
def dot_forward(a, b):        return reduce(operator.add, map(operator.mul, _seq(a, b), b))  # from the left


# ---------------------------------------------------------------- derivative rules: vjp(g, out, x, y) -> (dL/dx, dL/dy)
def add_vjp(g, out, x, y):          return g, g                                        # D2
def sub_vjp(g, out, x, y):          return g, -g                                       # D2
def rsub_vjp(g, out, x, c):         return (-g,)
def mul_vjp(g, out, x, y):          return g * y, g * x                                # D2, D3
def div_vjp(g, out, x, y):          return g / y, -g * out / y
def rdiv_vjp(g, out, x, c):         return (-g * out / x,)
def neg_vjp(g, out, x, _):          return (-g,)
def pow_vjp(g, out, x, n):          return (g * power_slope(x, n),)
def powv_vjp(g, out, x, y):         return g * y * x ** (y - 1), g * out * log(x)
def rpow_vjp(g, out, x, c):         return (g * out * log(c),)
def exp_vjp(g, out, x, _):          return (g * out,)
def log_vjp(g, out, x, _):          return (g / x,)                                    # D6
def sqrt_vjp(g, out, x, _):         return (g / (2.0 * out),)
def abs_vjp(g, out, x, _):          return (g * sign(x),)
def eq_vjp(g, out, x, y):           return 0.0 * g, 0.0 * g                            # a step: flat where defined
def max_vjp(g, out, x, y):          return g * max_share(x, y), g * max_share(y, x)    # D12; a tie: half each
# activations (D5); kinks: ReLU'(0) = 0, leaky ReLU'(0) = 1, ELU'(0) = alpha
def tanh_vjp(g, out, x, _):         return (g * tanh_slope(x, out),)                   # D5: 1 - out^2
def sigmoid_vjp(g, out, x, _):      return (g * sigmoid_slope(x, out),)                # D5: out (1 - out)
def relu_vjp(g, out, x, _):         return (g * step(x),)                              # D5
def leaky_relu_vjp(g, out, x, a):   return (g * leaky_slope(x, a),)                    # D5: 1 or alpha
def elu_vjp(g, out, x, a):          return (g * elu_slope(x, a),)                      # D5: 1 or alpha e^x
def softplus_vjp(g, out, x, _):     return (g * sigmoid(x),)                           # D5
def dot_vjp(g, out, a, b):          return [g * bi for bi in b], [g * ai for ai in a]  # D1, D11: a sum of products


def _seq(a: Sequence, b: Sequence) -> Sequence:
    """a, once a and b are checked to be sequences of one length (``dot``'s inputs, never arrays)."""
    if not isinstance(a, list | tuple) or not isinstance(b, list | tuple) or len(a) != len(b) or not a:
        raise TypeError(f"dot: the rule takes two sequences of one length, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    return a


RULES: dict[str, Rule] = {
    # op            forward            vjp               formula (shown to students)
    "add":        Rule(operator.add,     add_vjp,        "d(x + y) = dx + dy"),
    "sub":        Rule(operator.sub,     sub_vjp,        "d(x - y) = dx - dy"),
    "rsub":       Rule(rsub_forward,     rsub_vjp,       "d(c - x) = -dx"),
    "mul":        Rule(operator.mul,     mul_vjp,        "d(x y) = y dx + x dy"),
    "div":        Rule(operator.truediv, div_vjp,        "d(x / y) = dx / y - (x / y) dy / y"),
    "rdiv":       Rule(rdiv_forward,     rdiv_vjp,       "d(c / x) = -(c / x) dx / x"),
    "neg":        Rule(neg_forward,      neg_vjp,        "d(-x) = -dx"),
    "pow":        Rule(operator.pow,     pow_vjp,        "d(x^n) = n x^(n-1) dx   (n a number)"),
    "powv":       Rule(operator.pow,     powv_vjp,       "d(x^y) = y x^(y-1) dx + x^y ln(x) dy"),
    "rpow":       Rule(rpow_forward,     rpow_vjp,       "d(c^x) = c^x ln(c) dx"),
    "exp":        Rule(exp_forward,      exp_vjp,        "d(e^x) = e^x dx"),
    "log":        Rule(log_forward,      log_vjp,        "d(ln x) = dx / x"),
    "sqrt":       Rule(sqrt_forward,     sqrt_vjp,       "d(sqrt x) = dx / (2 sqrt x)"),
    "abs":        Rule(abs_forward,      abs_vjp,        "d|x| = sign(x) dx   (0 at x = 0)"),
    "eq":         Rule(equal,            eq_vjp,         "d[x = y] = 0   (a step: flat wherever it is defined)"),
    "max":        Rule(maximum,          max_vjp,        "d max(x, y) = [x > y] dx + [y > x] dy   (a tie: half each)"),
    "tanh":       Rule(tanh_forward,     tanh_vjp,       "d(tanh x) = (1 - tanh^2 x) dx"),
    "sigmoid":    Rule(sigmoid_forward,  sigmoid_vjp,    "d(s(x)) = s(x) (1 - s(x)) dx"),
    "relu":       Rule(relu_forward,     relu_vjp,       "d(relu x) = [x > 0] dx"),
    "leaky_relu": Rule(leaky_relu,       leaky_relu_vjp, "d(lrelu x) = (1 if x >= 0 else alpha) dx"),
    "elu":        Rule(elu,              elu_vjp,        "d(elu x) = (1 if x > 0 else alpha e^x) dx"),
    "softplus":   Rule(softplus_forward, softplus_vjp,   "d(ln(1 + e^x)) = sigmoid(x) dx"),
    "dot":        Rule(dot_forward,      dot_vjp,        "d(sum a_i b_i) = sum b_i da_i + a_i db_i"),
}
# fmt: on
