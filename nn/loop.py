"""The training loop of ``nn.fit`` and ``nn.train_gpt``, and its engine (eager or compiled).

One step is micrograd's: the batch's loss and every parameter's gradient (a ``BatchStep``, built
by ``nn.fit_steps`` for an MLP and by ``nn.gpt_train`` for a GPT), then the optimiser's update
(D7). ``train_loop`` runs the steps and records them in a ``History``; around them it keeps the
run safe: a step that diverges (``nn.monitor.Divergence``: a NaN or infinite loss, a loss far
above its best, runaway weights, an overflow) stops the run with ``TrainingDiverged``, the model
put back to the last parameters whose loss was finite and the optimiser to its step count and
buffers of that moment.

The ``Engine`` is chosen once per run: where the parameters live, how the optimiser updates them
and which compiled programs the run borrows. "eager" keeps them in their Values; "compiled"
borrows traced programs from the model's cache (``nn.compile_cache``) and, when the optimiser
has an array form, keeps the parameters in one ``autograd.ParameterArray``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import numpy as np

import autograd
from autograd import Value

from .compile_cache import Borrowed
from .epochs import Epochs
from .module import Module
from .monitor import Divergence, History, TrainingDiverged
from .optim import Optimizer
from .progress import progress_bar

ENGINES = ("eager", "compiled")

BatchStep = Callable[[Any], tuple[float, Any]]
"""batch -> (its loss, its outputs or None), leaving d(loss)/dp in every p.grad (or in the
engine's ``array.grad``)."""


def check_engine(name: Any, where: str) -> str:
    """``name`` if it is one of ENGINES, else a ValueError naming it."""
    if name not in ENGINES:
        raise ValueError(f"{where}: engine must be 'eager' or 'compiled', got {name!r}")
    return name


def parameter_array(params: list[Value], optimizer: Optimizer) -> autograd.ParameterArray | None:
    """One array of ``params`` when ``optimizer`` holds exactly them and its update has the array
    form (``compute``, not its own ``step``): the replay reads it and the optimiser updates it in
    place (``Optimizer.step_array``). Otherwise None: the parameters stay in their Values."""
    if len(optimizer.params) != len(params):
        return None
    kind = type(optimizer)
    if kind.compute is Optimizer.compute or kind.step is not Optimizer.step:
        return None  # an optimiser with no array form
    if any(p is not q for p, q in zip(optimizer.params, params, strict=True)):
        return None
    return autograd.ParameterArray(params)


class Engine:
    """Where a run's parameters live and how the optimiser updates them, for one run.

    ``array`` is the ParameterArray of a compiled run whose optimiser has an array form (None:
    the parameters stay in their Values); ``programs`` the compiled programs the run borrows
    (None for "eager"). ``close`` writes the array back into the Values and returns the programs.
    """

    def __init__(self, name: str, model: Module, params: list[Value], optimizer: Optimizer,
                 where: str) -> None:
        self.name = check_engine(name, where)
        self.params, self.optimizer = params, optimizer
        compiled = name == "compiled"
        self.array = parameter_array(params, optimizer) if compiled else None
        self.programs = Borrowed(model, params) if compiled else None

    @property
    def compiled(self) -> bool:
        """Whether the run replays compiled programs."""
        return self.name == "compiled"

    def update(self) -> None:
        """The optimiser's step, on the parameter array when there is one."""
        if self.array is None:
            self.optimizer.step()
        else:
            self.optimizer.step_array(self.array)

    def largest(self, state: Any) -> float:
        """The largest |parameter| of a ``snapshot()`` (``Divergence`` watches it)."""
        numbers = state[0]
        if self.array is None:
            return max(map(abs, numbers))
        return float(np.abs(numbers).max())

    def snapshot(self) -> Any:
        """The parameters, and the optimiser's step count and buffers that go with them."""
        numbers = [p.data for p in self.params] if self.array is None else self.array.data.copy()
        # a step replaces the optimiser's buffers (arrays), never changes them: a copy of the dict
        buffers = dict(getattr(self.optimizer, "buffers", {}))
        return numbers, self.optimizer.steps_taken, buffers

    def restore(self, state: Any) -> None:
        """Put a ``snapshot()`` back, so that training can go on from there."""
        numbers, steps_taken, buffers = state
        if self.array is not None:
            self.array.data[:] = numbers
        else:
            for p, value in zip(self.params, numbers, strict=True):
                p.data = value
        self.optimizer.steps_taken = steps_taken
        if hasattr(self.optimizer, "buffers"):
            self.optimizer.buffers.clear()
            self.optimizer.buffers.update(buffers)

    def sync(self) -> None:
        """Write the parameter array (numbers and gradients) into the Values, if there is one."""
        if self.array is not None:
            self.array.sync()

    def close(self) -> None:
        """The end of the run: the Values get their numbers back, the programs go back to the
        model's cache."""
        self.sync()
        if self.programs is not None:
            self.programs.release()


def train_loop(engine: Engine, step: BatchStep, batches: Iterable[Any], n_steps: int,
               progress: bool, where: str, hint: str, *,
               accuracy: Callable[[Any, Any], float] | None = None,
               epochs: Epochs | None = None, per_epoch: int = 1) -> History:
    """Run ``n_steps`` steps, one per batch, and return their History.

    Each step: ``step(batch)`` gives the loss (recorded in ``history.loss``) and the outputs
    (``accuracy(outputs, batch)``, if given, in ``history.accuracy``), both before the update;
    then ``engine.update()``. With ``epochs`` (``nn.epochs.Epochs``) every ``per_epoch`` steps
    and after the last, the epoch's records; early stopping puts back the best epoch's weights.
    ``where`` and ``hint`` begin and end the message of a divergence. ``engine.close()`` at the
    end, whatever happens.
    """
    history = History()
    bar = progress_bar(n_steps, progress)
    last_good = engine.snapshot()  # the parameters of the last finite loss
    divergence = Divergence(engine.largest(last_good))

    def diverged(k: int, reason: str, cause: BaseException | None = None) -> NoReturn:
        engine.restore(last_good)
        at = (f"the parameters of step {len(history.loss) - 1} (loss {history.loss[-1]:.6g})"
              if history.loss else "its initial parameters")
        raise TrainingDiverged(f"{where}: the training diverged at step {k}: {reason}; the model "
                               f"is back at {at}. {hint}", history, k) from cause

    try:
        for k, batch in zip(range(n_steps), batches, strict=False):
            try:
                loss, outputs = step(batch)
            except ArithmeticError as error:  # overflow in the forward or backward pass
                diverged(k, str(error), error)
            current = engine.snapshot()  # the parameters this loss was computed with
            reason = divergence.reason(loss, engine.largest(current))
            if reason is not None:
                diverged(k, reason)
            history.loss.append(loss)
            if accuracy is not None:
                history.accuracy.append(accuracy(outputs, batch))
            last_good = current
            try:
                engine.update()
            except ArithmeticError as error:  # a non-finite gradient or update, refused
                diverged(k, str(error), error)
            if bar is not None:
                _show(bar, history)
            if epochs is not None and epochs.active and ((k + 1) % per_epoch == 0
                                                          or k + 1 == n_steps):
                engine.sync()  # the epoch's metrics read the Values
                if epochs.end_of_epoch(history, engine.snapshot()):
                    break
        if epochs is not None and epochs.best_state is not None:
            engine.restore(epochs.best_state)  # early stopping: the best epoch's weights
            history.best_epoch = epochs.best_epoch
    finally:
        engine.close()
        if bar is not None:
            bar.close()
    return history


def _show(bar: Any, history: History) -> None:
    """The step's loss on the bar, and its accuracy when there is one (NaN: regression)."""
    shown = {"loss": f"{history.loss[-1]:.4f}"}
    if history.accuracy and not math.isnan(history.accuracy[-1]):
        shown["accuracy"] = f"{history.accuracy[-1]:.1%}"
    bar.set_postfix(shown, refresh=False)
    bar.update()
