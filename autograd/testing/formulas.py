"""The expressions and hand formulas of the derivations D1-D15 (``derivations.py`` lists them).

Each ``dN_f`` builds the expression from Values with micrograd's interface only (``+ - * / **``
and ``exp``, ``log``, ``tanh``, ``relu``); each ``dN_hand`` is the hand formula for its partial
derivatives, in plain ``math``, as docs/derivations.md derives it.
"""

import math
from typing import Any


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def value_sigmoid(z: Any) -> Any:  # on a Value: 1 / (1 + e^-z), with exp only
    return 1 / (1 + (-z).exp())


def tanh_prime(z: float) -> float:
    return 1.0 - math.tanh(z) ** 2


# ---------------------------------------------------------------- D1: a tanh layer, L = c . a
C1 = (0.7, -1.3)


def d1_f(x1, x2, w11, w12, w21, w22, b1, b2):
    a1 = (w11 * x1 + w12 * x2 + b1).tanh()
    a2 = (w21 * x1 + w22 * x2 + b2).tanh()
    return C1[0] * a1 + C1[1] * a2


def d1_hand(x1, x2, w11, w12, w21, w22, b1, b2):
    z = (w11 * x1 + w12 * x2 + b1, w21 * x1 + w22 * x2 + b2)
    d = [c * tanh_prime(zi) for c, zi in zip(C1, z)]  # delta = c * g'(z)
    return (
        w11 * d[0] + w21 * d[1],
        w12 * d[0] + w22 * d[1],  # W^T delta
        d[0] * x1,
        d[0] * x2,
        d[1] * x1,
        d[1] * x2,
        d[0],
        d[1],
    )  # delta x^T, delta


# ---------------------------------------------------------------- D2: one neuron per layer
def d2_f(a0, y, w1, b1, w2, b2):
    a2 = value_sigmoid(w2 * value_sigmoid(w1 * a0 + b1) + b2)
    return (y - a2) ** 2


def d2_hand(a0, y, w1, b1, w2, b2):
    z1 = w1 * a0 + b1
    a1 = sigma(z1)
    z2 = w2 * a1 + b2
    a2 = sigma(z2)
    top = -2 * (y - a2) * a2 * (1 - a2)  # dL/da2 sigma'(z2); the notes drop the minus
    inner = top * w2 * a1 * (1 - a1)
    return (inner * w1, 2 * (y - a2), inner * a0, inner, top * a1, top)


# ---------------------------------------------------------------- D3: two scalar layers
def d3_f(x, w1, b1, w2, b2):
    return (w2 * (w1 * x + b1).tanh() + b2).tanh()


def d3_hand(x, w1, b1, w2, b2):
    u = w1 * x + b1
    v = w2 * math.tanh(u) + b2
    outer = tanh_prime(v)
    through = outer * w2 * tanh_prime(u)
    return (through * w1, through * x, through, outer * math.tanh(u), outer)


# ---------------------------------------------------------------- D4: L scalar layers
def d4_f(x, w1, w2, w3, w4, b1, b2, b3, b4):
    a = x
    for w, b in ((w1, b1), (w2, b2), (w3, b3), (w4, b4)):
        a = (w * a + b).tanh()
    return a


def d4_hand(x, w1, w2, w3, w4, b1, b2, b3, b4):
    a, slopes = x, []
    for w, b in ((w1, b1), (w2, b2), (w3, b3), (w4, b4)):
        slopes.append(tanh_prime(w * a + b))
        a = math.tanh(w * a + b)
    return (w2 * w3 * w4 * math.prod(slopes) * x,)


# ---------------------------------------------------------------- D6, D10: cross-entropy
def bce(z, y):
    a = value_sigmoid(z)
    return -(y * a.log() + (1 - y) * (1 - a).log())


def d6_hand(z, y):
    return (sigma(z) - y, -z)  # dL/dy = -(log a - log(1 - a)) = -z


Y10 = (1.0, 0.0)


def d10_f(z1, z2):
    return bce(z1, Y10[0]) + bce(z2, Y10[1])


# ---------------------------------------------------------------- D7: a gradient-descent step
W7 = (0.8, 0.3, 0.5, -0.4, 1.2, 0.1)  # a0, y, w1, b1, w2, b2 of the D2 network
G7 = d2_hand(*W7)


def d7_f(alpha):
    return d2_f(*(w - alpha * g for w, g in zip(W7, G7)))


def d7_hand(alpha):
    moved = d2_hand(*(w - alpha * g for w, g in zip(W7, G7)))
    return (-sum(m * g for m, g in zip(moved, G7)),)  # -|grad L|^2 at alpha = 0


