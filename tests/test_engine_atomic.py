"""Nothing half-done when the engine refuses, and the edge cases of one independent check.

A refused backward, optimiser step or compiled call changes no gradient, parameter or output;
create_graph records whatever the grad mode; apply checks its operands before recording; pickle
keeps no state between calls; the engine's own derivative helpers trace; and every refusal is a
clear error naming the operation. References: hand derivatives, PyTorch where noted.
"""

import copy
import math
import pickle

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, apply, detect_anomaly, dot, grad, gradients, no_grad
from autograd.replay import TracingError


# ---------------------------------------------------------------- failure atomicity
def test_a_refused_backward_leaves_every_grad_as_it_was():
    u, v = Value(0.0, label="u"), Value(1.5, label="v")
    u.grad, v.grad = 10.0, 20.0
    mid = v * 2.0
    inner = u.sqrt() + mid
    out = inner + u * 3.0
    mid.grad, inner.grad = 7.0, 5.0
    with pytest.raises(ZeroDivisionError, match="backward of sqrt"):
        out.backward()
    assert (u.grad, v.grad, mid.grad, inner.grad, out.grad) == (10.0, 20.0, 7.0, 5.0, 0.0)


def test_a_refused_backward_through_a_dot_node_leaves_every_grad_as_it_was():
    u, v = Value(0.0), Value(1.5)
    h = u * 1.0  # a computed input of the dot node
    u.grad, v.grad, h.grad = 1.0, 2.0, 3.0
    out = u.sqrt() + dot([h, v], [Value(2.0), Value(3.0)])  # the dot's rule runs before sqrt's refuses
    with pytest.raises(ZeroDivisionError, match="backward of sqrt"):
        out.backward()
    assert (u.grad, v.grad, h.grad) == (1.0, 2.0, 3.0)


def test_a_dot_of_a_computed_input_that_is_zero():
    x, w = Value(1.0), Value(2.5)
    h = x - 1.0  # 0.0 (a falsy Value) but computed: its gradient flows on to x
    dot([h, w], [w, Value(4.0)]).backward()
    assert (x.grad, w.grad) == (2.5, 4.0)


def test_an_anomaly_in_backward_changes_no_grad():
    a, b = Value(1e-300), Value(2.0)
    a.grad = 1.0
    out = (a.sqrt() + b * b) * 1e300  # d/da = 1e300 / (2 sqrt(1e-300)) overflows: anomaly
    with detect_anomaly(), pytest.raises(FloatingPointError, match="backward of sqrt"):
        out.backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


def test_zero_upstream_times_an_infinite_slope_is_zero():
    # sqrt(u) * 0 + 2v + 3u at u = 0: PyTorch completes, u.grad = 3, v.grad = 2
    u, v = Value(0.0), Value(1.0)
    (u.sqrt() * 0.0 + 2.0 * v + 3.0 * u).backward()
    assert (u.grad, v.grad) == (3.0, 2.0)
    x = Value(0.0)  # x ** 0.5 at 0 likewise, and on the Value executor
    (x ** 0.5 * 0.0 + x).backward(create_graph=True)
    assert getattr(x.grad, "data", x.grad) == 1.0


def test_zero_upstream_value_times_an_infinite_slope_is_a_zero_with_a_graph():
    # the upstream gradient u - 2 is 0 at u = 2 but not constant: 0 * slope is 0 with derivative 0
    u, x = Value(2.0), Value(0.0)
    upstream = u - 2.0
    x.sqrt().backward(grad=upstream, create_graph=True)
    assert x.grad.data == 0.0
    x.grad.backward()
    assert u.grad == 0.0  # the slope is no number: x.grad is 0 * (u - 2), not (u - 2)


