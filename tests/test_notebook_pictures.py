"""Every picture in the committed notebooks fits a notebook page: at most 1,200 px wide at its
natural size (an SVG's width in pt is 4/3 px; a PNG's its pixels, or the width Jupyter is told)."""

from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path

import pytest

PAGE = 1200  # px
NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
_SVG_TAG = re.compile(r'<svg\b([^>]*)>|</svg>')
_WIDTH = re.compile(r'\swidth="([0-9.]+)(pt|px|)"')


def outer_svg_widths(text: str) -> list[float]:
    """Widths in px of the outermost SVGs in ``text`` (an SVG inside another is drawn at the outer's scale)."""
    widths, depth = [], 0
    for tag in _SVG_TAG.finditer(text):
        if tag.group(0) == "</svg>":
            depth -= 1
            continue
        width = _WIDTH.search(tag.group(1))
        if depth == 0 and width:
            widths.append(float(width.group(1)) * (1.0 if width.group(2) == "px" else 4 / 3))
        depth += 1
    return widths


def widths(notebook: Path) -> list[tuple[float, str]]:
    """(width in px, where) of every SVG and PNG in the notebook's outputs."""
    found = []
    for number, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        for output in cell.get("outputs", []):
            for mime, data in output.get("data", {}).items():
                text = "".join(data) if isinstance(data, list) else data
                where = f"cell {number} {mime}"
                if mime == "image/png":
                    told = output.get("metadata", {}).get(mime, {}).get("width")
                    png = base64.b64decode(text)
                    found.append((float(told) if told else struct.unpack(">I", png[16:20])[0], where))
                elif isinstance(text, str) and "<svg" in text:  # an SVG, or HTML holding SVGs
                    found += [(width, where) for width in outer_svg_widths(text)]
    return found


def test_widths_are_read_from_svg_and_png(tmp_path):
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + struct.pack(">II", 1500, 10)).decode()
    nested = '<svg width="900pt" height="10pt"><svg x="0" width="2000" height="10"></svg></svg>'
    cell = {"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": png, "text/html": f"<div>{nested}</div>"}}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    assert sorted(w for w, _ in widths(path)) == [1200.0, 1500.0]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem[:2] for n in NOTEBOOKS])
def test_every_picture_is_at_most_a_page_wide(notebook):
    found = widths(notebook)
    too_wide = [f"{where}: {width:,.0f} px" for width, where in found if width > PAGE + 0.5]
    assert not too_wide, f"{notebook.name}: pictures wider than {PAGE} px: {too_wide}"
