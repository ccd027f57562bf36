"""Collapsing neurons and layers into boxes, and the size limit for large graphs."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from test_viz_svgtools import svg_texts

import nn
from autograd import Value, topological_order
from viz.collapse import module_boxes
from viz.graph import MAX_NODES, draw_dot


def ancestors_or_self(node: Value) -> set[Value]:
    seen, stack = {node}, [node]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def brute_force_region(order, params, out):
    """The spec, literally: descendants-or-self of the parameters that are ancestors-or-self of out."""
    return {node for node in ancestors_or_self(out) if ancestors_or_self(node) & set(params)}


def box_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if re.match(r"\s*box\d+ \[", line)]


def test_a_neuron_box_holds_its_products_sum_and_activation():
    neuron = nn.Neuron(2, activation="tanh", seed=1)
    neuron.name = "n"
    x = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    out = neuron(x)
    out.backward()
    picture = draw_dot(out, collapse=neuron)
    [line] = box_lines(picture.source)
    # w0 x0, w1 x1, b + w0 x0, + w1 x1, tanh: five nodes (D11); w, b and x stay outside
    z = neuron.b.data + neuron.w[0].data * 0.5 + neuron.w[1].data * -1.5
    assert "n | { 5 nodes" in line and f"data {math.tanh(z):.4f}" in line
    assert picture.node_count == 3 + 2 + 1  # parameters, inputs, the box
    texts = svg_texts(picture.to_svg())
    for w, xi in zip(neuron.w, (0.5, -1.5), strict=True):
        assert f"grad {(1 - math.tanh(z) ** 2) * xi:.4f}" in texts and f"data {w.data:.4f}" in texts
    assert "tanh" not in texts  # the activation is inside the box


def test_regions_match_the_definition_for_every_neuron():
    model = nn.MLP(3, [4, 2], activation="tanh", seed=0)
    xs = [[Value(v) for v in row] for row in np.random.default_rng(0).normal(size=(2, 3))]
    loss = nn.mse([model(x) for x in xs], [[1.0, 0.0], [0.0, 1.0]])
    order = topological_order([loss])
    for layer in model.layers:
        for neuron in layer.neurons:
            boxes = module_boxes(order, neuron)
            assert len(boxes) == 2  # one per example
            for box in boxes:
                assert box.members == brute_force_region(order, neuron.parameters(), box.outputs[0])


def test_layer_boxes_unite_the_neurons_of_one_example():
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.3, -0.7])  # plain-number inputs: the products hold them as constants
    out.backward()
    source = draw_dot(out, collapse=model).source
    lines = box_lines(source)
    assert len(lines) == 2
    assert "layers.0 | { 3 neurons | 15 nodes" in lines[0]  # 3 x (2 products, 2 sums, relu)
    assert "layers.1 | { 1 neuron | 6 nodes" in lines[1]  # 3 products, 3 sums, no activation
    by_neuron = box_lines(draw_dot(out, collapse=model, collapse_level="neuron").source)
    assert len(by_neuron) == 4 and all("neurons." in line and " neuron" not in line for line in by_neuron)


def test_a_batch_gets_one_box_per_example_with_the_weights_shared_outside():
    model = nn.MLP(2, [3, 1], seed=0)
    X, y = nn.make_moons(3, seed=0)
    loss = nn.hinge([model(row) for row in X], y)
    loss.backward()
    source = draw_dot(loss, collapse=model).source
    lines = box_lines(source)
    assert len(lines) == 6
    assert sorted(re.search(r"(layers\.\d \[\d\])", line).group(1) for line in lines) == [
        "layers.0 [0]", "layers.0 [1]", "layers.0 [2]", "layers.1 [0]", "layers.1 [1]", "layers.1 [2]"]
    weight_rows = [line for line in source.splitlines() if "layers.0.\\nneurons.0.\\nw0 |" in line]  # broken after dots
    assert len(weight_rows) == 1  # drawn once, with its accumulated gradient
    name = re.match(r"\s*(v\d+) ", weight_rows[0]).group(1)
    assert len(re.findall(rf"^\s*{name} -> box\d+$", source, flags=re.MULTILINE)) == 3


def test_nested_modules_fold_into_the_outer_box():
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.3, -0.7])
    source = draw_dot(out, collapse=[model, model.layers[0].neurons[0]]).source
    assert len(box_lines(source)) == 2 and "layers.0.neurons.0 |" not in source


def test_collapsed_dot_text_is_deterministic():
    def picture():
        model = nn.MLP(2, [3, 1], seed=0)
        X, y = nn.make_moons(3, seed=0)
        loss = nn.hinge([model(row) for row in X], y)
        loss.backward()
        return draw_dot(loss, collapse=model).source

    assert picture() == picture()


def test_collapse_errors_are_clear():
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.3, -0.7])
    with pytest.raises(ValueError, match="no output of the given modules"):
        draw_dot(out, collapse=nn.MLP(2, [2, 1], seed=1))
    with pytest.raises(TypeError, match="collapse"):
        draw_dot(out, collapse="layers.0")
    with pytest.raises(ValueError, match="collapse_level"):
        draw_dot(out, collapse=model, collapse_level="weights")
    lonely = nn.Neuron(2, seed=0)
    with pytest.raises(ValueError, match="no name"):
        draw_dot(lonely([1.0, 2.0]), collapse=lonely)


def test_a_graph_over_the_limit_is_summarised_not_drawn():
    x = Value(1.0, label="x")
    y = x
    for _ in range(700):  # 701 values, 700 operations, 700 constants: over 2,000 nodes
        y = y * 1.001
    picture = draw_dot(y)
    assert picture.summarised and picture.node_count == 2101 > MAX_NODES
    texts = " ".join(svg_texts(picture.to_svg()))
    assert "2,101 nodes" in texts and "collapse=model" in texts and "max_nodes=2101" in texts
    assert "data" not in picture.source
    assert not draw_dot(y, max_nodes=2101).summarised


def test_collapsing_brings_a_network_under_the_limit():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    out = model([0.3, -0.7])
    full = draw_dot(out, max_nodes=1000)
    assert full.summarised and full.node_count > 1000
    collapsed = draw_dot(out, collapse=model, max_nodes=1000)
    assert not collapsed.summarised
    assert collapsed.node_count == len(model.parameters()) + 3  # parameters and one box per layer


def test_shaded_neuron_boxes_on_a_dark_fill_have_white_text():
    from viz.style import DARK_FILLS

    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.3, -0.7])
    out.backward()
    lines = box_lines(draw_dot(out, collapse=model, collapse_level="neuron", shade_grad=True).source)
    fills = [re.search(r'fillcolor="([^"]+)"', line).group(1) for line in lines]
    dark = [line for line, fill in zip(lines, fills, strict=True) if fill in DARK_FILLS]
    assert dark  # the output neuron has the largest |grad|, the darkest fill
    assert all("fontcolor=white" in line for line in dark)
    assert not any("fontcolor" in line for line, fill in zip(lines, fills, strict=True) if fill not in DARK_FILLS)
