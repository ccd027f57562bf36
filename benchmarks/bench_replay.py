"""Replay benchmark: the batched executor (``autograd.compile``) against PyTorch, numpy and micrograd.

Every ratio is measured in this run, the two sides ALTERNATING within one process (round after
round, each side timing a run of consecutive steps in turn), and reported as medians: a busy
machine slows both sides alike. Everything runs on one thread: numpy's BLAS limited by
threadpoolctl, PyTorch by ``torch.set_num_threads(1)``, float64 everywhere.
Run: ``python benchmarks/bench_replay.py``.

* micrograd's demo step (``models.py``): MLP 2-16-16-1, 100 two-moons points, max-margin loss +
  1e-4 L2, forward + backward + SGD. chainrule traces the per-example loss once and replays it on
  the batch; the parameters live in one ``ParameterArray`` that SGD updates in place. Anchors:
  PyTorch with batched matrix products (target: ratio <= 1.0), a hand-written numpy step (the
  floor: about 35 numpy calls, all overhead at this size), micrograd 0.1.0 (target >= 300x).
* The same step on 4,096 points.
* MLP 64-128-128-10 on the 8x8 digits, batch 256, softmax cross-entropy, SGD (target: within
  1.5x of PyTorch).
* The 8x8 digits: MLP 64-32-10, tanh, Adam, mini-batches of 64, 30 epochs, the model and its
  cross-entropy traced together, the parameters in one array (target: under 1.5 s, test
  accuracy >= 95%); and the same training with ``nn.fit(engine="compiled")``, which traces the
  model and its built-in loss together the same way (same target).
* JAX ``jit`` rows where JAX is installed.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import models  # noqa: E402
from bench_engine import moons, table  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

HEADER = ("replay benchmark, time per step", "chainrule compiled", "anchor", "ratio (medians of alternating runs)")
DEMO_STEPS = 100  # micrograd's lr schedule: 1.0 - 0.9 k / 100
Step = Callable[[], object]


def alternate(sides: dict[str, Step], steps: int, rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """(median seconds per step of each side, median over the rounds of each side's time / the first side's).

    Each round times ``steps`` consecutive steps of every side, one side after the other.
    """
    for step in sides.values():
        step()  # warm up
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, step in sides.items():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            times[name].append((time.perf_counter() - start) / steps)
    first = next(iter(sides))
    ratios = {name: statistics.median(t / f for t, f in zip(times[name], times[first], strict=True)) for name in sides}
    return {name: statistics.median(t) for name, t in times.items()}, ratios


# ---------------------------------------------------------------- micrograd's demo step


def chainrule_demo(X: np.ndarray, y: np.ndarray) -> tuple[Step, autograd.Compiled]:
    """The per-example hinge and the L2 penalty traced once, the parameters in one array, SGD on it."""
    model = models.demo_model()
    params = model.parameters()
    theta = autograd.ParameterArray(params)
    hinge = autograd.compile(models.hinge(model), 3, params)
    l2 = autograd.compile(models.l2(params), 0, params)
    hinge.bind(theta)
    l2.bind(theta)
    batch, mean = np.c_[X, y], np.full(len(X), 1.0 / len(X))
    penalty_grad = np.empty(len(params))
    sgd = nn.SGD(params, lr=nn.LinearDecay(1.0, 0.1, DEMO_STEPS))

    def step() -> None:
        hinge.value_and_grad(batch, mean, out=theta.grad)
        l2.value_and_grad(out=penalty_grad)
        theta.grad += penalty_grad
        sgd.step_array(theta)
        sgd.steps_taken %= DEMO_STEPS

    return step, hinge


def numpy_demo(X: np.ndarray, y: np.ndarray) -> Step:
    """The floor: the demo step written by hand in numpy (forward, backward, SGD; about 35 calls)."""
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


def torch_demo(X: np.ndarray, y: np.ndarray) -> Step:
    """The same step in PyTorch with matrix products (float64, like chainrule)."""
    import torch

    rng = np.random.default_rng(0)
    sizes = [2, 16, 16, 1]
    params = []
    for nin, nout in zip(sizes, sizes[1:]):
        params.append(torch.tensor(rng.uniform(-1, 1, (nin, nout)), requires_grad=True))
        params.append(torch.zeros(nout, dtype=torch.float64, requires_grad=True))
    inputs, labels = torch.tensor(X), torch.tensor(y)
    k = [0]

    def step() -> None:
        h = torch.relu(inputs @ params[0] + params[1])
        h = torch.relu(h @ params[2] + params[3])
        scores = (h @ params[4] + params[5])[:, 0]
        total = torch.relu(1 - labels * scores).mean() + models.L2 * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        total.backward()
        lr = 1.0 - 0.9 * k[0] / DEMO_STEPS
        k[0] = (k[0] + 1) % DEMO_STEPS
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad

    return step


def micrograd_demo(X: np.ndarray, y: np.ndarray) -> Step:
    """micrograd 0.1.0's own demo step, as in its demo notebook."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(0)
    model = MLP(2, [16, 16, 1])
    rows, labels = X.tolist(), y.tolist()

    def step() -> None:
        scores = [model(list(map(Value, row))) for row in rows]
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores)]
        total = sum(losses) * (1.0 / len(losses)) + models.L2 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad

    return step


