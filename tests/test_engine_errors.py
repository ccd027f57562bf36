"""Bad input raises an error that names the operation and the offending value."""

import math

import numpy as np
import pytest

from autograd import Value, detect_anomaly, grad


@pytest.mark.parametrize("bad", ["1.0", None, 1j, [1.0], (1.0,), np.array([1.0]), np.array(2.0), {}])
def test_value_rejects_non_real_data_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -math.inf])
def test_value_rejects_non_finite_data(bad):
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_value_rejects_a_huge_int_and_a_non_str_label():
    with pytest.raises(OverflowError, match="too large"):
        Value(10**400)
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


FORWARD_ERRORS = [  # one format (domains.py): "<op>: <requirement>, got <the expression as written>"
    ("log of zero", lambda: Value(0.0).log(), ValueError, r"^log: the input must be positive, got log\(0\.0\)$"),
    ("log of a negative", lambda: Value(-2.0).log(), ValueError, r"^log: .*, got log\(-2\.0\)$"),
    ("sqrt of a negative", lambda: Value(-1.0).sqrt(), ValueError, r"^sqrt: .*non-negative, got sqrt\(-1\.0\)$"),
    ("divide by zero", lambda: Value(1.0) / 0, ZeroDivisionError, r"^div: division by zero, got 1\.0 / 0\.0$"),
    ("divide by a zero Value", lambda: Value(1.0) / Value(0.0), ZeroDivisionError, r"^div: .*, got 1\.0 / 0\.0$"),
    ("number over zero Value", lambda: 3 / Value(0.0), ZeroDivisionError, r"^rdiv: .*, got 3\.0 / 0\.0$"),
    ("negative base, fractional power", lambda: Value(-8.0) ** 0.5, ValueError,
     r"^pow: a negative base needs an integer exponent.*, got \(-8\.0\) \*\* 0\.5$"),
    ("zero to a negative power", lambda: Value(0.0) ** -2, ZeroDivisionError, r"^pow: .*, got 0\.0 \*\* \(-2\.0\)$"),
    ("pow overflow", lambda: Value(10.0) ** 400, OverflowError, r"^pow: overflow, 10\.0 \*\* 400\.0 is too large"),
    ("exp overflow", lambda: Value(1000.0).exp(), OverflowError, r"^exp: overflow, exp\(1000\.0\) is too large"),
    ("Value exponent, negative base", lambda: Value(-2.0) ** Value(2.0), ValueError,
     r"^powv: .*base must be positive.*, got \(-2\.0\) \*\* 2\.0$"),
    ("number base <= 0, Value exponent", lambda: (-2) ** Value(2.0), ValueError,
     r"^rpow: .*base must be positive.*, got \(-2\.0\) \*\* 2\.0$"),
    ("zero base, Value exponent", lambda: 0 ** Value(2.0), ValueError, r"^rpow: .*, got 0\.0 \*\* 2\.0$"),
    ("non-finite constant", lambda: Value(1.0) * float("nan"), ValueError, r"mul: .*nan"),
]


@pytest.mark.parametrize("name, make, error, message", FORWARD_ERRORS, ids=[c[0] for c in FORWARD_ERRORS])
def test_forward_errors_name_the_operation_and_value(name, make, error, message):
    with pytest.raises(error, match=message) as info:
        make()
    assert "math domain error" not in str(info.value)


def test_unsupported_operand_types_are_type_errors():
    for bad in ("2", None, [1], 1j):
        with pytest.raises(TypeError):
            Value(1.0) * bad
        with pytest.raises(TypeError):
            bad + Value(1.0)


SQRT_AT_0 = r"^backward of sqrt: the derivative 1 / \(2 sqrt x\) is infinite at x = 0, got sqrt\(0\.0\)$"
POW_AT_0 = r"^backward of pow: .* infinite at x = 0 for 0 < n < 1, got 0\.0 \*\* 0\.5$"


