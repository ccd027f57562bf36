"""Matrix collapse of MLP(3, [4, 4, 1]) on 4 examples: example boxes in index order, each layer's W and b
between the layers they connect, the batch sum one box, and W and b as heat maps of their gradients."""

from __future__ import annotations

import html
import re

import pytest

import nn
from autograd import topological_order
from viz import draw_dot
from viz.chain import number
from viz.collapse import module_boxes

X = [[0.5, -1.0, 0.2], [1.5, 0.3, -0.4], [-0.7, 0.8, 0.1], [0.1, 0.1, 0.9]]
Y = [1.0, -1.0, 1.0, -1.0]


@pytest.fixture(scope="module")
def batch():
    model = nn.MLP(3, [4, 4, 1], seed=0)
    loss = nn.losses.mse([model(row) for row in X], Y)
    loss.backward()
    picture = draw_dot(loss, collapse=model, collapse_level="matrix")
    return model, loss, picture, picture.to_svg()


def boxes_in(svg: str) -> dict[str, tuple[float, float, str]]:
    """Each box's first text (with its layer for a W or b box) -> (x, y) of that text, and its SVG."""
    found = {}
    for group in re.findall(r'<g id="node\d+" class="node">\s*<title>box\d+</title>(.*?)</g>', svg, flags=re.S):
        texts = re.findall(r'<text[^>]* x="([-0-9.]+)" y="([-0-9.]+)"[^>]*>([^<]*)</text>', group)
        x, y, first = texts[0]
        name = html.unescape(first) + (f" {texts[1][2]}" if first[:3] in ("W (", "b (") else "")
        found[name] = (float(x), float(y), group)
    return found


def test_each_box_holds_its_own_example_in_index_order(batch):
    model, loss, _, svg = batch
    boxes = module_boxes(topological_order(loss), model, "matrix")
    for k, row in enumerate(X):  # the first layer's box [k] multiplies the numbers of example k
        (box,) = [b for b in boxes if b.name == f"layers.0 [{k}]"]
        assert sorted({n.constant for n in box.members if n.constant is not None}) == sorted(set(row))
    drawn = boxes_in(svg)
    for family in ("layers.0", "layers.1", "layers.2", "loss term"):
        xs = [drawn[f"{family} [{k}]"][0] for k in range(4)]
        ys = [drawn[f"{family} [{k}]"][1] for k in range(4)]
        across, down = xs == sorted(xs) and len(set(ys)) == 1, ys == sorted(ys) and len(set(xs)) == 1
        assert across or down, (family, xs, ys)  # one row left to right, or one column top to bottom


def test_weights_and_biases_sit_between_the_layers_they_connect(batch):
    _, _, _, svg = batch
    drawn = boxes_in(svg)
    depth = lambda name: drawn[name][1]  # noqa: E731 - top to bottom
    for k in (1, 2):
        before, after = depth(f"layers.{k - 1} [0]"), depth(f"layers.{k} [0]")
        for which in ("W", "b"):
            (box,) = [name for name in drawn if name.startswith(f"{which} (") and name.endswith(f"layers.{k}")]
            assert before < depth(box) < after, (which, k)


def test_the_batch_sum_is_one_box_of_every_term(batch):
    _, loss, picture, svg = batch
    sums = [name for name in boxes_in(svg) if name.startswith("batch sum")]
    assert sums == ["batch sum of 4"]
    total = loss.parents[0]  # loss = (t0 + t1 + t2 + t3) * (1/4)
    assert f"data {number(total.data)}" in boxes_in(svg)["batch sum of 4"][2]
    assert picture.source.count("_op [label=\"+\"") == 0  # no addition left outside the box


def test_w_and_b_show_each_entrys_gradient_as_a_heat_map_cell(batch):
    model, _, _, svg = batch
    for k, layer in enumerate(model.layers):
        (w_group,) = [g for name, (_, _, g) in boxes_in(svg).items() if name.startswith("W (")
                      and name.endswith(f"layers.{k}")]
        tips = re.findall(r'<rect class="cr-heat"[^>]*><title>([^<]*)</title>', w_group)
        expected = [f"W[{i}][{j}]: grad {number(w.grad)}" for i, neuron in enumerate(layer.neurons)
                    for j, w in enumerate(neuron.w)]
        assert tips == expected
        (b_group,) = [g for name, (_, _, g) in boxes_in(svg).items() if name.startswith("b (")
                      and name.endswith(f"layers.{k}")]
        tips = re.findall(r'<rect class="cr-heat"[^>]*><title>([^<]*)</title>', b_group)
        assert tips == [f"b[{i}]: grad {number(neuron.b.grad)}" for i, neuron in enumerate(layer.neurons)]


def test_the_matrix_picture_fits_a_notebook_page(batch):
    width = float(re.search(r'<svg width="([0-9.]+)pt"', batch[3]).group(1))
    assert width * 4 / 3 <= 1200
