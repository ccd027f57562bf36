"""From labels to targets and from outputs back to labels: one rule, read from the loss
(``nn.losses.Loss``).

``fit`` calls ``read_labels`` once, before the first step: it checks every row of y (an error
names the row in the data set), learns the classes in the user's own label set (0/1, -1/+1,
two other numbers, or k classes) and encodes them as the loss wants them (hinge: -1/+1; bce:
0/1; mse: the labels themselves; cross_entropy: class indices; several outputs: one-hot).
The ``Task`` it returns (the loss and the classes) is kept with the model, so ``predict``,
``predict_proba``, ``accuracy`` and ``evaluate`` cut the outputs exactly where training did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .losses import LOSSES, CrossEntropy, Loss


@dataclass(frozen=True)
class Task:
    """What a model was trained for: the loss, the classes (user's labels as numbers; None for
    regression or soft targets), whether y had one column per output (several yes/no labels, D10),
    and the labels' own type: ``dtype`` of integer or bool labels, or the ``names`` of string
    labels (class i is names[i]), so that ``predict`` answers in them."""

    loss: Loss
    classes: tuple[float, ...] | None
    per_unit: bool = False
    dtype: str | None = None
    names: tuple[str, ...] | None = None

    def with_user_labels(self, dtype: str | None, names: tuple[str, ...] | None) -> Task:
        """This task with the labels' own type (kept only when the task has classes)."""
        return self if self.classes is None else replace(self, dtype=dtype, names=names)

    def binary_targets(self) -> tuple[float, float]:
        """The targets (t0, t1) of the two classes of one output unit."""
        if self.loss.binary_targets is not None:
            return self.loss.binary_targets
        return (
            (self.classes[0], self.classes[1])
            if self.classes and len(self.classes) == 2
            else (0.0, 1.0)
        )

    def to_dict(self) -> dict:
        classes = None if self.classes is None else list(self.classes)
        document = {"loss": self.loss.name, "classes": classes, "per_unit": self.per_unit}
        if self.dtype is not None:
            document["dtype"] = self.dtype
        if self.names is not None:
            document["names"] = list(self.names)
        return document


def read_user_labels(
    y: Any, where: str, task: Task | None = None
) -> tuple[Any, str | None, tuple[str, ...] | None]:
    """(y as numbers, the dtype of integer or bool labels, the names of string labels).

    String labels become their index among the sorted names (``task``'s names when given, a model's
    training labels); y of numbers is returned as it is.
    """
    array = np.asarray(y)
    if array.dtype.kind in "biu":
        return y, array.dtype.str, None
    flat = array.reshape(-1).tolist()
    if array.dtype.kind not in "USO" or not flat or not all(isinstance(v, str) for v in flat):
        return y, None, None
    if task is None:
        names = tuple(sorted(set(flat)))
    elif task.names is None:
        raise ValueError(
            f"{where}: y holds strings ({flat[0]!r}), but the model was trained on numeric labels"
        )
    else:
        names = task.names
    index = {name: i for i, name in enumerate(names)}
    for i, v in enumerate(flat):
        if v not in index:
            raise ValueError(
                f"{where}: {_at_string(array, i, v)}, not one of the classes ({', '.join(names)})"
            )
    return np.array([index[v] for v in flat], dtype=np.float64).reshape(array.shape), None, names


def to_user_labels(task: Task, labels: np.ndarray) -> np.ndarray:
    """Predicted labels (numbers) in the type of the labels the model was trained on."""
    if task.names is not None:
        return np.asarray(task.names)[labels.astype(np.int64)]
    if task.dtype is not None:
        return labels.astype(np.dtype(task.dtype))
    return labels


def _at_string(y: np.ndarray, flat_index: int, value: str) -> str:
    return f"y[{', '.join(map(str, _row(y, flat_index)))}] is {value!r}"


def read_labels(
    loss: Loss, y: np.ndarray, n_outputs: int, where: str, classes: tuple[float, ...] | None = None
) -> tuple[np.ndarray, Task]:
    """(the targets the loss is given, the Task), checking every row of y first.

    ``classes`` fixes the label set (a model's training classes); otherwise it is learned from y.
    """
    if y.ndim == 2 and y.shape[1] != n_outputs:
        raise ValueError(
            f"{where}: y has {y.shape[1]} columns but the model has {n_outputs} outputs"
        )
    if isinstance(loss, CrossEntropy) and (n_outputs < 2 or y.ndim == 2):
        raise ValueError(
            f"{where}: cross_entropy needs one output per class (k >= 2) and y of class labels; "
            f"the model has {n_outputs} output(s), y has shape {y.shape}"
        )
    if y.ndim == 1 and n_outputs > 1:
        return _class_targets(loss, y, n_outputs, where, classes)
    return _unit_targets(loss, y, where, classes)


def _unit_targets(
    loss: Loss, y: np.ndarray, where: str, classes: tuple[float, ...] | None
) -> tuple[np.ndarray, Task]:
    """One output per label (or one column of y per output): two classes, or soft targets."""
    flat = y.reshape(-1)
    if classes is None:
        classes = _two_classes(flat)
    if classes is not None:
        _check_in(y, classes, where)
        task = Task(loss, classes, per_unit=y.ndim == 2)
        t0, t1 = task.binary_targets()
        return np.where(y == classes[-1], t1, t0), task
    if not loss.soft_targets:
        row = _row(
            y, _first(~_is_integer(flat)) if not np.all(_is_integer(flat)) else _third_class(flat)
        )
        raise ValueError(
            f"{where}: {_at(y, row)}; the {loss.name} loss needs two class labels (0/1, -1/+1 or "
            f"two numbers), y has {len(np.unique(flat))} values"
        )
    if loss.target_range is not None:
        low, high = loss.target_range
        outside = (flat < low) | (flat > high)
        if np.any(outside):
            row = _row(y, _first(outside))
            raise ValueError(
                f"{where}: {_at(y, row)}; {loss.name} needs two class labels or targets in "
                f"[{low:g}, {high:g}]"
            )
    return y, Task(loss, None, per_unit=y.ndim == 2)


