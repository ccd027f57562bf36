"""The saved explorer page in a real browser (headless Chromium): the panel shows the engine's
numbers, stepping follows backward's order, practice marks answers, and nothing logs an error.

The expected numbers are hand formulas for y = tanh(x w + b) at x = 2, w = -3, b = 6.88:
z = x w + b = 0.88, dy/dz = 1 - tanh^2(z), dy/dw = x dy/dz, dy/dx = w dy/dz.
"""

from __future__ import annotations

import math

import pytest
from browser_helpers import ARTEFACTS, ROOT, browser, page  # noqa: F401 (fixtures)
from test_viz_steps import neuron  # y = tanh(x w + b) at x = 2, w = -3, b = 6.88, each node labelled

import viz
from autograd import RULES, record_source, topological_order

X, W, B = 2.0, -3.0, 6.88
Z = X * W + B
DYDZ = 1.0 - math.tanh(Z) ** 2


def four(x: float) -> str:
    return f"{x:.4f}"


@pytest.fixture
def opened(page, tmp_path):  # noqa: F811
    y, nodes = neuron()
    path = viz.explore(y, params=[nodes["w"], nodes["b"]]).save(tmp_path / "graph.html")
    page.goto(path.as_uri())
    ids = {node: f"v{i}" for i, node in enumerate(topological_order(y))}
    return page, {name: ids[node] for name, node in nodes.items()}, y


def test_clicking_a_node_shows_its_rule_inputs_local_derivatives_and_chain_sum(opened):
    tab, ids, _ = opened
    tab.click(f'g.node[data-node="{ids["y"]}"]')
    panel = tab.inner_text(".cr-panel")
    assert RULES["tanh"].formula in panel  # the rule, from the table
    assert f"z\t{four(Z)}\t{four(DYDZ)}" in panel  # input z: its data and the local derivative dy/dz
    tab.click(f'g.node[data-node="{ids["w"]}"]')
    panel = tab.inner_text(".cr-panel")
    assert "w (parameter)" in panel and f"data = {four(W)}" in panel
    assert f"grad = {four(X * DYDZ)}" in panel
    # the term via xw: upstream dy/dxw = dy/dz, local dxw/dw = x, product dy/dw
    assert f"xw\t{four(DYDZ)}\t{four(X)}\t{four(X * DYDZ)}" in panel
    tab.click(f'g.node[data-node="{ids["xw"]}"]')
    panel = tab.inner_text(".cr-panel")
    assert RULES["mul"].formula in panel
    assert f"x\t{four(X)}\t{four(W)}" in panel and f"w\t{four(W)}\t{four(X)}" in panel  # dxw/dx = w, dxw/dw = x


def test_clicking_an_operation_selects_the_value_it_makes(opened):
    tab, ids, _ = opened
    tab.click(f'g.node[data-node="{ids["z"]}"]:has(ellipse)')  # the "+" operation
    assert tab.get_attribute(".cr-panel", "data-node") == ids["z"]
    assert RULES["add"].formula in tab.inner_text(".cr-panel")


def test_stepping_highlights_the_nodes_in_backwards_order_and_fills_their_gradients(opened):
    tab, ids, y = opened
    order = topological_order(y)
    expected = [f"v{order.index(frame.node)}" for frame in viz.backprop_steps(y)]  # backward's order
    seen = []
    for k in range(len(expected)):
        tab.click("button:has-text('next')")
        current = tab.eval_on_selector_all("g.node.cr-current[data-node]", "gs => gs.map(g => g.dataset.node)")
        seen.append(sorted(set(current)))
        unknown = tab.eval_on_selector_all("g.node text",
                                           "ts => ts.filter(t => t.textContent === 'grad ?').length")
        assert unknown == len(expected) - k - 1  # the nodes backward has not reached yet
    assert seen == [[node] for node in expected]
    assert tab.is_disabled("button:has-text('next')")
    caption = tab.inner_text(".cr-caption")
    assert caption.startswith(f"step {len(expected)} of {len(expected)}") and four(W * DYDZ) in caption
    tab.click("button:has-text('prev')")
    assert tab.get_attribute("g.node.cr-current[data-node]", "data-node") == expected[-2]


def test_a_wrong_practice_answer_gets_a_hint_and_the_sum_only_on_show_answer(opened):
    tab, ids, _ = opened
    tab.check("input.cr-practice")
    texts = tab.eval_on_selector_all("g.node text", "ts => ts.map(t => t.textContent)")
    assert "grad ?" in texts and not any(t.startswith("grad ") and t != "grad ?" for t in texts)
    tab.click(f'g.node[data-node="{ids["x"]}"]')
    tab.fill("input.cr-answer-input", "0.5")
    tab.press("input.cr-answer-input", "Enter")
    verdict = tab.inner_text(".cr-verdict.cr-wrong")
    assert verdict.startswith("not yet") and "used by xw" in verdict
    panel = tab.inner_text(".cr-panel")
    assert four(W * DYDZ) not in panel and four(DYDZ) not in panel  # neither dy/dx nor its upstream
    assert tab.eval_on_selector(f'g.node[data-node="{ids["x"]}"]', "g => g.classList.contains('cr-wrong')")
    tab.click("button:has-text('show answer')")
    # the chain rule's sum: upstream dy/dxw = dy/dz times local dxw/dx = w, via xw, equals dy/dx
    shown = tab.inner_text(".cr-panel .cr-sum")
    assert four(DYDZ) in shown and f"({four(W)})" in shown and "xw" in shown
    assert shown.endswith(f"= {four(W * DYDZ)}")
    last_text = "g => [...g.querySelectorAll('text')].pop().textContent"
    shown_grad = tab.eval_on_selector(f'g.node[data-node="{ids["x"]}"]', last_text)
    assert shown_grad == f"grad {four(W * DYDZ)}"
    tab.click(f'g.node[data-node="{ids["w"]}"]')
    tab.fill("input.cr-answer-input", four(X * DYDZ))
    tab.press("input.cr-answer-input", "Enter")
    assert tab.inner_text(".cr-verdict.cr-right").startswith("right")
    assert tab.inner_text(".cr-score").startswith("score: 1 of 2 right without help")


