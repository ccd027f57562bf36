"""The pytest side of ``autograd.testing``: a ``derivative`` fixture and its readable assertion.

    def test_tanh(derivative):
        assert derivative(lambda x: x.tanh(), at=0.5) == 1 - math.tanh(0.5) ** 2

``derivative(f, at=point, order=1)`` is the engine's derivative of f at one point (a float for
one input, else the partials; ``order=2``: the Hessian's entries row by row). It equals a hand
value when the two agree to ``rtol``/``atol`` and central differences agree as well; a failed
``==`` is explained by pytest with hand, engine and central difference and the engine's
chain-rule breakdown (``autograd.testing.assert_derivative`` gives the same text).
Enable with ``pytest --chainrule`` or ``pytest_plugins = ["autograd.testing.fixtures"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .derivative import as_point, check_point, engine_derivative


class Derivative:
    """The engine's derivative of f at one point, comparable with ``==`` to a hand value."""

    def __init__(
        self, f: Callable[..., Any], point: tuple[float, ...], order: int, rtol: float, atol: float
    ):
        self.f, self.point, self.order, self.rtol, self.atol = f, point, order, rtol, atol
        self.values = engine_derivative(f, point, order)
        self.explanation: str | None = None

    def __eq__(self, hand: object) -> bool:
        self.explanation = check_point(
            self.f, lambda *_: hand, self.point, order=self.order, rtol=self.rtol, atol=self.atol
        )
        return self.explanation is None

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = self.values[0] if len(self.values) == 1 else self.values
        return f"derivative at {self.point}: {shown!r}"


@pytest.fixture
def derivative() -> Callable[..., Derivative]:
    """``derivative(f, at=x, order=1, rtol=1e-7, atol=1e-9)``: compare it to the hand value."""

    def make(
        f: Callable[..., Any], at: Any, order: int = 1, rtol: float = 1e-7, atol: float = 1e-9
    ) -> Derivative:
        return Derivative(f, as_point(at), order, rtol, atol)

    return make


def pytest_assertrepr_compare(config: Any, op: str, left: Any, right: Any) -> list[str] | None:
    if op == "==" and isinstance(left, Derivative):
        if left.explanation is None:
            left == right  # noqa: B015 - computes the explanation
        return [
            "the engine's derivative is not the hand formula's",
            *(left.explanation or "").splitlines(),
        ]
    return None
