"""hypothesis-generated expressions: backward against central differences, away from kinks."""

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, no_grad

VARIABLES = 3
UNARY = {
    "tanh": lambda v: v.tanh(),
    "sigmoid": lambda v: v.sigmoid(),
    "softplus": lambda v: v.softplus(),
    "exp_tanh": lambda v: v.tanh().exp(),
    "log1p_sq": lambda v: (1 + v * v).log(),
    "sqrt1p_sq": lambda v: (1 + v * v).sqrt(),
    "neg": lambda v: -v,
    "square": lambda v: v**2,
    "cube_scaled": lambda v: (v * 0.5) ** 3,
    "relu": lambda v: v.relu(),
    "leaky_relu": lambda v: v.leaky_relu(0.1),
    "elu": lambda v: v.elu(0.8),
    "abs": lambda v: abs(v),
}
KINKED = {"relu", "leaky_relu", "elu", "abs"}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div_safe": lambda a, b: a / (1 + b * b),
    "pow_value": lambda a, b: (1 + a * a) ** b.tanh(),
    "rsub": lambda a, b: 2.5 - a + b * 0.0,
    "rdiv": lambda a, b: 1.0 / (2 + a.sigmoid()) + b,
    "rpow": lambda a, b: 1.5 ** a.tanh() * b,
}

leaf = st.integers(0, VARIABLES - 1)
expressions = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), inner),
        st.tuples(st.sampled_from(sorted(BINARY)), inner, inner),
    ),
    max_leaves=8,
)


def evaluate(expr, xs, kinks):
    if isinstance(expr, int):
        return xs[expr]
    if len(expr) == 2:
        arg = evaluate(expr[1], xs, kinks)
        if expr[0] in KINKED:
            kinks.append(arg.data)
        return UNARY[expr[0]](arg)
    return BINARY[expr[0]](evaluate(expr[1], xs, kinks), evaluate(expr[2], xs, kinks))


@settings(max_examples=150, deadline=None)
@given(expressions, st.lists(st.floats(-2, 2), min_size=VARIABLES, max_size=VARIABLES))
def test_backward_matches_central_differences(expr, point):
    xs = [Value(p) for p in point]
    kinks = []
    try:
        out = evaluate(expr, xs, kinks)
    except OverflowError:
        assume(False)
    assume(all(abs(k) > 1e-3 for k in kinks))
    assume(abs(out.data) < 1e6)
    out.backward()
    eps = 1e-6
    for i in range(VARIABLES):
        up, down = list(point), list(point)
        up[i] += eps
        down[i] -= eps
        with no_grad():
            numeric = (evaluate(expr, [Value(p) for p in up], []).data
                       - evaluate(expr, [Value(p) for p in down], []).data) / (2 * eps)
        assert math.isclose(xs[i].grad, numeric, rel_tol=1e-4, abs_tol=1e-5), (expr, point, i)


@settings(max_examples=60, deadline=None)
@given(st.floats(-50, 50), st.floats(0.0, 1.0))
def test_kink_conventions_hold_exactly(z, alpha):
    for value, expected in [
        (Value(z).relu(), 1.0 if z > 0 else 0.0),
        (Value(z).leaky_relu(alpha), 1.0 if z >= 0 else alpha),
        (abs(Value(z)), 1.0 if z > 0 else (-1.0 if z < 0 else 0.0)),
    ]:
        x = value.parents[0]
        value.backward()
        assert x.grad == expected
