"""The progress bar of a training run: tqdm in a terminal or a notebook, nothing in a log file."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def progress_bar(total: int, progress: bool) -> Any:
    """A tqdm bar of ``total`` steps in a terminal or a notebook, else None."""
    if not progress:
        return None
    if in_notebook():
        try:
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm(total=total, desc="fit", unit="step")
        except ImportError:  # no ipywidgets: a text bar still works in a notebook
            return tqdm(total=total, desc="fit", unit="step", file=sys.stderr)
    if sys.stderr is not None and sys.stderr.isatty():
        return tqdm(total=total, desc="fit", unit="step", file=sys.stderr)
    return None


def in_notebook() -> bool:
    """Whether we run in a Jupyter kernel (Colab's ``Shell`` is a subclass of ipykernel's shell)."""
    ipython = sys.modules.get("IPython")  # only look if IPython is already running
    get_ipython = getattr(ipython, "get_ipython", None)
    if get_ipython is None:
        return False
    shell = get_ipython()
    try:
        from ipykernel.zmqshell import ZMQInteractiveShell
    except ImportError:
        return type(shell).__name__ == "ZMQInteractiveShell"
    return isinstance(shell, ZMQInteractiveShell)
