"""Helpers the viz tests share for reading rendered SVG (and a check that they read it right)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

SVG_NS = "{http://www.w3.org/2000/svg}"

# the backends to render with: WebAssembly always, the system dot when installed
BACKENDS = [
    "wasm",
    pytest.param("dot", marks=pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")),
]


def svg_texts(svg: str) -> list[str]:
    """The text of every <text> element of an SVG document (which must parse as XML)."""
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def squeeze(text: str) -> str:
    """``text`` without any whitespace: Graphviz trims and merges spaces in record fields."""
    return "".join(text.split()).replace("\xa0", "")


def test_svg_texts_reads_text_elements_and_rejects_broken_xml():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><g><text x="1">a &amp; b</text></g>'
           '<text>c<tspan>d</tspan></text></svg>')
    assert svg_texts(svg) == ["a & b", "cd"]
    with pytest.raises(ET.ParseError):
        svg_texts('<svg xmlns="http://www.w3.org/2000/svg"><text>\x01</text></svg>')


def test_squeeze_drops_every_kind_of_space():
    assert squeeze(" a\u00a0b \n c\t") == "abc"
