"""The automatic layout: no picture a long thin strip; matrix collapse and one example of a batch."""

from __future__ import annotations

import re

import pytest
from test_viz_svgtools import svg_texts

import nn
from autograd import Value
from viz import draw_dot
from viz.layout import MAX_WIDTH

PAGE = 1200  # px: a notebook page; 1 pt = 4/3 px


def size_pt(picture) -> tuple[float, float]:
    width, height = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', picture.to_svg()).groups()
    return float(width), float(height)


def sigmoid_chain(n: int) -> Value:
    x = Value(0.5, label="x")
    h = x
    for _ in range(n):
        h = h.sigmoid()
    h.label = "y"
    h.backward()
    return h


def test_a_long_chain_is_wrapped_into_rows_not_a_strip():
    picture = draw_dot(sigmoid_chain(50), shade_grad=True)
    width, height = size_pt(picture)
    # was 13,000 pt by 95 pt; rows keep room for every edge's chain-rule label (one layout for every variant)
    assert width * 4 / 3 <= PAGE and height <= 4 * width
    texts = svg_texts(picture.to_svg())
    assert texts.count("sigmoid") == 50  # every node still drawn
    connectors = [t for t in texts if t.isdigit()]
    assert connectors and connectors.count(connectors[0]) == 2  # a row ends and the next starts with the number


def test_a_short_chain_reads_left_to_right():
    picture = draw_dot(sigmoid_chain(2))
    assert "rankdir=LR" in picture.source
    width, height = size_pt(picture)
    assert width <= MAX_WIDTH and width > height


def test_a_wide_layer_goes_left_to_right_not_a_wide_strip():
    layer = nn.Layer(3, 12, activation="tanh", seed=0)
    outs = layer([Value(0.5, label="x0"), Value(-1.0, label="x1"), Value(2.0, label="x2")])
    total = outs[0]
    for out in outs[1:]:
        total = total + out
    total.backward()
    picture = draw_dot(outs, params=layer)
    width, height = size_pt(picture)
    top_to_bottom = size_pt(draw_dot(outs, "TB", params=layer))
    assert "rankdir=LR" in picture.source and top_to_bottom[0] > 3 * width  # twelve neurons side by side
    assert 1 / 3 <= width / height <= 3


def test_a_deep_mlp_is_neither_a_wide_nor_a_tall_strip():
    model = nn.MLP(1, [1] * 12, activation="tanh", seed=0)
    out = model([0.3])
    out.backward()
    picture = draw_dot(out, collapse=model, collapse_level="neuron")
    width, height = size_pt(picture)
    assert width * 4 / 3 <= PAGE and 1 / 3 <= width / height <= 3


def batch_loss():
    model = nn.MLP(2, [4, 4, 1], seed=0)
    X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.1, 0.1]]
    loss = nn.losses.mse([model(x) for x in X], [1.0, -1.0, 1.0, -1.0])
    loss.backward()
    return model, loss


def test_matrix_collapse_draws_an_mlp_batch_in_about_forty_boxes():
    model, loss = batch_loss()
    assert draw_dot(loss, collapse=model).node_count > 80
    picture = draw_dot(loss, collapse=model, collapse_level="matrix")
    assert picture.node_count <= 40
    texts = svg_texts(picture.to_svg())
    for shape in ("W (4 x 2)", "W (4 x 4)", "W (1 x 4)"):
        assert texts.count(shape) == 1
    assert texts.count("b (4)") == 2 and texts.count("b (1)") == 1
    # each W box shows the sum of |grad| over its entries, as backward computed them
    for i, layer in enumerate(model.layers):
        total = sum(abs(w.grad) for n in layer.neurons for w in n.w)
        assert f"layers.{i}" in texts and f"\u03a3|grad| {total:.4f}" in texts
    # one edge per layer and example from W into the layer's box, not one per weight
    w_box = re.search(r'(box\d+) \[label="[^"]*W \(4 x 2\)', picture.source).group(1)
    assert len(re.findall(rf"^\s*{w_box} -> ", picture.source, flags=re.M)) == 4


def test_example_draws_one_example_of_a_batch():
    model, loss = batch_loss()
    picture = draw_dot(loss, collapse=model, collapse_level="matrix", example=2)
    texts = svg_texts(picture.to_svg())
    assert picture.node_count < 25 and "the other 3 examples" in texts
    assert "(example=2 is drawn)" in texts
    one = draw_dot(loss, example=1, collapse=model)
    assert one.node_count < draw_dot(loss, collapse=model).node_count
    assert svg_texts(one.to_svg()).count("4 neurons") == 2  # layers.0 and layers.1 of one example
    with pytest.raises(ValueError, match="from 0 to 3"):
        draw_dot(loss, collapse=model, example=4)
    with pytest.raises(ValueError, match="needs collapse=model"):
        draw_dot(loss, example=0)


def test_legend_is_one_row_under_the_graph_and_left_out_for_small_ones():
    x = Value(2.0, label="x")
    small = draw_dot((x * 3).tanh())
    assert small.legend_source == "" and "operation" in draw_dot((x * 3).tanh(), legend=True).legend_source
    big = draw_dot(sigmoid_chain(8))
    svg = big.to_svg()
    ys = {}
    for name in ("legend_input", "legend_op", "v0", "v8"):
        block = re.search(rf"<title>{name}</title>.*?</g>", svg, flags=re.S).group(0)
        ys[name] = max(float(y) for y in re.findall(r'\by="(-?[0-9.]+)"', block))
    assert abs(ys["legend_input"] - ys["legend_op"]) < 2  # one row
    graph_height = float(re.findall(r'<svg x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="([0-9.]+)"', svg)[0])
    legend_top = float(re.findall(r'<svg x="[0-9.]+" y="([0-9.]+)"', svg)[1])
    assert legend_top >= graph_height  # under the graph
    assert draw_dot(sigmoid_chain(8), legend=False).legend_source == ""
