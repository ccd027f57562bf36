"""Safe arithmetic expressions for ``chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.88``.

The text is parsed with Python's ``ast`` and only a whitelist is evaluated: numbers, names
bound on the command line, ``+ - * / **``, unary ``-`` and ``+``, and calls to the engine's
functions: every op of ``autograd.RULES`` that is not an operator, by its Value method's name
(``tanh(x)``, ``max(x, y)``, ``leaky_relu(x, alpha=0.2)``, ``dot([x, y], [w, v])``). Nothing
is ever passed to ``eval``; anything else is an ExpressionError that says what was not allowed
and where.
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from autograd import RULES, Value, dot
from autograd.rules import OPERATORS, Op

MAX_LENGTH = 2000

# the table's ops that are not operators, by their method's name: name -> (op, the function)
_CALLS: dict[str, tuple[Op, Callable[..., Value]]] = {
    rule.method or op: (rule, getattr(Value, rule.method) if rule.method else dot)
    for op, rule in RULES.items() if rule.method not in OPERATORS}
FUNCTIONS: dict[str, Callable[..., Value]] = {name: call for name, (_, call) in _CALLS.items()}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class ExpressionError(ValueError):
    """The expression is not allowed, names an unbound variable, or cannot be evaluated."""


def parse_binding(text: str) -> tuple[str, float]:
    """``"x=2"`` -> ("x", 2.0), checking the name and the number."""
    name, equals, number = text.partition("=")
    # NFKC, as Python does for identifiers: "µ" (micro sign) in the expression is "μ" (Greek mu)
    name, number = unicodedata.normalize("NFKC", name.strip()), number.strip()
    if not equals or not name:
        raise ExpressionError(f"expected NAME=VALUE, such as x=2, got {text!r}")
    if not name.isidentifier():
        raise ExpressionError(f"{name!r} is not a valid variable name (letters, digits, _; not "
                              "starting with a digit)")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function name and cannot be a variable")
    try:
        value = float(number)
    except ValueError:
        raise ExpressionError(f"bad value for {name}: {number!r} is not a number") from None
    if not math.isfinite(value):
        raise ExpressionError(f"bad value for {name}: {number!r} is not a finite number")
    return name, value


def evaluate(text: str, variables: Mapping[str, Value]) -> Value | float:
    """Evaluate ``text`` with the given Values bound to their names (see the module docstring)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is "
                              f"{MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise ExpressionError(f"cannot parse {_short(text)}{where}: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    try:
        return _Evaluator(variables).visit(tree.body)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    except ZeroDivisionError:
        raise ExpressionError(f"division by zero in {_short(text)}") from None
    except OverflowError:
        raise ExpressionError(f"a result in {_short(text)} is too large for a float") from None
    except (ArithmeticError, ValueError, TypeError) as error:
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(f"cannot evaluate {_short(text)}: {error}") from None


