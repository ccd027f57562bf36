"""The hand derivations D1-D15 of docs/derivations.md as data, runnable against any engine.

Each ``Derivation`` holds an expression built only from micrograd's interface (``+ - * / **``,
plus the methods listed in ``needs``: ``exp``, ``log``, ``tanh``, ``relu``), the hand formula for
its partial derivatives written in plain ``math``, sample points, and where it is worked out::

    d = DERIVATIONS["D3"]
    xs = [Value(v) for v in d.points[0]]
    d.expression(*xs).backward()
    [x.grad for x in xs]            # == d.hand(*d.points[0]) up to rounding

``hand`` returns one partial per name in ``wrt`` (by default every input).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Derivation:
    """One hand-derived result: f(inputs), the formula for df/d(wrt), and where it comes from."""

    number: str  # "D3"
    title: str
    inputs: tuple[str, ...]
    expression: Callable[..., Any]  # Values -> output Value, micrograd's interface only
    hand: Callable[..., Sequence[float]]  # floats -> one partial per name in ``wrt``
    formula: str  # the hand formula as the notes write it
    points: tuple[tuple[float, ...], ...]
    notebook: str
    section: str
    needs: frozenset[str] = frozenset()  # methods beyond + - * / **
    wrt: tuple[str, ...] = ()  # inputs the formula differentiates by; () means all

    @property
    def differentiated(self) -> tuple[str, ...]:
        """The inputs ``hand`` gives partials for."""
        return self.wrt or self.inputs


def _points(n: int, seed: str, low: float = -1.5, high: float = 1.5, count: int = 3) -> tuple[tuple[float, ...], ...]:
    rng = random.Random(seed)
    return tuple(tuple(round(rng.uniform(low, high), 3) for _ in range(n)) for _ in range(count))


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _sigmoid(z: Any) -> Any:  # on a Value: 1 / (1 + e^-z), with exp only
    return 1 / (1 + (-z).exp())


def _tanh_prime(z: float) -> float:
    return 1.0 - math.tanh(z) ** 2


# ---------------------------------------------------------------- D1: a tanh layer, L = c . a
C1 = (0.7, -1.3)


def _d1_f(x1, x2, w11, w12, w21, w22, b1, b2):
    a1 = (w11 * x1 + w12 * x2 + b1).tanh()
    a2 = (w21 * x1 + w22 * x2 + b2).tanh()
    return C1[0] * a1 + C1[1] * a2


def _d1_hand(x1, x2, w11, w12, w21, w22, b1, b2):
    z = (w11 * x1 + w12 * x2 + b1, w21 * x1 + w22 * x2 + b2)
    d = [c * _tanh_prime(zi) for c, zi in zip(C1, z)]  # delta = c * g'(z)
    return (w11 * d[0] + w21 * d[1], w12 * d[0] + w22 * d[1],  # W^T delta
            d[0] * x1, d[0] * x2, d[1] * x1, d[1] * x2, d[0], d[1])  # delta x^T, delta


# ---------------------------------------------------------------- D2: one neuron per layer
def _d2_f(a0, y, w1, b1, w2, b2):
    a2 = _sigmoid(w2 * _sigmoid(w1 * a0 + b1) + b2)
    return (y - a2) ** 2


def _d2_hand(a0, y, w1, b1, w2, b2):
    z1 = w1 * a0 + b1
    a1 = sigma(z1)
    z2 = w2 * a1 + b2
    a2 = sigma(z2)
    top = -2 * (y - a2) * a2 * (1 - a2)  # dL/da2 sigma'(z2); the notes drop the minus
    inner = top * w2 * a1 * (1 - a1)
    return (inner * w1, 2 * (y - a2), inner * a0, inner, top * a1, top)


# ---------------------------------------------------------------- D3: two scalar layers
def _d3_f(x, w1, b1, w2, b2):
    return (w2 * (w1 * x + b1).tanh() + b2).tanh()


def _d3_hand(x, w1, b1, w2, b2):
    u = w1 * x + b1
    v = w2 * math.tanh(u) + b2
    outer = _tanh_prime(v)
    through = outer * w2 * _tanh_prime(u)
    return (through * w1, through * x, through, outer * math.tanh(u), outer)


# ---------------------------------------------------------------- D4: L scalar layers
def _d4_f(x, w1, w2, w3, w4, b1, b2, b3, b4):
    a = x
    for w, b in ((w1, b1), (w2, b2), (w3, b3), (w4, b4)):
        a = (w * a + b).tanh()
    return a


def _d4_hand(x, w1, w2, w3, w4, b1, b2, b3, b4):
    a, slopes = x, []
    for w, b in ((w1, b1), (w2, b2), (w3, b3), (w4, b4)):
        slopes.append(_tanh_prime(w * a + b))
        a = math.tanh(w * a + b)
    return (w2 * w3 * w4 * math.prod(slopes) * x,)


# ---------------------------------------------------------------- D6, D10: cross-entropy
def _bce(z, y):
    a = _sigmoid(z)
    return -(y * a.log() + (1 - y) * (1 - a).log())


def _d6_hand(z, y):
    return (sigma(z) - y, -z)  # dL/dy = -(log a - log(1 - a)) = -z


Y10 = (1.0, 0.0)


def _d10_f(z1, z2):
    return _bce(z1, Y10[0]) + _bce(z2, Y10[1])


# ---------------------------------------------------------------- D7: a gradient-descent step
W7 = (0.8, 0.3, 0.5, -0.4, 1.2, 0.1)  # a0, y, w1, b1, w2, b2 of the D2 network
G7 = _d2_hand(*W7)


def _d7_f(alpha):
    return _d2_f(*(w - alpha * g for w, g in zip(W7, G7)))


def _d7_hand(alpha):
    moved = _d2_hand(*(w - alpha * g for w, g in zip(W7, G7)))
    return (-sum(m * g for m, g in zip(moved, G7)),)  # -|grad L|^2 at alpha = 0


# ---------------------------------------------------------------- D8: symmetry
def _d8_f(wa, wb, v, x):
    return v * (wa * x).tanh() + v * (wb * x).tanh()


def _d8_hand(wa, wb, v, x):
    same = v * _tanh_prime(wa * x) * x
    return (same, same)  # equal weights get equal gradients (the points have wa == wb)


# ---------------------------------------------------------------- D9: one hidden layer of sigmoids
A9, B9 = (4.0, -3.0, 6.0), (-2.0, 0.5, 3.0)


def _d9_f(x, c1, c2, c3):
    return sum((c * _sigmoid(a * x + b) for c, a, b in zip((c1, c2, c3), A9, B9)), 0.0)


def _d9_hand(x, c1, c2, c3):
    s = [sigma(a * x + b) for a, b in zip(A9, B9)]
    dx = sum(c * a * si * (1 - si) for c, a, si in zip((c1, c2, c3), A9, s))
    return (dx, *s)


# ---------------------------------------------------------------- D11: the neuron
def _d11_f(x1, x2, x3, w1, w2, w3, b):
    return (x1 * w1 + x2 * w2 + x3 * w3 + b).relu()


def _d11_hand(x1, x2, x3, w1, w2, w3, b):
    r = 1.0 if x1 * w1 + x2 * w2 + x3 * w3 + b > 0 else 0.0  # rho'(z) for rho = relu
    return (r * w1, r * w2, r * w3, r * x1, r * x2, r * x3, r)


# ---------------------------------------------------------------- D12-D15: the GPT's pieces
C12 = (1.0, -2.0, 0.5, 3.0)


def _softmax(zs):
    e = [z.exp() for z in zs]
    total = sum(e[1:], e[0])
    return [ei / total for ei in e]


def _softmax_floats(zs):
    e = [math.exp(z - max(zs)) for z in zs]
    return [ei / sum(e) for ei in e]


def _d12_f(*z):
    return sum((c * p for c, p in zip(C12, _softmax(z))), 0.0)


def _d12_hand(*z):
    p = _softmax_floats(z)
    mean = sum(c * pi for c, pi in zip(C12, p))
    return tuple(pj * (cj - mean) for pj, cj in zip(p, C12))  # sum_i c_i p_i ([i = j] - p_j)


TARGET13 = 2


def _d13_f(*z):
    total = sum((zi.exp() for zi in z[1:]), z[0].exp())
    return total.log() - z[TARGET13]  # -log p_c


def _d13_hand(*z):
    return tuple(p - (i == TARGET13) for i, p in enumerate(_softmax_floats(z)))


G14 = (0.5, -1.0, 2.0, 0.3)


def _d14_f(*x):
    mean_square = sum((xi * xi for xi in x[1:]), x[0] * x[0]) * (1 / len(x))
    s = (mean_square + 1e-5) ** -0.5
    return sum((g * (xi * s) for g, xi in zip(G14, x)), 0.0)


def _d14_hand(*x):
    n = len(x)
    s = (sum(xi * xi for xi in x) / n + 1e-5) ** -0.5
    gx = sum(g * xi for g, xi in zip(G14, x))
    return tuple(s * g - s**3 / n * gx * xi for g, xi in zip(G14, x))


G15 = (0.6, -1.1)
ROOT_D = math.sqrt(2.0)


def _d15_f(q1, q2, k11, k12, k21, k22, v11, v12, v21, v22):
    a = [(q1 * k11 + q2 * k12) * (1 / ROOT_D), (q1 * k21 + q2 * k22) * (1 / ROOT_D)]
    w = _softmax(a)
    o = [w[0] * v11 + w[1] * v21, w[0] * v12 + w[1] * v22]
    return G15[0] * o[0] + G15[1] * o[1]


def _d15_hand(q1, q2, k11, k12, k21, k22, v11, v12, v21, v22):
    q, k, v = (q1, q2), ((k11, k12), (k21, k22)), ((v11, v12), (v21, v22))
    w = _softmax_floats([sum(qi * ki for qi, ki in zip(q, kt)) / ROOT_D for kt in k])
    gv = [sum(g * vi for g, vi in zip(G15, vt)) for vt in v]  # g . v_t
    da = [wt * (gvt - sum(ws * gvs for ws, gvs in zip(w, gv))) for wt, gvt in zip(w, gv)]
    dq = [sum(da[t] * k[t][i] for t in range(2)) / ROOT_D for i in range(2)]
    dk = [da[t] * q[i] / ROOT_D for t in range(2) for i in range(2)]
    dv = [w[t] * G15[i] for t in range(2) for i in range(2)]
    return (*dq, *dk, *dv)


def _names(stem: str, n: int) -> tuple[str, ...]:
    return tuple(f"{stem}{i}" for i in range(1, n + 1))


NB = {n: f"notebooks/{n}.ipynb" for n in ("01_chain_rule", "02_activations", "03_vanishing_gradients",
                                          "04_neurons_to_mlp", "05_binary_classifier",
                                          "06_universal_approximation", "07_several_outputs",
                                          "10_attention_from_scalars")}
_ALL = (
    Derivation("D1", "forward propagation in matrix form: a tanh layer, L = c . a",
               ("x1", "x2", "w11", "w12", "w21", "w22", "b1", "b2"), _d1_f, _d1_hand,
               "delta = c * g'(z); dL/dW = delta x^T, dL/db = delta, dL/dx = W^T delta",
               _points(8, "D1"), NB["04_neurons_to_mlp"], "Refinement: the backward pass in matrix form",
               frozenset({"tanh"})),
    Derivation("D2", "one neuron per layer, squared error", ("a0", "y", "w1", "b1", "w2", "b2"), _d2_f, _d2_hand,
               "dL/dw1 = -2(y - a2) sigma'(z2) w2 sigma'(z1) a0, ... (the notes' 2(y - a2) drops a minus)",
               _points(6, "D2"), NB["01_chain_rule"], "D2: one neuron per layer, squared error",
               frozenset({"exp"})),
    Derivation("D3", "two scalar layers, any activations (tanh, tanh)", ("x", "w1", "b1", "w2", "b2"),
               _d3_f, _d3_hand, "df/dw1 = s2'(w2 s1(w1 x + b1) + b2) w2 s1'(w1 x + b1) x",
               _points(5, "D3"), NB["01_chain_rule"], "D3: two scalar layers, any activations",
               frozenset({"tanh"})),
    Derivation("D4", "four scalar tanh layers", ("x", *_names("w", 4), *_names("b", 4)), _d4_f, _d4_hand,
               "df/dw1 = [prod_{l>=2} w_l] [prod_l s'(z_l)] x", _points(9, "D4"),
               NB["03_vanishing_gradients"], "D4: a chain of $L$ scalar layers", frozenset({"tanh"}), ("w1",)),
    Derivation("D5", "sigmoid' = sigma (1 - sigma)", ("z",), _sigmoid, lambda z: (sigma(z) * (1 - sigma(z)),),
               "sigma'(z) = sigma(z) (1 - sigma(z))", _points(1, "D5s", -4, 4), NB["02_activations"],
               "D5: the activations and their derivatives", frozenset({"exp"})),
    Derivation("D5", "tanh' = 1 - tanh^2", ("z",), lambda z: z.tanh(), lambda z: (_tanh_prime(z),),
               "tanh'(z) = 1 - tanh(z)^2", _points(1, "D5t", -3, 3), NB["02_activations"],
               "D5: the activations and their derivatives", frozenset({"tanh"})),
    Derivation("D5", "relu' = 1 for z > 0, 0 for z < 0", ("z",), lambda z: z.relu(),
               lambda z: (1.0 if z > 0 else 0.0,), "relu'(z) = [z > 0]", ((-1.25,), (0.75,), (2.5,)),
               NB["02_activations"], "D5: the activations and their derivatives", frozenset({"relu"})),
    Derivation("D6", "binary cross-entropy with a sigmoid output", ("z", "y"), _bce, _d6_hand,
               "dL/dz = a - y (and dL/dy = -z)", ((-2.1, 1.0), (0.4, 0.0), (1.7, 0.3)),
               NB["05_binary_classifier"], "D6: binary cross-entropy", frozenset({"exp", "log"})),
    Derivation("D7", "a gradient-descent step: phi(alpha) = L(w - alpha grad L(w)) on the D2 network",
               ("alpha",), _d7_f, _d7_hand,
               "phi'(alpha) = -grad L(w - alpha g) . g, so phi'(0) = -|g|^2 < 0: a small step goes down",
               ((0.0,), (0.1,), (0.5,)), NB["05_binary_classifier"], "D7: gradient descent", frozenset({"exp"})),
    Derivation("D8", "symmetry: two hidden units with equal weights", ("wa", "wb", "v", "x"), _d8_f, _d8_hand,
               "df/dwa = df/dwb = v tanh'(w x) x when wa = wb = w: equal weights stay equal",
               ((0.4, 0.4, 1.3, -0.7), (-1.1, -1.1, 0.6, 0.9), (0.0, 0.0, -2.0, 1.5)),
               NB["05_binary_classifier"], "D8: initialisation", frozenset({"tanh"}), ("wa", "wb")),
    Derivation("D9", "one hidden layer of sigmoids, g(x) = sum_k c_k sigma(a_k x + b_k)",
               ("x", "c1", "c2", "c3"), _d9_f, _d9_hand,
               "dg/dx = sum_k c_k a_k sigma'(a_k x + b_k), dg/dc_k = sigma(a_k x + b_k)", _points(4, "D9"),
               NB["06_universal_approximation"], "D9: building $g$ by hand, a staircase of sigmoids",
               frozenset({"exp"})),
    Derivation("D10", "two independent outputs, summed BCE (y = 1, 0)", ("z1", "z2"), _d10_f,
               lambda z1, z2: (sigma(z1) - Y10[0], sigma(z2) - Y10[1]), "dL/dz_k = a_k - y_k",
               _points(2, "D10", -3, 3), NB["07_several_outputs"], "D10: two independent outputs",
               frozenset({"exp", "log"})),
    Derivation("D11", "the neuron relu(x . w + b)", (*_names("x", 3), *_names("w", 3), "b"), _d11_f, _d11_hand,
               "df/dw_i = rho'(z) x_i, df/dx_i = rho'(z) w_i, df/db = rho'(z)",
               ((0.5, -1.0, 2.0, 0.3, 0.2, 0.9, 0.1), (1.5, 0.5, -0.5, -0.8, 0.6, 0.4, -0.2),
                (-1.0, 1.0, 0.5, 0.7, 0.7, -0.3, 0.05)),
               NB["04_neurons_to_mlp"], "D11: the neuron", frozenset({"relu"})),
    Derivation("D12", "the softmax Jacobian, f = sum_i c_i p_i", _names("z", 4), _d12_f, _d12_hand,
               "dp_i/dz_j = p_i ([i = j] - p_j), so df/dz_j = p_j (c_j - c . p)", _points(4, "D12", -2, 2),
               NB["10_attention_from_scalars"], "D12: the softmax and its Jacobian", frozenset({"exp"})),
    Derivation("D13", "cross-entropy through the softmax, target class 3", _names("z", 5), _d13_f, _d13_hand,
               "dL/dz_i = p_i - [i = c]", _points(5, "D13", -2, 2), NB["10_attention_from_scalars"],
               "D13: cross-entropy through the softmax", frozenset({"exp", "log"})),
    Derivation("D14", "RMSNorm, f = g . (x s)", _names("x", 4), _d14_f, _d14_hand,
               "dL/dx_j = s g_j - (s^3 / n) x_j sum_i g_i x_i, s = (mean x^2 + 1e-5)^(-1/2)",
               _points(4, "D14", -2, 2), NB["10_attention_from_scalars"], "D14: RMSNorm's derivative"),
    Derivation("D15", "one attention head (d = 2, two positions), f = g . o",
               ("q1", "q2", "k11", "k12", "k21", "k22", "v11", "v12", "v21", "v22"), _d15_f, _d15_hand,
               "dL/dv_t = w_t g, dL/da_t = w_t (g . v_t - sum_s w_s g . v_s), dL/dq = sum_t dL/da_t k_t / sqrt d, "
               "dL/dk_t = dL/da_t q / sqrt d", _points(10, "D15"), NB["10_attention_from_scalars"],
               "D15: one attention head's gradients", frozenset({"exp"})),
)


def _key(d: Derivation) -> str:
    """``D3``; the D5 activations as ``D5 sigmoid``, ``D5 tanh``, ``D5 relu``."""
    return f"{d.number} {d.title.split(chr(39))[0]}" if d.number == "D5" else d.number


DERIVATIONS: dict[str, Derivation] = {_key(d): d for d in _ALL}
