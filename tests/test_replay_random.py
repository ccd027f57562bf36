"""hypothesis-generated graphs: the replay equals the eager engine on random DAGs over every op.

A graph is a list of nodes, each an operation on earlier nodes (so nodes are shared, as in a
network), over 2 inputs (placeholders) and 2 parameters; some inputs are exactly 0, so kinks
are hit. The comparison is element by element, 1e-12 relative, plus 1e-12 of each number's own
rounding-error magnitude where it is a cancellation (``replay_helpers``): numpy's exp/tanh may
differ from Python's math in the last bit, and sums of many examples are added in another order.
Cases where such a last bit puts a kink's input on the other side (a cancellation leaving
1e-19 where the replay gets 0) are skipped: the slopes there differ by design, not by rounding.
"""

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from replay_helpers import assert_matches, eager

import autograd
from autograd import Value

UNARY = {
    "neg": lambda a: -a,
    "abs": lambda a: abs(a),
    "relu": lambda a: a.relu(),
    "leaky_relu": lambda a: a.leaky_relu(0.1),
    "elu": lambda a: a.elu(0.7),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "softplus": lambda a: a.softplus(),
    "exp": lambda a: a.exp(),
    "log": lambda a: (a * a + 0.5).log(),
    "sqrt": lambda a: (a * a + 0.25).sqrt(),
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "pow_fraction": lambda a: (a * a + 1.0) ** 0.75,
    "rsub": lambda a: 2.5 - a,
    "rdiv": lambda a: 1.0 / (a * a + 1.0),
    "rpow": lambda a: 1.5 ** a.tanh(),
    "add_constant": lambda a: a + 0.5,
    "sub_constant": lambda a: a - 1.25,
    "mul_constant": lambda a: a * -0.75,
    "div_constant": lambda a: a / 3.0,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "powv": lambda a, b: (a * a + 1.0) ** b.tanh(),
}
OPS = sorted(UNARY) + sorted(BINARY)

numbers = st.one_of(st.just(0.0), st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False))
nodes = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 63), st.integers(0, 63)), min_size=1, max_size=14)


def build(spec, leaves):
    """Apply the node list to the leaves; return two outputs: the last node and a middle one."""
    values = list(leaves)
    for op, i, j in spec:
        a, b = values[i % len(values)], values[j % len(values)]
        values.append(UNARY[op](a) if op in UNARY else BINARY[op](a, b))
    return [values[-1], values[len(leaves) + len(spec) // 2]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec=nodes, rows=st.lists(st.tuples(numbers, numbers), min_size=1, max_size=6),
       weights=st.tuples(numbers, numbers))
def test_random_graphs_match_eager(spec, rows, weights):
    params = [Value(weights[0], label="w0"), Value(weights[1], label="w1")]
    fn = lambda v: build(spec, [v[0], params[0], v[1], params[1]])
    X = np.array(rows)
    try:
        ref_out, ref_grads, (out_sizes, grad_sizes, near_kink) = eager(fn, X, params)
    except (ArithmeticError, ValueError):
        assume(False)  # the eager engine refuses (overflow): nothing to compare
    assume(not near_kink)
    f = autograd.compile(fn, 2, params)
    out, grads = f.value_and_grad(X)
    assert_matches(out, ref_out, out_sizes, "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")


ACTIVATIONS = [lambda z: z.relu(), lambda z: z.tanh(), lambda z: z.leaky_relu(0.05), lambda z: z, lambda z: abs(z)]
terms = st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99), st.booleans()), min_size=1, max_size=9)
layers = st.lists(  # per layer: (activation, per unit: list of (input index, weight index, add or subtract))
    st.tuples(st.integers(0, len(ACTIVATIONS) - 1), st.lists(terms, min_size=1, max_size=6)), min_size=1, max_size=3)


def network(spec, inputs, weights, reuse):
    """Layers of units, each act(sum of +-w*a terms) over the previous layer; with ``reuse`` the
    running sums inside a unit are also used elsewhere (so sums are read before their end)."""
    a = list(inputs)
    extras = []
    for act, units in spec:
        out = []
        for terms in units:
            s = None
            for i, j, plus in terms:
                t = weights[j % len(weights)] * a[i % len(a)]
                s = t if s is None else (s + t if plus else s - t)
                if reuse and plus:
                    extras.append(s)
            out.append(ACTIVATIONS[act](s))
        a = out
    return a + [sum(extras) * 0.5] if extras else a


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=layers, rows=st.lists(st.lists(numbers, min_size=3, max_size=3), min_size=1, max_size=5),
       weights=st.lists(numbers, min_size=1, max_size=8), reuse=st.booleans())
def test_random_networks_match_eager(spec, rows, weights, reuse):
    params = [Value(w, label=f"w{k}") for k, w in enumerate(weights)]
    fn = lambda v: network(spec, v, params, reuse)
    X = np.array(rows)
    ref_out, ref_grads, (out_sizes, grad_sizes, near_kink) = eager(fn, X, params)
    assume(not near_kink)
    out, grads = autograd.compile(fn, 3, params).value_and_grad(X)
    assert_matches(out.reshape(ref_out.shape), ref_out, out_sizes, "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")
