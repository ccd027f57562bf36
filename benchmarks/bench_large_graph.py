"""Eager engine at scale: cost per node of building and differentiating a graph of 10^4 and 10^6 nodes.

Python's cyclic garbage collector walks the growing graph again and again, so each node costs
more in a big graph than in a small one; ``autograd.large_graph()`` pauses the collector for
the block (target: 10^6 nodes within 1.5x of 10^4 per node, forward and backward; 1.3x for
random DAGs). The shapes:

* a chain: y = tanh(0.999 y + 0.001), each node reading the one before;
* a random DAG: each new node reads its predecessor and one random earlier node (uniform over all
  of them, so at 10^6 nodes most reads land far back in memory), y = tanh(0.5 y + 0.5 z) * 0.999;
* the same with the earlier node one of the last 64 steps (a local DAG): the same work, the same
  number of nodes, but the reads stay near in memory. Where the random DAG grows with the size and
  the local one does not, the difference is where the nodes lie, not the number of them;
* the random DAG's floor, with no engine: the same steps, reads and arithmetic on plain Python
  objects of a Value's size (the same slots), backward a plain loop over them in reverse creation
  order (no walk to find the nodes, no checks, no rule table, and a product with a constant does
  not read the other factor). What it adds from 10^4 to 10^6 nodes is the cost of the memory
  itself (far reads, fresh pages), which no Python engine can avoid.

``--split`` prints the same cases' time per node divided into user and kernel CPU time (the
kernel's share is the first touch of the fresh pages that a bigger graph needs).

The sizes alternate within one process, round after round, and the table reports medians.
Run: ``python benchmarks/bench_large_graph.py [--split]``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import random
import resource
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


def build_and_backward(nodes: int, clock: Any = time.perf_counter) -> tuple[float, float]:
    """(forward seconds, backward seconds) for a chain of ``nodes`` nodes: y = tanh(0.999 y + 0.001)."""
    x = autograd.Value(0.5)
    y = x
    start = clock()
    for _ in range(nodes // 3):  # three nodes per step: mul, add, tanh
        y = (y * 0.999 + 0.001).tanh()
    middle = clock()
    y.backward()
    return middle - start, clock() - middle


def _picks(steps: int, window: int | None) -> list[int]:
    """For each step k, the earlier node it reads: any of 0..k, or one of the last ``window``."""
    rng = random.Random(steps)
    return [rng.randrange(k + 1) if window is None else k - rng.randrange(min(k, window) + 1)
            for k in range(steps)]


def build_dag_and_backward(nodes: int, window: int | None = None, ag: Any = autograd,
                           clock: Any = time.perf_counter) -> tuple[float, float]:
    """(forward seconds, backward seconds) for a random DAG of about ``nodes`` nodes: each step
    reads the last node and a random earlier one, any (``window=None``) or one of the last
    ``window`` steps (the picks drawn before the clock starts), with ``ag``'s Values, timed by
    ``clock``."""
    picks = _picks(nodes // 5, window)  # five nodes per step: two products, a sum, tanh, a product
    made = [ag.Value(0.5)]
    y = made[0]
    start = clock()
    for k in picks:
        y = (y * 0.5 + made[k] * 0.5).tanh() * 0.999
        made.append(y)
    middle = clock()
    y.backward()
    return middle - start, clock() - middle


class PlainNode:
    """A plain Python object of a Value's size (the same slots), for the floor below."""

    __slots__ = autograd.Value.__slots__

    def __init__(self, data: float, op: str = "", x: Any = None, y: Any = None) -> None:
        self._data, self.grad, self._op, self._x, self._y = data, 0.0, op, x, y