def test_the_rules_on_arrays_match_the_hand_formulas():
    from autograd import RULES

    x, g = np.array([-400.0, -2.0, 0.0, 0.5, 3.0, 20.0]), np.ones(6)
    (leaky,) = RULES["leaky_relu"].vjp(g, None, x, 0.1)
    (elu,) = RULES["elu"].vjp(g, None, x, 0.5)
    (tanh,) = RULES["tanh"].vjp(g, np.tanh(x), x, None)
    (sigmoid,) = RULES["sigmoid"].vjp(g, 1 / (1 + np.exp(-x)), x, None)
    assert leaky.tolist() == [0.1, 0.1, 1.0, 1.0, 1.0, 1.0]
    assert elu.tolist() == pytest.approx([0.5 * math.exp(v) if v <= 0 else 1.0 for v in x], rel=1e-15)
    assert tanh.tolist() == pytest.approx([4 * math.exp(-2 * abs(v)) / (1 + math.exp(-2 * abs(v))) ** 2 for v in x],
                                          rel=1e-14)
    assert sigmoid.tolist() == pytest.approx([math.exp(-abs(v)) / (1 + math.exp(-abs(v))) ** 2 for v in x],
                                             rel=1e-14)


def test_gradients_through_a_dot_node_are_floats():
    x, w = Value(2.0), Value(3.0)
    (dx,) = gradients(dot([x, w], [w, x]), [x])  # 2 x w: d/dx = 2w
    assert type(dx) is float and dx == 6.0


def test_an_optimiser_update_that_raises_is_undone():
    class Halving(nn.optim.Optimizer):
        def update(self, lr):
            for p in self.params:
                p.data = p.data - lr * p.grad / p.data  # the zero parameter makes this raise

    params = [Value(1.0), Value(0.0), Value(2.0)]
    for p in params:
        p.grad = 1.0
    opt = Halving(params, lr=0.5)
    with pytest.raises(ZeroDivisionError):
        opt.step()
    assert [p.data for p in params] == [1.0, 0.0, 2.0] and opt.steps_taken == 0


def test_a_refused_compiled_gradient_writes_nothing_into_out():
    w = Value(1.0)
    f = autograd.compile(lambda v: (v[0] * w).sqrt(), 1, [w])
    out = np.full(1, 42.0)
    with pytest.raises(ZeroDivisionError):
        f.value_and_grad(np.array([[0.0]]), out=out)
    assert out.tolist() == [42.0]


# ---------------------------------------------------------------- create_graph and gradients
def test_create_graph_records_inside_no_grad():
    x = Value(3.0)
    y = x * x * x
    with no_grad():
        y.backward(create_graph=True)
    g = x.grad  # 3 x^2 = 27, with a graph: d/dx = 6x = 18 (PyTorch: 18)
    x.grad = 0.0
    g.backward()
    assert (g.data, x.grad) == (27.0, 18.0)


def test_gradients_refuses_an_output_with_no_graph():
    x = Value(2.0)
    with no_grad():
        z = x * x
    with pytest.raises(RuntimeError, match="gradients: the output .* no_grad"):
        gradients(z, [x])


def test_gradients_names_an_input_that_is_not_a_value():
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"gradients: inputs\[0\] must be a Value .* float: 1.0"):
        gradients(x * x, [1.0])


# ---------------------------------------------------------------- apply checks before recording
@pytest.mark.parametrize("op", ["pow", "rsub", "rdiv", "leaky_relu", "elu"])
def test_apply_refuses_a_value_where_the_rule_takes_a_number(op):
    x = Value(0.5)
    instead = r" \(for a Value exponent, use 'powv'\)" if op == "pow" else ""
    with pytest.raises(TypeError, match=f"^apply: {op}'s second input is a number kept inline, got a Value{instead}$"):
        apply(op, x, Value(2.0))
    (x * 2.0).backward()
    assert x.grad == 2.0  # nothing half-recorded to trip a later backward


def test_apply_refuses_a_second_input_for_one_input_ops():
    with pytest.raises(TypeError, match="apply: tanh takes one input, got a second: Value"):
        apply("tanh", Value(0.5), Value(2.0))
    with pytest.raises(TypeError, match="apply: mul takes a second input"):
        apply("mul", Value(0.5))


# ---------------------------------------------------------------- pickle keeps no state
def chain(x, n):
    y = x
    for _ in range(n):
        y = y * 1.0001 + 0.001
    return y


