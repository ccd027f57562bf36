"""The command line as a practitioner meets it: honest summaries, refusals, and no surprises."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import nn
from viz.cli import main


def printed_number(pattern, text):
    return float(re.search(pattern, text).group(1))


# ------------------------------------ blobs train; summaries compare like with like


def test_train_blobs_standardises_and_trains(tmp_path, capsys):
    code = main(
        [
            "train",
            "blobs",
            "--steps",
            "60",
            "--quiet",
            "--engine",
            "compiled",
            "--out",
            str(tmp_path),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0 and "standardised" in printed
    assert printed_number(r"test\s+accuracy ([\d.]+)%", printed) >= 95.0


def test_training_and_test_loss_are_measured_alike_and_the_penalty_apart(tmp_path, capsys):
    code = main(
        [
            "train",
            "moons",
            "--steps",
            "30",
            "--quiet",
            "--engine",
            "compiled",
            "--out",
            str(tmp_path),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    model = nn.load(tmp_path / "model.json")
    X, y = nn.make_moons(100, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
    scores = [[float(model(list(x)))] for x in X_train]
    hinge = float(
        np.mean(np.maximum(0.0, 1.0 - np.where(y_train == 1, 1.0, -1.0) * np.array(scores)[:, 0]))
    )
    assert printed_number(r"training loss [\d.e+-]+ -> ([\d.e+-]+)", printed) == pytest.approx(
        hinge, abs=1e-4
    )
    squares = sum(p.data**2 for p in model.parameters())
    assert printed_number(r"penalty .*= ([\d.e+-]+)", printed) == pytest.approx(
        1e-4 * squares, abs=1e-4
    )
    code = main(
        [
            "train",
            "moons",
            "--steps",
            "3",
            "--l2",
            "0",
            "--quiet",
            "--engine",
            "compiled",
            "--out",
            str(tmp_path / "no_l2"),
        ]
    )
    assert code == 0 and "\npenalty" not in capsys.readouterr().out


def test_a_run_that_ends_worse_than_it_started_exits_1(tmp_path, capsys, monkeypatch):
    real_fit = nn.fit

    def worse_fit(model, *args, **kwargs):  # a run that trains, then lands somewhere worse
        history = real_fit(model, *args, **kwargs)
        for p in model.parameters():
            p.data = -3.0 * p.data
        return history

    monkeypatch.setattr(nn, "fit", worse_fit)
    code = main(
        [
            "train",
            "moons",
            "--steps",
            "5",
            "--quiet",
            "--engine",
            "compiled",
            "--out",
            str(tmp_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 1 and "ended worse than it started" in captured.err


def test_a_diverged_run_leaves_no_empty_folder(tmp_path, capsys):
    out = tmp_path / "runs" / "moons"
    code = main(["train", "moons", "--lr", "1e9", "--steps", "20", "--quiet", "--out", str(out)])
    assert code == 2 and "diverged" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_the_header_is_printed_before_training(tmp_path, capsys, monkeypatch):
    def fit_reporting(*args, **kwargs):
        print("FIT STARTS")
        raise KeyboardInterrupt

    monkeypatch.setattr(nn, "fit", fit_reporting)
    assert main(["train", "xor", "--quiet", "--out", str(tmp_path / "xor")]) == 130
    printed = capsys.readouterr().out
    assert (
        printed.index("dataset  xor") < printed.index("model    MLP") < printed.index("FIT STARTS")
    )
    assert not (tmp_path / "xor").exists()


# ------------------------------------ options that do not apply; seeds


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["train", "names", "--html", "n.html", "--every", "3"],
            "--html, --every: not an option for names",
        ),
        (["train", "names", "--optimizer", "sgd"], "--optimizer: not an option for names"),
        (["train", "names", "--l2", "0"], "--l2: not an option for names"),
        (
            ["train", "moons", "--every", "3"],
            "--every sets the replay's snapshot interval; it needs --html",
        ),
        (["train", "moons", "--seed", "-1"], "--seed: must be an integer >= 0, got -1"),
        (["train", "names", "--seed", "x"], "--seed: must be an integer >= 0, got 'x'"),
        (["train", "moons", "--l2", "-1"], "--l2 must be a finite number >= 0"),
    ],
)
def test_options_that_do_not_apply_are_usage_errors(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main([*argv, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and "internal error" not in err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------ digits: the compiled engine, a sensible start


def test_digits_defaults_to_the_compiled_engine_and_starts_near_ln_10(tmp_path, capsys):
    code = main(
        ["train", "digits", "--steps", "2", "--hidden", "8", "--quiet", "--out", str(tmp_path)]
    )
    printed = capsys.readouterr().out
    assert code == 0 and "engine compiled" in printed
    start = printed_number(r"training loss ([\d.e+-]+) ->", printed)
    assert abs(start - math.log(10)) < 1.0


def test_an_eager_run_on_large_data_says_how_to_go_faster(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(nn, "fit", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    main(["train", "digits", "--engine", "eager", "--quiet", "--out", str(tmp_path / "d")])
    assert "--engine compiled is much faster" in capsys.readouterr().out


# ------------------------------------ chainrule graph


def test_graph_of_a_flat_sum_of_1000_terms(tmp_path, capsys):
    expression = " + ".join(["x"] * 1000)
    assert len(expression) < 6000
    code = main(["graph", "+".join(["x"] * 1000), "x=0.5", "-o", str(tmp_path / "sum.dot")])
    out = capsys.readouterr().out
    assert code == 0 and "= 500" in out and re.search(r"x\s+0.5\s+1000", out)


def test_graph_takes_an_expression_starting_with_two_minus_signs(tmp_path, capsys):
    code = main(["graph", "--x*3", "x=2", "-o", str(tmp_path / "g.dot")])
    out = capsys.readouterr().out
    assert code == 0 and "= 6" in out and re.search(r"x\s+2\s+3", out)


def test_graph_refuses_pdf_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # no system `dot`
    monkeypatch.delenv("CHAINRULE_GRAPHVIZ", raising=False)
    code = main(["graph", "x*2", "x=1", "-o", str(tmp_path / "g.pdf")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "PDF needs" in captured.err
    assert not (tmp_path / "g.pdf").exists()


def test_a_closed_pipe_ends_quietly(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (head) has gone
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run(
        [sys.executable, "-m", "viz.cli", "graph", "x*2", "x=1", "-o", str(tmp_path / "g.dot")],
        stdout=write_end,
        stderr=subprocess.PIPE,
        env=env,
        timeout=120,
    )
    os.close(write_end)
    assert done.returncode == 141 and done.stderr == b""
