"""Local servers for the browser tests (JupyterLab, Voila): started on 127.0.0.1 with a free port
and a token the test makes, and stopped whatever happens; and a browser context that allows no
request leaving that server."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from browser_helpers import ARTEFACTS

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_token() -> str:
    return secrets.token_hex(16)


def quiet_environment(home: Path) -> dict[str, str]:
    """A server's environment: this checkout importable, Jupyter's user files in ``home``."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        HOME=str(home),
        IPYTHONDIR=str(home / "ipython"),
        MPLBACKEND="Agg",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def server(
    command: list[str], url: str, env: dict[str, str], log: Path, timeout: float = 180
) -> Iterator[subprocess.Popen]:
    """Run ``command`` (its own process group) until ``url`` answers; stop it (SIGINT, then kill)
    at the end."""
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for(url, process, timeout, log)
            yield process
        finally:
            stop(process)


def wait_for(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server stopped (exit {process.returncode}): {log.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"no answer from {url} in {timeout} s: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen, grace: float = 20) -> int:
    """Ask the process group to stop (as Ctrl-C does), then kill it if it does not."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(grace)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    return process.returncode


def local_only(context: object, origin: str, outside: list[str]) -> None:
    """Let the browser reach ``origin`` (and data:/blob: URLs) only: anything else is recorded and
    refused."""

    def route(route: object) -> None:
        url = route.request.url
        if url.startswith((origin, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", route)


@contextmanager
def local_page(browser: object, origin: str, name: str, width: int = 1300) -> Iterator[object]:
    """A page that may reach only ``origin``; afterwards its screenshot ``name``, and a failure if
    it asked for anything from elsewhere or raised an uncaught error."""
    context = browser.new_context(viewport={"width": width, "height": 1000})
    outside: list[str] = []
    errors: list[str] = []
    local_only(context, origin, outside)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        screenshot(page, name)
        context.close()
    assert not outside, f"requests left the server: {outside[:5]}"
    assert not errors, errors


def screenshot(page: object, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


PYTHON = sys.executable
