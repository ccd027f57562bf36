"""Judging a model: ``predict``, ``predict_proba``, ``accuracy`` and ``evaluate``, the way it was
trained.

``nn.fit`` keeps the loss and the classes it trained for with the model (a ``nn.labels.Task``);
these functions use it unless given another ``loss``, so ``nn.accuracy`` says what ``fit``
reported and ``predict`` answers in the user's own labels (-1/+1 stays -1/+1). A model never
trained by ``fit`` is read by the loss given, or else as scores: one output is cut at 0 (at 1/2
after a sigmoid output), several are argmaxed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Value

from .labels import (
    Task,
    decide,
    labels_accuracy,
    probabilities,
    read_labels,
    read_user_labels,
    to_user_labels,
)
from .losses import (
    CrossEntropy,
    FunctionLoss,
    Hinge,
    Loss,
    LossFunction,
    check_alpha,
    get_loss,
    l2_penalty,
)
from .module import Module
from .validation import check_data

LossLike = str | Loss | LossFunction | None


def predict(
    model: Module, X: Any, threshold: float | None = None, loss: LossLike = None
) -> np.ndarray:
    """The predicted labels, in the label set the model was trained with.

    One output is cut by the loss's rule (hinge, bce_with_logits: 0; bce: 1/2; mse: midway between
    the two labels) or at ``threshold``; several outputs give the argmax's class. The labels have
    the type of the y the model was trained on (ints, bools, strings, floats), as scikit-learn's.
    A model trained for regression (mse on targets that are not two labels) returns its outputs.
    """
    X, _ = check_data(X, None, "nn.predict")
    scores = forward_data(model, X)
    task = task_of(model, loss, None, scores.shape[1], "nn.predict")
    labels = decide(task, scores, threshold)
    return labels if task.classes is None else to_user_labels(task, labels)


def predict_proba(model: Module, X: Any, loss: LossLike = None) -> np.ndarray:
    """Class probabilities, as scikit-learn's: (n, 2) for one output (columns in the order of the
    classes), (n, k) for k outputs. Only for losses whose outputs are probabilities or logits."""
    X, _ = check_data(X, None, "nn.predict_proba")
    scores = forward_data(model, X)
    return probabilities(task_of(model, loss, None, scores.shape[1], "nn.predict_proba"), scores)


def accuracy(
    model: Module, X: Any, y: Any, threshold: float | None = None, loss: LossLike = None
) -> float:
    """The fraction of examples whose predicted label is y.

    The same rule as the accuracy ``nn.fit`` records; ``History.train_accuracy``
    (``epoch_metrics=True``) is this number after each epoch. A model trained on regression or
    soft targets has no accuracy: a ValueError (use ``nn.evaluate``'s loss).
    """
    y = read_user_labels(y, "nn.accuracy", trained_task(model) if loss is None else None)[0]
    X, y = check_data(X, y, "nn.accuracy")
    scores = forward_data(model, X)
    task = task_of(model, loss, y, scores.shape[1], "nn.accuracy")
    if task.classes is None:
        raise ValueError(
            "nn.accuracy: the model was trained on targets that are not class labels (regression "
            "or soft targets), so predictions have no accuracy; use nn.evaluate(model, X, "
            "y)['loss']"
        )
    read_labels(task.loss, y, scores.shape[1], "nn.accuracy", task.classes)  # other labels: error
    return labels_accuracy(task, scores, y, threshold)


def evaluate(
    model: Module,
    X: Any,
    y: Any,
    loss: LossLike = None,
    threshold: float | None = None,
    alpha_l2: float = 0.0,
) -> dict[str, float]:
    """{"loss": the mean loss over (X, y) (plus the L2 penalty if asked), "accuracy": ...}, without
    a graph.

    The loss is the model's training loss unless given (a model never trained: hinge for one
    output, cross_entropy for several, as ``nn.fit``'s default).
    """
    check_alpha(alpha_l2, "nn.evaluate: alpha_l2")
    y = read_user_labels(y, "nn.evaluate", trained_task(model) if loss is None else None)[0]
    X, y = check_data(X, y, "nn.evaluate")
    k = forward_data(model, X[:1]).shape[1]
    if loss is None and trained_task(model) is None:
        loss = default_loss(k)
    task = task_of(model, loss, y, k, "nn.evaluate")
    return evaluate_task(model, task, X, y, threshold, alpha_l2)


def evaluate_task(
    model: Module,
    task: Task,
    X: np.ndarray,
    y: np.ndarray,
    threshold: float | None = None,
    alpha_l2: float = 0.0,
) -> dict[str, float]:
    """``evaluate`` for checked arrays and a known Task (what ``nn.fit`` records per epoch)."""
    with autograd.no_grad():
        outputs = [model(x) for x in X.tolist()]
        scores = output_matrix(outputs)
        targets, _ = read_labels(task.loss, y, scores.shape[1], "nn.evaluate", task.classes)
        total = task.loss(outputs, targets)
        if alpha_l2:
            total = total + l2_penalty(model, alpha_l2)
    return {"loss": float(total), "accuracy": labels_accuracy(task, scores, y, threshold)}


# ---------------------------------------------------------------- the task a model is judged by


def default_loss(n_outputs: int) -> Loss:
    """``nn.fit``'s loss when none is given: micrograd's hinge for one output, cross_entropy for
    several."""
    return Hinge() if n_outputs == 1 else CrossEntropy()


def trained_task(model: Module) -> Task | None:
    """The Task ``nn.fit`` (or ``nn.load``) recorded for ``model``, if any."""
    return getattr(model, "_trained_for", None)


def model_loss(model: Module, loss: LossLike) -> Loss:
    """``get_loss(loss)``; a loss function (or none) reads a sigmoid output as a probability, cut at
    1/2."""
    loss_object = FunctionLoss(None) if loss is None else get_loss(loss)
    last = getattr(model, "output_activation", getattr(model, "activation", None))
    if isinstance(loss_object, FunctionLoss) and last == "sigmoid":
        return FunctionLoss(loss_object.loss_function, threshold=0.5)
    return loss_object


def task_of(
    model: Module, loss: LossLike, y: np.ndarray | None, n_outputs: int, where: str
) -> Task:
    """The Task to judge ``model`` by: its training's, unless another loss is given (then the
    classes come from y, or the training's if the loss is the same, or 0/1 and 0..k-1)."""
    trained = trained_task(model)
    if loss is None and trained is not None:
        return trained
    loss_object = model_loss(model, loss)
    classes = trained.classes if trained is not None and trained.loss == loss_object else None
    if y is not None:
        return read_labels(loss_object, y, n_outputs, where, classes)[1]
    if classes is None:
        classes = (0.0, 1.0) if n_outputs == 1 else tuple(float(c) for c in range(n_outputs))
    return Task(loss_object, classes)


def default_threshold(
    model: Module,
    threshold: float | None = None,
    loss: LossLike = None,
    y: np.ndarray | None = None,
) -> float:
    """The cut of a single output (above it: the second class), as ``predict`` uses it (for
    plots)."""
    if threshold is not None:
        return threshold
    task = task_of(
        model, loss, None if y is None else np.asarray(y, dtype=np.float64), 1, "default_threshold"
    )
    return task.loss.cut(*task.binary_targets())


# ---------------------------------------------------------------- outputs as arrays


def forward_data(model: Module, X: np.ndarray) -> np.ndarray:
    """The model's outputs for every row of X as an (n, k) array, recording no graph."""
    with autograd.no_grad():
        return output_matrix([model(x) for x in X.tolist()])


def output_matrix(outputs: list[Any]) -> np.ndarray:
    """(n, k) array of the data of n model outputs (a Value or a list of k Values each)."""
    return np.array(
        [
            [float(o)] if isinstance(o, Value | float | int) else [float(v) for v in o]
            for o in outputs
        ]
    )


def predictions(scores: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Class indices from an (n, k) array of outputs: argmax, or score > threshold when k = 1."""
    if scores.shape[1] == 1:
        return (scores[:, 0] > threshold).astype(np.int64)
    return np.argmax(scores, axis=1).astype(np.int64)
