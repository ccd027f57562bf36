"""viz.playground (kernel side) and the training replay of ``chainrule train --html``.

References: a Session trained on its own (the widget adds only messages), the model's own outputs
at grid points computed one by one, and nn.fit / nn.evaluate for the recorded run.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import nn
import viz
from viz.interactive.playground_chain import chain_view
from viz.interactive.playground_data import plane_grid
from viz.interactive.playground_session import Session, Settings

pytest.importorskip("anywidget")


def test_the_widget_trains_an_epoch_per_step_message_and_sends_the_frame():
    pg = viz.playground(samples=40, lr=0.1)
    assert pg.frame["epoch"] == 0 and len(pg.frame["train"]) == 1
    pg._message(pg, {"type": "step"})  # what the page's step button (and play, repeatedly) sends
    reference = Session(Settings(samples=40, lr=0.1)).epoch()
    assert pg.frame["epoch"] == 1
    assert pg.frame["train"] == pytest.approx(reference.history["train"], rel=1e-12)
    assert pg.frame["test"] == pytest.approx(reference.history["test"], rel=1e-12)
    assert pg.frame["weights"] == reference.weights()
    out = pg.frame["pictures"]["layers"][-1][0]
    g = pg.frame["pictures"]
    assert out[0] == pytest.approx(pg.session.model([g["x0"], g["y0"]]).data, abs=1e-4)
    pg._message(pg, {"type": "reset"})
    assert pg.frame["epoch"] == 0


def test_settings_from_the_page_and_their_errors():
    pg = viz.playground(samples=40)
    pg.set(dataset="xor", hidden=[3, 3], features=["x1", "x2", "x1*x2"])
    assert pg.session.model.nouts == [3, 3, 1] and pg.session.model.nin == 3
    assert len(pg.points) == 40 and pg.session.settings.dataset == "xor"
    with pytest.raises(ValueError, match="hidden must be"):
        pg.set(hidden=[9])
    assert pg.settings["hidden"] == [3, 3]  # the page is put back to the settings in use
    pg.set(lr=0.3)
    assert pg.session.optimizer.lr == 0.3


def test_a_click_on_a_neuron_a_weight_and_a_point():
    pg = viz.playground(samples=40)
    pg.train(2).select(0, 1)
    assert pg.chain["kind"] == "neuron" and "<svg" in pg.chain_svg
    assert pg.chain["graph"]["nodes"][pg.chain["graph"]["output"]]["name"] == "loss"
    svg = pg.chain_svg
    pg.train(1)  # a new frame: the same picture, new numbers
    assert (
        pg.chain_svg == svg
        and pg.chain["graph"] == chain_view(pg.session, 0, pg.selected, svg=False)["graph"]
    )
    pg.select(1, 0, input=4)  # input nin: the bias of the second layer's neuron (4 inputs)
    assert pg.chain["focusName"] == pg.session.model.layers[1].neurons[0].b.label
    x1, x2 = pg.session.X[pg.session.train_rows[5]]
    pg._message(pg, {"type": "pick", "x1": x1, "x2": x2})
    assert pg.example == 5 and pg.chain["example"] == 5
    with pytest.raises(ValueError, match="no neuron"):
        pg.select(7, 0)


def test_a_diverging_run_reports_an_error_instead_of_raising():
    pg = viz.playground(
        dataset="plane", problem="regression", lr=10, activation="linear", hidden=[8, 8], samples=40
    )
    pg.train(20)
    assert "too large" in pg.error


def test_a_users_model_and_data():
    X, y = nn.make_moons(30, noise=0.1, seed=0)
    pg = viz.playground(nn.MLP(2, [3, 1], activation="relu", seed=0), X, y)
    assert pg.settings["hidden"] == [3] and pg.settings["dataset"] == "user"
    with pytest.raises(ValueError, match="both X and y"):
        viz.playground(None, X)


def test_chainrule_train_html_writes_a_replay_of_the_run(tmp_path, capsys):
    from viz.cli import main

    page = tmp_path / "run.html"
    code = main(
        [
            "train",
            "moons",
            "--steps",
            "12",
            "--every",
            "5",
            "--samples",
            "40",
            "--hidden",
            "4",
            "--quiet",
            "--out",
            str(tmp_path / "run"),
            "--html",
            str(page),
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = page.read_text(encoding="utf-8")
    run = json.loads(re.search(r'class="cr-data">(.*?)</script>', text).group(1))
    assert [s["step"] for s in run["snapshots"]] == [0, 5, 10, 12]
    assert len(run["loss"]) == 12 and len(run["points"]) == 40
    # the run is nn.fit's own with its default optimiser: the same losses as one uninterrupted fit
    from viz.cli.train_command import setup  # chainrule train's data (micrograd's noisy moons) and model

    X, _, X_train, X_test, y_train, y_test, _, _, model = setup("moons", [4], samples=40, seed=0)
    expected = nn.fit(
        model, X_train, y_train, loss="hinge", steps=12, progress=False, seed=0, alpha_l2=1e-4
    )
    assert run["loss"] == pytest.approx(expected.loss, rel=1e-9)
    last = run["snapshots"][-1]["grid"]
    assert last["values"][0] == pytest.approx(model([last["x0"], last["y0"]]).data, abs=1e-4)
    # every neuron's heat map (tanh of its output) and the test loss at the last snapshot
    network = run["snapshots"][-1]["network"]
    assert network["sizes"] == [4, 1]
    n = network["n"]
    corner = plane_grid(X, n)
    for k in (0, n * n - 1):
        point = [corner["x0"] if k == 0 else corner["x1"], corner["y0"] if k == 0 else corner["y1"]]
        for j, neuron in enumerate(model.layers[0].neurons):
            assert network["layers"][1][j][k] == pytest.approx(
                np.tanh(neuron(point).data), abs=1e-3
            )
    test = nn.evaluate(model, X_test, y_test, loss="hinge", alpha_l2=1e-4)["loss"]
    assert run["snapshots"][-1]["testLoss"] == pytest.approx(test, rel=1e-9)
    assert not re.search(r"<link|<script[^>]+src=|@import", text)
    assert f"wrote    {page}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--html", "run.svg"], "use a .html name"),
        (["--html", "missing/run.html"], "does not exist"),
        (["--html", "run.html", "--every", "0"], "--every must be at least 1"),
    ],
)
def test_chainrule_train_html_checks_its_options_before_training(
    tmp_path, monkeypatch, capsys, args, message
):
    from viz.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["train", "moons", "--steps", "3", "--quiet", *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_replay_refuses_data_it_cannot_draw(tmp_path, capsys):
    from viz.cli import main

    assert (
        main(
            [
                "train",
                "iris",
                "--steps",
                "2",
                "--quiet",
                "--out",
                str(tmp_path),
                "--html",
                str(tmp_path / "r.html"),
            ]
        )
        == 2
    )
    assert "4 features" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [(["nope"], "unknown data set 'nope'"), (["xor", "--port", "70000"], "--port must be")],
)
def test_chainrule_playground_refuses_bad_options_before_starting_a_server(capsys, args, message):
    from viz.cli import main

    assert main(["playground", *args]) == 2
    assert message in capsys.readouterr().err
