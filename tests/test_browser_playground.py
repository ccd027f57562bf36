"""In headless Chromium: the training replay page, and the two widgets' front ends (their anywidget
ES modules, run against a stand-in for anywidget's model, with the kernel's side played by the
real Python widget between the two)."""

from __future__ import annotations

import json
import math

import pytest
from browser_helpers import ARTEFACTS, Watched, browser, page  # noqa: F401 (fixtures)

import autograd
import viz
from autograd import Value, topological_order
from viz.expression import evaluate
from viz.interactive.playground_chain import loss_graph

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
    return json.loads(
        json.dumps({k: v for k, v in state.items() if not k.startswith("_") or k == "_esm"})
    )


def test_replay_page_scrubs_through_the_run(page, tmp_path, capsys):  # noqa: F811
    from viz.cli import main

    out = tmp_path / "run.html"
    assert (
        main(
            [
                "train",
                "moons",
                "--steps",
                "20",
                "--every",
                "5",
                "--samples",
                "60",
                "--hidden",
                "8",
                "--quiet",
                "--out",
                str(tmp_path / "run"),
                "--html",
                str(out),
            ]
        )
        == 0
    )
    run = json.loads(out.read_text().split('class="cr-data">')[1].split("</script>")[0])
    page.goto(out.as_uri())
    status = page.inner_text(".cr-status")
    assert status.startswith("snapshot 5 of 5, step 20") and f"loss {run['loss'][-1]:.4f}" in status
    last = page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()")
    page.eval_on_selector(
        ".cr-scrubber", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }"
    )
    assert page.inner_text(".cr-status").startswith("snapshot 1 of 5, step 0")
    assert page.get_attribute(".cr-replay", "data-step") == "0"
    assert (
        page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()") != last
    )  # the boundary moved
    # the network at that snapshot: 2 inputs, 8 hidden neurons, 1 output, 2 x 8 + 8 weight lines
    assert page.eval_on_selector_all("canvas.cr-neuron", "cs => cs.length") == 9
    assert page.eval_on_selector_all("line.cr-weight", "ls => ls.length") == 24
    page.click("button:has-text('play')")
    page.wait_for_function(
        "document.querySelector('.cr-replay').dataset.step === '20'", timeout=10_000
    )


def test_explorer_widget_slider_round_trip(page):  # noqa: F811
    # page: move the x slider -> leaf_values saved; kernel: the real widget recomputes; page: new numbers shown
    explorer = viz.explore("tanh(x*w + b) * x", x=0.5, w=-1.0, b=2.0)
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.evaluate(STAND_IN, [explorer._esm, widget_state(explorer)])
    x_id = next(s["id"] for s in explorer.sliders if s["name"] == "x")
    page.eval_on_selector(
        f'input[type=range][data-node="{x_id}"]',
        "s => { s.value = 1.5; s.dispatchEvent(new Event('input')); }",
    )
    page.wait_for_function("window.model.saved.length > 0")
    sent = page.evaluate("window.model.saved[window.model.saved.length - 1].leaf_values")
    assert sent[x_id] == pytest.approx(1.5, abs=1e-9)
    explorer.leaf_values = sent  # what the comm delivers to the kernel
    page.evaluate(
        "graph => { window.model.set('graph', graph); window.model.fire('change:graph'); }",
        explorer.graph,
    )
    # every node in the picture now shows the numbers of the expression at x = 1.5
    variables = {"x": 1.5, "w": -1.0, "b": 2.0}
    root = evaluate("tanh(x*w + b) * x", {k: Value(v, label=k) for k, v in variables.items()})
    root.backward()
    texts = page.eval_on_selector_all(
        "g.node[data-node]",
        "gs => gs.filter(g => g.querySelector('polygon') && "
        "g.querySelectorAll('text').length >= 2).map(g => [g.dataset.node, "
        "[...g.querySelectorAll('text')].slice(-2).map(t => t.textContent)])",
    )
    shown = dict((node, values) for node, values in texts)
    for i, node in enumerate(topological_order(root)):
        assert shown[f"v{i}"] == [f"data {node.data:.4f}", f"grad {node.grad:.4f}"], i
    t = math.tanh(1.5 * -1.0 + 2.0)
    assert shown[x_id][1] == f"grad {(1 - t * t) * -1.0 * 1.5 + t:.4f}"


# ------------------------------------------------------------ the playground, control by control

SYNCED = ("settings", "points", "frame", "chain", "chain_svg", "error", "example")


def kernel_turn(page, pg) -> None:  # noqa: F811
    """What the comm does, both ways: the page's saved traits and messages to the real widget, then
    the widget's new state back to the page (firing anywidget's change events)."""
    saved = page.evaluate("window.model.saved.splice(0)")
    sent = page.evaluate("window.model.sent.splice(0)")
    for state in saved:
        for name in ("settings", "selected", "example"):
            if state[name] != json.loads(json.dumps(getattr(pg, name))):
                setattr(pg, name, state[name])
    for message in sent:
        pg._message(pg, message)
    page.evaluate(
        """(state) => { for (const [k, v] of Object.entries(state)) {
        if (JSON.stringify(window.model.get(k)) !== JSON.stringify(v)) {
            window.model.set(k, v); window.model.fire('change:' + k);
        }
    } }""",
        {name: json.loads(json.dumps(getattr(pg, name))) for name in SYNCED},
    )


