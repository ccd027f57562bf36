"""viz.explore, kernel side: the numbers it sends, the sliders' recomputation, the saved page.

References are hand formulas, or the same expression built afresh with the new numbers (a new
graph and a new backward pass, not the explorer's in-place recomputation).
"""

from __future__ import annotations

import json
import math
import re

import pytest

import viz
from autograd import RULES, Value, topological_order
from viz.expression import evaluate

pytest.importorskip("anywidget")

EXPRESSION = "tanh(x*w + b) * x + log(b)"


def fresh(values: dict[str, float]) -> tuple[Value, list[Value]]:
    """The expression built anew with ``values``, after backward: the reference."""
    variables = {name: Value(v, label=name) for name, v in values.items()}
    root = evaluate(EXPRESSION, variables)
    root.backward()
    return root, topological_order(root)


def test_a_node_carries_its_rule_inputs_local_derivatives_and_terms():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    y.label = "y"
    graph = viz.explore(y, params=[w]).graph
    order = topological_order(y)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    t = math.tanh(-6.0)
    top = graph["nodes"][ids[y]]
    assert top["rule"] == RULES["tanh"].formula and top["formula"].startswith(top["rule"])
    assert top["op"] == "tanh" and top["kind"] == "output"
    assert top["inputs"][0]["local"] == pytest.approx(1 - t * t)
    xw = graph["nodes"][ids[order[2]]]
    assert [p["local"] for p in xw["inputs"]] == [-3.0, 2.0]  # d(xw)/dx = w, d(xw)/dw = x
    assert graph["nodes"][ids[w]]["kind"] == "parameter" and graph["nodes"][ids[x]]["kind"] == "input"
    assert graph["nodes"][ids[w]]["grad"] == pytest.approx(2.0 * (1 - t * t))
    assert graph["order"] == [ids[n] for n in reversed(order)] and graph["output"] == ids[y]


def test_a_reused_node_sums_one_term_per_use():
    x = Value(1.5, label="x")
    f = x * x + x  # df/dx = 2x + 1: x * x reads x twice, + once
    f.label = "f"
    node = viz.explore(f).graph["nodes"]["v0"]
    assert len(node["terms"]) == 3
    assert sum(t["upstream"] * t["local"] for t in node["terms"]) == pytest.approx(2 * 1.5 + 1)
    assert node["grad"] == pytest.approx(4.0) and node["sum"].endswith("= 4.0000")


def test_explore_leaves_every_grad_as_it_was():
    x = Value(2.0, label="x")
    y = x * x
    viz.explore(y)
    assert x.grad == 0.0 and y.grad == 0.0


def test_a_slider_change_updates_every_nodes_numbers_and_keeps_the_layout():
    start = {"x": 0.5, "w": -1.0, "b": 2.0}
    explorer = viz.explore(EXPRESSION, **start, params="w,b")
    svg = explorer.svg
    ids = {s["name"]: s["id"] for s in explorer.sliders}
    assert set(ids) == {"x", "w", "b"}
    # what the page does when the x slider moves: a new leaf_values dict
    explorer.leaf_values = {**explorer.leaf_values, ids["x"]: 1.25}
    moved = {**start, "x": 1.25}
    _, reference = fresh(moved)
    nodes = explorer.graph["nodes"]
    assert len(nodes) == len(reference)
    for i, node in enumerate(reference):
        assert nodes[f"v{i}"]["data"] == pytest.approx(node.data, rel=1e-12), i
        assert nodes[f"v{i}"]["grad"] == pytest.approx(node.grad, rel=1e-12), i
    # hand formula: f = tanh(xw + b) x + log b, df/dx = (1 - tanh^2(xw + b)) w x + tanh(xw + b)
    t = math.tanh(1.25 * -1.0 + 2.0)
    assert nodes[ids["x"]]["grad"] == pytest.approx((1 - t * t) * -1.0 * 1.25 + t)
    assert nodes[ids["b"]]["grad"] == pytest.approx((1 - t * t) * 1.25 + 1 / 2.0)
    assert explorer.svg == svg  # the picture is not laid out again: only the numbers change
    assert explorer.error == ""


