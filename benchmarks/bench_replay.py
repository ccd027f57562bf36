"""Replay benchmark: the batched executor (``autograd.compile``) on micrograd's demo and the 8x8 digits.

Every ratio is measured in this run. Run: ``python benchmarks/bench_replay.py``.

* micrograd's demo step: MLP(2, [16, 16, 1]), 100 two-moons points, max-margin loss + 1e-4 L2,
  forward + backward + SGD. chainrule traces the per-example loss once and replays it on the
  100 examples as one batch (the L2 term is a second, input-free trace). Anchors: micrograd 0.1.0
  (target: at least 300x faster) and PyTorch doing the same step with batched matrix products in
  float64 (target: within 3x; the faster of 1 thread and PyTorch's default).
* The 8x8 digits: MLP(64, [32, 10]) with tanh, softmax cross-entropy, Adam, nn.fit(engine="compiled"),
  trained on 75% and tested on 25% (target: at least 95% test accuracy in under 60 s).
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

from bench_engine import moons, table  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

HEADER = ("replay benchmark", "chainrule compiled", "anchor", "ratio")
DEMO_STEPS = 100  # micrograd's lr schedule: 1.0 - 0.9 k / 100


def per_step(step: Callable[[int], object], steps: int, repeats: int) -> float:
    """Median over ``repeats`` runs of the mean time of ``steps`` consecutive steps, in seconds."""
    step(0)  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for k in range(steps):
            step(k % DEMO_STEPS)
        times.append((time.perf_counter() - start) / steps)
    return statistics.median(times)


# ---------------------------------------------------------------- the three demo steps


def compiled_demo(X: np.ndarray, y: np.ndarray) -> tuple[Callable[[int], float], autograd.Compiled]:
    """micrograd's step with the replay (per-example hinge traced once, L2 traced once, SGD) and its trace."""
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    hinge = autograd.compile(lambda v: (1 + -v[2] * model(v[:2])).relu(), 3, params)
    l2 = autograd.compile(lambda _: 1e-4 * sum(p * p for p in params), 0, params)
    batch = np.c_[X, y]
    mean = np.full(len(batch), 1.0 / len(batch))
    sgd = nn.SGD(params, lr=nn.LinearDecay(1.0, 0.1, DEMO_STEPS))

    def step(k: int) -> float:
        losses, grads = hinge.value_and_grad(batch, seed=mean)
        reg, reg_grads = l2.value_and_grad()
        for p, g in zip(params, (grads + reg_grads).tolist()):
            p.grad = g
        sgd.step()
        return float(losses.mean() + reg[0])

    return step, hinge


def micrograd_demo(X: np.ndarray, y: np.ndarray) -> Callable[[int], float]:
    """micrograd 0.1.0's own demo step, as in its demo notebook."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(0)
    model = MLP(2, [16, 16, 1])
    rows, labels = X.tolist(), y.tolist()

    def step(k: int) -> float:
        scores = [model(list(map(Value, row))) for row in rows]
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / DEMO_STEPS) * p.grad
        return total.data

    return step


def torch_demo(X: np.ndarray, y: np.ndarray) -> Callable[[int], float]:
    """The same step in PyTorch with matrix products (float64, like chainrule)."""
    import torch

    rng = np.random.default_rng(0)
    sizes = [2, 16, 16, 1]
    params = []
    for nin, nout in zip(sizes, sizes[1:]):
        params.append(torch.tensor(rng.uniform(-1, 1, (nin, nout)), requires_grad=True))
        params.append(torch.zeros(nout, dtype=torch.float64, requires_grad=True))
    inputs, labels = torch.tensor(X), torch.tensor(y)

    def step(k: int) -> float:
        h = torch.relu(inputs @ params[0] + params[1])
        h = torch.relu(h @ params[2] + params[3])
        scores = (h @ params[4] + params[5])[:, 0]
        total = torch.relu(1 - labels * scores).mean() + 1e-4 * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in params:
                p -= (1.0 - 0.9 * k / DEMO_STEPS) * p.grad
        return total.item()

    return step


def time_torch(X: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    """PyTorch's time per step: the faster of one thread and its default thread count."""
    import torch

    default = torch.get_num_threads()
    results = []
    for threads in sorted({1, default}):
        torch.set_num_threads(threads)
        results.append((per_step(torch_demo(X, y), 300, 7), f"{threads} thread{'s' * (threads > 1)}"))
    torch.set_num_threads(default)
    return min(results)


# ---------------------------------------------------------------- digits


def digits(epochs: int = 30, batch_size: int = 64) -> tuple[float, float, int]:
    """Train MLP(64, [32, 10]) on 75% of the standardised digits with nn.fit(engine="compiled").

    Returns (training seconds, test accuracy, steps); the test set is scored by a compiled forward.
    """
    X, y = nn.load_digits()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0)
    X_train, X_test = nn.standardize(X_train, X_test)
    model = nn.MLP(64, [32, 10], activation="tanh", init="xavier_normal", seed=0)
    adam = nn.Adam(model.parameters(), lr=3e-3)
    start = time.perf_counter()
    history = nn.fit(model, X_train, y_train, loss="cross_entropy", optimizer=adam, epochs=epochs,
                     batch_size=batch_size, seed=0, engine="compiled", progress=False)
    seconds = time.perf_counter() - start
    scores = autograd.compile(lambda v: model(v), 64, model.parameters()).forward(X_test)
    return seconds, float(np.mean(np.argmax(scores, axis=1) == y_test)), len(history.loss)


# ---------------------------------------------------------------- the table


def run() -> list[tuple[str, str, str, str]]:
    """Measure and return table rows: (measure, chainrule compiled, anchor, ratio)."""
    X, y = (np.array(a, dtype=np.float64) for a in moons())
    step, traced = compiled_demo(X, y)
    ours = per_step(step, 300, 7)
    micro = per_step(micrograd_demo(X, y), 3, 3)
    rows = [
        ("demo step vs micrograd 0.1.0", f"{ours * 1e3:.2f} ms", f"{micro * 1e3:.0f} ms",
         f"{micro / ours:.0f}x faster (target >= 300x)"),
    ]
    try:
        t_torch, threads = time_torch(X, y)
        rows.append(("demo step vs PyTorch (batched matmul)", f"{ours * 1e3:.2f} ms",
                     f"{t_torch * 1e3:.2f} ms ({threads})", f"{ours / t_torch:.1f}x PyTorch's time (target <= 3x)"))
    except ImportError:
        rows.append(("demo step vs PyTorch (batched matmul)", f"{ours * 1e3:.2f} ms", "skipped (no torch)", ""))
    s = traced.stats
    rows.append(("demo loss, one example: graph -> replay", f"{s['nodes']} nodes -> {s['groups']} numpy groups",
                 "", f"depth {s['depth']} (chains of additions count once)"))
    seconds, acc, steps = digits()
    rows.append(("8x8 digits, MLP 64-32-10, Adam, 30 epochs", f"{seconds:.1f} s ({steps} steps)",
                 f"test accuracy {acc:.1%}", "target >= 95% in < 60 s"))
    return rows


def main() -> None:
    print(table(run(), HEADER))


if __name__ == "__main__":
    main()
