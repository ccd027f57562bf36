"""The command line's errors and exit codes: what a command raises for bad input.

``chainrule`` (``viz.cli.main``) reports a ``CommandError`` as one line on stderr with exit code
``USAGE_ERROR``; the commands raise it and never import ``main``, so nothing imports in a circle.
"""

from __future__ import annotations

USAGE_ERROR = 2
"""Exit code of bad input: an unknown name, a value that is not a number, a missing file."""
FAILURE = 1
"""Exit code of a command that ran and failed: a disk error, a run that ended worse than it
began."""


class CommandError(Exception):
    """A problem with what the user asked for: reported as one line, exit code 2."""


class TrainingError(CommandError, ValueError):
    """A training option that cannot work (unknown dataset, bad size, a loss that does not fit the
    data). A CommandError, so ``chainrule`` reports it as bad input: one line, exit code 2."""
