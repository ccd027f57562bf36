"""Optimisers: turn the gradients in ``p.grad`` into parameter updates (D7).

Plain gradient descent is W <- W - alpha dL/dW for every parameter (D7). ``SGD`` adds
momentum (Nesterov's too) and weight decay, ``Adam`` adapts the step per parameter, ``AdamW``
decouples its weight decay; the names and update formulas are PyTorch's. The learning rate is a
number or a schedule (``nn.schedules``, whose classes are also here), a function of the step
number k = 0, 1, 2, ...; ``LinearDecay(1.0, 0.1, 100)`` is micrograd's lr = 1.0 - 0.9 k / 100.

    opt = SGD(model.parameters(), lr=LinearDecay(1.0, 0.1, 100))
    for k in range(100):
        loss = ...
        opt.zero_grad()
        loss.backward()
        opt.step()
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograd import ParameterArray, Value

from .schedules import (
    SCHEDULES,
    CosineDecay,
    Decay,
    ExponentialDecay,
    LinearDecay,
    Schedule,
    schedule_from,
)
from .validation import check_number, with_article

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW",
    "Schedule", "Decay", "LinearDecay", "CosineDecay", "ExponentialDecay", "SCHEDULES",
    "schedule_from",
]



class Optimizer:
    """Holds the parameters and the learning rate; ``step()`` applies the update rule.

    ``compute(lr)`` gives the new parameter values and buffers (momentum, moments); ``step``
    checks them all before writing any, so an update that would leave a parameter NaN or
    infinite (too large a learning rate) changes nothing. ``state_dict()`` and
    ``load_state_dict()`` save and restore the step count, hyperparameters, learning rate
    (a number or a schedule of this module) and buffers, as JSON-ready lists and numbers.
    """

    hyperparameters: tuple[str, ...] = ()
    """The constructor's settings saved in ``state_dict`` (besides lr)."""

    def __init__(self, params: Iterable[Value] | Any, lr: float | Schedule) -> None:
        if hasattr(params, "parameters"):
            params = params.parameters()
        self.params: list[Value] = list(params)
        name = type(self).__name__
        if not self.params:
            raise ValueError(f"{name}: no parameters to optimise")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{name}: parameter {i} must be a Value, got {type(p).__name__}")
        if not callable(lr):
            check_number(lr, f"{name}: lr", low=0.0, strict=True)
        self.lr = lr
        self.steps_taken = 0
        self.buffers: dict[str, np.ndarray | None] = {}

    def current_lr(self) -> float:
        """The learning rate of the next step (the schedule evaluated at the step number)."""
        lr = self.lr(self.steps_taken) if callable(self.lr) else self.lr
        return check_number(
            lr, f"{type(self).__name__}: learning rate at step {self.steps_taken}", low=0.0
        )

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (backward adds to it)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``; a NaN or inf gradient, or an update that would
        make a parameter NaN or inf, raises FloatingPointError and changes nothing (all new values
        are checked before any is assigned; an ``update(lr)`` that raises has its changes
        undone)."""
        # a subclass written as update(lr), changing p.data itself
        if type(self).compute is Optimizer.compute:
            self._check_gradients(
                np.fromiter((p.grad for p in self.params), dtype=np.float64, count=len(self.params))
            )
            lr, before = self.current_lr(), [p.data for p in self.params]
            try:
                self.update(lr)
            except BaseException:  # all or nothing: put back the parameters update() had changed
                for p, value in zip(self.params, before, strict=True):
                    if p.data != value:
                        p.data = value
                raise
            self.steps_taken += 1
            return
        data = np.fromiter((p.data for p in self.params), dtype=np.float64, count=len(self.params))
        grad = np.fromiter((p.grad for p in self.params), dtype=np.float64, count=len(self.params))
        new = self._checked_update(data, grad)
        for p, value in zip(self.params, new.tolist(), strict=True):
            p.data = value

    def step_array(self, array: ParameterArray) -> None:
        """``step()`` for parameters held in one ``autograd.ParameterArray``
        (``nn.fit(engine="compiled")``): the same update on ``array.data`` from ``array.grad``, in a
        few numpy calls."""
        array.data[:] = self._checked_update(array.data, array.grad)

    def _checked_update(self, data: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """The new parameter values after checking gradients and results; buffers and step count
        move on."""
        name = type(self).__name__
        self._check_gradients(grad)
        lr = self.current_lr()
        with np.errstate(over="ignore", invalid="ignore"):
            new, buffers = self.compute(lr, data, grad)
        bad = np.flatnonzero(~np.isfinite(new))
        if len(bad):
            i = bad[0]
            raise FloatingPointError(
                f"{name}.step: the update would make {self._label(i)} {float(new[i])!r} (from "
                f"{float(data[i])!r}, gradient {float(grad[i])!r}, lr {lr!r}); no parameter was "
                "changed: try a smaller learning rate"
            )
        self.buffers.update(buffers)
        self.steps_taken += 1
        return new

    def _check_gradients(self, grad: np.ndarray) -> None:
        bad = np.flatnonzero(~np.isfinite(grad))
        if len(bad):
            raise FloatingPointError(
                f"{type(self).__name__}.step: gradient of {self._label(bad[0])} is "
                f"{float(grad[bad[0]])!r}; no parameter was changed"
            )

    def _label(self, i: int) -> str:
        return self.params[i].label or f"parameter {i}"

    def compute(
        self, lr: float, data: np.ndarray, grad: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(the new value of every parameter, the new buffers) for one step at rate ``lr``: what a
        subclass defines (or, simpler, ``update``)."""
        raise NotImplementedError

    def update(self, lr: float) -> None:
        """Change every ``p.data`` from ``p.grad`` at rate ``lr``: a subclass may define this
        instead of ``compute`` (it then has no array form, and is not checked for a non-finite
        result)."""
        raise NotImplementedError(
            f"{type(self).__name__} defines neither compute(lr, data, grad) nor update(lr)"
        )

    # ------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed run needs: step count, hyperparameters, lr and buffers
        (JSON-ready)."""
        return {
            "class": type(self).__name__,
            "steps_taken": self.steps_taken,
            "lr": self.lr.state_dict()
            if hasattr(self.lr, "state_dict")
            else None
            if callable(self.lr)
            else self.lr,
            "hyperparameters": {key: _plain(getattr(self, key)) for key in self.hyperparameters},
            "buffers": {
                key: None if value is None else np.asarray(value, dtype=np.float64).tolist()
                for key, value in self.buffers.items()
            },
        }

    def load_state_dict(self, state: Any) -> None:
        """Restore ``state_dict()``'s state (checked whole first: on an error nothing changes).

        A learning rate saved as ``None`` (a plain function, which cannot be saved) keeps this
        optimiser's own.
        """
        name = type(self).__name__
        if not isinstance(state, Mapping) or state.get("class") != name:
            got = state.get("class") if isinstance(state, Mapping) else type(state).__name__
            raise ValueError(
                f"{name}.load_state_dict: expected the state of {with_article(name)}, got {got!r}"
            )
        steps = state.get("steps_taken")
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
            raise ValueError(
                f"{name}.load_state_dict: steps_taken must be an int >= 0, got {steps!r}"
            )
        hyper = state.get("hyperparameters")
        if not isinstance(hyper, Mapping) or set(hyper) != set(self.hyperparameters):
            raise ValueError(
                f"{name}.load_state_dict: hyperparameters must be {list(self.hyperparameters)}"
            )
        lr = _lr_from_state(state.get("lr"), f"{name}.load_state_dict")
        # making it checks the hyperparameters
        fresh = type(self)(self.params, lr=self.lr if lr is None else lr, **hyper)
        buffers = _check_buffers(state.get("buffers"), set(self.buffers), len(self.params), name)
        for key in self.hyperparameters:
            setattr(self, key, getattr(fresh, key))
        self.lr, self.steps_taken = fresh.lr, int(steps)
        self.buffers.update(
            {
                key: None if v is None else np.array(v, dtype=np.float64)
                for key, v in buffers.items()
            }
        )


class SGD(Optimizer):
    """Stochastic gradient descent (D7), with PyTorch's momentum, dampening, Nesterov and weight
    decay.

    g = dL/dp + weight_decay * p
    v = momentum * v + (1 - dampening) * g     (v = g at the first step)
    p = p - lr * (g + momentum * v)            (nesterov=True)
    p = p - lr * v                             (otherwise; p = p - lr * g without momentum: D7)
    """

    hyperparameters = ("momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        params: Iterable[Value] | Any,
        lr: float | Schedule,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = check_number(momentum, "SGD: momentum", low=0.0, high=1.0)
        self.dampening = check_number(dampening, "SGD: dampening", low=0.0, high=1.0,
                                      high_inclusive=True)
        self.weight_decay = check_number(weight_decay, "SGD: weight_decay", low=0.0)
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError("SGD: nesterov=True needs a momentum > 0 and no dampening")
        self.nesterov = nesterov
        self.buffers["velocity"] = None

    def compute(
        self, lr: float, data: np.ndarray, grad: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        if not self.momentum:
            return data - lr * g, {}
        velocity = self.buffers["velocity"]
        velocity = (
            g.copy() if velocity is None else self.momentum * velocity + (1.0 - self.dampening) * g
        )
        step = g + self.momentum * velocity if self.nesterov else velocity
        return data - lr * step, {"velocity": velocity}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running averages of g and g^2.

        m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2          (m = v = 0 at first)
        p = p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)

    ``weight_decay`` adds weight_decay * p to g (L2, as PyTorch's Adam); ``AdamW`` decouples it.
    """

    hyperparameters = ("betas", "eps", "weight_decay")

    def __init__(self, params: Iterable[Value] | Any, lr: float | Schedule = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        b1, b2 = betas
        self.betas = (
            check_number(b1, f"{name}: betas[0]", low=0.0, high=1.0),
            check_number(b2, f"{name}: betas[1]", low=0.0, high=1.0),
        )
        self.eps = check_number(eps, f"{name}: eps", low=0.0, strict=True)
        self.weight_decay = check_number(weight_decay, f"{name}: weight_decay", low=0.0)
        self.buffers["m"] = np.zeros(len(self.params))
        self.buffers["v"] = np.zeros(len(self.params))

    def compute(
        self, lr: float, data: np.ndarray, grad: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        b1, b2 = self.betas
        t = self.steps_taken + 1
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        g = self.gradient(data, grad)
        m = b1 * self.buffers["m"] + (1.0 - b1) * g
        v = b2 * self.buffers["v"] + (1.0 - b2) * g * g
        new = self.decayed(data, lr) - lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
        return new, {"m": m, "v": v}

    def gradient(self, data: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """The g of the moments: dL/dp plus weight_decay * p (L2, as PyTorch's Adam)."""
        return grad + self.weight_decay * data if self.weight_decay else grad

    def decayed(self, data: np.ndarray, lr: float) -> np.ndarray:
        """The parameters before the Adam step (AdamW decays them here)."""
        return data


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as PyTorch's AdamW:

    p = p - lr * weight_decay * p, then Adam's step with g = dL/dp (no decay in m and v).
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float | Schedule = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def gradient(self, data: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return grad

    def decayed(self, data: np.ndarray, lr: float) -> np.ndarray:
        return data * (1.0 - lr * self.weight_decay) if self.weight_decay else data


def _lr_from_state(lr: Any, where: str) -> Any:
    """A saved learning rate: a number, a schedule's state, or None (keep the optimiser's own)."""
    if lr is None or isinstance(lr, Mapping):
        try:
            return lr if lr is None else schedule_from(lr)
        except ValueError as error:
            raise ValueError(f"{where}: lr: {error}") from None
    return check_number(lr, f"{where}: lr", low=0.0, strict=True)


def _check_buffers(
    buffers: Any, keys: set[str], n: int, name: str
) -> dict[str, list[float] | None]:
    """The saved buffers: the same keys, each None or a list of n finite numbers."""
    if not isinstance(buffers, Mapping) or set(buffers) != keys:
        raise ValueError(f"{name}.load_state_dict: buffers must be {sorted(keys)}")
    checked: dict[str, list[float] | None] = {}
    for key, values in buffers.items():
        if values is None:
            checked[key] = None
            continue
        if not isinstance(values, list | tuple) or len(values) != n:
            raise ValueError(
                f"{name}.load_state_dict: buffer {key!r} must hold {n} numbers, one per parameter"
            )
        checked[key] = [
            check_number(v, f"{name}.load_state_dict: {key}[{i}]", low=-math.inf)
            for i, v in enumerate(values)
        ]
    return checked


def _plain(x: Any) -> Any:
    """A hyperparameter as JSON: tuples become lists."""
    return list(x) if isinstance(x, tuple) else x
