"""Engine benchmark: micrograd's demo step, memory per graph node, a 1,000,000-node chain.

Every number is measured in this run, against micrograd 0.1.0 (pip install micrograd) doing the
same work, and reported as a ratio; the demo step of the two sides alternates, round after round, and
the medians are compared. Run: ``python benchmarks/bench_engine.py``.

The demo step is micrograd's own: MLP(2, [16, 16, 1]) with ReLU, 100 two-moons points,
max-margin loss + 1e-4 L2, forward + backward + SGD, about 66,000 graph nodes.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autograd  # noqa: E402

REPEATS = 5


def moons(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, labels -1/+1 (as in micrograd's demo)."""
    try:
        import nn

        X, y = nn.make_moons(n, noise=0.1, seed=seed)
    except (ImportError, AttributeError):
        rng = np.random.default_rng(seed)
        t = rng.uniform(0, np.pi, n)
        upper = np.arange(n) < n // 2
        X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
        X = X + rng.normal(scale=0.1, size=X.shape)
        y = upper.astype(int)
    return X.tolist(), [2.0 * v - 1.0 for v in y]


def chainrule_model():
    """Our MLP: nn.MLP when nn is installed, else the same network written out with Values."""
    try:
        import nn

        return nn.MLP(2, [16, 16, 1], seed=0)
    except (ImportError, AttributeError):
        return None


def demo_step(model, parameters: Callable, Value, X, y) -> float:
    """One step of micrograd's demo: forward over 100 points, max-margin + L2, backward, SGD."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in parameters())
    total = data_loss + reg_loss
    for p in parameters():
        p.grad = 0.0
    total.backward()
    for p in parameters():
        p.data -= 0.05 * p.grad
    return total.data


def time_alternating(sides: list[tuple], rounds: int = 2 * REPEATS) -> list[float]:
    """Median time of one demo step for each side, the sides taking turns round after round.

    Each round times one step of every side in turn, so a busy machine slows both sides alike
    (timing one side after the other breaks the ratio when the load changes in between).
    """
    for side in sides:
        demo_step(*side)  # warm up
    times: list[list[float]] = [[] for _ in sides]
    for _ in range(rounds):
        for side, spent in zip(sides, times):
            start = time.perf_counter()
            demo_step(*side)
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def floats_step(weights, X, y) -> float:
    """The same forward arithmetic on plain floats, no graph: the floor for any scalar engine."""
    total = 0.0
    for row, yi in zip(X, y):
        a = row
        for layer_index, layer in enumerate(weights):
            out = []
            for w, b in layer:
                s = sum((wi * xi for wi, xi in zip(w, a)), b)
                out.append(max(s, 0.0) if layer_index < len(weights) - 1 else s)
            a = out
        total += max(1 + -yi * a[0], 0.0)
    return total


def graph_bytes_per_node(model, Value, X) -> tuple[float, float]:
    """tracemalloc bytes held by the forward graph per node, before and after backward."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    inputs = [list(map(Value, row)) for row in X]
    total = sum(map(model, inputs))
    held = tracemalloc.get_traced_memory()[0] - base
    count = count_nodes(total)
    total.backward()
    held_after = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return held / count, held_after / count


def count_nodes(root) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        node = stack.pop()
        for p in node._prev:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def chain(Value, n: int) -> float:
    """Forward and backward through n chained activations (tanh; micrograd 0.1.0 has only relu)."""
    activation = "tanh" if hasattr(Value, "tanh") else "relu"
    start = time.perf_counter()
    x = Value(0.5)
    v = x
    for _ in range(n):
        v = getattr(v, activation)()
    v.backward()
    return time.perf_counter() - start


def run() -> list[tuple[str, str, str, str]]:
    """Measure and return table rows: (measure, chainrule, micrograd 0.1.0, ratio)."""
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP

    X, y = moons()
    random.seed(0)
    micro = MicroMLP(2, [16, 16, 1])
    ours = chainrule_model()
    if ours is None:
        raise SystemExit("bench_engine needs the nn package (pip install -e .)")

    t_ours, t_micro = time_alternating([(ours, ours.parameters, autograd.Value, X, y),
                                        (micro, micro.parameters, MicroValue, X, y)])
    weights = [[([p.data for p in n.w], n.b.data) for n in layer.neurons] for layer in ours.layers]
    start = time.perf_counter()
    for _ in range(REPEATS):
        floats_step(weights, X, y)
    t_floats = (time.perf_counter() - start) / REPEATS

    inputs = [list(map(autograd.Value, row)) for row in X]
    nodes = count_nodes(sum(map(ours, inputs)))
    b_ours, b_ours_after = graph_bytes_per_node(ours, autograd.Value, X)
    b_micro, b_micro_after = graph_bytes_per_node(micro, MicroValue, X)

    t_chain = chain(autograd.Value, 1_000_000)
    try:
        micro_chain = f"{chain(MicroValue, 1_000_000):.2f} s"
    except RecursionError:
        micro_chain = "RecursionError (relu chain)"

    return [
        ("demo step (forward+backward+SGD)", f"{t_ours * 1e3:.1f} ms", f"{t_micro * 1e3:.0f} ms",
         f"{t_micro / t_ours:.1f}x faster (target >= 10x)"),
        ("same forward on plain floats", f"{t_floats * 1e3:.1f} ms", "",
         f"chainrule is {t_ours / t_floats:.0f}x floats"),
        ("graph nodes per forward", f"{nodes}", "", ""),
        ("bytes per node, forward graph", f"{b_ours:.0f}", f"{b_micro:.0f}",
         f"{b_micro / b_ours:.1f}x smaller (target <= 150 B)"),
        ("bytes per node, after backward", f"{b_ours_after:.0f}", f"{b_micro_after:.0f}",
         f"{b_micro_after / b_ours_after:.1f}x smaller"),
        ("1,000,000-node tanh chain, fwd+bwd", f"{t_chain:.2f} s", micro_chain, "target < 10 s, no error"),
    ]


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


HEADER = ("engine benchmark", "chainrule", "micrograd 0.1.0", "ratio")


def main() -> None:
    print(table(run(), HEADER))


if __name__ == "__main__":
    main()
