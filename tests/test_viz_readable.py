"""Acceptance: every graph picture committed in the notebooks and docs is readable at its natural size.

A picture passes when its smallest text is at least 10 px and it is at most 1,200 px wide, or,
wider, when it is shown unscaled in a box that scrolls (so a browser never shrinks its text).
Sizes are Graphviz's points: 1 pt = 4/3 px at 96 dpi; a ``width`` attribute that differs from the
viewBox (``draw_dot(..., scale=)``) scales the text with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograd import Value
from viz import draw_dot

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DOC_IMAGES = sorted((ROOT / "docs" / "images").glob("*.svg"))
MIN_TEXT_PX, MAX_WIDTH_PX = 10.0, 1200.0
PX_PER_PT = 4 / 3

_SVG = re.compile(r'<svg\b([^>]*)>')


def graph_svgs(text: str) -> list[tuple[str, bool]]:
    """Each top-level Graphviz SVG in an output or file, and whether it is shown unscaled in a scrolling box."""
    found = []
    for match in _SVG.finditer(text):
        attributes = match.group(1)
        if 'width="' not in attributes or "pt\"" not in attributes:  # nested pieces of a stacked picture
            continue
        end = text.find("</svg>", match.end())
        body = text[match.start():end]
        if "graph" not in body[:2000]:  # a Graphviz picture: <g id="graph0" class="graph">
            continue
        before = text[max(0, match.start() - 120):match.start()]
        scrolls = "overflow-x:auto" in before and "max-width:none" in attributes
        found.append((text[match.start():], scrolls))
    return found


def readable(svg: str, scrolls: bool) -> str:
    """'' when ``svg`` (starting at its <svg>) passes, else why not."""
    head = _SVG.match(svg).group(1)
    width_pt = float(re.search(r'width="([0-9.]+)pt"', head).group(1))
    view_width = float(re.search(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+)', head).group(1))
    zoom = width_pt / view_width
    sizes = [float(s) for s in re.findall(r'<text[^>]*font-size="([0-9.]+)"', svg)]
    smallest = min(sizes) * PX_PER_PT * zoom if sizes else MIN_TEXT_PX
    width_px = width_pt * PX_PER_PT
    if smallest < MIN_TEXT_PX:
        return f"text of {smallest:.1f} px"
    if width_px > MAX_WIDTH_PX and not scrolls:
        return f"{width_px:.0f} px wide, shown without a scrollbar (a browser shrinks it to the page)"
    return ""


def notebook_pictures(path: Path) -> list[tuple[str, str, bool]]:
    nb = nbformat.read(path, as_version=4)
    pictures = []
    for number, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            shown = data.get("text/html") or data.get("image/svg+xml") or ""  # what a notebook viewer shows
            shown = "".join(shown) if isinstance(shown, list) else shown
            for svg, scrolls in graph_svgs(shown):
                pictures.append((f"{path.name} cell {number}", svg, scrolls))
    return pictures


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_graph_picture_in_a_notebook_is_readable(path):
    problems = [f"{where}: {why}" for where, svg, scrolls in notebook_pictures(path) if (why := readable(svg, scrolls))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", DOC_IMAGES, ids=[p.name for p in DOC_IMAGES])
def test_every_graph_picture_in_the_docs_is_readable_at_natural_size(path):
    # an image in a README is shown in an <img>, which never scrolls: it must fit
    for svg, _ in graph_svgs(path.read_text(encoding="utf-8")):
        assert readable(svg, scrolls=False) == ""


def test_the_pictures_are_checked_at_all():
    assert sum(len(notebook_pictures(p)) for p in NOTEBOOKS) >= 5 and DOC_IMAGES


def test_the_check_catches_small_text_and_wide_pictures_without_a_scrollbar():
    x = Value(0.5, label="x")
    h = x
    for _ in range(12):
        h = h.sigmoid()
    h.backward()
    wide = draw_dot(h, "LR")  # a strip about 2,700 px wide
    [(svg, scrolls)] = graph_svgs(wide.to_svg())
    assert not scrolls and "wide" in readable(svg, scrolls)
    [(svg, scrolls)] = graph_svgs(wide.to_html())
    assert scrolls and readable(svg, scrolls) == ""  # unscaled, in a box that scrolls
    [(svg, scrolls)] = graph_svgs(draw_dot(h, "LR", scale=0.5).to_html())
    assert "text of" in readable(svg, scrolls)
    [(svg, scrolls)] = graph_svgs(draw_dot(h).to_svg())  # the automatic layout fits the page
    assert readable(svg, scrolls) == ""
