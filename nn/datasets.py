"""Small classification datasets: seeded 2-D toy problems and two real ones shipped with the
package.

Each returns ``(X, y)``: X of float64 with shape (n, d), y of int64 class indices 0..k-1.
``load_iris()`` and ``load_digits()`` return a ``Bunch``, as scikit-learn's: ``.data``,
``.target``, ``.feature_names``, ``.target_names``, and it still unpacks as ``X, y = load_iris()``.
Nothing here uses the network: the generators use numpy with a seed (the same seed gives the
same data to the last bit), and Iris and the 8 x 8 digits are read from ``nn/data/`` (see
``nn/data/PROVENANCE.md`` for where they come from and their licences).
"""

from __future__ import annotations

import gzip
import math
import numbers
from collections.abc import Callable
from functools import cache
from importlib.resources import files

import numpy as np

from .init import Seed, make_rng

Dataset = tuple[np.ndarray, np.ndarray]

IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


# ---------------------------------------------------------------- toy problems in the plane


def make_moons(
    n_samples: int = 100, noise: float | None = None, seed: Seed = None, shuffle: bool = True
) -> Dataset:
    """Two interleaving half circles (micrograd's demo data), as scikit-learn's ``make_moons``.

    Class 0: (cos t, sin t); class 1: (1 - cos t, 1/2 - sin t), t in [0, pi], then shuffled and
    Gaussian noise of standard deviation ``noise`` added (none by default, as scikit-learn;
    micrograd's demo uses ``noise=0.1``). ``seed`` seeds a numpy Generator, so the noise is not
    the one scikit-learn's ``random_state`` gives.
    """
    _check_count(n_samples, "make_moons")
    noise = _check_scale(noise, "make_moons: noise")
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, math.pi, n_outer)
    t_inner = np.linspace(0.0, math.pi, n_inner)
    X = np.vstack(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    return _shuffle_and_blur(X, y, noise, rng, shuffle)


def make_circles(
    n_samples: int = 100,
    noise: float | None = None,
    factor: float = 0.8,
    seed: Seed = None,
    shuffle: bool = True,
) -> Dataset:
    """A circle of radius 1 (class 0) around a circle of radius ``factor`` (class 1), as
    scikit-learn's ``make_circles`` (its defaults: factor 0.8, no noise; the seed is a numpy
    Generator's)."""
    _check_count(n_samples, "make_circles")
    noise = _check_scale(noise, "make_circles: noise")
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0.0 <= factor < 1.0:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor!r}")
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, 2 * math.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * math.pi, n_inner, endpoint=False)
    X = np.vstack(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    return _shuffle_and_blur(X, y, noise, rng, shuffle)


def make_xor(n_samples: int = 100, noise: float = 0.25, seed: Seed = None) -> Dataset:
    """Four clusters at (+-1, +-1); class 1 where the two signs differ (XOR), class 0 where they
    agree.

    No single line separates the classes: a network needs a hidden layer.
    """
    _check_count(n_samples, "make_xor")
    _check_scale(noise, "make_xor: noise")
    rng = make_rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = np.arange(n_samples) % 4
    X = corners[which]
    y = (which >= 2).astype(np.int64)
    return _shuffle_and_blur(X, y, noise, rng)


def make_spirals(
    n_samples: int = 100,
    n_classes: int = 2,
    noise: float = 0.05,
    turns: float = 1.0,
    seed: Seed = None,
) -> Dataset:
    """``n_classes`` interleaved spiral arms (CS231n's spiral data); arm j is turned by 2 pi j / k.

    A point at r in [0.05, 1] on arm j lies at angle 2 pi (turns r + j / k), plus noise.
    """
    _check_count(n_samples, "make_spirals")
    _check_scale(noise, "make_spirals: noise")
    _check_count(n_classes, "make_spirals: n_classes")
    rng = make_rng(seed)
    y = np.arange(n_samples, dtype=np.int64) % n_classes
    y.sort()
    X = np.empty((n_samples, 2))
    for j in range(n_classes):
        rows = np.flatnonzero(y == j)
        r = np.linspace(0.05, 1.0, len(rows))
        angle = 2 * math.pi * (turns * r + j / n_classes)
        X[rows] = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return _shuffle_and_blur(X, y, noise, rng)


def make_blobs(
    n_samples: int = 100,
    centers: int | np.ndarray = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    seed: Seed = None,
) -> Dataset:
    """Gaussian clusters, one per class: around given ``centers`` (k, d), or k centres drawn in
    [-10, 10]^d."""
    _check_count(n_samples, "make_blobs")
    _check_scale(cluster_std, "make_blobs: cluster_std")
    rng = make_rng(seed)
    if isinstance(centers, int | np.integer):
        _check_count(centers, "make_blobs: centers")
        _check_count(n_features, "make_blobs: n_features")
        centres = rng.uniform(-10.0, 10.0, size=(int(centers), n_features))
    else:
        centres = np.asarray(centers, dtype=np.float64)
        if centres.ndim != 2 or len(centres) == 0 or not np.all(np.isfinite(centres)):
            raise ValueError(
                "make_blobs: centers must be a count or a finite (k, d) array, got shape "
                f"{centres.shape}"
            )
    y = np.arange(n_samples, dtype=np.int64) % len(centres)
    return _shuffle_and_blur(centres[y], y, cluster_std, rng)


# ---------------------------------------------------------------- real data, shipped in nn/data


class Bunch(tuple):
    """(X, y) with names, as scikit-learn's Bunch: ``.data`` (X), ``.target`` (y),
    ``.feature_names`` (one per column of X), ``.target_names`` (class i is target_names[i]);
    ``X, y = bunch`` unpacks."""

    def __new__(
        cls,
        data: np.ndarray,
        target: np.ndarray,
        feature_names: list[str],
        target_names: np.ndarray,
    ) -> Bunch:
        bunch = super().__new__(cls, (data, target))
        bunch.feature_names, bunch.target_names = feature_names, target_names
        return bunch

    @property
    def data(self) -> np.ndarray:
        return self[0]

    @property
    def target(self) -> np.ndarray:
        return self[1]

    def __repr__(self) -> str:
        return (
            f"Bunch(data: {self.data.shape}, target: {self.target.shape}, target_names: "
            f"{list(self.target_names)})"
        )


def load_iris() -> Bunch:
    """Fisher's Iris: 150 flowers x 4 measurements in cm (IRIS_FEATURES), 3 classes (IRIS_CLASSES)
    of 50."""
    table = _read_csv("iris.csv.gz", skip_header=True)
    return Bunch(
        table[:, :4].copy(),
        table[:, 4].astype(np.int64),
        list(IRIS_FEATURES),
        np.array(IRIS_CLASSES),
    )


def load_digits() -> Bunch:
    """1797 handwritten digits as 8 x 8 images flattened row by row (pixels 0..16), classes 0..9;
    feature ``pixel_i_j`` is row i, column j of the image (scikit-learn's names)."""
    table = _read_csv("digits.csv.gz", skip_header=False)
    pixels = [f"pixel_{i}_{j}" for i in range(8) for j in range(8)]
    return Bunch(table[:, :64].copy(), table[:, 64].astype(np.int64), pixels, np.arange(10))


@cache
def _read_table(name: str, skip_header: bool) -> np.ndarray:
    with gzip.open(files("nn") / "data" / name, "rt", encoding="ascii") as f:
        table = np.loadtxt(f, delimiter=",", skiprows=1 if skip_header else 0)
    table.setflags(write=False)
    return table


def _read_csv(name: str, skip_header: bool) -> np.ndarray:
    try:
        return _read_table(name, skip_header)
    except (OSError, ValueError) as error:
        raise RuntimeError(
            f"cannot read the bundled dataset nn/data/{name}: {error}; reinstall chainrule"
        ) from error


DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spirals": make_spirals,
    "blobs": make_blobs,
    "iris": load_iris,
    "digits": load_digits,
}
"""Every dataset by name; each can be called with no arguments and returns (X, y)."""


# ---------------------------------------------------------------- helpers


def _shuffle_and_blur(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator, shuffle: bool = True
) -> Dataset:
    """Shuffle the rows (unless ``shuffle=False``), then add N(0, noise^2) to every coordinate."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64)


def _check_count(n: object, where: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{where}: expected a positive int, got {n!r}")


def _check_scale(x: object, where: str) -> float:
    """A noise or spread: a finite number >= 0 (None, scikit-learn's "no noise", is 0)."""
    if x is None:
        return 0.0
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x < 0:
        raise ValueError(f"{where}: expected a finite number >= 0, got {x!r}")
    return float(x)
