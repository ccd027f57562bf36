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

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .formulas import (
    Y10,
    bce,
    d1_f,
    d1_hand,
    d2_f,
    d2_hand,
    d3_f,
    d3_hand,
    d4_f,
    d4_hand,
    d6_hand,
    d7_f,
    d7_hand,
    d8_f,
    d8_hand,
    d9_f,
    d9_hand,
    d10_f,
    d11_f,
    d11_hand,
    d12_f,
    d12_hand,
    d13_f,
    d13_hand,
    d14_f,
    d14_hand,
    d15_f,
    d15_hand,
    sigma,
    tanh_prime,
    value_sigmoid,
)


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


def _points(
    n: int, seed: str, low: float = -1.5, high: float = 1.5, count: int = 3
) -> tuple[tuple[float, ...], ...]:
    rng = random.Random(seed)
    return tuple(tuple(round(rng.uniform(low, high), 3) for _ in range(n)) for _ in range(count))


def _names(stem: str, n: int) -> tuple[str, ...]:
    return tuple(f"{stem}{i}" for i in range(1, n + 1))


NB = {
    n: f"notebooks/{n}.ipynb"
    for n in (
        "01_chain_rule",
        "02_activations",
        "03_vanishing_gradients",
        "04_neurons_to_mlp",
        "05_binary_classifier",
        "06_universal_approximation",
        "07_several_outputs",
        "10_attention_from_scalars",
    )
}
_ALL = (
    Derivation(
        "D1",
        "forward propagation in matrix form: a tanh layer, L = c . a",
        ("x1", "x2", "w11", "w12", "w21", "w22", "b1", "b2"),
        d1_f,
        d1_hand,
        "delta = c * g'(z); dL/dW = delta x^T, dL/db = delta, dL/dx = W^T delta",
        _points(8, "D1"),
        NB["04_neurons_to_mlp"],
        "Refinement: the backward pass in matrix form",
        frozenset({"tanh"}),
    ),
    Derivation(
        "D2",
        "one neuron per layer, squared error",
        ("a0", "y", "w1", "b1", "w2", "b2"),
        d2_f,
        d2_hand,
        "dL/dw1 = -2(y - a2) sigma'(z2) w2 sigma'(z1) a0, ... (the notes' 2(y - a2) drops a minus)",
        _points(6, "D2"),
        NB["01_chain_rule"],
        "D2: one neuron per layer, squared error",
        frozenset({"exp"}),
    ),
    Derivation(
        "D3",
        "two scalar layers, any activations (tanh, tanh)",
        ("x", "w1", "b1", "w2", "b2"),
        d3_f,
        d3_hand,
        "df/dw1 = s2'(w2 s1(w1 x + b1) + b2) w2 s1'(w1 x + b1) x",
        _points(5, "D3"),
        NB["01_chain_rule"],
        "D3: two scalar layers, any activations",
        frozenset({"tanh"}),
    ),
    Derivation(
        "D4",
        "four scalar tanh layers",
        ("x", *_names("w", 4), *_names("b", 4)),
        d4_f,
        d4_hand,
        "df/dw1 = [prod_{l>=2} w_l] [prod_l s'(z_l)] x",
        _points(9, "D4"),
        NB["03_vanishing_gradients"],
        "D4: a chain of $L$ scalar layers",
        frozenset({"tanh"}),
        ("w1",),
    ),
    Derivation(
        "D5",
        "sigmoid' = sigma (1 - sigma)",
        ("z",),
        value_sigmoid,
        lambda z: (sigma(z) * (1 - sigma(z)),),
        "sigma'(z) = sigma(z) (1 - sigma(z))",
        _points(1, "D5s", -4, 4),
        NB["02_activations"],
        "D5: the activations and their derivatives",
        frozenset({"exp"}),
    ),
    Derivation(
        "D5",
        "tanh' = 1 - tanh^2",
        ("z",),
        lambda z: z.tanh(),
        lambda z: (tanh_prime(z),),
        "tanh'(z) = 1 - tanh(z)^2",
        _points(1, "D5t", -3, 3),
        NB["02_activations"],
        "D5: the activations and their derivatives",
        frozenset({"tanh"}),
    ),
    Derivation(
        "D5",
        "relu' = 1 for z > 0, 0 for z < 0",
        ("z",),
        lambda z: z.relu(),
        lambda z: (1.0 if z > 0 else 0.0,),
        "relu'(z) = [z > 0]",
        ((-1.25,), (0.75,), (2.5,)),
        NB["02_activations"],
        "D5: the activations and their derivatives",
        frozenset({"relu"}),
    ),
    Derivation(
        "D6",
        "binary cross-entropy with a sigmoid output",
        ("z", "y"),
        bce,
        d6_hand,
        "dL/dz = a - y (and dL/dy = -z)",
        ((-2.1, 1.0), (0.4, 0.0), (1.7, 0.3)),
        NB["05_binary_classifier"],
        "D6: binary cross-entropy",
        frozenset({"exp", "log"}),
    ),
    Derivation(
        "D7",
        "a gradient-descent step: phi(alpha) = L(w - alpha grad L(w)) on the D2 network",
        ("alpha",),
        d7_f,
        d7_hand,
        "phi'(alpha) = -grad L(w - alpha g) . g, so phi'(0) = -|g|^2 < 0: a small step goes down",
        ((0.0,), (0.1,), (0.5,)),
        NB["05_binary_classifier"],
        "D7: gradient descent",
        frozenset({"exp"}),
    ),
    Derivation(
        "D8",
        "symmetry: two hidden units with equal weights",
        ("wa", "wb", "v", "x"),
        d8_f,
        d8_hand,
        "df/dwa = df/dwb = v tanh'(w x) x when wa = wb = w: equal weights stay equal",
        ((0.4, 0.4, 1.3, -0.7), (-1.1, -1.1, 0.6, 0.9), (0.0, 0.0, -2.0, 1.5)),
        NB["05_binary_classifier"],
        "D8: initialisation",
        frozenset({"tanh"}),
        ("wa", "wb"),
    ),
    Derivation(
        "D9",
        "one hidden layer of sigmoids, g(x) = sum_k c_k sigma(a_k x + b_k)",
        ("x", "c1", "c2", "c3"),
        d9_f,
        d9_hand,
        "dg/dx = sum_k c_k a_k sigma'(a_k x + b_k), dg/dc_k = sigma(a_k x + b_k)",
        _points(4, "D9"),
        NB["06_universal_approximation"],
        "D9: building $g$ by hand, a staircase of sigmoids",
        frozenset({"exp"}),
    ),
    Derivation(
        "D10",
        "two independent outputs, summed BCE (y = 1, 0)",
        ("z1", "z2"),
        d10_f,
        lambda z1, z2: (sigma(z1) - Y10[0], sigma(z2) - Y10[1]),
        "dL/dz_k = a_k - y_k",
        _points(2, "D10", -3, 3),
        NB["07_several_outputs"],
        "D10: two independent outputs",
        frozenset({"exp", "log"}),
    ),
    Derivation(
        "D11",
        "the neuron relu(x . w + b)",
        (*_names("x", 3), *_names("w", 3), "b"),
        d11_f,
        d11_hand,
        "df/dw_i = rho'(z) x_i, df/dx_i = rho'(z) w_i, df/db = rho'(z)",
        (
            (0.5, -1.0, 2.0, 0.3, 0.2, 0.9, 0.1),
            (1.5, 0.5, -0.5, -0.8, 0.6, 0.4, -0.2),
            (-1.0, 1.0, 0.5, 0.7, 0.7, -0.3, 0.05),
        ),
        NB["04_neurons_to_mlp"],
        "D11: the neuron",
        frozenset({"relu"}),
    ),
    Derivation(
        "D12",
        "the softmax Jacobian, f = sum_i c_i p_i",
        _names("z", 4),
        d12_f,
        d12_hand,
        "dp_i/dz_j = p_i ([i = j] - p_j), so df/dz_j = p_j (c_j - c . p)",
        _points(4, "D12", -2, 2),
        NB["10_attention_from_scalars"],
        "D12: the softmax and its Jacobian",
        frozenset({"exp"}),
    ),
    Derivation(
        "D13",
        "cross-entropy through the softmax, target class 3",
        _names("z", 5),
        d13_f,
        d13_hand,
        "dL/dz_i = p_i - [i = c]",
        _points(5, "D13", -2, 2),
        NB["10_attention_from_scalars"],
        "D13: cross-entropy through the softmax",
        frozenset({"exp", "log"}),
    ),
    Derivation(
        "D14",
        "RMSNorm, f = g . (x s)",
        _names("x", 4),
        d14_f,
        d14_hand,
        "dL/dx_j = s g_j - (s^3 / n) x_j sum_i g_i x_i, s = (mean x^2 + 1e-5)^(-1/2)",
        _points(4, "D14", -2, 2),
        NB["10_attention_from_scalars"],
        "D14: RMSNorm's derivative",
    ),
    Derivation(
        "D15",
        "one attention head (d = 2, two positions), f = g . o",
        ("q1", "q2", "k11", "k12", "k21", "k22", "v11", "v12", "v21", "v22"),
        d15_f,
        d15_hand,
        "dL/dv_t = w_t g, dL/da_t = w_t (g . v_t - sum_s w_s g . v_s), "
        "dL/dq = sum_t dL/da_t k_t / sqrt d, "
        "dL/dk_t = dL/da_t q / sqrt d",
        _points(10, "D15"),
        NB["10_attention_from_scalars"],
        "D15: one attention head's gradients",
        frozenset({"exp"}),
    ),
)


def _key(d: Derivation) -> str:
    """``D3``; the D5 activations as ``D5 sigmoid``, ``D5 tanh``, ``D5 relu``."""
    return f"{d.number} {d.title.split(chr(39))[0]}" if d.number == "D5" else d.number


DERIVATIONS: dict[str, Derivation] = {_key(d): d for d in _ALL}
