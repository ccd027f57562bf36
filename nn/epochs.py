"""Per-epoch records for ``nn.fit``: whole-set metrics, validation, early stopping, a callback.

After each epoch (each step when training on the whole data set) ``Epochs.end_of_epoch`` measures
the model on the whole training set (if asked) and on the validation set with ``nn.evaluate``:
the loss without the L2 penalty, after the epoch's updates. With ``patience`` it stops the run
once the validation loss has gone that many epochs without a new best, and the training loop
(``nn.loop.train_loop``) puts back the best epoch's weights, as Keras'
``EarlyStopping(restore_best_weights=True)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .evaluation import evaluate_task
from .init import Seed
from .labels import Task, read_labels, read_user_labels
from .module import Module
from .monitor import EarlyStopping, History
from .preprocessing import train_test_split
from .validation import check_data

CallbackFn = Callable[[int, History], bool | None]
"""callback(epoch, history) -> True to stop training (None or False: go on)."""


class Epochs:
    """What ``fit`` records at the end of each epoch, and whether it stops there."""

    def __init__(
        self,
        model: Module,
        task: Task,
        validation_data: tuple[Any, Any] | None,
        validation_split: float | None,
        patience: int | None,
        epoch_metrics: bool,
        callback: CallbackFn | None,
        seed: Seed,
        n_outputs: int,
        threshold: float | None = None,
    ) -> None:
        if validation_data is not None and validation_split is not None:
            raise ValueError("nn.fit: give validation_data or validation_split, not both")
        split = validation_split
        if split is not None and (
            isinstance(split, bool) or not isinstance(split, numbers.Real) or not 0 < split < 1
        ):
            raise ValueError(
                f"nn.fit: validation_split must be a fraction in (0, 1), got {validation_split!r}"
            )
        if patience is not None and (
            isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1
        ):
            raise ValueError(f"nn.fit: patience must be a positive int, got {patience!r}")
        if patience is not None and validation_data is None and validation_split is None:
            raise ValueError(
                "nn.fit: patience stops on the validation loss; give validation_data or "
                "validation_split"
            )
        if callback is not None and not callable(callback):
            raise TypeError(
                "nn.fit: callback must be a function (epoch, history) -> bool, got "
                f"{type(callback).__name__}"
            )
        self.model, self.task, self.seed, self.n_outputs = model, task, seed, n_outputs
        self.threshold = threshold
        self.training_set: tuple[np.ndarray, np.ndarray] | None = None
        self.split, self.epoch_metrics, self.callback = validation_split, epoch_metrics, callback
        self.validation = (
            None if validation_data is None else self._read_validation(validation_data)
        )
        self.stopping = EarlyStopping(patience) if patience is not None else None
        self.epoch = 0

    @property
    def active(self) -> bool:
        return (
            self.epoch_metrics
            or self.callback is not None
            or self.validation is not None
            or self.split is not None
        )

    @property
    def best_state(self) -> Any:
        return None if self.stopping is None else self.stopping.best_state

    @property
    def best_epoch(self) -> int | None:
        return None if self.stopping is None else self.stopping.best_epoch

    def _read_validation(self, data: tuple[Any, Any]) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(data, tuple | list) or len(data) != 2:
            raise TypeError("nn.fit: validation_data must be a pair (X_val, y_val)")
        y, _, _ = read_user_labels(data[1], "nn.fit: validation_data", self.task)
        X, y = check_data(data[0], y, "nn.fit: validation_data")
        read_labels(self.task.loss, y, self.n_outputs, "nn.fit: validation_data", self.task.classes)
        return X, y

    def hold_out(self, X: np.ndarray, y: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, ...]:
        """(X, y, targets) to train on, without the validation_split rows (the validation set)."""
        if self.split is None:
            self.training_set = X, y
            return X, y, targets
        rows = np.arange(len(y)).reshape(-1, 1)
        stratify = (
            y if self.task.classes is not None and y.ndim == 1 and _every_class_twice(y) else None
        )
        train, held, _, _ = train_test_split(
            rows, y, test_size=float(self.split), seed=self.seed, stratify=stratify
        )
        train, held = train[:, 0], held[:, 0]
        self.validation = X[held], y[held]
        self.training_set = X[train], y[train]
        return X[train], y[train], targets[train]

    def end_of_epoch(self, history: History, state: Any) -> bool:
        """Record the epoch's metrics and call the callback; True: stop training now. ``state``
        is the run's snapshot, kept if this is the best epoch so far."""
        stop = False
        threshold = self.threshold
        if self.epoch_metrics and self.training_set is not None:
            scores = evaluate_task(self.model, self.task, *self.training_set, threshold)
            history.train_loss.append(scores["loss"])
            history.train_accuracy.append(scores["accuracy"])
        if self.validation is not None:
            scores = evaluate_task(self.model, self.task, *self.validation, threshold)
            history.val_loss.append(scores["loss"])
            history.val_accuracy.append(scores["accuracy"])
            if self.stopping is not None:
                stop = self.stopping.update(self.epoch, scores["loss"], state) or not math.isfinite(
                    scores["loss"]
                )
        if self.callback is not None and self.callback(self.epoch, history):
            stop = True
        self.epoch += 1
        return stop


def _every_class_twice(y: np.ndarray) -> bool:
    return bool(np.unique(y, return_counts=True)[1].min() >= 2)
