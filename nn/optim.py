"""Optimisers: turn the gradients in ``p.grad`` into parameter updates (D7).

Plain gradient descent is W <- W - alpha dL/dW for every parameter (D7). ``SGD`` adds
momentum and weight decay, ``Adam`` adapts the step per parameter; the names and update
formulas are PyTorch's. The learning rate is a number or a schedule, a function of the
step number k = 0, 1, 2, ...; ``LinearDecay(1.0, 0.1, 100)`` is micrograd's
lr = 1.0 - 0.9 k / 100.

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
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import ParameterArray, Value

Schedule = Callable[[int], float]


class Optimizer:
    """Holds the parameters and the learning rate; ``step()`` is the update rule."""

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
            _check(lr, f"{name}: lr", low=0.0, strict=True)
        self.lr = lr
        self.steps_taken = 0

    def current_lr(self) -> float:
        """The learning rate of the next step (the schedule evaluated at the step number)."""
        lr = self.lr(self.steps_taken) if callable(self.lr) else self.lr
        return _check(lr, f"{type(self).__name__}: learning rate at step {self.steps_taken}", low=0.0)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (backward adds to it)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``; a NaN or inf gradient raises first."""
        for p in self.params:
            if not math.isfinite(p.grad):
                raise FloatingPointError(f"{type(self).__name__}.step: gradient of {p.label or 'a parameter'} "
                                         f"is {p.grad!r}; no parameter was changed")
        self.update(self.current_lr())
        self.steps_taken += 1

    def update(self, lr: float) -> None:
        raise NotImplementedError

    # ---------------------------------------------------------------- parameters held in one array
    def step_array(self, array: ParameterArray) -> None:
        """``step()`` for parameters held in one ``autograd.ParameterArray`` (``nn.fit(engine="compiled")``):
        the same update, on ``array.data`` in place from ``array.grad``, in a few numpy calls."""
        if not np.isfinite(array.grad).all():
            k = int(np.argmin(np.isfinite(array.grad)))
            p = array.parameters[k]
            raise FloatingPointError(f"{type(self).__name__}.step: gradient of {p.label or 'a parameter'} "
                                     f"is {float(array.grad[k])!r}; no parameter was changed")
        self.update_array(self.current_lr(), array.data, array.grad)
        self.steps_taken += 1

    def update_array(self, lr: float, data: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent (D7), with PyTorch's momentum and weight decay.

        g = dL/dp + weight_decay * p
        v = momentum * v + g          (v = g at the first step)
        p = p - lr * v                (p = p - lr * g without momentum: D7)
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float | Schedule, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check(momentum, "SGD: momentum", low=0.0, high=1.0)
        self.weight_decay = _check(weight_decay, "SGD: weight_decay", low=0.0)
        self.velocity: list[float] | None = None

    def update(self, lr: float) -> None:
        if isinstance(self.velocity, np.ndarray):  # left by update_array
            self.velocity = self.velocity.tolist()
        grads = [p.grad + self.weight_decay * p.data if self.weight_decay else p.grad for p in self.params]
        if self.momentum:
            if self.velocity is None:
                self.velocity = grads
            else:
                self.velocity = [self.momentum * v + g for v, g in zip(self.velocity, grads, strict=True)]
            grads = self.velocity
        for p, g in zip(self.params, grads, strict=True):
            p.data -= lr * g

    def update_array(self, lr: float, data: np.ndarray, grad: np.ndarray) -> None:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        if self.momentum:
            v = g.copy() if self.velocity is None else self.momentum * np.asarray(self.velocity) + g
            self.velocity = g = v
        data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running averages of g and g^2.

        m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2          (m = v = 0 at first)
        p = p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float | Schedule = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        b1, b2 = betas
        self.betas = (_check(b1, "Adam: betas[0]", low=0.0, high=1.0), _check(b2, "Adam: betas[1]", low=0.0, high=1.0))
        self.eps = _check(eps, "Adam: eps", low=0.0, strict=True)
        self.weight_decay = _check(weight_decay, "Adam: weight_decay", low=0.0)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def update(self, lr: float) -> None:
        if isinstance(self.m, np.ndarray):  # left by update_array
            self.m, self.v = self.m.tolist(), self.v.tolist()
        b1, b2 = self.betas
        t = self.steps_taken + 1
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        for i, p in enumerate(self.params):
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * g
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g
            p.data -= lr * (self.m[i] / c1) / (math.sqrt(self.v[i] / c2) + self.eps)

    def update_array(self, lr: float, data: np.ndarray, grad: np.ndarray) -> None:
        b1, b2 = self.betas
        t = self.steps_taken + 1
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        g = grad + self.weight_decay * data if self.weight_decay else grad
        self.m = b1 * np.asarray(self.m) + (1.0 - b1) * g
        self.v = b2 * np.asarray(self.v) + (1.0 - b2) * g * g
        data -= lr * (self.m / c1) / (np.sqrt(self.v / c2) + self.eps)


# ---------------------------------------------------------------- learning-rate schedules


class Decay:
    """A schedule that moves from ``start`` at step 0 to ``end`` at step ``steps``, then stays there."""

    def __init__(self, start: float = 1.0, end: float = 0.1, steps: int = 100) -> None:
        name = type(self).__name__
        self.start = _check(start, f"{name}: start", low=0.0)
        self.end = _check(end, f"{name}: end", low=0.0)
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"{name}: steps must be a positive int, got {steps!r}")
        self.steps = int(steps)

    def __call__(self, k: int) -> float:
        return self.at(min(k, self.steps))

    def at(self, k: int) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(start={self.start}, end={self.end}, steps={self.steps})"


class LinearDecay(Decay):
    """lr_k = start - (start - end) k / steps (micrograd: 1.0 - 0.9 k / 100 with start 1.0, end 0.1)."""

    def at(self, k: int) -> float:
        return self.start - (self.start - self.end) * k / self.steps


class CosineDecay(Decay):
    """lr_k = end + (start - end) (1 + cos(pi k / steps)) / 2."""

    def at(self, k: int) -> float:
        return self.end + (self.start - self.end) * (1.0 + math.cos(math.pi * k / self.steps)) / 2


class ExponentialDecay:
    """lr_k = start * gamma^k."""

    def __init__(self, start: float, gamma: float) -> None:
        self.start = _check(start, "ExponentialDecay: start", low=0.0)
        self.gamma = _check(gamma, "ExponentialDecay: gamma", low=0.0, high=1.0, strict=True, high_inclusive=True)

    def __call__(self, k: int) -> float:
        return self.start * self.gamma**k

    def __repr__(self) -> str:
        return f"ExponentialDecay(start={self.start}, gamma={self.gamma})"


def _check(x: Any, what: str, low: float, high: float = math.inf, strict: bool = False,
           high_inclusive: bool = False) -> float:
    """``x`` as a float above ``low`` (or at it unless strict) and below ``high``, else an error naming it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}: {x!r}")
    x = float(x)
    above = x > low if strict else x >= low
    below = x <= high if high_inclusive else x < high
    if not (math.isfinite(x) and above and below):
        bounds = f"{'>' if strict else '>='} {low:g}"
        if high < math.inf:
            bounds += f" and {'<=' if high_inclusive else '<'} {high:g}"
        raise ValueError(f"{what} must be finite and {bounds}, got {x!r}")
    return x
