"""What ``autograd.record_source`` costs when it is off: micrograd's demo step (bench_engine) with
the engine's recording functions as they are, against the same functions from a git revision
before the hook (``Value.__init__`` and ``_record`` in value.py, ``dot`` in products.py), in one
process, taking turns step by step, medians.

    python benchmarks/record_source_overhead.py [REVISION]     (default: main)

Prints both medians and their ratio; a ratio within about 2% of 1 is noise on a quiet machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import threadpoolctl  # noqa: E402
from bench_engine import demo_step, moons  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
from autograd import products, value  # noqa: E402

ROUNDS = 40


def function_at(revision: str, path: str, name: str, module: object, end: str = "\n\n\n") -> object:
    """The function ``name`` of ``path`` at ``revision`` (up to ``end``), defined in ``module``'s
    namespace (a method dedented to a function)."""
    source = subprocess.run(["git", "-C", str(HERE.parent), "show", f"{revision}:{path}"],
                            capture_output=True, text=True, check=True).stdout
    start = source.index(f"def {name}(")
    start = source.rindex("\n", 0, start) + 1
    code = textwrap.dedent(source[start:source.index(end, start)])
    code = code.replace(f"def {name}(", f"def _before_{name}(", 1)
    exec(code, vars(module))  # noqa: S102 (our own source, from git)
    return getattr(module, f"_before_{name}")


def main(revision: str = "main") -> None:
    threadpoolctl.threadpool_limits(1)
    now = {"record": value._record, "dot": products.dot, "init": value.Value.__init__}
    before = {"record": function_at(revision, "autograd/value.py", "_record", value),
              "dot": function_at(revision, "autograd/products.py", "dot", products),
              "init": function_at(revision, "autograd/value.py", "__init__", value, "\n\n    #")}
    holders = [m for m in list(sys.modules.values()) if getattr(m, "dot", None) is now["dot"]]

    def use(functions: dict) -> None:
        value._record = functions["record"]
        value.Value.__init__ = functions["init"]
        for module in holders:
            module.dot = functions["dot"]

    X, y = moons()
    model = nn.MLP(2, [16, 16, 1], seed=0)
    side = (model, model.parameters, autograd.Value, X, y)
    times: dict[str, list[float]] = {"before": [], "now": []}
    for r in range(ROUNDS):
        for name in (("before", "now") if r % 2 else ("now", "before")):
            use(before if name == "before" else now)
            start = time.perf_counter()
            demo_step(*side)
            times[name].append(time.perf_counter() - start)
    use(now)
    old, new = statistics.median(times["before"]), statistics.median(times["now"])
    print(f"demo step, median of {ROUNDS}: {revision} {old * 1e3:.1f} ms, "
          f"with the record_source hook {new * 1e3:.1f} ms, ratio {new / old:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
