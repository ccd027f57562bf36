"""Summary of the last ``mutmut run`` (``make mutation``): mutants, killed and score per file.

Reads ``mutmut results --all true`` and prints one line per mutated file, then every mutant that
was not killed (survived, no tests, timeout, ...): each must be listed in tests/MUTATION.md.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

MUTMUT = Path(sys.executable).with_name("mutmut")


def main() -> None:
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    by_file: dict[str, Counter] = defaultdict(Counter)
    not_killed = []
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        module = name.split(".x_")[0].split(".xǁ")[0]
        status = "killed" if status == "timeout" else status  # a mutant that hangs the tests is caught too
        by_file[module][status] += 1
        if status != "killed":
            not_killed.append(f"{name}: {status}")
    total = Counter()
    for module, counts in sorted(by_file.items()):
        total.update(counts)
        n = sum(counts.values())
        print(f"{module:24} {n:4} mutants, {counts['killed']:4} killed ({100 * counts['killed'] / n:5.1f}%)")
    n = sum(total.values())
    if n:
        print(f"{'all':24} {n:4} mutants, {total['killed']:4} killed ({100 * total['killed'] / n:5.1f}%)")
    print("\nnot killed:" if not_killed else "\nevery mutant killed")
    print("\n".join(f"  {line}" for line in not_killed))


if __name__ == "__main__":
    main()
