"""The autograder's checks: each runs on any class with micrograd's interface, naming mistakes.

The interface: ``V(data)`` makes a leaf; ``.data`` and ``.grad`` are floats; ``+ - * / **`` and
unary ``-`` work between Values and with plain numbers on either side; ``tanh()``, ``exp()``,
``relu()`` (each optional: a check that needs a missing one is skipped); ``backward()`` fills in
``grad`` on every node of the graph. A check returns nothing when right, raises ``Wrong`` with
what it saw and the mistake in plain words when not; any other exception is reported as raised.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

from .derivations import DERIVATIONS, Derivation

TOL = 1e-9
DEPTHS = (1_000, 20_000)


class Wrong(Exception):
    """A finding: ``details`` (what was computed) and ``mistake`` (the likely cause, in words)."""

    def __init__(self, details: str, mistake: str = "") -> None:
        super().__init__(details)
        self.details, self.mistake = details, mistake


class Check(NamedTuple):
    name: str
    title: str
    needs: frozenset[str]  # methods the engine must have, else the check is skipped
    run: Callable[[Any], None]
    timeout: float = 3.0  # seconds


def close(a: Any, b: float) -> bool:
    try:
        return abs(float(a) - b) <= TOL * max(1.0, abs(b))
    except (TypeError, ValueError):
        return False


def grads_of(V: Any, build: Callable[..., Any], point: tuple[float, ...]) -> tuple[Any, list[Any]]:
    """(output value, every input's gradient) of build(*leaves) after one backward()."""
    xs = [V(v) for v in point]
    out = build(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def expect(what: str, got: Any, want: float, mistake: str = "") -> None:
    if not close(got, want):
        raise Wrong(f"{what}: expected {want:.6g}, got {got!r}", mistake)


# ---------------------------------------------------------------- one operation at a time
def _diagnose(grads: list[Any], known: dict[tuple[float, ...], str], otherwise: str) -> str:
    """The mistake whose wrong gradients ``grads`` are, else ``otherwise``."""
    for wrong, mistake in known.items():
        if all(close(g, w) for g, w in zip(grads, wrong)):
            return mistake
    return otherwise


def op_check(
    name: str,
    text: str,
    build: Callable[..., Any],
    point: tuple[float, ...],
    value: float,
    partials: tuple[float, ...],
    known: dict[tuple[float, ...], str] | None = None,
    needs: frozenset[str] = frozenset(),
) -> Check:
    """A check of one op: its value and its local derivatives at ``point``; ``known`` maps a
    wrong set of gradients to the mistake that gives it."""

    def run(V: Any) -> None:
        data, grads = grads_of(V, build, point)
        expect(
            f"the value of {text} at {point}", data, value, f"the forward value of {text} is wrong"
        )
        if all(close(g, p) for g, p in zip(grads, partials)):
            return
        mistake = _diagnose(grads, known or {}, f"the backward of {text} passes back the wrong one")
        names = "abcd"[: len(point)]
        shown = ", ".join(f"d/d{n} = {g!r}" for n, g in zip(names, grads))
        want = ", ".join(f"{p:.6g}" for p in partials)
        raise Wrong(
            f"{text} at {', '.join(f'{n} = {v}' for n, v in zip(names, point))}: "
            f"expected ({want}), "
            f"got {shown}",
            mistake,
        )

    return Check(name, f"local derivative of {text}", needs, run)


T = math.tanh(0.5)
OP_CHECKS = [
    op_check("add", "a + b", lambda a, b: a + b, (2.0, -3.0), -1.0, (1.0, 1.0)),
    op_check(
        "mul",
        "a * b",
        lambda a, b: a * b,
        (2.0, -3.0),
        -6.0,
        (-3.0, 2.0),
        {
            (
                2.0,
                -3.0,
            ): "d(a * b)/da is b, not a: each input's gradient takes the other input's data "
            "(self.grad += other.data * out.grad)"
        },
    ),
    op_check(
        "sub",
        "a - b",
        lambda a, b: a - b,
        (2.0, -3.0),
        5.0,
        (1.0, -1.0),
        {(1.0, 1.0): "d(a - b)/db is -1: a - b must be a + (-b)"},
    ),
    op_check("neg", "-a", lambda a: -a, (2.0,), -2.0, (-1.0,)),
    op_check(
        "div",
        "a / b",
        lambda a, b: a / b,
        (3.0, -2.0),
        -1.5,
        (-0.5, -0.75),
        {(-0.5, 0.75): "d(a / b)/db is -a / b^2: a / b = a * b**-1 and the -1 carries a minus"},
    ),
    op_check(
        "pow",
        "a ** 3",
        lambda a: a**3,
        (1.5,),
        3.375,
        (6.75,),
        {
            (10.125,): "d(x^n)/dx = n x^(n - 1): the exponent drops by one (you computed n x^n)",
            (3.375,): "d(x^n)/dx = n x^(n - 1) (you passed back x^n itself)",
        },
    ),
    op_check("sqrt", "a ** 0.5", lambda a: a**0.5, (2.25,), 1.5, (1.0 / 3.0,)),
    op_check(
        "tanh",
        "tanh(a)",
        lambda a: a.tanh(),
        (0.5,),
        T,
        (1 - T * T,),
        {
            (0.75,): "tanh' is 1 - tanh(x)^2, you computed 1 - x^2 at x = 0.5 "
            "(use the output t: 1 - t**2)"
        },
        frozenset({"tanh"}),
    ),
    op_check(
        "exp",
        "exp(a)",
        lambda a: a.exp(),
        (0.7,),
        math.exp(0.7),
        (math.exp(0.7),),
        {(0.7,): "d(e^x)/dx is e^x, the output itself (out.data), not x"},
        frozenset({"exp"}),
    ),
    op_check(
        "relu",
        "relu(a) at a < 0",
        lambda a: a.relu(),
        (-1.5,),
        0.0,
        (0.0,),
        {(1.0,): "relu' is 0 for x < 0: the gradient must not pass a negative input"},
        frozenset({"relu"}),
    ),
    op_check(
        "relu_positive",
        "relu(a) at a > 0",
        lambda a: a.relu(),
        (2.0,),
        2.0,
        (1.0,),
        {(0.0,): "relu' is 1 for x > 0: pass the gradient through when the output is positive"},
        frozenset({"relu"}),
    ),
]


# a number on the left: Python calls the Value's __radd__, __rsub__, __rmul__, __rtruediv__
REFLECTED = {
    "2 + a": (lambda a: 2 + a, 6.0, 1.0, "__radd__"),
    "2 - a": (lambda a: 2 - a, -2.0, -1.0, "__rsub__"),
    "2 * a": (lambda a: 2 * a, 8.0, 2.0, "__rmul__"),
    "2 / a": (lambda a: 2 / a, 0.5, -0.125, "__rtruediv__"),
}


def reflected(V: Any) -> None:
    for text, (build, value, slope, method) in REFLECTED.items():
        data, (g,) = grads_of(V, build, (4.0,))
        swapped = {"2 - a": 2.0, "2 / a": 2.0}.get(text)  # a - 2 and a / 2 at a = 4
        mistake = (
            f"{text} came out as {text[-1]} {text[2]} 2: {method} must compute other {text[2]} self"
            if swapped is not None and close(data, swapped)
            else f"{text} is computed by {method} (the number is on the left)"
        )
        expect(f"the value of {text} at a = 4", data, value, mistake)
        expect(f"d({text})/da at a = 4", g, slope, f"the backward of {text} ({method}) is wrong")


# ---------------------------------------------------------------- the graph as a whole
def seed(V: Any) -> None:
    x, y = V(3.0), V(1.0)
    out = x + y
    out.backward()
    if close(out.grad, 0.0) and close(x.grad, 0.0):
        raise Wrong(
            "after backward() every gradient is 0, the output's too",
            "backward never sets the output's grad to 1 (dL/dL = 1): do self.grad = 1.0 first",
        )
    expect(
        "the output's own gradient after backward()",
        out.grad,
        1.0,
        "backward must start from the output's grad = 1 (dL/dL = 1)",
    )


def accumulation(V: Any) -> None:
    mistake = "a node used twice gets the gradient of only one use: `+=` in backward, not `=`"
    _, (g,) = grads_of(V, lambda a: a + a, (3.0,))
    expect("d(a + a)/da at a = 3", g, 2.0, mistake)
    _, (g,) = grads_of(V, lambda a: a * a, (3.0,))
    expect("d(a * a)/da at a = 3", g, 6.0, mistake)
    _, (ga, gb) = grads_of(V, lambda a, b: (a * b) * (a + b), (2.0, -1.0))
    expect("d((a * b) * (a + b))/da at a = 2, b = -1", ga, 2 * 2 * -1 + 1, mistake)


def order(V: Any) -> None:
    a = V(1.5)
    b = a + 1.0  # b is read by c and by d: its gradient is complete only after both ran
    c = b + 2.0
    d = b + c
    d.backward()
    if close(a.grad, 2.0):
        return
    z = V(3.0)
    twice = z + z
    twice.backward()
    cause = (
        "backward visits a node before all its uses: "
        "build a topological order and walk it backwards"
        if close(z.grad, 2.0)
        else "the accumulation mistake (see the check 'accumulation') breaks this too"
    )
    raise Wrong(f"b = a + 1, c = b + 2, d = b + c: dd/da = 2, got {a.grad!r}", cause)


def backward_twice(V: Any) -> None:
    x, w = V(0.5), V(-1.5)
    loss = (x * w + 1.0) * (x * w + 1.0)
    loss.backward()
    first = (x.grad, w.grad)
    x.grad, w.grad = 0.0, 0.0  # what a training loop's zero_grad does
    loss.backward()
    if not all(close(g, f) for g, f in zip((x.grad, w.grad), first)):
        raise Wrong(
            f"backward(), zero the inputs' grads, backward() again: first {first}, "
            f"second {(x.grad, w.grad)}",
            "the inner nodes keep the first call's gradients and the second call adds to them: "
            "set every node's grad to 0 at the start of backward() "
            "(or rebuild the graph each step)",
        )


def deep_graph(V: Any) -> None:
    worked = 0
    for depth in DEPTHS:
        x = V(1.0)
        v = x
        for _ in range(depth):
            v = v + 1.0
        try:
            v.backward()
        except RecursionError:
            at = f"depth {worked:,} worked; " if worked else ""
            raise Wrong(
                f"{at}RecursionError at depth {depth:,} (Python's recursion limit: "
                f"{sys.getrecursionlimit():,} frames)",
                f"RecursionError at depth {depth:,}: make the topological sort iterative "
                "(an explicit stack instead of recursion)",
            ) from None
        expect(
            f"dx/dx through a chain of {depth:,} additions",
            x.grad,
            1.0,
            "the gradient through a long chain of additions is wrong: see the checks above",
        )
        worked = depth


def against_chainrule(V: Any) -> None:
    from ..value import Value

    def program(K: Any) -> tuple[Any, ...]:  # micrograd's own test, test_more_ops
        a, b = K(-4.0), K(2.0)
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + (b + a).relu()
        d = d + 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        g = g + 10.0 / f
        g.backward()
        return g.data, a.grad, b.grad

    mine, ours = program(V), program(Value)
    for what, m, o in zip(("g", "dg/da", "dg/db"), mine, ours):
        expect(
            f"{what} of micrograd's test_more_ops program (chainrule's number)",
            m,
            o,
            "your numbers differ from chainrule's on micrograd's own test: "
            "see the first failing check above",
        )


def derivation_check(key: str, d: Derivation) -> Check:
    def run(V: Any) -> None:
        for point in d.points:
            _, grads = grads_of(V, d.expression, point)
            by_name = dict(zip(d.inputs, grads))
            for name, want in zip(d.differentiated, d.hand(*point)):
                at = ", ".join(f"{n} = {v}" for n, v in zip(d.inputs, point))
                expect(
                    f"{d.number} ({d.title}): df/d{name} at {at} (hand formula: {d.formula})",
                    by_name[name],
                    want,
                    "the graph's result is wrong: see the first failing check above",
                )

    return Check(key.replace(" ", "_"), f"{key}: {d.title}", d.needs, run)


NONE = frozenset()
CHECKS: list[Check] = [
    Check("seed", "backward starts from dL/dL = 1", NONE, seed),
    *OP_CHECKS[:7],
    Check("reflected", "local derivative of 2 + a, 2 - a, 2 * a and 2 / a", NONE, reflected),
    *OP_CHECKS[7:],
    Check("accumulation", "a node used twice adds both uses' gradients", NONE, accumulation),
    Check("order", "backward visits nodes in reverse topological order", NONE, order),
    Check(
        "backward_twice",
        "backward twice on one graph (grads zeroed in between)",
        NONE,
        backward_twice,
    ),
    Check("deep_graph", f"deep graphs, up to {DEPTHS[-1]:,} nodes", NONE, deep_graph, 20.0),
    Check(
        "against_chainrule",
        "micrograd's test_more_ops program, against chainrule's engine",
        frozenset({"relu"}),
        against_chainrule,
    ),
    *(derivation_check(k, d) for k, d in DERIVATIONS.items() if int(d.number[1:]) <= 11),
]
