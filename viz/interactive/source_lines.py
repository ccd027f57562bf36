"""The code behind a graph, for the explorer's code pane: the lines that made its nodes.

``autograd.record_source()`` notes, for each node, the file and line that made it. The pane shows
each file's recorded lines in order, with the lines between them when the gap is short
(``CONTEXT``), and ``...`` where it skips; the page marks the line that made the selected node
and the lines of its uses.
"""

from __future__ import annotations

import linecache
import os
from collections.abc import Iterable
from typing import Any

from autograd import Source

CONTEXT = 3  # a gap of at most this many lines between two recorded lines is shown, not skipped
MAX_LINES = 200  # a pane longer than this shows only the recorded lines


def source_data(source: Source | None, keys: dict[str, str]) -> dict[str, str] | None:
    """One node's source for the panel: ``where`` (file:line), its ``text``, and its line's key in
    the pane (``keys``: file -> the pane's key for it, as ``code_lines`` gives them)."""
    if source is None:
        return None
    return {
        "where": f"{shown_name(source.file)}:{source.line}",
        "text": source.text,
        "key": f"{keys[source.file]}:{source.line}",
    }


def file_keys(sources: Iterable[Source]) -> dict[str, str]:
    """Each file's key in the pane, ``f0``, ``f1``, ... in the order first met (``code_lines``)."""
    return {
        file: f"f{i}" for i, file in enumerate(dict.fromkeys(source.file for source in sources))
    }


def shown_name(file: str) -> str:
    """A file's name as the pane shows it: ``cell`` for a notebook cell (IPython's files)."""
    folder, name = os.path.split(file)
    return (
        "cell"
        if os.path.basename(folder).startswith("ipykernel_") or name.startswith("<ipython-")
        else name
    )


def code_lines(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """The pane: per file (in the order first met), its ``key`` (``f0``, ``f1``, ...) and
    ``[line number, text]`` pairs, ``[None, "..."]`` for a skip."""
    by_file: dict[str, set[int]] = {}
    for source in sources:
        by_file.setdefault(source.file, set()).add(source.line)
    pane = []
    for file, recorded in by_file.items():
        wanted = sorted(recorded)
        span = [
            n for a, b in zip(wanted, wanted[1:]) if b - a <= CONTEXT + 1 for n in range(a + 1, b)
        ]
        shown = sorted(set(wanted) | set(span)) if len(wanted) + len(span) <= MAX_LINES else wanted
        lines: list[list[Any]] = []
        for previous, n in zip([None, *shown], shown):
            if previous is not None and n != previous + 1:
                lines.append([None, "..."])
            lines.append([n, linecache.getline(file, n).rstrip()])
        pane.append({"file": shown_name(file), "key": f"f{len(pane)}", "lines": lines})
    return pane
