"""Run every benchmark and print its table (what ``make bench`` runs).

Each benchmark measures ratios against its anchor in the same run (micrograd 0.1.0 from
PyPI; PyTorch and JAX where they are installed), so the numbers mean the same on any machine.
Every library is pinned to one thread first (``pinning.py``); when that cannot be done (no
threadpoolctl, a pool that stays above one thread) the run refuses to compare and says why.
Copy the output into benchmarks/README.md with the date and the command.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import pinning  # noqa: E402  (first: the thread counts are read when numpy, torch and jax load)

pinning.pin()

BENCHMARKS = ["bench_engine", "bench_replay", "bench_large_graph", "bench_gpt"]


def main() -> int:
    with pinning.one_thread():
        problems = pinning.problems()
    if problems:
        print("make bench: refusing to compare, not every library is pinned to one thread:\n  "
              + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"# chainrule benchmarks, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
          f"{platform.machine()}, command: make bench\n")
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            print(f"## {name}: skipped ({error})\n")
            continue
        print(f"## {name}\n")
        with pinning.one_thread():
            module.main()
            print(f"\n({pinning.describe()})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
