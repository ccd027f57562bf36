"""The playground's data: TensorFlow Playground's data sets, its input features and the split.

Classification sets are nn's seeded generators (labels 0/1, trained on as targets -1/+1);
regression sets are two smooth functions of the plane (targets in [-1, 1]):

    plane:     t = (x1 + x2) / 4                     x uniform in [-2, 2]^2
    gaussians: t = sum_j s_j exp(-|x - c_j|^2 / 2)  four bumps, s_j = +1 or -1

The network sees features of a point (x1, x2), chosen from FEATURES, as TensorFlow Playground's
input column: x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import nn

Feature = Callable[[np.ndarray, np.ndarray], np.ndarray]

FEATURES: dict[str, Feature] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(a),
    "sin(x2)": lambda a, b: np.sin(b),
}
"""Input features by name: a function of the columns x1, x2."""

CLASSIFICATION = ("moons", "circles", "xor", "spirals", "blobs")
REGRESSION = ("plane", "gaussians")
BUMPS = np.array(
    [[1.0, 1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0]]
)  # (c1, c2, sign)


def make_data(name: str, n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of data set ``name``: X (n, 2); y classes 0/1, or regression targets in [-1, 1]."""
    if not 0 <= noise <= 1:
        raise ValueError(f"playground: noise must be in [0, 1], got {noise!r}")
    if name == "moons":
        return nn.make_moons(n_samples, noise=noise, seed=seed)
    if name == "circles":
        return nn.make_circles(n_samples, noise=noise, factor=0.5, seed=seed)
    if name == "xor":
        return nn.make_xor(n_samples, noise=noise, seed=seed)
    if name == "spirals":
        return nn.make_spirals(n_samples, noise=noise, seed=seed)
    if name == "blobs":
        return nn.make_blobs(
            n_samples,
            centers=np.array([[-1.0, -1.0], [1.0, 1.0]]),
            cluster_std=noise + 0.3,
            seed=seed,
        )
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n_samples, 2))
    if name == "plane":
        t = (X[:, 0] + X[:, 1]) / 4
    elif name == "gaussians":
        t = sum(s * np.exp(-((X[:, 0] - a) ** 2 + (X[:, 1] - b) ** 2) / 2) for a, b, s in BUMPS)
    else:
        raise ValueError(
            f"playground: unknown data set {name!r}; "
            f"known: {', '.join(CLASSIFICATION + REGRESSION)}"
        )
    return X, np.clip(t + noise * rng.standard_normal(n_samples), -1.0, 1.0)


def features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The columns ``names`` (from FEATURES) of the points X (n, 2): an (n, len(names)) array."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not names:
        raise ValueError(
            f"playground: features must be some of {', '.join(FEATURES)}; got {list(names)}"
        )
    return np.column_stack([FEATURES[n](X[:, 0], X[:, 1]) for n in names])


def targets(y: np.ndarray, problem: str) -> np.ndarray:
    """Targets: classes 0/1 (or -1/+1) as -1/+1 for classification; y itself for regression."""
    y = np.asarray(y, dtype=float).ravel()
    if problem == "regression":
        if not np.isfinite(y).all():
            raise ValueError("playground: y has a NaN or infinite value")
        return y
    if not set(np.unique(y)) <= {-1.0, 0.0, 1.0}:
        raise ValueError(
            f"playground: classification needs two classes (0/1 or -1/+1), got labels "
            f"{sorted(set(np.unique(y).tolist()))[:5]}"
        )
    return np.where(y > 0, 1.0, -1.0)


def split(n: int, train_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows): a seeded shuffle of 0..n-1, cut at ``train_fraction``."""
    if not 0 < train_fraction < 1:
        raise ValueError(
            f"playground: the training share must be between 0 and 1, got {train_fraction!r}"
        )
    order = np.random.default_rng(seed).permutation(n)
    cut = min(n - 1, max(1, round(train_fraction * n)))
    return np.sort(order[:cut]), np.sort(order[cut:])


def plane_grid(X: np.ndarray, resolution: int) -> dict[str, Any]:
    """A square grid over the data (padded), rows from the lowest x2 up: its corners and points."""
    low, high = X.min(axis=0), X.max(axis=0)
    centre, half = (low + high) / 2, max(high - low) / 2 * 1.1 + 0.1
    x0, x1, y0, y1 = centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return {
        "n": resolution,
        "x0": float(x0),
        "x1": float(x1),
        "y0": float(y0),
        "y1": float(y1),
        "points": np.column_stack([gx.ravel(), gy.ravel()]),
    }
