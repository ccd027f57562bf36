"""Loss functions: how far a model's outputs are from the targets, as one ``Value``.

Every loss takes ``(outputs, targets)``. The shape of ``targets`` says how to read ``outputs``:

* a single number: ``outputs`` is one example, a Value or a list of Values (``model(x)``);
* a 1-D array of n labels: ``outputs`` is a batch, a list of n model outputs;
* a 2-D array (n, k): a batch of n outputs with k units each (one target per unit).

Per-element terms are averaged (``reduction="mean"``, the default) or added (``"sum"``):

    mse             (a - y)^2                                              (D2)
    bce             -(y log a + (1 - y) log(1 - a)), a a probability        (D6)
    bce_with_logits softplus(z) - y z = the same with a = sigma(z)          (D6)
    hinge           max(0, 1 - y s), y in {-1, +1}                          (micrograd's max-margin)
    cross_entropy   log sum_j e^(z_j) - z_c, per example over k classes    (softmax + log-loss)

``bce`` on probabilities clamps each log term at -100, as PyTorch's BCELoss does (log's
argument below ``eps`` = e^-100 becomes the constant e^-100, with no gradient through the
clamp), so a saturated sigmoid (a = 1.0 exactly once z > 37) gives a large finite loss rather
than inf. ``bce_with_logits`` needs no clamp: it is written with softplus, which is stable,
finite for |z| up to 1e3 and beyond, with the exact gradient dL/dz = sigma(z) - y (D6).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from autograd import Value

from .loss_inputs import (
    clamped_log,
    data_of,
    elementwise,
    examples,
    largest,
    reduce_terms,
    times,
    total,
)

LossFunction = Callable[..., Value]
EPS = math.exp(-100.0)
"""The clamp of ``bce``: log(a) is at least log(EPS) = -100 (same for log(1 - a)), as in PyTorch."""


def mse(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """Mean squared error: the mean of (a - y)^2 over every output unit (D2)."""
    pairs = elementwise(outputs, targets, "mse")
    return reduce_terms([(a - y) ** 2 for a, y in pairs], reduction, "mse")


def bce(outputs: Any, targets: Any, reduction: str = "mean", eps: float = EPS) -> Value:
    """Binary cross-entropy of probabilities a in (0, 1): -(y log a + (1 - y) log(1 - a)) (D6).

    Use it after a sigmoid output; ``bce_with_logits`` on the pre-activation is the stable choice.
    An output outside [0, 1] is an error (its clamped log would have no gradient: nothing learns).
    """
    terms = []
    for i, (a, y) in enumerate(elementwise(outputs, targets, "bce", labels=(0.0, 1.0))):
        if not 0.0 <= data_of(a) <= 1.0:
            raise ValueError(
                f"bce: output {i} is {data_of(a)!r}, not a probability in [0, 1]; use "
                "output_activation='sigmoid' or loss='bce_with_logits' (on the raw output)"
            )
        parts = []
        if y != 0.0:
            parts.append(times(y, -clamped_log(a, eps)))
        if y != 1.0:
            parts.append(times(1.0 - y, -clamped_log(1.0 - a, eps)))
        terms.append(total(parts))
    return reduce_terms(terms, reduction, "bce")


def bce_with_logits(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """BCE of a = sigma(z) written in z, finite for any z, with dL/dz = sigma(z) - y (D6).

    -log sigma(z) = softplus(-z) and -log(1 - sigma(z)) = softplus(z), so the loss is
    y softplus(-z) + (1 - y) softplus(z) (= softplus(z) - y z, without its cancellation).
    """
    terms = []
    for z, y in elementwise(outputs, targets, "bce_with_logits", labels=(0.0, 1.0)):
        parts = []
        if y != 0.0:
            parts.append(times(y, (-z).softplus()))
        if y != 1.0:
            parts.append(times(1.0 - y, z.softplus()))
        terms.append(total(parts))
    return reduce_terms(terms, reduction, "bce_with_logits")


def hinge(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """micrograd's max-margin loss max(0, 1 - y s) with y in {-1, +1} (0/1 labels are mapped to
    -1/+1 by ``hinge_targets``)."""
    pairs = elementwise(outputs, targets, "hinge")
    labels = hinge_targets(np.array([y for _, y in pairs], dtype=np.float64)).tolist()
    terms = [(1 + -y * s).relu() for (s, _), y in zip(pairs, labels, strict=True)]
    return reduce_terms(terms, reduction, "hinge")


def hinge_targets(labels: np.ndarray) -> np.ndarray:
    """The hinge's targets: 0/1 labels as -1/+1 (2 y - 1), -1/+1 labels as they are; any other
    label is a ValueError."""
    found = set(np.unique(labels).tolist())
    if found <= {0.0, 1.0}:
        return 2.0 * labels - 1.0
    if not found <= {-1.0, 1.0}:
        raise ValueError(f"hinge: labels must be 0/1 or -1/+1, got {sorted(found)}")
    return labels


def cross_entropy(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """Softmax cross-entropy: -log softmax(z)_c = log sum_j e^(z_j) - z_c, per example.

    Stable for any logits: with m = max_j z_j (a constant), log sum_j e^(z_j) = m + log sum_j
    e^(z_j - m), and every exponent is <= 0. The gradient is softmax(z) - onehot(c).
    """
    batch, classes = examples(outputs, targets, "cross_entropy")
    terms = []
    for i, (logits, c) in enumerate(zip(batch, classes, strict=True)):
        k = len(logits)
        if k < 2:
            raise ValueError(
                f"cross_entropy: example {i} has {k} output; it needs one logit per class (k >= 2)"
            )
        if c != int(c) or not 0 <= c < k:
            raise ValueError(
                f"cross_entropy: target {i} is {c!r}, expected a class index in 0..{k - 1}"
            )
        terms.append(log_sum_exp(logits) - logits[int(c)])
    return reduce_terms(terms, reduction, "cross_entropy")


def log_sum_exp(logits: Sequence[Value]) -> Value:
    """log sum_j e^(z_j), computed as m + log sum_j e^(z_j - m) with m = max_j z_j (never
    overflows)."""
    m = max(data_of(z) for z in logits)
    return total([(z - m).exp() for z in logits]).log() + m


def softmax(logits: Sequence[Value]) -> list[Value]:
    """p_i = e^(z_i - m) / sum_j e^(z_j - m) with m = max_j z_j (D12): the class probabilities.

    Subtracting m changes nothing (softmax does not change when every logit moves together) and
    keeps every exponent <= 0, so nothing overflows. m is a node of the graph (``largest``: a
    tree of ``max`` nodes), whose gradient cancels, so the function also traces
    (``autograd.compile``); the division is microgpt's, e_i * (sum_j e_j)**-1.
    """
    top = largest(list(logits))
    exps = [(z - top).exp() for z in logits]
    inverse = total(exps) ** -1
    return [e * inverse for e in exps]


def l2_penalty(parameters: Any, alpha: float = 1e-4) -> Value:
    """alpha * sum_p p^2 over the parameters (a Module or Values): micrograd's regulariser."""
    check_alpha(alpha, "l2_penalty: alpha")
    params = parameters.parameters() if hasattr(parameters, "parameters") else list(parameters)
    if not params:
        raise ValueError("l2_penalty: no parameters given")
    return alpha * total([p * p for p in params])


