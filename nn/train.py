"""Training: ``fit``, micrograd's loop with checks before it starts and a clear stop when it diverges.

One training step is micrograd's loop: forward every example of the batch, the loss (plus an
optional L2 penalty), zero the gradients, backward, and an optimiser step (D7). The first three
parts, "(batch loss, parameter gradients) from a batch", are one function made by
``make_step``, which the compiled executor (``engine="compiled"``) replaces wholesale.

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
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from tqdm import tqdm

import autograd
from autograd import Value

from . import traced_loss
from .compile_cache import Borrowed
from .epochs import CallbackFn, Epochs
from .evaluation import (  # noqa: F401 - predict ... default_threshold were defined here before nn.evaluation
    accuracy,
    default_loss,
    default_threshold,
    evaluate,
    forward_data,
    model_loss,
    output_matrix,
    predict,
    predictions,
)
from .init import Seed, make_rng
from .labels import labels_accuracy, read_labels, read_user_labels
from .losses import Hinge, Loss, LossFunction, check_alpha, get_loss, l2_penalty
from .module import Module
from .monitor import Divergence, History, TrainingDiverged, warn_if_far_from_unit_scale
from .optim import SGD, Adam, LinearDecay, Optimizer
from .validation import check_data, check_optimizer, check_parameters

Step = Callable[[Any, np.ndarray], tuple[float, np.ndarray]]
"""(inputs of a batch: lists, or an array for the compiled step; targets) -> (loss, outputs (n, k)),
leaving d(loss)/dp in every p.grad."""

ADAM_LR = 0.01
"""The learning rate of ``nn.fit``'s default Adam: safe for every shipped data set."""

def default_optimizer(model: Module, loss: str | Loss | LossFunction, steps: int) -> Optimizer:
    """The optimiser ``nn.fit`` and ``chainrule train`` use when none is given.

    For the hinge loss, micrograd's demo: SGD whose rate falls linearly over the run from 1.0 to
    0.1 (so ``nn.fit(model, X, y, loss="hinge")`` is micrograd's training). For every other loss,
    Adam with lr = ADAM_LR (0.01): its steps are about lr in size whatever the gradient's scale, so
    it converges on every shipped data set where SGD at 1.0 can blow up (a cross-entropy on
    unscaled features, an mse's larger gradients).
    """
    loss_object = get_loss(loss)
    if isinstance(loss_object, Hinge):
        start, end = loss_object.default_lr
        return SGD(model.parameters(), lr=LinearDecay(start, end, steps))
    return Adam(model.parameters(), lr=ADAM_LR)


