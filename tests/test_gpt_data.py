"""The names data set shipped for the GPT: the file's SHA-256, its size and its first and last names."""

import hashlib
from pathlib import Path

import nn
from nn.names import NAMES_SHA256, names_bytes

SHARED = Path("/work/shared/data/names.txt.sha256")


def test_shipped_names_have_makemores_sha256():
    digest = hashlib.sha256(names_bytes()).hexdigest()
    assert digest == NAMES_SHA256 == "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"
    if SHARED.exists():  # the copy the project was given, with its recorded hash
        assert SHARED.read_text().split()[0] == digest


def test_names_count_alphabet_and_order():
    names = nn.load_names()
    assert len(names) == 32033 and len(set(names)) == 29494
    assert names[:3] == ["emma", "olivia", "ava"] and names[-1] == "zzyzx"
    assert set("".join(names)) == set("abcdefghijklmnopqrstuvwxyz")
    assert min(map(len, names)) == 2 and max(map(len, names)) == 15


def test_load_names_returns_a_fresh_list():
    names = nn.load_names()
    names.reverse()
    assert nn.load_names()[0] == "emma"
