"""One name per thing: op nodes show the operation, every value node a name (its label or v1, v2, ...),
and every edge label speaks only of those names, on graphs built with and without labels."""

from __future__ import annotations

import math
import re

import pytest

from autograd import Value, dot
from viz import backprop_steps, draw_dot
from viz.interactive.graph_data import graph_data

OPERATIONS = {"+", "\u00d7", "-", "/", "^", "\u00b7", "tanh", "exp", "log", "sqrt", "abs", "sigmoid", "relu",
              "leaky_relu", "elu", "softplus"}
ROLE_WORDS = {"first", "subtracted", "numerator", "denominator", "base", "exponent", "term"}
DERIVATIVE = re.compile(r"d(\([^()]*\)|[A-Za-z_]\w*)/d(\([^()]*\)|[A-Za-z_]\w*)")


def neuron(labelled: bool) -> Value:
    """micrograd's neuron with tanh written with exp: o = (e - 1) / (e + 1), e = exp(2n)."""
    names = ["x1", "x2", "w1", "w2", "b"] if labelled else [""] * 5
    x1, x2, w1, w2, b = (Value(v, label=n) for v, n in zip([2.0, 0.0, -3.0, 1.0, 6.8814], names, strict=True))
    n = x1 * w1 + x2 * w2 + b
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    if labelled:
        n.label, e.label, o.label = "n", "e", "o"
    return o


def used_twice(labelled: bool) -> Value:
    b, c, e = Value(2.0), Value(-3.0), Value(0.5)
    a = b * c
    d = a + a * e
    if labelled:
        a.label, b.label, c.label, d.label, e.label = "a", "b", "c", "d", "e"
    return d


def every_op(labelled: bool) -> Value:
    x, y = Value(0.7, label="x" if labelled else ""), Value(1.3, label="y" if labelled else "")
    parts = [x - y, 2 - x, x / y, 2 / x, x ** 3, x ** y, 2 ** x, -x, dot([x, y], [y, x]), x.leaky_relu(0.1),
             x.sigmoid(), x.log()]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


GRAPHS = [neuron, used_twice, every_op]


def labels_in(source: str) -> tuple[dict[str, str], list[str], list[str]]:
    """(value node id -> its name, op node texts, edge labels) of DOT source."""
    names, ops, edges = {}, [], []
    for line in source.splitlines():
        edge = re.match(r'\s*\w+ -> \w+ \[.*?label="?((?:[^"\\]|\\.)*)"?[ \]]', line)
        node = re.match(r'\s*(\w+) \[label="?((?:[^"\\]|\\.)*)"?[ \]]', line)
        if edge and "->" in line:
            edges.append(edge.group(1).replace("\\n", " "))
        elif node and node.group(1).endswith("_op"):
            ops.append(node.group(2))
        elif node and "shape=record" in line:
            names[node.group(1)] = node.group(2).split(" | ")[0].lstrip("{ ").strip()
    return names, ops, edges


def assert_one_name_per_thing(source: str, names: set[str]) -> None:
    _, ops, edges = labels_in(source)
    assert ops and all(text in OPERATIONS for text in ops), ops
    for label in edges:
        for of, by in DERIVATIVE.findall(label):
            assert of.strip("()") in names and by.strip("()") in names, (label, names)
        rest = DERIVATIVE.sub("", label)
        words = set(re.findall(r"[A-Za-z_]\w*", rest.replace("e-", "")))  # 1.2e-05 is a number
        assert words <= ROLE_WORDS, (label, words)


@pytest.mark.parametrize("labelled", [True, False], ids=["labelled", "unlabelled"])
@pytest.mark.parametrize("build", GRAPHS, ids=[g.__name__ for g in GRAPHS])
def test_op_texts_and_edge_labels_use_only_the_graphs_names(build, labelled):
    root = build(labelled)
    plain = draw_dot(root).source
    ids_to_names, _, _ = labels_in(plain)
    names = set(ids_to_names.values())
    assert len(names) == len(ids_to_names) if not labelled else names  # unlabelled: v1, v2, ... all distinct
    if not labelled:
        assert sorted(names, key=lambda n: int(n[1:])) == [f"v{k}" for k in range(1, len(names) + 1)]
    for source in [plain, draw_dot(root, local_grads=True).source, draw_dot(root, hide="grad").source,
                   *(frame.picture.source for frame in backprop_steps(root))]:
        assert_one_name_per_thing(source, names)


def test_names_number_unlabelled_nodes_in_forward_order_and_skip_taken_labels():
    x = Value(1.0, label="v2")
    y = x * 3  # v1
    z = y + x  # v3 (v2 is a label)
    names, _, edges = labels_in(draw_dot(z, local_grads=True).source)
    assert list(names.values()) == ["v2", "v1", "v3"]
    assert "dv1/dv2 = 3.0000" in edges and "dv3/dv1 = 1.0000" in edges and "dv3/dv2 = 1.0000" in edges


def test_edges_picture_frames_and_explorer_write_a_local_derivative_the_same_way():
    o = neuron(labelled=True)
    data = graph_data(o)
    out = data["nodes"][data["output"]]
    assert out["opText"] == "/" and [i["role"] for i in out["inputs"]] == ["numerator", "denominator"]
    labels = [i["localLabel"] for i in out["inputs"]]
    num, den = math.exp(2.0 * (2.0 * -3.0 + 6.8814)) - 1, math.exp(2.0 * (2.0 * -3.0 + 6.8814)) + 1
    top, bottom = (i["name"] for i in out["inputs"])  # e - 1 and e + 1, unlabelled: v-names
    assert re.fullmatch(r"v\d+", top) and re.fullmatch(r"v\d+", bottom)
    assert labels == [f"do/d{top} = {1 / den:.4f}", f"do/d{bottom} = {-num / den ** 2:.4f}"]
    picture = draw_dot(o, local_grads=True).source
    for label in labels:
        assert 'label="{}"'.format(label.replace(" = ", "\\n= ")) in picture  # the same text, on two lines
    assert out["formula"].startswith(out["rule"]) and out["formula"].endswith(
        f"(x = {out['inputs'][0]['name']}, y = {out['inputs'][1]['name']})")
    frame = next(f for f in backprop_steps(o) if f.name == "e")
    assert "do/d" in frame.picture.source and "\u00d7" in frame.caption
