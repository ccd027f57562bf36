"""Weight initialisers (D8), chosen by name or passed as a function.

An initialiser draws the weight matrix of a layer, W of shape (n_out, n_in) (D1), from a
seeded numpy Generator:

    init(n_in, n_out, rng) -> np.ndarray of shape (n_out, n_in)

except micrograd's, the default, which draws from Python's ``random`` exactly as micrograd 0.1.0
does: ``random.uniform(-1, 1)`` for each weight, neuron after neuron, w_0 first, biases 0. With
no seed it reads the global ``random`` state (``random.seed(1337); MLP(2, [16, 16, 1])`` is
micrograd's demo model, weight for weight); with an int seed a ``random.Random(seed)``; with a
``random.Random`` or a numpy Generator that object.

Biases start at 0. Equal weights would keep every neuron of a layer identical forever (the
symmetry of D8), so the usual initialisers are random, with a variance chosen to keep the
size of the signal roughly the same from layer to layer:

    xavier_normal   w ~ N(0, 2 / (n_in + n_out))          (variance, not standard deviation)
    xavier_uniform  w ~ U[-a, a], a = sqrt(6 / (n_in + n_out)): the same variance a^2 / 3
    he_normal       w ~ N(0, 2 / n_in)                     (for ReLU layers)
    torch           w ~ U[-a, a], a = 1 / sqrt(n_in)       (PyTorch's nn.Linear)
    uniform         w ~ U[-0.1, 0.1]                       (the lecture notes)
    micrograd       w ~ U[-1, 1]                           (micrograd's Neuron; the default)
    zeros           w = 0                                  (shows the symmetry problem)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]
Seed = int | np.random.Generator | random.Random | None
RandomSource = np.random.Generator | random.Random


def xavier_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010): w ~ N(0, 2 / (n_in + n_out))."""
    return rng.normal(0.0, math.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))


def xavier_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """w ~ U[-a, a] with a = sqrt(6 / (n_in + n_out)), so Var w = a^2 / 3 = 2 / (n_in + n_out)."""
    a = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_out, n_in))


def he_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015): w ~ N(0, 2 / n_in), which keeps the variance through ReLU layers."""
    return rng.normal(0.0, math.sqrt(2.0 / n_in), size=(n_out, n_in))


def torch_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """PyTorch's nn.Linear weights: w ~ U[-1/sqrt(n_in), 1/sqrt(n_in)], so Var w = 1 / (3 n_in).

    Scaled by the fan-in, so a layer's outputs stay near the size of its inputs however wide it is:
    a 10-class model starts near a uniform guess's loss, ln 10, where U[-1, 1] starts far above.
    """
    a = 1.0 / math.sqrt(n_in)
    return rng.uniform(-a, a, size=(n_out, n_in))


def uniform(a: float = -0.1, b: float = 0.1) -> Initializer:
    """The initialiser w ~ U[a, b] (the notes use U[-0.1, 0.1], micrograd U[-1, 1])."""
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise ValueError(f"uniform: need finite a < b, got a={a!r}, b={b!r}")

    def init(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(a, b, size=(n_out, n_in))

    init.__name__ = f"uniform({a!r}, {b!r})"
    return init


def constant(c: float) -> Initializer:
    """The initialiser w = c for every weight (no randomness; for the symmetry demo of D8)."""
    if not math.isfinite(c):
        raise ValueError(f"constant: the value must be finite, got {c!r}")

    def init(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
        return np.full((n_out, n_in), float(c))

    init.__name__ = f"constant({c!r})"
    return init


def micrograd(n_in: int, n_out: int, rng: RandomSource) -> np.ndarray:
    """micrograd's Neuron: w ~ U[-1, 1], one ``rng.uniform(-1, 1)`` per weight, neuron after neuron.

    ``rng`` is Python's ``random`` module (the global state), a ``random.Random`` or a numpy
    Generator; with the first two the draws are micrograd's own, in micrograd's order.
    """
    if isinstance(rng, np.random.Generator):
        return rng.uniform(-1.0, 1.0, size=(n_out, n_in))
    return np.array([[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)],
                    dtype=np.float64).reshape(n_out, n_in)


INITIALIZERS: dict[str, Initializer] = {
    "xavier_normal": xavier_normal,
    "glorot_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot_uniform": xavier_uniform,
    "he_normal": he_normal,
    "torch": torch_uniform,
    "uniform": uniform(-0.1, 0.1),
    "micrograd": micrograd,
    "zeros": constant(0.0),
}
"""The initialisers accepted by name in ``init=``."""


def get_initializer(init: str | Initializer) -> Initializer:
    """The initialiser for a name in INITIALIZERS, or ``init`` itself when it is a function."""
    if isinstance(init, str):
        if init not in INITIALIZERS:
            known = ", ".join(INITIALIZERS)
            raise ValueError(f"unknown init {init!r}; known initialisers: {known}")
        return INITIALIZERS[init]
    if init is uniform or init is constant:  # the maker of an initialiser, not one
        example = "uniform(-0.1, 0.1)" if init is uniform else "constant(0.5)"
        raise TypeError(f"init=nn.init.{init.__name__} makes an initialiser, call it: "
                        f"init=nn.init.{example}")
    if callable(init):
        return init
    raise TypeError(
        f"init must be a name or a function (n_in, n_out, rng) -> array, got {type(init).__name__}"
    )


RELU_LIKE = ("relu", "leaky_relu", "elu")


def scaled_for(activation: object) -> str:
    """The fan-in-scaled initialiser for a network of this hidden activation: He for the ReLU family
    (it keeps the signal's variance through units that zero half their inputs), Xavier otherwise."""
    return "he_normal" if activation in RELU_LIKE else "xavier_normal"


def make_rng(seed: Seed) -> np.random.Generator:
    """A numpy Generator: from an int seed (reproducible), passed through, or fresh for None.

    A ``random.Random`` seeds a Generator with 128 of its bits (reproducible as the Random is).
    """
    _check_seed(seed)
    if isinstance(seed, random.Random):
        return np.random.default_rng(seed.getrandbits(128))
    return np.random.default_rng(seed)


def make_source(seed: Seed, init: str | Initializer) -> RandomSource | Any:
    """Where ``init`` draws its weights from, for ``seed``.

    micrograd's initialiser draws from Python's random, as micrograd: the global ``random`` module
    for None, a ``random.Random(seed)`` for an int, a given ``random.Random`` or Generator as it
    is. Every other initialiser gets ``make_rng(seed)``.
    """
    if get_initializer(init) is not micrograd:
        return make_rng(seed)
    _check_seed(seed)
    if seed is None:
        return random
    if isinstance(seed, int | np.integer):
        return random.Random(int(seed))
    return seed


def _check_seed(seed: Any) -> None:
    if seed is None or isinstance(seed, np.random.Generator | random.Random):
        return
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(
            "seed must be a non-negative int, a numpy Generator, a random.Random or None, got "
            f"{seed!r}"
        )


def draw_weights(
    init: str | Initializer, n_in: int, n_out: int, rng: RandomSource | Any
) -> np.ndarray:
    """W of shape (n_out, n_in) from ``init``, checked for shape and finiteness."""
    weights = np.asarray(get_initializer(init)(n_in, n_out, rng), dtype=np.float64)
    if weights.shape != (n_out, n_in):
        raise ValueError(
            f"init returned shape {weights.shape}, expected (n_out, n_in) = {(n_out, n_in)}"
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError("init returned a weight that is NaN or infinite")
    return weights
