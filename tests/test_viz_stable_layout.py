"""One layout per graph: the plain picture, local_grads, hide, shade_grad and every backprop frame put
each node at the same place, and the frames all have one size.

Coordinates are read from the rendered SVG: each node's shape (its polygon's or ellipse's points)
in the coordinates of the graph's own drawing (the part titled ``computation``).
"""

from __future__ import annotations

import re

import pytest

from autograd import Value
from viz import backprop_steps, draw_dot

_SHAPE = re.compile(r'<g id="node\d+" class="node">\s*<title>(\w+)</title>.*?(?:points="([^"]+)"|cx="([^"]+)" '
                    r'cy="([^"]+)"|<path[^>]* d="M([-0-9.]+,[-0-9.]+))', re.S)  # the outline: its first shape


def used_twice() -> Value:
    b, c, e = Value(2.0, label="b"), Value(-3.0, label="c"), Value(0.5, label="e")
    a = b * c
    a.label = "a"
    d = a + a * e
    d.label = "d"
    d.backward()
    return d


def sigmoid_chain(depth: int = 8) -> Value:
    h = Value(0.5, label="x")
    for i in range(depth):
        h = (h * Value(0.8, label=f"w{i + 1}")).sigmoid()
    h.label = "L"
    h.backward()
    return h


def graph_part(svg: str) -> str:
    """The SVG of the graph itself, without a caption or legend stacked around it."""
    start = svg.index("<title>computation</title>")
    end = svg.find("</svg>", start)
    return svg[start:end]


def positions(svg: str) -> dict[str, tuple[float, ...]]:
    """Each node's outline as numbers: its polygon's points, its ellipse's centre, or where its
    rounded outline (a path) starts."""
    found = {}
    for name, points, cx, cy, start in _SHAPE.findall(graph_part(svg)):
        text = points or start or f"{cx},{cy}"
        found[name] = tuple(round(float(v), 1) for v in re.split(r"[ ,]", text.strip()))
    return found


def size(svg: str) -> tuple[str, str]:
    return re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg).groups()


@pytest.mark.parametrize("build", [used_twice, sigmoid_chain], ids=["used_twice", "sigmoid_chain_8"])
def test_every_variant_and_frame_puts_each_node_at_the_same_place(build):
    root = build()
    plain = draw_dot(root)
    reference = positions(plain.to_svg())
    assert len(reference) >= 9 and all(re.fullmatch(r"v\d+(_op|_c)?|wrap\d+_(in|out)", n) for n in reference)
    variants = {
        "local_grads": draw_dot(root, local_grads=True), "hide grad": draw_dot(root, hide="grad"),
        "hide both": draw_dot(root, hide=("data", "grad")), "shade": draw_dot(root, shade_grad=True),
        "hide grad, shade": draw_dot(root, hide="grad", shade_grad=True), "legend": draw_dot(root, legend=True),
    }
    for what, picture in variants.items():
        assert picture.digraph.layout == plain.digraph.layout, what
        assert positions(picture.to_svg()) == reference, what
    frames = backprop_steps(root)
    assert len({size(frame.picture.to_svg()) for frame in frames}) == 1  # one size for every frame
    for frame in frames:
        assert positions(frame.picture.to_svg()) == reference, frame.step


def test_the_used_twice_graph_is_laid_out_the_same_way_with_and_without_local_derivatives():
    d = used_twice()
    plain, local = draw_dot(d), draw_dot(d, local_grads=True)
    assert size(plain.to_svg()) == size(local.to_svg())
    assert plain.digraph.layout == local.digraph.layout


def test_a_collapsed_batch_keeps_its_layout_with_gradients_hidden_or_shaded():
    import nn

    model = nn.MLP(2, [3, 1], seed=0)
    loss = nn.losses.mse([model(row) for row in [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]]], [1.0, -1.0, 1.0])
    loss.backward()
    pictures = [draw_dot(loss, collapse=model, collapse_level="matrix", **options)
                for options in ({}, {"hide": "grad"}, {"shade_grad": True}, {"local_grads": True})]
    reference = positions(pictures[0].to_svg())
    assert sum(name.startswith("box") for name in reference) >= 8  # 2 layers x 3 examples, W, b, ...
    for picture in pictures[1:]:
        assert positions(picture.to_svg()) == reference
