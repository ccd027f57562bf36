"""Writing a file atomically: a temporary file beside the target, then one rename.

nn saves models with it and viz pictures, plots and pages; it lives in the lowest layer so that
both import it downwards (tests/test_import_layers.py), and ``import viz`` does not load nn.

``os.replace`` is atomic on one filesystem, so a reader (or a crash half-way) sees either the old
file or the complete new one, never a truncated picture.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes | str, *, make_dirs: bool = False) -> Path:
    """Write ``data`` (bytes, or str as UTF-8) to ``path`` atomically and durably; return the path.

    With ``make_dirs=True`` missing parent directories are created, otherwise a missing
    directory is a FileNotFoundError that names it.
    """
    path = Path(path)
    directory = path.parent
    if make_dirs:
        directory.mkdir(parents=True, exist_ok=True)
    elif not directory.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: the directory {str(directory)!r} "
                                "does not exist")
    if isinstance(data, str):
        data = data.encode("utf-8")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()  # mkstemp makes 0600
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _naming(error, path) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _naming(error, path) from None
        raise
    return path


def _naming(error: OSError, path: Path) -> OSError:
    """``error`` naming ``path`` instead of the temporary file beside it ("Is a directory:
    'g.svg'")."""
    if error.errno is None:  # no errno to rebuild it from: keep it as it is
        return error
    # OSError picks the subclass, e.g. IsADirectoryError
    return OSError(error.errno, error.strerror, str(path))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
