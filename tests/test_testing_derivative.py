"""autograd.testing.assert_derivative: the D1-D15 data pass on chainrule, a planted wrong hand
formula is found and explained, second derivatives, hypothesis strategies from the domain table."""

import math
import subprocess
import sys

import pytest

from autograd import Value, apply
from autograd.testing import DERIVATIONS, DerivativeMismatch, assert_derivative
from autograd.testing.derivative import central_difference


@pytest.mark.parametrize("key", DERIVATIONS)
def test_every_derivation_passes_on_chainrule(key):
    d = DERIVATIONS[key]
    wrt = [d.inputs.index(name) for name in d.differentiated]

    for point in d.points:
        if len(wrt) == len(d.inputs):
            assert_derivative(d.expression, d.hand, at=point, names=d.inputs)
        else:  # the formula covers some inputs: hold the others at the point

            def f(*covered, point=point):
                full = [Value(v) for v in point]
                for i, c in zip(wrt, covered):
                    full[i] = c
                return d.expression(*full)

            hand = lambda *covered, point=point: d.hand(
                *[dict(zip(wrt, covered)).get(i, v) for i, v in enumerate(point)]
            )
            assert_derivative(f, hand, at=tuple(point[i] for i in wrt), names=d.differentiated)


def test_the_derivations_carry_their_source():
    assert {d.number for d in DERIVATIONS.values()} == {f"D{n}" for n in range(1, 16)}
    for d in DERIVATIONS.values():
        assert d.notebook.startswith("notebooks/") and d.section.startswith(("D", "Refinement"))
        assert len(d.points) >= 3 and all(len(p) == len(d.inputs) for p in d.points)


def test_a_planted_wrong_hand_formula_is_found_and_explained():
    # d tanh(x * w + x)/dx = (1 - tanh^2)(w + 1); the planted formula forgets the second use of x
    f = lambda x, w: (x * w + x).tanh()
    wrong = lambda x, w: ((1 - math.tanh(x * w + x) ** 2) * w, (1 - math.tanh(x * w + x) ** 2) * x)
    with pytest.raises(DerivativeMismatch) as failure:
        assert_derivative(f, wrong, at=[(0.1, 0.2), (0.5, 2.0)], names=["x", "w"])
    text = str(failure.value)
    right = (1 - math.tanh(0.1 * 0.2 + 0.1) ** 2) * 1.2
    assert text.startswith("df/dx at x = 0.1, w = 0.2:")
    hand, engine, numeric = (float(line.split()[-1]) for line in text.splitlines()[1:4])
    assert hand == pytest.approx(right / 1.2 * 0.2) and engine == pytest.approx(right, rel=1e-12)
    assert numeric == pytest.approx(right, rel=1e-6)
    assert "the hand formula is wrong" in text
    # the breakdown: x's two reads, each dL/du * du/dx, summed
    breakdown = text.splitlines()[-1]
    assert breakdown.count("(through") == 2 and breakdown.endswith(f"= {right:.6g}")


def test_the_right_formula_passes_and_a_detached_graph_is_blamed_on_the_engine():
    f = lambda x, w: (x * w + x).tanh()
    right = lambda x, w: (
        (1 - math.tanh(x * w + x) ** 2) * (w + 1),
        (1 - math.tanh(x * w + x) ** 2) * x,
    )
    assert_derivative(f, right, at=[(0.1, 0.2), (0.5, 2.0), (-1.0, 0.3)])
    # Value(x.data) cuts the graph: backward sees d(x^2)/dx = x, the values' slope is 2x
    detached = lambda x: Value(x.data) * x
    with pytest.raises(
        DerivativeMismatch,
        match="the engine disagrees with the hand formula and central differences",
    ):
        assert_derivative(detached, lambda x: 2 * x, at=1.5)


