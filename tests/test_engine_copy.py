"""pickle, copy and weakref of Values: whole graphs, however deep, without recursion."""

import copy
import gc
import math
import pickle
import weakref

import pytest

import nn
from autograd import Value, topological_order


def deep_graph(n: int) -> tuple[Value, Value]:
    """n nodes deep, every other node using the leaf x again: f = ...((x + x) * 1.0001).tanh() + x..."""
    x = Value(0.5, label="x")
    v = x
    for i in range(n):
        v = (v * 1.0001).tanh() if i % 2 else v + x
    return x, v


def leaf_named(root: Value, label: str) -> Value:
    (leaf,) = [v for v in topological_order(root) if v.label == label]
    return leaf


@pytest.mark.parametrize("n", [5_000, 100_000])
def test_pickle_of_a_deep_graph_round_trips_without_recursion(n):
    x, v = deep_graph(n)
    restored = pickle.loads(pickle.dumps(v))
    assert restored is not v and restored.data == v.data
    assert len(topological_order(restored)) == len(topological_order(v))
    v.backward()
    restored.backward()
    copy_of_x = leaf_named(restored, "x")  # the shared leaf is one node in the copy too
    assert copy_of_x is not x and copy_of_x.grad == x.grad and math.isfinite(x.grad) and x.grad != 0.0


@pytest.mark.parametrize("n", [5_000, 100_000])
def test_deepcopy_of_a_deep_graph_is_independent(n):
    x, v = deep_graph(n)
    c = copy.deepcopy(v)
    assert c.data == v.data and c is not v
    c.backward()
    assert x.grad == 0.0  # the original is untouched
    assert leaf_named(c, "x").grad != 0.0


def test_pickle_keeps_identity_across_the_values_pickled_together():
    a = Value(2.0, label="a")
    b = a * 3
    a2, b2, out2 = pickle.loads(pickle.dumps([a, b, b * b]))
    assert b2._x is a2 and out2._x is out2._y is b2 and b2.constant == 3.0
    assert a2.label == "a" and out2.data == 36.0
    out2.backward()
    assert a2.grad == 36.0


def test_copy_shares_the_inputs_and_deepcopy_copies_gradient_graphs():
    x = Value(1.5)
    y = x * x
    shallow = copy.copy(y)
    assert shallow is not y and shallow._x is x and shallow.data == 2.25
    y.backward(create_graph=True)  # x.grad is a Value: 2x, with a graph of its own
    for x2 in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert isinstance(x2.grad, Value) and x2.grad is not x.grad and x2.grad.data == 3.0
        assert x in topological_order(x.grad) and x2 in topological_order(x2.grad)  # 2x uses x: the copy, its copy


def test_a_stale_graph_stays_stale_after_pickling():
    x = Value(2.0)
    y = x.tanh() * x
    x.data = 3.0
    with pytest.raises(RuntimeError, match="was assigned"):
        pickle.loads(pickle.dumps(y)).backward()


def test_a_pickled_model_gives_the_same_outputs():
    model = nn.MLP(2, [4, 1], seed=0)
    clone = pickle.loads(pickle.dumps(model))
    assert clone([0.3, -0.2]).data == model([0.3, -0.2]).data


def test_weakref_to_a_value():
    v = Value(1.0)
    ref = weakref.ref(v)
    assert ref() is v
    del v
    gc.collect()
    assert ref() is None


