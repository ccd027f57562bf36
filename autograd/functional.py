"""Derivatives as functions: ``grad``, ``hessian``, ``gradients`` and ``gradcheck``.

``grad(f)`` is a new function that returns df/dx. At the top level it returns floats. Inside
another ``grad`` (given Values, or given numbers while the outer function runs) its backward
pass records a graph, so ``grad(grad(f))`` works to any order, and an inner derivative that
depends on an outer variable through a closure keeps that dependence (no perturbation
confusion: ``d/dx [x * d/dy (x y)] = 2x``). Each argument position gets a variable of its own,
so ``grad(f, argnums=(0, 1))(v, v)`` gives the partial derivatives, as it does at numbers.
None of these reads or writes a ``.grad``: they sum the gradients in a table of their own
(``backward.gradient_table``), so they may run beside backward passes in other threads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .backward import gradient_table
from .modes import differentiating, enable_grad, is_differentiating, no_grad
from .value import Value, short_repr, to_float


def gradients(output: Any, inputs: Sequence[Value], create_graph: bool | None = None) -> list[Any]:
    """The total derivative d(output)/d(input) for each input, without changing any ``.grad``.

    An input may be computed from another input: ``b = a * 3; gradients(b * b, [a, b])`` is
    [36, 12] at a = 2 (dL/da counts the path through b). ``create_graph``: return Values with a
    graph of their own (to differentiate again); by default only inside an enclosing ``grad``.
    """
    if create_graph is None:
        create_graph = is_differentiating()
    for i, v in enumerate(inputs):
        if not isinstance(v, Value):
            raise TypeError(f"gradients: inputs[{i}] must be a Value to differentiate with "
                            f"respect to, got {type(v).__name__}: {short_repr(v)}")
    if not isinstance(output, Value):
        to_float(output, "gradients: output")  # a constant: every derivative is 0
        return [0.0 for _ in inputs]
    if output._op is None:  # computed inside no_grad()
        raise RuntimeError(f"gradients: the output {output!r} was computed inside no_grad(), so "
                           "no graph was recorded to differentiate; compute it outside no_grad() "
                           "(or with enable_grad())")
    table = gradient_table(output, 1.0, create_graph)
    return [table.get(v, 0.0) for v in inputs]


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The function x -> df/dx (a tuple of partials when ``argnums`` is a sequence)."""
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def df(*args: Any) -> Any:
        for i in positions:
            if not -len(args) <= i < len(args):
                raise IndexError(f"grad: argnums {i} is out of range for {len(args)} arguments")
        nested = is_differentiating() or any(isinstance(a, Value) for a in args)
        inputs = [_variable(a) for a in args]
        with enable_grad():  # a derivative needs the graph, even when called inside no_grad()
            with differentiating():
                out = f(*inputs)
            result = gradients(out, [inputs[i] for i in positions], create_graph=nested)
        return result[0] if single else tuple(result)

    df.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    df.__doc__ = (f"Derivative of {getattr(f, '__name__', 'f')} with respect to argument(s) "
                  f"{argnums}.")
    return df


def hessian(f: Callable[..., Any]) -> Callable[..., list[list[Any]]]:
    """The function (x1..xn) -> H with ``H[i][j]`` = d2f / dxi dxj, as a list of rows."""

    def h(*args: Any) -> list[list[Any]]:
        nested = is_differentiating() or any(isinstance(a, Value) for a in args)
        inputs = [_variable(a) for a in args]
        with enable_grad():
            with differentiating():
                out = f(*inputs)
            first = gradients(out, inputs, create_graph=True)
            return [gradients(g, inputs, create_graph=nested) for g in first]

    h.__name__ = f"hessian_{getattr(f, '__name__', 'f')}"
    return h


def _variable(a: Any) -> Value:
    """The variable ``grad`` differentiates with respect to, for one argument position.

    A number becomes a new leaf. A Value (from an enclosing ``grad``) gets a node of its own,
    a + 0, linked to it: the derivative with respect to this position alone is then this node's
    gradient, and it still flows back to the Value, so the outer derivative sees it.
    """
    return a + 0.0 if isinstance(a, Value) else Value(a)


class GradcheckError(AssertionError):
    """Backward disagrees with central differences for at least one input."""


def gradcheck(f: Callable[..., Any], *inputs: float | Value, eps: float = 1e-6,
              atol: float = 1e-6, rtol: float = 1e-4) -> bool:
    """Compare backward with central differences (f(x+eps) - f(x-eps)) / 2 eps at ``inputs``.

    Returns True, or raises GradcheckError listing every input whose two derivatives
    differ by more than ``atol + rtol * |numeric|``, with both values and the tolerances.
    A Value input is checked at its data.
    """
    points = [to_float(x.data if isinstance(x, Value) else x, "gradcheck") for x in inputs]
    analytic = grad(f, argnums=tuple(range(len(points))))(*points)

    def value_at(xs: list[float]) -> float:
        with no_grad():
            out = f(*[Value(x) for x in xs])
        return out.data if isinstance(out, Value) else float(out)

    problems = []
    for i, a in enumerate(analytic):
        up, down = list(points), list(points)
        up[i] += eps
        down[i] -= eps
        numeric = (value_at(up) - value_at(down)) / (2 * eps)
        if not (math.isfinite(a) and abs(a - numeric) <= atol + rtol * abs(numeric)):
            problems.append(
                f"  input {i} (x={points[i]!r}): backward {a!r}, central difference {numeric!r}"
            )
    if problems:
        raise GradcheckError(
            f"gradcheck of {getattr(f, '__name__', 'f')} failed "
            f"(eps={eps}, atol={atol}, rtol={rtol}):\n" + "\n".join(problems)
        )
    return True
