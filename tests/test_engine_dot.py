"""``autograd.dot``: a sum of products as one n-ary node.

References: the left-to-right float sum ``reduce(add, map(mul, ...))`` for the number, the hand
formula d(sum a_i b_i)/da_i = b_i (D1, D11) and central differences for the gradients, and the
binary expansion built with ``+`` and ``*`` for both.
"""

from __future__ import annotations

import copy
import math
import pickle
import random
from functools import reduce
from operator import add, mul

import numpy as np
import pytest

import autograd
from autograd import RULES, Value, apply, detect_anomaly, dot, no_grad, topological_order

H = 1e-6


def vectors(n: int, seed: int = 0, scale: float = 1.0) -> tuple[list[Value], list[Value]]:
    rng = random.Random(seed)
    return ([Value(rng.gauss(0, scale)) for _ in range(n)], [Value(rng.gauss(0, scale)) for _ in range(n)])


@pytest.mark.parametrize("n", [1, 2, 7, 64, 257])
def test_forward_is_the_left_to_right_float_sum_bit_for_bit(n):
    rng = random.Random(n)
    a_data = [rng.gauss(0, 1) * 10 ** rng.randint(-8, 8) for _ in range(n)]  # magnitudes where order matters
    b_data = [rng.gauss(0, 1) * 10 ** rng.randint(-8, 8) for _ in range(n)]
    out = dot([Value(x) for x in a_data], [Value(y) for y in b_data])
    expected = 0.0
    for i, (x, y) in enumerate(zip(a_data, b_data)):
        expected = x * y if i == 0 else expected + x * y
    assert out.op == "dot" and out.data == expected  # exact: the same float operations in the same order
    assert len(out.parents) == 2 * n


def test_gradients_follow_the_hand_formula_and_central_differences():
    a, b = vectors(5, seed=1)
    out = dot(a, b)
    loss = out.tanh()
    loss.backward()
    upstream = 1.0 - math.tanh(out.data) ** 2  # d tanh(s)/ds
    for ai, bi in zip(a, b):
        assert ai.grad == pytest.approx(upstream * bi.data, rel=1e-14)
        assert bi.grad == pytest.approx(upstream * ai.data, rel=1e-14)

    def f(a_data, b_data):
        return math.tanh(reduce(add, map(mul, a_data, b_data)))

    a_data, b_data = [v.data for v in a], [v.data for v in b]
    for i in range(5):
        up = a_data[:i] + [a_data[i] + H] + a_data[i + 1:]
        down = a_data[:i] + [a_data[i] - H] + a_data[i + 1:]
        assert a[i].grad == pytest.approx((f(up, b_data) - f(down, b_data)) / (2 * H), rel=1e-6)


def test_gradients_equal_those_of_the_binary_expansion():
    a, b = vectors(16, seed=2)
    a2, b2 = [Value(v.data) for v in a], [Value(v.data) for v in b]
    (dot(a, b) * 3.0).exp().backward()
    (reduce(add, map(mul, a2, b2)) * 3.0).exp().backward()
    assert [v.grad for v in a + b] == [v.grad for v in a2 + b2]  # the add chain passes g on unchanged


def test_second_derivative_through_dot():
    # f(x) = dot([x, x], [x * x, 2]) = x^3 + 2x: f' = 3x^2 + 2, f'' = 6x
    x = Value(0.7)
    f = dot([x, x], [x * x, Value(2.0)])
    f.backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value) and first.data == pytest.approx(3 * 0.7**2 + 2)
    x.grad = 0.0
    first.backward()
    assert x.grad == pytest.approx(6 * 0.7)
    hessian = autograd.hessian(lambda u, v: dot([u, v, u], [v, v, u]))(0.3, -1.2)  # uv + v^2 + u^2
    assert np.allclose(hessian, [[2.0, 1.0], [1.0, 2.0]])


