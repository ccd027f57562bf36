"""draw_dot: every node's label, data and grad in valid SVG, node kinds, determinism, shading."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from test_viz_svgtools import BACKENDS, svg_texts

import viz
from autograd import Value
from viz.graph import draw_dot


def micrograd_neuron():
    """micrograd's README neuron: o = tanh(x1 w1 + x2 w2 + b), written out with exp."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.label = "o"
    o.backward()
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n}


def expected_neuron_numbers():
    """Hand formulas: o = tanh(n), do/dn = 1 - o^2, do/dw1 = x1 (1 - o^2), ... (D3 with one layer)."""
    x1, x2, w1, w2, b = 2.0, 0.0, -3.0, 1.0, 6.8813735870195432
    n = x1 * w1 + x2 * w2 + b
    o = np.tanh(n)
    dn = 1 - o**2
    data = {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}
    grad = {"x1": w1 * dn, "x2": w2 * dn, "w1": x1 * dn, "w2": x2 * dn, "b": dn, "n": dn, "o": 1.0}
    return data, grad


@pytest.mark.parametrize("backend", BACKENDS)
def test_svg_parses_and_holds_every_label_value_and_gradient(backend):
    o, _ = micrograd_neuron()
    svg = draw_dot(o, backend=backend).to_svg()
    texts = svg_texts(svg)
    data, grad = expected_neuron_numbers()
    for name in data:
        assert name in texts
        assert f"data {data[name]:.4f}" in texts, name
        assert f"grad {grad[name]:.4f}" in texts, name
    # the exp node: e = exp(2n), de = do/dn / 2 / ... checked through do/de = 2/(e+1)^2
    e = math.exp(2 * data["n"])
    assert f"data {e:.4f}" in texts
    assert f"grad {2 / (e + 1) ** 2:.4f}" in texts
    assert texts.count("exp") == 1 and texts.count("\u00d7") == 3  # x1*w1, x2*w2, 2*n


def test_kinds_look_different_and_the_legend_names_them():
    o, v = micrograd_neuron()
    source = draw_dot(o, params=[v["w1"], v["w2"], v["b"]]).source
    lines = {name: _node_line(source, label) for name, label in
             [("w1", "w1"), ("x1", "x1"), ("n", "n"), ("o", "o")]}
    fills = {name: re.search(r'fillcolor="([^"]+)"', line).group(1) for name, line in lines.items()}
    assert len(set(fills.values())) == 4, fills  # parameter, input, intermediate, output
    assert "penwidth=3" in lines["o"]
    legend = draw_dot(o, params=[v["w1"], v["w2"], v["b"]], legend=True).legend_source
    for text in ("parameter (learned)", "input (other leaf)", "intermediate value", "output (root)", "operation"):
        assert text in legend


def test_without_params_every_leaf_is_an_input():
    o, _ = micrograd_neuron()
    source = draw_dot(o).source
    assert "parameter (learned)" not in draw_dot(o, legend=True).legend_source
    assert _node_line(source, "w1").count("#d6eaf8") == 1  # the input fill


def test_params_accepts_a_module_like_list_and_rejects_other_things():
    o, v = micrograd_neuron()
    assert "parameter (learned)" in draw_dot(o, params=[[v["w1"]], v["b"]], legend=True).legend_source
    with pytest.raises(TypeError, match="params"):
        draw_dot(o, params=[3.0])


def test_constants_are_small_nodes_and_ordered_ops_say_which_operand_is_which():
    x = Value(3.0, label="x")
    y = (2 - x) / (x ** 2)
    y.backward()
    source = draw_dot(y).source
    assert 'label="-"' in source and 'label="/"' in source and 'label="^"' in source  # the operations
    assert "label=subtracted" in source and "label=numerator" in source and "label=denominator" in source
    assert "label=base" in source and "label=exponent" in source  # which operand is which
    assert re.search(r"_c \[label=2 .*dashed", source)
    # d/dx (2 - x) / x^2 = -1/x^2 - 2(2 - x)/x^3
    assert f"grad {-1 / 9 - 2 * (2 - 3) / 27:.4f}" in source


def test_alpha_of_leaky_relu_is_shown_as_alpha():
    x = Value(-2.0, label="x")
    source = draw_dot(x.leaky_relu(0.05)).source
    assert '"alpha = 0.05"' in source


def test_same_graph_gives_the_same_dot_text_every_time():
    first, _ = micrograd_neuron()
    second, _ = micrograd_neuron()  # new Value objects: ids and hashes differ
    assert draw_dot(first).source == draw_dot(second).source
    assert draw_dot(first, shade_grad=True).source == draw_dot(second, shade_grad=True).source
    assert draw_dot(first).source == draw_dot(first).source


