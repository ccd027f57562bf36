"""Every operation of the table (``autograd.RULES``) reaches every place that reads the table.

For each op: it is a Value method or operator that records it, its derivative agrees with central
differences, ``autograd.compile`` traces it and the replay equals the eager engine, the picture
and the explorer show its symbol and formula, the command line's expression parser accepts it,
and the mpmath precision sweep (tests/engine_precision.py) has a case whose graph uses it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd
from autograd import RULES, Value, dot, topological_order
from autograd.rules import OPERATORS, Op
from viz import draw_dot
from viz.expression import FUNCTIONS, evaluate
from viz.interactive.graph_data import graph_data

CONSTANTS = {"n": 2.5, "c": 1.5, "alpha": 0.2}  # the number kept inline, by the formula's letter
POINTS = [(0.7, 1.3), (1.9, 0.4), (-1.1, 2.2), (0.3, -0.5)]  # (x, y); kept where the op is defined
OPS = sorted(RULES)


def constant(rule: Op) -> float:
    return CONSTANTS[rule.inputs.split()[1]]


def record(rule: Op, x: Value, y: Value) -> Value:
    """op(x, y) as a user writes it: the op's Value method or operator (``autograd.dot``)."""
    if rule.method is None:
        return dot([x, y], [y, x])
    method = getattr(x, rule.method)
    if rule.arity == 1:
        return method()
    return method(constant(rule) if rule.constant else y)


def defined_points(rule: Op) -> list[tuple[float, float]]:
    """The points where the eager engine computes op(x, y) (the others raise, naming the op)."""
    kept = []
    for x, y in POINTS:
        try:
            record(rule, Value(x), Value(y))
        except (ArithmeticError, ValueError) as error:
            assert rule.name in str(error)
            continue
        kept.append((x, y))
    assert len(kept) >= 2, rule.name
    return kept


def test_the_table_names_each_entry_by_its_key():
    for op, rule in RULES.items():
        assert rule.name == op and rule.symbol and rule.arity in (1, 2), op
    assert autograd.Rule is Op and RULES["mul"].forward(2.0, 3.0) == 6.0  # read as before


@pytest.mark.parametrize("op", OPS)
def test_every_op_is_a_value_method_or_operator_that_records_it(op):
    rule = RULES[op]
    if rule.method is None:
        assert op == "dot" and autograd.dot is dot
    else:
        assert callable(getattr(Value, rule.method)), rule.method
    x, y = Value(0.7), Value(1.3)
    out = record(rule, x, y)
    assert out.op == op
    inputs = 1 if rule.arity == 1 or rule.constant else 4 if op == "dot" else 2
    assert len(out.parents) == inputs


@pytest.mark.parametrize("op", OPS)
def test_every_derivative_agrees_with_central_differences(op):
    rule = RULES[op]
    for x0, y0 in defined_points(rule):
        x, y = Value(x0), Value(y0)
        record(rule, x, y).backward()
        for which, (got, at) in enumerate([(x.grad, x0), (y.grad, y0)]):
            h = 1e-6 * max(1.0, abs(at))
            moved = [[x0, y0], [x0, y0]]
            moved[0][which] += h
            moved[1][which] -= h
            up, down = (record(rule, Value(a), Value(b)).data for a, b in moved)
            expected = (up - down) / (2 * h)
            assert got == pytest.approx(expected, rel=1e-6, abs=1e-8), (op, x0, y0, which)


@pytest.mark.parametrize("op", OPS)
def test_every_op_traces_and_its_replay_equals_the_eager_engine(op):
    rule = RULES[op]
    rows = np.array(defined_points(rule))
    w, u = Value(1.0, label="w"), Value(1.0, label="u")
    compiled = autograd.compile(lambda v: record(rule, v[0] * w, v[1] * u), 2, [w, u])
    out, grads = compiled.value_and_grad(rows)
    eager_out, eager_grads = [], np.zeros(2)
    for x0, y0 in rows:
        w.grad = u.grad = 0.0
        result = record(rule, Value(x0) * w, Value(y0) * u)
        result.backward()
        eager_out.append(result.data)
        eager_grads += [w.grad, u.grad]
    np.testing.assert_allclose(out, eager_out, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(grads, eager_grads, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("op", OPS)
def test_every_op_is_drawn_with_its_symbol_and_explained_with_its_formula(op):
    rule = RULES[op]
    out = record(rule, Value(0.7, label="x"), Value(1.3, label="y"))
    source = draw_dot(out, legend=False).source
    labels = re.findall(r'^\s*\w+_op \[label="?([^" ]+)"?', source, re.MULTILINE)  # op nodes
    assert labels == [rule.symbol]
    explained = [n for n in graph_data(out)["nodes"].values() if n["op"] == op]
    assert [(n["opText"], n["rule"]) for n in explained] == [(rule.symbol, rule.formula)]
    assert explained[0]["formula"].startswith(rule.formula + "   (")
    assert re.search(r"= \(?x\b", explained[0]["formula"])  # its letters mapped to the names


@pytest.mark.parametrize("op", OPS)
def test_every_op_parses_on_the_command_line(op):
    rule = RULES[op]
    if rule.method not in OPERATORS:
        assert (rule.method or op) in FUNCTIONS
    x, y = "[x, y]", "[y, x]"
    if op != "dot":
        x, y = "x", repr(constant(rule)) if rule.constant else "y"
    text = rule.written.format(x=x, y=y)
    variables = {"x": Value(0.7, label="x"), "y": Value(1.3, label="y")}
    out = evaluate(text, variables)
    assert out.op == op, text
    assert out.data == record(rule, Value(0.7), Value(1.3)).data


def test_every_op_has_an_mpmath_reference_in_the_precision_sweep():
    pytest.importorskip("mpmath")
    import engine_precision as sweep  # tests/ is on sys.path (no __init__.py)

    covered = set()
    for engine_f, _, domain in sweep.CASES.values():
        x = 0.7 if domain(0.7) else 2.0
        covered |= {node.op for node in topological_order(engine_f(Value(x))) if node.op}
    assert set(RULES) - covered == set()


@pytest.mark.parametrize("op", [op for op, rule in RULES.items() if rule.late])
def test_a_late_op_s_bad_inputs_give_a_nan_or_an_infinity_on_arrays(op):
    # what ``late`` promises the replay: it may look for a NaN or inf before checking the domain
    rule = RULES[op]
    candidates = [(x, y) for x in (-2.0, -0.5, 0.0) for y in (0.0, -1.0, 0.5, -2.0)]
    for domain in rule.refuses + rule.refuses_slope:
        bad = [(x, y) for x, y in candidates if not domain.ok(x, y)]
        assert bad, (op, domain.requirement)
        for x, y in bad:
            x_, y_ = np.array([x]), np.array([y])
            with np.errstate(all="ignore"):
                if domain in rule.refuses:
                    result = rule.forward(x_, y_)
                else:  # the derivative's domain: the rule gives a NaN or an infinity
                    result = np.concatenate(rule.vjp(np.ones(1), rule.forward(x_, y_), x_, y_))
            assert not np.isfinite(result).all(), (op, x, y)
