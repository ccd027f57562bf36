"""Every teaching notebook runs top to bottom in a fresh kernel, and matches its source.

The notebooks cite the derivations D1..D11 of docs/derivations.md; each one asserts that the
engine agrees with the hand formula, so a failing cell here means a derivation (or the code it
exercises) broke. They are executed with nbclient in a fresh ``python3`` kernel (ipykernel in
the current environment), one notebook per test, with a time limit per cell.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _load_builder():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_notebooks_run_in_a_kernel_of_this_interpreter():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    build.execute(nb, timeout=60)
    assert nb.cells[0].outputs[0].text.strip() == sys.executable


def test_every_source_has_a_committed_notebook_and_back():
    sources = {p.stem for p in build.SOURCES.glob("[0-9][0-9]_*.py")}
    notebooks = {p.stem for p in PATHS}
    assert sources, "no notebook sources found in notebooks/src"
    assert sources == notebooks, f"notebook without source: {notebooks - sources}; not built: {sources - notebooks}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_matches_its_source(path: Path):
    # the committed .ipynb was built from the current source (run `python notebooks/_build.py <NN>`)
    committed = nbformat.read(path, as_version=4)
    expected = build.read_cells(build.SOURCES / f"{path.stem}.py")
    assert [(c.cell_type, c.source) for c in committed.cells] == expected


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # run the code, not the stored outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    try:
        build.execute(nb)
    except Exception as error:  # nbclient's CellExecutionError carries the cell and traceback
        pytest.fail(f"{path.name}: a cell failed in a fresh kernel:\n{error}", pytrace=False)
    executed = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in executed), f"{path.name}: not every code cell ran"
    errors = [o for c in executed for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: error outputs {errors}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_committed_with_outputs_of_one_clean_run(path: Path):
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), (
        f"{path.name}: re-run it top to bottom with `python notebooks/_build.py {path.stem[:2]}` before committing"
    )



def test_every_derivation_has_a_page_entry_and_a_checked_notebook_section():
    page = (NOTEBOOKS.parent / "docs" / "derivations.md").read_text(encoding="utf-8")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in build.SOURCES.glob("[0-9][0-9]_*.py")}
    for n in range(1, 12):
        tag = f"D{n}"
        assert f"## {tag}." in page, f"docs/derivations.md has no section {tag}"
        citing = [name for name, text in texts.items() if f"{tag}:" in text or f"({tag})" in text]
        assert citing, f"no notebook has a section on {tag}"
        assert any("assert " in texts[name] for name in citing), f"no notebook checks {tag} with an assert"


def test_derivations_page_cites_tests_and_notebooks_that_exist():
    root = NOTEBOOKS.parent
    page = (root / "docs" / "derivations.md").read_text(encoding="utf-8")
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (root / "tests").glob("test_*.py"))
    cited = set(re.findall(r"`(test_\w+)`", page))
    assert cited, "docs/derivations.md cites no tests"
    assert not [name for name in cited if f"def {name}(" not in tests], "docs/derivations.md cites missing tests"
    linked = set(re.findall(r"\(\.\./notebooks/(\w+\.ipynb)\)", page))
    assert linked and all((NOTEBOOKS / name).exists() for name in linked)
