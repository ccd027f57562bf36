"""The ``chainrule`` command line: its parser and ``main``, which turns errors into exit codes.

    chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
    chainrule train moons --steps 100 --out runs/moons
    chainrule demo

Bad input (an expression that is not allowed, an unknown name, a value that is not a number,
an unknown dataset) is one line on stderr and exit code 2, never a traceback; any other error
is a bug in chainrule, reported as an internal error with exit code 1. Set CHAINRULE_DEBUG=1 to
see the traceback instead. The modules of ``train``, ``explore-gpt`` and ``demo`` import nn and
matplotlib, so they are imported when their command runs: ``chainrule graph`` starts without them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..expression import ExpressionError
from ..rendering import GraphvizError
from . import check_engine_command, graph_command, playground_command
from .errors import FAILURE, USAGE_ERROR, CommandError


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors:
    ``chainrule graph: error: ... (see chainrule graph --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``chainrule`` and its subcommands."""
    parser = Parser(prog="chainrule",
                    description="chainrule: a teaching autodiff engine, from the command line.")
    parser.add_argument("--version", action="version", version=f"chainrule {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    graph_command.add_parser(commands)
    _add_train(commands)

    gpt = commands.add_parser(
        "explore-gpt", help="look inside a trained GPT reading one name: an offline HTML page",
        description="Feed a name to a GPT saved by `chainrule train names` and write the GPT "
                    "explorer: tokens, embeddings, attention, predictions and gradients, each "
                    "cell a node of the graph.",
    )
    gpt.add_argument("--model", required=True,
                     help="the model file (JSON), e.g. runs/names/model.json")
    gpt.add_argument("--name", required=True, help="the name to feed it, e.g. emma")
    gpt.add_argument("--before", default=None, metavar="MODEL",
                     help="the model before training, shown beside it")
    gpt.add_argument("-o", "--output", default="gpt.html",
                     help="the page to write (default gpt.html)")
    gpt.set_defaults(run=run_explore_gpt)

    demo = commands.add_parser(
        "demo", help="a short tour: a graph picture and a trained moons classifier's plots",
        description="Write a neuron's graph (SVG), backprop step by step, activation plots, and "
                    "train a small classifier on the moons dataset (loss curve, decision "
                    "boundary): what `make demo` runs.",
    )
    demo.add_argument("--out", default="chainrule-demo",
                      help="output directory (default ./chainrule-demo)")
    demo.add_argument("--steps", type=int, default=60, help="training steps (default 60)")
    demo.set_defaults(run=run_demo)
    check_engine_command.add_parser(commands)
    playground_command.add_parser(commands)
    return parser


def _add_train(commands: Any) -> None:
    train = commands.add_parser(
        "train",
        help="train an MLP on a dataset (or microgpt's GPT on names) and save the model and plots",
        description="Train an MLP on a dataset from nn, then write the model (JSON), the loss "
                    "curve and, for 2-D data, the decision boundary (PNG), and print a summary. "
                    "`chainrule train names` trains Karpathy's microgpt (nn.GPT) on 32,033 names "
                    "and prints names it makes up.",
    )
    train.add_argument("dataset", help="dataset name: moons, circles, xor, spirals, blobs, iris, "
                                       "digits or names")
    train.add_argument("--steps", type=int, default=None,
                       help="optimisation steps (default 100; names: 1000)")
    train.add_argument("--out", default=None, help="output directory (default runs/DATASET)")
    train.add_argument("--hidden", default="16,16",
                       help="hidden layer sizes, comma-separated (default 16,16)")
    train.add_argument("--activation", default="relu", help="hidden activation (default relu)")
    train.add_argument("--loss", default=None,
                       choices=("hinge", "mse", "bce_with_logits", "cross_entropy"),
                       help="default: hinge for 2 classes, cross_entropy for more")
    train.add_argument("--optimizer", choices=("sgd", "adam"), default=None,
                       help="default: nn.fit's (sgd 1.0 decaying to 0.1 for hinge, as micrograd; "
                            "adam otherwise)")
    train.add_argument("--lr", type=float, default=None,
                       help="learning rate (default: sgd 1.0 decaying to 0.1, as micrograd; "
                            "adam 0.01)")
    train.add_argument("--l2", type=float, default=None, metavar="ALPHA",
                       help="L2 penalty alpha * sum of squared parameters added to the training "
                            "loss (default 1e-4, micrograd's; 0 for none); the summary shows it "
                            "on its own line")
    train.add_argument("--batch-size", type=int, default=None,
                       help="examples per step (default: all)")
    train.add_argument("--samples", type=int, default=None,
                       help="number of examples for generated datasets")
    train.add_argument("--seed", type=seed_number, default=None,
                       help="random seed, an integer >= 0 (default 0; names: 42, microgpt's)")
    train.add_argument("--engine", choices=("eager", "compiled"), default=None,
                       help="eager: the scalar engine; compiled: trace once, replay batches with "
                            "numpy (default: compiled for iris and digits, eager for the rest)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    # ---- the training replay (viz.interactive)
    train.add_argument("--html", default=None, metavar="FILE",
                       help="also write a replay of the run as one offline HTML page (2-D data): "
                            "the decision boundary and the curves every --every steps, with a "
                            "scrubber")
    train.add_argument("--every", type=int, default=None, metavar="N",
                       help="steps between replay snapshots (default 5; with --html only)")
    train.set_defaults(run=run_train)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``chainrule`` with ``argv`` (default: the process arguments); return the exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["graph"]:
        argv = ["graph", *graph_command.protect_expression(argv[1:])]
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version or a usage error, already printed
        return stop.code if isinstance(stop.code, int) else USAGE_ERROR
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader went away (chainrule ... | head): stop quietly
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a command stopped by a closed pipe
    except (CommandError, ExpressionError, GraphvizError) as error:  # the user's input
        return _fail(args.command, error, USAGE_ERROR)
    except OSError as error:  # the file system: disk full, permission denied
        return _fail(args.command, error, FAILURE)
    except KeyboardInterrupt:
        print(f"chainrule {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - anything else is a bug in chainrule, not bad input
        if os.environ.get("CHAINRULE_DEBUG"):
            raise
        print(f"chainrule {args.command}: internal error ({type(error).__name__}: {error}); "
              "rerun with CHAINRULE_DEBUG=1 for the traceback", file=sys.stderr)
        return FAILURE


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail on the pipe again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test's StringIO): nothing to flush
        pass


def _fail(command: str, error: Exception, code: int) -> int:
    if os.environ.get("CHAINRULE_DEBUG"):
        raise error
    message = " ".join(str(error).split()) or type(error).__name__
    print(f"chainrule {command}: error: {message}", file=sys.stderr)
    return code


def seed_number(text: str) -> int:
    """argparse type of --seed: an integer >= 0 (a usage error, exit code 2, otherwise)."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}") from None
    if seed < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {seed}")
    return seed


def run_train(args: argparse.Namespace) -> int:
    """``chainrule train``: ``train_command`` (``train_names_command`` for names)."""
    if args.dataset == "names":
        from .train_names_command import train_names_command

        return train_names_command(args)
    from .train_command import train_command

    args.steps = 100 if args.steps is None else args.steps
    args.seed = 0 if args.seed is None else args.seed
    return train_command(args)


def run_explore_gpt(args: argparse.Namespace) -> int:
    """``chainrule explore-gpt``: ``explore_gpt_command``."""
    from .explore_gpt_command import explore_gpt_command

    return explore_gpt_command(args)


def run_demo(args: argparse.Namespace) -> int:
    """``chainrule demo``: ``demo_command.run``."""
    from .demo_command import run

    return run(Path(args.out), steps=args.steps)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chainrule")
    except PackageNotFoundError:
        return "(not installed)"
