"""Preparing data for training: a seeded train/test split and standardisation."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .init import Seed, make_rng


def train_test_split(X: Any, y: Any, test_size: float | int = 0.25, seed: Seed = 0,
                     stratify: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test) after a seeded shuffle.

    ``test_size`` is a fraction in (0, 1) (the test set gets ceil(fraction * n) rows, as in
    scikit-learn) or a number of rows. With ``stratify=True`` each class of ``y`` is split in the
    same proportion, so the test set has the classes in the same shares as the whole.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.ndim < 1 or len(X) != len(y):
        raise ValueError(f"train_test_split: need X (n, d) and y (n, ...), got shapes {X.shape} and {y.shape}")
    n = len(y)
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool) and 0 < test_size < n:
        n_test = int(test_size)  # a row count (np.int64 too)
    elif isinstance(test_size, numbers.Real) and not isinstance(test_size, numbers.Integral) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)  # a fraction (np.float32 too)
    else:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a row count in 1..{n - 1}, "
                         f"got {test_size!r}")
    if n_test >= n:
        raise ValueError(f"train_test_split: test_size {test_size!r} leaves no training rows out of {n}")
    rng = make_rng(seed)
    if stratify:
        test = _stratified_test_rows(y, n_test, rng)
        train = rng.permutation(np.setdiff1d(np.arange(n), test))
    else:
        order = rng.permutation(n)
        test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def _stratified_test_rows(y: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """n_test shuffled rows, each class contributing in proportion to its size (largest remainders)."""
    if y.ndim != 1:
        raise ValueError(f"train_test_split: stratify needs 1-D class labels, got y of shape {y.shape}")
    classes, counts = np.unique(y, return_counts=True)
    share = counts * n_test / len(y)
    take = np.floor(share).astype(int)
    for i in np.argsort(take - share)[: n_test - take.sum()]:  # hand out the rest by largest remainder
        take[i] += 1
    rows = [rng.permutation(np.flatnonzero(y == c))[:k] for c, k in zip(classes, take, strict=True)]
    return rng.permutation(np.concatenate(rows))


def standardize(X_train: Any, X_test: Any = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Rescale every column to mean 0 and standard deviation 1, using the training set's statistics.

    (X - mean) / std with mean and std of ``X_train``; a constant column (std 0, such as a
    pixel that is blank in every digit) is only centred. Returns the scaled ``X_train``, or
    the pair (X_train, X_test) when ``X_test`` is given (scaled with the training statistics).
    """
    train = _matrix(X_train, "X_train")
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0.0] = 1.0
    scaled = (train - mean) / std
    if X_test is None:
        return scaled
    test = _matrix(X_test, "X_test")
    if test.shape[1] != train.shape[1]:
        raise ValueError(f"standardize: X_test has {test.shape[1]} columns, X_train has {train.shape[1]}")
    return scaled, (test - mean) / std


def _matrix(X: Any, name: str) -> np.ndarray:
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"standardize: {name} must be an array of numbers") from None
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"standardize: {name} must be a non-empty 2-D array (n, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"standardize: {name} contains NaN or infinity")
    return X
