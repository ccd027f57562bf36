"""The legend is right in every combination of options: each entry once, a |grad| scale only when
gradients are shown and shaded, its swatches distinct, ``grad 0`` only when some gradient is 0."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from autograd import Value
from viz import draw_dot


def neuron():
    """o = tanh(x1 w1 + x2 w2 + b) with x2 = 0, so do/dw2 = 0."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8814, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    return o, [w1, w2, b]


def legend_entries(picture) -> list[str]:
    found = re.findall(r'^\s*legend_\w+ \[label=(?:"([^"]*)"|(\S+))', picture.legend_source, flags=re.M)
    return [quoted or bare for quoted, bare in found]


HIDE = [None, "grad", "data", ("data", "grad")]


@pytest.mark.parametrize(("shade", "hide", "local"), list(itertools.product([False, True], HIDE, [False, True])))
def test_legend_entries_match_what_the_picture_shows(shade, hide, local):
    o, params = neuron()
    picture = draw_dot(o, params=params, shade_grad=shade, hide=hide, local_grads=local, legend=True)
    entries = legend_entries(picture)
    assert len(entries) == len(set(entries)), entries
    assert entries[:4] == ["parameter (learned)", "input (other leaf)", "intermediate value", "output (root)"]
    assert "operation" in entries and "number" not in entries  # no plain number in this formula
    scale = [e for e in entries if e.startswith("|grad|")]
    grads_shown = shade and "grad" not in (hide if isinstance(hide, tuple) else (hide,))
    if not grads_shown:
        assert not scale and "grad 0" not in entries
        assert "fillcolor=\"#ffe0b2\"" in picture.source  # parameters keep their kind's fill
        return
    assert "grad 0" in entries  # do/dw2 = 0
    magnitudes = [float(e.split()[-1]) for e in scale]
    t = math.tanh(2 * -3 + 6.8814)
    largest = max(abs(2 * (1 - t * t)), abs(-3 * (1 - t * t)), 1.0)  # do/dw1 = x1 (1 - o^2), do/dx1, do/do
    assert magnitudes == sorted(magnitudes) and len(set(scale)) == len(scale) >= 2
    assert magnitudes[-1] == pytest.approx(largest, rel=0.05)
    assert scale[0].startswith("|grad| <=")


def test_one_magnitude_is_one_swatch_not_five_alike():
    x = Value(2.0, label="x")
    y = x + 1.0  # dy/dx = dy/dy = 1
    y.backward()
    entries = legend_entries(draw_dot(y, shade_grad=True))
    assert [e for e in entries if "grad" in e] == ["|grad| 1"]
