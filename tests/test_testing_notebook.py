"""Notebook 11 (build your own micrograd): its solution passes every check, the notebook with the
solution's code in its "your code" cells grades it right, and unanswered it says what to write."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCE = NOTEBOOKS / "src" / "11_build_your_own_micrograd.py"
SOLUTION = NOTEBOOKS / "solutions" / "11_build_your_own_micrograd.py"
STEP = re.compile(r"# Step (\d): your code")


def code_cells() -> list[str]:
    cells: list[list[str]] = []
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            cells.append([] if "[markdown]" not in line else None)
        elif cells and cells[-1] is not None:
            cells[-1].append(line)
    return ["\n".join(c).strip() for c in cells if c is not None and "".join(c).strip()]


def solution_steps() -> dict[str, str]:
    """Step number -> the solution's code for it (from its "# Step N" line to "# end of step N")."""
    text = SOLUTION.read_text(encoding="utf-8")
    return {
        m.group(1): text[m.start() : text.index(f"# end of step {m.group(1)}")]
        for m in STEP.finditer(text)
    }


def run_notebook(answers: dict[str, str]) -> str:
    """Run the notebook's code cells in one namespace, "your code" cells replaced by answers."""
    namespace: dict = {"__name__": "notebook"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in code_cells():
            step = STEP.match(cell)
            code = answers[step.group(1)] if step and step.group(1) in answers else cell
            exec(compile(code, SOURCE.name, "exec"), namespace)
    return printed.getvalue()


def cards(output: str) -> list[str]:
    return ["Report card for" + card for card in output.split("Report card for")[1:]]


def test_the_solution_passes_every_check(monkeypatch):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(SOLUTION), run_name="solution")  # it asserts each step's report
    assert re.search(r"\d+ passed, 0 failed", printed.getvalue())


def test_the_notebook_grades_the_solution_right_at_every_step():
    steps = solution_steps()
    assert sorted(steps) == ["1", "2", "3", "4"]
    assert sorted(STEP.match(c).group(1) for c in code_cells() if STEP.match(c)) == sorted(steps)
    student, micrograd = [], []
    for card in cards(run_notebook(steps)):
        (micrograd if "micrograd" in card.splitlines()[0] else student).append(card)
    assert len(student) == 5
    for card in student:
        assert "FAIL" not in card and re.search(r"\d+ passed, 0 failed", card), card
    if micrograd:  # micrograd 0.1.0 installed: its two known limits
        assert "2 failed" in micrograd[0] and "RecursionError at depth 1,000" in micrograd[0]


def test_unanswered_each_step_says_what_is_not_written_yet():
    student = [c for c in cards(run_notebook({})) if "micrograd" not in c.splitlines()[0]]
    assert len(student) == 5
    for card in student:
        assert "passed, 0 failed" not in card and "not written yet" in card
    assert "NotImplementedError: step 1: backward" in student[0]
    assert "NotImplementedError: step 3: tanh" in student[2]


@pytest.mark.parametrize("step", ["1", "2", "3", "4"])
def test_a_classic_mistake_in_a_step_is_named(step):
    mistakes = {  # step: (the solution's line, the mistake put in, words of the report)
        "1": ("grad += out.grad\n", "grad = out.grad\n", "`+=` in backward, not `=`"),  # in a + b
        "2": (
            "return other + (-self)",
            "return self - other",
            "2 - a came out as a - 2: __rsub__ must compute",
        ),
        "3": (
            "self.grad += (1 - t**2) * out.grad",
            "self.grad += (1 - self.data**2) * out.grad",
            "you computed 1 - x^2 at x = 0.5",
        ),
        "4": (
            "        if node._prev:  # inner",
            "        if False:  # inner",
            "set every node's grad to 0",
        ),
    }
    right, wrong, words = mistakes[step]
    answers = solution_steps()
    assert right in answers[step]
    answers[step] = answers[step].replace(right, wrong)
    step_card = cards(run_notebook(answers))[int(step) - 1]
    assert words in step_card, step_card
