"""viz.explore_gpt in headless Chromium: the offline page (each view renders, a click on an
attention cell opens the node whose value is that cell, hover shows the score, the prefix box's
distribution is the model's) and the widget's front end against a stand-in for anywidget's model;
no network."""

from __future__ import annotations

import pytest
from browser_helpers import ARTEFACTS, browser, page  # noqa: F401 (fixtures)
from test_browser_playground import STAND_IN, widget_state

import nn
import viz
from viz.interactive.gpt_data import next_distribution

pytest.importorskip("anywidget")


@pytest.fixture(scope="module")
def models():
    docs, model = nn.microgpt(seed=42)
    before = nn.GPT(27, seed=42)
    nn.train_gpt(model, docs, steps=60, engine="compiled", progress=False)
    return model, before


def test_the_offline_page_shows_every_view_and_opens_a_cell(page, models, tmp_path):  # noqa: F811
    model, before = models
    explorer = viz.explore_gpt(model, "emma", before=before)
    path = explorer.save(tmp_path / "gpt.html")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(path.as_uri())
    run = explorer.data["runs"][0]
    assert page.locator(".crg-run").count() == 2  # after and before, side by side
    assert page.locator(".crg-token").count() == 2 * 6
    causal = sum(range(1, 6)) * model.n_head
    assert page.locator(".crg-run >> nth=0").locator(".crg-w").count() == causal
    assert page.locator(".crg-run >> nth=0").locator(".crg-bar-p").count() >= 5 * run["topK"]
    # a click on query 3 -> key 1 of head 2 opens that node: its value is the cell's
    cell = run["views"]["weights"][0][3][2][1]
    score = run["views"]["scores"][0][3][2][1]
    target = page.locator(f'.crg-cell[data-run="0"][data-node="{cell}"]')
    assert f"score {run['nodes']['data'][score]:.4f}" in target.get_attribute(
        "title"
    )  # hover: the score
    target.click()
    panel = page.inner_text(".crg-panel")
    assert f"value {run['nodes']['data'][cell]:.4f}" in panel
    assert f"dL/d(this) {run['nodes']['grad'][cell]:.4f}" in panel.replace(" · ", " ")
    assert "softmax" in panel and "sum = " in panel
    assert (
        page.evaluate("document.querySelector('.crg-panel').getBoundingClientRect().right") <= 1280
    )
    # walk one step down: the first input of the weight is a link to another node
    first = run["nodes"]["inputs"][cell][0]
    page.click(".crg-panel .crg-inputs a >> nth=0")
    assert run["nodes"]["op"][first] == "exp"  # a = e^(score - max) * (sum of them)^-1
    assert page.inner_text(".crg-panel h4") == "e^(s-max) h2: 3→1"
    assert f"value {run['nodes']['data'][first]:.4f}" in page.inner_text(".crg-panel")
    # gradients: the same views coloured by dL/d(cell)
    page.click("button.crg-mode")
    assert page.inner_text("button.crg-mode") == "show values"
    # the prefix box: the next character's distribution at temperature 1
    page.locator(".crg-prefix >> nth=0").fill("em")
    bars = page.eval_on_selector_all(
        ".crg-run >> nth=0 >> .crg-dist .crg-bar-p",
        "bs => bs.map(b => [+b.dataset.token, +b.dataset.p])",
    )
    expected = next_distribution(model, "em", 1.0)
    assert len(bars) == 8 and all(p == pytest.approx(expected[t], abs=1e-12) for t, p in bars)
    assert bars[0][1] == pytest.approx(max(expected), abs=1e-12)
    page.click(".crg-sample >> nth=0")  # one sampled character appended (or the name ended: BOS)
    sampled = page.locator(".crg-prefix >> nth=0").input_value()
    assert sampled == "" or (len(sampled) == 3 and sampled.startswith("em"))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "gpt_explorer_page.png"))


def test_the_widget_asks_the_kernel_for_the_distribution(page, models):  # noqa: F811
    model, _ = models
    explorer = viz.explore_gpt(model, "ava")
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.evaluate(STAND_IN, [explorer._esm, widget_state(explorer)])
    assert page.locator(".crg-token").count() == 5
    page.fill(".crg-prefix", "av")
    sent = page.evaluate("window.model.saved[window.model.saved.length - 1]")
    assert sent["prefix"] == "av"
    explorer.prefix = sent["prefix"]  # what the comm delivers to the kernel
    page.evaluate(
        "d => { window.model.set('distribution', d); window.model.fire('change:distribution'); }",
        explorer.distribution,
    )
    page.wait_for_function("document.querySelectorAll('.crg-dist .crg-bar-p').length === 8")
    shown = page.eval_on_selector_all(
        ".crg-dist .crg-bar-p", "bs => bs.map(b => [+b.dataset.token, +b.dataset.p])"
    )
    expected = next_distribution(model, "av", 1.0)
    assert all(p == pytest.approx(expected[t], abs=1e-15) for t, p in shown)
    run = explorer.data["runs"][0]
    target = run["tokens"][2]
    cell = run["views"]["probs"][1][target]  # the bar of the target after "a"
    page.click(f'.crg-cell[data-node="{cell}"]')
    assert f"value {run['nodes']['data'][cell]:.4f}" in page.inner_text(".crg-panel")
    assert "D12" in page.inner_text(".crg-panel")
