"""The built-in losses written per example, so ``nn.fit(engine="compiled")`` traces model and loss
together.

Every loss of ``nn.losses`` is a mean or a sum of per-example terms. ``per_example`` gives, for
one of them, the function (inputs of one example, then its encoded target) -> [that example's
term, its outputs...], which ``autograd.compile`` traces once; the replay's ``value_and_grad``
with the seed ``weight`` on the term (1/N for a mean over N terms, 1 for a sum) and 0 on the
outputs gives the batch loss and its gradients in one pass, and the outputs for the accuracy.

The terms are the eager ones (``nn.losses``), with the targets as inputs of the trace instead
of numbers, so a branch on a target's value becomes arithmetic that gives the same numbers:

* a 0/1 label that the eager loss skips (``if y != 0``) is multiplied in: 0 * x = 0 exactly;
* bce's clamp ``log(a) if a >= eps else log(eps)`` is ``log(max(a, eps))`` (no gradient below eps);
* cross-entropy's max m, a constant of the eager graph, is ``max(z_0, ..., z_k-1)`` in the trace
  (a tree of ``max`` nodes):
  its gradient 1 - sum softmax(z) is 0 up to roundoff; the class's logit is picked by ``eq``;
* hinge's 0/1 labels become -1/+1 per batch, as ``nn.losses.hinge`` maps them (``encode``).

Any other loss (a function, a subclass) returns None from ``per_example``: fit keeps the eager
loss on the replayed outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Value

from .loss_inputs import largest, total
from .losses import BCE, EPS, MSE, BCEWithLogits, CrossEntropy, Hinge, Loss, hinge_targets

Model = Callable[[list[Value]], Any]
Term = Callable[[list[Value], list[Value]], Value]


def _mse(outputs: list[Value], targets: list[Value]) -> Value:
    return total([(a - y) ** 2 for a, y in zip(outputs, targets, strict=True)])


def _bce(outputs: list[Value], targets: list[Value]) -> Value:
    return total(
        [
            y * -a.max(EPS).log() + (1 - y) * -(1.0 - a).max(EPS).log()
            for a, y in zip(outputs, targets, strict=True)
        ]
    )


def _bce_with_logits(outputs: list[Value], targets: list[Value]) -> Value:
    return total(
        [
            y * (-z).softplus() + (1 - y) * z.softplus()
            for z, y in zip(outputs, targets, strict=True)
        ]
    )


def _hinge(outputs: list[Value], targets: list[Value]) -> Value:
    return total([(1 + -y * s).relu() for s, y in zip(outputs, targets, strict=True)])


def _cross_entropy(logits: list[Value], targets: list[Value]) -> Value:
    (c,) = targets
    m = largest(logits)
    log_sum_exp = total([(z - m).exp() for z in logits]).log() + m
    return log_sum_exp - total([c.equal(j) * z for j, z in enumerate(logits)])


TERMS: dict[type[Loss], Term] = {
    MSE: _mse,
    BCE: _bce,
    BCEWithLogits: _bce_with_logits,
    Hinge: _hinge,
    CrossEntropy: _cross_entropy,
}
"""Per-example term of each built-in loss; the elementwise ones add over the example's output
units."""


def traceable(loss: Loss) -> bool:
    """A built-in loss, exactly (not a subclass that may compute something else), with its own
    function."""
    return type(loss) in TERMS and "function" not in vars(loss)


def per_example(
    loss: Loss, model: Model, n_inputs: int
) -> Callable[[list[Value]], list[Value]] | None:
    """v -> [loss term of the example, *model outputs], v = its n_inputs inputs then its target
    columns; None for a loss that is not a built-in one."""
    if not traceable(loss):
        return None
    term = TERMS[type(loss)]

    def fn(v: list[Value]) -> list[Value]:
        outputs = model(v[:n_inputs])
        outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
        targets = v[n_inputs:]
        if not isinstance(loss, CrossEntropy) and len(targets) != len(outputs):
            raise ValueError(
                f"{loss.name}: {len(outputs)} outputs per example but {len(targets)} targets"
            )
        return [term(outputs, targets), *outputs]

    return fn


def encode(loss: Loss, targets: np.ndarray) -> np.ndarray:
    """The targets of a batch as (n, columns) inputs of the trace (hinge's 0/1 labels as -1/+1)."""
    y = np.asarray(targets, dtype=np.float64)
    y = y.reshape(len(y), -1)
    return hinge_targets(y) if isinstance(loss, Hinge) else y


def weight(loss: Loss, n_examples: int, n_outputs: int) -> float:
    """The seed of each example's term: 1 for a sum; 1/N for a mean over N terms (N = the examples,
    or for the elementwise losses every output unit of every example)."""
    if loss.reduction == "sum":
        return 1.0
    terms = n_examples if isinstance(loss, CrossEntropy) else n_examples * n_outputs
    return 1.0 / terms


def check_outputs(loss: Loss, outputs: np.ndarray) -> None:
    """bce's check that every output is a probability (the eager loss raises the same
    ValueError)."""
    if isinstance(loss, BCE):
        bad = np.flatnonzero(~((outputs >= 0.0) & (outputs <= 1.0)))
        if len(bad):
            i = int(bad[0])
            raise ValueError(
                f"bce: output {i} is {float(outputs.reshape(-1)[i])!r}, not a probability in [0, "
                "1]; use output_activation='sigmoid' or loss='bce_with_logits' (on the raw output)"
            )