def test_shared_inputs_each_read_counts():
    # dot([x, x, y], [y, z, x]) = 2xy + xz: dx = 2y + z, dy = 2x, dz = x
    x, y, z = Value(1.5), Value(-0.5), Value(2.0)
    out = dot([x, x, y], [y, z, x])
    assert out.data == 1.5 * -0.5 + 1.5 * 2.0 + -0.5 * 1.5
    out.backward()
    assert (x.grad, y.grad, z.grad) == pytest.approx((2 * -0.5 + 2.0, 2 * 1.5, 1.5))
    squares = [Value(3.0), Value(-2.0)]
    norm = dot(squares, squares)  # a sum of squares: d/dv = 2v
    norm.backward()
    assert [v.grad for v in squares] == [6.0, -4.0]


def test_computed_inputs_are_ordered_before_the_node():
    x = Value(0.3)
    h = [x * 2.0, x.tanh(), (x * 2.0).exp()]
    out = dot(h, [h[2], h[0], Value(1.0)]) + x
    order = topological_order(out)
    position = {v: i for i, v in enumerate(order)}
    assert all(position[p] < position[v] for v in order for p in v.parents)
    out.backward()
    def f(u):  # the same function on floats
        p, q, r = 2 * u, math.tanh(u), math.exp(2 * u)
        return p * r + q * p + r + u
    assert x.grad == pytest.approx((f(0.3 + H) - f(0.3 - H)) / (2 * H), rel=1e-6)


def test_plain_numbers_on_one_side_are_constants():
    w = [Value(2.0), Value(-1.0)]
    out = dot(w, [3, 0.5])
    assert out.data == 5.5
    out.backward()
    assert [v.grad for v in w] == [3.0, 0.5]
    assert dot((v for v in w), [1.0, 1.0]).data == 1.0  # any iterable
    assert apply("dot", w, w).data == 5.0


def test_no_grad_makes_a_leaf():
    a, b = vectors(3)
    with no_grad():
        out = dot(a, b)
    assert out.op == "" and out.parents == () and out.data == reduce(add, [x.data * y.data for x, y in zip(a, b)])
    with pytest.raises(RuntimeError, match="no_grad"):
        out.backward()


def test_errors_name_dot_and_the_offending_value():
    a, b = vectors(3)
    with pytest.raises(ValueError, match=r"dot: a and b must have the same non-zero length, got 3 and 2"):
        dot(a, b[:2])
    with pytest.raises(ValueError, match="got 0 and 0"):
        dot([], [])
    with pytest.raises(TypeError, match=r"dot: b\[1\]: .*got str: 'x'"):
        dot(a, [b[0], "x", b[2]])
    with pytest.raises(TypeError, match="dot: a must be a sequence of Values or numbers, got Value"):
        dot(a[0], b[0])
    with pytest.raises(ValueError, match=r"dot: a\[0\]: expected a finite number, got nan"):
        dot([math.nan], b[:1])
    with pytest.raises(OverflowError, match=r"dot: overflow, term 1: 1e\+200 \* 1e\+200 is too large"):
        dot([Value(1.0), Value(1e200)], [Value(1.0), Value(1e200)])
    with pytest.raises(OverflowError, match=r"dot: overflow, after term 1: 1e\+308 \+ 1e\+308 is too large"):
        dot([Value(1e308), Value(1e308)], [Value(1.0), Value(1.0)])
    with pytest.raises(TypeError, match="dot: the rule takes two sequences"):  # an executor on arrays
        RULES["dot"].forward(np.ones((2, 3)), np.ones((2, 3)))


def test_detect_anomaly_names_dot():
    a, b = Value(1e-300), Value(1e200)
    out = dot([a], [b]) * 1e300  # finite, but dL/da = 1e300 * 1e200 is not
    with detect_anomaly(), pytest.raises(FloatingPointError, match="backward of dot"):
        out.backward()


def test_copy_deepcopy_and_pickle_keep_the_dot_node():
    a, b = vectors(4, seed=3)
    out = dot(a, [v.tanh() for v in b]).exp()
    out.backward()
    for clone in (copy.deepcopy(out), pickle.loads(pickle.dumps(out))):
        nodes = topological_order(clone)
        assert [v.op for v in nodes] == [v.op for v in topological_order(out)]
        assert clone.data == out.data
        clone.backward()
        leaves = [v for v in nodes if not v.op]
        originals = [v for v in topological_order(out) if not v.op]
        assert [v.grad for v in leaves] == pytest.approx([2 * v.grad for v in originals])  # a copy keeps .grad
        assert not set(map(id, leaves)) & set(map(id, originals))
    shallow = copy.copy(out.parents[0])
    assert shallow.op == "dot" and shallow.parents == out.parents[0].parents


