"""The output directory of ``chainrule train`` and ``chainrule demo``: made before a run, taken
back if the run fails before writing anything into it."""

from __future__ import annotations

from pathlib import Path

from .errors import TrainingError


def make_output_directory(out: Path) -> list[Path]:
    """Create the output directory ``out`` (and its parents); TrainingError if that cannot be done.
    Returns the directories it created, innermost first (``remove_if_empty`` takes them back)."""
    if out.exists() and not out.is_dir():
        raise TrainingError(f"--out {str(out)!r} is a file, not a directory")
    created = [path for path in (out, *out.parents) if not path.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TrainingError(f"--out: cannot create the directory {str(out)!r}: "
                            f"{error.strerror or error}") from None
    return created


def remove_if_empty(created: list[Path]) -> None:
    """Remove the directories a failed run created, innermost first, as long as they are empty."""
    for path in created:
        try:
            path.rmdir()
        except OSError:  # not empty (or already gone): leave it, and its parents
            return
