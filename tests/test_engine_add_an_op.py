"""Adding an operation is one entry: ``sin`` added to a copy of the table, as the README shows.

The ``autograd`` package is copied to a temporary directory; its rules.py gets the README's
lines for ``sin`` (two one-line functions and one entry of ``RULES``) and its primitives.py the
primitives ``sin`` and ``cos``. Nothing else is edited. A fresh Python, with the copy first on its
path (and the real tree's ``viz``), then checks ``Value(0.5).sin()`` and its first two
derivatives against math.sin and math.cos, the replay of ``autograd.compile`` against numpy,
the picture, the explorer's formula and the command line's parser.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

PRIMITIVES = '''

def sin(x: Any) -> Any:
    """sin x."""
    if type(x) is _float:
        return math.sin(x)
    if isinstance(x, _ndarray):
        return np.sin(x)
    return x.sin()


def cos(x: Any) -> Any:
    """cos x (on a Value: sin(x + pi/2), so that its derivative is recorded with sin's rule)."""
    if type(x) is _float:
        return math.cos(x)
    if isinstance(x, _ndarray):
        return np.cos(x)
    return (x + math.pi / 2).sin()
'''

CHECK = r'''
import math, sys
import numpy as np
import autograd
from autograd import Value, grad
from viz import draw_dot
from viz.expression import FUNCTIONS, evaluate
from viz.interactive.graph_data import graph_data

assert autograd.__file__.startswith(sys.argv[1]), autograd.__file__  # the copy, not the tree
x = Value(0.5, label="x")
y = x.sin()
y.backward()
assert y.op == "sin" and y.data == math.sin(0.5), y
assert abs(x.grad - math.cos(0.5)) <= 1e-16, x.grad
assert abs(grad(grad(lambda v: v.sin()))(0.5) + math.sin(0.5)) <= 1e-15  # through cos on Values

w = Value(1.5, label="w")
compiled = autograd.compile(lambda v: (v[0] * w).sin(), 1, [w])
X = np.array([[-2.0], [0.1], [0.5], [3.0]])
out, dw = compiled.value_and_grad(X)
assert np.allclose(out, np.sin(1.5 * X[:, 0]), rtol=1e-15, atol=0), out
assert np.isclose(dw[0], np.sum(X[:, 0] * np.cos(1.5 * X[:, 0])), rtol=1e-14, atol=0), dw

assert "v1_op [label=sin " in draw_dot(y, legend=False).source
explained = [n for n in graph_data(y)["nodes"].values() if n["op"] == "sin"]
assert explained[0]["rule"] == "d(sin x) = cos(x) dx", explained
assert "sin" in FUNCTIONS
parsed = evaluate("sin(x) * 2", {"x": Value(0.5, label="x")})
assert parsed.parents[0].op == "sin" and parsed.data == 2 * math.sin(0.5)
print("sin: one entry")
'''


def readme_lines_for_sin() -> list[str]:
    """The code lines of the README's walk-through of adding ``sin`` (its rules.py part)."""
    block = re.search(r"Adding an operation.*?```py\n(.*?)```", README, re.DOTALL)
    assert block, "the README's How it works shows how to add sin"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_adding_sin_to_a_copy_of_the_table_reaches_every_place(tmp_path):
    copy = tmp_path / "autograd"
    shutil.copytree(ROOT / "autograd", copy, ignore=shutil.ignore_patterns("__pycache__"))
    primitives = copy / "primitives.py"
    primitives.write_text(primitives.read_text(encoding="utf-8") + PRIMITIVES, encoding="utf-8")

    lines = readme_lines_for_sin()
    functions = [line for line in lines if line.startswith("def ")]
    entry = [line for line in lines if line.startswith("    sin=")]
    assert len(functions) == 2 and len(entry) == 1, lines
    rules = copy / "rules.py"
    text = rules.read_text(encoding="utf-8")
    before = text.count("sin_vjp")
    imports = "from .primitives import (\n"
    text = text.replace(imports, imports + "    cos,\n    sin,\n", 1)
    text = text.replace("\n\ndef _seq(", "\n" + "\n".join(functions) + "\n\n\ndef _seq(")
    text = text.replace("\n    dot=", "\n" + entry[0] + "\n    dot=")
    assert text.count("sin_vjp") == before + 2
    rules.write_text(text, encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "sin: one entry"


def test_the_shipped_table_has_no_sin():
    import autograd

    assert "sin" not in autograd.RULES and not hasattr(autograd.Value, "sin")
