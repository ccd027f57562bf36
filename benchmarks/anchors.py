"""The array anchors of bench_replay: the same training steps in numpy by hand, PyTorch and JAX.

micrograd's demo step (MLP 2-16-16-1, ReLU, max-margin loss + 1e-4 L2, SGD with micrograd's rate
1.0 - 0.9 k / 100) and an MLP on the digits (ReLU, softmax cross-entropy, SGD), each a function
returning ``step()``. Float64 by default, as chainrule computes; ``dtype="float32"`` gives the
float32 anchors that the tables mark as such. JAX steps are ``jax.jit``-compiled once (the first
call, a warm-up of ``bench_replay.alternate``); ``jit_seconds`` times that compilation alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import models
import numpy as np

DEMO_STEPS = 100  # micrograd's lr schedule: 1.0 - 0.9 k / 100
Step = Callable[[], object]


def numpy_demo(X: np.ndarray, y: np.ndarray) -> Step:
    """The floor: the demo step by hand in numpy (forward, backward, SGD; about 35 calls)."""
    rng = np.random.default_rng(0)
    sizes = [2, 16, 16, 1]
    Ws = [rng.uniform(-1, 1, (nout, nin)) for nin, nout in zip(sizes, sizes[1:])]
    bs = [np.zeros((nout, 1)) for nout in sizes[1:]]
    inputs, labels, n = X.T.copy(), y[None, :], len(y)
    k = [0]

    def step() -> None:
        h1 = np.maximum(Ws[0] @ inputs + bs[0], 0.0)
        h2 = np.maximum(Ws[1] @ h1 + bs[1], 0.0)
        margin = 1.0 - labels * (Ws[2] @ h2 + bs[2])
        g = np.where(margin > 0, -labels / n, 0.0)  # d mean(relu(margin)) / d score
        grads = [None] * 6
        grads[4], grads[5] = g @ h2.T, g.sum(axis=1, keepdims=True)
        g = (Ws[2].T @ g) * (h2 > 0)
        grads[2], grads[3] = g @ h1.T, g.sum(axis=1, keepdims=True)
        g = (Ws[1].T @ g) * (h1 > 0)
        grads[0], grads[1] = g @ inputs.T, g.sum(axis=1, keepdims=True)
        lr = 1.0 - 0.9 * k[0] / DEMO_STEPS
        k[0] = (k[0] + 1) % DEMO_STEPS
        for i, p in enumerate([Ws[0], bs[0], Ws[1], bs[1], Ws[2], bs[2]]):
            p -= lr * (grads[i] + 2 * models.L2 * p)

    return step


def _initial(
    sizes: list[int], scale: Callable[[int], float]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W of shape (inputs, outputs), zero b) per layer, W uniform in +-scale(inputs), seed 0."""
    rng = np.random.default_rng(0)
    return [
        (rng.uniform(-scale(a), scale(a), (a, b)), np.zeros(b)) for a, b in zip(sizes, sizes[1:])
    ]


def torch_step(
    loss: Callable,
    layers: list[tuple[np.ndarray, np.ndarray]],
    lr: Callable[[int], float],
    dtype: str,
) -> Step:
    """SGD on ``loss(params)`` in PyTorch eager, the parameters of ``layers`` in ``dtype``."""
    import torch

    kind = getattr(torch, dtype)
    params = [torch.tensor(a, dtype=kind, requires_grad=True) for layer in layers for a in layer]
    k = [0]

    def step() -> None:
        total = loss(params)
        for p in params:
            p.grad = None
        total.backward()
        rate = lr(k[0])
        k[0] += 1
        with torch.no_grad():
            for p in params:
                p -= rate * p.grad

    return step


def jax_step(
    loss: Callable, layers: list[tuple[np.ndarray, np.ndarray]], lr: Callable, dtype: str
) -> Step:
    """SGD on ``loss(params)`` under ``jax.jit`` (one program: loss, gradient and update)."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    params = [jnp.asarray(a, dtype=getattr(jnp, dtype)) for layer in layers for a in layer]

    @jax.jit
    def update(ps, k):
        rate = lr(k)
        return [p - rate * g for p, g in zip(ps, jax.grad(loss)(ps), strict=True)]

    state = [params, 0]

    def step() -> None:
        state[0] = update(state[0], state[1])
        state[1] += 1
        jax.block_until_ready(state[0])

    step.compile = lambda: update.lower(state[0], 0).compile()
    return step


def demo(library: str, X: np.ndarray, y: np.ndarray, dtype: str = "float64") -> Step:
    """micrograd's demo step in ``library`` ("torch" or "jax") with matrix products."""
    xp = _namespace(library)
    inputs, labels = xp.asarray(X.astype(dtype)), xp.asarray(y.astype(dtype))

    def loss(ps):
        h = xp.relu(inputs @ ps[0] + ps[1])
        h = xp.relu(h @ ps[2] + ps[3])
        scores = (h @ ps[4] + ps[5])[:, 0]
        return xp.relu(1 - labels * scores).mean() + models.L2 * sum((p * p).sum() for p in ps)

    rate = lambda k: 1.0 - 0.9 * (k % DEMO_STEPS) / DEMO_STEPS
    make = torch_step if library == "torch" else jax_step
    return make(loss, _initial([2, 16, 16, 1], lambda _: 1.0), rate, dtype)


def mlp(
    library: str,
    X: np.ndarray,
    Y: np.ndarray,
    hidden: list[int],
    lr: float = 0.01,
    dtype: str = "float64",
) -> Step:
    """An MLP with ReLU and softmax cross-entropy on one-hot targets Y, SGD, in ``library``."""
    xp = _namespace(library)
    inputs, targets = xp.asarray(X.astype(dtype)), xp.asarray(Y.astype(dtype))

    def loss(ps):
        h = inputs
        for i in range(0, len(ps) - 2, 2):
            h = xp.relu(h @ ps[i] + ps[i + 1])
        z = h @ ps[-2] + ps[-1]
        top = xp.rowmax(z)
        log_probs = z - top - xp.log(xp.exp(z - top).sum(-1)[:, None])
        return -(targets * log_probs).sum(-1).mean()

    make = torch_step if library == "torch" else jax_step
    return make(
        loss, _initial([X.shape[1], *hidden, Y.shape[1]], lambda a: a**-0.5), lambda _: lr, dtype
    )


def jit_seconds(step: Step) -> float:
    """Seconds to trace, lower and compile a JAX step's program again (its caches cleared first)."""
    import jax

    jax.clear_caches()
    start = time.perf_counter()
    step.compile()
    return time.perf_counter() - start


def _namespace(library: str):
    """The few array functions the losses use, from torch or jax.numpy."""
    from types import SimpleNamespace

    if library == "torch":
        import torch

        return SimpleNamespace(
            asarray=torch.as_tensor,
            relu=torch.relu,
            exp=torch.exp,
            log=torch.log,
            rowmax=lambda z: z.detach().amax(-1, keepdim=True),
        )
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    return SimpleNamespace(
        asarray=jnp.asarray,
        relu=jax.nn.relu,
        exp=jnp.exp,
        log=jnp.log,
        rowmax=lambda z: jax.lax.stop_gradient(z.max(-1, keepdims=True)),
    )
