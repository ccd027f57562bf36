"""The names data set: 32,033 first names, microgpt's and makemore's training data.

``load_names()`` reads ``nn/data/names.txt.gz`` (shipped with the package: no network), one
lowercase name per line, in the file's order. Where it comes from and its licence (MIT, from
karpathy/makemore at commit 988aa59): ``nn/data/PROVENANCE.md``.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

NAMES_FILE = "names.txt.gz"
NAMES_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"
"""SHA-256 of the decompressed file, the same bytes as makemore's ``names.txt``."""


def load_names() -> list[str]:
    """The 32,033 names (29,494 distinct), lowercase a-z, in the file's order (a new list each
    call)."""
    return list(_read_names())


def names_bytes() -> bytes:
    """The decompressed file, exactly as shipped (to check its SHA-256 against ``NAMES_SHA256``)."""
    try:
        with gzip.open(files("nn") / "data" / NAMES_FILE, "rb") as f:
            return f.read()
    except OSError as error:
        raise RuntimeError(
            f"cannot read the bundled dataset nn/data/{NAMES_FILE}: {error}; reinstall chainrule"
        ) from error


@cache
def _read_names() -> tuple[str, ...]:
    text = names_bytes().decode("ascii")
    return tuple(line.strip() for line in text.strip().split("\n") if line.strip())