def test_several_roots_share_their_common_nodes():
    x = Value(1.5, label="x")
    a, b = x.tanh(), x * 3
    a.label, b.label = "a", "b"
    source = draw_dot([a, b]).source
    assert source.count('label="{ x |') == 1
    for root in ("a", "b"):  # both drawn as outputs (the legend's sample has penwidth=3 too, so look at each)
        assert "penwidth=3" in _node_line(source, root)
    assert "penwidth=3" not in _node_line(source, "x")


def test_gradient_shading_is_log_scaled_and_grey_for_zero():
    # a chain of sigmoids: |grad| falls by about 4x per layer (D4)
    x = Value(0.5, label="x")
    h = x
    for i in range(8):
        h = h.sigmoid()
        h.label = f"h{i}"
    unused = Value(1.0, label="z")
    out = h + 0 * unused
    out.backward()
    source = draw_dot(out, shade_grad=True).source
    fill_x = re.search(r'fillcolor="([^"]+)"', _node_line(source, "x")).group(1)
    fill_top = re.search(r'fillcolor="([^"]+)"', _node_line(source, "h7")).group(1)
    assert fill_x == "#ffffcc"  # the smallest |grad| gets the palest colour
    assert fill_top in ("#bd0026", "#800026")
    assert "#e0e0e0" in _node_line(source, "z")  # grad exactly 0
    h, slope = 0.5, 1.0
    for _ in range(8):  # d out/dx = prod_i s'(z_i) = prod_i h_i (1 - h_i)  (D4)
        h = 1 / (1 + math.exp(-h))
        slope *= h * (1 - h)
    # the lowest swatch is the smallest |grad|, and smaller ones would share it
    legend = draw_dot(out, shade_grad=True).legend_source
    assert f'"|grad| <= {slope:.2g}"' in legend and '"|grad| 1"' in legend and '"grad 0"' in legend


def test_a_vanishing_gradient_is_shown_in_scientific_notation_not_as_zero():
    x = Value(0.5, label="x")
    h, slope = x, 1.0
    for _ in range(12):
        h = h.sigmoid()
    h.backward()
    a = 0.5
    for _ in range(12):  # dh/dx = prod_i s'(z_i) = prod_i a_i (1 - a_i), about 4**-12 (D4)
        a = 1 / (1 + math.exp(-a))
        slope *= a * (1 - a)
    line = _node_line(draw_dot(h).source, "x")
    assert f"grad {slope:.2e}" in line and "0.0000" not in line.replace("data 0.5000", "")


def test_grad_scale_positions_follow_log10():
    from viz.style import GradScale

    scale = GradScale([1e-6, 1e-3, 1.0, 0.0])
    assert scale.position(1e-6) == 0.0 and scale.position(1.0) == 1.0
    assert scale.position(1e-3) == pytest.approx(0.5)
    assert scale.position(-1e-3) == pytest.approx(0.5)


def test_gradients_that_are_values_after_create_graph_are_drawn_as_numbers():
    x = Value(2.0, label="x")
    y = x ** 3
    y.backward(create_graph=True)
    assert f"grad {12.0:.4f}" in draw_dot(y).source


def test_top_to_bottom_layout_and_bad_arguments():
    o, _ = micrograd_neuron()
    source = draw_dot(o, "TB").source
    assert "rankdir=TB" in source and 'label="o | { data' in source  # no outer braces: fields side by side
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(o, "XY")
    with pytest.raises(TypeError, match="root must be a Value"):
        draw_dot(3.0)
    with pytest.raises(TypeError, match="root must be a Value"):
        draw_dot([])


def test_picture_displays_inline_in_jupyter():
    o, _ = micrograd_neuron()
    picture = viz.draw_dot(o)
    bundle = picture._repr_mimebundle_()
    assert bundle["image/svg+xml"] == picture._repr_svg_()
    assert "data 0.7071" in bundle["image/svg+xml"]
    assert "nodes" in repr(picture)


def _node_line(source: str, label: str) -> str:
    """The DOT line of the value node whose record starts with ``label``."""
    for line in source.splitlines():
        if f'label="{{ {label} |' in line or f'label="{label} |' in line:  # left to right, top to bottom
            return line
    raise AssertionError(f"no node labelled {label!r}")


def test_huge_numbers_are_shown_in_scientific_notation_not_digit_by_digit():
    from viz.graph import number

    assert number(1e300) == "1.0000e+300" and number(-2.5e6) == "-2.5000e+06"
    assert number(999999.0) == "999999.0000" and number(0.25) == "0.2500" and number(1e-6) == "1.00e-06"
    x = Value(1e150, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    source = draw_dot(y).source
    assert "data 1.0000e+300" in _node_line(source, "y") and "grad 2.0000e+150" in _node_line(source, "x")
    assert max(len(word) for word in source.split()) < 100
