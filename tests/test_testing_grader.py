"""The autograder: micrograd 0.1.0 passes every check but its two known limits, chainrule's engine
and a correct lecture engine pass all, each of eight broken engines is named for its mistake, and
a hang, a crash or a memory blow-up fails one check, not the grader."""

import json
import textwrap
import time
from pathlib import Path

import pytest

from autograd import Value
from autograd.testing import CHECKS, check_engine
from viz.cli import main

BROKEN = Path(__file__).parent / "broken_engines"
# engine file: (the check that must fail, words its likely mistake must contain)
MISTAKES = {
    "assign_not_accumulate": ("accumulation", "`+=` in backward, not `=`"),
    "no_topological_order": ("order", "build a topological order"),
    "tanh_one_minus_x_squared": ("tanh", "tanh' is 1 - tanh(x)^2, you computed 1 - x^2 at x = 0.5"),
    "recursive_topological_sort": (
        "deep_graph",
        "RecursionError at depth 1,000: make the topological sort iterative",
    ),
    "grads_not_zeroed": ("backward_twice", "set every node's grad to 0 at the start of backward()"),
    "mul_own_data": ("mul", "d(a * b)/da is b, not a"),
    "pow_keeps_exponent": ("pow", "n x^(n - 1): the exponent drops by one"),
    "no_seed": ("seed", "never sets the output's grad to 1"),
}


def test_micrograd_passes_every_check_but_its_two_known_limits():
    micrograd = pytest.importorskip("micrograd.engine")
    report = check_engine(micrograd.Value)
    assert {r.name for r in report.failed} == {"deep_graph", "backward_twice"}
    assert report["deep_graph"].details.startswith("RecursionError at depth 1,000")
    assert "make the topological sort iterative" in report["deep_graph"].mistake
    skipped = {
        r.name for r in report.results if r.status == "skip"
    }  # micrograd has no tanh, exp, log
    assert {"tanh", "exp", "D2", "D3"} <= skipped and "relu" not in skipped
    assert {
        "add",
        "mul",
        "pow",
        "accumulation",
        "order",
        "against_chainrule",
        "D5_relu",
        "D11",
    } <= {r.name for r in report.results if r.status == "pass"}
    assert report.exit_code() == 2


@pytest.mark.parametrize("engine", [Value, BROKEN / "lecture.py"], ids=["chainrule", "lecture"])
def test_a_correct_engine_passes_everything(engine):
    started = time.monotonic()
    report = check_engine(engine)
    assert report.passed, report.text()
    assert [r.name for r in report.results] == [c.name for c in CHECKS]
    assert time.monotonic() - started < 30  # a few seconds on a quiet machine


@pytest.mark.parametrize("name", MISTAKES)
def test_each_broken_engine_is_named_for_its_mistake(name):
    check, words = MISTAKES[name]
    report = check_engine(BROKEN / f"{name}.py")
    assert report[check].status == "fail", report.text()
    assert words in report[check].mistake, report[check]
    assert words in report.text()


def engine_file(tmp_path: Path, method: str) -> Path:
    """The lecture engine with ``method`` replaced (the file imports lecture.py from BROKEN)."""
    path = tmp_path / "student.py"
    path.write_text(
        f"import sys\nsys.path.insert(0, {str(BROKEN)!r})\n"
        "from lecture import Value as Lecture\n\n\n"
        f"class Value(Lecture):\n{textwrap.indent(textwrap.dedent(method), '    ')}\n"
    )
    return path


def test_an_endless_loop_fails_one_check_and_the_others_still_run(tmp_path):
    path = engine_file(
        tmp_path,
        """
        def tanh(self):
            while True:
                pass
        """,
    )
    report = check_engine(path, only=["add", "tanh", "exp", "D3"], timeout=1.0)
    assert report["tanh"].status == "fail" and "did not finish in 1 s" in report["tanh"].details
    assert report["add"].status == report["exp"].status == "pass"
    assert report["D3"].status == "fail"  # D3 uses tanh too: it times out in a fresh child


def test_a_memory_blow_up_fails_one_check(tmp_path):
    path = engine_file(
        tmp_path,
        """
        def exp(self):
            hoard = []
            while True:
                hoard.append(bytearray(10**7))
        """,
    )
    report = check_engine(path, only=["add", "exp", "mul"], memory_mb=200)
    assert (
        report["exp"].status == "fail"
        and "memory" in (report["exp"].details + report["exp"].mistake).lower()
    )
    assert report["add"].status == report["mul"].status == "pass"


def test_a_crash_fails_one_check(tmp_path):
    path = engine_file(
        tmp_path,
        """
        def relu(self):
            import os
            os._exit(3)
        """,
    )
    report = check_engine(path, only=["relu", "mul"])
    assert report["relu"].status == "fail" and "exited with code 3" in report["relu"].details
    assert report["mul"].status == "pass"


def test_the_student_code_runs_in_a_temporary_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = engine_file(
        tmp_path,
        """
        def relu(self):
            import os
            open("left_behind.txt", "w").write(os.getcwd())
            return Lecture.relu(self)
        """,
    )
    assert check_engine(path, only=["relu"]).passed
    assert not (tmp_path / "left_behind.txt").exists()


def test_a_file_that_does_not_load_fails_every_check_with_its_error(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("class Value:\n    def __init__(self, data)\n")
    report = check_engine(path)
    assert len(report.failed) == len(CHECKS)
    assert "SyntaxError" in report["add"].details and "does not load" in report["add"].mistake
    assert "defines no class 'Val'" in check_engine(BROKEN / "lecture.py", "Val")["seed"].details


def test_the_command_prints_the_card_or_json_and_exits_with_the_number_of_failures(capsys):
    assert (
        main(["check-engine", str(BROKEN / "tanh_one_minus_x_squared.py")]) == 6
    )  # tanh, D1, D3, D4, D5 tanh, D8
    card = capsys.readouterr().out
    assert (
        "FAIL  tanh" in card
        and "you computed 1 - x^2 at x = 0.5" in card
        and "23 passed, 6 failed, 2 skipped" in card
    )
    assert main(["check-engine", str(BROKEN / "no_seed.py"), "--class", "Value", "--json"]) == 27
    results = json.loads(capsys.readouterr().out)
    assert results["fail"] == 27 and results["results"][0]["name"] == "seed"
    assert "never sets the output's grad to 1" in results["results"][0]["mistake"]
    assert main(["check-engine", "no/such/file.py"]) == 2
    assert "no file no/such/file.py" in capsys.readouterr().err


def test_the_readme_shows_what_the_command_prints(capsys):
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Testing derivatives")[1].split("\n## ")[0]
    card = section.split("```text\n")[1].split("```")[0]
    main(["check-engine", str(BROKEN / "tanh_one_minus_x_squared.py")])
    printed = capsys.readouterr().out
    for line in card.splitlines():
        assert line in printed.splitlines(), line
    assert f"a report card of {len(CHECKS)} checks" in " ".join(section.split())


def test_a_file_that_dies_while_loading_fails_every_check(tmp_path):
    dies = tmp_path / "dies.py"
    dies.write_text("import os\nos._exit(5)\n")
    report = check_engine(dies, only=["add", "mul"])
    assert [r.status for r in report.results] == ["fail", "fail"]
    assert report["add"].details.startswith("loading the file")
    assert "exited with code 5" in report["add"].details
