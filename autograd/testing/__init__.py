"""Testing derivatives: hand-derived tests for anyone, and an autograder for engines students build.

* ``assert_derivative(f, hand, at=...)``  the engine's derivative of f (``order=2``: its Hessian)
  against a hand formula, with central differences as a third opinion; on failure, the numbers
  and the engine's chain-rule breakdown at the point.
* ``DERIVATIONS``  the hand derivations D1-D15 of docs/derivations.md as data.
* ``strategies``  hypothesis strategies of each operation's valid inputs (needs hypothesis).
* ``check_engine(Value)``  grade a micrograd-style Value class: a report card of checks, each
  failure with its likely mistake (also ``chainrule check-engine student/engine.py``).
* a pytest plugin (``autograd.testing.pytest_plugin``): the ``derivative`` fixture.

Importing this module imports neither hypothesis nor pytest: both load only when used
(``pip install chainrule[testing]``).
"""

from __future__ import annotations

from typing import Any

from .checks import CHECKS
from .derivations import DERIVATIONS, Derivation
from .derivative import DerivativeMismatch, assert_derivative, central_difference
from .grader import check_engine
from .report import Report, Result

__all__ = [
    "assert_derivative",
    "DerivativeMismatch",
    "central_difference",
    "DERIVATIONS",
    "Derivation",
    "check_engine",
    "Report",
    "Result",
    "CHECKS",
    "strategies",
]


def __getattr__(name: str) -> Any:
    if name == "strategies":  # imports hypothesis: only on first use
        import importlib

        return importlib.import_module(f"{__name__}.strategies")
    raise AttributeError(f"module 'autograd.testing' has no attribute {name!r}")
