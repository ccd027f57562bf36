"""The explorer driven as a lecturer drives it on a projector (headless Chromium, 1280 x 800).

At every backward step the current node's box is inside the visible part of the graph and the
panel's chain-rule line is on screen; zoom and fit change the scale; the keys step; a big graph
opens as its modules' boxes and expands; practice gives hints, never the number, until asked.
The graphs: micrograd's lecture neuron written with exp, the used-twice graph a = b c,
d = a + a e, an MLP(2, [4, 4, 1]) loss on one example, and ``chainrule graph``'s page.
"""

from __future__ import annotations

import math
import re

import pytest
from browser_helpers import ARTEFACTS, Watched, browser  # noqa: F401 (fixture)

import nn
import viz
from autograd import Value, record_source, topological_order
from viz.cli import main

WINDOW = {"width": 1280, "height": 800}


def used_twice() -> tuple[Value, dict[str, Value]]:
    b, c, e = Value(2.0, label="b"), Value(-3.0, label="c"), Value(0.5, label="e")
    a = b * c
    a.label = "a"
    d = a + a * e
    d.label = "d"
    return d, {"a": a, "b": b, "c": c, "e": e}


def mlp_loss() -> tuple[Value, nn.MLP]:
    model = nn.MLP(2, [4, 4, 1], seed=0)
    loss = (model([Value(1.0, label="x0"), Value(-0.5, label="x1")]) - 1.0) ** 2
    loss.label = "L"
    return loss, model


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The saved pages, written once for the module (drawing them is the slow part)."""
    from viz.examples import neuron

    where = tmp_path_factory.mktemp("pages")
    o, params = neuron()  # tanh written with exp: (e^2n - 1) / (e^2n + 1)
    d, _ = used_twice()
    with record_source():
        loss, model = mlp_loss()
    saved = {
        "neuron": viz.explore(o, params=params).save(where / "neuron.html"),
        "twice": viz.explore(d).save(where / "twice.html"),
        "mlp": viz.explore(loss, params=model).save(where / "mlp.html"),
        "cli": where / "cli.html",
    }
    main(
        [
            "graph",
            "tanh(x1*w1 + x2*w2 + b)",
            "x1=2",
            "x2=0",
            "w1=-3",
            "w2=1",
            "b=6.8814",
            "--params",
            "w1,w2,b",
            "-o",
            str(saved["cli"]),
        ]
    )
    return saved


@pytest.fixture
def tab(browser, request):  # noqa: F811
    context = browser.new_context(
        viewport=WINDOW, reduced_motion="reduce"
    )  # no animation to wait for
    watched = Watched(context.new_page())
    try:
        yield watched.page
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        watched.page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"))
        assert not watched.errors, f"the page logged errors: {watched.errors}"
    finally:
        context.close()


IN_VIEW = """root => {
  const inside = (r, box) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                             && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
  const window_ = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  const port = root.querySelector('.cr-viewport').getBoundingClientRect();
  const current = root.querySelector('g.node.cr-current:not([data-node$="_op"])');
  const sum = root.querySelector('.cr-panel .cr-sum');
  const side = root.querySelector('.cr-side').getBoundingClientRect();
  return {
    node: current ? current.dataset.node : null,
    nodeSeen: !!current && inside(current.getBoundingClientRect(), port) && inside(port, window_),
    sumSeen: !!sum && inside(sum.getBoundingClientRect(), window_)
             && inside(sum.getBoundingClientRect(), side),
    caption: root.querySelector('.cr-caption').textContent,
  };
}"""


def walk(tab, steps: int, start: int = 0) -> list[str]:
    """Press the right arrow ``steps`` times: at each step the node and the sum line are in view."""
    seen = []
    for k in range(start, start + steps):
        tab.keyboard.press("ArrowRight")
        where = tab.eval_on_selector(".cr-explorer", IN_VIEW)
        assert where["caption"].startswith(f"step {k + 1} of"), where
        assert where["nodeSeen"], f"step {k + 1}: node {where['node']} outside the visible graph"
        assert where["sumSeen"], f"step {k + 1}: the panel's sum line is not on screen"
        seen.append(where["node"])
    return seen


def test_the_lecture_neuron_steps_with_every_node_in_view(tab, pages):
    from viz.examples import neuron

    o, _ = neuron()
    tab.goto(pages["neuron"].as_uri())
    order = topological_order(o)
    expected = [f"v{order.index(frame.node)}" for frame in viz.backprop_steps(o)]
    assert walk(tab, len(expected)) == expected  # backward's order, each brought into view
    tab.keyboard.press("ArrowLeft")
    assert tab.get_attribute("g.node.cr-current[data-node]", "data-node") == expected[-2]
    tab.keyboard.press("Escape")
    assert tab.query_selector("g.node.cr-current") is None
    assert "No node selected" in tab.inner_text(".cr-panel")
    tab.keyboard.press(" ")  # space plays from the start, and pauses
    assert tab.inner_text("button:has-text('pause')") == "pause"
    tab.wait_for_function("document.querySelector('.cr-caption').textContent.startsWith('step 2 of')")
    tab.keyboard.press(" ")
    assert tab.query_selector("button:has-text('pause')") is None


def test_the_used_twice_graph_opens_fitted_and_steps_in_view(tab, pages):
    d, nodes = used_twice()
    tab.goto(pages["twice"].as_uri())
    assert tab.eval_on_selector(
        ".cr-explorer", "r => r.classList.contains('cr-wide')"
    )  # panel beside
    walk(tab, len(topological_order(d)))
    tab.click(f'g.node[data-node="v{topological_order(d).index(nodes["a"])}"]')
    sum_line = tab.inner_text(".cr-panel .cr-sum")
    assert sum_line.endswith(f"= {1 + 0.5:.4f}")  # dd/da = 1 + e, one term per use of a


def test_zoom_fit_and_natural_size_change_the_scale(tab, pages):
    tab.goto(pages["neuron"].as_uri())
    scale = lambda: float(tab.get_attribute(".cr-viewport", "data-scale"))
    sizes = tab.eval_on_selector(
        ".cr-graph svg",
        "s => [...s.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)",
    )
    assert (
        scale() == 1.0 and min(sizes) >= 11
    )  # fitted, its text would be smaller than 11 px: natural size
    tab.click("button.cr-zoom-in")
    assert scale() == pytest.approx(1.25)
    tab.click("button.cr-zoom-out")
    tab.click("button.cr-zoom-out")
    assert scale() == pytest.approx(0.8)
    tab.click("button.cr-fit")
    fitted = scale()
    port = tab.eval_on_selector(".cr-viewport", "v => v.getBoundingClientRect().toJSON()")
    graph = tab.eval_on_selector(".cr-graph svg", "s => s.getBoundingClientRect().toJSON()")
    assert fitted < 0.8 and graph["left"] >= port["left"] and graph["right"] <= port["right"]
    assert graph["bottom"] <= port["bottom"]  # the whole graph in its box
    tab.keyboard.down("Control")
    tab.mouse.move(port["left"] + 100, port["top"] + 50)
    tab.mouse.wheel(0, -200)  # Ctrl + wheel (a trackpad's pinch): zoom in about the pointer
    tab.keyboard.up("Control")
    assert scale() == pytest.approx(fitted * math.exp(0.4), rel=1e-3)
    before = scale()
    tab.eval_on_selector(".cr-viewport", PINCH)  # two fingers moving apart, from 100 to 200 px
    assert scale() == pytest.approx(before * 2, rel=1e-3)
    tab.click("button.cr-actual")
    assert scale() == 1.0


PINCH = """v => {
  const at = (type, id, x) => v.dispatchEvent(new PointerEvent(type, {pointerId: id, clientX: x,
    clientY: 300, button: 0, pointerType: 'touch', bubbles: true}));
  at('pointerdown', 1, 300); at('pointerdown', 2, 400); at('pointermove', 2, 500);
  at('pointerup', 2, 500); at('pointerup', 1, 300);
}"""


def test_presentation_size_scales_the_page_and_the_graph(tab, pages, tmp_path):
    d, _ = used_twice()
    tab.goto(viz.explore(d, scale=1.5).save(tmp_path / "big.html").as_uri())
    font = lambda: tab.eval_on_selector(
        ".cr-panel", "p => parseFloat(getComputedStyle(p).fontSize)"
    )
    assert font() == pytest.approx(13 * 1.5)
    tab.click("button.cr-present")  # back to the normal size
    assert font() == pytest.approx(13)
    with pytest.raises(ValueError, match="scale must be a number from 0.5 to 3"):
        viz.explore(d, scale=0)


def test_a_big_graph_opens_as_boxes_and_expands_into_its_nodes(tab, pages):
    loss, _ = mlp_loss()
    tab.goto(pages["mlp"].as_uri())
    boxes = tab.eval_on_selector_all(
        "g.node[data-node^='box']", "gs => gs.map(g => g.dataset.node)"
    )
    assert boxes and tab.query_selector("button.cr-expand")
    walk(tab, 1)
    total = int(re.search(r"of (\d+)", tab.inner_text(".cr-caption")).group(1))
    assert total < len(topological_order(loss)) / 4  # the boxes, not the hundred nodes
    walk(tab, total - 1, start=1)
    tab.keyboard.press("Escape")
    tab.click("g.node[data-node^='box'] >> nth=0")
    assert "nodes)" in tab.inner_text(".cr-panel h4")  # the box's panel: name, kind, size
    tab.click(".cr-panel button:has-text('expand')")  # the box opens: the graph with every node
    assert tab.query_selector("g.node[data-node^='box']") is None
    assert len(tab.query_selector_all("g.node[data-node]")) > 2 * len(boxes)
    tab.click("button.cr-expand")  # and back to the boxes
    assert tab.query_selector("g.node[data-node^='box']") is not None


def test_the_mlp_expanded_steps_every_node_in_view(tab, pages):
    loss, _ = mlp_loss()
    tab.goto(pages["mlp"].as_uri())
    tab.click("button.cr-expand")
    walk(tab, len(topological_order(loss)))


def test_the_command_lines_page_has_the_panel_beside_the_graph(tab, pages):
    tab.goto(pages["cli"].as_uri())
    port = tab.eval_on_selector(".cr-viewport", "v => v.getBoundingClientRect().toJSON()")
    side = tab.eval_on_selector(".cr-side", "v => v.getBoundingClientRect().toJSON()")
    assert side["left"] >= port["right"] and side["top"] < 100  # beside, not under
    walk(tab, 10)


def test_search_jumps_to_a_node_by_label(tab, pages):
    tab.goto(pages["mlp"].as_uri())
    tab.fill(
        "input.cr-search", "layers.1.neurons.3.w2"
    )  # inside a box: the graph expands to show it
    tab.press("input.cr-search", "Enter")
    assert tab.inner_text(".cr-panel h4").startswith("layers.1.neurons.3.w2")
    assert tab.eval_on_selector(
        ".cr-explorer", IN_VIEW.replace("g.node.cr-current", "g.node.cr-selected")
    )["nodeSeen"]


def test_practice_hints_never_give_the_number_until_show_answer(tab, pages):
    d, nodes = used_twice()
    ids = {name: f"v{topological_order(d).index(node)}" for name, node in nodes.items()}
    tab.goto(pages["twice"].as_uri())
    tab.check("input.cr-practice")
    tab.click(
        f'g.node[data-node="{ids["a"]}"]'
    )  # dd/da = 1 + e = 1.5: needs dd/dd and dd/d(a e) first
    assert "needs" in tab.inner_text(".cr-order-note")
    answer = f"{1.5:.4f}"
    feedback = []
    for wrong in ("3", "2", "-1", "0.25"):
        tab.fill("input.cr-answer-input", wrong)
        tab.press("input.cr-answer-input", "Enter")
        text = tab.inner_text(".cr-panel")
        assert answer not in text and "1.5" not in text.replace(wrong, "")
        feedback.append(tab.inner_text(".cr-verdict"))
    assert "used by" in feedback[0] and "local" not in feedback[0]  # the ladder: uses first,
    assert "local" in feedback[1] and "0.5000" in feedback[1]  # then d(a e)/da = e,
    assert "dd/dd x 1.0000" in feedback[2]  # then the sum with the upstream gradients as symbols
    tab.click("button:has-text('show answer')")
    assert answer in tab.inner_text(".cr-panel .cr-sum") and "shown" in tab.inner_text(".cr-panel")
    assert "0 of 1 right without help" in tab.inner_text(".cr-score")
    tab.click(f'g.node[data-node="v{topological_order(d).index(d)}"]')  # the output: dd/dd = 1
    tab.fill("input.cr-answer-input", "1")
    tab.press("input.cr-answer-input", "Enter")
    assert "1 of 2 right without help" in tab.inner_text(".cr-score")


def test_a_narrow_window_puts_the_panel_below_and_keeps_both_in_view(tab, pages):
    d, _ = used_twice()
    tab.set_viewport_size({"width": 640, "height": 800})
    tab.goto(pages["twice"].as_uri())
    port = tab.eval_on_selector(".cr-viewport", "v => v.getBoundingClientRect().toJSON()")
    side = tab.eval_on_selector(".cr-side", "v => v.getBoundingClientRect().toJSON()")
    assert (
        side["top"] >= port["bottom"] and side["bottom"] <= 800
    )  # below the graph, above the fold
    walk(tab, len(topological_order(d)))


def test_stepping_while_practising_gives_no_number_away(tab, pages):
    d, nodes = used_twice()
    tab.goto(pages["twice"].as_uri())
    tab.check("input.cr-practice")
    for _ in topological_order(d):
        tab.keyboard.press("ArrowRight")
        caption = tab.inner_text(".cr-caption")
        # no number given away (the names v1, v2, ... have digits, numbers have a decimal point)
        assert caption.endswith("= ?") and not re.search(r"\d\.\d", caption.split(":", 1)[1])
        assert "grad ?" in tab.inner_text(".cr-graph") and tab.query_selector(".cr-panel .cr-sum") is None
