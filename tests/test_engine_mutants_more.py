"""Small promises of the engine that the mutation run found untested (``tests/MUTATION.md``).

A refused backward puts back every old gradient, including ones that are exactly 1.0 and the
root's own; a second backward adds onto leaves whose gradient is exactly 1.0; a result made
inside ``no_grad()`` copies and pickles; ``dot``'s overflow and the domain module's public
wording are matched whole. References: hand derivatives and hand-written messages.
"""

import copy
import pickle

import numpy as np
import pytest

import autograd
from autograd import Value, dot, no_grad
from autograd.domains import FORWARD, expression, message


def _graph_with_every_kind_of_input():
    """r = dot([a, b, c], [v, w, e]) with a = sqrt(u) v (a computed first input, and a leaf v
    as second input of a), b = v (v + 1) (a computed second input), c = 2 w and e = w + 3
    (computed inputs beyond the first two of the dot), w first met beyond the first two."""
    u, v, w = Value(0.0, label="u"), Value(2.0, label="v"), Value(3.0, label="w")
    s = u.sqrt()
    a = s * v
    b = v * (v + 1.0)
    c = w * 2.0
    e = w + 3.0
    r = dot([a, b, c], [v, w, e])
    return u, v, w, r


def test_a_refused_backward_puts_back_old_gradients_of_exactly_one_everywhere():
    u, v, w, r = _graph_with_every_kind_of_input()
    nodes = [u, v, w, *r.parents, *r.parents[0].parents, *r.parents[1].parents, r]
    nodes = list(dict.fromkeys(nodes))
    assert len(nodes) >= 10  # u, v, w, sqrt(u), a, b, c, e, v + 1, r
    for node in nodes:
        node.grad = 1.0  # what a first backward leaves in a root, and often elsewhere
    # d r / d s = v * v = 4 reaches sqrt's infinite slope at 0: refused
    with pytest.raises(ZeroDivisionError, match="backward of sqrt"):
        r.backward()
    assert [node.grad for node in nodes] == [1.0] * len(nodes)
    assert all(type(node.grad) is float for node in nodes)


def test_a_refused_backward_puts_back_the_roots_own_earlier_gradient():
    u = Value(0.0)
    y = u.sqrt() * 2.0
    y.grad = 1.0
    with pytest.raises(ZeroDivisionError, match="backward of sqrt"):
        y.backward()
    assert y.grad == 1.0 and u.grad == 0.0
    y.grad = -0.5
    with pytest.raises(ZeroDivisionError, match="backward of sqrt"):
        y.backward()
    assert y.grad == -0.5 and u.grad == 0.0


def test_a_second_backward_adds_onto_leaf_gradients_of_exactly_one():
    v, w, x = Value(2.0), Value(3.0), Value(5.0)
    b = x * w  # w: a leaf second input
    r = dot([v, b, x], [w, v, w])  # r = v w + x w v + x w; w also beyond the first two inputs
    v.grad = w.grad = x.grad = 1.0
    r.backward()
    # hand derivatives: dr/dv = w + x w, dr/dw = v + x v + x, dr/dx = w v + w
    assert v.grad == 1.0 + (3.0 + 5.0 * 3.0)
    assert w.grad == 1.0 + (2.0 + 5.0 * 2.0 + 5.0)
    assert x.grad == 1.0 + (3.0 * 2.0 + 3.0)
    y = Value(4.0)
    z = Value(7.0) * y  # y: a leaf second input, met first there
    y.grad = 1.0
    z.backward()
    assert y.grad == 1.0 + 7.0


@pytest.mark.parametrize("make", [lambda x: x * 2.0, lambda x: x.tanh(),
                                  lambda x: dot([x, x, x], [1.0, 2.0, x])],
                         ids=["binary", "unary", "dot"])
def test_a_result_made_inside_no_grad_copies_and_pickles_as_a_leaf(make):
    x = Value(0.5)
    with no_grad():
        y = make(x)
    expected = make(Value(0.5)).data
    for twin in (copy.deepcopy(y), pickle.loads(pickle.dumps(y)), copy.copy(y)):
        assert twin.data == expected and twin.op == "" and twin.parents == ()
        again = copy.deepcopy(twin)  # a copy of a copy, and what it makes, still work
        assert again.data == expected
        (again * 3.0).backward()
        assert again.grad == 3.0


def test_a_product_too_large_in_a_dot_is_worded_whole():
    with pytest.raises(OverflowError) as caught:
        dot([Value(1.0), Value(1e200)], [Value(2.0), Value(1e200)])
    assert str(caught.value) == "dot: overflow, term 1: 1e+200 * 1e+200 is too large for a float"


def test_expression_writes_an_op_outside_the_table_as_a_call():
    assert expression("hypot", 3.0, -4.0) == "hypot(3.0, -4.0)"
    assert expression("erf", -0.5) == "erf(-0.5)"
    assert expression("log", -2.0) == "log(-2.0)"  # a table op, for contrast
    assert expression("mul", -2.0, 3.0) == "(-2.0) * 3.0"


def test_message_words_a_forward_refusal_unless_told_it_is_a_derivative():
    log_positive = FORWARD["log"][0]
    assert message("log", log_positive, -2.0) == "log: the input must be positive, got log(-2.0)"
    assert (message("log", log_positive, -2.0, derivative=True)
            == "backward of log: the input must be positive, got log(-2.0)")


def test_a_dot_of_numbers_made_while_tracing_holds_their_dot():
    """While compile traces, a dot of Values that hold numbers (not traced inputs) is a number the
    function may read: 1.5*3 - 2*4 + 0.5*5 = -1 by hand."""
    c = [Value(1.5), Value(-2.0), Value(0.5)]
    seen = []

    def f(v):
        d = dot(c, [Value(3.0), Value(4.0), Value(5.0)])
        seen.append(d.data)
        return v[0] * (2.0 if d.data > 0 else -3.0)

    g = autograd.compile(f, 1, [])
    assert seen[0] == -1.0
    assert g(np.array([[2.0]])).tolist() == [-6.0]
