"""The models and losses of the replay benchmark, in one place: the benchmark times them, and
tests/test_replay_benchmark_models.py checks that the replay computes them as the eager engine does.

Each is a scalar function of one example, written with Values, as ``autograd.compile`` takes it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import nn
from autograd import Value

L2 = 1e-4
"""micrograd's demo: the weight of its L2 penalty."""


def demo_model() -> nn.MLP:
    """micrograd's demo network: MLP 2-16-16-1, ReLU."""
    return nn.MLP(2, [16, 16, 1], seed=0)


def hinge(model: nn.MLP) -> Callable[[list[Value]], Value]:
    """micrograd's max-margin loss of one example; inputs (x0, x1, label -1/+1)."""
    return lambda v: (1 + -v[2] * model(v[:2])).relu()


def l2(params: list[Value]) -> Callable[[list[Value]], Value]:
    """micrograd's penalty L2 * sum p^2, a function of no input."""
    return lambda _: L2 * sum(p * p for p in params)


def digits_model(hidden: list[int], activation: str = "relu") -> nn.MLP:
    """An MLP from the 8x8 digits' 64 pixels to 10 class scores."""
    return nn.MLP(64, [*hidden, 10], activation=activation, init="xavier_normal", seed=0)


def cross_entropy(model: nn.MLP, n_inputs: int = 64, n_classes: int = 10) -> Callable[[list[Value]], Value]:
    """Softmax cross-entropy of one example: inputs are the pixels, then the one-hot label.

    log(sum_k e^(s_k)) - sum_k t_k s_k, with s = model(pixels) and t the one-hot label (the
    scores stay small for these models, so no shift by the largest score is needed).
    """
    def loss(v: list[Value]) -> Value:
        scores = model(v[:n_inputs])
        return sum(s.exp() for s in scores).log() - sum(t * s for t, s in zip(v[n_inputs:], scores))

    return loss


def digits(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The standardised 8x8 digits, 75% to train and 25% to test: X_train, X_test, y_train, y_test."""
    X, y = nn.load_digits()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=seed)
    X_train, X_test = nn.standardize(X_train, X_test)
    return X_train, X_test, y_train, y_test


def one_hot(y: np.ndarray, n_classes: int = 10) -> np.ndarray:
    return np.eye(n_classes)[np.asarray(y, dtype=int)]
