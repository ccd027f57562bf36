"""Watching a training run: what ``History`` records, when a run diverged, checks on the data.

``History`` keeps two kinds of record. Per step, as micrograd prints it: the loss (with the L2
penalty) and accuracy of that step's batch, measured *before* the step's update. Per epoch, when
``fit`` is asked (``epoch_metrics=True``, or validation data): the loss (without the penalty) and
accuracy on the whole training set and on the validation set, measured *after* the epoch's
updates, the numbers ``nn.evaluate`` and ``nn.accuracy`` give for the model at that point.

A run has diverged (``Divergence``) when its loss is NaN or infinite, when a batch loss is
``LOSS_GROWTH`` times above the best batch loss so far (floored at 1, so a loss falling to 1e-6
is not a trap), or when the largest parameter grows ``PARAMETER_GROWTH`` times beyond the
largest initial one (floored at 1): weights running away while the loss still looks finite.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

LOSS_GROWTH = 1e3
"""A batch loss above LOSS_GROWTH * max(best batch loss so far, 1) counts as diverged."""
PARAMETER_GROWTH = 1e3
"""A parameter above PARAMETER_GROWTH * max(largest initial |parameter|, 1) counts as diverged."""
SCALE_LIMIT = 5.0
"""``fit`` warns when a feature's root mean square is above this: far from unit scale."""


class History(dict):
    """The record of a run, a dict of lists with attribute access.

    Per step (``loss``, ``accuracy``): each step's batch, before that step's update, the loss
    including the L2 penalty. With ``batch_size`` these are one mini-batch's numbers, and the last
    is one update behind the trained model, so it differs from ``nn.accuracy(model, X, y)``.

    Per epoch (``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy``; empty unless
    ``fit`` records them): the whole training (validation) set after the epoch's updates, the loss
    without the penalty. ``train_accuracy[-1]`` is ``nn.accuracy(model, X, y)`` after ``fit``
    (unless early stopping put back the weights of ``best_epoch``).
    """

    KEYS = ("loss", "accuracy", "train_loss", "train_accuracy", "val_loss", "val_accuracy")

    def __init__(self) -> None:
        super().__init__({key: [] for key in self.KEYS})
        self.best_epoch: int | None = None
        """With early stopping: the epoch (0-based) whose weights the model holds."""

    @property
    def loss(self) -> list[float]:
        """Each step's batch loss (with the L2 penalty), before that step's update."""
        return self["loss"]

    @property
    def accuracy(self) -> list[float]:
        """Each step's batch accuracy, before that step's update (NaN for regression targets)."""
        return self["accuracy"]

    @property
    def train_loss(self) -> list[float]:
        """The whole training set's loss (no penalty) after each epoch, if recorded."""
        return self["train_loss"]

    @property
    def train_accuracy(self) -> list[float]:
        """The whole training set's accuracy after each epoch, if recorded."""
        return self["train_accuracy"]

    @property
    def val_loss(self) -> list[float]:
        """The validation set's loss after each epoch, if there is one."""
        return self["val_loss"]

    @property
    def val_accuracy(self) -> list[float]:
        """The validation set's accuracy after each epoch, if there is one."""
        return self["val_accuracy"]


class TrainingDiverged(FloatingPointError):
    """The training diverged (a NaN, infinite or exploding loss, runaway weights, an overflow).

    ``history`` holds the steps done before it; ``step`` is the step that failed. The model holds
    the parameters of the last step whose loss was finite (the initial ones if it was the first).
    """

    def __init__(self, message: str, history: History, step: int) -> None:
        super().__init__(message)
        self.history = history
        self.step = step


class Divergence:
    """The rule: ``reason(loss, largest |parameter|)`` says why a step diverged, or None."""

    def __init__(self, largest_initial: float) -> None:
        self.best = math.inf
        self.parameter_limit = PARAMETER_GROWTH * max(largest_initial, 1.0)

    def reason(self, loss: float, largest: float) -> str | None:
        if not math.isfinite(loss):
            return f"the loss is {loss!r}"
        if math.isfinite(self.best) and loss > LOSS_GROWTH * max(self.best, 1.0):
            return (f"the loss is {loss:.6g}, over {LOSS_GROWTH:g} times the best so far "
                    f"({self.best:.6g})")
        if not largest <= self.parameter_limit:
            return (
                f"a parameter reached {largest:.3g}, over {PARAMETER_GROWTH:g} times the largest "
                "initial one (the weights are running away)"
            )
        self.best = min(self.best, loss)
        return None


def warn_if_far_from_unit_scale(X: np.ndarray, where: str) -> None:
    """Warn when a column of X has a root mean square above SCALE_LIMIT (blobs at +-11)."""
    with np.errstate(over="ignore"):  # inputs near the float limit: inf, and a warning below
        rms = np.sqrt(np.mean(X * X, axis=0))
    j = int(np.argmax(rms))
    if rms[j] > SCALE_LIMIT:
        warnings.warn(
            f"{where}: the inputs are far from unit scale (column {j}: mean {X[:, j].mean():.3g}, "
            f"standard deviation {X[:, j].std():.3g}); standardise them (nn.standardize(X_train)) "
            "or training may be slow or diverge",
            UserWarning,
            stacklevel=3,
        )


class EarlyStopping:
    """Stop after ``patience`` epochs without a better validation loss; remember the best epoch."""

    def __init__(self, patience: int | None) -> None:
        self.patience = patience
        self.best = math.inf
        self.best_epoch: int | None = None
        self.best_state: Any = None
        self.waited = 0

    def update(self, epoch: int, val_loss: float, state: Any) -> bool:
        """Record the epoch's validation loss (and its state, if it is the best); True: stop now."""
        if val_loss < self.best:
            self.best, self.best_epoch, self.best_state, self.waited = val_loss, epoch, state, 0
            return False
        self.waited += 1
        return self.patience is not None and self.waited >= self.patience
