"""Build the teaching notebooks from their sources, run them, and save them with outputs.

Each notebook is written as a plain Python file in ``notebooks/src/`` in the "percent" format
that Jupytext, VS Code and Spyder understand: a line ``# %%`` starts a code cell and
``# %% [markdown]`` a Markdown cell whose lines are comments (``# `` is stripped). Text before the
first marker is a note for maintainers and is not part of the notebook. As in Jupytext, an IPython
magic is commented out in the source (``# %matplotlib inline``) and becomes a magic in the notebook.

    python notebooks/_build.py                  # every notebook
    python notebooks/_build.py 01 08            # only those whose name starts with 01 or 08

The notebook is executed top to bottom in a fresh ``python3`` kernel (nbclient) from the
``notebooks/`` folder and written next to this file as ``<name>.ipynb``, outputs included, so it
reads well on a code host. ``tests/test_notebooks.py`` runs every committed notebook again and
checks that it still matches its source.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from traitlets import default

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
KERNEL = "python3"
CELL_TIMEOUT = 120  # seconds; a whole notebook should take well under a minute

_MAGIC = re.compile(r"# %[a-z]")
_KERNELSPEC = {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"}


def read_cells(source: Path) -> list[tuple[str, str]]:
    """The (kind, text) cells of a percent-format file; kind is "markdown" or "code"."""
    cells: list[tuple[str, list[str]]] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                line = line[2:] if line.startswith("# ") else line.lstrip("#")
            elif _MAGIC.match(line):  # "# %matplotlib inline" in the source, a magic in the notebook
                line = line[2:]
            lines.append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells if "".join(lines).strip()]


def notebook_from_source(source: Path) -> nbformat.NotebookNode:
    """An unexecuted notebook with the cells of ``source``."""
    make = {"markdown": new_markdown_cell, "code": new_code_cell}
    nb = new_notebook(cells=[make[kind](text) for kind, text in read_cells(source)])
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:2]}-{i:02d}"  # stable ids: a rebuild changes only what changed
    nb.metadata["kernelspec"] = dict(_KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


class _ThisPythonSpecs(KernelSpecManager):
    """Every kernel name means ipykernel in *this* interpreter, whatever other kernelspecs are installed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        from ipykernel.kernelspec import RESOURCES, get_kernel_dict

        return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())


class ThisPythonKernel(AsyncKernelManager):
    """A kernel manager that starts ``python -m ipykernel_launcher`` with ``sys.executable``.

    A user-level "python3" kernelspec (say, from another Python) would otherwise take precedence
    over the one of the environment that runs the build or the tests.
    """

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return _ThisPythonSpecs()


def execute(nb: nbformat.NotebookNode, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel from the notebooks folder; raise at the first failing cell."""
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL, kernel_manager_class=ThisPythonKernel, record_timing=False,
        resources={"metadata": {"path": str(HERE)}},
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _merge_adjacent_streams(cell.outputs)
    return nb


def _merge_adjacent_streams(outputs: list) -> list:
    """Join stream outputs that follow each other (same stream), however the kernel split the text
    into messages, so that a rebuild diffs only where the printed text changed. (nbclient's own
    ``coalesce_streams`` also joins across a picture in between, which would reorder the outputs.)"""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def build(source: Path) -> float:
    """Execute the notebook of ``source`` and save it with outputs; return the seconds it took."""
    start = time.perf_counter()
    nb = execute(notebook_from_source(source))
    nb.metadata["kernelspec"] = dict(_KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{source.stem}.ipynb")
    return time.perf_counter() - start


def main(prefixes: list[str]) -> None:
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    chosen = [s for s in sources if not prefixes or any(s.stem.startswith(p) for p in prefixes)]
    if not chosen:
        sys.exit(f"_build.py: no notebook source in {SOURCES} matches {prefixes}")
    for source in chosen:
        print(f"{source.stem}: {build(source):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
