"""The README's examples run as written, and the numbers it quotes are the ones they print."""

import ast
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
        lines = printed.getvalue().splitlines()
        assert len(lines) == len(claims), (block, lines)
        for claim, output in zip(claims, lines, strict=True):
            if claim.strip().startswith("["):  # a list, as Python prints it: equal item by item
                listed = claim.strip()[: claim.strip().index("]") + 1]
                assert ast.literal_eval(output) == ast.literal_eval(listed), (block, claim, output)
                continue
            quoted = re.findall(r"-?\d+(?:\.\d+)?", claim.split("(")[0])
            actual = [float(v) for v in output.split()]
            assert len(quoted) == len(actual), (block, claim, output)  # each number quoted
            for q, a in zip(quoted, actual, strict=True):
                digits = len(q.split(".")[1]) if "." in q else 0
                assert round(a, digits) == float(q), (block, claim, output)
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")


def test_the_readme_pictures_are_the_ones_the_code_draws_now(tmp_path):
    """docs/images holds what viz.examples.readme_pictures draws (compared by their text: the numbers, labels)."""
    import xml.etree.ElementTree as ET

    from viz.examples import readme_pictures

    images = README.parent / "docs" / "images"
    text = README.read_text(encoding="utf-8")
    for fresh in readme_pictures(tmp_path):
        committed = images / fresh.name
        assert f"docs/images/{fresh.name}" in text, f"{fresh.name} is not shown in the README"

        def texts(path):
            root = ET.fromstring(path.read_bytes())
            return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]

        assert texts(committed) == texts(fresh), f"docs/images/{fresh.name} is stale; see the README for the command"