def test_set_moves_leaves_by_name_and_bad_values_leave_the_numbers_as_they_were():
    explorer = viz.explore("log(x) * y", x=2.0, y=3.0)
    explorer.set(y=-1.0)
    assert explorer.graph["nodes"][explorer.graph["output"]]["data"] == pytest.approx(-math.log(2.0))
    before = json.dumps(explorer.graph)
    with pytest.raises(ValueError, match="cannot compute the graph there"):
        explorer.set(x=-1.0)  # log of a negative number
    assert json.dumps(explorer.graph) == before
    with pytest.raises(ValueError, match="no leaf labelled z"):
        explorer.set(z=1.0)


def test_bad_input_gives_clear_errors():
    with pytest.raises(TypeError, match="Value or an expression string"):
        viz.explore(3.0)
    with pytest.raises(ValueError, match="unknown name 'y'"):
        viz.explore("x * y", x=1.0)
    with pytest.raises(ValueError, match="params names q"):
        viz.explore("x * 2", x=1.0, params="q")
    x = Value(1.0)
    big = x
    for _ in range(400):
        big = big + x
    with pytest.raises(ValueError, match="more than max_nodes"):
        viz.explore(big)
    with pytest.raises(ValueError, match=".html"):
        viz.explore("x * 2", x=1.0).save("graph.svg")


