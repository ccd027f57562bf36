"""The chainrule command line: graph, --help everywhere, one-line errors with exit code 2."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_viz_svgtools import svg_texts

from viz import rendering
from viz.cli import main

SCRIPT = Path(sys.executable).parent / "chainrule"


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def printed_numbers(out: str) -> dict[str, tuple[float, float]]:
    """name -> (value, gradient) from the table ``chainrule graph`` prints."""
    rows = re.findall(r"^\s+(\w+)\s+(\S+)\s+(\S+)$", out, flags=re.MULTILINE)
    return {name: (float(v), float(g)) for name, v, g in rows if name != "name"}


def test_graph_prints_values_and_gradients_and_writes_the_svg(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(rendering.BACKEND_ENV, "wasm")  # as on a machine without Graphviz
    target = tmp_path / "graph.svg"
    code, out, err = run(["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", str(target)], capsys)
    assert code == 0 and err == ""
    t = math.tanh(2 * -3 + 6.88)
    assert f"= {t:.6g}" in out
    numbers = printed_numbers(out)
    expected = {"x": (2.0, -3 * (1 - t * t)), "w": (-3.0, 2 * (1 - t * t)), "b": (6.88, 1 - t * t)}
    for name, (value, grad) in expected.items():
        assert numbers[name][0] == pytest.approx(value, rel=1e-5)
        assert numbers[name][1] == pytest.approx(grad, rel=1e-5)
    texts = svg_texts(target.read_text(encoding="utf-8"))
    for name, (value, grad) in expected.items():
        assert name in texts and f"data {value:.4f}" in texts and f"grad {grad:.4f}" in texts
    assert "tanh" in texts and f"wrote {target}" in out


def test_graph_marks_params_and_writes_dot_text(tmp_path, capsys):
    target = tmp_path / "graph.dot"
    code, out, _ = run(["graph", "relu(w*x)", "x=1.5", "w=2", "--params", "w", "--rankdir", "TB", "-o", str(target)],
                       capsys)
    assert code == 0
    source = target.read_text(encoding="utf-8")
    w_line = next(line for line in source.splitlines() if 'label="w |' in line)
    assert "rankdir=TB" in source and 'fillcolor="#ffe0b2"' in w_line  # drawn as a parameter
    assert printed_numbers(out)["w"] == (2.0, 1.5)


def test_graph_of_a_constant_expression_and_of_a_bare_variable(tmp_path, capsys):
    code, out, _ = run(["graph", "2 * 3", "-o", str(tmp_path / "g.svg")], capsys)
    assert code == 0 and "= 6" in out
    code, out, _ = run(["graph", "x", "x=1.5", "-o", str(tmp_path / "x.dot")], capsys)
    assert code == 0 and printed_numbers(out) == {"x": (1.5, 1.0)}
    assert 'label="{ x | { data 1.5000 | grad 1.0000 } }"' in (tmp_path / "x.dot").read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "message"), [
    (["graph", "tanh(x*w + c)", "x=2", "w=1"], "unknown name 'c'"),
    (["graph", "x.__class__", "x=2"], "not allowed"),
    (["graph", "x +", "x=2"], "cannot parse"),
    (["graph", "x", "x=two"], "not a number"),
    (["graph", "x", "x"], "NAME=VALUE"),
    (["graph", "x", "x=1", "x=2"], "bound twice"),
    (["graph", "log(x)", "x=-1"], "log"),
    (["graph", "x/0", "x=1"], "division by zero"),
    (["graph", "x", "x=1", "--params", "w"], "not bound"),
    (["graph", "x", "x=1", "-o", "graph.jpeg"], ".svg"),
    (["graph", "x", "x=1", "-o", "/no/such/dir/g.svg"], "does not exist"),
    (["graph", "x", "x=1", "--rankdir", "UP"], "invalid choice"),
    (["graph", "x*2", "x=1", "y=2"], "y is bound but not used in 'x*2'"),
    (["graph", "2*3", "x=1"], "x is bound but not used"),
    (["graph"], "required"),
    (["frobnicate"], "invalid choice"),
    (["train", "moons", "--steps", "many"], "invalid int"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert err.startswith("chainrule")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_keyword_alpha_and_local_derivatives_on_the_edges(tmp_path, capsys):
    target = tmp_path / "g.dot"
    code, out, _ = run(["graph", "leaky_relu(x * w, alpha=0.2)", "x=-1", "w=3", "--local-grads", "-o", str(target)],
                       capsys)
    assert code == 0 and printed_numbers(out)["x"] == (-1.0, 0.6)  # alpha * w
    source = target.read_text(encoding="utf-8")
    assert '"alpha = 0.2"' in source and "dv1/dx\\n= 3.0000" in source and "dv1/dw\\n= -1.0000" in source


def test_png_and_pdf_without_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # no `dot`: PNG comes from the SVG through resvg
    code, out, _ = run(["graph", "x*2", "x=1", "-o", str(tmp_path / "g.png")], capsys)
    assert code == 0 and f"wrote {tmp_path / 'g.png'}" in out
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run(["graph", "x*2", "x=1", "-o", str(tmp_path / "g.pdf")], capsys)
    assert code == 2 and "apt-get install graphviz" in err and err.count("\n") == 1
    assert not (tmp_path / "g.pdf").exists()


@pytest.mark.parametrize("argv", [["--help"], ["graph", "--help"], ["train", "--help"], ["demo", "--help"]])
def test_help_on_every_command(argv, capsys):
    code, out, _ = run(argv, capsys)
    assert code == 0 and out.startswith("usage: chainrule")


def test_no_command_prints_help_and_exits_2(capsys):
    code, _, err = run([], capsys)
    assert code == 2 and "graph" in err and "train" in err and "demo" in err


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and re.match(r"chainrule \d", out)


@pytest.mark.skipif(not SCRIPT.exists(), reason="the chainrule console script is not installed")
def test_installed_script_end_to_end(tmp_path):
    ok = subprocess.run([str(SCRIPT), "graph", "exp(x) * y", "x=0", "y=3", "-o", str(tmp_path / "g.svg")],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert printed_numbers(ok.stdout) == {"x": (0.0, 3.0), "y": (3.0, 1.0)}
    assert (tmp_path / "g.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    bad = subprocess.run([str(SCRIPT), "graph", "import os", "x=1"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("argv", [
    ["graph", "-x*2", "x=1", "-o", "m.svg"],
    ["graph", "--", "-x*2", "x=1", "-o", "m.svg"],  # the `--` once needed still works
    ["graph", "--output", "m.svg", "--shade-grad", "-x*2", "x=1"],
    ["graph", "-om.svg", "--out=m.svg", "-x*2", "x=1", "--rankdir", "TB"],
])
def test_an_expression_starting_with_minus_needs_no_double_dash(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(argv, capsys)
    assert (code, err) == (0, "")
    assert "f = -x*2 = -2" in out and printed_numbers(out) == {"x": (1.0, -2.0)}
    assert (tmp_path / "m.svg").exists()


def test_graph_help_shows_an_expression_starting_with_minus(capsys):
    code, out, _ = run(["graph", "--help"], capsys)
    assert code == 0
    assert 'start with \'-\': chainrule graph "-x*2" x=1' in " ".join(out.split()) and "'--'" not in out


def test_a_directory_as_the_output_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir.svg").mkdir()
    code, _, err = run(["graph", "x*2", "x=1", "-o", "adir.svg"], capsys)
    assert code == 2 and err == "chainrule graph: error: cannot write 'adir.svg': it is a directory\n"
    assert [p.name for p in tmp_path.iterdir()] == ["adir.svg"] and not any((tmp_path / "adir.svg").iterdir())


def test_binding_names_are_normalised_as_python_identifiers_are(tmp_path, capsys):
    micro, mu = "\N{MICRO SIGN}", "\N{GREEK SMALL LETTER MU}"  # Python reads the first as the second
    code, out, err = run(["graph", f"{micro}*2", f"{micro}=1", "-o", str(tmp_path / "g.svg")], capsys)
    assert (code, err) == (0, "") and printed_numbers(out) == {mu: (1.0, 2.0)}
    code, out, _ = run(["graph", f"{mu}*3", f"{micro}=1", "-o", str(tmp_path / "g.svg")], capsys)
    assert code == 0 and printed_numbers(out) == {mu: (1.0, 3.0)}


@pytest.mark.parametrize(("argv", "message"), [
    (["graph", "sqrt(x)", "x=0"], "backward of sqrt: the derivative 1 / (2 sqrt x) is infinite at x = 0"),
    (["graph", "x**0.5", "x=0"], "backward of pow"),
])
def test_a_gradient_that_cannot_be_computed_is_bad_input(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert code == 2 and message in err and err.count("\n") == 1


def test_a_bad_backend_in_the_environment_is_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(rendering.BACKEND_ENV, "gpu")
    code, _, err = run(["graph", "x", "x=1", "-o", str(tmp_path / "g.svg")], capsys)
    assert code == 2 and "CHAINRULE_GRAPHVIZ" in err and not list(tmp_path.iterdir())


@pytest.mark.parametrize("error", [ValueError("boom"), TypeError("boom"), ZeroDivisionError("boom"), KeyError("boom")])
def test_an_unexpected_error_is_an_internal_error_with_exit_code_1(error, tmp_path, capsys, monkeypatch):
    from viz.cli import graph_command

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(graph_command, "draw_dot", broken)
    monkeypatch.delenv("CHAINRULE_DEBUG", raising=False)
    code, _, err = run(["graph", "x", "x=1", "-o", str(tmp_path / "g.svg")], capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("chainrule graph: internal error (") and "boom" in err and "CHAINRULE_DEBUG=1" in err
    monkeypatch.setenv("CHAINRULE_DEBUG", "1")
    with pytest.raises(type(error)):
        main(["graph", "x", "x=1", "-o", str(tmp_path / "g.svg")])
