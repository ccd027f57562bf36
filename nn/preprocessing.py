"""Preparing data for training: a seeded train/test split and standardisation, as scikit-learn's.

``train_test_split(X, y, test_size=0.25, seed=0, stratify=y)`` and ``StandardScaler`` (``fit``,
``transform``, ``fit_transform``, ``inverse_transform``, ``mean_``, ``scale_``) follow
scikit-learn's conventions; the seed is a numpy Generator's, so the rows chosen are not the ones
scikit-learn's ``random_state`` would choose.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .init import Seed, make_rng


def train_test_split(X: Any, y: Any, test_size: float | int = 0.25, seed: Seed = 0,
                     stratify: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test) after a seeded shuffle.

    ``test_size`` is a fraction in (0, 1) (the test set gets ceil(fraction * n) rows, as in
    scikit-learn) or a number of rows. ``stratify`` takes class labels, one per row, as
    scikit-learn's (usually ``stratify=y``): each class is split in the same proportion, so the
    test set has the classes in the same shares as the whole. ``stratify=True`` means ``y``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.ndim < 1 or len(X) != len(y):
        raise ValueError(
            f"train_test_split: need X (n, d) and y (n, ...), got shapes {X.shape} and {y.shape}"
        )
    n = len(y)
    if (
        isinstance(test_size, numbers.Integral)
        and not isinstance(test_size, bool)
        and 0 < test_size < n
    ):
        n_test = int(test_size)  # a row count (np.int64 too)
    elif (
        isinstance(test_size, numbers.Real)
        and not isinstance(test_size, numbers.Integral)
        and 0 < test_size < 1
    ):
        n_test = math.ceil(test_size * n)  # a fraction (np.float32 too)
    else:
        raise ValueError(
            "train_test_split: test_size must be a fraction in (0, 1) or a row count in "
            f"1..{n - 1}, got {test_size!r}"
        )
    if n_test >= n:
        raise ValueError(
            f"train_test_split: test_size {test_size!r} leaves no training rows out of {n}"
        )
    rng = make_rng(seed)
    if stratify is True:
        stratify = y
    if stratify is not None and stratify is not False:
        labels = np.asarray(stratify)
        if labels.ndim != 1 or len(labels) != n:
            raise ValueError(
                f"train_test_split: stratify must hold one class label per row ({n}), got shape "
                f"{labels.shape}"
            )
        test = _stratified_test_rows(labels, n_test, rng)
        train = rng.permutation(np.setdiff1d(np.arange(n), test))
    else:
        order = rng.permutation(n)
        test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def _stratified_test_rows(y: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """n_test shuffled rows, each class contributing in proportion to its size (largest
    remainders)."""
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        lonely = classes[np.argmin(counts)].item()
        raise ValueError(
            f"train_test_split: stratify: class {lonely!r} has only 1 member; every class needs at "
            "least 2 to be in both the training and the test set"
        )
    share = counts * n_test / len(y)
    take = np.floor(share).astype(int)
    for i in np.argsort(take - share)[
        : n_test - take.sum()
    ]:  # hand out the rest by largest remainder
        take[i] += 1
    rows = [rng.permutation(np.flatnonzero(y == c))[:k] for c, k in zip(classes, take, strict=True)]
    return rng.permutation(np.concatenate(rows))


class StandardScaler:
    """Rescale every column to mean 0 and standard deviation 1 with statistics learned by ``fit``.

    transform(X) = (X - mean_) / scale_, with ``mean_`` and ``scale_`` (the standard deviation, 1
    for a constant column such as a pixel blank in every digit, which is then only centred) of
    the data given to ``fit``, as scikit-learn's StandardScaler.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: Any) -> StandardScaler:
        """Learn each column's mean and standard deviation from X (n, d); returns the scaler."""
        X = _matrix(X, "X")
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale == 0.0] = 1.0
        self.scale_ = scale
        return self

    def transform(self, X: Any) -> np.ndarray:
        """(X - mean_) / scale_, for training data or new data with the same columns."""
        return (self._columns(X, "transform") - self.mean_) / self.scale_

    def fit_transform(self, X: Any) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``: (X - mean) / std with X's own statistics."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """X * scale_ + mean_: back to the original units."""
        return self._columns(X, "inverse_transform") * self.scale_ + self.mean_

    def _columns(self, X: Any, where: str) -> np.ndarray:
        if self.mean_ is None:
            raise ValueError(
                f"StandardScaler.{where}: the scaler is not fitted; call fit(X_train) first"
            )
        X = _matrix(X, "X")
        if X.shape[1] != len(self.mean_):
            raise ValueError(
                f"StandardScaler.{where}: X has {X.shape[1]} columns, the scaler was fitted on "
                f"{len(self.mean_)}"
            )
        return X

    def __repr__(self) -> str:
        return (
            "StandardScaler()"
            if self.mean_ is None
            else f"StandardScaler(fitted on {len(self.mean_)} columns)"
        )


def standardize(X_train: Any, X_test: Any = None) -> StandardScaler | tuple[np.ndarray, np.ndarray]:
    """A ``StandardScaler`` fitted on ``X_train``: ``scaler.transform(X)`` scales any data the same
    way.

        scaler = nn.standardize(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    The shorthand ``standardize(X_train, X_test)`` returns that pair directly.
    """
    scaler = StandardScaler().fit(X_train)
    if X_test is None:
        return scaler
    return scaler.transform(X_train), scaler.transform(X_test)


def _matrix(X: Any, name: str) -> np.ndarray:
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"StandardScaler: {name} must be an array of numbers") from None
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(
            f"StandardScaler: {name} must be a non-empty 2-D array (n, d), got shape {X.shape}"
        )
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        i, j = bad[0].tolist()
        raise ValueError(
            f"StandardScaler: {name}[{i}, {j}] is {float(X[i, j])!r}; values must be finite"
        )
    return X
