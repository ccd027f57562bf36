"""Training: ``nn.fit``, micrograd's loop with checks before it starts and a clear stop when it
diverges.

One training step is micrograd's loop: forward every example of the batch, the loss (plus an
optional L2 penalty), zero the gradients, backward, and an optimiser step (D7). The first parts,
"(batch loss, parameter gradients) from a batch", are one function made by ``make_step``
(``nn.fit_steps``), eager or compiled (``engine="compiled"``); ``nn.loop.train_loop`` runs the
steps, the same loop as ``nn.train_gpt``'s.

Everything is checked before the first step (``nn.validation``, ``nn.labels``): the data, every
label (an error names its row), the loss against the model's outputs, the optimiser against the
model; inputs far from unit scale draw a warning. A run that diverges (``nn.monitor``: a NaN or
infinite loss, a loss far above its best, runaway weights) stops with ``TrainingDiverged``, which
carries the history so far; the model is put back to the last parameters whose loss was finite,
and the optimiser to its step count and buffers of that moment. ``nn.epochs`` records whole-set
metrics per epoch, validation and early stopping.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .epochs import CallbackFn, Epochs
from .evaluation import default_loss, forward_data, model_loss
from .fit_steps import make_step
from .gpt import GPT
from .init import Seed, make_rng
from .labels import labels_accuracy, read_labels, read_user_labels
from .loop import Engine, train_loop
from .losses import Hinge, Loss, LossFunction, check_alpha, get_loss
from .module import Module
from .monitor import History, warn_if_far_from_unit_scale
from .optim import SGD, Adam, LinearDecay, Optimizer
from .validation import check_data, check_optimizer, check_parameters

ADAM_LR = 0.01
"""The learning rate of ``nn.fit``'s default Adam: safe for every shipped data set."""

GPT_ADAM = {"lr": 0.01, "betas": (0.85, 0.99), "eps": 1e-8}
"""microgpt's Adam; its learning rate falls linearly from lr to 0 over the run."""


def default_optimizer(model: Module, loss: str | Loss | LossFunction | None,
                      steps: int) -> Optimizer:
    """The optimiser ``nn.fit``, ``nn.train_gpt`` and ``chainrule train`` use when none is given.

    * A GPT (``loss`` is its own, None): microgpt's Adam(lr 0.01, betas (0.85, 0.99), eps 1e-8),
      its rate falling linearly to 0 over ``steps``.
    * The hinge loss: micrograd's demo, SGD whose rate falls linearly over the run from 1.0 to
      0.1 (so ``nn.fit(model, X, y, loss="hinge")`` is micrograd's training).
    * Every other loss: Adam with lr = ADAM_LR (0.01). Its steps are about lr in size whatever
      the gradient's scale, so it converges on every shipped data set where SGD at 1.0 can blow
      up (a cross-entropy on unscaled features, an mse's larger gradients).
    """
    if isinstance(model, GPT):
        lr = LinearDecay(GPT_ADAM["lr"], 0.0, steps)
        return Adam(model.parameters(), lr=lr, betas=GPT_ADAM["betas"], eps=GPT_ADAM["eps"])
    if loss is None:
        raise TypeError(f"default_optimizer: give the loss that trains the {type(model).__name__}")
    loss_object = get_loss(loss)
    if isinstance(loss_object, Hinge):
        start, end = loss_object.default_lr
        return SGD(model.parameters(), lr=LinearDecay(start, end, steps))
    return Adam(model.parameters(), lr=ADAM_LR)