def test_assigning_an_inputs_data_after_recording_is_refused():
    a, b = vectors(3)
    out = dot(a, b) + 1.0
    b[2].data = 0.5
    with pytest.raises(RuntimeError, match=r"the dot node \(data=.*\) was recorded, then the .data of its input"):
        out.backward()
    a, b = vectors(3)
    node = dot(a, b)
    out = node * 2.0
    node.data = 1.0
    with pytest.raises(RuntimeError, match="its own .data was assigned"):
        out.backward()


def test_a_traced_dot_is_replayed_as_a_matrix_product_and_shown_as_one_node():
    w = [Value(0.5), Value(-1.0), Value(2.0)]
    f = autograd.compile(lambda v: dot(w, v).tanh(), 3, w)
    X = np.array([[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0]])
    got = f.forward(X)
    for row, y in zip(X, got):
        assert y == pytest.approx(dot(w, [Value(x) for x in row]).tanh().data, rel=1e-12)
    assert [type(g).__name__ for g in f._plan.groups] == ["DenseGroup", "OpGroup"]  # W x, tanh
    assert [v.op for v in topological_order(f.graph(0))][-2:] == ["dot", "tanh"]


def test_viz_draws_and_explains_a_dot_node():
    viz = pytest.importorskip("viz")
    from viz.chain import local_grads, node_name

    w = [Value(0.5, label="w1"), Value(-1.0, label="w2")]
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    out = dot(w, x) + Value(0.1, label="b")
    out.label = "L"
    node = out.parents[0]
    assert node_name(node) == "w1 * x1 + w2 * x2"
    assert local_grads(node) == (1.0, 2.0, 0.5, -1.0)  # d/dw_i = x_i, d/dx_i = w_i
    source = viz.draw_dot(out).source
    assert 'label="\u00b7"' in source and source.count('label="term 1"') == source.count('label="term 2"') == 2
    labelled = viz.draw_dot(out, local_grads=True).source  # the dot node is unlabelled: v1
    assert '"dv1/dx2\\n= -1.0000"' in labelled and '"dv1/dw1\\n= 1.0000"' in labelled


def test_the_explorer_lists_each_input_of_a_dot_node_and_rebuilds_it():
    pytest.importorskip("viz")
    from viz.interactive.graph_data import graph_data, rebuild

    w = [Value(0.5, label="w1"), Value(-1.0, label="w2")]
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    out = dot(w, x).tanh()
    data = graph_data(out)
    (node,) = [n for n in data["nodes"].values() if n["op"] == "dot"]
    assert node["rule"] == RULES["dot"].formula and node["formula"].endswith("(a = (w1, w2), b = (x1, x2))")
    assert [(i["name"], i["role"], i["local"]) for i in node["inputs"]] == [
        ("w1", "term 1", 1.0), ("w2", "term 2", 2.0), ("x1", "term 1", 0.5), ("x2", "term 2", -1.0)]
    order = topological_order(out)
    copies = rebuild(order, {order.index(x[0]): 3.0})  # x1 = 3: 0.5 * 3 - 1 * 2 = -0.5
    assert copies[-1].data == math.tanh(-0.5) and copies[-2].op == "dot"


def test_a_dot_of_parameters_alone_in_a_compiled_function_equals_the_eager_engine():
    # no input of this dot is traced: its node holds a number while tracing, replayed all the same
    w = [Value(0.5), Value(-1.5), Value(2.0)]
    f = autograd.compile(lambda v: dot(w, w) * v[0] + v[1], 2, w)
    X = np.array([[3.0, 1.0], [-2.0, 0.5]])
    values, grads = f.value_and_grad(X)
    norm = 0.25 + 2.25 + 4.0
    np.testing.assert_allclose(values, [norm * 3.0 + 1.0, norm * -2.0 + 0.5], rtol=1e-15)
    np.testing.assert_allclose(grads, [2 * w_i.data * (3.0 - 2.0) for w_i in w], rtol=1e-15)  # summed over examples
    (shown,) = [v for v in topological_order(f.graph(0)) if v.op == "dot"]  # one node, as traced
    assert shown.data == norm


