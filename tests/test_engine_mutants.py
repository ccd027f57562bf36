"""Tests added to kill the mutants that survived ``make mutation`` (tests/MUTATION.md).

Every expected value is a hand formula, a central difference or a message written out here,
never the engine's own output.
"""

import copy
import math
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import Value, detect_anomaly, no_grad, topological_order
from autograd import primitives as P

ROOT = str(Path(autograd.__file__).resolve().parents[1])  # the subprocesses import this very autograd
XS = [-800.0, -30.0, -2.5, -1.0, -0.3, -1e-3, 0.0, 1e-3, 0.3, 1.0, 2.5, 30.0, 800.0]


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


ARRAY_CASES = [  # primitive, hand formula per element, the inputs it is defined on
    (P.exp, math.exp, [x for x in XS if abs(x) < 700]),
    (P.log, math.log, [x for x in XS if x > 0]),
    (P.sqrt, math.sqrt, [x for x in XS if x >= 0]),
    (P.tanh, math.tanh, XS),
    (P.sigmoid, sig, XS),
    (P.softplus, softplus, XS),
    (P.relu, lambda z: z if z > 0 else 0.0, XS),
    (lambda a: P.leaky_relu(a, 0.1), lambda z: z if z >= 0 else 0.1 * z, XS),
    (lambda a: P.elu(a, 0.5), lambda z: z if z > 0 else 0.5 * math.expm1(z), XS),
    (P.step, lambda z: 1.0 if z > 0 else 0.0, XS),
    (P.sign, lambda z: (z > 0) - (z < 0), XS),
    (P.absolute, abs, XS),
]