def test_backward_through_an_infinite_derivative_raises_naming_the_op():
    # sqrt'(0) = 1 / (2 sqrt 0) is infinite: refused (domains.DERIVATIVE), in every executor
    with pytest.raises(ZeroDivisionError, match=SQRT_AT_0):
        Value(0.0).sqrt().backward()
    with pytest.raises(ZeroDivisionError, match=POW_AT_0):
        (Value(0.0) ** 0.5).backward()


def test_an_infinite_derivative_is_refused_the_same_way_when_recording_a_graph():
    x = Value(0.0)
    with pytest.raises(ZeroDivisionError, match=SQRT_AT_0):
        x.sqrt().backward(create_graph=True)
    with pytest.raises(ZeroDivisionError, match=POW_AT_0):
        (x**0.5).backward(create_graph=True)
    with pytest.raises(ZeroDivisionError, match=SQRT_AT_0):
        grad(lambda v: v.sqrt())(0.0)
    assert grad(lambda v: v.sqrt())(0.25) == 1.0  # 1 / (2 * 0.5); sqrt(0) itself is fine forward
    assert Value(0.0).sqrt().data == 0.0 and (Value(0.0) ** 1.5).data == 0.0
    y = Value(0.0)
    (y**1.5).backward()  # 1.5 * 0 ** 0.5 = 0: finite, not refused
    assert y.grad == 0.0


@pytest.mark.parametrize("make, message", [
    (lambda: Value(1e200) * Value(1e200), r"^mul: overflow, 1e\+200 \* 1e\+200 is too large for a float$"),
    (lambda: Value(1e308) + 1e308, r"^add: overflow, 1e\+308 \+ 1e\+308 is"),
    (lambda: Value(-1e308) - Value(1e308), r"^sub: overflow, \(-1e\+308\) - 1e\+308 is"),
    (lambda: Value(1e300) / 1e-300, r"^div: overflow, 1e\+300 / 1e-300 is"),
    (lambda: 1.0 / Value(1e-310), r"^rdiv: overflow, 1\.0 / 1e-310 is"),  # the operands as written, not reversed
    (lambda: 1e308 - Value(-1e308), r"^rsub: overflow, 1e\+308 - \(-1e\+308\) is"),
])
def test_overflowing_arithmetic_raises_instead_of_making_inf(make, message):
    # every forward value stays finite, so no NaN can appear later from inf - inf or 0 * inf
    with pytest.raises(OverflowError, match=message):
        make()


def test_detect_anomaly_checks_gradients():
    # sqrt(1e-300) = 1e-150 is fine forward; its derivative times a large upstream gradient overflows
    with detect_anomaly():
        x = Value(1e-300)
        y = x.sqrt()
        with pytest.raises(FloatingPointError, match=r"backward of sqrt produced gradient inf from inputs \(1e-300"):
            y.backward(grad=1e300)


def test_activation_alpha_must_be_a_finite_number():
    for make in (lambda a: Value(-1.0).leaky_relu(a), lambda a: Value(-1.0).elu(a)):
        with pytest.raises(TypeError, match="alpha"):
            make(Value(0.1))
        with pytest.raises(TypeError, match="alpha"):
            make("0.1")
        with pytest.raises(ValueError, match="alpha"):
            make(float("nan"))


def test_backward_seed_must_be_a_finite_number():
    with pytest.raises(ValueError, match="backward: grad"):
        Value(1.0).backward(grad=float("nan"))
    with pytest.raises(TypeError, match="backward: grad"):
        Value(1.0).backward(grad="1")


def test_no_silent_nan_in_numerically_delicate_activations():
    for z in (-1000.0, -700.0, -50.0, 0.0, 50.0, 700.0, 1000.0):
        for act in ("sigmoid", "softplus", "tanh", "elu"):
            x = Value(z)
            out = getattr(x, act)()
            out.backward()
            assert math.isfinite(out.data) and math.isfinite(x.grad), (act, z)
            assert math.isfinite(grad(grad(lambda v, a=act: getattr(v, a)()))(z)), (act, z)