def fit(model: Module, X: Any, y: Any, loss: str | Loss | LossFunction | None = None,
        optimizer: Optimizer | None = None, steps: int | None = None,
        epochs: int | None = None, batch_size: int | None = None, progress: bool = True,
        seed: Seed = None, engine: str = "eager", alpha_l2: float = 0.0,
        threshold: float | None = None, *, validation_data: tuple[Any, Any] | None = None,
        validation_split: float | None = None, patience: int | None = None,
        epoch_metrics: bool = False, callback: CallbackFn | None = None) -> History:
    """Train ``model`` on (X, y) and return its History (``nn.monitor.History``: what it records).

    ``steps`` optimiser updates (default 100), or ``epochs`` passes over the data; each step uses
    the whole data set (``batch_size=None``, micrograd's way: one step is one epoch) or a
    mini-batch of a shuffled epoch, shuffled with ``seed``. ``loss`` is a name in
    ``nn.losses.LOSSES``, a ``nn.losses.Loss`` or a function (outputs, targets) -> Value (default:
    hinge for one output, cross_entropy for several). ``alpha_l2`` adds the L2 penalty
    alpha * sum_p p^2 to every step's loss (micrograd's demo uses 1e-4; default 0). The default
    optimiser is ``default_optimizer``'s (micrograd's SGD 1.0 -> 0.1 for hinge, else Adam 0.01).
    y may hold ints, bools, floats or strings: ``predict`` answers in the same labels and dtype.

    ``validation_data=(X_val, y_val)`` or ``validation_split`` (a fraction of (X, y) held out,
    stratified by class) records the validation loss and accuracy after each epoch; with
    ``patience`` training stops once the validation loss has not improved for that many epochs and
    the model gets back the weights of its best epoch. ``epoch_metrics=True`` records the whole
    training set's loss and accuracy after each epoch. ``callback(epoch, history)`` is called after
    each epoch (with the model's numbers up to date); returning True stops training.

    The model keeps the loss and the classes it was trained for, so ``predict``, ``accuracy`` and
    ``evaluate`` judge it the same way. Mini-batches continue from the optimiser's step count, so
    training resumed with a restored optimiser (``nn.load_optimizer``) is the same run. Raises
    ``TrainingDiverged`` (with the history so far) if the run diverges (``nn.monitor``).
    """
    check_alpha(alpha_l2, "nn.fit: alpha_l2")
    y, dtype, names = read_user_labels(y, "nn.fit")
    X, y = check_data(X, y, "nn.fit")
    warn_if_far_from_unit_scale(X, "nn.fit")
    params = check_parameters(model, "nn.fit")
    n_outputs = _count_outputs(model, X)
    loss_fn = default_loss(n_outputs) if loss is None else model_loss(model, loss)
    targets, task = read_labels(loss_fn, y, n_outputs, "nn.fit")
    task = task.with_user_labels(dtype, names)
    watch = Epochs(model, task, validation_data, validation_split, patience, epoch_metrics,
                   callback, seed, n_outputs, threshold)
    X, y, targets = watch.hold_out(X, y, targets)
    n_steps, per_epoch, batches = _schedule(len(y), steps, epochs, batch_size, seed)
    if optimizer is None:
        optimizer = default_optimizer(model, loss_fn, n_steps)
    check_optimizer(optimizer, params, "nn.fit")
    # a resumed run continues the batch order
    batches = itertools.islice(batches, optimizer.steps_taken, None)
    run = Engine(engine, model, params, optimizer, "nn.fit")
    step = make_step(model, loss_fn, params, alpha_l2, run.name, run.array, run.programs)
    model._trained_for = task
    if run.compiled:  # the replay takes a batch as an array: X[rows]
        batch_step = lambda rows: step(X[rows], targets[rows])
    else:
        rows_of_X = X.tolist()
        batch_step = lambda rows: step([rows_of_X[i] for i in rows], targets[rows])
    accuracy = lambda outputs, rows: labels_accuracy(task, outputs, y[rows], threshold)
    return train_loop(run, batch_step, batches, n_steps, progress, "nn.fit",
                      "Try a smaller learning rate or standardised inputs",
                      accuracy=accuracy, epochs=watch, per_epoch=per_epoch)


# ---------------------------------------------------------------- batches


def _count_outputs(model: Module, X: np.ndarray) -> int:
    """Number of output units, found by running the first example (which also checks its length)."""
    return forward_data(model, X[:1]).shape[1]


def _schedule(n: int, steps: int | None, epochs: int | None, batch_size: int | None,
              seed: Seed) -> tuple[int, int, Iterator[np.ndarray]]:
    """(number of steps, steps per epoch, the row indices of each step's batch)."""
    if steps is not None and epochs is not None:
        raise ValueError("nn.fit: give steps or epochs, not both")
    if batch_size is not None and not _is_count(batch_size):
        raise ValueError(f"nn.fit: batch_size must be a positive int or None, got {batch_size!r}")
    size = n if batch_size is None else min(int(batch_size), n)
    per_epoch = math.ceil(n / size)
    count, what = (steps, "steps") if epochs is None else (epochs, "epochs")
    count = 100 if count is None else count
    if not _is_count(count):
        raise ValueError(f"nn.fit: {what} must be a positive int, got {count!r}")
    n_steps = int(count) if epochs is None else int(count) * per_epoch
    return n_steps, per_epoch, _batches(n, size, seed)


def _is_count(x: Any) -> bool:
    """A positive integer: a Python int or a numpy one (np.int64), but not a bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= 1


def _batches(n: int, size: int, seed: Seed) -> Iterator[np.ndarray]:
    """Full batches in order, or mini-batches of a fresh permutation of the rows every epoch."""
    if size == n:
        rows = np.arange(n)
        while True:
            yield rows
    rng = make_rng(seed)
    while True:
        order = rng.permutation(n)
        for start in range(0, n, size):
            yield order[start:start + size]