@pytest.mark.parametrize("prim, formula, xs", ARRAY_CASES, ids=[str(i) for i in range(len(ARRAY_CASES))])
def test_primitives_on_arrays_and_floats_agree_with_the_formula(prim, formula, xs):
    # the replay calls the primitives on (rows, examples) arrays; the eager engine on floats
    arr = np.array(xs).reshape(1, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warning on any branch
        out = prim(arr)
    assert isinstance(out, np.ndarray) and out.shape == arr.shape and out.dtype == np.float64
    for x, got in zip(xs, out.ravel()):
        assert got == pytest.approx(formula(x), rel=1e-14, abs=1e-300), x
        assert prim(float(x)) == pytest.approx(formula(x), rel=1e-14, abs=1e-300), x


def test_primitives_on_values_dispatch_to_the_value_method():
    v = Value(-0.5)
    assert P.exp(v).op == "exp" and P.tanh(v).op == "tanh" and P.sigmoid(v).op == "sigmoid"
    assert P.softplus(v).op == "softplus" and P.relu(v).op == "relu"
    w = Value(2.0)
    assert P.log(w).data == math.log(2.0) and P.sqrt(w).data == math.sqrt(2.0)
    assert P.leaky_relu(v, 0.1).data == -0.05 and P.leaky_relu(v, 0.1).constant == 0.1
    assert P.elu(v, 0.5).data == 0.5 * math.expm1(-0.5) and P.elu(v, 0.5).constant == 0.5


def test_where_on_arrays_and_scalars():
    cond = np.array([[True, False, True]])
    assert P.where(cond, np.array([[1.0, 2.0, 3.0]]), 9.0).tolist() == [[1.0, 9.0, 3.0]]
    assert P.where(True, 1.0, 2.0) == 1.0 and P.where(False, 1.0, 2.0) == 2.0


def test_power_slope_on_arrays_is_exact_and_silent_at_zero():
    x = np.array([[0.0, 0.0, 2.0, -3.0, 0.0]])
    n = np.array([[0.0, 2.0, 3.0, 2.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # n x^(n-1) at x = 0, n = 0 would warn "divide by zero"
        assert P.power_slope(x, n).tolist() == [[0.0, 0.0, 12.0, -6.0, 1.0]]  # n x^(n-1), 0 for n = 0
        assert P.power_slope(np.array([[0.0]]), np.array([[0.5]])).tolist() == [[math.inf]]
        assert P.power_slope(np.array([[-1.0]]), np.array([[0.5]])).tolist()[0][0] != 0.0  # nan
    assert P.power_slope(0.0, 0.0) == 0.0 and P.power_slope(3.0, 2.0) == 6.0
    # an array against a plain exponent (and the reverse) is still the array path: exact zeros for n = 0
    zeros = P.power_slope(np.array([[0.0, 2.0]]), 0.0)
    assert isinstance(zeros, np.ndarray) and zeros.tolist() == [[0.0, 0.0]]
    assert P.power_slope(2.0, np.array([[0.0, 3.0]])).tolist() == [[0.0, 12.0]]


@pytest.mark.parametrize("x", [0.25, 0.5, 0.75, 1.0 - 2**-52])
def test_sigmoid_of_a_positive_float_is_one_over_one_plus_e_to_minus_x(x):
    assert P.sigmoid(x) == 1.0 / (1.0 + math.exp(-x))


# ---------------------------------------------------------------- value.py: messages and small promises


def test_value_messages_word_by_word():
    with pytest.raises(TypeError) as info:
        Value("1.0")
    assert str(info.value) == "Value: expected a real number (int, float, bool or numpy scalar), got str: '1.0'"
    with pytest.raises(TypeError) as info:
        Value(1.0, label=3)
    assert str(info.value) == "Value: label must be a str, got int"
    with pytest.raises(OverflowError) as info:
        Value(10**400)
    assert str(info.value).startswith("Value: 1000000") and str(info.value).endswith("... is too large for a float")
    with pytest.raises(TypeError) as info:
        Value("x" * 100)
    assert str(info.value).endswith("got str: '" + "x" * 56 + "...")
    with pytest.raises(TypeError) as info:
        Value("x" * 58)  # a repr of exactly 60 characters is shown whole
    assert str(info.value).endswith("got str: '" + "x" * 58 + "'")
    with pytest.raises(TypeError) as info:
        Value("x" * 59)  # 61 characters: cut to 57 and "..."
    assert str(info.value).endswith("got str: '" + "x" * 56 + "...")
    with pytest.raises(TypeError, match=r"^compare: expected a real number"):
        Value(1.0) < "a"  # noqa: B015
    with pytest.raises(TypeError, match=r"^backward: grad: expected a real number"):
        Value(1.0).backward(grad="1")
    with pytest.raises(TypeError, match=r"^leaky_relu: alpha: expected"):
        Value(1.0).leaky_relu("0.1")
    with pytest.raises(TypeError, match=r"^elu: alpha: expected"):
        Value(1.0).elu("0.1")


def test_small_promises_of_value():
    assert Value(1.0).label == "" and repr(Value(1.0)) == "Value(data=1.0, grad=0.0)"
    assert repr(Value(1.0, label="w")) == "Value(data=1.0, grad=0.0, label='w')"
    d = Value(2.0, label="w").detach()
    assert d.label == "w" and d.is_leaf()
    assert not (Value(1.0) < 1) and not (Value(1.0) > 1) and Value(1.0) <= 1 and Value(1.0) >= 1
    assert Value(-1.0).leaky_relu().data == -0.01  # the default alpha
    v = Value(-3.0)
    y = v.abs()
    assert y.op == "abs" and y.data == 3.0
    y.backward()
    assert v.grad == -1.0
    with no_grad():
        z = v * 2
    assert z.op == "" and z.parents == ()


def test_copy_keeps_every_field():
    x = Value(1.5)
    y = x * 2.0
    y.label, y.grad = "y", 4.0
    c = copy.copy(y)
    assert (c.data, c.grad, c.label, c.op, c.parents, c.constant) == (3.0, 4.0, "y", "mul", (x,), 2.0)


def test_deepcopy_keeps_identity_and_gradients():
    a = Value(2.0)
    b = a * 3
    out = b * b
    out.backward()
    a2, b2, out2 = copy.deepcopy([a, b, out])
    assert b2._x is a2 and out2._x is out2._y is b2
    assert (a2.grad, b2.grad, out2.grad) == (36.0, 12.0, 1.0)


def test_a_graph_unpickled_from_a_process_with_a_later_clock_still_refuses_changed_data():
    # the other process assigned .data many times: its stamps are larger than this process's clock
    ahead = autograd.value._clock + 1000  # more assignments than this process has made so far
    code = (
        f"import pickle, sys\nsys.path.insert(0, {ROOT!r})\nfrom autograd import Value\nx = Value(2.0)\n"
        f"for _ in range({ahead}):\n    x.data = 2.0\n"
        "y = x.tanh() * x\nsys.stdout.write(pickle.dumps((x, y)).hex())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    x, y = pickle.loads(bytes.fromhex(out))
    x.data = 3.0
    with pytest.raises(RuntimeError, match="was assigned"):
        y.backward()
    fresh = Value(1.0)
    z = fresh * x
    z.backward()  # a new graph after the unpickling: fine
    assert fresh.grad == 3.0


# ---------------------------------------------------------------- backward.py


def test_changed_error_names_the_input_that_changed_word_by_word():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    out = a * b
    b.data = 5.0  # the second input changed, not the first
    with pytest.raises(RuntimeError) as info:
        out.backward()
    assert str(info.value) == (
        "backward: the mul node (data=2.0) was recorded, then the .data of its input the leaf 'b' was "
        "assigned; its derivative would mix the old graph with the new number. Run the forward pass again "
        "after changing .data (optimisers change it between steps, when no graph is held)"
    )


def test_no_grad_backward_message_word_by_word():
    with no_grad():
        y = Value(2.0) * 3
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert str(info.value) == (
        "backward: Value(data=6.0, grad=0.0) was computed inside no_grad(), so no graph was recorded to "
        "differentiate; compute it outside no_grad() (or with enable_grad())"
    )


def test_anomaly_messages_name_the_upstream_gradient_in_both_executors():
    expected = (r"^detect_anomaly: backward of sqrt produced gradient inf from inputs \(1e-300\) "
                r"and upstream gradient 1e\+300$")
    with detect_anomaly():
        x = Value(1e-300)
        with pytest.raises(FloatingPointError, match=expected):
            x.sqrt().backward(grad=1e300)
        # recording the backward pass: a float seed times a constant can still overflow to inf
        w = Value(1.0)
        with pytest.raises(FloatingPointError, match=(r"^detect_anomaly: backward of mul produced gradient inf "
                                                      r"from inputs \(1\.0, 1e\+200\) and upstream gradient 1e\+300$")):
            (w * 1e200).backward(grad=1e300, create_graph=True)


def test_an_overflow_while_recording_the_backward_pass_is_worded_with_both_operands():
    x, y = Value(1e100), Value(1e200)
    out = x * y  # 1e300: fine
    with pytest.raises(OverflowError) as info:
        out.backward(grad=Value(1e300), create_graph=True)  # g * y = 1e500
    assert str(info.value) == ("backward of mul: the derivative is not finite, got 1e+100 * 1e+200 "
                               "(mul: overflow, 1e+300 * 1e+200 is too large for a float)")


def test_an_overflow_in_a_float_backward_pass_outside_the_domain_table_is_worded():
    x, y = Value(1e-5), Value(-61.0)
    out = x**y  # 1e305: fine; its slope y x^(y - 1) = -61e310 is not
    with pytest.raises(OverflowError) as info:
        out.backward()
    assert str(info.value).startswith("backward of powv: the derivative is not finite, got 1e-05 ** (-61.0) (")


def test_create_graph_gradients_add_onto_existing_float_gradients_and_record_no_zero_additions():
    x = Value(2.0)
    x.grad = 1.0
    (x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 5.0  # 1 + 2x
    w = Value(0.5)
    w.exp().backward(create_graph=True)
    # dL/dw = g * e^w with g = 1.0: one mul node on top of the exp node and the leaf, no "0.0 + ..."
    assert w.grad.op == "mul" and len(topological_order(w.grad)) == 3


def test_compile_traces_functions_with_domain_ops():
    # while tracing there are no numbers: the domain check must wait for the replay
    f = autograd.compile(lambda x: [x[0].log(), x[0].sqrt(), 1.0 / x[0], x[0] ** 0.5, 2.0 ** x[0], x[0] ** x[0]],
                         n_inputs=1, parameters=[])
    out = f.forward(np.array([[4.0]]))
    assert out.ravel().tolist() == [math.log(4.0), 2.0, 0.25, 2.0, 16.0, 256.0]


def test_in_a_fresh_process_the_first_graph_names_the_changed_input():
    # before any assignment the clock is 0, so the first nodes carry version 0: still "recorded, then changed"
    code = (
        f"import sys\nsys.path.insert(0, {ROOT!r})\n"
        "from autograd import Value\nx = Value(2.0, label='x')\ny = x * 3.0\nx.data = 1.0\n"
        "try:\n    y.backward()\nexcept RuntimeError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("backward: the mul node (data=6.0) was recorded, then the .data of its input the leaf 'x'")


# ---------------------------------------------------------------- rules.py: every rule, both executors

A = 0.2  # an activation's alpha
C = 1.7  # a constant operand
ONE = [  # op, the Value expression of x, the same function on floats (the reference), x's domain
    ("add c", lambda v: v + C, lambda x: x + C, None),
    ("sub c", lambda v: v - C, lambda x: x - C, None),
    ("rsub", lambda v: C - v, lambda x: C - x, None),
    ("mul c", lambda v: v * C, lambda x: x * C, None),
    ("div c", lambda v: v / C, lambda x: x / C, None),
    ("rdiv", lambda v: C / v, lambda x: C / x, None),
    ("neg", lambda v: -v, lambda x: -x, None),
    ("pow 2", lambda v: v**2, lambda x: x**2, None),
    ("pow 3", lambda v: v**3, lambda x: x**3, None),
    ("pow 0.5", lambda v: v**0.5, lambda x: x**0.5, "positive"),
    ("pow -1.5", lambda v: v**-1.5, lambda x: x**-1.5, "positive"),
    ("rpow", lambda v: C**v, lambda x: C**x, None),
    ("exp", lambda v: v.exp(), math.exp, None),
    ("log", lambda v: v.log(), math.log, "positive"),
    ("sqrt", lambda v: v.sqrt(), math.sqrt, "positive"),
    ("abs", lambda v: v.abs(), abs, None),
    ("tanh", lambda v: v.tanh(), math.tanh, None),
    ("sigmoid", lambda v: v.sigmoid(), sig, None),
    ("relu", lambda v: v.relu(), lambda x: max(x, 0.0), None),
    ("leaky_relu", lambda v: v.leaky_relu(A), lambda x: x if x >= 0 else A * x, None),
    ("elu", lambda v: v.elu(A), lambda x: x if x > 0 else A * math.expm1(x), None),
    ("softplus", lambda v: v.softplus(), softplus, None),
]
TWO = [  # binary ops with two Values: x op y, on floats
    ("add", lambda u, v: u + v, lambda x, y: x + y),
    ("sub", lambda u, v: u - v, lambda x, y: x - y),
    ("mul", lambda u, v: u * v, lambda x, y: x * y),
    ("div", lambda u, v: u / v, lambda x, y: x / y),
    ("powv", lambda u, v: u**v, lambda x, y: x**y),
]
POINTS = [-1.7, -0.4, 0.3, 1.3, 2.9]
H = 1e-5


def d1(f, x):
    return (f(x + H) - f(x - H)) / (2 * H)


def d2(f, x, h=1e-4):
    return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)


@pytest.mark.parametrize("name, expr, ref, domain", ONE, ids=[c[0] for c in ONE])
def test_every_one_input_rule_against_central_differences_in_both_executors(name, expr, ref, domain):
    for x in POINTS:
        if domain == "positive" and x <= 0:
            continue
        v = Value(x)
        expr(v).backward()
        assert v.grad == pytest.approx(d1(ref, x), rel=1e-6, abs=1e-8), (name, x)
        w = Value(x)
        expr(w).backward(create_graph=True)  # the same rule on Values: its result has a graph
        first = w.grad
        assert float(first) == pytest.approx(d1(ref, x), rel=1e-6, abs=1e-8), (name, x)
        if isinstance(first, Value):
            w.grad = 0.0
            first.backward()
            assert w.grad == pytest.approx(d2(ref, x), rel=1e-4, abs=1e-5), (name, x)
        else:
            assert d2(ref, x) == pytest.approx(0.0, abs=1e-5), (name, x)  # a constant slope


@pytest.mark.parametrize("name, expr, ref", TWO, ids=[c[0] for c in TWO])
def test_every_two_input_rule_against_central_differences(name, expr, ref):
    for x in POINTS:
        for y in (0.6, 1.9, -1.2):
            if name == "powv" and x <= 0:
                continue
            u, v = Value(x), Value(y)
            expr(u, v).backward()
            dx = d1(lambda t, y=y: ref(t, y), x)
            dy = d1(lambda t, x=x: ref(x, t), y)
            assert u.grad == pytest.approx(dx, rel=1e-6, abs=1e-8) and v.grad == pytest.approx(dy, rel=1e-6, abs=1e-8)
            u2, v2 = Value(x), Value(y)
            expr(u2, v2).backward(create_graph=True)
            assert float(u2.grad) == pytest.approx(dx, rel=1e-6, abs=1e-8), (name, x, y)
            assert float(v2.grad) == pytest.approx(dy, rel=1e-6, abs=1e-8), (name, x, y)


def test_kink_conventions_in_both_executors():
    # ReLU'(0) = 0, leaky ReLU'(0) = 1, ELU'(0) = alpha, |x|'(0) = 0 (D5)
    for expr, slope in [(lambda v: v.relu(), 0.0), (lambda v: v.leaky_relu(A), 1.0),
                        (lambda v: v.elu(A), A), (lambda v: v.abs(), 0.0)]:
        for create_graph in (False, True):
            v = Value(0.0)
            expr(v).backward(create_graph=create_graph)
            assert float(v.grad) == slope


def test_nodes_made_before_any_assignment_name_the_changed_input(monkeypatch):
    # the same as the fresh-process test above, in this process: the clock as at the start
    monkeypatch.setattr(autograd.value, "_clock", 0)
    x = Value(2.0, label="x")
    y = x * 3.0
    monkeypatch.undo()
    x.data = 1.0
    message = r"^backward: the mul node \(data=6\.0\) was recorded, then the \.data of its input the leaf 'x' was"
    with pytest.raises(RuntimeError, match=message):
        y.backward()


# ---------------------------------------------------------------- max and eq (merged from main)


def test_max_forward_and_gradient_go_to_the_larger_input_half_each_at_a_tie():
    for x, y, dx, dy in [(3.0, 1.0, 1.0, 0.0), (-2.0, 0.5, 0.0, 1.0), (1.5, 1.5, 0.5, 0.5)]:
        for create_graph in (False, True):
            u, v = Value(x), Value(y)
            out = u.max(v)
            assert out.data == max(x, y) and out.op == "max"
            out.backward(create_graph=create_graph)
            assert (float(u.grad), float(v.grad)) == (dx, dy), (x, y, create_graph)
    w = Value(0.3)
    m = w.max(2.0)  # a constant operand: the gradient of w is 0 below it, 1 above
    m.backward()
    assert m.data == 2.0 and m.constant == 2.0 and w.grad == 0.0
    w2 = Value(3.0)
    w2.max(2.0).backward()
    assert w2.grad == 1.0


def test_equal_is_a_flat_one_hot_mask():
    for create_graph in (False, True):
        x = Value(3.0)
        mask = x.equal(3.0)
        assert mask.data == 1.0 and x.equal(2.0).data == 0.0 and mask.op == "eq"
        (mask * 5.0 + x).backward(create_graph=create_graph)
        assert float(x.grad) == 1.0  # d(mask)/dx = 0
        u, v = Value(2.0), Value(2.0)
        u.equal(v).backward(create_graph=create_graph)
        assert (float(u.grad), float(v.grad)) == (0.0, 0.0)
        u, v = Value(2.0), Value(2.0)
        (u.equal(v) * 0.0 + u).backward(create_graph=create_graph)  # a zero upstream gradient is fine too
        assert (float(u.grad), float(v.grad)) == (1.0, 0.0)


def test_maximum_equal_and_max_share_on_every_number_type():
    a, b = np.array([[1.0, 5.0, 2.0]]), np.array([[3.0, 4.0, 2.0]])
    assert P.maximum(a, b).tolist() == [[3.0, 5.0, 2.0]] and P.maximum(a, 2.5).tolist() == [[2.5, 5.0, 2.5]]
    assert P.maximum(2.5, a).tolist() == [[2.5, 5.0, 2.5]]
    assert P.equal(a, b).tolist() == [[0.0, 0.0, 1.0]] and P.equal(2.0, a).tolist() == [[0.0, 0.0, 1.0]]
    assert P.equal(a, 5.0).dtype == np.float64
    assert P.max_share(a, b).tolist() == [[0.0, 1.0, 0.5]] and P.max_share(b, a).tolist() == [[1.0, 0.0, 0.5]]
    assert P.max_share(a, 2.0).tolist() == [[0.0, 1.0, 0.5]]
    assert (P.maximum(1.0, 2.0), P.maximum(2.0, 1.0), P.maximum(2, 1.0), P.maximum(1.0, 1.0)) == (2.0, 2.0, 2, 1.0)
    assert (P.equal(1.0, 1.0), P.equal(1.0, 2.0), P.equal(3, 3.0)) == (1.0, 0.0, 1.0)
    assert (P.max_share(2.0, 1.0), P.max_share(1.0, 2.0), P.max_share(1.0, 1.0)) == (1.0, 0.0, 0.5)
    v = Value(1.5)
    for m in (P.maximum(v, 0.5), P.maximum(0.5, v)):
        assert isinstance(m, Value) and m.op == "max" and m.data == 1.5
    for e in (P.equal(v, 1.5), P.equal(1.5, v)):
        assert isinstance(e, Value) and e.op == "eq" and e.data == 1.0
