"""Escaping user text (a Value's label, a module's name) for a Graphviz record label.

Graphviz gives special meaning to several characters, so a label is rewritten before it goes
into the DOT text, in this order:

* control characters, lone surrogates and non-characters, which are not allowed in XML (so an
  SVG holding them would not parse), become U+FFFD; tabs become spaces; CR LF becomes LF;
* ``&`` becomes ``&amp;``: Graphviz turns entities such as ``&alpha;`` into characters;
* ``\\`` becomes ``\\\\``: backslash starts an escape such as ``\\n`` or ``\\N`` (the node's name);
* ``{ } | < >`` get a backslash: in a record label they make fields and ports;
* a newline becomes Graphviz's line break ``\\n``; blanks and newlines at the start are dropped
  (they would show only as empty lines, and WebAssembly Graphviz 0.1.4 traps on some record fields
  that start with a line break: ``"\\n00000&\"0000000&&"``, found by tests/test_viz_labels.py).

Double quotes are escaped by the ``graphviz`` package when it quotes the attribute, and the
result is marked ``nohtml`` so a label such as ``<b>`` is never read as an HTML label.
"""

from __future__ import annotations

import re
import unicodedata

from graphviz import nohtml

_RECORD_SPECIAL = re.compile(r"([{}|<>])")
REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD (tabs by spaces)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(REPLACEMENT if _unsafe(ch) else ch for ch in text)


def _unsafe(ch: str) -> bool:
    if ch == "\n":
        return False
    if ch in "\ufffe\uffff":
        return True
    return unicodedata.category(ch) in ("Cc", "Cs")


def record_field(text: str) -> str:
    """``text`` escaped to sit inside one field of a record label (see the module docstring)."""
    text = xml_safe(text).lstrip(" \n").replace("&", "&amp;").replace("\\", "\\\\")
    text = _RECORD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\n", "\\n")


def record(*fields: str, across: bool = True) -> str:
    """A record label from already escaped fields, side by side when ``across`` (else stacked).

    Records flip with the layout: in a left-to-right graph, fields in braces ``{ a | b }``
    sit side by side; in a top-to-bottom graph, fields without braces do.
    """
    body = " | ".join(fields)
    return nohtml("{ " + body + " }" if across else body)


def stacked_record(head: list[str], stacked: list[str], across: bool = True) -> str:
    """A record label: the ``head`` fields side by side, then the ``stacked`` ones one above the
    other (``x | data / grad``: half as wide as all side by side). Fields already escaped."""
    inner = "{ " + " | ".join(stacked) + " }"
    body = " | ".join([*head, inner])
    return nohtml("{ " + body + " }" if across else body)


def plain(text: str) -> str:
    """``text`` escaped for an ordinary (non-record) label."""
    return nohtml(record_field(text))
