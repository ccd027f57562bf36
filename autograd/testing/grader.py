"""``check_engine``: run the checks of ``checks.py`` on a student's Value class, in a child process.

The checks run one after another in a forked child with a memory limit (``resource.setrlimit``),
a temporary working directory and its output sent to /dev/null; the parent watches each check's
time. A check that runs past its limit, or kills the child (a crash, a memory blow-up), fails on
its own: the child is stopped and a new one carries on with the next check. The student's file is
imported in the child, never in the grader. This isolates mistakes, not attacks: it is not a
sandbox for hostile code (the child can still read and write your files, use the network, ...).
POSIX only (``os.fork``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .checks import CHECKS, Check, Wrong
from .report import Report, Result

MEMORY_MB = 512  # more address space the child may take, beyond what it starts with


def load_class(path: str | Path, class_name: str = "Value") -> Any:
    """Import the file at ``path`` (its folder first on sys.path); return its ``class_name``."""
    path = Path(path).resolve()
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"student_engine_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, class_name):
        found = [
            n
            for n, v in vars(module).items()
            if isinstance(v, type) and v.__module__ == module.__name__
        ]
        raise AttributeError(
            f"{path.name} defines no class {class_name!r} "
            f"(it defines: {', '.join(found) or 'none'})"
        )
    return getattr(module, class_name)


def run_one(check: Check, V: Any) -> dict[str, Any]:
    """Run one check in this process: a Result's fields (status, details, mistake)."""
    missing = sorted(m for m in check.needs if not callable(getattr(V, m, None)))
    if missing:
        return {"status": "skip", "details": f"no method {', '.join(missing)} (yet)"}
    try:
        check.run(V)
    except Wrong as wrong:
        return {"status": "fail", "details": wrong.details, "mistake": wrong.mistake}
    except NotImplementedError as error:
        return {
            "status": "fail",
            "details": f"NotImplementedError: {error}",
            "mistake": "not written yet",
        }
    except MemoryError:
        return {
            "status": "fail",
            "details": "MemoryError",
            "mistake": "the check ran out of memory",
        }
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        where = traceback.extract_tb(error.__traceback__)[-1]
        return {
            "status": "fail",
            "details": f"raised {type(error).__name__}: {error} "
            f"(line {where.lineno} of {Path(where.filename).name}, in {where.name})",
            "mistake": _hint_for(error),
        }
    return {"status": "pass"}


def _hint_for(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "a recursion too deep: make the topological sort iterative"
    if isinstance(error, (TypeError, AttributeError)):
        return "an operation is missing or does not accept a plain number (wrap it: Value(other))"
    return "the check's program raised an error in your class"


def _child(
    load: Callable[[], Any], checks: Sequence[Check], write: int, workdir: str, memory_mb: int
) -> None:
    """In the forked child: limit memory, go to ``workdir``, load the class, run the checks."""

    def send(message: dict[str, Any]) -> None:
        os.write(write, (json.dumps(message) + "\n").encode())

    try:
        _limit_memory(memory_mb)
        os.chdir(workdir)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0), os.dup2(null, 1), os.dup2(null, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the child ends by os._exit
        try:
            V = load()
        except BaseException as error:  # noqa: BLE001 - a file that does not load fails every check
            send({"load_error": f"{type(error).__name__}: {error}"})
            return
        send({"loaded": True})
        for check in checks:
            send({"start": check.name})
            send({"name": check.name, **run_one(check, V)})
    finally:
        os._exit(0)


def _limit_memory(memory_mb: int) -> None:
    import resource

    size = 0
    try:
        with open("/proc/self/statm") as statm:  # Linux: the address space in use, in pages
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        pass
    limit = size + memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def check_engine(
    engine: Any,
    class_name: str = "Value",
    *,
    only: Sequence[str] | None = None,
    timeout: float | None = None,
    memory_mb: int = MEMORY_MB,
) -> Report:
    """Grade a micrograd-style Value class (or the file defining it): a ``Report`` of the checks.

    ``engine``: the class, or a path to a ``.py`` file whose class ``class_name`` is graded.
    ``only``: names of the checks to run (default all, see ``autograd.testing.checks.CHECKS``).
    ``timeout``: seconds per check (default: each check's own limit, 3 s; 20 s for deep graphs).
    """
    if not hasattr(os, "fork"):
        raise OSError(
            "check_engine runs the checks in a forked child process: it needs Linux or macOS"
        )
    checks = [c for c in CHECKS if only is None or c.name in only]
    if only is not None and (unknown := set(only) - {c.name for c in CHECKS}):
        raise ValueError(f"check_engine: no check named {', '.join(sorted(unknown))}")
    if isinstance(engine, (str, Path)):
        path = Path(engine).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"check_engine: no file {engine}")
        load, label = (lambda: load_class(path, class_name)), f"{engine} ({class_name})"
    else:
        load, label = (
            (lambda: engine),
            f"{getattr(engine, '__module__', '?')}.{getattr(engine, '__qualname__', engine)}",
        )
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="chainrule-check-") as workdir:
        todo = list(checks)
        while todo:
            todo = _run_batch(load, todo, results, workdir, memory_mb, timeout)
    return Report(label, [results[c.name] for c in checks])


