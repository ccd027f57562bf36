"""chainrule train and chainrule demo, end to end (kept short: a few steps on small data)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

import nn
from viz.cli import main

SCRIPT = Path(sys.executable).parent / "chainrule"
PNG = b"\x89PNG\r\n\x1a\n"


def test_train_writes_model_plots_and_summary(tmp_path, capsys):
    out = tmp_path / "runs" / "moons"
    code = main(["train", "moons", "--steps", "4", "--samples", "40", "--hidden", "4", "--quiet", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "loss.png", "model.json"]
    for name in ("loss.png", "decision_boundary.png"):
        assert (out / name).read_bytes()[:8] == PNG
        assert min(matplotlib.image.imread(out / name).shape[:2]) > 100
    model = nn.load(out / "model.json")
    assert model.nouts == [4, 1] and model.nin == 2
    # the summary's test accuracy is the saved model's accuracy on the held-out quarter
    X, y = nn.make_moons(40, noise=0.1, seed=0)
    _, X_test, _, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
    reported = float(re.search(r"test\s+accuracy ([\d.]+)%", printed).group(1)) / 100
    assert reported == pytest.approx(np.mean(nn.predict(model, X_test) == y_test), abs=1e-3)
    assert "4 steps" in printed and str(out / "model.json") in printed


def test_train_with_the_compiled_engine_ends_where_eager_does(tmp_path, capsys):
    models = {}
    for engine in ("eager", "compiled"):
        out = tmp_path / engine
        argv = ["train", "circles", "--steps", "5", "--samples", "40", "--hidden", "5", "--quiet", "--out", str(out)]
        assert main([*argv, "--engine", engine]) == 0
        models[engine] = nn.load(out / "model.json")
    capsys.readouterr()
    eager = np.array([p.data for p in models["eager"].parameters()])
    compiled = np.array([p.data for p in models["compiled"].parameters()])
    assert np.allclose(eager, compiled, rtol=1e-10, atol=1e-12) and not np.allclose(eager, 0.0)


def test_train_on_a_multiclass_dataset_uses_cross_entropy(tmp_path, capsys):
    code = main(["train", "blobs", "--steps", "3", "--samples", "30", "--hidden", "4", "--optimizer", "adam",
                 "--quiet", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert code == 0 and "loss cross_entropy" in printed and "3 classes" in printed
    assert nn.load(tmp_path / "model.json").nouts == [4, 3]


def test_train_without_two_features_skips_the_boundary(tmp_path, capsys):
    code = main(["train", "iris", "--steps", "2", "--hidden", "3", "--batch-size", "16", "--quiet",
                 "--out", str(tmp_path)])
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "model.json"]


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "mnist"], "unknown dataset 'mnist'"),
    (["train", "moons", "--steps", "0"], "--steps must be at least 1"),
    (["train", "moons", "--hidden", "16,x"], "--hidden"),
    (["train", "moons", "--lr", "-1", "--steps", "1"], "--lr must be positive"),
    (["train", "blobs", "--loss", "hinge"], "cross_entropy"),
    (["train", "moons", "--loss", "huber"], "huber"),
    (["train", "iris", "--samples", "50"], "fixed size"),
    (["train", "moons", "--activation", "swish", "--steps", "1"], "swish"),
])
def test_train_errors_are_one_line_and_exit_2(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main([*argv, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_demo_writes_the_tour_and_says_where(tmp_path, capsys):
    out = tmp_path / "tour"
    assert main(["demo", "--out", str(out), "--steps", "2"]) == 0
    printed = capsys.readouterr().out
    for name in ("neuron.svg", "neuron_shaded.svg", "backprop.html", "explorer.html", "activations.png",
                 "vanishing_gradients.png",
                 "moons/loss.png", "moons/decision_boundary.png", "moons/model.json"):
        assert (out / name).exists(), name
    svg = ET.fromstring((out / "neuron.svg").read_bytes())
    texts = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "grad 1.0000" in texts and "o" in texts  # do/dw1 = x1 (1 - o^2) = 2 * 0.5
    frames = sorted((out / "backprop").glob("step_*.svg"))
    page = (out / "backprop.html").read_text(encoding="utf-8")  # a frame: its caption and graph, one picture
    assert len(frames) == page.count('<div class="chainrule-graph"') == 14
    assert str(out) in printed and "neuron.svg" in printed and "decision_boundary.png" in printed
    page = (out / "explorer.html").read_text(encoding="utf-8")
    assert "cr-explorer" in page and "http://" not in page.replace("http://www.w3.org", "")  # offline
    assert "explorer.html" in printed


@pytest.mark.skipif(not SCRIPT.exists(), reason="the chainrule console script is not installed")
def test_installed_script_trains(tmp_path):
    done = subprocess.run([str(SCRIPT), "train", "xor", "--steps", "2", "--samples", "20", "--hidden", "3",
                           "--quiet", "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "decision_boundary.png").read_bytes()[:8] == PNG
    bad = subprocess.run([str(SCRIPT), "train", "nope"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_summary_shows_a_huge_loss_in_scientific_notation():
    from types import SimpleNamespace

    from viz.cli.train_command import Run, summary

    model = SimpleNamespace(summary=lambda: "MLP(2, [1])")
    history = SimpleNamespace(loss=[1e300, 2e200], accuracy=[0.5])
    run = Run("moons", model, "mse", history, 1.0, 10, {"accuracy": 0.5, "loss": 3e250}, 2, 2)
    text = summary(run)
    assert "loss 1.0000e+300 -> 2.0000e+200" in text and "loss 3.0000e+250" in text
    assert len(text) < 400


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "moons", "--out", "afile"], "'afile' is a file, not a directory"),
    (["train", "moons", "--out", "afile/runs"], "cannot create the directory 'afile/runs'"),
    (["train", "moons", "--lr", "0", "--out", "new"], "--lr must be positive"),
    (["demo", "--steps", "0", "--out", "new"], "--steps must be at least 1"),
    (["demo", "--out", "afile"], "'afile' is a file, not a directory"),
])
def test_bad_options_and_outputs_fail_before_any_work(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("keep")

    def no_training(*args, **kwargs):
        raise AssertionError("trained before checking the options")

    monkeypatch.setattr(nn, "fit", no_training)
    code = main([*argv, "--steps", "3"] if argv[0] == "train" else argv)
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing written
    assert (tmp_path / "afile").read_text() == "keep"


def test_a_diverging_training_is_bad_input_not_an_internal_error(tmp_path, capsys):
    code = main(["train", "moons", "--lr", "1e9", "--steps", "20", "--quiet", "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2 and "diverged" in err and err.count("\n") == 1


def test_mse_trains_with_its_own_default_learning_rate(tmp_path, capsys):
    # micrograd's lr 1.0 makes squared error diverge on this network; the default for mse is 0.1 -> 0.01
    out = tmp_path / "mse"
    argv = ["train", "moons", "--loss", "mse", "--steps", "30", "--samples", "60", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    first, last = (float(v) for v in re.search(r"loss ([\d.e+-]+) -> ([\d.e+-]+)", printed).groups())
    assert last < first
