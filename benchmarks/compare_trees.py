"""The eager engine of two checkouts side by side: the same work on each, alternating, medians.

Loads ``autograd`` from another checkout (``--old``, for example the main branch) under another
name, next to this checkout's, in one process pinned to one thread, and times each workload on
both sides in turn, round after round (the first side alternating as well: the second of two
runs meets the first one's garbage), so a busy machine slows both alike (CPU time of the
process, so that waiting for a shared core does not count):

* micrograd's demo step: MLP(2, [16, 16, 1]) with ReLU written as micrograd writes it (binary
  nodes, ``nn.Neuron``'s sums), 100 two-moons points, max-margin + L2, forward, backward, SGD;
* the same network with each neuron's sum as one ``dot`` node (forward + backward);
* a chain of 10^5 nodes, y = tanh(0.999 y + 0.001): forward, backward, and a second backward
  of the same graph (every interior gradient then is not 0.0);
* a random DAG of 10^5 nodes (``bench_large_graph.py``'s): forward and backward.

Run: ``python benchmarks/compare_trees.py --old /path/to/other/checkout [--rounds 15]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from collections.abc import Callable
from operator import mul
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pinning  # noqa: E402  (first: the thread counts are read when numpy loads)

pinning.pin()

from bench_engine import moons, table  # noqa: E402
from bench_large_graph import build_dag_and_backward  # noqa: E402

_clock = time.process_time  # this process's CPU time: the machine may be shared


def load(tree: Path, name: str) -> ModuleType:
    """The ``autograd`` package of the checkout ``tree``, imported as ``name``."""
    init = tree / "autograd" / "__init__.py"
    spec = importlib.util.spec_from_file_location(name, init,
                                                  submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def mlp(ag: ModuleType, sizes: list[int], seed: int = 0) -> list[list[tuple[list, object]]]:
    """Layers of neurons (weights, bias) as Values of ``ag``, the same numbers on every side."""
    rng = random.Random(seed)
    return [[([ag.Value(rng.uniform(-1, 1)) for _ in range(nin)], ag.Value(0.0))
             for _ in range(nout)] for nin, nout in zip(sizes, sizes[1:])]


def demo_step(ag: ModuleType, layers: list, X: list, y: list, use_dot: bool) -> tuple[float, float]:
    """Forward over the points, max-margin + L2, backward, SGD (micrograd's demo step): the seconds
    of the forward pass and of the rest."""
    start = _clock()
    Value, dot = ag.Value, ag.dot
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    scores = []
    for row in X:
        a = list(map(Value, row))
        for k, layer in enumerate(layers):
            if use_dot:
                out = [dot(w, a) + b for w, b in layer]
            else:
                out = [sum(map(mul, w, a), b) for w, b in layer]
            a = [v.relu() for v in out] if k < len(layers) - 1 else out
        scores.append(a[0])
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
    middle = _clock()
    for p in params:
        p.grad = 0.0
    total.backward()
    for p in params:
        p.data -= 0.05 * p.grad
    return middle - start, _clock() - middle


def chain(ag: ModuleType, nodes: int) -> tuple[float, float, float]:
    """(forward, backward, second backward) seconds for y = tanh(0.999 y + 0.001)."""
    y = ag.Value(0.5)
    start = _clock()
    for _ in range(nodes // 3):
        y = (y * 0.999 + 0.001).tanh()
    middle = _clock()
    y.backward()
    end = _clock()
    y.backward()
    return middle - start, end - middle, _clock() - end


def workloads(ag: ModuleType) -> dict[tuple[str, ...], Callable[[], tuple[float, ...]]]:
    """{names of the parts: a function timing them once}."""
    X, y = moons()
    nets = {use_dot: mlp(ag, [2, 16, 16, 1]) for use_dot in (False, True)}

    def demo(use_dot: bool) -> tuple[float, float, float]:
        forward, rest = demo_step(ag, nets[use_dot], X, y, use_dot)
        return forward + rest, forward, rest

    parts = ("step", "forward", "backward + SGD")
    return {
        tuple(f"demo {part}, binary nodes" for part in parts): lambda: demo(False),
        tuple(f"demo {part}, dot nodes" for part in parts): lambda: demo(True),
        ("chain 10^5, forward", "chain 10^5, backward", "chain 10^5, second backward"):
            lambda: chain(ag, 100_000),
        ("random DAG 10^5, forward", "random DAG 10^5, backward"):
            lambda: build_dag_and_backward(100_000, ag=ag, clock=_clock),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    sides = {"old": load(args.old.resolve(), "autograd_old"),
             "new": load(HERE.parent, "autograd_new")}
    runs = {side: workloads(ag) for side, ag in sides.items()}
    times: dict[str, dict[str, list[float]]] = {side: {} for side in sides}
    with pinning.one_thread():
        for names in runs["old"]:
            for side in sides:
                runs[side][names]()  # warm up
            for r in range(args.rounds):
                for side in list(sides)[::1 if r % 2 else -1]:  # who goes first alternates too
                    for name, t in zip(names, runs[side][names]()):
                        times[side].setdefault(name, []).append(t)
    rows = []
    for name in times["old"]:
        old, new = (statistics.median(times[side][name]) for side in sides)
        rows.append((name, f"{old * 1e3:.1f} ms", f"{new * 1e3:.1f} ms", f"{new / old:.3f}"))
    print(table(rows, ("eager workload (median)", "old", "new", "new / old")))
    print(f"\n({args.rounds} rounds, sides alternating; {pinning.describe()})")


if __name__ == "__main__":
    main()
