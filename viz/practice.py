"""Practice that teaches: marking a student's gradients, with hints before answers.

A wrong dL/dv climbs a ladder of feedback, one level more each time it is asked for:

1. ``"uses"``    which nodes use v: dL/dv is a sum with one term per use (D2-D4);
2. ``"local"``   and each use's local derivative d(use)/dv at the recorded numbers;
3. ``"hint"``    and the chain rule's sum, each upstream gradient dL/d(use) a symbol, or its number
                 where the student's own right answer gave it;
4. ``"answer"``  and the number: the sum worked out (``chain_sum``).

``check_grads`` gives level 3 by default; the explorer's practice mode climbs the same ladder
one wrong answer at a time and shows the number only when asked (``static/explorer_practice.js``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from autograd import RULES, Value, topological_order

from .chain import (
    Term,
    chain_sum,
    chain_terms,
    consumers,
    derivative_name,
    fresh_gradients,
    node_name,
    node_names,
    number,
    op_text,
    signed,
)

FEEDBACK = ("uses", "local", "hint", "answer")  # the ladder, lowest first


def hints(
    node: Value,
    root: Value,
    terms: list[Term],
    grad: float,
    level: str,
    known: Mapping[Value, float] | None = None,
    names: Mapping[Value, str] | None = None,
) -> list[str]:
    """The lines of feedback on dL/d(node) up to ``level`` (one of FEEDBACK).

    ``known`` holds the upstream gradients the student may see (their own right answers): the
    others stay symbols. A local derivative that equals the answer itself (one use, upstream 1)
    is given as its rule, not its number.
    """
    if level not in FEEDBACK:
        raise ValueError(
            f"check_grads: feedback must be one of {', '.join(map(repr, FEEDBACK))}, got {level!r}"
        )
    depth, known = FEEDBACK.index(level) + 1, known or {}
    names = node_names(topological_order(root)) if names is None else names
    out, name = names[root], names[node]
    grad_symbol = derivative_name(out, name)
    if depth == 4:
        return [chain_sum(node, root, terms, grad, names)]
    if node is root:
        lines = [
            f"{name} is the output: backward starts here. How much does {name} change when {name} "
            "changes by a small h?"
        ]
        return lines + ([f"{grad_symbol} = ({name} + h - {name}) / h"] if depth >= 2 else [])
    uses = ", ".join(f"{names[t.use]} ({op_text(t.use)})" for t in terms)
    count = f" ({len(terms)} terms)." if len(terms) > 1 else "."
    lines = [f"{name} is used by {uses}: {grad_symbol} is a sum with one term per use{count}"]
    gives_away = [number(t.local) == number(grad) for t in terms]
    if depth >= 2:
        lines += [
            f"local: {derivative_name(names[t.use], name)} = "
            + (f"from the rule {RULES[t.use.op].formula}" if hidden else number(t.local))
            for t, hidden in zip(terms, gives_away, strict=True)
        ]
    if depth >= 3:
        parts = [
            (signed(known[t.use]) if t.use in known else derivative_name(out, names[t.use]))
            + " \u00d7 "
            + (derivative_name(names[t.use], name) if hidden else signed(t.local))
            for t, hidden in zip(terms, gives_away, strict=True)
        ]
        lines.append(f"{grad_symbol} = {' + '.join(parts)}")
    return lines


class Answer(NamedTuple):
    """One of a student's answers, marked: ``right``; for a wrong one the chain rule's ``sum`` (the
    answer) and the ``feedback`` lines at the level asked for."""

    name: str
    node: Value
    given: float
    correct: float
    right: bool
    sum: str
    feedback: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.right:
            return f"{self.name}: {number(self.given)} is right"
        return "\n    ".join([f"{self.name}: {number(self.given)} is not it", *self.feedback])


class Answers(list):
    """The marked answers of ``check_grads`` (a list of ``Answer``); prints one line per answer."""

    @property
    def all_right(self) -> bool:
        return all(answer.right for answer in self)

    def __str__(self) -> str:
        right = sum(answer.right for answer in self)
        return "\n".join([f"{right} of {len(self)} right", *map(str, self)])

    def __repr__(self) -> str:
        return str(self)


def check_grads(
    root: Value,
    answers: Mapping[Any, Any],
    *,
    feedback: str = "hint",
    rel_tol: float = 1e-3,
    abs_tol: float = 1e-4,
) -> Answers:
    """Mark a student's gradients dL/dv for the output ``root``: ``answers`` maps a label (or a
    Value) to a number. An answer is right when it is within ``rel_tol`` (relative) or ``abs_tol``
    (absolute) of the gradient backward computes, so four decimals are enough.

    A wrong answer comes with ``feedback`` (see the module docstring): ``"hint"`` (the default)
    names the uses, their local derivatives and the sum with the upstream gradients as symbols
    (the numbers of the upstream gradients answered right in the same call), never the number;
    ``"answer"`` gives the chain rule's sum worked out; ``"uses"`` and ``"local"`` give less.
    The gradients are computed afresh; the graph's ``.grad`` are left as they were.
    """
    if not isinstance(root, Value):
        raise TypeError(f"check_grads: root must be a Value, got {type(root).__name__}")
    if not isinstance(answers, Mapping):
        raise TypeError(
            f"check_grads: answers must be a dict from label or Value to a number, "
            f"got {type(answers).__name__}"
        )
    if feedback not in FEEDBACK:
        raise ValueError(
            f"check_grads: feedback must be one of {', '.join(map(repr, FEEDBACK))}, "
            f"got {feedback!r}"
        )
    order = topological_order(root)
    names = node_names(order)
    grads = fresh_gradients(root, order)
    uses = consumers(order)
    by_label: dict[str, list[Value]] = {}
    for node in order:
        if node.label:
            by_label.setdefault(node.label, []).append(node)
    given = [
        (_find(key, by_label, grads), _as_number(key, value)) for key, value in answers.items()
    ]
    right = {
        node: value
        for node, value in given
        if math.isclose(value, grads[node], rel_tol=rel_tol, abs_tol=abs_tol)
    }
    marked = Answers()
    for node, value in given:
        terms = chain_terms(node, root, uses, grads)
        lines = (
            ()
            if node in right
            else tuple(hints(node, root, terms, grads[node], feedback, right, names))
        )
        marked.append(
            Answer(
                names[node],
                node,
                value,
                grads[node],
                node in right,
                chain_sum(node, root, terms, grads[node], names),
                lines,
            )
        )
    return marked


def _find(key: Any, by_label: Mapping[str, list[Value]], grads: Mapping[Value, float]) -> Value:
    if isinstance(key, Value):
        if key not in grads:
            raise ValueError(f"check_grads: {key!r} is not in the graph of this output")
        return key
    if not isinstance(key, str):
        raise TypeError(
            f"check_grads: an answer's key must be a label or a Value, got {type(key).__name__}"
        )
    found = by_label.get(key, [])
    if not found:
        raise ValueError(
            f"check_grads: no node labelled {key!r} "
            f"(labels: {', '.join(sorted(by_label)) or 'none'})"
        )
    if len(found) > 1:
        raise ValueError(
            f"check_grads: {len(found)} nodes are labelled {key!r}; "
            "give the Value itself as the key"
        )
    return found[0]


def _as_number(key: Any, given: Any) -> float:
    try:
        value = float(given)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(given, bool) or not math.isfinite(value):
        name = key if isinstance(key, str) else node_name(key)
        raise ValueError(
            f"check_grads: the answer for {name} must be a finite number, got {given!r:.40}"
        )
    return value
