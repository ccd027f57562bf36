"""The README's examples run as written, and the numbers it quotes are the ones they print."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_every_python_example_runs_and_prints_what_the_readme_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks()
    assert len(blocks) >= 3
    for block in blocks:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
        # each "print(...)  # a b c" comment lists the numbers that line prints, rounded
        claims = [line.split("#", 1)[1] for line in block.splitlines() if line.lstrip().startswith("print(")]
        for claim, output in zip(claims, printed.getvalue().splitlines()):
            quoted = re.findall(r"-?\d+\.\d+", claim.split("(")[0])
            actual = [float(v) for v in output.split()]
            for q, a in zip(quoted, actual):
                assert round(a, len(q.split(".")[1])) == float(q), (block, claim, output)
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
