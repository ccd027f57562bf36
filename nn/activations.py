"""Activation functions by name (D5): the rho in a neuron's f(x) = rho(sum_i w_i x_i + b) (D11).

Each one maps a ``Value`` to a ``Value`` with the engine's own operations, so its derivative
comes from the engine's rule table:

    relu(z)       = max(0, z)                        relu'(0) = 0
    tanh(z)       = (e^z - e^-z) / (e^z + e^-z)
    sigmoid(z)    = 1 / (1 + e^-z)
    leaky_relu(z) = z for z >= 0, 0.01 z below       leaky_relu'(0) = 1
    elu(z)        = z for z > 0, e^z - 1 at or below elu'(0) = 1 (alpha = 1)
    linear(z)     = z                                (the last layer of a deep network, D11)
"""

from __future__ import annotations

from collections.abc import Callable

from autograd import Value

Activation = Callable[[Value], Value]


def linear(z: Value) -> Value:
    """The identity g(z) = z: an affine layer (a stack of them collapses to one, D5)."""
    return z


ACTIVATIONS: dict[str, Activation] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,  # alpha = 0.01
    "elu": Value.elu,  # alpha = 1.0
    "linear": linear,
}
"""The activations a Neuron accepts by name."""


def get_activation(activation: str | Activation | None) -> tuple[str | Activation, Activation]:
    """(key, function) for an activation given by name, as a function, or None (linear).

    The key is the activation's name when it has one (so a model can be saved by name),
    else the user's function itself.
    """
    if activation is None:
        return "linear", linear
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            known = ", ".join(ACTIVATIONS)
            raise ValueError(f"unknown activation {activation!r}; known activations: {known}")
        return activation, ACTIVATIONS[activation]
    if callable(activation):
        for name, function in ACTIVATIONS.items():
            if activation is function:
                return name, function
        return activation, activation
    raise TypeError(
        f"activation must be a name, a function or None, got {type(activation).__name__}"
    )


def activation_name(key: str | Activation) -> str:
    """A readable name for an activation key (a user function shows its ``__name__``)."""
    return key if isinstance(key, str) else getattr(key, "__name__", repr(key))