def plain_dag_and_backward(nodes: int, clock: Any = time.perf_counter) -> tuple[float, float]:
    """``build_dag_and_backward``'s random DAG with no engine: the same steps, reads and arithmetic
    on ``PlainNode`` objects, then each node's derivative applied in reverse creation order."""
    made = [PlainNode(0.5)]
    y, order = made[0], []
    start = clock()
    for k in _picks(nodes // 5, None):
        z = made[k]
        a, b = PlainNode(y._data * 0.5, "mul", y, 0.5), PlainNode(z._data * 0.5, "mul", z, 0.5)
        c = PlainNode(a._data + b._data, "add", a, b)
        d = PlainNode(math.tanh(c._data), "tanh", c)
        y = PlainNode(d._data * 0.999, "mul", d, 0.999)
        order += (a, b, c, d, y)
        made.append(y)
    middle = clock()
    y.grad = 1.0
    for node in reversed(order):
        g, op, x = node.grad, node._op, node._x
        if op == "add":
            x.grad += g
            node._y.grad += g
        elif op == "tanh":
            x.grad += g * (1.0 - node._data * node._data)
        else:
            x.grad += g * node._y
    return middle - start, clock() - middle


SHAPES = {"chain": build_and_backward, "random DAG": build_dag_and_backward,
          "local random DAG": lambda nodes, clock: build_dag_and_backward(nodes, 64, clock=clock),
          "floor": plain_dag_and_backward}
CASES = [(False, "chain", "chain", "collector on (Python's default)"),
         (True, "chain", "chain", "inside autograd.large_graph()"),
         (True, "random DAG", "random DAG", "inside autograd.large_graph()"),
         (True, "local random DAG", "local random DAG", "inside autograd.large_graph()"),
         (True, "floor", "random DAG", "plain Python objects, no engine (floor)")]
"""(collector paused, shape, its name in the table, the case's name)"""


def user_time() -> float:
    """This process's CPU time in user space."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_utime


def kernel_time() -> float:
    """This process's CPU time in the kernel (first touches of fresh pages among it)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def per_node(context: bool, shape: str = "chain",
             clock: Any = time.perf_counter) -> dict[int, tuple[float, float]]:
    """Median (forward, backward) ns per node at each size, the sizes alternating round after round."""
    runs: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
    build = SHAPES[shape]
    for _ in range(ROUNDS):
        for n in SIZES:
            repeats = max(1, SIZES[-1] // n // 10)  # small graphs many times, for a measurable time
            with autograd.large_graph() if context else contextlib.nullcontext():
                times = [build(n, clock=clock) for _ in range(repeats)]
            gc.collect()
            runs[n].append((sum(f for f, _ in times) / repeats, sum(b for _, b in times) / repeats))
    return {n: (statistics.median(f for f, _ in r) / n * 1e9, statistics.median(b for _, b in r) / n * 1e9)
            for n, r in runs.items()}


def run() -> list[tuple[str, str, str, str]]:
    rows = []
    for context, shape, shown, name in CASES:
        ns = per_node(context, shape)
        small, big = ns[SIZES[0]], ns[SIZES[-1]]
        goal = {"chain": " (target <= 1.5x)", "random DAG": " (target <= 1.3x)"}.get(shape, "")
        goal = goal if context else ""
        for k, part in enumerate(("forward", "backward")):
            rows.append((f"{shown}, {part}, {name}", f"{small[k]:.0f} ns", f"{big[k]:.0f} ns",
                         f"{big[k] / small[k]:.2f}x{goal}"))
    return rows


def run_split() -> list[tuple[str, str, str, str]]:
    """The cases inside ``large_graph()``, their user and kernel CPU time per node apart."""
    rows = []
    for _, shape, shown, name in CASES[1:]:
        for where, clock in (("user", user_time), ("kernel", kernel_time)):
            ns = per_node(True, shape, clock)
            small, big = ns[SIZES[0]], ns[SIZES[-1]]
            for k, part in enumerate(("forward", "backward")):
                rows.append((f"{shown}, {part}, {name}, {where} CPU", f"{small[k]:.0f} ns",
                             f"{big[k]:.0f} ns", f"{big[k] - small[k]:+.0f} ns"))
    return rows


HEADER = ("eager engine, ns per node", "10^4 nodes", "10^6 nodes", "10^6 / 10^4")
SPLIT_HEADER = ("eager engine, CPU ns per node", "10^4 nodes", "10^6 nodes", "10^6 - 10^4")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", action="store_true", help="user and kernel CPU time apart")
    if parser.parse_args([] if argv is None else argv).split:
        print(table(run_split(), SPLIT_HEADER))
    else:
        print(table(run(), HEADER))


if __name__ == "__main__":
    main(sys.argv[1:])
