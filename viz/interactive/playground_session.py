"""The playground's model side, without a browser: data, network, training, and what the page draws.

A ``Session`` holds TensorFlow Playground's settings (``Settings``), the data split into
training and test points, an ``nn.MLP`` from the chosen features through the hidden layers to
one output (tanh for classification, linear for regression), and the training state (epoch,
loss curves).

Training is plain SGD on the engine's Values, one mini-batch at a time:

    L = (1/B) sum_k (f(x_k) - t_k)^2 + penalty,   L1: rate * sum |w|,   L2: rate * sum w^2 / 2

(weights only, not biases), then p <- p - lr * dL/dp. One epoch is one pass over the shuffled
training points in batches of ``batch_size``. The pictures (decision boundary, each neuron's
output over the plane) are the same network run on a grid with numpy, layer by layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np

import nn
from autograd import Value

from .playground_data import (
    CLASSIFICATION,
    FEATURES,
    REGRESSION,
    features,
    make_data,
    plane_grid,
    split,
    targets,
)

NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "leaky_relu": lambda z: np.where(z >= 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "linear": lambda z: z,
}


def layer_outputs(model: nn.MLP, F: np.ndarray) -> list[np.ndarray]:
    """Every layer's outputs a_l = rho(a_{l-1} W_l^T + b_l) for the rows F (n, d), with numpy:
    a list of (n, units) arrays, F first. Only for activations by name."""
    outputs = [np.asarray(F, dtype=float)]
    for layer in model.layers:
        W, b = layer.weights()
        if layer.activation not in NUMPY_ACTIVATIONS:
            raise ValueError(
                f"playground: cannot draw activation {layer.activation!r}; use one of "
                f"{', '.join(NUMPY_ACTIVATIONS)}"
            )
        outputs.append(NUMPY_ACTIVATIONS[layer.activation](outputs[-1] @ W.T + b))
    return outputs


RESETS = (
    "dataset",
    "noise",
    "train_fraction",
    "features",
    "hidden",
    "activation",
    "problem",
    "samples",
    "seed",
)
"""Settings whose change starts again with new data or a new network (the others apply from the
next step)."""
MAX_LAYERS, MAX_NEURONS = 6, 8


@dataclass(frozen=True)
class Settings:
    """TensorFlow Playground's controls, with its defaults where they fit this data."""

    dataset: str = "moons"
    noise: float = 0.1
    train_fraction: float = 0.5
    batch_size: int = 10
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    lr: float = 0.03
    regularization: str = "none"  # "none", "L1" or "L2"
    reg_rate: float = 0.0
    problem: str = "classification"  # or "regression"
    samples: int = 200
    seed: int = 0
    init: str = field(
        default="", compare=False
    )  # "" picks he_normal for relu-like, xavier otherwise

    def checked(self) -> Settings:
        """These settings, or a ValueError naming the first bad one."""
        known = CLASSIFICATION + REGRESSION + ("user",)
        checks = [
            (self.dataset in known, "dataset", f"one of {', '.join(known)}"),
            (
                self.problem in ("classification", "regression"),
                "problem",
                "classification or regression",
            ),
            (
                isinstance(self.batch_size, int) and self.batch_size >= 1,
                "batch_size",
                "a whole number >= 1",
            ),
            (
                len(self.features) > 0 and set(self.features) <= set(FEATURES),
                "features",
                f"some of {', '.join(FEATURES)}",
            ),
            (
                len(self.hidden) <= MAX_LAYERS and all(1 <= n <= MAX_NEURONS for n in self.hidden),
                "hidden",
                f"at most {MAX_LAYERS} layers of 1 to {MAX_NEURONS} neurons",
            ),
            (
                self.activation in NUMPY_ACTIVATIONS,
                "activation",
                f"one of {', '.join(NUMPY_ACTIVATIONS)}",
            ),
            (self.lr > 0 and np.isfinite(self.lr), "lr", "a positive number"),
            (self.regularization in ("none", "L1", "L2"), "regularization", "none, L1 or L2"),
            (self.reg_rate >= 0 and np.isfinite(self.reg_rate), "reg_rate", "a number >= 0"),
            (isinstance(self.samples, int) and self.samples >= 4, "samples", "a whole number >= 4"),
        ]
        for ok, name, wanted in checks:
            if not ok:
                raise ValueError(
                    f"playground: {name} must be {wanted}, got {getattr(self, name)!r}"
                )
        if (
            self.dataset in REGRESSION
            and self.problem != "regression"
            or self.dataset in CLASSIFICATION
            and self.problem != "classification"
        ):
            raise ValueError(
                f"playground: the {self.dataset} data set is for "
                f"{'regression' if self.dataset in REGRESSION else 'classification'}"
            )
        return self

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def settings_from(base: Settings, changes: dict[str, Any]) -> Settings:
    """``base`` with ``changes`` (from the page: lists as tuples, numbers as their field's type)."""
    names = {f.name for f in fields(Settings)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ValueError(f"playground: unknown settings {', '.join(unknown)}")
    typed = {}
    for name, value in changes.items():
        kind = type(getattr(base, name))
        typed[name] = tuple(value) if kind is tuple else kind(value)
    return replace(base, **typed).checked()


class Session:
    """Data, network and training state for the settings; ``epoch``/``reset`` as the buttons."""

    def __init__(
        self,
        settings: Settings | None = None,
        X: Any = None,
        y: Any = None,
        model: nn.MLP | None = None,
    ) -> None:
        self.user_data = None if X is None else (np.asarray(X, dtype=float), np.asarray(y).ravel())
        if self.user_data is not None:
            if self.user_data[0].ndim != 2 or self.user_data[0].shape[1] != 2:
                raise ValueError(
                    f"playground: needs points with 2 coordinates (to draw the plane), X has shape "
                    f"{self.user_data[0].shape}"
                )
            if not np.isfinite(self.user_data[0]).all():
                raise ValueError("playground: X has a NaN or infinite value")
            if len(self.user_data[0]) != len(self.user_data[1]):
                raise ValueError(
                    f"playground: X has {len(self.user_data[0])} rows but y has "
                    f"{len(self.user_data[1])}"
                )
        self.settings = (
            settings or Settings(dataset="user" if X is not None else "moons")
        ).checked()
        self.reset(model)

    # ---------------------------------------------------------------- set-up

    def update(self, **changes: Any) -> Session:
        """Change settings as the page's controls do; data and network start again where needed."""
        new = settings_from(self.settings, changes)
        old, self.settings = self.settings, new
        if any(getattr(old, k) != getattr(new, k) for k in RESETS):
            self.reset()
        else:
            self.optimizer.lr = new.lr
        return self

    def reset(self, model: nn.MLP | None = None) -> Session:
        """New data (for the settings), a new network (or ``model``), epoch 0, empty curves."""
        s = self.settings
        if s.dataset == "user":
            if self.user_data is None:
                raise ValueError("playground: the 'user' data set needs X and y")
            X, y = self.user_data
        else:
            X, y = make_data(s.dataset, s.samples, s.noise, s.seed)
        self.X, self.t = X, targets(y, s.problem)
        self.train_rows, self.test_rows = split(len(X), s.train_fraction, s.seed)
        self.F = features(X, s.features)
        if model is not None and model.nin != len(s.features):
            raise ValueError(
                f"playground: the model takes {model.nin} inputs but {len(s.features)} features "
                f"are chosen ({', '.join(s.features)})"
            )
        self.model = model or self.new_model()
        self.optimizer = nn.SGD(self.model.parameters(), lr=s.lr)
        self.rng = np.random.default_rng(s.seed)
        self.epochs, self.steps = 0, 0
        self.history: dict[str, list[float]] = {
            "train": [self.loss(self.train_rows)],
            "test": [self.loss(self.test_rows)],
        }
        return self

    def new_model(self) -> nn.MLP:
        """An MLP for the settings, initialised by fan-in: He for relu-like units, else Xavier."""
        s = self.settings
        init = s.init or (
            "he_normal" if s.activation in ("relu", "leaky_relu", "elu") else "xavier_uniform"
        )
        output = "tanh" if s.problem == "classification" else None
        return nn.MLP(
            len(s.features),
            [*s.hidden, 1],
            activation=s.activation,
            output_activation=output,
            init=init,
            seed=s.seed,
        )

    # ---------------------------------------------------------------- training

    def batch_loss(self, rows: np.ndarray) -> Value:
        """L on the training rows ``rows``: mean squared error plus the penalty (a graph)."""
        errors = [(self.model(self.F[i].tolist()) - float(self.t[i])) ** 2 for i in rows]
        return sum(errors[1:], errors[0]) * (1.0 / len(rows)) + self.penalty()

    def penalty(self) -> Value | float:
        """The regularisation term on the weights (not the biases)."""
        s = self.settings
        if s.regularization == "none" or s.reg_rate == 0:
            return 0.0
        weights = [w for layer in self.model.layers for neuron in layer.neurons for w in neuron.w]
        if s.regularization == "L1":
            return s.reg_rate * sum((abs(w) for w in weights[1:]), abs(weights[0]))
        return s.reg_rate * 0.5 * sum((w * w for w in weights[1:]), weights[0] * weights[0])

    def step(self, rows: np.ndarray | None = None) -> float:
        """One SGD update on ``rows`` (``batch_size`` random training rows if not given)."""
        if rows is None:
            rows = self.rng.choice(
                self.train_rows,
                size=min(self.settings.batch_size, len(self.train_rows)),
                replace=False,
            )
        loss = self.batch_loss(rows)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.steps += 1
        return loss.data

    def epoch(self, count: int = 1) -> Session:
        """``count`` passes over the shuffled training points in batches; a curve point each."""
        for _ in range(count):
            order = self.rng.permutation(self.train_rows)
            try:
                for start in range(0, len(order), self.settings.batch_size):
                    self.step(order[start : start + self.settings.batch_size])
                    if not np.isfinite([p.data for p in self.optimizer.params]).all():
                        raise ArithmeticError("a parameter is no longer finite")
            except ArithmeticError as error:
                raise ArithmeticError(
                    f"playground: training diverged in epoch {self.epochs + 1} ({error}): the "
                    f"learning rate {self.settings.lr:g} is too large; reset"
                ) from error
            self.epochs += 1
            self.history["train"].append(self.loss(self.train_rows))
            self.history["test"].append(self.loss(self.test_rows))
        return self

    # ---------------------------------------------------------------- what the page draws

    def activations(self, F: np.ndarray) -> list[np.ndarray]:
        """Every layer's outputs for the feature rows F (n, d): (n, units) arrays, input first."""
        return layer_outputs(self.model, F)

    def loss(self, rows: np.ndarray) -> float:
        """The mean squared error on the rows (no penalty): the number the curves show."""
        if len(rows) == 0:
            return float("nan")
        out = self.activations(self.F[rows])[-1][:, 0]
        return float(np.mean((out - self.t[rows]) ** 2))

    def pictures(self, resolution: int = 24) -> dict[str, Any]:
        """The grid over the plane, and every feature's and neuron's output on it (the last one is
        the decision boundary)."""
        grid = plane_grid(self.X, resolution)
        layers = self.activations(features(grid.pop("points"), self.settings.features))
        grid["layers"] = [np.round(a.T, 4).tolist() for a in layers]  # [layer][unit][grid point]
        return grid

    def weights(self) -> list[dict[str, list]]:
        """Each layer's weight matrix (out, in) and biases, as lists."""
        return [
            {"W": W.tolist(), "b": b.tolist()}
            for W, b in (layer.weights() for layer in self.model.layers)
        ]

    def points(self) -> list[list[float]]:
        """[x1, x2, target, 1 if a test point else 0] for every point."""
        test = np.zeros(len(self.X), dtype=int)
        test[self.test_rows] = 1
        return [
            [round(float(a), 4), round(float(b), 4), round(float(t), 4), int(k)]
            for (a, b), t, k in zip(self.X, self.t, test)
        ]

    def accuracy(self, rows: np.ndarray) -> float | None:
        """The share of rows on the right side of 0 (classification), None for regression."""
        if self.settings.problem != "classification" or len(rows) == 0:
            return None
        out = self.activations(self.F[rows])[-1][:, 0]
        return float(np.mean(np.sign(out) == self.t[rows]))
