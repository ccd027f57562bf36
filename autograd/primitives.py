"""Small numeric primitives that work on every number type the engine meets.

The derivative rules in ``rules.py`` are written with ordinary arithmetic plus the
functions below, so one rule runs unchanged on

* Python floats (the ordinary backward pass),
* ``Value`` objects (a backward pass that records its own graph: higher derivatives),
* numpy arrays (the batched replay executor).

Each primitive looks at the type of its argument and does the right thing. Which inputs
an operation refuses is not decided here but in the one table of ``domains.py``, which
every executor checks before it calls these functions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .modes import is_tracing

_float = float
_ndarray = np.ndarray


# ---------------------------------------------------------------- scalar math


def exp(x: Any) -> Any:
    """e**x (math.exp on floats raises OverflowError above about 709.78: the executor words it)."""
    if type(x) is _float:
        return math.exp(x)
    if isinstance(x, _ndarray):
        return np.exp(x)
    return x.exp()


def log(x: Any) -> Any:
    """Natural log (x > 0: the executor checks the domain table first)."""
    if type(x) is _float:
        return math.log(x)
    if isinstance(x, _ndarray):
        return np.log(x)
    return x.log()


def sqrt(x: Any) -> Any:
    """Square root (x >= 0: the executor checks the domain table first)."""
    if type(x) is _float:
        return math.sqrt(x)
    if isinstance(x, _ndarray):
        return np.sqrt(x)
    return x.sqrt()


def power_slope(x: Any, n: float) -> Any:
    """n * x**(n - 1), the derivative of x**n; exactly 0 for n = 0 (x**0 = 1 is constant, even
    at 0)."""
    if isinstance(x, _ndarray) or isinstance(n, _ndarray):  # the replay checks the result for inf
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n == 0, 0.0, n * np.power(x, n - 1))
    if n == 0:
        return 0.0
    return n * x ** (n - 1)


# ---------------------------------------------------------------- activations


def tanh(x: Any) -> Any:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x); math.tanh is finite for every float."""
    if type(x) is _float:
        return math.tanh(x)
    if isinstance(x, _ndarray):
        return np.tanh(x)
    return x.tanh()


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), computed so that e^(big) is never formed (stable for any x)."""
    if type(x) is _float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    if isinstance(x, _ndarray):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return x.sigmoid()


def softplus(x: Any) -> Any:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): stable for any x."""
    if type(x) is _float:
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))
    if isinstance(x, _ndarray):
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
    return x.softplus()


def relu(x: Any) -> Any:
    """max(0, x)."""
    if type(x) is _float:
        return x if x > 0.0 else 0.0
    if isinstance(x, _ndarray):
        return np.maximum(x, 0.0)
    return x.relu()


def leaky_relu(x: Any, alpha: float) -> Any:
    """x for x >= 0, alpha * x for x < 0."""
    if type(x) is _float:
        return x if x >= 0.0 else alpha * x
    if isinstance(x, _ndarray):
        return np.where(x >= 0, x, alpha * x)
    return x.leaky_relu(alpha)


def elu(x: Any, alpha: float) -> Any:
    """x for x > 0, alpha * (e^x - 1) for x <= 0."""
    if type(x) is _float:
        return x if x > 0.0 else alpha * math.expm1(x)
    if isinstance(x, _ndarray):
        # -|x| = x where used; never overflows
        return np.where(x > 0, x, alpha * np.expm1(-np.abs(x)))
    return x.elu(alpha)


# ---------------------------------------------------------------- piecewise helpers


def maximum(x: Any, y: Any) -> Any:
    """The larger of x and y (elementwise on arrays)."""
    if isinstance(x, _ndarray) or isinstance(y, _ndarray):
        return np.maximum(x, y)
    if isinstance(x, _float | int) and isinstance(y, _float | int):
        return x if x >= y else y
    # a traced number: max is symmetric
    return x.max(y) if not isinstance(x, _float | int) else y.max(x)


def equal(x: Any, y: Any) -> Any:
    """1.0 where x == y, else 0.0 (elementwise on arrays): a one-hot mask, e.g. token id == c."""
    if isinstance(x, _ndarray) or isinstance(y, _ndarray):
        return np.where(x == y, 1.0, 0.0)
    if isinstance(x, _float | int) and isinstance(y, _float | int):
        return 1.0 if x == y else 0.0
    return x.equal(y) if not isinstance(x, _float | int) else y.equal(x)  # a traced number


def max_share(x: Any, y: Any) -> Any:
    """d max(x, y) / dx: 1 where x > y, 0 where x < y, 1/2 at a tie (PyTorch's maximum splits
    it)."""
    if isinstance(x, _ndarray) or isinstance(y, _ndarray):
        # (sign(x - y) + 1) / 2: x - y is 0 only at a tie (IEEE subtraction), inf if it overflows;
        # 2x faster than two np.where
        return 0.5 * (np.sign(x - y) + 1.0)
    if _traced(x) or _traced(y):  # ([x >= y] + 1 - [y >= x]) / 2
        return 0.5 * (_at_least(x, y) + 1.0 - _at_least(y, x))
    return 1.0 if x > y else (0.0 if x < y else 0.5)


