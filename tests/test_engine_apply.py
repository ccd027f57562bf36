"""autograd.apply records an operation by its name, as the operators and methods do."""

import math

import pytest

from autograd import RULES, Value, apply


@pytest.mark.parametrize(("op", "other", "made_by"), [
    ("add", Value(0.5), lambda x, y: x + y),
    ("mul", 3.0, lambda x, c: x * c),
    ("rsub", 1.0, lambda x, c: c - x),
    ("powv", Value(1.5), lambda x, y: x ** y),
    ("tanh", None, lambda x, _: x.tanh()),
    ("leaky_relu", 0.1, lambda x, a: x.leaky_relu(a)),
])
def test_apply_is_the_operator(op, other, made_by):
    x = Value(0.8)
    out, expected = apply(op, x, other), made_by(x, other)
    assert (out.op, out.data, out.constant) == (expected.op, expected.data, expected.constant)
    out.backward()
    by_apply = x.grad
    x.grad = 0.0
    expected.backward()
    assert by_apply == x.grad


def test_apply_rerecords_a_node_from_its_parents():
    a, b = Value(2.0), Value(-1.5)
    node = (a * b).exp()
    copy = apply(node.op, apply(node.parents[0].op, a, b))
    assert copy.data == pytest.approx(math.exp(-3.0), rel=1e-15)
    assert set(RULES) >= {"mul", "exp"}


def test_apply_refuses_what_it_cannot_record():
    unknown = r"apply: unknown operation 'matmul'; the operations are the keys of autograd\.RULES$"
    with pytest.raises(ValueError, match=unknown):
        apply("matmul", Value(1.0))
    with pytest.raises(TypeError, match="apply: mul takes a Value as its first input, got float"):
        apply("mul", 2.0, Value(1.0))
    with pytest.raises(TypeError, match="apply: mul's second input must be a Value or a real number, got str"):
        apply("mul", Value(1.0), "2")
    with pytest.raises(ValueError, match="log: the input must be positive"):
        apply("log", Value(-1.0))