def test_pickle_of_a_node_after_a_pickle_of_it_with_a_later_node():
    x = Value(0.3)
    mid = chain(x, 600)
    top = chain(mid, 600)
    a, b = pickle.loads(pickle.dumps([mid, top]))
    assert (a.data, b.data) == (mid.data, top.data)
    assert b._x._x._x is not None and pickle.loads(pickle.dumps(mid)).data == mid.data  # no RecursionError


@pytest.mark.parametrize("depth", [20, 3000])
def test_pickle_and_deepcopy_after_create_graph(depth):
    x = Value(0.3)
    y = x
    for _ in range(depth):
        y = y.tanh()
    y.backward(create_graph=True)
    for restored in (pickle.loads(pickle.dumps([x, y])), copy.deepcopy([x, y])):
        rx, ry = restored
        assert rx.grad.data == x.grad.data and ry.data == y.data
        rx.grad.backward()  # the gradient's graph reaches the copied leaf, not the original
        assert rx.grad is not x.grad


# ---------------------------------------------------------------- the engine's helpers trace (numpy's exp != math's)
@pytest.mark.parametrize("name, f", [
    ("relu", lambda x: x.relu()), ("abs", abs), ("max", lambda x: x.max(0.25)),
    ("max of two", lambda x: x.max(x * 0.5)), ("leaky_relu", lambda x: x.leaky_relu(0.1)),
    ("elu", lambda x: x.elu(0.7)), ("sigmoid", lambda x: x.sigmoid()),
])
def test_compile_of_grad_of_piecewise_ops_equals_eager(name, f):
    X = np.array([-800.0, -3.0, -0.5, 0.0, 0.25, 0.5, 2.0, 800.0])
    d = f
    for order in (1, 2, 3):
        d = grad(d)
        compiled = autograd.compile(lambda v, d=d: d(v[0]), 1, [])
        eager = [d(float(x)) for x in X]
        assert compiled.forward(X[:, None]).tolist() == pytest.approx(eager, rel=1e-13, abs=0), (name, order)


def test_the_helpers_given_numbers_while_tracing_compare_them():
    from autograd import primitives as p
    from autograd.modes import tracing

    with tracing():  # only a Value is recorded as max/eq nodes; numbers are compared as numbers
        assert (p.step(2.0), p.step(-2.0), p.sign(-3.0), p.sign(0.0)) == (1.0, 0.0, -1.0, 0.0)
        assert (p.max_share(2.0, 1.0), p.max_share(1.0, 2.0), p.max_share(1.0, 1.0)) == (1.0, 0.0, 0.5)
        assert (p.leaky_slope(-1.0, 0.1), p.leaky_slope(1.0, 0.1)) == (0.1, 1.0)
        assert (p.elu_slope(-1.0, 0.5), p.elu_slope(1.0, 0.5)) == (0.5 * math.exp(-1.0), 1.0)


# ---------------------------------------------------------------- clear errors naming the operation
def test_max_and_equal_refuse_what_is_not_a_number():
    x = Value(1.0)
    with pytest.raises(TypeError, match="max: the other operand must be a Value or a real number, got str: 'a'"):
        x.max("a")
    with pytest.raises(TypeError, match="eq: the other operand must be a Value or a real number, got NoneType: None"):
        x.equal(None)


def test_data_arithmetic_inside_a_compiled_function_explains_tracing():
    w = Value(2.0)
    with pytest.raises(TracingError, match="arithmetic on .data .* autograd.compile records the graph once"):
        autograd.compile(lambda x: x[0].data * w, 1, [w])


def test_a_batch_too_large_for_a_float_names_the_compiled_function():
    w = Value(2.0)
    f = autograd.compile(lambda x: x[0] * w, 1, [w])
    with pytest.raises(TypeError, match=r"compiled: X must be an array of real numbers .* too large"):
        f.forward([[10**400]])
    assert math.isfinite(f.forward([[1.0]])[0])


def test_create_graph_sets_interior_gradients_and_adds_into_leaves():
    x = Value(2.0)
    h = x * x
    out = h * 3.0
    for _ in range(2):
        out.backward(create_graph=True)
    assert getattr(h.grad, "data", h.grad) == 3.0  # this pass's, as backward() does
    assert x.grad.data == 2 * 12.0  # two passes of d/dx 3x^2 = 6x