def where(condition: Any, a: Any, b: Any) -> Any:
    """a where condition holds, else b (elementwise on arrays)."""
    if isinstance(condition, _ndarray):
        return np.where(condition, a, b)
    return a if condition else b


def step(x: Any) -> Any:
    """Heaviside step: 1 for x > 0, 0 for x <= 0 (so ReLU'(0) = 0, D5)."""
    if type(x) is _float:
        return 1.0 if x > 0 else 0.0
    if isinstance(x, _ndarray):
        # 10x faster than np.where(x > 0, 1.0, 0.0) on mixed signs
        return (x > 0).astype(np.float64)
    if _traced(x):  # [x >= 0] - [x = 0]
        return _at_least(x, 0.0) - x.equal(0.0)
    return 1.0 if x > 0 else 0.0


def sign(x: Any) -> Any:
    """-1, 0 or 1 (so |x|'(0) = 0)."""
    if type(x) is _float:
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
    if isinstance(x, _ndarray):
        return np.sign(x)
    if _traced(x):  # [x >= 0] - [x <= 0]
        return _at_least(x, 0.0) - _at_least(-x, 0.0)
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def leaky_slope(x: Any, alpha: float) -> Any:
    """d leaky_relu(x) / dx: 1 for x >= 0, alpha below."""
    if type(x) is _float:
        return 1.0 if x >= 0 else alpha
    if isinstance(x, _ndarray):
        return np.where(x >= 0, 1.0, alpha)
    if _traced(x):  # alpha + (1 - alpha) [x >= 0]
        return alpha + (1.0 - alpha) * _at_least(x, 0.0)
    return 1.0 if x >= 0 else alpha


def elu_slope(x: Any, alpha: float) -> Any:
    """d elu(x) / dx: 1 for x > 0, alpha e^x for x <= 0 (not elu(x) + alpha, which cancels for
    x << 0)."""
    if type(x) is _float:
        return 1.0 if x > 0 else alpha * math.exp(x)
    if isinstance(x, _ndarray):
        return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
    if _traced(x):  # s + (1 - s) alpha e^(x (1 - s)), s = [x > 0]: no e^x to overflow for x > 0
        s = step(x)
        return s + (1.0 - s) * alpha * (x * (1.0 - s)).exp()
    return 1.0 if x > 0 else alpha * exp(x)


def tanh_slope(x: Any, out: Any) -> Any:
    """d tanh(x) / dx = 1 - tanh^2 x. On numbers, for |tanh x| >= 1/2,
    4 e^(-2|x|) / (1 + e^(-2|x|))^2 instead: 1 - out * out would cancel (tanh 20 rounds to 1.0,
    and 1 - 1.0 = 0 is no 4.2e-17)."""
    if isinstance(out, _ndarray):
        e = np.exp(-2.0 * np.abs(x))
        return 4.0 * e / ((1.0 + e) * (1.0 + e))
    if type(out) is _float and abs(out) >= 0.5:
        e = math.exp(-2.0 * abs(x))
        return 4.0 * e / ((1.0 + e) * (1.0 + e))
    return 1.0 - out * out  # on Values: its derivative, by the rules, is precise (-2 out tanh'(x))


def sigmoid_slope(x: Any, out: Any) -> Any:
    """d sigmoid(x) / dx = s(x) (1 - s(x)); on numbers s(x) s(-x), which does not cancel for
    x >> 0; on Values, near 0, in a form whose own derivatives (higher orders) do not cancel
    either."""
    if type(out) is _float or isinstance(out, _ndarray):
        return out * sigmoid(-x)
    # 1/4 (1 - tanh^2(x/2)): its derivative does not cancel near 0
    if not _traced(x) and abs(x.data) < 1.0:
        t = (0.5 * x).tanh()
        return 0.25 * (1.0 - t * t)
    return out * (1.0 - out)  # on Values its derivative, by the rules, is out' (1 - 2 out)


def _traced(x: Any) -> bool:
    """A Value while ``autograd.compile`` traces: a comparison would freeze one branch for every
    example."""
    return not isinstance(x, _float | int) and is_tracing()


def _at_least(x: Any, y: Any) -> Any:
    """[x >= y] as a Value recorded with the engine's ops (max and eq): it replays for every
    example."""
    if isinstance(x, _float | int):  # [c >= y] = [-y >= -c]
        return _at_least(-y, -x)
    return x.max(y).equal(x)


def absolute(x: Any) -> Any:
    """|x|."""
    return abs(x)
