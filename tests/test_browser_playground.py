"""In headless Chromium: the training replay page, and the two widgets' front ends (their anywidget
ES modules, run against a stand-in for anywidget's model, with the kernel's side played by the
real Python widget between the two)."""

from __future__ import annotations

import json
import math

import pytest
from browser_helpers import browser, page  # noqa: F401 (fixtures)

import nn
import viz
from autograd import Value, topological_order
from viz.expression import evaluate

pytest.importorskip("anywidget")

# anywidget's model, as far as the widgets use it: get/set/save_changes/on/off/send
STAND_IN = """
async ([esm, state]) => {
  const handlers = {};
  const model = {
    saved: [], sent: [],
    get: (k) => state[k], set: (k, v) => { state[k] = v; },
    save_changes: () => model.saved.push(JSON.parse(JSON.stringify(state))),
    on: (event, f) => { (handlers[event] = handlers[event] || []).push(f); }, off: () => {},
    send: (message) => model.sent.push(message),
    fire: (event) => (handlers[event] || []).forEach((f) => f()),
  };
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  const widget = (await import(url)).default;
  const el = document.createElement("div");
  document.body.appendChild(el);
  widget.render({ model, el });
  window.model = model;
  return true;
}
"""


def widget_state(widget) -> dict:
    state = widget.get_state()
    return json.loads(json.dumps({k: v for k, v in state.items() if not k.startswith("_") or k == "_esm"}))


def test_replay_page_scrubs_through_the_run(page, tmp_path, capsys):  # noqa: F811
    from viz.cli import main

    out = tmp_path / "run.html"
    assert main(["train", "moons", "--steps", "20", "--every", "5", "--samples", "60", "--hidden", "8",
                 "--quiet", "--out", str(tmp_path / "run"), "--html", str(out)]) == 0
    run = json.loads(out.read_text().split('class="cr-data">')[1].split("</script>")[0])
    page.goto(out.as_uri())
    status = page.inner_text(".cr-status")
    assert status.startswith("snapshot 5 of 5, step 20") and f"loss {run['loss'][-1]:.4f}" in status
    last = page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()")
    page.eval_on_selector(".cr-scrubber", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }")
    assert page.inner_text(".cr-status").startswith("snapshot 1 of 5, step 0")
    assert page.get_attribute(".cr-replay", "data-step") == "0"
    assert page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()") != last  # the boundary moved
    page.click("button:has-text('play')")
    page.wait_for_function("document.querySelector('.cr-replay').dataset.step === '20'", timeout=10_000)


def test_explorer_widget_slider_round_trip(page):  # noqa: F811
    # page: move the x slider -> leaf_values saved; kernel: the real widget recomputes; page: new numbers shown
    explorer = viz.explore("tanh(x*w + b) * x", x=0.5, w=-1.0, b=2.0)
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.evaluate(STAND_IN, [explorer._esm, widget_state(explorer)])
    x_id = next(s["id"] for s in explorer.sliders if s["name"] == "x")
    page.eval_on_selector(f'input[type=range][data-node="{x_id}"]',
                          "s => { s.value = 1.5; s.dispatchEvent(new Event('input')); }")
    page.wait_for_function("window.model.saved.length > 0")
    sent = page.evaluate("window.model.saved[window.model.saved.length - 1].leaf_values")
    assert sent[x_id] == pytest.approx(1.5, abs=1e-9)
    explorer.leaf_values = sent  # what the comm delivers to the kernel
    page.evaluate("graph => { window.model.set('graph', graph); window.model.fire('change:graph'); }", explorer.graph)
    # every node in the picture now shows the numbers of the expression at x = 1.5
    variables = {"x": 1.5, "w": -1.0, "b": 2.0}
    root = evaluate("tanh(x*w + b) * x", {k: Value(v, label=k) for k, v in variables.items()})
    root.backward()
    texts = page.eval_on_selector_all("g.node[data-node]", "gs => gs.filter(g => g.querySelector('polygon') && "
                                      "g.querySelectorAll('text').length >= 2).map(g => [g.dataset.node, "
                                      "[...g.querySelectorAll('text')].slice(-2).map(t => t.textContent)])")
    shown = dict((node, values) for node, values in texts)
    for i, node in enumerate(topological_order(root)):
        assert shown[f"v{i}"] == [f"data {node.data:.4f}", f"grad {node.grad:.4f}"], i
    t = math.tanh(1.5 * -1.0 + 2.0)
    assert shown[x_id][1] == f"grad {(1 - t * t) * -1.0 * 1.5 + t:.4f}"


def test_playground_widget_steps_and_redraws(page):  # noqa: F811
    X, y = nn.DATASETS["moons"](n_samples=40, seed=0)
    pg = viz.playground(nn.MLP(2, [4, 1], seed=0), X, y, steps_per_frame=2)
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.evaluate(STAND_IN, [pg._esm, widget_state(pg)])
    assert page.inner_text(".cr-status") == "step 0"
    before = page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()")
    page.click("button.cr-step")
    assert page.evaluate("window.model.sent") == [{"type": "step"}]
    pg._message(pg, {"type": "step"})  # the kernel trains two steps
    page.evaluate("frame => { window.model.set('frame', frame); window.model.fire('change:frame'); }", pg.frame)
    assert page.inner_text(".cr-status") == f"step 2: loss {pg.frame['loss'][-1]:.4f}, " \
                                             f"accuracy {100 * pg.frame['accuracy'][-1]:.1f}%"
    assert page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()") != before
    out = pg.frame["neuron"]["output"]
    page.click(f'.cr-explorer g.node[data-node="{out}"]')  # the neuron's graph is an explorer
    assert f"data = {pg.frame['neuron']['nodes'][out]['dataText']}" in page.inner_text(".cr-panel")
    page.select_option("select.cr-activation", "tanh")
    assert page.evaluate("window.model.saved[window.model.saved.length - 1].activation") == "tanh"
    page.fill("input.cr-lr", "0.25")
    page.dispatch_event("input.cr-lr", "change")
    assert page.evaluate("window.model.saved[window.model.saved.length - 1].lr") == 0.25
