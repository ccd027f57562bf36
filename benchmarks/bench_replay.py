"""Replay benchmark: the batched executor (``autograd.compile``) against PyTorch, numpy and micrograd.

Every ratio is measured in this run, the two sides ALTERNATING within one process (round after
round, each side timing a run of consecutive steps in turn), and reported as medians: a busy
machine slows both sides alike. Everything runs on one thread (``pinning.py``: numpy's BLAS
limited by threadpoolctl, PyTorch by ``torch.set_num_threads(1)``, JAX by ``XLA_FLAGS``), float64
everywhere; the float32 anchors are rows of their own, marked. The anchors are in ``anchors.py``.
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
* JAX ``jit`` rows (CPU) for every step above, where JAX is installed.
* Compile times: ``autograd.compile`` of MLP 64-128-128-10 with its cross-entropy against JAX's
  trace + lower + compile of the same step; and ``nn.fit(..., steps=1)`` called twice on one model:
  the second call finds its programs in the model's cache (``nn.compile_cache``).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pinning  # noqa: E402  (first: the thread counts are read when numpy, torch and jax load)

pinning.pin()

import anchors  # noqa: E402
import models  # noqa: E402
from anchors import DEMO_STEPS, Step  # noqa: E402
from bench_engine import moons, table  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

HEADER = ("replay benchmark, time per step", "chainrule compiled", "anchor", "ratio (medians of alternating runs)")


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


def compare(rows: list, name: str, ours: Step, anchors: dict[str, Callable[[], Step]], steps: int, rounds: int,
            targets: dict[str, str] | None = None) -> None:
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
        goal = (targets or {}).get(anchor, "")
        rows.append((f"{name} vs {anchor}", f"{medians['chainrule'] * 1e3:.3f} ms",
                     f"{medians[anchor] * 1e3:.3f} ms", f"{ratio:.2f}x {anchor}'s time{goal}"))


def anchors_for(library_sides: dict[str, Callable[..., Step]], *args
                ) -> dict[str, Callable[[], Step]]:
    """Each anchor in float64, then PyTorch and JAX again in float32 (rows marked as such)."""
    made = {name: (lambda make=make: make(*args)) for name, make in library_sides.items()}
    for name, make in library_sides.items():
        made[f"{name} float32 (marked)"] = lambda make=make: make(*args, dtype="float32")
    return made


def compile_rows(rows: list, Xb: np.ndarray, Yb: np.ndarray, rounds: int = 3) -> None:
    """Compiling MLP 64-128-128-10 with cross-entropy (chainrule and JAX), and fit called twice
    (the cache)."""
    model = models.digits_model([128, 128])
    ours = []
    for _ in range(rounds):
        start = time.perf_counter()
        autograd.compile(models.cross_entropy(model), 74, model.parameters())
        ours.append(time.perf_counter() - start)
    try:
        step = anchors.mlp("jax", Xb, Yb, [128, 128])
        jit = statistics.median(anchors.jit_seconds(step) for _ in range(rounds))
        theirs = f"{jit:.3f} s (JAX jit)"
    except ImportError:
        theirs = "JAX: skipped (not installed)"
    rows.append(("compile MLP 64-128-128-10 + cross-entropy (target < 0.1 s)",
                 f"{statistics.median(ours):.3f} s",
                 theirs, "trace + schedule vs trace + lower + compile"))
    y = Yb.argmax(axis=1)
    calls = []
    for _ in range(2):
        start = time.perf_counter()
        nn.fit(model, Xb, y, loss="cross_entropy", steps=1, engine="compiled", progress=False)
        calls.append(time.perf_counter() - start)
    rows.append(("nn.fit(steps=1) on MLP 64-128-128-10, called twice", f"2nd call {calls[1]:.3f} s",
                 f"1st call {calls[0]:.3f} s", "2nd: programs from the model's cache"))


def run() -> list[tuple[str, str, str, str]]:
    """Measure and return table rows: (measure, chainrule compiled, anchor, ratio)."""
    rows: list[tuple[str, str, str, str]] = []
    X, y = (np.array(a, dtype=np.float64) for a in moons())
    ours, traced = chainrule_demo(X, y)
    demo_sides = {"PyTorch": lambda *a, **k: anchors.demo("torch", *a, **k),
                  "JAX jit": lambda *a, **k: anchors.demo("jax", *a, **k)}
    compare(rows, "demo step, batch 100", ours,
            {**anchors_for(demo_sides, X, y),
             "numpy by hand (floor)": lambda: anchors.numpy_demo(X, y)},
            steps=200, rounds=15,
            targets={"PyTorch": " (target <= 1.0)", "JAX jit": " (target <= 2.0)",
                                           "numpy by hand (floor)": " (target <= 1.5)"})
    micro = alternate({"chainrule": ours, "micrograd": micrograd_demo(X, y)}, 1, 3)[0]
    rows.append(("demo step, batch 100 vs micrograd 0.1.0", f"{micro['chainrule'] * 1e3:.3f} ms",
                 f"{micro['micrograd'] * 1e3:.0f} ms", f"{micro['micrograd'] / micro['chainrule']:.0f}x faster "
                 "(target >= 300x)"))
    s = traced.stats
    rows.append(("demo loss, one example: graph -> replay", f"{s['nodes']} nodes -> {s['groups']} numpy groups",
                 "", f"depth {s['depth']}"))
    big_X, big_y = (np.array(a, dtype=np.float64) for a in moons(4096))
    compare(rows, "demo step, batch 4096", chainrule_demo(big_X, big_y)[0],
            anchors_for(demo_sides, big_X, big_y),
            steps=10, rounds=9)
    X_train, _, y_train, _ = models.digits()
    Xb, Yb = X_train[:256], models.one_hot(y_train[:256])
    mlp_sides = {"PyTorch": lambda *a, **k: anchors.mlp("torch", *a, **k),
                 "JAX jit": lambda *a, **k: anchors.mlp("jax", *a, **k)}
    compare(rows, "MLP 64-128-128-10, digits, batch 256", chainrule_mlp(Xb, Yb, [128, 128]),
            anchors_for(mlp_sides, Xb, Yb, [128, 128]), steps=10, rounds=11,
            targets={"PyTorch": " (target <= 1.0)"})
    compile_rows(rows, Xb, Yb)
    seconds, accuracy, steps = digits_traced()
    rows.append(("digits, MLP 64-32-10, Adam, 30 epochs, model + loss traced", f"{seconds:.2f} s ({steps} steps)",
                 f"test accuracy {accuracy:.1%}", "target < 1.5 s and >= 95%"))
    seconds, accuracy, steps = digits_fit()
    rows.append(("the same with nn.fit(engine='compiled')", f"{seconds:.2f} s ({steps} steps)",
                 f"test accuracy {accuracy:.1%}", "target < 1.5 s and >= 95%"))
    return rows


def main() -> None:
    with pinning.one_thread():
        rows = run()
        print(f"{pinning.describe()}; float64 except the rows marked float32\n")
    print(table(rows, HEADER))


if __name__ == "__main__":
    main()