@pytest.mark.parametrize("x", [-1.3, 0.4, 2.0])
def test_second_derivatives(x):
    t = math.tanh(x)
    assert_derivative(lambda v: v.tanh(), lambda v: -2 * t * (1 - t * t), at=x, order=2)
    with pytest.raises(DerivativeMismatch, match="d2f/dx dx"):
        assert_derivative(lambda v: v.tanh(), lambda v: 1 - t * t, at=x, order=2)
    # a Hessian of two inputs: f = x^2 y, H = [[2y, 2x], [2x, 0]]
    assert_derivative(
        lambda a, b: a * a * b, lambda a, b: [[2 * b, 2 * a], [2 * a, 0.0]], at=(x, 0.7), order=2
    )


def test_central_difference_is_an_independent_opinion():
    assert central_difference(lambda v: v.exp(), (1.0,))[0] == pytest.approx(math.e, rel=1e-8)
    assert central_difference(lambda v: v * v * v, (2.0,), order=2)[0] == pytest.approx(
        12.0, rel=1e-5
    )


def test_bad_calls_are_explained():
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        assert_derivative(lambda v: v, lambda v: 1.0, at=1.0, order=3)
    with pytest.raises(ValueError, match="one of them"):
        assert_derivative(lambda v: v, lambda v: 1.0)
    with pytest.raises(ValueError, match="gave 1 numbers, expected 2"):
        assert_derivative(lambda a, b: a * b, lambda a, b: 1.0, at=(1.0, 2.0))


HAND = {  # op: (its inputs as apply takes them, the hand formula of d op / dx)
    "log": lambda x: 1 / x,
    "exp": lambda x: math.exp(x),
    "sqrt": lambda x: 0.5 / math.sqrt(x),
    "tanh": lambda x: 1 - math.tanh(x) ** 2,
    "relu": lambda x: float(x > 0),
    "abs": lambda x: math.copysign(1.0, x),
    "rdiv": lambda x, c: -c / x**2,
    "pow": lambda x, n: n * x ** (n - 1),
    "rpow": lambda x, c: c**x * math.log(c),
    "elu": lambda x, a: 1.0 if x > 0 else a * math.exp(x),
}


@pytest.mark.parametrize("op", HAND)
def test_strategies_draw_valid_inputs_and_drive_assert_derivative(op):
    from autograd.testing import strategies

    hand = HAND[op]
    if hand.__code__.co_argcount == 1:
        assert_derivative(lambda x: apply(op, x), hand, strategy=strategies.inputs(op), examples=25)
    else:  # the constant is inline: differentiate by x only
        from hypothesis import given, settings

        @settings(max_examples=25, deadline=None, database=None)
        @given(strategies.inputs(op))
        def check(point):
            x, c = point
            assert_derivative(lambda v: apply(op, v, c), lambda v: hand(v, c), at=x)

        check()


OPERATIONS = (
    "add",
    "sub",
    "rsub",
    "mul",
    "div",
    "rdiv",
    "neg",
    "pow",
    "powv",
    "rpow",
    "exp",
    "log",
    "sqrt",
    "abs",
    "eq",
    "max",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "elu",
    "softplus",
)


@pytest.mark.parametrize("op", OPERATIONS)
def test_every_operations_strategy_stays_inside_its_domain(op):
    from hypothesis import given, settings

    from autograd.testing import strategies

    @settings(max_examples=20, deadline=None, database=None)
    @given(strategies.inputs(op))
    def inside(point):
        xs = [Value(point[0])] + ([Value(point[1])] if op in strategies.TWO_VALUES else [])
        out = apply(op, xs[0], xs[1] if len(xs) > 1 else (point[1] if len(point) > 1 else None))
        out.backward()  # neither the op nor its derivative is refused
        assert math.isfinite(out.data) and all(math.isfinite(x.grad) for x in xs)

    inside()


def test_strategies_cover_every_operation_but_dot():
    from autograd import RULES
    from autograd.testing import strategies

    assert set(strategies.OPERATIONS) == set(OPERATIONS) == set(RULES) - {"dot"}
    with pytest.raises(ValueError, match="no strategy for 'dot'"):
        strategies.inputs("dot")


def test_importing_autograd_or_its_testing_kit_loads_neither_pytest_nor_hypothesis():
    code = (
        "import sys, autograd, autograd.testing; "
        "print(sorted(m for m in ('pytest', 'hypothesis', '_pytest') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
