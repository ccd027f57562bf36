"""Self-contained HTML: the explorer (and the training replay) as one file that works offline.

A page is the Graphviz SVG inline, the numbers as JSON in a ``<script type="application/json">``,
and the JavaScript and styles of ``static/`` inlined: no CDN, no network, no ids (so any number
of explorers fit on one notebook page). Where scripts do not run (a notebook on a code host,
an untrusted notebook) the SVG is still there: the static picture.
"""

from __future__ import annotations

import functools
import html
import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from autograd.files import write_atomic


@functools.cache
def asset(name: str) -> str:
    """The text of ``viz/interactive/static/<name>`` (package data)."""
    return resources.files("viz.interactive").joinpath("static", name).read_text(encoding="utf-8")


# in this order: pan and zoom, practice, the side panes, the toolbar, the explorer (crMount) using
# them, and where it starts (crBoot, crWidget)
EXPLORER_SCRIPTS = ("explorer_view.js", "explorer_practice.js", "explorer_panes.js",
                    "explorer_toolbar.js", "explorer.js", "explorer_boot.js")


def explorer_script() -> str:
    """The explorer's JavaScript: pan and zoom, practice, then the explorer itself (``crMount``)."""
    return "\n".join(asset(name) for name in EXPLORER_SCRIPTS)


def json_for_html(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element (no ``</script>``, no
    ``<!--``)."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def inline_svg(svg: str) -> str:
    """Graphviz's SVG without its XML prolog and DOCTYPE, to sit inside HTML."""
    return svg[svg.find("<svg"):]


def script(code: str) -> str:
    """An inline ``<script>``; the code must not close the element early."""
    if "</script" in code.lower():
        raise ValueError("inline script contains '</script'")
    return f"<script>{code}</script>"


def explorer_fragment(svg: str, graph: dict[str, Any]) -> str:
    """The explorer as an HTML fragment (styles, SVG, data and script; boots itself)."""
    return (
        f'<div class="cr-explorer"><style>{asset("explorer.css")}</style>'
        f'<div class="cr-graph">{inline_svg(svg)}</div>'
        '<p class="cr-static-note">A static picture: open this in a browser (or trust the '
        "notebook) to click nodes, step through backward and practise.</p>"
        f'<script type="application/json" class="cr-data">{json_for_html(graph)}</script></div>'
        + script(f"(function(){{{explorer_script()}\n"
                 "crBoot(document.currentScript.previousElementSibling);})();")
    )


def document(title: str, body: str) -> str:
    """A whole HTML document around ``body``."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


class Page:
    """An HTML fragment that shows itself in a notebook (``text/html``, with an SVG fallback) and
    ``.save(path)`` writes as a whole page."""

    def __init__(self, fragment: str, title: str, svg: str | None = None) -> None:
        self.fragment = fragment
        self.title = title
        self.svg = svg

    def to_html(self) -> str:
        """The whole page: one file, everything inline."""
        return document(self.title, self.fragment)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (a .html file, written atomically)."""
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError("save: the explorer is saved as HTML; use a .html name, got "
                             f"{str(path)!r}")
        return write_atomic(path, self.to_html().encode("utf-8"))

    def _repr_html_(self) -> str:
        return self.fragment

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        bundle = {"text/html": self.fragment, "text/plain": repr(self)}
        if self.svg is not None:
            bundle["image/svg+xml"] = self.svg
        return bundle

    def __repr__(self) -> str:
        return f"<viz.explore page {self.title!r}; .save('graph.html') writes it>"


def side_by_side(pictures: Mapping[str, Any], title: str = "side by side") -> Page:
    """Pictures (``viz.Picture``) next to each other, each under its caption: plain HTML and SVG,
    no script, so it shows wherever the notebook is read (``{"wrong": p1, "right": p2}``)."""
    figures = "".join(
        f'<figure style="margin:0"><figcaption style="font:600 13px sans-serif;margin-bottom:4px">'
        f"{html.escape(caption)}</figcaption>{inline_svg(picture.to_svg())}</figure>"
        for caption, picture in pictures.items()
    )
    row = "display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start"
    return Page(f'<div style="{row}">{figures}</div>', title)