def _class_targets(
    loss: Loss, y: np.ndarray, k: int, where: str, classes: tuple[float, ...] | None
) -> tuple[np.ndarray, Task]:
    """Class labels for a model with k outputs: indices 0..k-1, or exactly k distinct labels."""
    if loss.class_targets is None:
        raise ValueError(
            f"{where}: the {loss.name} loss needs a model with one output, this one has {k}"
        )
    not_integer = ~_is_integer(y)
    if np.any(not_integer):
        i = _first(not_integer)
        raise ValueError(f"{where}: {_at(y, (i,))}; with {k} outputs y must hold class labels")
    if classes is None:
        values = np.unique(y)
        in_range = values.min() >= 0 and values.max() < k
        classes = tuple(float(c) for c in (range(k) if in_range or len(values) != k else values))
    _check_in(
        y,
        classes,
        where,
        f"; with {k} outputs the labels are 0..{k - 1} (or exactly {k} distinct labels)",
    )
    index = np.searchsorted(np.asarray(classes), y)
    targets = index.astype(np.float64) if loss.class_targets == "index" else np.eye(k)[index]
    return targets, Task(loss, classes)


def _two_classes(flat: np.ndarray) -> tuple[float, ...] | None:
    """The two classes of integer labels (0/1 and -1/+1 also when only one of them occurs); None
    otherwise."""
    if not np.all(_is_integer(flat)):
        return None
    values = set(np.unique(flat).tolist())
    if values <= {0.0, 1.0}:
        return (0.0, 1.0)
    if values <= {-1.0, 1.0}:
        return (-1.0, 1.0)
    return tuple(sorted(values)) if len(values) == 2 else None


def _check_in(y: np.ndarray, classes: tuple[float, ...], where: str, hint: str = "") -> None:
    outside = ~np.isin(y, classes)
    if np.any(outside):
        row = _row(y, _first(outside.reshape(-1)))
        shown = ", ".join(f"{c:g}" for c in classes)
        raise ValueError(f"{where}: {_at(y, row)}, not one of the classes ({shown}){hint}")


def _is_integer(y: np.ndarray) -> np.ndarray:
    return y == np.round(y)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _third_class(flat: np.ndarray) -> int:
    """The first position holding a third distinct value."""
    seen: list[float] = []
    for i, v in enumerate(flat.tolist()):
        if v not in seen:
            seen.append(v)
            if len(seen) == 3:
                return i
    return 0


def _at(y: np.ndarray, row: tuple[int, ...]) -> str:
    """ "y[3] is 2.0" (or "y[3, 1] is 2.0"): an entry of y named by its place in the data set."""
    return f"y[{', '.join(map(str, row))}] is {float(y[row])!r}"


def _row(y: np.ndarray, flat_index: int) -> tuple[int, ...]:
    """The index of y's flat_index-th entry: (i,) or (i, j); printed as y[i] or y[i, j]."""
    return tuple(int(i) for i in np.unravel_index(flat_index, y.shape))


# ---------------------------------------------------------------- outputs to labels


def decide(task: Task, scores: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Labels in the task's own label set from (n, k) outputs: one output (or one per label) is cut
    by the loss's rule (or ``threshold``), several are argmaxed. A regression (no classes, scores
    only) returns the outputs themselves."""
    if task.per_unit or scores.shape[1] == 1:
        if task.classes is None and task.loss.probabilities is None:
            return scores[:, 0] if scores.shape[1] == 1 and not task.per_unit else scores
        cut = task.loss.cut(*task.binary_targets()) if threshold is None else threshold
        low, high = task.classes if task.classes is not None else (0.0, 1.0)
        labels = np.where(scores > cut, high, low)
        return labels if task.per_unit else labels[:, 0]
    index = np.argmax(scores, axis=1)
    return index if task.classes is None else np.asarray(task.classes)[index]


def probabilities(task: Task, scores: np.ndarray) -> np.ndarray:
    """Class probabilities: (n, 2) for one output (columns in the order of the classes), (n, k) for
    softmax or for several yes/no labels (the probability of each label's second class)."""
    kind = task.loss.probabilities
    if kind is None:
        raise ValueError(
            f"predict_proba: {_loss_named(task.loss)} gives scores, not probabilities; train with "
            "bce_with_logits, bce or cross_entropy"
        )
    if kind == "softmax":
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    p = 1.0 / (1.0 + np.exp(-scores)) if kind == "sigmoid" else np.clip(scores, 0.0, 1.0)
    if task.per_unit or scores.shape[1] > 1:
        return p
    return np.column_stack([1.0 - p[:, 0], p[:, 0]])


def _loss_named(loss: Loss) -> str:
    """ "the hinge loss" for a built-in loss, "the loss function my_loss" for the user's
    function."""
    if loss.name in LOSSES:
        return f"the {loss.name} loss"
    named = loss.name.isidentifier()
    return f"the loss function {loss.name}" if named else "the loss function given"


def labels_accuracy(
    task: Task, scores: np.ndarray, y: np.ndarray, threshold: float | None = None
) -> float:
    """The fraction of labels predicted right (every unit counts for several yes/no labels); NaN
    when the task has no classes (regression or soft targets)."""
    if task.classes is None:
        return math.nan
    predicted = decide(task, scores, threshold)
    return float(np.mean(predicted == y.reshape(predicted.shape)))