def test_two_explorers_on_one_page_work_independently(page, tmp_path):  # noqa: F811
    # a notebook shows many outputs in one document: the fragment uses no ids
    y, _ = neuron()
    fragment = viz.explore(y).page().fragment
    other = viz.explore("x ** 2", x=3.0).page().fragment
    (tmp_path / "two.html").write_text(f"<!DOCTYPE html><html><body>{fragment}{other}</body></html>")
    page.goto((tmp_path / "two.html").as_uri())
    roots = page.query_selector_all(".cr-explorer.cr-live")
    assert len(roots) == 2
    roots[1].query_selector('g.node[data-node="v0"]').click()
    assert "grad = 6.0000" in roots[1].query_selector(".cr-panel").inner_text()  # d(x^2)/dx = 2x
    assert "No node selected" in roots[0].query_selector(".cr-panel").inner_text()


def test_readme_screenshot(page, tmp_path):  # noqa: F811
    # the picture in the README: practice mode, y answered right, a wrong dy/dz with two hints,
    # the code pane marking the line that made z and the line that uses it
    with record_source():
        y, nodes = neuron()
    page.goto(viz.explore(y, params=[nodes["w"], nodes["b"]]).save(tmp_path / "readme.html").as_uri())
    ids = {node.label: f"v{i}" for i, node in enumerate(topological_order(y))}
    page.check("input.cr-practice")
    page.click(f'g.node[data-node="{ids["y"]}"]')
    page.fill("input.cr-answer-input", "1")
    page.press("input.cr-answer-input", "Enter")
    page.click(f'g.node[data-node="{ids["z"]}"]')
    page.fill("input.cr-answer-input", "1")
    page.press("input.cr-answer-input", "Enter")
    page.click(".cr-answer button:has-text('hint')")
    panel = page.inner_text(".cr-panel")
    assert "local: dy/dz" in panel and four(DYDZ) not in panel  # a hint, not the answer
    assert page.inner_text(".cr-code .cr-made") .strip().endswith("z = xw + b")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".cr-explorer").screenshot(path=str(ARTEFACTS / "explorer.png"))
    assert (ARTEFACTS / "explorer.png").stat().st_size > 10_000
    # docs/images/explorer.png is a committed copy of this artefact (refreshed by hand when the page changes)
    assert (ROOT / "docs" / "images" / "explorer.png").is_file()


def test_the_committed_notebook_shows_a_working_explorer_without_a_kernel(page, tmp_path):  # noqa: F811
    # notebook 09's explorer output, as a notebook viewer that runs scripts (but no kernel) shows it
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "09_backprop_step_by_step.ipynb", as_version=4)
    pages = [output["data"]["text/html"] for cell in nb.cells if cell.cell_type == "code"
             for output in cell.get("outputs", []) if "cr-explorer" in output.get("data", {}).get("text/html", "")]
    assert pages, "notebook 09 has no explorer output"
    (tmp_path / "output.html").write_text(f"<!DOCTYPE html><html><body>{pages[0]}</body></html>")
    page.goto((tmp_path / "output.html").as_uri())
    page.check("input.cr-practice")
    page.click('g.node[data-node="v0"]')  # a = 2 in c = ab, d = c + a, e = tanh d: de/da = b + 1 = 0
    page.fill("input.cr-answer-input", "-1")
    page.press("input.cr-answer-input", "Enter")
    assert page.inner_text(".cr-verdict.cr-wrong").startswith("not yet")
    page.click("button:has-text('show answer')")
    assert page.inner_text(".cr-panel .cr-sum").endswith("= 0.0000")


def test_a_wide_graph_opens_at_natural_size_and_pans_by_dragging(page, tmp_path):  # noqa: F811
    # the demo's neuron (o = tanh via exp, 14 nodes side by side) is wider than the window: fitted,
    # its labels would be about 8 px; it opens at natural size (text >= 11 px) and a drag pans it
    from viz.examples import neuron as demo_neuron

    o, params = demo_neuron()
    page.goto(viz.explore(o, params=params, rankdir="LR").save(tmp_path / "wide.html").as_uri())
    heights = page.eval_on_selector(
        ".cr-graph svg", "s => [...s.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)")
    assert min(heights) >= 11.0
    port = page.eval_on_selector(".cr-viewport", "v => v.getBoundingClientRect().toJSON()")
    graph = page.eval_on_selector(".cr-graph svg", "s => s.getBoundingClientRect().toJSON()")
    assert graph["width"] > port["width"]  # wider than its box
    start = graph["left"]
    page.mouse.move(port["left"] + 300, port["bottom"] - 10)
    page.mouse.down()
    page.mouse.move(port["left"] + 500, port["bottom"] - 10, steps=5)
    page.mouse.up()
    moved = page.eval_on_selector(".cr-graph svg", "s => s.getBoundingClientRect().left")
    assert moved == pytest.approx(start + 200, abs=1)
    assert "No node selected" in page.inner_text(".cr-panel")  # a drag is not a click