# ---------------------------------------------------------------- an MLP on the digits


def chainrule_mlp(X: np.ndarray, Y: np.ndarray, hidden: list[int], lr: float = 0.01) -> Step:
    """Model and cross-entropy traced together; SGD on the parameter array."""
    model = models.digits_model(hidden)
    params = model.parameters()
    theta = autograd.ParameterArray(params)
    loss = autograd.compile(models.cross_entropy(model), X.shape[1] + Y.shape[1], params)
    loss.bind(theta)
    batch, mean = np.c_[X, Y], np.full(len(X), 1.0 / len(X))
    sgd = nn.SGD(params, lr=lr)

    def step() -> None:
        loss.value_and_grad(batch, mean, out=theta.grad)
        sgd.step_array(theta)

    return step


def torch_mlp(X: np.ndarray, Y: np.ndarray, hidden: list[int], lr: float = 0.01) -> Step:
    import torch

    torch.manual_seed(0)
    sizes = [X.shape[1], *hidden, Y.shape[1]]
    layers = [torch.nn.Linear(a, b).double() for a, b in zip(sizes, sizes[1:])]
    params = [p for layer in layers for p in layer.parameters()]
    inputs, labels = torch.tensor(X), torch.tensor(Y.argmax(axis=1))

    def step() -> None:
        h = inputs
        for layer in layers[:-1]:
            h = torch.relu(layer(h))
        total = torch.nn.functional.cross_entropy(layers[-1](h), labels)
        for p in params:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad

    return step


def jax_mlp(X: np.ndarray, Y: np.ndarray, hidden: list[int], lr: float = 0.01) -> Step:
    """The same step with JAX ``jit`` (CPU, float64)."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(0)
    sizes = [X.shape[1], *hidden, Y.shape[1]]
    params = [(jnp.array(rng.normal(0, 1 / np.sqrt(a), (a, b))), jnp.zeros(b)) for a, b in zip(sizes, sizes[1:])]

    def loss(params, x, t):
        for W, b in params[:-1]:
            x = jax.nn.relu(x @ W + b)
        W, b = params[-1]
        return -jnp.mean(jnp.sum(t * jax.nn.log_softmax(x @ W + b), axis=1))

    update = jax.jit(lambda ps, x, t: jax.tree_util.tree_map(lambda p, g: p - lr * g, ps, jax.grad(loss)(ps, x, t)))
    x, t, state = jnp.array(X), jnp.array(Y), [params]

    def step() -> None:
        state[0] = update(state[0], x, t)
        jax.block_until_ready(state[0])

    return step


def digits_traced(epochs: int = 30, batch_size: int = 64) -> tuple[float, float, int]:
    """Train MLP 64-32-10 (tanh, Adam) with the model and its cross-entropy traced together, the
    parameters in one array: (seconds, test accuracy, steps)."""
    X_train, X_test, y_train, y_test = models.digits()
    model = models.digits_model([32], activation="tanh")
    params = model.parameters()
    theta = autograd.ParameterArray(params)
    adam = nn.Adam(params, lr=3e-3)
    start = time.perf_counter()
    loss = autograd.compile(models.cross_entropy(model), 74, params)
    loss.bind(theta)
    data, rng, steps = np.c_[X_train, models.one_hot(y_train)], np.random.default_rng(0), 0
    for _ in range(epochs):
        order = rng.permutation(len(data))
        for first in range(0, len(data), batch_size):
            batch = data[order[first:first + batch_size]]
            loss.value_and_grad(batch, np.full(len(batch), 1.0 / len(batch)), out=theta.grad)
            adam.step_array(theta)
            steps += 1
    theta.sync()
    seconds = time.perf_counter() - start
    scores = autograd.compile(model, 64, params).forward(X_test)
    return seconds, float(np.mean(np.argmax(scores, axis=1) == y_test)), steps


def digits_fit(epochs: int = 30, batch_size: int = 64) -> tuple[float, float, int]:
    """Train MLP 64-32-10 (tanh, Adam) with nn.fit(engine="compiled"): (seconds, test accuracy, steps)."""
    X_train, X_test, y_train, y_test = models.digits()
    model = models.digits_model([32], activation="tanh")
    adam = nn.Adam(model.parameters(), lr=3e-3)
    start = time.perf_counter()
    history = nn.fit(model, X_train, y_train, loss="cross_entropy", optimizer=adam, epochs=epochs,
                     batch_size=batch_size, seed=0, engine="compiled", progress=False)
    seconds = time.perf_counter() - start
    scores = autograd.compile(model, 64, model.parameters()).forward(X_test)
    return seconds, float(np.mean(np.argmax(scores, axis=1) == y_test)), len(history.loss)


# ---------------------------------------------------------------- the table


def one_thread() -> contextlib.AbstractContextManager:
    """numpy's BLAS and PyTorch on one thread each, for the run."""
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("(threadpoolctl missing: numpy's BLAS may use several threads)")
        return contextlib.nullcontext()
    return threadpool_limits(1)


