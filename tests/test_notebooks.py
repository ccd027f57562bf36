"""Every teaching notebook runs top to bottom in a fresh kernel, matches its source, and prints
what its committed outputs show (so a stale notebook fails, not only a broken one).

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


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # a default repr: differs from run to run
_PICTURES = ("image/", "text/html", "text/latex")
_ROUNDOFF = re.compile(r"\b\d(?:\.\d)?e-(?:1[3-9]|[2-9]\d)\b")
"""A difference printed as ``6.9e-18`` (one digit, below 1e-12): two computations of one number agreeing
to roundoff. Its digits depend on the CPU's numpy kernels (BLAS, SIMD), so it is compared as a word."""


def _text(text: str) -> str:
    return _ROUNDOFF.sub("(roundoff)", text)


def comparable_outputs(cell) -> list[tuple[str, str]]:
    """What a code cell printed and returned, as text: stdout and stderr (each joined over the run,
    however the kernel split it into messages) and the text/plain of results that are not pictures.

    Pictures (PNG, SVG) and HTML are left out: they are not byte-stable across library versions.
    A text/plain repr with a memory address (``<... at 0x7f...>``) is left out too. A roundoff-sized
    difference (``max |matrix - engine| = 6.9e-18``) is compared as the word ``(roundoff)``: the
    notebook asserts its bound, and its last digits change with the machine's numpy kernels. No
    notebook prints a duration, so nothing else needs normalising.
    """
    streams: dict[str, str] = {}
    results = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            streams[output.name] = streams.get(output.name, "") + _text(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            if any(mime.startswith(_PICTURES) for mime in data) or "text/plain" not in data:
                continue
            if not _ADDRESS.search(data["text/plain"]):
                results.append((output.output_type, _text(data["text/plain"])))
        elif output.output_type == "error":
            results.append(("error", f"{output.ename}: {output.evalue}"))
    return sorted(streams.items()) + results


def output_differences(committed, fresh) -> list[str]:
    """One line per code cell whose comparable outputs differ between two runs of a notebook."""
    differences = []
    pairs = zip([c for c in committed.cells if c.cell_type == "code"],
                [c for c in fresh.cells if c.cell_type == "code"], strict=True)
    for i, (old, new) in enumerate(pairs, start=1):
        if comparable_outputs(old) != comparable_outputs(new):
            differences.append(f"code cell {i} ({old.source.splitlines()[0][:60]!r}):\n"
                               f"  committed: {comparable_outputs(old)!r}\n  fresh run: {comparable_outputs(new)!r}")
    return differences


def run_fresh(path: Path):
    """The notebook at ``path`` executed again in a fresh kernel, its stored outputs cleared first."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # run the code, not the stored outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    try:
        build.execute(nb)
    except Exception as error:  # nbclient's CellExecutionError carries the cell and traceback
        pytest.fail(f"{path.name}: a cell failed in a fresh kernel:\n{error}", pytrace=False)
    return nb


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom_and_reproduces_its_committed_outputs(path: Path):
    nb = run_fresh(path)
    executed = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in executed), f"{path.name}: not every code cell ran"
    errors = [o for c in executed for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: error outputs {errors}"
    # the printed numbers in the committed notebook are the ones the current code prints
    differences = output_differences(nbformat.read(path, as_version=4), nb)
    assert not differences, (
        f"{path.name}: committed outputs are stale; rebuild with `python notebooks/_build.py {path.stem[:2]}`:\n"
        + "\n".join(differences)
    )


def test_a_stale_committed_output_is_caught(tmp_path: Path):
    # a committed notebook whose printed text no longer matches what its code prints
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print(6 * 7)"),
        nbformat.v4.new_code_cell("6 * 7"),
        nbformat.v4.new_code_cell("object()"),  # a repr with an address: never compared
    ])
    build.execute(nb, timeout=60)
    committed = nbformat.from_dict(nbformat.v4.new_notebook(cells=[dict(c) for c in nb.cells]))
    assert output_differences(committed, nb) == []
    committed.cells[0].outputs[0].text = "41\n"
    committed.cells[1].outputs[0].data["text/plain"] = "41"
    differences = output_differences(committed, nb)
    assert [d.split(" (")[0] for d in differences] == ["code cell 1", "code cell 2"]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_committed_with_outputs_of_one_clean_run(path: Path):
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), (
        f"{path.name}: re-run it top to bottom with `python notebooks/_build.py {path.stem[:2]}` before committing"
    )



def derivation_sections(cells: list[tuple[str, str]], tag: str) -> list[str]:
    """The code of each notebook section whose heading names ``tag`` (D1..D11): the code cells from
    that Markdown heading up to the next heading of the same or a higher level."""
    names_tag = re.compile(rf"\b{tag}\b")
    sections: list[str] = []
    level, code = 0, None  # the open section: its heading level and its code so far
    for kind, text in cells:
        if kind == "code":
            if code is not None:
                code.append(text)
            continue
        for line in text.splitlines():
            heading = re.match(r"(#+)\s", line)
            if not heading:
                continue
            if code is not None and len(heading.group(1)) <= level:
                sections.append("\n".join(code))
                code = None
            if code is None and names_tag.search(line):
                level, code = len(heading.group(1)), []
    if code is not None:
        sections.append("\n".join(code))
    return sections


def test_derivation_sections_are_cut_at_the_next_heading():
    cells = [("markdown", "## D1: forward\n### detail"), ("code", "assert x"), ("markdown", "## D10: more"),
             ("code", "y = 1"), ("markdown", "# Other (D1)"), ("code", "z = 2")]
    assert derivation_sections(cells, "D1") == ["assert x", "z = 2"]
    assert derivation_sections(cells, "D10") == ["y = 1"]
    assert derivation_sections(cells, "D2") == []


def test_every_derivation_has_a_page_entry_and_a_checked_notebook_section():
    page = (NOTEBOOKS.parent / "docs" / "derivations.md").read_text(encoding="utf-8")
    cells = {p.stem: build.read_cells(p) for p in build.SOURCES.glob("[0-9][0-9]_*.py")}
    for n in range(1, 16):  # D1-D11 of the notes, D12-D15 of the GPT (notebook 10)
        tag = f"D{n}"
        assert f"## {tag}." in page, f"docs/derivations.md has no section {tag}"
        sections = {name: derivation_sections(c, tag) for name, c in cells.items()}
        sections = {name: found for name, found in sections.items() if found}
        assert sections, f"no notebook has a section on {tag} (a Markdown heading that names it)"
        unchecked = [name for name, found in sections.items() for code in found if "assert " not in code]
        assert not unchecked, f"a section on {tag} in {unchecked} checks nothing with an assert"


def test_derivations_page_cites_tests_and_notebooks_that_exist():
    root = NOTEBOOKS.parent
    page = (root / "docs" / "derivations.md").read_text(encoding="utf-8")
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (root / "tests").glob("test_*.py"))
    cited = set(re.findall(r"`(test_\w+)`", page))
    assert cited, "docs/derivations.md cites no tests"
    assert not [name for name in cited if f"def {name}(" not in tests], "docs/derivations.md cites missing tests"
    linked = set(re.findall(r"\(\.\./notebooks/(\w+\.ipynb)\)", page))
    assert linked and all((NOTEBOOKS / name).exists() for name in linked)