def test_saved_page_is_one_offline_file_with_the_numbers(tmp_path):
    explorer = viz.explore("tanh(x*w + b)", x=2.0, w=-3.0, b=6.88)
    path = explorer.save(tmp_path / "graph.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "crBoot(" in text and ".cr-explorer" in text
    assert not re.search(r"<link|<script[^>]+src=|<img[^>]+src=|@import|url\(", text)  # nothing fetched
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", text))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
                         "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"}, addresses
    data = json.loads(re.search(r'<script type="application/json" class="cr-data">(.*?)</script>', text).group(1))
    assert data == json.loads(json.dumps(explorer.graph))


def test_page_shows_in_a_notebook_as_html_with_a_picture_fallback():
    bundle = viz.explore("x * 2", x=1.0).page()._repr_mimebundle_()
    assert bundle["text/html"].startswith('<div class="cr-explorer">') and "<svg" in bundle["text/html"]
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_a_label_that_looks_like_markup_cannot_break_out_of_the_page(tmp_path):
    x = Value(1.0, label="</script><script>alert(1)</script>")
    text = viz.explore(x * 2).to_html()
    assert "<script>alert(1)" not in text


def test_chainrule_graph_writes_the_explorer_page(tmp_path, capsys):
    from viz.cli import main

    out = tmp_path / "graph.html"
    assert main(["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "--params", "w,b", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'class="cr-data">(.*?)</script>', text).group(1))
    t = math.tanh(2.0 * -3.0 + 6.88)
    grads = {node["name"]: node["grad"] for node in data["nodes"].values()}
    assert grads["w"] == pytest.approx(2.0 * (1 - t * t)) and grads["x"] == pytest.approx(-3.0 * (1 - t * t))
    kinds = {node["name"]: node["kind"] for node in data["nodes"].values()}
    assert kinds["w"] == kinds["b"] == "parameter" and kinds["x"] == "input"
    assert f"wrote {out}" in capsys.readouterr().out


def test_steps_and_terms_are_those_of_backprop_steps():
    x = Value(1.5, label="x")
    w = Value(-0.5, label="w")
    h = (x * w + x).tanh()
    f = h * x  # x used three times
    f.label = "f"
    graph = viz.explore(f).graph
    ids = {node: f"v{i}" for i, node in enumerate(topological_order(f))}
    frames = viz.backprop_steps(f)
    assert graph["order"] == [ids[frame.node] for frame in frames]
    for frame in frames:
        terms = [(t["use"], t["upstream"], t["local"]) for t in graph["nodes"][ids[frame.node]]["terms"]]
        assert terms == [(ids.get(t.use), t.upstream, t.local) for t in frame.terms]
    t = math.tanh(1.5 * -0.5 + 1.5)  # df/dx = h + x (1 - h^2)(w + 1), by hand
    assert graph["nodes"][ids[x]]["grad"] == pytest.approx(t + 1.5 * (1 - t * t) * (-0.5 + 1))


def test_the_widget_carries_the_page_for_front_ends_without_a_kernel():
    bundle, _ = viz.explore("x * 2", x=1.0)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="cr-explorer">') and "crBoot(" in bundle["text/html"]


def test_chainrule_graph_html_refuses_shade_grad(tmp_path, capsys):
    from viz.cli import main

    assert main(["graph", "x*2", "x=1", "--shade-grad", "-o", str(tmp_path / "g.html")]) == 2
    assert "--shade-grad" in capsys.readouterr().err and not (tmp_path / "g.html").exists()


def test_sliders_work_on_a_copy_and_leave_the_given_graph_as_it_was():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh() - 2 * x  # rsub-free, but a constant on the left: mul by 2, then sub
    y.label = "y"
    y.backward()
    explorer = viz.explore(y, params=[w])
    explorer.set(x=0.5, w=1.0)
    t = math.tanh(0.5)
    nodes = explorer.graph["nodes"]
    assert nodes[explorer.graph["output"]]["data"] == pytest.approx(t - 1.0)
    assert nodes["v0"]["grad"] == pytest.approx((1 - t * t) * 1.0 - 2)  # dy/dx = (1 - tanh^2) w - 2
    assert nodes["v1"]["kind"] == "parameter" and nodes["v1"]["grad"] == pytest.approx((1 - t * t) * 0.5)
    assert (x.data, w.data, y.data) == (2.0, -3.0, math.tanh(-6.0) - 4.0)  # the user's graph is untouched
    assert x.grad == pytest.approx((1 - math.tanh(-6.0) ** 2) * -3.0 - 2)
    y.backward()  # and still usable


def test_after_a_refused_value_the_sliders_go_back_to_the_numbers_shown():
    explorer = viz.explore("log(x) + y", x=2.0, y=1.0)
    with pytest.raises(ValueError, match="log"):
        explorer.set(x=-1.0)
    assert explorer.leaf_values == {"v0": 2.0, "v2": 1.0}
    explorer.set(y=3.0)  # moving another leaf works again
    assert explorer.graph["nodes"][explorer.graph["output"]]["data"] == pytest.approx(math.log(2.0) + 3.0)


def test_a_batch_loss_opens_as_boxes_in_an_order_backward_could_use():
    import nn

    model = nn.MLP(2, [4, 4, 1], seed=0)
    data = [([1.0, -0.5], 1.0), ([0.3, 0.8], -1.0), ([-1.0, 0.2], 1.0), ([0.5, 0.5], -1.0)]
    loss = sum((model([Value(a), Value(b)]) - y) ** 2 for (a, b), y in data) * 0.25
    order = topological_order(loss)
    assert len(order) > 300  # more than a graph without modules may have
    collapsed = viz.explore(loss, params=model).graph["collapsed"]
    assert collapsed["level"] == "matrix" and len(collapsed["order"]) < len(order) / 4
    drawn = {f"v{i}": collapsed["place"].get(f"v{i}", f"v{i}") for i in range(len(order))}
    step = {item: k for k, item in enumerate(collapsed["order"])}
    for i, node in enumerate(order):  # each drawn item comes after every item that reads it
        for parent in node.parents:
            here, there = drawn[f"v{i}"], drawn[f"v{order.index(parent)}"]
            assert here == there or step[here] < step[there]
    boxes = collapsed["boxes"]
    assert sum(box["size"] for box in boxes.values()) == len(collapsed["place"])
    with pytest.raises(ValueError, match="more than max_nodes=300"):
        viz.explore(loss)  # without the modules: too big to show node by node
