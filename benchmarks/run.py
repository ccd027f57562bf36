"""Run every benchmark and print its table (what ``make bench`` runs).

Each benchmark measures ratios against its anchor in the same run (micrograd 0.1.0 from
PyPI; PyTorch where it is installed), so the numbers mean the same on any machine.
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

BENCHMARKS = ["bench_engine", "bench_replay", "bench_large_graph", "bench_gpt"]


def main() -> None:
    print(f"# chainrule benchmarks, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
          f"{platform.machine()}, command: make bench\n")
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            print(f"## {name}: skipped ({error})\n")
            continue
        print(f"## {name}\n")
        module.main()
        print()


if __name__ == "__main__":
    main()
