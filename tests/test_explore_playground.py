"""viz.playground (kernel side) and the training replay of ``chainrule train --html``.

References: nn.fit run on an identical model, the model's own outputs at grid points computed
one by one, and hand formulas for the neuron's gradients.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import nn
import viz

pytest.importorskip("anywidget")


def data():
    return nn.DATASETS["moons"](n_samples=40, seed=0)


def test_train_runs_nn_fit_steps_and_sends_the_boundary_curves_and_neuron():
    X, y = data()
    pg = viz.playground(nn.MLP(2, [4, 1], seed=1), X, y, lr=0.05, steps_per_frame=3, engine="compiled")
    assert pg.frame["step"] == 0 and pg.frame["loss"] == []
    pg._message(pg, {"type": "step"})  # what the page's step button sends
    pg.train(2)
    reference = nn.MLP(2, [4, 1], seed=1)
    expected = nn.fit(reference, X, y, loss="hinge", optimizer=nn.SGD(reference.parameters(), lr=0.05), steps=5,
                      progress=False, alpha_l2=1e-4, seed=0)
    assert pg.frame["step"] == 5
    assert pg.frame["loss"] == pytest.approx(expected.loss, rel=1e-9)
    assert pg.frame["accuracy"] == pytest.approx(expected.accuracy)
    # the boundary: score minus the hinge threshold 0 at the grid's corner points, computed one by one
    grid = pg.frame["grid"]
    n = grid["n"]
    corners = {0: (grid["x0"], grid["y0"]), n - 1: (grid["x1"], grid["y0"]), n * n - 1: (grid["x1"], grid["y1"])}
    for k, point in corners.items():
        assert grid["values"][k] == pytest.approx(pg.model(list(point)).data, abs=1e-4)
    # the neuron (layer 0, neuron 0) on the first example: relu(w0 x0 + w1 x1 + b)
    neuron = pg.model.layers[0].neurons[0]
    z = neuron.w[0].data * X[0, 0] + neuron.w[1].data * X[0, 1] + neuron.b.data
    nodes = pg.frame["neuron"]["nodes"]
    out = nodes[pg.frame["neuron"]["output"]]
    assert out["data"] == pytest.approx(max(z, 0.0))
    by_name = {node["name"]: node for node in nodes.values()}
    assert by_name[neuron.w[0].label]["grad"] == pytest.approx(X[0, 0] if z > 0 else 0.0)
    assert by_name["x1"]["grad"] == pytest.approx(neuron.w[1].data if z > 0 else 0.0)


def test_learning_rate_and_activation_controls():
    X, y = data()
    pg = viz.playground(nn.MLP(2, [3, 1], seed=0), X, y, engine="eager")
    pg.lr = 0.5  # the page's learning-rate box
    assert pg.optimizer.current_lr() == 0.5
    pg.train(2)
    svg = pg.neuron_svg
    pg.activation = "tanh"  # the page's activation menu: a fresh model of the same shape
    assert pg.model.layers[0].neurons[0].activation == "tanh"
    assert [len(layer.neurons) for layer in pg.model.layers] == [3, 1]
    assert pg.frame["step"] == 0 and pg.neuron_svg != svg and ">tanh<" in pg.neuron_svg
    pg._message(pg, {"type": "reset"})
    assert pg.frame["step"] == 0


def test_a_diverging_run_reports_an_error_instead_of_raising():
    X, y = data()
    pg = viz.playground(nn.MLP(2, [8, 1], seed=0), X, y * 1e6, loss="mse", lr=1e6, engine="eager")
    pg.train(30)
    assert "diverged" in pg.error


def test_bad_input():
    X, y = data()
    with pytest.raises(ValueError, match="2 features"):
        viz.playground(nn.MLP(3, [2, 1]), np.ones((4, 3)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="no neuron"):
        viz.playground(nn.MLP(2, [2, 1]), X, y, neuron=(5, 0))


def test_chainrule_train_html_writes_a_replay_of_the_run(tmp_path, capsys):
    from viz.cli import main

    page = tmp_path / "run.html"
    code = main(["train", "moons", "--steps", "12", "--every", "5", "--samples", "40", "--hidden", "4",
                 "--quiet", "--out", str(tmp_path / "run"), "--html", str(page)])
    assert code == 0, capsys.readouterr().err
    text = page.read_text(encoding="utf-8")
    run = json.loads(re.search(r'class="cr-data">(.*?)</script>', text).group(1))
    assert [s["step"] for s in run["snapshots"]] == [0, 5, 10, 12]
    assert len(run["loss"]) == 12 and len(run["points"]) == 40
    # the run is nn.fit's own with its default optimiser: the same losses as one uninterrupted fit
    from viz.training import setup  # chainrule train's data (micrograd's noisy moons) and model

    _, _, X_train, _, y_train, _, _, _, model = setup("moons", [4], samples=40, seed=0)
    expected = nn.fit(model, X_train, y_train, loss="hinge", steps=12, progress=False, seed=0, alpha_l2=1e-4)
    assert run["loss"] == pytest.approx(expected.loss, rel=1e-9)
    last = run["snapshots"][-1]["grid"]
    assert last["values"][0] == pytest.approx(model([last["x0"], last["y0"]]).data, abs=1e-4)
    assert not re.search(r"<link|<script[^>]+src=|@import", text)
    assert f"wrote    {page}" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--html", "run.svg"], "use a .html name"),
    (["--html", "missing/run.html"], "does not exist"),
    (["--html", "run.html", "--every", "0"], "--every must be at least 1"),
])
def test_chainrule_train_html_checks_its_options_before_training(tmp_path, monkeypatch, capsys, args, message):
    from viz.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["train", "moons", "--steps", "3", "--quiet", *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_replay_refuses_data_it_cannot_draw(tmp_path, capsys):
    from viz.cli import main

    assert main(["train", "iris", "--steps", "2", "--quiet", "--out", str(tmp_path), "--html",
                 str(tmp_path / "r.html")]) == 2
    assert "4 features" in capsys.readouterr().err