def test_any_iterable_is_taken_and_a_non_sequence_is_refused_naming_its_side():
    a, b = vectors(3, seed=5)
    want = dot(a, b).data
    assert dot(iter(a), (v for v in b)).data == want  # generators, as the list and tuple fast paths give
    assert dot(tuple(a), list(b)).data == want
    fresh = dot(a, b)
    assert fresh.grad == 0.0 and fresh.label == ""  # a new node, as every op makes
    for bad_a, bad_b, side, kind in ((a, b[0], "b", "Value"), (a[0], b, "a", "Value"), ("abc", b, "a", "str"),
                                     (a, 3.0, "b", "float")):
        with pytest.raises(TypeError, match=rf"^dot: {side} must be a sequence of Values or numbers, got {kind}: "):
            dot(bad_a, bad_b)
    with pytest.raises(TypeError, match=r"got str: 'abc'$"):  # the offending value itself
        dot("abc", b)


def test_overflow_names_the_term_whose_partial_sum_overflows():
    # no product overflows: 8e307 three times is finite twice (1.6e308), then not
    ones = [Value(1.0)] * 3
    with pytest.raises(OverflowError, match=r"^dot: overflow, after term 2: 1\.6e\+308 \+ 8e\+307 is too large"):
        dot([Value(8e307)] * 3, ones)
    with pytest.raises(OverflowError, match=r"^dot: overflow, after term 2: 1e\+308 \+ 1e\+308 is too large"):
        dot([Value(1.0), Value(1e308), Value(1e308)], ones)  # 1 + 1e308 is fine, then 1e308 + 1e308 is not


def test_the_dot_rule_takes_only_two_sequences_of_one_length():
    # the rule runs on floats and Values; arrays never reach it (autograd.compile records binary nodes)
    forward = RULES["dot"].forward
    assert forward([1.0, 2.0], (3.0, 4.0)) == 11.0
    for a, b, names in (([1.0, 2.0], [3.0], "list and list"), (np.ones(2), [1.0, 2.0], "ndarray and list"),
                        ([1.0, 2.0], np.ones(2), "list and ndarray"), ([], [], "list and list")):
        with pytest.raises(TypeError, match=rf"^dot: the rule takes two sequences of one length, got {names}$"):
            forward(a, b)


def test_computed_nodes_resets_every_gradient_including_the_roots():
    from autograd.backward import computed_nodes

    a, b = vectors(3, seed=6)
    h = dot(a, b)
    out = dot([h, h.tanh()], [Value(2.0), Value(3.0)])
    out.backward()
    nodes = computed_nodes(out)
    assert out in nodes and h in nodes and len(nodes) == 3
    assert all(type(n.grad) is float and n.grad == 0.0 for n in nodes)


def test_detect_anomaly_reports_dots_upstream_gradient_on_both_executors():
    a, b = Value(1e-300), Value(1e200)
    out = dot([a], [b]) * 1e300  # finite, but dL/da = 1e300 * 1e200 is not
    with detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        out.backward()
    message = str(caught.value)
    assert "backward of dot" in message and "upstream gradient 1e+300" in message, message
    assert "(1e-300, 1e+200)" in message  # the inputs, a then b
    with pytest.raises(OverflowError, match=r"mul: overflow, 1e\+200 \* 1e\+300"):  # on Values: the product says it
        out.backward(create_graph=True)
    # where nothing is wrong, the anomaly check of a dot on Values lets it through
    a, b = vectors(2, seed=7)
    with detect_anomaly():
        dot(a, b).backward(create_graph=True)
    assert [v.grad.data for v in a] == [v.data for v in b]


