"""The CLI's expression language: a whitelist over ast, never eval."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from viz.expression import ExpressionError, evaluate, parse_binding


def bound(**values):
    return {name: Value(v, label=name) for name, v in values.items()}


def test_neuron_value_and_gradients_match_the_hand_formulas():
    env = bound(x=2.0, w=-3.0, b=6.88)
    out = evaluate("tanh(x*w + b)", env)
    out.backward()
    t = math.tanh(2 * -3 + 6.88)
    assert out.data == pytest.approx(t, rel=1e-15)
    assert env["x"].grad == pytest.approx(-3 * (1 - t * t), rel=1e-12)
    assert env["w"].grad == pytest.approx(2 * (1 - t * t), rel=1e-12)
    assert env["b"].grad == pytest.approx(1 - t * t, rel=1e-12)


@pytest.mark.parametrize(("text", "value", "slope"), [
    ("x**3 - 2*x", 1.5**3 - 3.0, 3 * 1.5**2 - 2),
    ("-x / (1 + x)", -1.5 / 2.5, -1 / 2.5**2),
    ("2 ** x", 2**1.5, 2**1.5 * math.log(2)),
    ("sqrt(x) + log(x) + exp(-x)", math.sqrt(1.5) + math.log(1.5) + math.exp(-1.5),
     0.5 / math.sqrt(1.5) + 1 / 1.5 - math.exp(-1.5)),
    ("sigmoid(x) * relu(x) + softplus(-x) + abs(-x)",
     1.5 / (1 + math.exp(-1.5)) + math.log1p(math.exp(-1.5)) + 1.5,
     None),
    ("leaky_relu(-x, 0.2) + elu(-x)", -0.3 + math.expm1(-1.5), -0.2 - math.exp(-1.5)),
    ("leaky_relu(-x, alpha=0.2) + elu(-x, alpha=0.5)", -0.3 + 0.5 * math.expm1(-1.5),
     -0.2 - 0.5 * math.exp(-1.5)),
    ("+x", 1.5, 1.0),
    ("max(x, 2) + max(2 * x, 2)", 2.0 + 3.0, 2.0),
    ("equal(x, 1.5) + dot([x, 2], [x, x])", 1.0 + 1.5**2 + 3.0, 2 * 1.5 + 2),
])
def test_each_allowed_operation(text, value, slope):
    env = bound(x=1.5)
    out = evaluate(text, env)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-12)
    if slope is not None:
        assert env["x"].grad == pytest.approx(slope, rel=1e-12)


def test_numbers_alone_evaluate_and_functions_of_numbers_become_leaves():
    assert evaluate("2 * 3 + 1", {}) == 7.0
    out = evaluate("tanh(0.5)", {})
    assert isinstance(out, Value) and out.data == pytest.approx(math.tanh(0.5))
    assert out.parents[0].label == "0.5"


@pytest.mark.parametrize(("text", "message"), [
    ("y + 1", "unknown name 'y'"),
    ("x.data", "not allowed"),
    ("__import__('os').system('true')", "unknown function"),
    ("(lambda: 1)()", "unknown function"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("x if x else 1", "not allowed"),
    ("[x, x]", "not allowed"),
    ("lambda: x", "not allowed"),
    ("x < 1", "not allowed"),
    ("x % 2", "not allowed"),
    ("x // 2", "not allowed"),
    ("'text'", "not a number"),
    ("True", "not a number"),
    ("1j", "not a number"),
    ("tanh", "is a function"),
    ("tanh(x, 2)", "takes one argument"),
    ("leaky_relu(x, x)", "alpha must be a number"),
    ("exp(x=1)", "takes no keyword arguments, got x="),
    ("leaky_relu(x, beta=0.2)", "only the keyword alpha=, got beta="),
    ("leaky_relu(x, 0.1, alpha=0.2)", "optional number alpha., got 3"),
    ("leaky_relu(alpha=0.2)", "got 1"),
    ("elu(x, alpha=x)", "alpha must be a number"),
    ("elu(x, **k)", "only the keyword alpha=, got ..k"),
    ("max(x)", "max.. takes two arguments, got 1"),
    ("equal(x, 1, 2)", "takes two arguments, got 3"),
    ("dot(x, x)", "dot.. takes two lists, such as dot.[x, y], [w, v]., got 'x'"),
    ("dot([x], [x], [x])", "takes two lists, got 3"),
    ("dot([x], [x, x])", "same non-zero length"),
    ("x +", "cannot parse"),
    ("", "cannot parse"),
    ("1e999", "too large"),
    ("10.0 ** 400", "too large"),
    ("x / 0", "division by zero"),
    ("log(-x)", "log"),
    ("(-8) ** (1/3)", "not a finite real number"),
    ("(" * 300 + "x" + ")" * 300, "too many nested parentheses"),
    ("-" * 1500 + "x", "nested too deeply"),
    ("x" + "+x" * 1500, "limit is 2000"),
])
def test_rejected_expressions_say_why(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace("[", r"\[")):
        evaluate(text, bound(x=1.5))


def test_nothing_is_executed(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(ExpressionError):
        evaluate(f"__import__('pathlib').Path('{marker}').touch()", bound(x=1.0))
    assert not marker.exists()


@pytest.mark.parametrize(("text", "expected"), [("x=2", ("x", 2.0)), (" w = -3.5 ", ("w", -3.5)),
                                                 ("b=6.88", ("b", 6.88)),
                                                 ("_t1=1e-3", ("_t1", 1e-3))])
def test_bindings_parse(text, expected):
    assert parse_binding(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("x", "NAME=VALUE"), ("=2", "NAME=VALUE"), ("x=abc", "not a number"), ("x=nan", "finite"),
    ("x=inf", "finite"), ("1x=2", "not a valid"), ("tanh=2", "function name"),
    ("x-y=1", "not a valid"), ("max=1", "function name"), ("dot=1", "function name")])
def test_bad_bindings_say_why(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_binding(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_is_a_value_or_an_expression_error(text):
    try:
        result = evaluate(text, bound(x=0.7, y=-1.3))
    except ExpressionError:
        return
    assert isinstance(result, Value | float)
