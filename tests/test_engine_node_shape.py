"""Every node's inputs read one way: parents, constant and op of each kind of node, copies of a
node of many inputs, and a refused backward that puts back gradients of 0.0 and of other values
alike, on nodes of one, two and many inputs. References: hand derivatives."""

import copy
import pickle

import pytest

from autograd import Value, dot, no_grad


def test_parents_constant_and_op_of_every_kind_of_node():
    a, b, c = Value(2.0), Value(3.0), Value(-1.0)
    assert (a.parents, a.constant, a.op, a.is_leaf()) == ((), None, "", True)
    t = a.tanh()
    assert (t.parents, t.constant, t.op) == ((a,), None, "tanh")
    scaled = 2 * a
    assert (scaled.parents, scaled.constant, scaled.op) == ((a,), 2.0, "mul")
    leaky = b.leaky_relu(0.1)
    assert (leaky.parents, leaky.constant) == ((b,), 0.1)
    product = a * b
    assert (product.parents, product.constant) == ((a, b), None)
    one = dot([a], [b])
    assert (one.op, one.parents, one.constant, one.data) == ("dot", (a, b), None, 6.0)
    many = dot([a, b, c], [c, a, a])  # a Value used twice is listed twice
    assert many.parents == (a, b, c, c, a, a) and many.data == -2.0 + 6.0 - 2.0
    with no_grad():
        unrecorded = a * b
        unrecorded_dot = dot([a, b, c], [a, b, c])
    for v in (unrecorded, unrecorded_dot):
        assert (v.parents, v.constant, v.op, v.is_leaf()) == ((), None, "", True)


def test_a_node_of_many_inputs_differentiates_by_hand():
    a, b, c = Value(2.0), Value(3.0), Value(-1.0)
    h = a * b  # a computed input, reached through the inputs after the first two
    out = dot([a, b, h], [c, c, a])  # a c + b c + (a b) a = -2 - 3 + 12
    out.backward()
    assert out.data == 7.0
    # d/da = c + 2 a b = 11, d/db = c + a^2 = 3, d/dc = a + b = 5, d/dh = a = 2
    assert (a.grad, b.grad, c.grad, h.grad) == (11.0, 3.0, 5.0, 2.0)
    out.backward()  # leaves add, interior nodes are recomputed
    assert (a.grad, b.grad, c.grad, h.grad) == (22.0, 6.0, 10.0, 2.0)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copies_of_a_node_of_many_inputs_keep_its_inputs_in_order(how):
    a, b, c = Value(2.0, label="a"), Value(3.0), Value(-1.0)
    h = a * b
    out = dot([a, b, h], [c, c, a])
    out.backward()
    if how == "deepcopy":
        a2, h2, out2 = copy.deepcopy([a, h, out])
    else:
        a2, h2, out2 = pickle.loads(pickle.dumps([a, h, out]))
    assert out2.parents[0] is a2 and out2.parents[2] is h2 and out2.parents[5] is a2
    assert h2.parents[0] is a2 and a2.label == "a" and out2.data == 7.0
    assert (a2.grad, h2.grad) == (11.0, 2.0)
    a2.grad = 0.0
    out2.backward()
    assert a2.grad == 11.0 and a.grad == 11.0  # the copy's graph is its own


def test_a_refused_backward_puts_back_zero_and_other_gradients_on_every_kind_of_node():
    u, v, w = Value(0.0), Value(1.5), Value(2.0)
    h = v * 1.0
    k = w.tanh()
    out = u.sqrt() + dot([v, w, h, k], [w, v, Value(1.0), Value(2.0)]) + 3.0 * u
    v.grad, k.grad = 4.0, -2.5  # a leaf and an interior node with old gradients; the rest 0.0
    nodes = [u, v, w, h, k, out]
    before = [n.grad for n in nodes]
    with pytest.raises(ZeroDivisionError, match="backward of sqrt"):
        out.backward()
    assert [n.grad for n in nodes] == before


def test_a_backward_refused_for_a_changed_input_puts_back_every_gradient():
    x, y, z = Value(1.0), Value(2.0), Value(3.0)
    h = x * y
    out = dot([h, x, y], [z, z, h]) + x.exp()
    x.grad, h.grad = 0.5, 7.0
    z.data = 4.0  # after the dot node was recorded: backward must refuse it
    with pytest.raises(RuntimeError, match="was recorded, then the .data of its input"):
        out.backward()
    assert (x.grad, y.grad, z.grad, h.grad, out.grad) == (0.5, 0.0, 0.0, 7.0, 0.0)
