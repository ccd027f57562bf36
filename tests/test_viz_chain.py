"""The chain rule on the pictures: local derivatives, the terms of each frame, exercises and their checking."""

from __future__ import annotations

import math
import re

import pytest

from autograd import Value, topological_order
from viz import backprop_steps, check_grads, draw_dot
from viz.chain import local_grads, node_name, number

H = 1e-6

# (op, f(x, y) building the op on Values, x, y): each op of autograd.RULES, away from its kinks
OPS = [
    ("add", lambda x, y: x + y, 0.7, -1.3), ("sub", lambda x, y: x - y, 0.7, -1.3),
    ("rsub", lambda x, y: 2.0 - x, 0.7, None), ("mul", lambda x, y: x * y, 0.7, -1.3),
    ("div", lambda x, y: x / y, 0.7, -1.3), ("rdiv", lambda x, y: 2.0 / x, 0.7, None),
    ("neg", lambda x, y: -x, 0.7, None), ("pow", lambda x, y: x ** 3, 0.7, None),
    ("powv", lambda x, y: x ** y, 0.7, -1.3), ("rpow", lambda x, y: 2.0 ** x, 0.7, None),
    ("exp", lambda x, y: x.exp(), 0.7, None), ("log", lambda x, y: x.log(), 0.7, None),
    ("sqrt", lambda x, y: x.sqrt(), 0.7, None), ("abs", lambda x, y: abs(x), -0.7, None),
    ("tanh", lambda x, y: x.tanh(), 0.7, None), ("sigmoid", lambda x, y: x.sigmoid(), 0.7, None),
    ("relu", lambda x, y: x.relu(), 0.7, None), ("leaky_relu", lambda x, y: x.leaky_relu(0.1), -0.7, None),
    ("elu", lambda x, y: x.elu(1.5), -0.7, None), ("softplus", lambda x, y: x.softplus(), 0.7, None),
]


def central(f, x, y, which):
    """(f(+h) - f(-h)) / 2h in input ``which`` (0: x, 1: y), on plain Values."""
    def at(dx, dy):
        return f(Value(x + dx), None if y is None else Value(y + dy)).data
    dx, dy = (H, 0.0) if which == 0 else (0.0, H)
    return (at(dx, dy) - at(-dx, -dy)) / (2 * H)


