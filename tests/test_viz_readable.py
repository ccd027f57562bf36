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


# ---------------------------------------------------------------- labels fit their boxes


def text_width(text: str, size: float, font, shrink: float = 1.0) -> float:
    """Width in pt of ``text`` at ``size`` pt (times ``shrink``) in ``font`` (FreeType's advance widths)."""
    from matplotlib.ft2font import LoadFlags

    font.set_size(size * shrink, 72)
    font.set_text(text, 0.0, flags=LoadFlags.NO_HINTING)  # outlines as resvg draws them, not hinted to pixels
    return font.get_width_height()[0] / 64


def overflowing_labels(svg: str, font, shrink: float = 1.0) -> list[str]:
    """Every text of a node wider than the field of its box (record fields, ellipse, polygon) it sits in."""
    import html

    problems = []
    for group in re.findall(r'<g id="[^"]*" class="node">(.*?)</g>', svg, flags=re.S):
        bounds = None
        if polygon := re.search(r'<polygon [^>]*points="([^"]+)"', group):
            xs = [float(p.split(",")[0]) for p in polygon.group(1).split()]
            bounds = (min(xs), max(xs))
        elif ellipse := re.search(r'<ellipse [^>]*cx="([-0-9.]+)"[^>]*rx="([0-9.]+)"', group):
            cx, rx = map(float, ellipse.groups())
            bounds = (cx - rx, cx + rx)
        if bounds is None:
            continue
        separators = []  # vertical field separators: (x, y from, y to)
        for points in re.findall(r'<polyline [^>]*points="([^"]+)"', group):
            (x1, y1), (x2, y2) = ([float(v) for v in p.split(",")] for p in points.split()[:2])
            if abs(x1 - x2) < 0.01:
                separators.append((x1, min(y1, y2), max(y1, y2)))
        for x, y, size, text in re.findall(r'<text [^>]*x="([-0-9.]+)" y="([-0-9.]+)"[^>]*font-size="([0-9.]+)">'
                                           r'([^<]*)</text>', group):
            x, y, size, text = float(x), float(y), float(size), html.unescape(text)
            middle = y - size / 3
            edges = [bounds[0], bounds[1]] + [sx for sx, top, bottom in separators if top <= middle <= bottom]
            left = max(e for e in edges if e <= x + 0.01)
            right = min(e for e in edges if e >= x - 0.01)
            width = text_width(text, size, font, shrink)
            if width > right - left - 1.0:
                problems.append(f"{text!r}: {width:.1f} pt in a field of {right - left:.1f} pt")
    return problems


def labelled_pictures():
    import nn
    from viz import backprop_steps
    from viz.examples import neuron

    o, params = neuron()
    model = nn.MLP(2, [4, 4, 1], seed=0)
    loss = nn.losses.mse([model(x) for x in [[0.5, -1.0], [1.5, 0.3]]], [1.0, -1.0])
    loss.backward()
    x = Value(-123456.789, label="a long label, with spaces")
    y = (x * 1e-7).leaky_relu(0.1) - 2.5e-9
    y.backward()
    return {
        "neuron": draw_dot(o, params=params, legend=True, local_grads=True),
        "shaded": draw_dot(o, params=params, shade_grad=True),
        "hidden": draw_dot(o, hide="grad"),
        "step": backprop_steps(o)[3].picture,
        "matrix": draw_dot(loss, collapse=model, collapse_level="matrix"),
        "neurons": draw_dot(loss, collapse=model, collapse_level="neuron"),
        "numbers": draw_dot(y, local_grads=True),
        "summary": draw_dot(loss, max_nodes=10),
    }


@pytest.mark.parametrize("backend", ["wasm", pytest.param("dot", marks=pytest.mark.skipif(
    __import__("shutil").which("dot") is None, reason="Graphviz `dot` not installed"))])
@pytest.mark.parametrize("face", ["installed", "dejavu"])
def test_labels_fit_their_boxes_in_the_font_a_png_uses(backend, face, monkeypatch):
    """Measured with FreeType in the face the PNG uses here, and in matplotlib's DejaVu Sans (what it
    uses on a machine without a face of Arial's metrics)."""
    import matplotlib
    from matplotlib.ft2font import FT2Font

    from viz import rendering

    if face == "dejavu":
        dejavu = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
        monkeypatch.setattr(rendering, "png_font", lambda: (dejavu, rendering.DEJAVU_SHRINK))
    path, shrink = rendering.png_font()
    font = FT2Font(path)
    problems = []
    for name, picture in labelled_pictures().items():
        picture.backend = backend
        problems += [f"{name}: {p}" for p in overflowing_labels(picture.to_svg(), font, shrink)]
    assert not problems, "\n".join(problems)


def test_the_fit_check_finds_a_label_too_wide_for_its_box():
    from matplotlib.ft2font import FT2Font

    svg = ('<g id="node1" class="node"><polygon points="0,0 0,-30 40,-30 40,0 0,0"/>'
           '<text text-anchor="middle" x="20" y="-10" font-family="Helvetica" font-size="11.00">data 2.0000</text></g>')
    from viz.rendering import png_font

    font = FT2Font(png_font()[0])
    assert overflowing_labels(svg, font)
    assert not overflowing_labels(svg.replace("40,", "90,").replace('x="20"', 'x="45"'), font)