def compare(rows: list, name: str, ours: Step, anchors: dict[str, Callable[[], Step]], steps: int, rounds: int,
            target: str = "") -> None:
    """Alternate ours with every anchor that can be built; one row per anchor."""
    sides = {"chainrule": ours}
    for anchor, make in anchors.items():
        try:
            sides[anchor] = make()
        except ImportError:
            rows.append((f"{name} vs {anchor}", "", "skipped (not installed)", ""))
    medians, ratios = alternate(sides, steps, rounds)
    for anchor in list(sides)[1:]:
        ratio = 1.0 / ratios[anchor]  # our time / theirs
        goal = target if anchor == "PyTorch" else ""
        rows.append((f"{name} vs {anchor}", f"{medians['chainrule'] * 1e3:.3f} ms",
                     f"{medians[anchor] * 1e3:.3f} ms", f"{ratio:.2f}x {anchor}'s time{goal}"))


def run() -> list[tuple[str, str, str, str]]:
    """Measure and return table rows: (measure, chainrule compiled, anchor, ratio)."""
    rows: list[tuple[str, str, str, str]] = []
    X, y = (np.array(a, dtype=np.float64) for a in moons())
    ours, traced = chainrule_demo(X, y)
    compare(rows, "demo step, batch 100", ours,
            {"PyTorch": lambda: torch_demo(X, y), "numpy by hand (floor)": lambda: numpy_demo(X, y)},
            steps=200, rounds=15, target=" (target <= 1.0)")
    micro = alternate({"chainrule": ours, "micrograd": micrograd_demo(X, y)}, 1, 3)[0]
    rows.append(("demo step, batch 100 vs micrograd 0.1.0", f"{micro['chainrule'] * 1e3:.3f} ms",
                 f"{micro['micrograd'] * 1e3:.0f} ms", f"{micro['micrograd'] / micro['chainrule']:.0f}x faster "
                 "(target >= 300x)"))
    s = traced.stats
    rows.append(("demo loss, one example: graph -> replay", f"{s['nodes']} nodes -> {s['groups']} numpy groups",
                 "", f"depth {s['depth']}"))
    big_X, big_y = (np.array(a, dtype=np.float64) for a in moons(4096))
    compare(rows, "demo step, batch 4096", chainrule_demo(big_X, big_y)[0],
            {"PyTorch": lambda: torch_demo(big_X, big_y)}, steps=10, rounds=9)
    X_train, _, y_train, _ = models.digits()
    Xb, Yb = X_train[:256], models.one_hot(y_train[:256])
    mlp = {"PyTorch": lambda: torch_mlp(Xb, Yb, [128, 128]), "JAX jit": lambda: jax_mlp(Xb, Yb, [128, 128])}
    compare(rows, "MLP 64-128-128-10, digits, batch 256", chainrule_mlp(Xb, Yb, [128, 128]), mlp,
            steps=10, rounds=11, target=" (target <= 1.5)")
    seconds, accuracy, steps = digits_traced()
    rows.append(("digits, MLP 64-32-10, Adam, 30 epochs, model + loss traced", f"{seconds:.2f} s ({steps} steps)",
                 f"test accuracy {accuracy:.1%}", "target < 1.5 s and >= 95%"))
    seconds, accuracy, steps = digits_fit()
    rows.append(("the same with nn.fit(engine='compiled')", f"{seconds:.2f} s ({steps} steps)",
                 f"test accuracy {accuracy:.1%}", "target < 1.5 s and >= 95%"))
    return rows


def main() -> None:
    with one_thread():
        print(table(run(), HEADER))


if __name__ == "__main__":
    main()
