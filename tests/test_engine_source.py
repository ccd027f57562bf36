"""``record_source`` through the engine's own operations: a leaf, a one-input and a two-input op and
an n-ary ``dot``, each noted inside the block (with backward's gradient graph), never outside
it or in no_grad().

References: None outside the block, and the hand derivative of d = w tanh(w) + 3 w tanh(w) =
4 w tanh(w): dd/dw = 4 tanh(w) + 4 w (1 - tanh^2 w).
"""

from __future__ import annotations

import math

import pytest

from autograd import Source, Value, dot, enable_grad, no_grad, record_source, source_of

W = 2.0


def test_every_kind_of_node_made_inside_the_block_notes_a_line():
    # Which line: tests/test_practice_and_source.py. Not asserted here, where ``make mutation`` runs
    # it: mutmut calls each engine function through a wrapper of its own (outside the library), so
    # the walk to the first frame outside the library stops at that wrapper's line.
    with record_source():
        w = Value(W)
        t = w.tanh()
        p = w * t
        d = dot([w, p], [t, 3.0])
        d.backward(create_graph=True)
    assert all(isinstance(source_of(v), Source) and source_of(v).line > 0 for v in (w, t, p, d))
    # noting lines changes no number: d = 4 w tanh w and its derivative by hand
    assert d.data == pytest.approx(4 * W * math.tanh(W), rel=1e-15)
    slope = 4 * math.tanh(W) + 4 * W * (1 - math.tanh(W) ** 2)
    assert isinstance(w.grad, Value) and w.grad.data == pytest.approx(slope, rel=1e-14)
    # the gradient graph that backward(create_graph=True) made in the block notes its line too
    assert isinstance(source_of(w.grad), Source) and source_of(w.grad).line > 0


def test_nothing_is_noted_outside_the_block_or_in_no_grad():
    w = Value(W)
    t = w.tanh()
    outside = [w, t, w * t, dot([w, t], [t, 3.0]), dot((w,), (2.0,))]
    with record_source():
        with no_grad():  # nothing recorded: no line either
            quiet = [Value(W), w.tanh(), w * t, dot([w, t], [t, 3.0])]
            with enable_grad():  # the graph again, but no lines
                graph_only = [Value(W), w.tanh(), w * t, dot([w, t], [t, 3.0])]
        with enable_grad():  # already recording: lines are still noted
            noted = [w.tanh(), w * t]
    assert [source_of(v) for v in outside + quiet + graph_only] == [None] * 13
    assert all(isinstance(source_of(v), Source) for v in noted)
    assert [v.op for v in quiet] == ["", "", "", ""]
    assert [v.op for v in graph_only[1:]] == ["tanh", "mul", "dot"]
    assert outside[3].data == pytest.approx((W + 3) * math.tanh(W), rel=1e-15)  # w t + 3 t
