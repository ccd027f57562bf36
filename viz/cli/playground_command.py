"""``chainrule playground [DATASET]``: the live playground in a browser, without Jupyter.

Voila (a well-kept server for notebook apps) serves the bundled notebook
``viz/interactive/playground_app.ipynb``: its kernel runs the Python engine behind the page, as in
JupyterLab. The server listens on 127.0.0.1 only, on a free port (or ``--port``), behind a token
made for this run; the command prints the address, opens it (unless ``--no-browser``) and stops
the server cleanly on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import webbrowser
from importlib import resources
from typing import Any

from .errors import CommandError

DATASETS = ("moons", "circles", "xor", "spirals", "blobs", "plane", "gaussians")


def add_parser(commands: Any) -> None:
    """The ``playground`` subcommand on ``chainrule``'s subparsers."""
    play = commands.add_parser(
        "playground",
        help="the live training playground in the browser (served by Voila on 127.0.0.1)",
        description="Train a small network like TensorFlow Playground, with the chain rule of any "
        "neuron or "
        "weight one click away, in your browser. Served by Voila on 127.0.0.1; Ctrl-C stops it.",
    )
    play.add_argument(
        "dataset", nargs="?", default="moons", help=f"one of {', '.join(DATASETS)} (default moons)"
    )
    play.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    play.add_argument(
        "--no-browser", action="store_true", help="print the address only, open no browser"
    )
    play.set_defaults(run=run_playground)


def run_playground(args: argparse.Namespace) -> int:
    """Serve the playground until Ctrl-C; 0 when stopped that way."""
    if args.dataset not in DATASETS:
        raise CommandError(
            f"unknown data set {args.dataset!r}; choose one of {', '.join(DATASETS)}"
        )
    if not 0 <= args.port < 65536:
        raise CommandError(f"--port must be between 1 and 65535 (0: a free one), got {args.port}")
    port, token = args.port or _free_port(), secrets.token_hex(16)
    settings = {"dataset": args.dataset}
    bundled = resources.files("viz.interactive")
    command = [
        sys.executable,
        "-m",
        "voila",
        str(bundled / "playground_app.ipynb"),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--token={token}",
        "--template=chainrule",
        "--Voila.log_level=WARN",
    ]
    # JUPYTER_PATH: where Voila finds the bundled template voila/templates/chainrule (lab's, no CDN)
    paths = os.pathsep.join(p for p in (str(bundled), os.environ.get("JUPYTER_PATH", "")) if p)
    env = {**os.environ, "CHAINRULE_PLAYGROUND": json.dumps(settings), "JUPYTER_PATH": paths}
    url = f"http://127.0.0.1:{port}/?token={token}"
    print(f"chainrule playground: starting Voila on 127.0.0.1:{port} ...", flush=True)
    server = subprocess.Popen(
        command, env=env, start_new_session=True
    )  # Ctrl-C reaches this process only
    try:
        if not _listening(port, server, timeout=180):
            print(
                "chainrule playground: Voila did not start (see its messages above)",
                file=sys.stderr,
            )
            return 1
        print(f"chainrule playground: open {url}\n(Ctrl-C stops the server)", flush=True)
        if not args.no_browser:
            webbrowser.open(url)
        server.wait()
        return server.returncode
    except KeyboardInterrupt:
        print("chainrule playground: stopping", flush=True)
        return 0
    finally:
        _stop(server)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int, server: subprocess.Popen, timeout: float) -> bool:
    """Wait until the server accepts connections on 127.0.0.1:``port`` (True), or exits or
    ``timeout`` passes (False). Only a connection: a page request would start a kernel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def _stop(server: subprocess.Popen) -> None:
    """Stop Voila (SIGTERM: it shuts its kernels down), then kill it if it does not stop."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