def check_alpha(alpha: Any, what: str) -> None:
    """An L2 weight must be a finite number >= 0 (a negative one would reward large weights)."""
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, numbers.Real)
        or not (math.isfinite(alpha) and alpha >= 0)
    ):
        raise ValueError(f"{what} must be a finite number >= 0, got {alpha!r}")


# ---------------------------------------------------------------- loss objects: a loss, and
# what it says about labels


class Loss:
    """A loss together with what it implies for the labels, so a model is judged the way it was
    trained.

    Calling it is calling its function: ``MSE()(outputs, targets)`` is ``mse(outputs, targets)``.
    Around the function it carries (``nn.fit``, ``predict``, ``predict_proba``, ``accuracy`` and
    ``evaluate`` all read these, see ``nn.labels``):

    * ``binary_targets``: the targets of the two classes of one output unit (hinge: -1/+1;
      bce: 0/1); ``None`` keeps the labels' own values (mse fits the labels themselves);
    * ``cut(t0, t1)``: the decision rule of one output, the score above which it says the second
      class (the midpoint of the two targets; 0 for a logit);
    * ``probabilities``: how outputs become probabilities ("sigmoid", "identity", "softmax") or
      ``None`` for a loss whose outputs are scores (mse, hinge);
    * ``class_targets``: the targets of a model with k outputs given class labels: "onehot" rows,
      "index" (cross_entropy), or ``None`` (the loss needs one output: hinge);
    * ``soft_targets``: whether targets that are not two class labels are allowed (regression
      for mse, probabilities in ``target_range`` for bce);
    * ``default_lr``: (start, end) of a linearly falling SGD rate that trains with this loss
      (``nn.default_optimizer`` uses the hinge's, micrograd's 1.0 -> 0.1; Adam for the others).
    """

    name: ClassVar[str] = ""
    binary_targets: ClassVar[tuple[float, float] | None] = (0.0, 1.0)
    probabilities: ClassVar[str | None] = None
    class_targets: ClassVar[str | None] = "onehot"
    soft_targets: ClassVar[bool] = True
    target_range: ClassVar[tuple[float, float] | None] = None
    default_lr: ClassVar[tuple[float, float]] = (1.0, 0.1)

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum"):
            raise ValueError(
                f"{type(self).__name__}: reduction must be 'mean' or 'sum', got {reduction!r}"
            )
        self.reduction = reduction

    def function(self, outputs: Any, targets: Any, reduction: str = "mean") -> Value:
        """The loss of ``outputs`` against ``targets`` (already targets, not labels)."""
        raise NotImplementedError

    def __call__(self, outputs: Any, targets: Any) -> Value:
        return self.function(outputs, targets, reduction=self.reduction)

    def cut(self, t0: float, t1: float) -> float:
        """The threshold of one output between the targets t0 < t1 of its two classes: their
        midpoint."""
        return (t0 + t1) / 2

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}()"
            if self.reduction == "mean"
            else f"{type(self).__name__}(reduction='sum')"
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self), self.reduction))


