"""viz.check_grads's hint ladder, and autograd.record_source (the line of code that made a node).

References: hand derivatives of d = a + a e with a = b c (dd/da = 1 + e, dd/de = a,
dd/db = (1 + e) c),
and the line numbers of this file (``inspect``).
"""

from __future__ import annotations

import inspect
import threading

import pytest

import nn
import viz
from autograd import Value, is_grad_enabled, no_grad, record_source, source_of
from viz.interactive.graph_data import graph_data

B, C, E = 2.0, -3.0, 0.5
A = B * C


def used_twice() -> tuple[Value, dict[str, Value]]:
    b, c, e = Value(B, label="b"), Value(C, label="c"), Value(E, label="e")
    a = b * c
    a.label = "a"
    d = a + a * e
    d.label = "d"
    return d, {"a": a, "b": b, "c": c, "e": e}


def test_a_wrong_answer_gets_hints_never_the_number_by_default():
    d, _ = used_twice()
    marked = viz.check_grads(d, {"a": 3.0, "d": 1.0})
    wrong = marked[0]
    assert not wrong.right and wrong.correct == pytest.approx(1 + E)
    text = str(wrong)
    assert "1.5000" not in text and "1.5" not in text  # dd/da = 1 + e is not given away
    assert "a is used by" in text and "(2 terms)" in text
    assert "local: dd/da = 1.0000" in text and f"= {E:.4f}" in text  # d(a e)/da = e
    # the sum with the upstream gradients: dd/dd (answered right in this call) as its number,
    # dd/dv1 (v1 = a e, unlabelled: named as on the picture) as a symbol
    assert "1.0000 \u00d7 1.0000" in text and f"dd/dv1 \u00d7 {E:.4f}" in text
    assert str(marked).startswith("1 of 2 right")


def test_the_lower_rungs_and_the_answer():
    d, _ = used_twice()
    uses = str(viz.check_grads(d, {"a": 3.0}, feedback="uses"))
    assert "used by" in uses and "local" not in uses and "1.5000" not in uses
    local = str(viz.check_grads(d, {"a": 3.0}, feedback="local"))
    assert "local" in local and "dd/da =" not in local.replace("local: dd/da", "")
    answer = viz.check_grads(d, {"a": 3.0}, feedback="answer")[0]
    assert str(answer).endswith(f"= {1 + E:.4f}") and answer.sum in str(answer)
    with pytest.raises(ValueError, match="feedback must be one of"):
        viz.check_grads(d, {"a": 3.0}, feedback="all")


def test_a_local_derivative_equal_to_the_answer_is_given_as_its_rule():
    x = Value(0.3, label="x")
    y = x.tanh()  # dy/dx = 1 - tanh^2: one use with upstream 1, its local derivative is the answer
    y.label = "y"
    text = str(viz.check_grads(y, {"x": 5.0}, feedback="hint"))
    assert f"{1 - 0.3**2:.2f}" not in text and "from the rule d(tanh x)" in text


def test_record_source_notes_the_users_line_only_inside_the_block():
    line = inspect.currentframe().f_lineno
    with record_source():
        b = Value(2.0, label="b")  # line + 2
        a = b * 3  # line + 3
        model = nn.MLP(2, [2, 1], seed=0)
        out = model([a, b])  # line + 5: made inside nn, noted at the user's call
        assert is_grad_enabled() is True
        with no_grad():
            plain = a * 2
    after = b * 2
    assert source_of(b).line == line + 2 and source_of(a).line == line + 3
    assert source_of(a).text == "a = b * 3  # line + 3" and source_of(a).file == __file__
    assert source_of(out).line == line + 5 and source_of(model.parameters()[0]).line == line + 4
    assert source_of(plain) is None and source_of(after) is None and source_of(3.0) is None


def test_record_source_belongs_to_its_thread():
    seen = {}
    inside, done = threading.Event(), threading.Event()

    def other():
        inside.wait()
        seen["other"] = source_of(Value(1.0) * 2)  # while the main thread records
        done.set()

    worker = threading.Thread(target=other)
    worker.start()
    with record_source():
        inside.set()
        done.wait(10)
        mine = Value(1.0) * 2
    worker.join()
    assert seen["other"] is None and source_of(mine) is not None


def test_the_explorer_sends_each_nodes_line_and_the_code_pane():
    line = inspect.currentframe().f_lineno
    with record_source():
        d, nodes = used_twice()
        e = Value(1.0, label="f") * d  # line + 3
    data = graph_data(e)
    top = data["nodes"]["v" + str(len(data["nodes"]) - 1)]
    assert top["source"]["where"] == f"test_practice_and_source.py:{line + 3}"
    assert top["source"]["text"].startswith("e = Value(1.0")
    pane = data["code"]
    assert [f["file"] for f in pane] == ["test_practice_and_source.py"]
    numbers = [n for n, _ in pane[0]["lines"] if n is not None]
    assert line + 3 in numbers and top["source"]["key"] == f"f0:{line + 3}"
    assert graph_data(used_twice()[0])["code"] is None  # made outside record_source: no pane