def fit(model: Module, X: Any, y: Any, loss: str | Loss | LossFunction | None = None,
        optimizer: Optimizer | None = None, steps: int | None = None, epochs: int | None = None,
        batch_size: int | None = None, progress: bool = True, seed: Seed = None, engine: str = "eager",
        alpha_l2: float = 0.0, threshold: float | None = None, *,
        validation_data: tuple[Any, Any] | None = None, validation_split: float | None = None,
        patience: int | None = None, epoch_metrics: bool = False,
        callback: CallbackFn | None = None) -> History:
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
                   callback, seed, n_outputs)
    X, y, targets = watch.hold_out(X, y, targets)
    n_steps, per_epoch, batches = _schedule(len(y), steps, epochs, batch_size, seed)
    if optimizer is None:
        optimizer = default_optimizer(model, loss_fn, n_steps)
    check_optimizer(optimizer, params, "nn.fit")
    batches = itertools.islice(batches, optimizer.steps_taken, None)  # a resumed run continues the batch order
    array = _parameter_array(engine, params, optimizer)  # engine="compiled": the parameters in one array
    step = make_step(model, loss_fn, params, alpha_l2, engine, array)
    inputs = X if engine == "compiled" else X.tolist()  # the replay takes a batch as an array: X[rows]
    model._trained_for = task

    def snapshot() -> Any:  # the parameters, and the optimiser's state that goes with them
        numbers = [p.data for p in params] if array is None else array.data.copy()
        buffers = dict(getattr(optimizer, "buffers", {}))  # each step replaces the arrays, never changes them
        return numbers, optimizer.steps_taken, buffers

    def largest() -> float:
        if array is None:
            return max(abs(p.data) for p in params)
        return float(np.abs(array.data).max())

    history = History()
    bar = _progress_bar(n_steps, progress)
    last_good = snapshot()  # the parameters of the last finite loss
    divergence = Divergence(largest())
    try:
        for k, rows in zip(range(n_steps), batches, strict=False):
            try:
                batch_loss, outputs = step(inputs[rows] if engine == "compiled" else [inputs[i] for i in rows],
                                           targets[rows])
            except ArithmeticError as error:  # overflow in the forward or backward pass
                _diverged(history, k, params, array, optimizer, last_good, str(error), error)
            reason = divergence.reason(batch_loss, largest())
            if reason is not None:
                _diverged(history, k, params, array, optimizer, last_good, reason)
            history.loss.append(batch_loss)
            history.accuracy.append(labels_accuracy(task, outputs, y[rows], threshold))
            last_good = snapshot()
            try:
                optimizer.step() if array is None else optimizer.step_array(array)
            except ArithmeticError as error:  # a non-finite gradient or update, refused by the optimiser
                _diverged(history, k, params, array, optimizer, last_good, str(error), error)
            if bar is not None:
                shown = {"loss": f"{batch_loss:.4f}"}
                if not math.isnan(history.accuracy[-1]):  # NaN: regression targets, no accuracy to show
                    shown["accuracy"] = f"{history.accuracy[-1]:.1%}"
                bar.set_postfix(shown, refresh=False)
                bar.update()
            if watch.active and ((k + 1) % per_epoch == 0 or k + 1 == n_steps):
                if array is not None:
                    array.sync()  # the epoch's metrics read the Values
                if watch.end_of_epoch(history, X, y, threshold, snapshot()):
                    break
        if watch.best_state is not None:  # early stopping: the best epoch's weights and optimiser
            _restore(params, array, optimizer, watch.best_state)
            history.best_epoch = watch.best_epoch
    finally:
        if array is not None:
            array.sync()  # the Values get their numbers back once, at the end (or at an error)
        if hasattr(step, "release"):
            step.release()  # the compiled programs go back to the model's cache (nn.compile_cache)
        if bar is not None:
            bar.close()
    return history


def _restore(params: list[Value], array: autograd.ParameterArray | None, optimizer: Any,
             state: Any) -> None:
    """Put a ``snapshot()`` back: the parameters (into the Values, or the array fit syncs), and the
    optimiser's step count and buffers of that moment (so that training can go on from there)."""
    numbers, steps_taken, buffers = state
    if array is not None:
        array.data[:] = numbers
    else:
        for p, value in zip(params, numbers, strict=True):
            p.data = value
    optimizer.steps_taken = steps_taken
    if hasattr(optimizer, "buffers"):
        optimizer.buffers.clear()
        optimizer.buffers.update(buffers)


def _diverged(history: History, k: int, params: list[Value], array: autograd.ParameterArray | None,
              optimizer: Any, last_good: Any, reason: str,
              cause: BaseException | None = None) -> None:
    """Put the last finite parameters and the optimiser's state back, and raise TrainingDiverged."""
    _restore(params, array, optimizer, last_good)
    where = (f"the parameters of step {len(history.loss) - 1} (loss {history.loss[-1]:.6g})" if history.loss
             else "its initial parameters")
    raise TrainingDiverged(f"nn.fit: the training diverged at step {k}: {reason}; the model is back at {where}. "
                           "Try a smaller learning rate or standardised inputs", history, k) from cause


def make_step(model: Module, loss_fn: Loss, params: list[Value], alpha_l2: float = 0.0, engine: str = "eager",
              array: autograd.ParameterArray | None = None) -> Step:
    """The function (batch inputs, targets) -> (loss, outputs) that also fills every p.grad
    (or, for the compiled engine given a ParameterArray of ``params``, ``array.grad``)."""
    if engine == "eager":
        return _eager_step(model, loss_fn, params, alpha_l2)
    if engine == "compiled":
        return _compiled_step(model, loss_fn, params, alpha_l2, array)
    raise ValueError(f"nn.fit: engine must be 'eager' or 'compiled', got {engine!r}")


