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
import operator
from collections.abc import Callable, Iterable, Sequence
from functools import reduce
from typing import Any

import numpy as np

from autograd import Value

Loss = Callable[[Any, Any], Value]
EPS = math.exp(-100.0)
"""The clamp of ``bce``: log(a) is at least log(EPS) = -100 (same for log(1 - a)), as in PyTorch."""


def mse(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """Mean squared error: the mean of (a - y)^2 over every output unit (D2)."""
    pairs = _elementwise(outputs, targets, "mse")
    return _reduce([(a - y) ** 2 for a, y in pairs], reduction, "mse")


def bce(outputs: Any, targets: Any, reduction: str = "mean", eps: float = EPS) -> Value:
    """Binary cross-entropy of probabilities a in (0, 1): -(y log a + (1 - y) log(1 - a)) (D6).

    Use it after a sigmoid output; ``bce_with_logits`` on the pre-activation is the stable choice.
    An output outside [0, 1] is an error (its clamped log would have no gradient: nothing learns).
    """
    terms = []
    for i, (a, y) in enumerate(_elementwise(outputs, targets, "bce", labels=(0.0, 1.0))):
        if not 0.0 <= _data(a) <= 1.0:
            raise ValueError(f"bce: output {i} is {_data(a)!r}, not a probability in [0, 1]; use "
                             "output_activation='sigmoid' or loss='bce_with_logits' (on the raw output)")
        parts = []
        if y != 0.0:
            parts.append(_times(y, -_clamped_log(a, eps)))
        if y != 1.0:
            parts.append(_times(1.0 - y, -_clamped_log(1.0 - a, eps)))
        terms.append(total(parts))
    return _reduce(terms, reduction, "bce")


def bce_with_logits(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """BCE of a = sigma(z) written in z, finite for any z, with dL/dz = sigma(z) - y (D6).

    -log sigma(z) = softplus(-z) and -log(1 - sigma(z)) = softplus(z), so the loss is
    y softplus(-z) + (1 - y) softplus(z) (= softplus(z) - y z, without its cancellation).
    """
    terms = []
    for z, y in _elementwise(outputs, targets, "bce_with_logits", labels=(0.0, 1.0)):
        parts = []
        if y != 0.0:
            parts.append(_times(y, (-z).softplus()))
        if y != 1.0:
            parts.append(_times(1.0 - y, z.softplus()))
        terms.append(total(parts))
    return _reduce(terms, reduction, "bce_with_logits")


def hinge(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """micrograd's max-margin loss max(0, 1 - y s) with y in {-1, +1} (0/1 labels are mapped to -1/+1)."""
    pairs = _elementwise(outputs, targets, "hinge")
    labels = {y for _, y in pairs}
    if labels <= {0.0, 1.0}:
        pairs = [(s, 2.0 * y - 1.0) for s, y in pairs]
    elif not labels <= {-1.0, 1.0}:
        raise ValueError(f"hinge: labels must be 0/1 or -1/+1, got {sorted(labels)}")
    return _reduce([(1 + -y * s).relu() for s, y in pairs], reduction, "hinge")


def cross_entropy(outputs: Any, targets: Any, reduction: str = "mean") -> Value:
    """Softmax cross-entropy: -log softmax(z)_c = log sum_j e^(z_j) - z_c, per example.

    Stable for any logits: with m = max_j z_j (a constant), log sum_j e^(z_j) = m + log sum_j
    e^(z_j - m), and every exponent is <= 0. The gradient is softmax(z) - onehot(c).
    """
    batch, classes = _examples(outputs, targets, "cross_entropy")
    terms = []
    for i, (logits, c) in enumerate(zip(batch, classes, strict=True)):
        k = len(logits)
        if k < 2:
            raise ValueError(f"cross_entropy: example {i} has {k} output; it needs one logit per class (k >= 2)")
        if c != int(c) or not 0 <= c < k:
            raise ValueError(f"cross_entropy: target {i} is {c!r}, expected a class index in 0..{k - 1}")
        terms.append(log_sum_exp(logits) - logits[int(c)])
    return _reduce(terms, reduction, "cross_entropy")


def log_sum_exp(logits: Sequence[Value]) -> Value:
    """log sum_j e^(z_j), computed as m + log sum_j e^(z_j - m) with m = max_j z_j (never overflows)."""
    m = max(_data(z) for z in logits)
    return total([(z - m).exp() for z in logits]).log() + m


def softmax(logits: Sequence[Value]) -> list[Value]:
    """e^(z_j) / sum_k e^(z_k), computed with the max subtracted (the class probabilities)."""
    m = max(_data(z) for z in logits)
    exps = [(z - m).exp() for z in logits]
    norm = total(exps)
    return [e / norm for e in exps]


def l2_penalty(parameters: Any, alpha: float = 1e-4) -> Value:
    """alpha * sum_p p^2 over the parameters (a Module or Values): micrograd's regulariser."""
    check_alpha(alpha, "l2_penalty: alpha")
    params = parameters.parameters() if hasattr(parameters, "parameters") else list(parameters)
    if not params:
        raise ValueError("l2_penalty: no parameters given")
    return alpha * total([p * p for p in params])


def check_alpha(alpha: Any, what: str) -> None:
    """An L2 weight must be a finite number >= 0 (a negative one would reward large weights)."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not (math.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"{what} must be a finite number >= 0, got {alpha!r}")


def total(values: Sequence[Any]) -> Any:
    """v_0 + v_1 + ... (like ``sum`` but with no leading ``0 +`` node in the graph)."""
    return reduce(operator.add, values)


LOSSES: dict[str, Loss] = {
    "mse": mse,
    "bce": bce,
    "bce_with_logits": bce_with_logits,
    "hinge": hinge,
    "cross_entropy": cross_entropy,
}
"""The losses ``nn.fit`` accepts by name."""


def get_loss(loss: str | Loss) -> Loss:
    """The loss function for a name in LOSSES, or ``loss`` itself when it is a function."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; known losses: {', '.join(LOSSES)}")
        return LOSSES[loss]
    if callable(loss):
        return loss
    raise TypeError(f"loss must be a name or a function (outputs, targets) -> Value, got {type(loss).__name__}")


# ---------------------------------------------------------------- reading outputs and targets


def _elementwise(outputs: Any, targets: Any, where: str, labels: tuple[float, float] | None = None) -> list[tuple]:
    """(output unit, target) pairs: every unit of every example with its own target.

    The losses that use this average over all units, so a batch of n single outputs and one
    example with n units pair up the same way.
    """
    units = _flatten(outputs, where)
    y = _targets(targets, where).reshape(-1).tolist()
    if len(units) != len(y):
        raise ValueError(f"{where}: {len(units)} outputs but {len(y)} targets")
    if labels is not None:
        low, high = labels
        if any(not low <= t <= high for t in y):
            raise ValueError(f"{where}: targets must lie in [{low:g}, {high:g}] (0/1 labels or probabilities)")
    return list(zip(units, y, strict=True))


def _examples(outputs: Any, targets: Any, where: str) -> tuple[list[list], list[float]]:
    """(n lists of logits, n class indices): one example for a single target, else a batch."""
    y = _targets(targets, where)
    if y.ndim == 0:
        outputs, y = [outputs], y.reshape(1)
    elif y.ndim != 1:
        raise ValueError(f"{where}: targets must be class indices (a number or a 1-D array), got shape {y.shape}")
    if isinstance(outputs, Value) or not isinstance(outputs, Iterable):
        raise ValueError(f"{where}: expected one list of logits per example, got {type(outputs).__name__}")
    batch = [[o] if isinstance(o, Value) else list(o) for o in outputs]
    if len(batch) != len(y):
        raise ValueError(f"{where}: {len(batch)} examples but {len(y)} targets")
    if not batch:
        raise ValueError(f"{where}: no outputs")
    return batch, y.tolist()


def _flatten(outputs: Any, where: str) -> list[Any]:
    if isinstance(outputs, Value):
        return [outputs]
    if not isinstance(outputs, Iterable):
        raise TypeError(f"{where}: outputs must be a Value or a list of Values, got {type(outputs).__name__}")
    units: list[Any] = []
    for o in outputs:
        if isinstance(o, Value):
            units.append(o)
        elif isinstance(o, Iterable):
            units.extend(o)
        else:
            raise TypeError(f"{where}: outputs must be Values, got {type(o).__name__}: {o!r}")
    if not units:
        raise ValueError(f"{where}: no outputs")
    return units


def _targets(targets: Any, where: str) -> np.ndarray:
    try:
        y = np.asarray(targets, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: targets must be numbers, got {type(targets).__name__}") from None
    if y.ndim > 2:
        raise ValueError(f"{where}: targets must be a number, a 1-D or a 2-D array, got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{where}: targets contain NaN or infinity")
    return y


def _reduce(terms: list[Any], reduction: str, where: str) -> Value:
    if reduction == "sum":
        loss = total(terms)
    elif reduction == "mean":
        loss = total(terms) * (1.0 / len(terms))
    else:
        raise ValueError(f"{where}: reduction must be 'mean' or 'sum', got {reduction!r}")
    return loss if isinstance(loss, Value) else Value(loss)  # every term a constant (all clamped)


def _times(weight: float, x: Any) -> Any:
    """weight * x, without a multiplication node when the weight is 1 (a hard 0/1 label)."""
    return x if weight == 1.0 else weight * x


def _clamped_log(a: Any, eps: float) -> Any:
    """log(a), or the constant log(eps) when a < eps (no gradient through the clamp)."""
    return a.log() if _data(a) >= eps else math.log(eps)


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)