def _run_batch(
    load: Callable[[], Any],
    todo: list[Check],
    results: dict[str, Result],
    workdir: str,
    memory_mb: int,
    timeout: float | None,
) -> list[Check]:
    """Fork one child for ``todo``; return the checks still to run if it had to be stopped."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _child(load, todo, write, workdir, memory_mb)
    os.close(write)
    by_name = {c.name: c for c in todo}
    running: Check | None = None
    loaded = False
    started = time.monotonic()
    buffer = b""
    try:
        while True:
            limit = (timeout or running.timeout) if running else 30.0  # loading the file: 30 s
            left = started + limit - time.monotonic()
            ready, _, _ = select.select([read], [], [], max(left, 0.0))
            remaining = [c for c in todo if c.name not in results]
            culprit = running or (
                remaining[0] if loaded and remaining else None
            )  # None: the import
            if not ready:  # the check (or the import) ran past its time
                os.kill(pid, signal.SIGKILL)
                return _stopped(
                    todo,
                    culprit,
                    results,
                    f"did not finish in {limit:g} s",
                    "an endless loop? (or far too slow: a backward that revisits nodes)",
                )
            chunk = os.read(read, 65536)
            if not chunk:  # the child exited: normally, or killed by a crash or the memory limit
                if not remaining:
                    return []
                died = "the process died: out of memory, or a recursion that overflowed the C stack"
                return _stopped(todo, culprit, results, _death(pid), died)
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                if "load_error" in message:
                    for c in todo:
                        results[c.name] = Result(
                            c.name,
                            c.title,
                            "fail",
                            message["load_error"],
                            "the file does not load: fix this error first",
                        )
                    return []
                if "loaded" in message:
                    loaded = True
                elif "start" in message:
                    running, started = by_name[message["start"]], time.monotonic()
                else:
                    results[message["name"]] = Result(
                        title=running.title, seconds=time.monotonic() - started, **message
                    )
                    running = None
    finally:
        os.close(read)
        _reap(pid)


def _stopped(
    todo: list[Check], running: Check | None, results: dict[str, Result], details: str, mistake: str
) -> list[Check]:
    """Record the check that was running as failed; return the checks still to run."""
    if running is None:  # stopped while loading the file
        for c in todo:
            results[c.name] = Result(
                c.name, c.title, "fail", f"loading the file {details}", mistake
            )
        return []
    results[running.name] = Result(running.name, running.title, "fail", details, mistake)
    return [c for c in todo if c.name not in results]


def _death(pid: int) -> str:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"the process was killed by signal {number} ({signal.Signals(number).name})"
    return f"the process exited with code {os.WEXITSTATUS(status)} in the middle of the check"


def _reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