# ---------------------------------------------------------------- D8: symmetry
def d8_f(wa, wb, v, x):
    return v * (wa * x).tanh() + v * (wb * x).tanh()


def d8_hand(wa, wb, v, x):
    same = v * tanh_prime(wa * x) * x
    return (same, same)  # equal weights get equal gradients (the points have wa == wb)


# ---------------------------------------------------------------- D9: one hidden layer of sigmoids
A9, B9 = (4.0, -3.0, 6.0), (-2.0, 0.5, 3.0)


def d9_f(x, c1, c2, c3):
    return sum((c * value_sigmoid(a * x + b) for c, a, b in zip((c1, c2, c3), A9, B9)), 0.0)


def d9_hand(x, c1, c2, c3):
    s = [sigma(a * x + b) for a, b in zip(A9, B9)]
    dx = sum(c * a * si * (1 - si) for c, a, si in zip((c1, c2, c3), A9, s))
    return (dx, *s)


# ---------------------------------------------------------------- D11: the neuron
def d11_f(x1, x2, x3, w1, w2, w3, b):
    return (x1 * w1 + x2 * w2 + x3 * w3 + b).relu()


def d11_hand(x1, x2, x3, w1, w2, w3, b):
    r = 1.0 if x1 * w1 + x2 * w2 + x3 * w3 + b > 0 else 0.0  # rho'(z) for rho = relu
    return (r * w1, r * w2, r * w3, r * x1, r * x2, r * x3, r)


# ---------------------------------------------------------------- D12-D15: the GPT's pieces
C12 = (1.0, -2.0, 0.5, 3.0)


def softmax(zs):
    e = [z.exp() for z in zs]
    total = sum(e[1:], e[0])
    return [ei / total for ei in e]


def softmax_floats(zs):
    e = [math.exp(z - max(zs)) for z in zs]
    return [ei / sum(e) for ei in e]


def d12_f(*z):
    return sum((c * p for c, p in zip(C12, softmax(z))), 0.0)


def d12_hand(*z):
    p = softmax_floats(z)
    mean = sum(c * pi for c, pi in zip(C12, p))
    return tuple(pj * (cj - mean) for pj, cj in zip(p, C12))  # sum_i c_i p_i ([i = j] - p_j)


TARGET13 = 2


def d13_f(*z):
    total = sum((zi.exp() for zi in z[1:]), z[0].exp())
    return total.log() - z[TARGET13]  # -log p_c


def d13_hand(*z):
    return tuple(p - (i == TARGET13) for i, p in enumerate(softmax_floats(z)))


G14 = (0.5, -1.0, 2.0, 0.3)


def d14_f(*x):
    mean_square = sum((xi * xi for xi in x[1:]), x[0] * x[0]) * (1 / len(x))
    s = (mean_square + 1e-5) ** -0.5
    return sum((g * (xi * s) for g, xi in zip(G14, x)), 0.0)


def d14_hand(*x):
    n = len(x)
    s = (sum(xi * xi for xi in x) / n + 1e-5) ** -0.5
    gx = sum(g * xi for g, xi in zip(G14, x))
    return tuple(s * g - s**3 / n * gx * xi for g, xi in zip(G14, x))


G15 = (0.6, -1.1)
ROOT_D = math.sqrt(2.0)


def d15_f(q1, q2, k11, k12, k21, k22, v11, v12, v21, v22):
    a = [(q1 * k11 + q2 * k12) * (1 / ROOT_D), (q1 * k21 + q2 * k22) * (1 / ROOT_D)]
    w = softmax(a)
    o = [w[0] * v11 + w[1] * v21, w[0] * v12 + w[1] * v22]
    return G15[0] * o[0] + G15[1] * o[1]


def d15_hand(q1, q2, k11, k12, k21, k22, v11, v12, v21, v22):
    q, k, v = (q1, q2), ((k11, k12), (k21, k22)), ((v11, v12), (v21, v22))
    w = softmax_floats([sum(qi * ki for qi, ki in zip(q, kt)) / ROOT_D for kt in k])
    gv = [sum(g * vi for g, vi in zip(G15, vt)) for vt in v]  # g . v_t
    da = [wt * (gvt - sum(ws * gvs for ws, gvs in zip(w, gv))) for wt, gvt in zip(w, gv)]
    dq = [sum(da[t] * k[t][i] for t in range(2)) / ROOT_D for i in range(2)]
    dk = [da[t] * q[i] / ROOT_D for t in range(2) for i in range(2)]
    dv = [w[t] * G15[i] for t in range(2) for i in range(2)]
    return (*dq, *dk, *dv)