@pytest.fixture(scope="module")
def one_page(browser):  # noqa: F811
    """One page for the control tests (each mounts a fresh widget): cheaper than a page each."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    watched = Watched(context.new_page())
    try:
        yield watched
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        watched.page.screenshot(path=str(ARTEFACTS / "playground_controls.png"), full_page=True)
    finally:
        context.close()


def mounted(page, **settings):  # noqa: F811
    pg = viz.playground(samples=40, **settings)
    page.set_content(
        f"<!DOCTYPE html><html><head><style>{pg._css}</style></head><body></body></html>"
    )
    page.evaluate(STAND_IN, [pg._esm, widget_state(pg)])
    return pg


def canvas(page, selector):  # noqa: F811
    return page.eval_on_selector(selector, "c => c.toDataURL()")


CONTROLS = [  # (what the student does, the setting it changes, its new value)
    (lambda p: p.click("button[data-dataset=circles]"), "dataset", "circles"),
    (
        lambda p: p.eval_on_selector(
            "input.cr-noise", "r => { r.value = 30; r.dispatchEvent(new Event('change')); }"
        ),
        "noise",
        0.3,
    ),
    (
        lambda p: p.eval_on_selector(
            "input.cr-ratio", "r => { r.value = 70; r.dispatchEvent(new Event('change')); }"
        ),
        "train_fraction",
        0.7,
    ),
    (
        lambda p: p.eval_on_selector(
            "input.cr-batch", "r => { r.value = 3; r.dispatchEvent(new Event('change')); }"
        ),
        "batch_size",
        3,
    ),
    (lambda p: p.click("canvas[data-feature='x1*x2']"), "features", ["x1", "x2", "x1*x2"]),
    (lambda p: p.click("canvas[data-feature='x2']"), "features", ["x1"]),
    (lambda p: p.click("button.cr-add-layer"), "hidden", [4, 2, 2]),
    (lambda p: p.click("button.cr-remove-layer"), "hidden", [4]),
    (lambda p: p.click("button.cr-add-neuron[data-layer='1']"), "hidden", [4, 3]),
    (lambda p: p.click("button.cr-remove-neuron[data-layer='0']"), "hidden", [3, 2]),
    (lambda p: p.select_option("select.cr-activation", "relu"), "activation", "relu"),
    (lambda p: p.select_option("select.cr-lr", "0.3"), "lr", 0.3),
    (lambda p: p.select_option("select.cr-regularization", "L1"), "regularization", "L1"),
    (lambda p: p.select_option("select.cr-reg_rate", "0.01"), "reg_rate", 0.01),
    (lambda p: p.select_option("select.cr-problem", "regression"), "problem", "regression"),
    (lambda p: p.click("button.cr-regenerate"), "seed", 1),
]


@pytest.mark.parametrize("act, name, value", CONTROLS, ids=[f"{c[1]}={c[2]}" for c in CONTROLS])
def test_each_control_changes_its_setting_in_the_kernel(one_page, act, name, value):
    page = one_page.page  # noqa: F811 (one shared page, not the fixture)
    pg = mounted(page)
    before = canvas(page, "canvas.cr-boundary")
    act(page)
    kernel_turn(page, pg)
    assert pg.settings[name] == value and getattr(pg.session.settings, name) == (
        tuple(value) if isinstance(value, list) else value
    )
    model = pg.session.model
    assert model.nouts == [*pg.session.settings.hidden, 1] and model.nin == len(
        pg.session.settings.features
    )
    shown = page.eval_on_selector_all("canvas.cr-neuron", "cs => cs.length")
    assert shown == sum(model.nouts)  # the diagram has the network's neurons
    if name in ("dataset", "noise", "features", "hidden", "activation", "problem", "seed"):
        assert (
            canvas(page, "canvas.cr-boundary") != before
        )  # new data or a new network: a new picture
    if name == "problem":
        assert pg.session.settings.dataset == "plane"
    assert not pg.error and not one_page.errors


def test_play_step_reset_and_the_loss_curves(page):  # noqa: F811
    pg = mounted(page, lr=0.1)
    page.click("button.cr-step")
    kernel_turn(page, pg)
    assert page.get_attribute(".cr-playground", "data-epoch") == "1"
    assert page.inner_text(".cr-epoch") == "epoch 000,001"
    page.click("button.cr-play")
    for _ in range(5):
        page.wait_for_function("window.model.sent.length > 0")
        kernel_turn(page, pg)
    page.click("button.cr-play")  # pause
    assert pg.session.epochs == 6 and pg.frame["train"][-1] < pg.frame["train"][0]
    page.click("button.cr-reset")
    kernel_turn(page, pg)
    assert page.get_attribute(".cr-playground", "data-epoch") == "0"


def test_show_test_data_and_discretize_redraw_the_output(page):  # noqa: F811
    mounted(page)
    first = canvas(page, "canvas.cr-boundary")
    page.click("input.cr-show-test")
    hidden = canvas(page, "canvas.cr-boundary")
    page.click("input.cr-discretize")
    assert len({first, hidden, canvas(page, "canvas.cr-boundary")}) == 3


def test_heat_maps_are_the_neurons_outputs_at_probed_points(page):  # noqa: F811
    pg = mounted(page)
    g = pg.frame["pictures"]
    n = g["n"]
    for layer, j, k in [(0, 0, 0), (0, 2, n * n - 1), (1, 1, n * (n // 2) + n // 3)]:
        x1 = g["x0"] + (g["x1"] - g["x0"]) * (k % n) / (n - 1)
        x2 = g["y0"] + (g["y1"] - g["y0"]) * (k // n) / (n - 1)
        a = [x1, x2]
        for earlier in pg.session.model.layers[: layer + 1]:
            a = [neuron(a).data for neuron in earlier.neurons]
        v = max(
            -1.0, min(1.0, a[j])
        )  # the colour scale: grey (232, 234, 235) to blue (+1) or orange (-1)
        end = (8, 119, 189) if v >= 0 else (245, 147, 34)
        expected = [round(m + (e - m) * abs(v)) for m, e in zip((232, 234, 235), end)]
        pixel = page.eval_on_selector(
            f"canvas.cr-neuron[data-layer='{layer}'][data-index='{j}']",
            # the cell's first pixel
            "(c, [k, n]) => { const s = c.width / n; const x = Math.floor((k % n) * s);"
            " const y = c.height - 1 - Math.floor(Math.floor(k / n) * s);"
            " return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3)); }",
            [k, n],
        )
        assert pixel == pytest.approx(expected, abs=2), (layer, j, k)


def test_weight_lines_show_sign_and_size_and_a_click_shows_the_chain_rule(page):  # noqa: F811
    pg = mounted(page)
    w = pg.session.model.layers[1].neurons[0].w[3].data
    line = "line.cr-weight[data-layer='1'][data-index='0'][data-input='3']"
    assert page.get_attribute(line, "stroke") == ("rgb(8,119,189)" if w > 0 else "rgb(245,147,34)")
    assert f"weight {w:.4f}" in page.eval_on_selector(
        line, "l => l.querySelector('title').textContent"
    )
    widths = page.eval_on_selector_all(
        "line.cr-weight",
        "ls => ls.map(l => [Math.abs(+l.dataset.value), +l.getAttribute('stroke-width')])",
    )
    biggest = max(widths)
    assert biggest[1] == pytest.approx(5.5, abs=0.01) and min(widths)[1] < biggest[1]
    page.eval_on_selector(line, "l => l.dispatchEvent(new MouseEvent('click'))")
    kernel_turn(page, pg)
    assert pg.selected == {"kind": "weight", "layer": 1, "index": 0, "input": 3}
    graph = pg.chain["graph"]
    assert graph["nodes"][graph["output"]]["name"] == "loss"
    assert f"{pg.chain['gradients']['batch']:.6f}" in page.inner_text(".cr-gradients")
    focus = pg.chain["focus"]
    assert f"grad = {graph['nodes'][focus]['gradText']}" in page.inner_text(".cr-panel")


def test_a_neuron_click_and_the_example_slider(page):  # noqa: F811
    pg = mounted(page)
    page.click("canvas.cr-neuron[data-layer='0'][data-index='1']")
    kernel_turn(page, pg)
    s = pg.session
    row = s.train_rows[0]
    loss = (
        s.model(s.F[row].tolist()) - float(s.t[row])
    ) ** 2  # example 0's loss, recorded from scratch
    _, params = loss_graph(s, 0, 0, 1)
    shown = {node["name"]: node["grad"] for node in pg.chain["graph"]["nodes"].values()}
    assert [shown[p.label] for p in params] == pytest.approx(autograd.gradients(loss, params))
    root = pg.chain["graph"]["output"]
    assert page.eval_on_selector_all(
        f".cr-explorer g.node[data-node='{root}']",
        "gs => gs.filter(g => g.querySelector('polygon'))"
        ".map(g => [...g.querySelectorAll('text')].pop().textContent)",
    ) == ["grad 1.0000"]
    before = page.inner_text(".cr-explorer .cr-graph")
    page.eval_on_selector(
        "input.cr-example", "r => { r.value = 7; r.dispatchEvent(new Event('change')); }"
    )
    kernel_turn(page, pg)
    assert pg.chain["example"] == 7 and "training example 7" in page.inner_text(".cr-chain-title")
    assert page.inner_text(".cr-explorer .cr-graph") != before  # the numbers of example 7
