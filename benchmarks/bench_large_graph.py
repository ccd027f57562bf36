"""Eager engine at scale: cost per node of building and differentiating a graph of 10^4 and 10^6 nodes.

Python's cyclic garbage collector walks the growing graph again and again, so each node costs
more in a big graph than in a small one; ``autograd.large_graph()`` pauses the collector for
the block (target: 10^6 nodes within 1.5x of 10^4 per node, forward and backward; 1.3x for
random DAGs). Two shapes:

* a chain: y = tanh(0.999 y + 0.001), each node reading the one before;
* a random DAG: each new node reads its predecessor and one random earlier node (uniform over all
  of them, so at 10^6 nodes most reads land far back in memory), y = tanh(0.5 y + 0.5 z) * 0.999;
* the same with the earlier node one of the last 64 steps (a local DAG): the same work, the same
  number of nodes, but the reads stay near in memory. Where the random DAG grows with the size and
  the local one does not, the difference is where the nodes lie, not the number of them.

The sizes alternate within one process, round after round, and the table reports medians.
Run: ``python benchmarks/bench_large_graph.py``.
"""

from __future__ import annotations

import contextlib
import gc
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_engine import table  # noqa: E402

import autograd  # noqa: E402

SIZES = (10_000, 1_000_000)
ROUNDS = 5


def build_and_backward(nodes: int) -> tuple[float, float]:
    """(forward seconds, backward seconds) for a chain of ``nodes`` nodes: y = tanh(0.999 y + 0.001)."""
    x = autograd.Value(0.5)
    y = x
    start = time.perf_counter()
    for _ in range(nodes // 3):  # three nodes per step: mul, add, tanh
        y = (y * 0.999 + 0.001).tanh()
    middle = time.perf_counter()
    y.backward()
    return middle - start, time.perf_counter() - middle


def build_dag_and_backward(nodes: int, window: int | None = None, ag: Any = autograd,
                           clock: Any = time.perf_counter) -> tuple[float, float]:
    """(forward seconds, backward seconds) for a random DAG of about ``nodes`` nodes: each step
    reads the last node and a random earlier one, any (``window=None``) or one of the last
    ``window`` steps (the picks drawn before the clock starts), with ``ag``'s Values, timed by
    ``clock``."""
    steps = nodes // 5  # five nodes per step: two products, a sum, tanh, a product
    rng = random.Random(steps)
    picks = [rng.randrange(k + 1) if window is None else k - rng.randrange(min(k, window) + 1)
             for k in range(steps)]
    made = [ag.Value(0.5)]
    y = made[0]
    start = clock()
    for k in picks:
        y = (y * 0.5 + made[k] * 0.5).tanh() * 0.999
        made.append(y)
    middle = clock()
    y.backward()
    return middle - start, clock() - middle


SHAPES = {"chain": build_and_backward, "random DAG": build_dag_and_backward,
          "local random DAG": lambda nodes: build_dag_and_backward(nodes, window=64)}


def per_node(context: bool, shape: str = "chain") -> dict[int, tuple[float, float]]:
    """Median (forward, backward) ns per node at each size, the sizes alternating round after round."""
    runs: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
    build = SHAPES[shape]
    for _ in range(ROUNDS):
        for n in SIZES:
            repeats = max(1, SIZES[-1] // n // 10)  # small graphs many times, for a measurable time
            with autograd.large_graph() if context else contextlib.nullcontext():
                times = [build(n) for _ in range(repeats)]
            gc.collect()
            runs[n].append((sum(f for f, _ in times) / repeats, sum(b for _, b in times) / repeats))
    return {n: (statistics.median(f for f, _ in r) / n * 1e9, statistics.median(b for _, b in r) / n * 1e9)
            for n, r in runs.items()}


def run() -> list[tuple[str, str, str, str]]:
    rows = []
    cases = [(False, "chain", "collector on (Python's default)"),
             (True, "chain", "inside autograd.large_graph()"),
             (True, "random DAG", "inside autograd.large_graph()"),
             (True, "local random DAG", "inside autograd.large_graph()")]
    for context, shape, name in cases:
        ns = per_node(context, shape)
        small, big = ns[SIZES[0]], ns[SIZES[-1]]
        goal = {"chain": " (target <= 1.5x)", "random DAG": " (target <= 1.3x)"}.get(shape, "")
        goal = goal if context else ""
        for k, part in enumerate(("forward", "backward")):
            rows.append((f"{shape}, {part}, {name}", f"{small[k]:.0f} ns", f"{big[k]:.0f} ns",
                         f"{big[k] / small[k]:.2f}x{goal}"))
    return rows


HEADER = ("eager engine, ns per node", "10^4 nodes", "10^6 nodes", "10^6 / 10^4")


def main() -> None:
    print(table(run(), HEADER))


if __name__ == "__main__":
    main()
