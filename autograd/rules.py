"""Every operation of the engine: its forward function and its derivative rule, one line each.

A rule is a vector-Jacobian product ``vjp(g, out, x, y) -> (dx, dy)``:

* ``g``   the upstream gradient dL/d(out),
* ``out`` the operation's result,
* ``x``   the first input (always a Value in the graph),
* ``y``   the second input: another Value, or a plain number kept inline (a constant
          operand such as the 2 in ``x * 2``, or an activation's alpha), or None.

It returns dL/dx (and dL/dy when y is a Value) by the chain rule: dL/dx = g * d(out)/dx.
Rules use only arithmetic and the primitives of ``primitives.py``, so the same table runs on
floats (``backward()``), on Values (``create_graph=True``: higher derivatives) and on numpy
arrays (the batched replay executor). ``Dn`` names the derivation in docs/derivations.md.
The rules assume inputs inside the op's domain: the executors check ``domains.py`` first.

Ops with a constant on the left keep the Value in ``x`` and the constant in ``y``:
``rsub`` is ``y - x``, ``rdiv`` is ``y / x`` and ``rpow`` is ``y ** x``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from .primitives import (
    absolute,
    elu,
    equal,
    exp,
    leaky_relu,
    log,
    max_share,
    maximum,
    power_slope,
    relu,
    sigmoid,
    sign,
    softplus,
    sqrt,
    step,
    tanh,
    where,
)


class Rule(NamedTuple):
    forward: Callable[[Any, Any], Any]  # (x, y) -> out, on floats or arrays
    vjp: Callable[[Any, Any, Any, Any], tuple]  # (g, out, x, y) -> (dx,) or (dx, dy)
    formula: str  # the rule's math as text: shown by the pictures and the explorer


# fmt: off
RULES: dict[str, Rule] = {
    # op     forward                          vjp(g, out, x, y) -> (dx, dy)                        formula (shown to students)                 derivation
    "add":  Rule(operator.add,              lambda g, out, x, y: (g, g),                         "d(x + y) = dx + dy"),                        # D2
    "sub":  Rule(operator.sub,              lambda g, out, x, y: (g, -g),                        "d(x - y) = dx - dy"),                        # D2
    "rsub": Rule(lambda x, c: c - x,        lambda g, out, x, c: (-g,),                          "d(c - x) = -dx"),
    "mul":  Rule(operator.mul,              lambda g, out, x, y: (g * y, g * x),                 "d(x y) = y dx + x dy"),                      # D2, D3
    "div":  Rule(operator.truediv,          lambda g, out, x, y: (g / y, -g * out / y),          "d(x / y) = dx / y - (x / y) dy / y"),
    "rdiv": Rule(lambda x, c: c / x,        lambda g, out, x, c: (-g * out / x,),                "d(c / x) = -(c / x) dx / x"),
    "neg":  Rule(lambda x, _: -x,           lambda g, out, x, _: (-g,),                          "d(-x) = -dx"),
    "pow":  Rule(operator.pow,              lambda g, out, x, n: (g * power_slope(x, n),),       "d(x^n) = n x^(n-1) dx   (n a number)"),
    "powv": Rule(operator.pow,              lambda g, out, x, y: (g * y * x ** (y - 1),
                                                                  g * out * log(x)),             "d(x^y) = y x^(y-1) dx + x^y ln(x) dy"),
    "rpow": Rule(lambda x, c: c ** x,       lambda g, out, x, c: (g * out * log(c),),            "d(c^x) = c^x ln(c) dx"),
    "exp":  Rule(lambda x, _: exp(x),       lambda g, out, x, _: (g * out,),                     "d(e^x) = e^x dx"),
    "log":  Rule(lambda x, _: log(x),       lambda g, out, x, _: (g / x,),                       "d(ln x) = dx / x"),                          # D6
    "sqrt": Rule(lambda x, _: sqrt(x),      lambda g, out, x, _: (g / (2.0 * out),),             "d(sqrt x) = dx / (2 sqrt x)"),
    "abs":  Rule(lambda x, _: absolute(x),  lambda g, out, x, _: (g * sign(x),),                 "d|x| = sign(x) dx   (0 at x = 0)"),
    "eq":   Rule(equal,                     lambda g, out, x, y: (0.0 * g, 0.0 * g),             "d[x = y] = 0   (a step: flat wherever it is defined)"),
    "max":  Rule(maximum,                   lambda g, out, x, y: (g * max_share(x, y), g * max_share(y, x)), "d max(x, y) = [x > y] dx + [y > x] dy   (a tie: half each)"),  # D12
    # activations (D5); kinks: ReLU'(0) = 0, leaky ReLU'(0) = 1, ELU'(0) = alpha
    "tanh":       Rule(lambda x, _: tanh(x),     lambda g, out, x, _: (g * (1.0 - out * out),),    "d(tanh x) = (1 - tanh^2 x) dx"),         # D5
    "sigmoid":    Rule(lambda x, _: sigmoid(x),  lambda g, out, x, _: (g * out * (1.0 - out),),    "d(s(x)) = s(x) (1 - s(x)) dx"),          # D5
    "relu":       Rule(lambda x, _: relu(x),     lambda g, out, x, _: (g * step(x),),              "d(relu x) = [x > 0] dx"),                # D5
    "leaky_relu": Rule(leaky_relu,               lambda g, out, x, a: (g * where(x >= 0, 1.0, a),),  "d(lrelu x) = (1 if x >= 0 else alpha) dx"),   # D5
    "elu":        Rule(elu,                      lambda g, out, x, a: (g * where(x > 0, 1.0, out + a),),  "d(elu x) = (1 if x > 0 else alpha e^x) dx"),  # D5
    "softplus":   Rule(lambda x, _: softplus(x), lambda g, out, x, _: (g * sigmoid(x),),           "d(ln(1 + e^x)) = sigmoid(x) dx"),        # D5
}
# fmt: on
