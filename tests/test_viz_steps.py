"""backprop_steps: one frame per node in the order backward completes the gradients."""

from __future__ import annotations

import math
import re

import pytest
from test_viz_svgtools import svg_texts

from autograd import Value
from viz import backprop_steps


def neuron():
    """y = tanh(x w + b): dy/db = 1 - y^2, dy/dw = x (1 - y^2), dy/dx = w (1 - y^2)."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    xw = x * w
    xw.label = "xw"
    z = xw + b
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    return y, {"x": x, "w": w, "b": b, "xw": xw, "z": z, "y": y}


def test_one_frame_per_node_each_after_every_node_that_uses_it():
    y, nodes = neuron()
    frames = backprop_steps(y)
    assert len(frames) == len(nodes)
    assert frames[0].node is y and frames[0].grad == 1.0
    position = {id(frame.node): i for i, frame in enumerate(frames)}
    for frame in frames:
        for parent in frame.node.parents:  # a node's gradient is complete only after its users'
            assert position[id(parent)] > position[id(frame.node)]


def test_frames_carry_the_hand_derived_gradients():
    y, nodes = neuron()
    t = math.tanh(2.0 * -3.0 + 6.88)
    expected = {"y": 1.0, "z": 1 - t**2, "xw": 1 - t**2, "b": 1 - t**2, "w": 2.0 * (1 - t**2), "x": -3.0 * (1 - t**2)}
    got = {frame.node.label: frame.grad for frame in backprop_steps(y)}
    assert got == pytest.approx(expected, rel=1e-12)


def test_each_frame_shows_only_the_gradients_filled_so_far():
    y, _ = neuron()
    frames = backprop_steps(y)
    for k, frame in enumerate(frames, start=1):
        source = frame.picture.source
        assert source.count("grad ?") == len(frames) - k
        assert f"step {k} of {len(frames)}" in frame.picture.to_svg()  # the caption, drawn above
        assert re.search(r'color="#d62728"[^\n]*penwidth=3', source)  # the current node, outlined in red


def test_gradients_of_the_graph_are_left_untouched():
    y, nodes = neuron()
    nodes["x"].grad = 5.0  # a leaf gradient accumulated earlier by the user
    backprop_steps(y)
    assert nodes["x"].grad == 5.0 and nodes["w"].grad == 0.0 and y.grad == 0.0


def test_saved_as_numbered_svg_files(tmp_path):
    y, _ = neuron()
    paths = backprop_steps(y).save(tmp_path / "frames")
    assert [p.name for p in paths] == [f"step_{i:03d}.svg" for i in range(1, 7)]
    last = svg_texts(paths[-1].read_text(encoding="utf-8"))
    assert "grad ?" not in last
    assert f"grad {-3.0 * (1 - math.tanh(0.88) ** 2):.4f}" in last


def test_html_slider_holds_every_frame():
    y, _ = neuron()
    page = backprop_steps(y)._repr_html_()
    assert page.count('class="frame"') == 6 and 'type="range"' in page and 'max="5"' in page
    assert "<?xml" not in page
    assert "step 1 of 6" in page


def test_html_slider_is_the_same_every_time():
    # committed notebooks must not change when re-run on the same graph
    assert backprop_steps(neuron()[0]).to_html() == backprop_steps(neuron()[0]).to_html()


def test_large_graphs_and_bad_roots_are_refused():
    x = Value(1.0)
    y = x
    for _ in range(30):
        y = y + 1
    with pytest.raises(ValueError, match="max_steps=20"):
        backprop_steps(y, max_steps=20)
    assert len(backprop_steps(y, max_steps=40)) == 31  # x and 30 sums; the constants are inline
    with pytest.raises(TypeError, match="Value"):
        backprop_steps(3.0)
