"""One step of ``nn.fit``: (batch loss, outputs) from a batch, with every parameter's gradient.

The eager step is micrograd's: forward every example of the batch, the loss (plus an optional
L2 penalty), zero the gradients, backward. The compiled step (``engine="compiled"``) gives the
same numbers from programs traced once (``autograd.compile``) and replayed with numpy on each
batch. ``nn.loop.train_loop`` runs either, followed by the optimiser's update (D7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value

from . import traced_loss
from .compile_cache import Borrowed
from .evaluation import output_matrix
from .losses import Loss, l2_penalty
from .module import Module

Step = Callable[[Any, np.ndarray], tuple[float, np.ndarray]]
"""(inputs of a batch: lists, or an array for the compiled step; targets) -> (loss, outputs
(n, k)), leaving d(loss)/dp in every p.grad (or in the parameter array's ``grad``)."""


def make_step(model: Module, loss_fn: Loss, params: list[Value], alpha_l2: float = 0.0,
              engine: str = "eager", array: autograd.ParameterArray | None = None,
              programs: Borrowed | None = None) -> Step:
    """The function (batch inputs, targets) -> (loss, outputs) that also fills every p.grad
    (or, for the compiled engine given a ParameterArray of ``params``, ``array.grad``).

    The compiled step borrows its programs through ``programs`` (``nn.loop.Engine`` gives
    its own); without it the step borrows them itself and ``step.release()`` gives them back.
    """
    if engine == "eager":
        return _eager_step(model, loss_fn, params, alpha_l2)
    if engine == "compiled":
        if programs is not None:
            return _compiled_step(model, loss_fn, params, alpha_l2, array, programs)
        programs = Borrowed(model, params)
        step = _compiled_step(model, loss_fn, params, alpha_l2, array, programs)
        step.release = programs.release
        return step
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


def _compiled_step(model: Module, loss_fn: Loss, params: list[Value], alpha_l2: float,
                   array: autograd.ParameterArray | None, programs: Borrowed) -> Step:
    """The batched replay executor (``autograd.compile``) in place of the eager step.

    Traced once (at the first batch) and replayed on each batch with numpy. For a built-in loss
    the model and the loss are traced together (``nn.traced_loss``): one function of (x, encoded
    target) -> [that example's loss term, the outputs], whose replay gives the batch loss, the
    gradients and the outputs in one pass. Any other loss (a function, or one that cannot be
    traced) keeps the model's trace alone, the loss computed by the eager engine on the replayed
    outputs, its gradients dL/d(outputs) seeding the replay's backward pass. The L2 penalty is a
    second, input-free trace. The programs come from the model's cache when it holds them for
    this model, loss and number of columns (``nn.compile_cache``).
    """
    if not hasattr(autograd, "compile"):
        raise NotImplementedError("nn.fit: engine='compiled' needs autograd.compile (the batched "
                                  "executor), which this version of autograd does not have; use "
                                  "engine='eager'")
    traced: dict[str, autograd.Compiled] = {}

    def step(inputs: Any, targets: np.ndarray) -> tuple[float, np.ndarray]:
        X = np.asarray(inputs, dtype=np.float64)
        if not traced:
            _trace(traced, programs, model, loss_fn, params, X.shape[1], targets, alpha_l2, array)
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

    return step


def _trace(traced: dict[str, autograd.Compiled], programs: Borrowed, model: Module,
           loss_fn: Loss, params: list[Value], n_inputs: int, targets: np.ndarray,
           alpha_l2: float, array: autograd.ParameterArray | None) -> None:
    """Fill ``traced``: "loss" (model and loss together) if the loss traces, else "model"; "l2"
    if there is a penalty."""
    fn = traced_loss.per_example(loss_fn, model, n_inputs)
    if fn is not None:
        n_columns = n_inputs + traced_loss.encode(loss_fn, targets).shape[1]
        try:
            traced["loss"] = programs.get(("loss", type(loss_fn), n_columns, n_inputs),
                                          lambda: autograd.compile(fn, n_columns, params))
        except autograd.TracingError:
            pass  # the model branches on a number: its trace alone fails the same way, explained
    if "loss" not in traced:
        traced["model"] = programs.get(("model", n_inputs),
                                       lambda: autograd.compile(model, n_inputs, params))
    if alpha_l2:
        penalty = lambda _: l2_penalty(params, alpha_l2)
        traced["l2"] = programs.get(("l2", alpha_l2), lambda: autograd.compile(penalty, 0, params))
    for replay in traced.values():
        replay.bind(array)


def _traced_loss_step(replay: autograd.Compiled, loss_fn: Loss, X: np.ndarray,
                      targets: np.ndarray, array: autograd.ParameterArray | None,
                      ) -> tuple[float, np.ndarray, np.ndarray]:
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


def _eager_loss_step(replay: autograd.Compiled, loss_fn: Loss, X: np.ndarray,
                     targets: np.ndarray, array: autograd.ParameterArray | None,
                     ) -> tuple[float, np.ndarray, np.ndarray]:
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
