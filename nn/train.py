"""Training and evaluating a model: ``fit``, ``predict``, ``accuracy``, ``evaluate``.

One training step is micrograd's loop: forward every example of the batch, the loss (plus an
optional L2 penalty), zero the gradients, backward, and an optimiser step (D7). The first three
parts, "(batch loss, parameter gradients) from a batch", are one function made by
``make_step``, which the compiled executor (``engine="compiled"``) replaces wholesale.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from tqdm import tqdm

import autograd
from autograd import Value

from .init import Seed, make_rng
from .losses import Loss, check_alpha, get_loss, l2_penalty
from .module import Module
from .optim import SGD, LinearDecay, Optimizer

Step = Callable[[list[list[float]], np.ndarray], tuple[float, np.ndarray]]
"""(inputs of a batch, targets) -> (loss, outputs (n, k)), leaving d(loss)/dp in every p.grad."""

class History(dict):
    """Per-step training record, a dict {"loss": [...], "accuracy": [...]} with attribute access."""

    def __init__(self) -> None:
        super().__init__(loss=[], accuracy=[])

    @property
    def loss(self) -> list[float]:
        """The loss of each step's batch (including the L2 penalty), before that step's update."""
        return self["loss"]

    @property
    def accuracy(self) -> list[float]:
        """The accuracy on each step's batch, before that step's update (NaN for regression targets)."""
        return self["accuracy"]


def fit(model: Module, X: Any, y: Any, loss: str | Loss = "hinge", optimizer: Optimizer | None = None,
        steps: int | None = None, epochs: int | None = None, batch_size: int | None = None, progress: bool = True,
        seed: Seed = None, engine: str = "eager", alpha_l2: float = 0.0, threshold: float | None = None) -> History:
    """Train ``model`` on (X, y) and return the History of loss and accuracy per step.

    ``steps`` optimiser updates (default 100), or ``epochs`` passes over the data; each step uses
    the whole data set (``batch_size=None``, micrograd's way) or a mini-batch of a shuffled
    epoch, shuffled with ``seed``. ``loss`` is a name in ``nn.losses.LOSSES`` or a function
    (outputs, targets) -> Value; ``alpha_l2`` adds alpha * sum p^2. The default optimiser is
    micrograd's: SGD with lr falling linearly from 1.0 to 0.1 over the run.
    """
    loss_fn = get_loss(loss)
    check_alpha(alpha_l2, "nn.fit: alpha_l2")
    X, y = check_data(X, y, "nn.fit")
    n_outputs = _count_outputs(model, X)
    targets = _targets_for(loss, y, n_outputs, "nn.fit")
    threshold = default_threshold(model, threshold, loss, y)
    n_steps, batches = _schedule(len(y), steps, epochs, batch_size, seed)
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=LinearDecay(1.0, 0.1, n_steps))
    array = _parameter_array(engine, params, optimizer)  # engine="compiled": the parameters in one array
    step = make_step(model, loss_fn, params, alpha_l2, engine, array)
    inputs = X.tolist()

    history = History()
    bar = _progress_bar(n_steps, progress)
    try:
        for k, rows in zip(range(n_steps), batches, strict=False):
            try:
                batch_loss, outputs = step([inputs[i] for i in rows], targets[rows])
                if not math.isfinite(batch_loss):
                    raise FloatingPointError(f"the loss is {batch_loss!r}")
                optimizer.step() if array is None else optimizer.step_array(array)
            except ArithmeticError as error:  # overflow, inf or NaN: the run diverged
                raise type(error)(f"nn.fit: at step {k}: {error}; the training diverged, try a smaller "
                                  "learning rate or standardised inputs") from error
            history.loss.append(batch_loss)
            history.accuracy.append(score_accuracy(outputs, y[rows], threshold))
            if bar is not None:
                shown = {"loss": f"{batch_loss:.4f}"}
                if not math.isnan(history.accuracy[-1]):  # NaN: regression targets, no accuracy to show
                    shown["accuracy"] = f"{history.accuracy[-1]:.1%}"
                bar.set_postfix(shown, refresh=False)
                bar.update()
    finally:
        if array is not None:
            array.sync()  # the Values get their numbers back once, at the end (or at an error)
        if bar is not None:
            bar.close()
    return history


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
    """For engine="compiled" with an optimiser of exactly the model's parameters that has an array
    form (``update_array``): one array that the replay reads and the optimiser updates in place
    (``Optimizer.step_array``), synchronised into the Values when fit ends. Otherwise None:
    parameters stay in their Values."""
    if engine != "compiled" or len(optimizer.params) != len(params):
        return None
    if type(optimizer).update_array is Optimizer.update_array:  # an optimiser with no array form
        return None
    if any(p is not q for p, q in zip(optimizer.params, params, strict=True)):
        return None
    return autograd.ParameterArray(params)


def _compiled_step(model: Module, loss_fn: Loss, params: list[Value], alpha_l2: float,
                   array: autograd.ParameterArray | None = None) -> Step:
    """The batched replay executor of issue 6 (``autograd.compile``), in place of the eager step.

    The model is traced once (at the first batch) and replayed on each batch with numpy. The loss
    is then computed by the eager engine on the replayed outputs, so every loss works (even one
    that looks at numbers, like cross_entropy's max), and its gradients dL/d(outputs) seed the
    replay's backward pass. The L2 penalty is a second, input-free trace.
    """
    if not hasattr(autograd, "compile"):
        raise NotImplementedError("nn.fit: engine='compiled' needs autograd.compile (the batched executor), "
                                  "which this version of autograd does not have; use engine='eager'")
    traced: dict[str, autograd.Compiled] = {}

    def step(inputs: list[list[float]], targets: np.ndarray) -> tuple[float, np.ndarray]:
        X = np.asarray(inputs, dtype=np.float64)
        if not traced:
            traced["model"] = autograd.compile(model, X.shape[1], params)
            if alpha_l2:
                traced["l2"] = autograd.compile(lambda _: l2_penalty(params, alpha_l2), 0, params)
            for replay in traced.values():
                replay.bind(array)
        replay = traced["model"]
        scores = replay.forward(X)
        leaves = [[Value(s) for s in row] for row in scores.reshape(len(X), -1).tolist()]
        total = loss_fn([row[0] if scores.ndim == 1 else row for row in leaves], targets)
        if not isinstance(total, Value):
            raise TypeError(f"nn.fit: the loss must return a Value, got {type(total).__name__}")
        total.backward()
        seed = np.array([[v.grad for v in row] for row in leaves]).reshape(scores.shape)
        grads = replay.gradient(seed, out=None if array is None else array.grad)
        loss = total.data
        if alpha_l2:
            penalty, penalty_grads = traced["l2"].value_and_grad()
            loss = loss + float(penalty[0])
            grads += penalty_grads
        if array is None:
            for p, g in zip(params, grads.tolist(), strict=True):
                p.grad = g
        return loss, scores.reshape(len(X), -1)

    return step


# ---------------------------------------------------------------- predicting and scoring


def predict(model: Module, X: Any, threshold: float | None = None, loss: str | Loss | None = None) -> np.ndarray:
    """Class indices: argmax of the outputs, or, for one output, 1 where it exceeds ``threshold``.

    The default threshold is ``default_threshold``'s, the same as ``fit``'s: 0.5 for a sigmoid
    output or a model trained with ``loss="bce"`` or ``"mse"`` (on 0/1 labels), else 0.
    """
    X, _ = check_data(X, None, "nn.predict")
    return predictions(forward_data(model, X), default_threshold(model, threshold, loss))


def accuracy(model: Module, X: Any, y: Any, threshold: float | None = None, loss: str | Loss | None = None) -> float:
    """The fraction of examples whose predicted class is y (labels 0/1, -1/+1 or 0..k-1).

    Pass the training ``loss`` (or a ``threshold``) so the cut of a single output is ``fit``'s.
    """
    X, y = check_data(X, y, "nn.accuracy")
    return score_accuracy(forward_data(model, X), y, default_threshold(model, threshold, loss, y))


def evaluate(model: Module, X: Any, y: Any, loss: str | Loss = "hinge", threshold: float | None = None,
             alpha_l2: float = 0.0) -> dict[str, float]:
    """{"loss": mean loss over (X, y) (plus the L2 penalty if asked), "accuracy": ...}, without a graph."""
    loss_fn = get_loss(loss)
    check_alpha(alpha_l2, "nn.evaluate: alpha_l2")
    X, y = check_data(X, y, "nn.evaluate")
    with autograd.no_grad():
        outputs = [model(x) for x in X.tolist()]
        n_outputs = output_matrix(outputs).shape[1]
        total = loss_fn(outputs, _targets_for(loss, y, n_outputs, "nn.evaluate"))
        if alpha_l2:
            total = total + l2_penalty(model, alpha_l2)
    threshold = default_threshold(model, threshold, loss, y)
    return {"loss": float(total), "accuracy": score_accuracy(output_matrix(outputs), y, threshold)}


def forward_data(model: Module, X: np.ndarray) -> np.ndarray:
    """The model's outputs for every row of X as an (n, k) array, recording no graph."""
    with autograd.no_grad():
        return output_matrix([model(x) for x in X.tolist()])


def output_matrix(outputs: list[Any]) -> np.ndarray:
    """(n, k) array of the data of n model outputs (a Value or a list of k Values each)."""
    return np.array([[float(o)] if isinstance(o, Value | float | int) else [float(v) for v in o] for o in outputs])


def predictions(scores: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Class indices from an (n, k) array of outputs: argmax, or score > threshold when k = 1."""
    if scores.shape[1] == 1:
        return (scores[:, 0] > threshold).astype(np.int64)
    return np.argmax(scores, axis=1).astype(np.int64)


def score_accuracy(scores: np.ndarray, y: np.ndarray, threshold: float = 0.0) -> float:
    """Fraction of correct predictions; NaN when y are not class labels (regression)."""
    if not np.all(y == np.round(y)):
        return math.nan
    if y.ndim == 2:  # several independent yes/no outputs (D10): every unit counts
        if y.shape != scores.shape:
            return math.nan
        return float(np.mean((scores > threshold) == (y > 0)))
    if scores.shape[1] == 1:
        if not set(np.unique(y).tolist()) <= {-1.0, 0.0, 1.0}:
            return math.nan
        return float(np.mean(predictions(scores, threshold) == (y > 0)))
    return float(np.mean(predictions(scores) == y))


# ---------------------------------------------------------------- checking and preparing data


def check_data(X: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    """X as a finite float array (n, d) and y as a finite float array of n rows (or None)."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: X must be an array of numbers (n examples x d inputs)") from None
    if X.ndim != 2 or len(X) == 0:
        hint = " (for one input per example use X.reshape(-1, 1))" if X.ndim == 1 else ""
        raise ValueError(f"{where}: X must be a non-empty 2-D array (n examples x d inputs), got shape {X.shape}{hint}")
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        i, j = bad[0].tolist()
        raise ValueError(f"{where}: X[{i}, {j}] is {float(X[i, j])!r}; inputs must be finite")
    if y is None:
        return X, None
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: y must be an array of numbers (labels or targets)") from None
    if y.ndim not in (1, 2) or len(y) != len(X):
        raise ValueError(f"{where}: y must have one entry per row of X ({len(X)}), got shape {y.shape}")
    bad = np.argwhere(~np.isfinite(y))
    if len(bad):
        index = bad[0].tolist()
        raise ValueError(f"{where}: y{index} is {float(y[tuple(index)])!r}; targets must be finite")
    return X, y


def _count_outputs(model: Module, X: np.ndarray) -> int:
    """Number of output units, found by running the first example (which also checks its length)."""
    return forward_data(model, X[:1]).shape[1]


def _targets_for(loss: str | Loss, y: np.ndarray, n_outputs: int, where: str) -> np.ndarray:
    """The targets a loss expects: one-hot rows for mse/bce with several outputs and class indices."""
    if loss in ("mse", "bce", "bce_with_logits") and y.ndim == 1 and n_outputs > 1:
        classes = y.astype(np.int64)
        if not np.all(classes == y) or classes.min() < 0 or classes.max() >= n_outputs:
            raise ValueError(f"{where}: with {n_outputs} outputs, y must be class indices 0..{n_outputs - 1} "
                             "or an (n, k) array of targets")
        return np.eye(n_outputs)[classes]
    if loss == "hinge" and n_outputs != 1:
        raise ValueError(f"{where}: the hinge loss needs a model with one output, this one has {n_outputs}")
    return y


def default_threshold(model: Module, threshold: float | None = None, loss: str | Loss | None = None,
                      y: np.ndarray | None = None) -> float:
    """The cut of a single output (above it: class 1), one rule for fit, evaluate, predict and accuracy.

    ``threshold`` when given; else the model decides first, then the loss and the labels:

    1. a sigmoid output is a probability: 0.5;
    2. ``bce`` reads the outputs as probabilities: 0.5; ``mse`` fits the labels themselves, so
       its cut is their midpoint: 0.5 for 0/1 labels (also when no labels are given), 0 for -1/+1;
    3. otherwise the output is a score or a logit (hinge, bce_with_logits, a loss function): 0.
    """
    if threshold is not None:
        return threshold
    last = getattr(model, "output_activation", getattr(model, "activation", None))
    if last == "sigmoid" or loss == "bce":
        return 0.5
    if loss == "mse" and (y is None or np.all((y == 0) | (y == 1))):
        return 0.5
    return 0.0


def _schedule(n: int, steps: int | None, epochs: int | None, batch_size: int | None,
              seed: Seed) -> tuple[int, Iterator[np.ndarray]]:
    """(number of steps, the row indices of each step's batch)."""
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
    return n_steps, _batches(n, size, seed)


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