class _Evaluator(ast.NodeVisitor):
    """Evaluates the whitelisted node types; ``generic_visit`` rejects every other one."""

    def __init__(self, variables: Mapping[str, Value]) -> None:
        self.variables = variables

    def generic_visit(self, node: ast.AST) -> Any:
        raise ExpressionError(f"{_describe(node)} is not allowed{_column(node)}; use numbers, "
                              f"variables, + - * / ** and the functions {', '.join(FUNCTIONS)}")

    def visit_Constant(self, node: ast.Constant) -> float:
        if type(node.value) not in (int, float):
            raise ExpressionError(f"{node.value!r} is not a number{_column(node)}")
        try:
            value = float(node.value)  # floats only: 10**10**10 overflows, does not run for ever
        except OverflowError:
            raise ExpressionError(f"the number {node.value} is too large{_column(node)}") from None
        if not math.isfinite(value):
            raise ExpressionError(f"the number {ast.unparse(node)} is too large{_column(node)}")
        return value

    def visit_Name(self, node: ast.Name) -> Value:
        if node.id in self.variables:
            return self.variables[node.id]
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(x)"
                                  f"{_column(node)}")
        bound = ", ".join(sorted(self.variables)) or "none"
        raise ExpressionError(f"unknown name {node.id!r}{_column(node)}; bind it on the command "
                              "line, "
                              f"as in {node.id}=1.5 (bound: {bound})")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Value | float:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        return self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> Value | float:
        """A chain such as a + b + ... + z (parsed as ((a + b) + ...) + z) is walked down its left
        side in a loop, so a flat sum of a thousand terms needs no deep recursion."""
        if type(node.op) not in _BINARY:
            return self.generic_visit(node)
        chain = []
        while isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            chain.append(node)
            node = node.left
        result = self.visit(node)
        for link in reversed(chain):
            result = self._binary(link, result, self.visit(link.right))
        return result

    def _binary(self, node: ast.BinOp, left: Value | float, right: Value | float) -> Value | float:
        symbol = _BINARY[type(node.op)]
        if symbol == "+":
            result = left + right
        elif symbol == "-":
            result = left - right
        elif symbol == "*":
            result = left * right
        elif symbol == "/":
            result = left / right
        else:
            result = left ** right
        if isinstance(result, complex) or not math.isfinite(float(result)):
            raise ExpressionError(f"{_short(ast.unparse(node))} is not a finite real "
                                  f"number{_column(node)}")
        return result

    def visit_Call(self, node: ast.Call) -> Value:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = ast.unparse(node.func)
            raise ExpressionError(f"unknown function {shown!r}{_column(node)}; allowed: "
                                  f"{', '.join(FUNCTIONS)}")
        rule, call = _CALLS[name]
        letter = rule.inputs.split()[-1]
        constant = (letter,) if rule.constant else ()  # leaky_relu(x, 0.2) or alpha=0.2, optional
        for keyword in node.keywords:
            if keyword.arg not in constant:
                given = f"{keyword.arg}=" if keyword.arg else f"**{ast.unparse(keyword.value)}"
                takes = f"only the keyword {letter}=" if constant else "no keyword arguments"
                raise ExpressionError(f"{name}() takes {takes}, got {given}{_column(keyword)}")
        given = len(node.args) + len(node.keywords)
        if not node.args or given > rule.arity or given < rule.arity - len(constant):
            takes = {"x": "one argument", "x y": "two arguments", "a b": "two lists"}.get(
                rule.inputs, f"one argument (and an optional number {letter})")
            raise ExpressionError(f"{name}() takes {takes}, got {given}{_column(node)}")
        if rule.inputs == "a b":
            return call(*(self._sequence(name, a) for a in node.args))
        arguments = [self.visit(a) for a in [*node.args, *(k.value for k in node.keywords)]]
        if constant and any(isinstance(a, Value) for a in arguments[1:]):
            raise ExpressionError(f"{name}(): {letter} must be a number, not a variable"
                                  f"{_column(node)}")
        if not isinstance(arguments[0], Value):  # tanh(2): a number becomes a leaf of the graph
            arguments[0] = Value(arguments[0], label=ast.unparse(node.args[0]))
        return call(*arguments)

    def _sequence(self, name: str, node: ast.AST) -> list[Value | float]:
        """A list or tuple argument (of ``dot``), its items evaluated."""
        if not isinstance(node, ast.List | ast.Tuple):
            raise ExpressionError(f"{name}() takes two lists, such as {name}([x, y], [w, v]), got "
                                  f"{_short(ast.unparse(node))}{_column(node)}")
        return [self.visit(item) for item in node.elts]


def _short(text: str) -> str:
    """``text`` quoted, cut to 60 characters for an error message."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _describe(node: ast.AST) -> str:
    return f"{_short(ast.unparse(node))} ({type(node).__name__})"


def _column(node: ast.AST) -> str:
    offset = getattr(node, "col_offset", None)
    return "" if offset is None else f" at column {offset + 1}"