def _eager_step(model: Module, loss_fn: Loss, params: list[Value], alpha_l2: float) -> Step:
    """Build the graph of the whole batch with Values and run backward through it."""

    def step(inputs: list[list[float]], targets: np.ndarray) -> tuple[float, np.ndarray]:
        outputs = [model(x) for x in inputs]
        total = loss_fn(outputs, targets)
        if alpha_l2:
            total = total + l2_penalty(params, alpha_l2)
        if not isinstance(total, Value):
            raise TypeError(f"nn.fit: the loss must return a Value, got {type(total).__name__}")
        for p in params:
            p.grad = 0.0
        total.backward()
        return total.data, output_matrix(outputs)

    return step


def _parameter_array(engine: str, params: list[Value], optimizer: Optimizer) -> autograd.ParameterArray | None:
    """For engine="compiled" with an optimiser of exactly the model's parameters whose update is the
    array form (``compute``, not its own ``step``): one array that the replay reads and the optimiser
    updates in place (``Optimizer.step_array``), synchronised into the Values when fit ends.
    Otherwise None: parameters stay in their Values."""
    if engine != "compiled" or len(optimizer.params) != len(params):
        return None
    kind = type(optimizer)
    if kind.compute is Optimizer.compute or kind.step is not Optimizer.step:  # an optimiser with no array form
        return None
    if any(p is not q for p, q in zip(optimizer.params, params, strict=True)):
        return None
    return autograd.ParameterArray(params)


def _compiled_step(model: Module, loss_fn: Loss, params: list[Value], alpha_l2: float,
                   array: autograd.ParameterArray | None = None) -> Step:
    """The batched replay executor of issue 6 (``autograd.compile``), in place of the eager step.

    Traced once (at the first batch) and replayed on each batch with numpy. For a built-in loss
    the model and the loss are traced together (``nn.traced_loss``): one function of (x, encoded
    target) -> [that example's loss term, the outputs], whose replay gives the batch loss, the
    gradients and the outputs in one pass. Any other loss (a function, or one that cannot be
    traced) keeps the model's trace alone, the loss computed by the eager engine on the replayed
    outputs, its gradients dL/d(outputs) seeding the replay's backward pass. The L2 penalty is a
    second, input-free trace. The programs come from the model's cache when it holds them for this
    model, loss and number of columns (``nn.compile_cache``); ``step.release()`` gives them back.
    """
    if not hasattr(autograd, "compile"):
        raise NotImplementedError("nn.fit: engine='compiled' needs autograd.compile (the batched executor), "
                                  "which this version of autograd does not have; use engine='eager'")
    traced: dict[str, autograd.Compiled] = {}
    borrowed = Borrowed(model, params)

    def step(inputs: Any, targets: np.ndarray) -> tuple[float, np.ndarray]:
        X = np.asarray(inputs, dtype=np.float64)
        if not traced:
            _trace(traced, borrowed, model, loss_fn, params, X.shape[1], targets, alpha_l2, array)
        if "loss" in traced:
            loss, grads, scores = _traced_loss_step(traced["loss"], loss_fn, X, targets, array)
        else:
            loss, grads, scores = _eager_loss_step(traced["model"], loss_fn, X, targets, array)
        if alpha_l2:
            penalty, penalty_grads = traced["l2"].value_and_grad()
            loss = loss + float(penalty[0])
            grads += penalty_grads
        if array is None:
            for p, g in zip(params, grads.tolist(), strict=True):
                p.grad = g
        return loss, scores

    step.release = borrowed.release
    return step