def test_a_dot_made_before_tracing_is_replayed_as_its_sum_of_products():
    # a closure's dot node is read like one made while tracing: recomputed from the parameters'
    # numbers at every call, its gradient reaching them
    w = [Value(0.5), Value(-1.2)]
    c = dot(w, w)
    f = autograd.compile(lambda v: v[0] * c + v[1], 2, w)
    X = np.array([[3.0, 1.0], [-2.0, 0.5]])
    values, grads = f.value_and_grad(X)
    norm = 0.25 + 1.44
    np.testing.assert_allclose(values, [norm * 3.0 + 1.0, norm * -2.0 + 0.5], rtol=1e-15)
    np.testing.assert_allclose(grads, [2 * 0.5 * 1.0, 2 * -1.2 * 1.0], rtol=1e-15)
    w[0].data = 2.0  # the replay reads the new number
    np.testing.assert_allclose(f.forward(X), [(4.0 + 1.44) * 3.0 + 1.0, (4.0 + 1.44) * -2.0 + 0.5],
                               rtol=1e-15)


def test_a_traced_dot_of_inputs_is_one_node_in_the_shown_graph_with_its_numbers():
    # dot(x, y) of two traced vectors: 5 binary nodes for the replay, one dot node for the picture
    f = autograd.compile(lambda v: dot(v[:3], v[3:]).tanh(), 6)
    X = np.array([[0.1, 0.2, -0.3, 1.0, -2.0, 0.5], [1.0, 0.0, 2.0, 0.5, 3.0, -1.0]])
    sums = [0.1 * 1.0 - 0.2 * 2.0 - 0.3 * 0.5, 0.5 + 0.0 - 2.0]
    values, _ = f.value_and_grad(X)
    np.testing.assert_allclose(values, np.tanh(sums), rtol=1e-15)
    assert f.stats["nodes"] == 6 + 5 + 1  # placeholders, 3 products and 2 sums, tanh
    out = f.graph(1)
    (shown,) = [v for v in topological_order(out) if v.op == "dot"]
    assert shown.data == sums[1] and out.data == pytest.approx(math.tanh(sums[1]), rel=1e-15)
    slope = 1 - math.tanh(sums[1]) ** 2  # d tanh(s)/ds, and ds/dx_j = y_j
    assert shown.grad == pytest.approx(slope, rel=1e-15)
    assert [p.grad for p in shown.parents[:3]] == pytest.approx([slope * y for y in (0.5, 3.0, -1.0)])


def test_errors_of_a_dot_node_do_not_chain_to_the_internal_attribute_error():
    a, b = vectors(2, seed=8)
    out = dot(a, b).tanh()
    a[0].data = 3.0
    with pytest.raises(RuntimeError, match="was assigned") as caught:
        out.backward()
    assert caught.value.__suppress_context__ or caught.value.__context__ is None
    x, y = Value(1e-300), Value(1e200)
    with detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        (dot([x], [y]) * 1e300).backward()
    assert caught.value.__suppress_context__ or caught.value.__context__ is None



def test_a_traced_dot_replays_as_its_binary_nodes_would_bit_for_bit():
    # the trace reads a dot node as the products and sums reduce(add, map(mul, a, b)) records, in
    # the same order: the same plan, the same numbers, for a layer (W x) and for attention (q . k)
    rng = np.random.default_rng(3)
    W = [[Value(float(w)) for w in row] for row in rng.normal(size=(3, 4))]
    params = [w for row in W for w in row]

    def model(product):
        def fn(v):
            h = [product(row, v[:4]).tanh() for row in W]
            return product(h, v[4:7]) + product(v[:2], v[2:4])
        return fn

    binary = lambda a, b: reduce(add, map(mul, a, b))
    f_dot, f_binary = (autograd.compile(model(p), 7, params) for p in (dot, binary))
    X = rng.normal(size=(5, 7))
    (out_dot, g_dot), (out_binary, g_binary) = f_dot.value_and_grad(X), f_binary.value_and_grad(X)
    assert out_dot.tolist() == out_binary.tolist() and g_dot.tolist() == g_binary.tolist()
    graph = lambda f: (f._traced.ops, f._traced.x, f._traced.y, f._traced.uses)
    assert graph(f_dot) == graph(f_binary)  # the same ids: each node's op and inputs
    layout = lambda f: [(type(g).__name__, g.rows.start, g.rows.stop) for g in f._plan.groups]
    assert layout(f_dot) == layout(f_binary)
    eager = [model(dot)([Value(float(x)) for x in row]).data for row in X]
    np.testing.assert_allclose(out_dot, eager, rtol=1e-12)
