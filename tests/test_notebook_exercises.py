"""The notebooks' exercises: each of 01..09 ends with two or three, checked by the library; the
worked solutions in notebooks/solutions/ run and are right; and the notebook's own check cells,
given the solutions' answers in place of their ``None`` placeholders, accept them.

(Unanswered, the exercise cells run and ask for an answer: tests/test_notebooks.py runs every
notebook top to bottom.)
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import runpy
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted((NOTEBOOKS / "src").glob("0[1-9]_*.py"))
GUARD = "Replace each None with your answer"


def cells(source: Path) -> list[tuple[str, str]]:
    """(kind, text) cells of a percent-format notebook source (as notebooks/_build.py reads them)."""
    found: list[tuple[str, list[str]]] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            found.append(("markdown" if "[markdown]" in line else "code", []))
        elif found:
            found[-1][1].append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in found]


def exercise_cells(source: Path) -> list[tuple[str, str]]:
    all_cells = cells(source)
    start = next(i for i, (kind, text) in enumerate(all_cells) if kind == "markdown" and "# ## Exercises" in text)
    return all_cells[start:]


def test_every_notebook_from_01_to_09_has_them():
    assert [p.stem[:2] for p in SOURCES] == [f"0{n}" for n in range(1, 10)]


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_ends_with_two_or_three_exercises_and_links_its_solutions(source: Path):
    section = exercise_cells(source)
    headings = [text for kind, text in section if kind == "markdown" and "### Exercise" in text]
    assert 2 <= len(headings) <= 3, f"{source.name}: {len(headings)} exercises"
    assert f"(solutions/{source.stem}.py)" in section[0][1]
    assert (NOTEBOOKS / "solutions" / f"{source.stem}.py").is_file()
    code = "\n".join(text for kind, text in section if kind == "code")
    assert re.search(r"viz\.check_grads|gradcheck|assert ", code), "checked by the library or an assertion"
    assert GUARD in code, "an unanswered exercise asks for an answer instead of failing"


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_solutions_run_and_the_notebooks_own_checks_accept_them(source: Path, monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        solved = runpy.run_path(str(NOTEBOOKS / "solutions" / f"{source.stem}.py"), run_name="solution")
    assert " wrong" not in printed.getvalue()
    # the notebook: its imports and definitions, then the exercises with the answers filled in
    before = cells(source)[: len(cells(source)) - len(exercise_cells(source))]
    namespace: dict = {"__name__": "notebook", "__solutions__": solved}
    with contextlib.redirect_stdout(printed := io.StringIO()):
        exec(compile(definitions(before), f"{source.name} (definitions)", "exec"), namespace)
        for kind, text in exercise_cells(source):
            if kind == "code":
                exec(compile(fill_in(text, solved), f"{source.name} (exercises)", "exec"), namespace)
    output = printed.getvalue()
    assert GUARD not in output, f"{source.name}: an exercise was left unanswered:\n{output}"
    assert " wrong" not in output and re.search(r"right", output), output


def definitions(notebook_cells: list[tuple[str, str]]) -> ast.Module:
    """The imports, functions, classes and constants of the code cells (what the exercises may use)."""
    kept = ast.Module(body=[], type_ignores=[])
    for kind, text in notebook_cells:
        if kind != "code":
            continue
        for node in ast.parse(text).body:
            constant = (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                        and all(isinstance(target, ast.Name) for target in node.targets))
            if constant or isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
                kept.body.append(node)
    return kept


def fill_in(code: str, solved: dict) -> str:
    """``code`` with each ``name = None`` / ``name = {... None ...}`` placeholder set to the solution's
    ``name`` (for ``answers``: the labels the solution's check marked), and a stub function whose
    body is ``return None`` replaced by the solution's function."""
    lines = []
    skipping = False
    for line in code.splitlines():
        if skipping:
            if line.strip() == "return None":
                skipping = False
            continue
        stub = re.match(r"def (\w+)\(", line)
        if stub and stub.group(1) in solved and "return None" in code:
            lines.append(f"{stub.group(1)} = __solutions__[{stub.group(1)!r}]")
            skipping = True
            continue
        placeholder = re.match(r"(\w+) = (None|\{.*None.*\})", line)
        if placeholder and placeholder.group(1) == "answers":
            lines.append("answers = {a.name: a.given for a in __solutions__['marked']}")
        elif placeholder:
            lines.append(f"{placeholder.group(1)} = __solutions__[{placeholder.group(1)!r}]")
        else:
            lines.append(line)
    return "\n".join(lines)