def _trace(traced: dict[str, autograd.Compiled], borrowed: Borrowed, model: Module, loss_fn: Loss,
           params: list[Value], n_inputs: int, targets: np.ndarray, alpha_l2: float,
           array: autograd.ParameterArray | None) -> None:
    """Fill ``traced``: "loss" (model and loss together) if the loss traces, else "model"; "l2" if any."""
    fn = traced_loss.per_example(loss_fn, model, n_inputs)
    if fn is not None:
        n_columns = n_inputs + traced_loss.encode(loss_fn, targets).shape[1]
        try:
            traced["loss"] = borrowed.get(("loss", type(loss_fn), n_columns, n_inputs),
                                          lambda: autograd.compile(fn, n_columns, params))
        except autograd.TracingError:
            pass  # the model branches on a number: its trace alone fails the same way, explained
    if "loss" not in traced:
        traced["model"] = borrowed.get(("model", n_inputs),
                                       lambda: autograd.compile(model, n_inputs, params))
    if alpha_l2:
        penalty = lambda _: l2_penalty(params, alpha_l2)
        traced["l2"] = borrowed.get(("l2", alpha_l2), lambda: autograd.compile(penalty, 0, params))
    for replay in traced.values():
        replay.bind(array)


def _traced_loss_step(replay: autograd.Compiled, loss_fn: Loss, X: np.ndarray, targets: np.ndarray,
                      array: autograd.ParameterArray | None) -> tuple[float, np.ndarray, np.ndarray]:
    """(batch loss, gradients, outputs (n, k)) from the replay of model + per-example loss."""
    n, k = len(X), replay.n_outputs - 1
    w = traced_loss.weight(loss_fn, n, k)
    seed = np.zeros((n, k + 1))
    seed[:, 0] = w
    results, grads = replay.value_and_grad(np.c_[X, traced_loss.encode(loss_fn, targets)], seed,
                                           out=None if array is None else array.grad)
    scores = results[:, 1:]
    traced_loss.check_outputs(loss_fn, scores)
    loss = float(results[:, 0].sum())
    return (loss if loss_fn.reduction == "sum" else loss * w), grads, scores


def _eager_loss_step(replay: autograd.Compiled, loss_fn: Loss, X: np.ndarray, targets: np.ndarray,
                     array: autograd.ParameterArray | None) -> tuple[float, np.ndarray, np.ndarray]:
    """(batch loss, gradients, outputs (n, k)): the eager loss on the model's replayed outputs."""
    scores = replay.forward(X)
    leaves = [[Value(s) for s in row] for row in scores.reshape(len(X), -1).tolist()]
    total = loss_fn([row[0] if scores.ndim == 1 else row for row in leaves], targets)
    if not isinstance(total, Value):
        raise TypeError(f"nn.fit: the loss must return a Value, got {type(total).__name__}")
    total.backward()
    seed = np.array([[v.grad for v in row] for row in leaves]).reshape(scores.shape)
    grads = replay.gradient(seed, out=None if array is None else array.grad)
    return total.data, grads, scores.reshape(len(X), -1)


# ---------------------------------------------------------------- batches and progress


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


def _progress_bar(total: int, progress: bool) -> Any:
    """A tqdm bar in a terminal or a notebook, else None."""
    if not progress:
        return None
    if _in_notebook():
        try:
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm(total=total, desc="fit", unit="step")
        except ImportError:  # no ipywidgets: a text bar still works in a notebook
            return tqdm(total=total, desc="fit", unit="step", file=sys.stderr)
    if sys.stderr is not None and sys.stderr.isatty():
        return tqdm(total=total, desc="fit", unit="step", file=sys.stderr)
    return None


def _in_notebook() -> bool:
    """Whether we run in a Jupyter kernel (Colab's ``Shell`` is a subclass of ipykernel's shell)."""
    ipython = sys.modules.get("IPython")  # only look if IPython is already running
    get_ipython = getattr(ipython, "get_ipython", None)
    if get_ipython is None:
        return False
    shell = get_ipython()
    try:
        from ipykernel.zmqshell import ZMQInteractiveShell
    except ImportError:
        return type(shell).__name__ == "ZMQInteractiveShell"
    return isinstance(shell, ZMQInteractiveShell)
