"""Every rule and its derivatives to third order against mpmath, from -745 to 745 and at tiny magnitudes.

Each case is a function of one number x built with one engine operation (the other operand a
constant, or a constant Value for a partial derivative in the second slot) and the same function
written with mpmath. The engine's n-th derivative is ``grad`` applied n times (the first on floats,
the higher ones through graphs recorded by the rules on Values); the reference is mpmath's, with
400 digits of working precision (central differences of step |x| 1e-25: x + 0.5 at x = 1e-320 needs
345 digits to see the step; the 50 digits kept are exact). The error is counted in ulps of the true
value where that value is a normal float (a subnormal or overflowing true value is left out; where
the true value is 0, the engine must give exactly 0).

``python tests/engine_precision.py`` runs the full sweep and writes tests/PRECISION.md (``make
precision``); ``tests/test_engine_precision.py`` runs a seeded sample of it in ``make test``.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

import mpmath
from mpmath import mp, mpf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograd import Value, dot, grad  # noqa: E402

ORDERS = (1, 2, 3)
MAGNITUDES = (5e-324, 1e-320, 2.5e-310, 1e-300, 1e-100, 1e-20, 1e-8, 1e-3, 0.1, 0.5, 0.9, 1.0, 1.7, 3.0, 7.5,
              15.0, 20.0, 37.0, 40.0, 100.0, 300.0, 500.0, 700.0, 709.0, 710.0, 745.0)
FULL_GRID = sorted({s * m for m in MAGNITUDES for s in (-1.0, 1.0)})
c = Value(1.5, label="c")  # a constant Value: the partial derivative in the second slot


def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


def _softplus(x):
    return mpmath.log1p(mpmath.exp(x)) if x < 0 else x + mpmath.log1p(mpmath.exp(-x))


# name: (engine f(x), mpmath f(x), domain of x); one line each
CASES: dict[str, tuple[Callable, Callable, Callable[[float], bool]]] = {
    "add":            (lambda x: x + 0.5,        lambda x: x + mpf("0.5"),                  lambda x: True),
    "sub":            (lambda x: x - 0.5,        lambda x: x - mpf("0.5"),                  lambda x: True),
    "rsub":           (lambda x: 0.5 - x,        lambda x: mpf("0.5") - x,                  lambda x: True),
    "mul":            (lambda x: x * 1.5,        lambda x: x * mpf("1.5"),                  lambda x: True),
    "mul (x * x)":    (lambda x: x * x,          lambda x: x * x,                           lambda x: True),
    "div":            (lambda x: x / 1.5,        lambda x: x / mpf("1.5"),                  lambda x: True),
    "div (c / x)":    (lambda x: c / x,          lambda x: mpf("1.5") / x,                  lambda x: True),
    "rdiv":           (lambda x: 1.5 / x,        lambda x: mpf("1.5") / x,                  lambda x: True),
    "neg":            (lambda x: -x,             lambda x: -x,                              lambda x: True),
    "pow 3":          (lambda x: x ** 3,         lambda x: x ** 3,                          lambda x: True),
    "pow 2.5":        (lambda x: x ** 2.5,       lambda x: x ** mpf("2.5"),                 lambda x: x > 0),
    "pow -1.5":       (lambda x: x ** -1.5,      lambda x: x ** mpf("-1.5"),                lambda x: x > 0),
    "pow 0.5":        (lambda x: x ** 0.5,       lambda x: mpmath.sqrt(x),                  lambda x: x > 0),
    "powv (x ** c)":  (lambda x: x ** c,         lambda x: x ** mpf("1.5"),                 lambda x: x > 0),
    "powv (c ** x)":  (lambda x: c ** x,         lambda x: mpf("1.5") ** x,                 lambda x: True),
    "rpow":           (lambda x: 1.5 ** x,       lambda x: mpf("1.5") ** x,                 lambda x: True),
    "exp":            (lambda x: x.exp(),        mpmath.exp,                                lambda x: True),
    "log":            (lambda x: x.log(),        mpmath.log,                                lambda x: x > 0),
    "sqrt":           (lambda x: x.sqrt(),       mpmath.sqrt,                               lambda x: x > 0),
    "abs":            (lambda x: abs(x),         abs,                                       lambda x: True),
    "max":            (lambda x: x.max(0.25),    lambda x: max(x, mpf("0.25")),             lambda x: True),
    "eq":             (lambda x: x.equal(0.25),  lambda x: mpf(x == mpf("0.25")),           lambda x: True),
    "tanh":           (lambda x: x.tanh(),       mpmath.tanh,                               lambda x: True),
    "sigmoid":        (lambda x: x.sigmoid(),    _sig,                                      lambda x: True),
    "relu":           (lambda x: x.relu(),       lambda x: max(x, 0),                       lambda x: True),
    "leaky_relu":     (lambda x: x.leaky_relu(0.1), lambda x: x if x >= 0 else mpf("0.1") * x, lambda x: True),
    "elu":            (lambda x: x.elu(1.0),     lambda x: x if x > 0 else mpmath.expm1(x),  lambda x: True),
    "softplus":       (lambda x: x.softplus(),   _softplus,                                 lambda x: True),
    "dot":            (lambda x: dot([x, c], [c, x]), lambda x: 3 * x,                       lambda x: True),
}
TINY = sys.float_info.min  # the smallest normal float


def engine_derivative(f: Callable, x: float, order: int) -> float:
    d = f
    for _ in range(order):
        d = grad(d)
    return float(d(x))


def true_derivative(f: Callable, x: float, order: int) -> mpf:
    with mp.workdps(400):  # x + 0.5 at x = 1e-320 needs 345 digits to see a step of |x| 1e-25
        h = abs(mpf(x)) * mpf("1e-25")
        return mpmath.diff(f, mpf(x), order, h=h)


def ulps(got: float, true: mpf) -> float | None:
    """|got - true| in ulps of the true value; None where the true value is not a normal float."""
    if true == 0:
        return 0.0 if got == 0 else math.inf
    t = float(true)
    if not math.isfinite(t) or abs(t) < TINY:
        return None
    if not math.isfinite(got):
        return math.inf
    return float(abs(mpf(got) - true)) / math.ulp(t)


def defined(f: Callable, x: float) -> bool:
    """The engine computes f(x) (inside its domain, no overflow)."""
    try:
        f(Value(x))
    except (ArithmeticError, ValueError):
        return False
    return True


def sweep(grid: list[float], cases: dict = CASES) -> dict[tuple[str, int], tuple[float, float]]:
    """{(case, order): (worst ulps, at x)} over the grid."""
    worst: dict[tuple[str, int], tuple[float, float]] = {}
    for name, (f, f_mp, domain) in cases.items():
        for x in grid:
            if not domain(x) or not defined(f, x):
                continue
            for order in ORDERS:
                true = true_derivative(f_mp, x, order)
                try:
                    got = engine_derivative(f, x, order)
                except (ArithmeticError, ValueError):
                    got = math.nan
                error = ulps(got, true)
                if error is not None and error >= worst.get((name, order), (-1.0, 0.0))[0]:
                    worst[(name, order)] = (error, x)
    return worst


def sample(n: int, seed: int = 0) -> list[float]:
    """n inputs: log-uniform magnitudes from 1e-320 to 745 with random signs, seeded."""
    rng = random.Random(seed)
    return [rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(-320, math.log10(745)) for _ in range(n)]


def main() -> None:
    grid = FULL_GRID + sample(60)
    worst = sweep(grid)
    lines = [
        "# Precision of the engine's rules against mpmath",
        "",
        "Written by `make precision` (`python tests/engine_precision.py`): the worst error, in ulps of the",
        f"true value, of each rule's derivatives over {len(grid)} inputs from -745 to 745 (the magnitudes",
        f"{', '.join(map(repr, MAGNITUDES[:4]))}, ... {MAGNITUDES[-1]!r} with both signs, and 60 seeded",
        "log-uniform ones), where the engine computes the function and the true derivative is a normal float.",
        "References: mpmath, 400 working digits. Orders 2 and 3 go through the graphs the rules record on",
        "Values (`grad(grad(f))`). `make test` runs a sample (tests/test_engine_precision.py).",
        "",
        "| rule | order 1 | order 2 | order 3 |",
        "|---|---|---|---|",
    ]
    for name in CASES:
        cells = []
        for order in ORDERS:
            if (name, order) not in worst:
                cells.append("-")
                continue
            error, x = worst[(name, order)]
            cells.append(f"{error:.3g} (x = {x:.3g})" if error else "0")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    out = Path(__file__).with_name("PRECISION.md")
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