class MSE(Loss):
    """Squared error (D2). Fits the labels' own values; the cut is midway between the two labels."""

    name = "mse"
    binary_targets = None
    # its gradient 2 (a - y) is larger than hinge's: micrograd's 1.0 diverges
    default_lr = (0.1, 0.01)
    function = staticmethod(mse)


class BCE(Loss):
    """Binary cross-entropy of probabilities (a sigmoid output, D6): class 1 where a > 1/2."""

    name = "bce"
    probabilities = "identity"
    target_range = (0.0, 1.0)
    function = staticmethod(bce)


class BCEWithLogits(Loss):
    """Binary cross-entropy of logits z (D6): class 1 where z > 0 (sigma(z) > 1/2)."""

    name = "bce_with_logits"
    probabilities = "sigmoid"
    target_range = (0.0, 1.0)
    function = staticmethod(bce_with_logits)

    def cut(self, t0: float, t1: float) -> float:
        return 0.0  # the logit of 1/2


class Hinge(Loss):
    """micrograd's max-margin loss: labels become -1/+1, class +1 where the score is > 0."""

    name = "hinge"
    binary_targets = (-1.0, 1.0)
    class_targets = None
    soft_targets = False
    function = staticmethod(hinge)


class CrossEntropy(Loss):
    """Softmax cross-entropy over k >= 2 outputs: the class is the argmax, probabilities the
    softmax."""

    name = "cross_entropy"
    binary_targets = None
    probabilities = "softmax"
    class_targets = "index"
    soft_targets = False
    function = staticmethod(cross_entropy)


class FunctionLoss(Loss):
    """A loss given as a function (outputs, targets) -> Value: targets are the labels (class
    indices for several outputs), the cut of one output is ``threshold`` (0: a score)."""

    binary_targets = None
    class_targets = "index"

    def __init__(self, function: LossFunction, threshold: float = 0.0) -> None:
        super().__init__()
        self.loss_function, self.threshold = function, threshold
        self.name = getattr(function, "__name__", "loss")

    def __call__(self, outputs: Any, targets: Any) -> Value:
        return self.loss_function(outputs, targets)

    def cut(self, t0: float, t1: float) -> float:
        return self.threshold

    def __repr__(self) -> str:
        return f"FunctionLoss({self.name})"


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (MSE(), BCE(), BCEWithLogits(), Hinge(), CrossEntropy())
}
"""The losses ``nn.fit`` accepts by name; each is also callable as its function."""


def get_loss(loss: str | Loss | LossFunction) -> Loss:
    """The Loss for a name in LOSSES, for one of the loss functions (``nn.mse`` is ``MSE()``), or
    for any function (outputs, targets) -> Value (a ``FunctionLoss``)."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; known losses: {', '.join(LOSSES)}")
        return LOSSES[loss]
    for named in LOSSES.values():
        if loss is type(named).function:
            return named
    if callable(loss):
        return FunctionLoss(loss)
    raise TypeError(
        "loss must be a name, a Loss or a function (outputs, targets) -> Value, got "
        f"{type(loss).__name__}"
    )
