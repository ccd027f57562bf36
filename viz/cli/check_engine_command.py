"""``chainrule check-engine student/engine.py [--class Value] [--json]``: grade a student's engine.

Runs ``autograd.testing.check_engine`` on the class and prints its report card (or, with
``--json``, the results for a grader to collect). The exit code is the number of failed checks
(at most 100); a file that does not exist is a usage error (exit code 2, one line on stderr).
The student's file runs in a child process with time and memory limits: this guards against
mistakes (an endless loop, a memory blow-up), it is not a sandbox for hostile code.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .errors import CommandError


def add_parser(commands: Any) -> None:
    """Add ``check-engine`` to the subcommands of ``chainrule``."""
    check = commands.add_parser(
        "check-engine",
        help="grade a micrograd-style Value class: a report card naming each likely mistake",
        description="Run a graded suite (each op's local derivative, accumulation over uses, "
        "topological order, "
        "backward twice, deep graphs, the derivations D1-D11, numbers against chainrule's engine) "
        "on a class with micrograd's interface, each check with a time limit in a child process. "
        "Not a sandbox for hostile code.",
        epilog="Exit code: the number of failed checks (at most 100). "
        "Example: chainrule check-engine engine.py",
    )
    check.add_argument("file", help="the Python file that defines the class")
    check.add_argument(
        "--class", dest="class_name", default="Value", help="the class to grade (default Value)"
    )
    check.add_argument("--json", action="store_true", help="print the results as JSON")
    check.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time limit per check (default: 3 s; 20 s for deep graphs)",
    )
    check.set_defaults(run=run_check_engine)


def run_check_engine(args: argparse.Namespace) -> int:
    from autograd.testing import check_engine  # imported here: it loads the grader's checks

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"no file {path}")
    report = check_engine(path, args.class_name, timeout=args.timeout)
    print(report.to_json() if args.json else report.text())
    return report.exit_code()
