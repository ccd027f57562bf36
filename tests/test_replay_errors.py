"""Clear errors from the replay: branching on data while tracing, bad domains, bad input."""

import math

import numpy as np
import pytest

import autograd
from autograd import ReplayError, TracingError, Value

# ---------------------------------------------------------------- branching on data while tracing

BRANCHES = {
    "if": lambda x, w: x * w if x > 0 else -x,
    "bool": lambda x, w: x * w if x else w,
    "float": lambda x, w: Value(float(x)) * w,
    "item": lambda x, w: x.item() * w,
    "max": lambda x, w: max(x, w),
    "math": lambda x, w: Value(math.exp(x)) * w,
    "data_compare": lambda x, w: x.relu() if x.data < 1.0 else x,
    "data_into_value": lambda x, w: w * Value(x.data * 2.0),
    "data_as_constant": lambda x, w: w * (x.data + 1.0),
    "round": lambda x, w: w * round(x.data),
    "data_floordiv": lambda x, w: w * Value(x.data // 2),
}


@pytest.mark.parametrize("name", sorted(BRANCHES))
def test_branching_on_a_traced_value_raises_and_explains(name):
    w = Value(0.5, label="w")
    with pytest.raises(TracingError) as error:
        autograd.compile(lambda v: BRANCHES[name](v[0], w), 1, [w])
    message = str(error.value)
    assert "replays it for every example" in message  # why
    assert "relu" in message and "engine='eager'" in message  # what to do instead
    assert w.data == 0.5


def test_piecewise_ops_trace_fine_where_an_if_does_not():
    w = Value(1.5)
    f = autograd.compile(lambda v: (v[0] * w).relu() + abs(v[0]) - v[0].leaky_relu(0.1), 1, [w])
    out = f.forward(np.array([[-2.0], [3.0]]))
    assert out.tolist() == [0.0 + 2.0 + 0.2, 4.5 + 3.0 - 3.0]


def test_tracing_error_is_a_type_error():
    assert issubclass(TracingError, TypeError)


# ---------------------------------------------------------------- domain errors during the replay

DOMAINS = [  # (name, fn, rows, the bad example)
    ("log", lambda x, w: (x * w).log(), [[1.0], [-1.0]], 1),
    ("log0", lambda x, w: (x * w).log(), [[0.0]], 0),
    ("rdiv", lambda x, w: 2.0 / x, [[2.0], [0.0]], 1),
    ("div", lambda x, w: w / (x - w), [[1.0]], 0),
    ("sqrt", lambda x, w: (x - w).sqrt(), [[3.0], [0.5]], 1),
    ("exp", lambda x, w: (x * w).exp(), [[1.0], [800.0]], 1),
    ("pow", lambda x, w: (x * w) ** 0.5, [[-2.0]], 0),
    ("pow0", lambda x, w: (x * w) ** -1.0, [[1.0], [0.0]], 1),
    ("powv", lambda x, w: x ** w, [[2.0], [-3.0]], 1),
    ("rpow", lambda x, w: (-2.0) ** (x * w), [[2.0]], 0),
    ("mul", lambda x, w: (x * x * w).tanh(), [[1e200]], 0),
]


@pytest.mark.parametrize("name,fn,rows,example", DOMAINS, ids=[d[0] for d in DOMAINS])
def test_bad_domains_raise_the_eager_error_with_the_example(name, fn, rows, example):
    # one domain table (autograd/domains.py): the same error type and words as the eager engine
    w = Value(1.0, label="w")
    with pytest.raises(ArithmeticError if name in ("exp", "mul", "rdiv", "div", "pow0") else ValueError) as eager:
        fn(Value(rows[example][0]), w)
    f = autograd.compile(lambda v: fn(v[0], w), 1, [w])
    with pytest.raises(ReplayError) as error:
        f.forward(np.array(rows))
    assert str(eager.value) in str(error.value), (str(eager.value), str(error.value))
    assert f"at example {example}" in str(error.value)
    assert isinstance(error.value, type(eager.value))  # except ZeroDivisionError works the same way


def test_a_sum_that_overflows_names_the_sum():
    w = Value(1.0, label="w")
    f = autograd.compile(lambda v: v[0] * w + v[0] * w, 1, [w])
    with pytest.raises(OverflowError, match="add: overflow, .* gave inf at example 0"):
        f.forward(np.array([[1e308]]))


def test_eager_refuses_the_same_inputs():
    # the replay's errors stand in for the eager engine's, which raise on the same numbers
    with pytest.raises(ValueError):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0.0


@pytest.mark.parametrize("upstream", [1.0])
def test_sqrt_at_zero_has_no_derivative_in_either_executor(upstream):
    # sqrt(x^2) at x = 0 is 0, but its derivative 1 / (2 sqrt(0)) is infinite: refused, exactly as
    # the eager engine does (with an upstream gradient of exactly 0 both give 0, as PyTorch does:
    # the next test)
    w = Value(1.0)
    f = autograd.compile(lambda v: (v[0] * v[0] * w).sqrt() * upstream, 1, [w])
    assert f.forward(np.array([[2.0], [0.0]])).tolist() == [2.0 * upstream, 0.0]
    with pytest.raises(ZeroDivisionError) as eager:
        ((Value(0.0) * Value(0.0) * w).sqrt() * upstream).backward()
    with pytest.raises(ReplayError) as error:
        f.gradient()
    assert str(eager.value) in str(error.value) and "at example 1" in str(error.value)
    assert isinstance(error.value, ZeroDivisionError)


def test_sqrt_at_zero_with_a_zero_upstream_gradient_gives_zero_in_both_executors():
    # 0 times the infinite slope of sqrt at 0 is 0 (PyTorch's rule), eagerly and replayed; the
    # other example's gradient is the hand formula d(sqrt(x^2 w))/dw = x^2 / (2 sqrt(x^2 w))
    w = Value(1.0)
    f = autograd.compile(lambda v: (v[0] * v[0] * w).sqrt() * v[1], 2, [w])
    X = np.array([[2.0, 1.0], [0.0, 0.0]])
    f.forward(X)
    assert f.gradient().tolist() == [4.0 / (2 * 2.0)]  # example 0 only; example 1 adds 0
    x0, v = Value(0.0), Value(1.0)
    ((x0 * x0 * v).sqrt() * 0.0).backward()
    assert v.grad == 0.0 and x0.grad == 0.0
    with pytest.raises(ReplayError):  # with a nonzero upstream gradient it is still refused
        f.forward(np.array([[0.0, 1.0]]))
        f.gradient()


def test_the_error_names_the_node_label():
    w = Value(2.0)

    def fn(v):
        z = v[0] * w
        z.label = "layers.0.neurons.3"
        return z.log()

    f = autograd.compile(fn, 1, [w])
    with pytest.raises(ReplayError, match=r"log: .*got log\(-2.0\), at example 0, applied to node 'layers.0"):
        f.forward(np.array([[-1.0]]))


# ---------------------------------------------------------------- bad input


@pytest.fixture
def affine():
    w, b = Value(2.0, label="w"), Value(1.0, label="b")
    return autograd.compile(lambda v: v[0] * w + v[1] * b, 2, [w, b]), w


@pytest.mark.parametrize("X,error,says", [
    (np.ones((3, 3)), ValueError, r"shape \(B, 2\).*got shape \(3, 3\)"),
    (np.ones((0, 2)), ValueError, "B >= 1"),
    (np.ones((2, 2, 2)), ValueError, "shape"),
    ([[1.0, np.nan]], ValueError, r"X\[0, 1\] is nan"),
    ([["a", "b"]], TypeError, "array of real numbers"),
    ([[1.0 + 2.0j, 1.0]], TypeError, "complex numbers"),  # numpy would drop the imaginary part with a warning
    (np.ones((1, 2), dtype=complex), TypeError, "complex numbers"),  # even when it is 0
])
def test_bad_batches(affine, X, error, says):
    f, _ = affine
    with pytest.raises(error, match=says):
        f.forward(X)


def test_bad_seeds(affine):
    f, _ = affine
    f.forward(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"seed must have the outputs' shape \(3,\)"):
        f.gradient(np.ones(4))
    with pytest.raises(ValueError, match="finite"):
        f.gradient([1.0, np.inf, 0.0])
    with pytest.raises(TypeError, match="seed .*complex numbers"):
        f.gradient([1.0, 1j, 0.0])


def test_gradient_needs_a_forward_first(affine):
    f, _ = affine
    with pytest.raises(RuntimeError, match="forward"):
        f.gradient()
    with pytest.raises(RuntimeError, match="forward"):
        f.graph()


def test_a_non_finite_parameter_is_named(affine):
    f, w = affine
    with pytest.raises(ValueError, match="Value.data: expected a finite number, got inf"):
        w.data = math.inf  # the Value refuses it itself
    array = autograd.ParameterArray(f.parameters)  # an array of parameters can still hold one
    f.bind(array)
    array.data[0] = math.inf
    with pytest.raises(ValueError, match="parameter 'w' is inf"):
        f.forward(np.ones((1, 2)))


@pytest.mark.parametrize("kwargs,error,says", [
    ({"n_inputs": -1}, ValueError, "non-negative int"),
    ({"n_inputs": True}, ValueError, "non-negative int"),
    ({"n_inputs": 1, "parameters": [1.0]}, TypeError, r"parameters\[0\] must be a Value"),
])
def test_bad_compile_arguments(kwargs, error, says):
    with pytest.raises(error, match=says):
        autograd.compile(lambda v: v[0], **kwargs)


def test_a_computed_parameter_is_refused():
    # it used to get the gradient 0: the replay recomputes w * 2 from w and sums nothing into it
    w = Value(0.5, label="w")
    doubled = w * 2
    doubled.label = "doubled"
    with pytest.raises(TypeError, match=r"parameters\[1\] \('doubled'\) is computed .*must be leaves"):
        autograd.compile(lambda x: doubled * x[0], 1, [w, doubled])
    assert autograd.compile(lambda x: doubled * x[0], 1, [w]).value_and_grad(np.ones((2, 1)))[1].tolist() == [4.0]


def test_a_parameter_listed_twice_is_refused():
    # Compiled.backward would add its gradient twice into .grad
    w = Value(0.5, label="w")
    with pytest.raises(ValueError, match=r"parameters\[2\] \('w'\) is the same Value as parameters\[0\]"):
        autograd.compile(lambda x: w * x[0], 1, [w, Value(1.0), w])


def test_numpy_on_a_traced_number_explains():
    w = Value(0.5)
    with pytest.raises(TracingError, match="numpy function .*replays it for every example"):
        autograd.compile(lambda x: w * float(np.isnan(x[0].data)), 1, [w])


@pytest.mark.parametrize("result,error,says", [
    ("loss", TypeError, "must be a Value or a number, got str"),
    ([], ValueError, "empty list"),
    ([Value(1.0), None], TypeError, "output 1"),
])
def test_bad_results_of_the_traced_function(result, error, says):
    with pytest.raises(error, match=says):
        autograd.compile(lambda v: result, 1)


def test_a_placeholder_of_another_trace_is_refused():
    kept = []
    autograd.compile(lambda v: kept.append(v[0]) or v[0] * 2.0, 1)
    with pytest.raises(ValueError, match="another compile's function"):
        autograd.compile(lambda v: v[0] + kept[0], 1)


def test_a_traced_value_computed_without_its_graph_is_refused():
    def fn(v):
        with autograd.no_grad():
            hidden = v[0] * 2.0
        return hidden + v[0]

    with pytest.raises(ValueError, match=r"inside no_grad\(\)"):
        autograd.compile(fn, 1)


def test_a_derivative_outside_its_domain_is_found_where_no_parameter_sees_it():
    # sqrt's and pow's domains are checked only once a NaN or inf shows up (groups.SHOWS_AS_NONFINITE):
    # the gradient of sqrt at 0 flows only to the input x, not to w, and is still refused, as eagerly
    w = Value(1.0)
    f = autograd.compile(lambda v: v[0].sqrt() + v[1] ** 0.5 + w, 2, [w])
    with pytest.raises(ZeroDivisionError) as eager:
        (Value(0.0).sqrt() + w).backward()
    with pytest.raises(ReplayError) as error:
        f.value_and_grad(np.array([[4.0, 1.0], [0.0, 1.0]]))
    assert str(eager.value) in str(error.value) and "at example 1" in str(error.value)
    with pytest.raises(ReplayError, match="pow: .*infinite at x = 0 .*at example 0"):
        f.value_and_grad(np.array([[1.0, 0.0]]))
    assert f.value_and_grad(np.array([[4.0, 9.0]]))[0].tolist() == [6.0]


def test_a_domain_checked_late_is_still_the_first_error_of_the_pass():
    # log's check waits for a NaN; a later group's NaN must not hide it: the error names the log
    w = Value(1.0)
    f = autograd.compile(lambda v: ((v[0] * w).log() * w).sqrt(), 1, [w])
    with pytest.raises(ReplayError, match=r"log: .*got log\(-3.0\), at example 1"):
        f.forward(np.array([[2.0], [-3.0]]))


@pytest.mark.parametrize("x0, inner, message", [(-1.0, lambda v: v.log(), r"log: .*log\(-1\.0\)"),
                                                 (0.0, lambda v: v.log(), r"log: .*log\(0\.0\)"),
                                                 (-4.0, lambda v: v.sqrt(), r"sqrt: .*sqrt\(-4\.0\)")])
def test_a_nan_from_a_late_checked_op_is_named_there_not_where_it_is_used(x0, inner, message):
    # log and sqrt are checked only once a NaN or inf shows up; the power after them checks its base
    # before it runs, and must leave a NaN base to the pass that names the log (as the eager engine does)
    p = Value(2.0)
    f = autograd.compile(lambda x: inner(x[0]) ** p, 1, [p])
    with pytest.raises(ValueError, match=message) as caught:
        f.value_and_grad(np.array([[x0]]))
    assert isinstance(caught.value, ReplayError)
    with pytest.raises(ValueError, match=message.split(":")[0]):
        (inner(Value(x0)) ** Value(2.0)).backward()  # the eager engine names the same op


def test_the_first_group_in_order_names_its_error_when_two_examples_fail_in_different_groups():
    # example 0: log(-1) (checked late); example 1: a negative base of x ** p, deeper (checked first)
    p = Value(0.5)
    f = autograd.compile(lambda x: x[0].log() + (x[1] * 1.0) ** p, 2, [p])
    with pytest.raises(ReplayError, match=r"log: .*log\(-1\.0\), at example 0"):
        f.forward(np.array([[-1.0, 2.0], [1.0, -2.0]]))
    with pytest.raises(ReplayError, match=r"powv: .*at example 1"):  # alone, the power's own error
        f.forward(np.array([[1.0, 2.0], [1.0, -2.0]]))


def test_an_overflowing_gradient_of_an_input_alone_is_not_an_error():
    # d/dx of p (x 1e308 + x 1e308) is 2e308 = inf, but nobody reads an input's gradient: the eager
    # engine leaves x.grad = inf and reports nothing; dp is finite
    p = Value(1.0)
    f = autograd.compile(lambda x: p * (x[0] * 1e308 + x[0] * 1e308), 1, [p])
    value, grad = f.value_and_grad(np.array([[1e-300]]))
    x = Value(1e-300)
    q = Value(1.0)
    eager = q * (x * 1e308 + x * 1e308)
    eager.backward()
    assert value.tolist() == [eager.data] and grad.tolist() == [q.grad] and math.isinf(x.grad)


def test_large_finite_gradients_give_no_warning():
    p = Value(1.0)
    f = autograd.compile(lambda x: p * ((x[0] + 1.0) * 1e308 + (x[1] + 1.0) * 1e308), 2, [p])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = f.value_and_grad(np.array([[-1.0, -1.0], [-0.5, -0.75]]))
    assert value.tolist() == [0.0, 0.5e308 + 0.25e308] and grad.tolist() == [0.5e308 + 0.25e308]