@pytest.mark.parametrize(("op", "f", "x", "y"), OPS, ids=[case[0] for case in OPS])
def test_local_derivatives_match_central_differences(op, f, x, y):
    a = Value(x, label="p")
    b = None if y is None else Value(y, label="q")
    out = f(a, b)
    assert out.op == op
    got = local_grads(out)
    assert len(got) == len(out.parents)
    for which, local in enumerate(got):
        assert local == pytest.approx(central(f, x, y, which), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize(("op", "f", "x", "y"), OPS, ids=[case[0] for case in OPS])
def test_edge_labels_show_the_local_derivatives(op, f, x, y):
    a = Value(x, label="p")
    b = None if y is None else Value(y, label="q")
    source = draw_dot(f(a, b), local_grads=True).source
    for which, name in enumerate(["p", "q"][: 1 if y is None else 2]):
        expected = number(central(f, x, y, which))
        assert f'label="dv1/d{name}\\n= {expected}"' in source, source


def test_local_derivatives_of_a_value_read_twice_and_no_labels_by_default():
    x = Value(3.0, label="x")
    y = x * x  # d(x*x)/dx = 2x, passed back as two terms of x each
    assert local_grads(y) == (3.0, 3.0)
    assert "/dx" not in draw_dot(y).source
    assert draw_dot(y, local_grads=True).source.count("dv1/dx\\n= 3.0000") == 2


def d2_graph():
    """e = a * b is used twice: d = e + c and e * 0.5; L = tanh(d * f - e * 0.5)."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-0.2, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = (d * f - e * 0.5).tanh()
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d}


def test_every_frame_sums_its_terms_to_its_gradient_and_names_its_uses():
    L, nodes = d2_graph()
    order = topological_order(L)
    users = {node: [u for u in order if node in u.parents] for node in order}
    frames = backprop_steps(L)
    assert len(frames) == len(order)  # leaves get frames too
    for frame in frames:
        assert sum(up * local for _, up, local in frame.terms) == pytest.approx(frame.grad, rel=1e-12, abs=1e-15)
        if frame.node is L:
            assert frame.terms == [(None, 1.0, 1.0)]
            continue
        assert sorted(map(id, (t.use for t in frame.terms))) == sorted(map(id, users[frame.node]))
        for use, upstream, _ in frame.terms:
            assert upstream == pytest.approx(next(fr.grad for fr in frames if fr.node is use), rel=1e-15)


def red_edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+) \[[^\]]*color=\"#d62728\"", source, flags=re.M)


def test_frame_highlights_the_edges_to_the_uses_and_shows_the_sum():
    L, nodes = d2_graph()
    order = topological_order(L)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    frame = next(fr for fr in backprop_steps(L) if fr.node is nodes["e"])
    e_uses = [u for u in order if nodes["e"] in u.parents]
    assert len(e_uses) == 2 and frame.name == "e"
    edges = red_edges(frame.picture.source)
    # e -> each use's operation, and each use's operation -> the use: where e's gradient comes back from
    assert sorted(edges) == sorted([(ids[nodes["e"]], f"{ids[u]}_op") for u in e_uses]
                                   + [(f"{ids[u]}_op", ids[u]) for u in e_uses])
    t = math.tanh(4.0 * -0.2 - (-3.0))
    dL_dd, dL_de_half = (1 - t * t) * -0.2, -(1 - t * t)
    by_hand = f"dL/de = {number(dL_dd)} × 1.0000 (via d) + {number(dL_de_half)} × 0.5000 (via v2)"  # v1 is d * f
    by_hand = by_hand.replace(f"= {number(dL_dd)}", f"= ({number(dL_dd)})").replace(
        f"+ {number(dL_de_half)}", f"+ ({number(dL_de_half)})")
    assert frame.caption.endswith(f"{by_hand} = {number(dL_dd + 0.5 * dL_de_half)}")
    assert frame.grad == pytest.approx(dL_dd + 0.5 * dL_de_half, rel=1e-12)


def test_unlabelled_nodes_are_named_by_the_expression_they_form():
    x = Value(2.0, label="x")
    assert node_name(x - 2) == "x - 2" and node_name(2 - x) == "2 - x"
    assert node_name((x * 3 + 1).tanh()) == "tanh((x * 3) + 1)"
    assert node_name(Value(1.5)) == "1.5"
    deep = x
    for _ in range(6):
        deep = deep + 1
    assert "..." in node_name(deep) and len(node_name(deep)) < 40


def test_exercise_hides_the_gradients_and_the_checker_marks_answers():
    L, nodes = d2_graph()
    source = draw_dot(L, hide="grad").source
    assert source.count("grad ?") == len(topological_order(L)) and "grad -" not in source
    L.backward()
    truth = {name: node.grad for name, node in nodes.items()}
    marked = check_grads(L, {"a": round(truth["a"], 4), "e": 0.1, nodes["c"]: truth["c"]})
    assert [(m.name, m.right) for m in marked] == [("a", True), ("e", False), ("c", True)]
    wrong = marked[1]
    assert wrong.correct == pytest.approx(truth["e"], rel=1e-12)
    assert wrong.sum.startswith("dL/de = ") and "(via d)" in wrong.sum and wrong.sum.endswith(number(truth["e"]))
    assert not marked.all_right and "2 of 3 right" in str(marked)
    assert check_grads(L, {"b": truth["b"]}).all_right


def test_the_checker_refuses_unknown_or_ambiguous_names_and_non_numbers():
    L, nodes = d2_graph()
    with pytest.raises(ValueError, match="no node labelled 'zz'"):
        check_grads(L, {"zz": 1.0})
    with pytest.raises(ValueError, match="finite number"):
        check_grads(L, {"a": "twelve"})
    twin = Value(1.0, label="a") * L
    with pytest.raises(ValueError, match="2 nodes are labelled 'a'"):
        check_grads(twin, {"a": 1.0})
    with pytest.raises(ValueError, match="not in the graph"):
        check_grads(L, {Value(1.0): 1.0})


def test_gradients_are_left_as_they_were_and_minus_zero_prints_as_zero():
    L, nodes = d2_graph()
    nodes["a"].grad = 7.0
    check_grads(L, {"a": 0.0})
    assert nodes["a"].grad == 7.0
    assert number(-0.0) == "0.0000" and number(-0.00004) == "-4.00e-05"
