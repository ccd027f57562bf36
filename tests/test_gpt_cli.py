"""``chainrule train names``: microgpt's run from the command line."""

import json

import pytest

import nn
from viz.cli import main


def test_train_names_prints_samples_and_writes_the_model(tmp_path, capsys):
    out = tmp_path / "names"
    assert main(["train", "names", "--steps", "2", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "trained  2 steps (eager)" in printed and "4192 parameters" in printed
    samples = printed.split("samples  (temperature 0.5): ")[1].splitlines()[0].split(", ")
    assert len(samples) == 20 and all(set(s) <= set("abcdefghijklmnopqrstuvwxyz") or s == "(empty)" for s in samples)
    model = nn.load(out / "model.json")
    docs, reference = nn.microgpt(seed=42)
    nn.train_gpt(reference, docs, steps=2, progress=False)
    assert model.state_dict() == reference.state_dict()  # microgpt's first two steps, saved exactly
    assert json.loads((out / "model.json").read_text())["class"] == "GPT"
    assert (out / "loss.png").stat().st_size > 0


@pytest.mark.parametrize("argv, message", [
    (["--hidden", "8"], "--hidden: not an option for names"),
    (["--lr", "0.1"], "--lr: not an option"),
    (["--steps", "0"], "--steps must be at least 1"),
])
def test_train_names_rejects_mlp_options(argv, message, tmp_path, capsys):
    assert main(["train", "names", "--out", str(tmp_path), "--quiet", *argv]) == 2
    assert message in capsys.readouterr().err
