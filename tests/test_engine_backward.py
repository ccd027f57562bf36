"""The Value, the graph it records, and the backward pass over it."""

import gc
import math
import sys

import numpy as np
import pytest

from autograd import Value, no_grad, topological_order, zero_grad


def test_value_stores_floats_from_real_numbers():
    for raw, expected in [(3, 3.0), (True, 1.0), (2.5, 2.5), (np.float32(0.5), 0.5), (np.int64(-4), -4.0),
                          (np.bool_(False), 0.0)]:
        v = Value(raw)
        assert type(v.data) is float and v.data == expected
    v = Value(1.5, label="x")
    assert (v.grad, v.label, v.op, v.parents, v.is_leaf()) == (0.0, "x", "", (), True)


def test_operators_with_numbers_on_either_side():
    x = Value(3.0)
    cases = {
        "x + 2": (x + 2, 5.0), "2 + x": (2 + x, 5.0), "x - 2": (x - 2, 1.0), "2 - x": (2 - x, -1.0),
        "x * 2": (x * 2, 6.0), "2 * x": (2 * x, 6.0), "x / 2": (x / 2, 1.5), "6 / x": (6 / x, 2.0),
        "x ** 2": (x**2, 9.0), "2 ** x": (2**x, 8.0), "-x": (-x, -3.0), "x ** x": (x**x, 27.0),
        "abs(-x)": (abs(-x), 3.0),
    }
    for text, (value, expected) in cases.items():
        assert value.data == pytest.approx(expected), text


def test_parents_are_an_ordered_tuple_and_constants_stay_inline():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    assert (a * b).parents == (a, b)
    assert (b * a).parents == (b, a)
    c = a * 2
    assert (c.op, c.parents, c.constant) == ("mul", (a,), 2.0)
    d = 10 - a
    assert (d.op, d.parents, d.constant, d.data) == ("rsub", (a,), 10.0, 9.0)
    assert a.tanh().parents == (a,) and a.tanh().constant is None


def test_same_code_gives_the_same_graph_every_time():
    def build():
        x, y = Value(0.5, "x"), Value(-1.5, "y")
        z = (x * y + x).tanh() * (y - x)
        return [(n.op, n.data, n.label) for n in topological_order(z)]

    assert build() == build()


def test_topological_order_puts_inputs_first():
    x = Value(1.0)
    y = x * x + x.exp()
    order = topological_order(y)
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is y and len(order) == 4  # x, x*x, exp(x), y: x appears once though used thrice


def test_reuse_accumulates():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(-2.0)
    (b * b * b).backward()
    assert b.grad == pytest.approx(3 * 4.0)


def test_diamond():
    x = Value(0.7)
    left, right = x.tanh(), x.exp()
    out = left * right
    out.backward()
    import math

    t = math.tanh(0.7)
    assert x.grad == pytest.approx((1 - t * t) * math.exp(0.7) + t * math.exp(0.7), rel=1e-12)
    assert left.grad == pytest.approx(math.exp(0.7)) and right.grad == pytest.approx(t)


def test_backward_twice_adds_to_leaves_exactly_twice_and_recomputes_interior():
    x, w = Value(2.0), Value(-3.0)
    h = x * w
    out = h.tanh()
    out.backward()
    first = (x.grad, w.grad, h.grad)
    out.backward()
    assert x.grad == 2 * first[0] and w.grad == 2 * first[1]
    assert h.grad == first[2]  # interior: recomputed, not accumulated
    zero_grad(out)
    assert (x.grad, w.grad) == (0.0, 0.0)
    out.backward()
    assert (x.grad, w.grad) == first[:2]


def test_shared_interior_node_is_placed_once_and_recomputed_for_a_second_root():
    # backward marks the nodes it has reached in their grad slot (computed_nodes): a node reached
    # again, through a second path or by a second call from another root, must neither be placed
    # twice (its gradient would be passed on twice) nor keep the first call's gradient
    x, w = Value(0.5), Value(-1.5)
    h = x * w  # interior, used twice below
    out1 = h.tanh() + h * 3.0
    out1.backward()
    t = math.tanh(-0.75)
    assert h.grad == pytest.approx(1 - t * t + 3.0, rel=1e-15)
    assert x.grad == pytest.approx((1 - t * t + 3.0) * -1.5, rel=1e-15)
    out2 = h * h + h
    out2.backward()
    assert h.grad == pytest.approx(2 * -0.75 + 1, rel=1e-15)  # recomputed for out2, not added to out1's
    assert x.grad == pytest.approx((1 - t * t + 3.0) * -1.5 + (2 * -0.75 + 1) * -1.5, rel=1e-15)
    assert type(h.grad) is float and type(out1.grad) is float


def test_zero_grad_of_a_list():
    vs = [Value(1.0), Value(2.0)]
    (vs[0] * vs[1]).backward()
    zero_grad(vs)
    assert [v.grad for v in vs] == [0.0, 0.0]


def test_backward_of_a_leaf_and_a_custom_seed():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0
    y = Value(3.0)
    (y * y).backward(grad=0.5)
    assert y.grad == 3.0


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        y = (x * 3).tanh()
    assert y.is_leaf() and y.parents == ()
    z = x * 3
    assert z.parents == (x,)  # recording resumes after the block


def test_million_node_chain_under_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    v = x
    for _ in range(1_000_000):
        v = v.tanh()
    v.backward()
    assert 0.0 < x.grad < 1.0
    del v


def test_graph_holds_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.3)
        out = x
        for i in range(200):
            out = (out * 1.01 + i).tanh() + x
        out.backward()
        del out, x
        assert gc.collect() == 0  # nothing was unreachable-but-cyclic: refcounting freed the graph
    finally:
        gc.enable()


def test_repr_and_conversions():
    v = Value(2.0, label="w")
    assert repr(v) == "Value(data=2.0, grad=0.0, label='w')"
    assert float(v) == 2.0 and v.item() == 2.0 and bool(v) and not Value(0.0)
    assert v > 1 and v >= 2 and v < 3 and v <= Value(2.0)
    d = (v * 3).detach()
    assert d.is_leaf() and d.data == 6.0
