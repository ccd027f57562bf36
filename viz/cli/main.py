"""The ``chainrule`` command line: ``graph``, ``train``, ``demo`` and ``check-engine``.

    chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
    chainrule train moons --steps 100 --out runs/moons
    chainrule demo

Bad input (an expression that is not allowed, an unknown name, a value that is not a number,
an unknown dataset) is one line on stderr and exit code 2, never a traceback; any other error
is a bug in chainrule, reported as an internal error with exit code 1. Set CHAINRULE_DEBUG=1 to
see the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from autograd import Value, topological_order

from .check_engine import add_parser as add_check_engine
from .expression import FUNCTIONS, ExpressionError, evaluate, parse_binding
from .graph import RANKDIRS, draw_dot
from .playground_app import add_parser as add_playground_parser
from .rendering import INSTALL_HINT, SAVE_SUFFIXES, GraphvizError, choose_backend

USAGE_ERROR = 2
FAILURE = 1


class CommandError(Exception):
    """A problem with what the user asked for: reported as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``chainrule graph: error: ... (see chainrule graph --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``chainrule`` and its subcommands."""
    parser = Parser(prog="chainrule", description="chainrule: a teaching autodiff engine, from the command line.")
    parser.add_argument("--version", action="version", version=f"chainrule {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    graph = commands.add_parser(
        "graph", help="draw the computation graph of an expression, with values and gradients",
        description="Evaluate an expression, run backward, print each input's value and gradient, and draw the "
                    "graph (every node's data and grad).",
        epilog=f"Functions: {', '.join(FUNCTIONS)} (leaky_relu and elu take an optional alpha: "
               "leaky_relu(x, 0.2) or leaky_relu(x, alpha=0.2)). Operators: "
               "+ - * / ** and unary -. Example: chainrule graph \"tanh(x*w + b)\" x=2 w=-3 b=6.88 -o graph.svg. "
               "An expression may start with '-': chainrule graph \"-x*2\" x=1.",
    )
    graph.add_argument("expression", help='the expression, e.g. "tanh(x*w + b)"')
    graph.add_argument("bindings", nargs="*", metavar="NAME=VALUE", help="a value for each variable, e.g. x=2")
    graph.add_argument("-o", "--output", default="graph.svg",
                       help=f"picture to write, by suffix: {', '.join(SAVE_SUFFIXES)} (.pdf needs Graphviz's dot), "
                            "or .html for the interactive explorer (one offline page); default graph.svg")
    graph.add_argument("--params", default="", metavar="NAMES",
                       help="comma-separated variables to draw as parameters, e.g. w,b")
    graph.add_argument("--rankdir", choices=RANKDIRS, default="auto",
                       help="layout direction (default auto: left to right unless too wide)")
    graph.add_argument("--shade-grad", action="store_true", help="colour nodes by |grad| on a log scale")
    graph.add_argument("--local-grads", action="store_true",
                       help="label each edge into an operation with its local derivative d(out)/d(input)")
    graph.add_argument("--no-legend", action="store_true", help="leave out the legend (small graphs have none)")
    graph.set_defaults(run=run_graph)

    train = commands.add_parser(
        "train", help="train an MLP on a dataset (or microgpt's GPT on names) and save the model and plots",
        description="Train an MLP on a dataset from nn, then write the model (JSON), the loss curve and, for 2-D "
                    "data, the decision boundary (PNG), and print a summary. `chainrule train names` trains "
                    "Karpathy's microgpt (nn.GPT) on 32,033 names and prints names it makes up.",
    )
    train.add_argument("dataset", help="dataset name: moons, circles, xor, spirals, blobs, iris, digits or names")
    train.add_argument("--steps", type=int, default=None, help="optimisation steps (default 100; names: 1000)")
    train.add_argument("--out", default=None, help="output directory (default runs/DATASET)")
    train.add_argument("--hidden", default="16,16", help="hidden layer sizes, comma-separated (default 16,16)")
    train.add_argument("--activation", default="relu", help="hidden activation (default relu)")
    train.add_argument("--loss", default=None, choices=("hinge", "mse", "bce_with_logits", "cross_entropy"),
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
    train.add_argument("--batch-size", type=int, default=None, help="examples per step (default: all)")
    train.add_argument("--samples", type=int, default=None, help="number of examples for generated datasets")
    train.add_argument("--seed", type=seed_number, default=None,
                       help="random seed, an integer >= 0 (default 0; names: 42, microgpt's)")
    train.add_argument("--engine", choices=("eager", "compiled"), default=None,
                       help="eager: the scalar engine; compiled: trace once, replay batches with "
                            "numpy (default: compiled for iris and digits, eager for the rest)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    # ---- the training replay (viz.interactive)
    train.add_argument("--html", default=None, metavar="FILE",
                       help="also write a replay of the run as one offline HTML page (2-D data): the decision "
                            "boundary and the curves every --every steps, with a scrubber")
    train.add_argument("--every", type=int, default=None, metavar="N",
                       help="steps between replay snapshots (default 5; with --html only)")
    train.set_defaults(run=run_train)

    gpt = commands.add_parser(
        "explore-gpt", help="look inside a trained GPT reading one name: an offline HTML page",
        description="Feed a name to a GPT saved by `chainrule train names` and write the GPT explorer: tokens, "
                    "embeddings, attention, predictions and gradients, each cell a node of the graph.",
    )
    gpt.add_argument("--model", required=True, help="the model file (JSON), e.g. runs/names/model.json")
    gpt.add_argument("--name", required=True, help="the name to feed it, e.g. emma")
    gpt.add_argument("--before", default=None, metavar="MODEL", help="the model before training, shown beside it")
    gpt.add_argument("-o", "--output", default="gpt.html", help="the page to write (default gpt.html)")
    gpt.set_defaults(run=run_explore_gpt)

    demo = commands.add_parser(
        "demo", help="a short tour: a graph picture and a trained moons classifier's plots",
        description="Write a neuron's graph (SVG), backprop step by step, activation plots, and train a small "
                    "classifier on the moons dataset (loss curve, decision boundary): what `make demo` runs.",
    )
    demo.add_argument("--out", default="chainrule-demo", help="output directory (default ./chainrule-demo)")
    demo.add_argument("--steps", type=int, default=60, help="training steps (default 60)")
    demo.set_defaults(run=run_demo)
    add_check_engine(commands)
    add_playground_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``chainrule`` with ``argv`` (default: the process arguments); return the exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["graph"]:
        argv = ["graph", *protect_expression(argv[1:])]
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
    except (CommandError, ExpressionError, GraphvizError) as error:  # the user's input (TrainingError too)
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


# ---------------------------------------------------------------- graph

GRAPH_VALUE_OPTIONS = ("--output", "--params", "--rankdir")  # the long options of `graph` followed by a value
GRAPH_OPTIONS = (*GRAPH_VALUE_OPTIONS, "--shade-grad", "--local-grads", "--no-legend", "--help")


def protect_expression(args: list[str]) -> list[str]:
    """``graph``'s arguments with an expression that starts with '-' (``"-x*2"``) made safe for argparse.

    argparse reads any argument starting with '-' as an option. The expression is the first
    argument that is not an option or an option's value; if it starts with '-', a space goes
    in front of it (argparse takes an argument with a space in it as positional, and the
    expression is stripped before it is parsed). A ``--`` in front of it, once needed, is dropped
    so that options after the expression (``-o m.svg``) still work.
    """
    args = list(args)
    i = 0
    while i < len(args):
        text = args[i]
        if text == "--":
            del args[i]
            if i < len(args) and args[i].startswith("-"):
                args[i] = " " + args[i]
            break
        name, equals, _ = text.partition("=")
        if text.startswith("--") and any(option.startswith(name) for option in GRAPH_OPTIONS):
            # --shade-grad, --output FILE, --output=FILE, --out FILE (abbreviated); not "--x"
            takes_value = not equals and any(option.startswith(name) for option in GRAPH_VALUE_OPTIONS)
            i += 2 if takes_value else 1
        elif text == "-h":
            i += 1
        elif text.startswith("-o"):  # -o FILE or -oFILE
            i += 2 if text == "-o" else 1
        else:
            if text.startswith("-"):
                args[i] = " " + text
            break
    return args



def run_graph(args: argparse.Namespace) -> int:
    """``chainrule graph``: evaluate, backward, print values and gradients, write the picture."""
    variables: dict[str, Value] = {}
    for text in args.bindings:
        name, number = parse_binding(text)
        if name in variables:
            raise CommandError(f"{name} is bound twice")
        variables[name] = Value(number, label=name)
    params = [p.strip() for p in args.params.split(",") if p.strip()]
    for name in params:
        if name not in variables:
            raise CommandError(f"--params names {name!r}, which is not bound (bound: {', '.join(variables) or 'none'})")
    try:
        backend = choose_backend()  # a bad $CHAINRULE_GRAPHVIZ is bad input, found before any work
    except ValueError as error:
        raise CommandError(str(error)) from None
    output = Path(args.output)
    if output.suffix.lower() == ".pdf" and backend != "dot":  # before the expression is evaluated
        raise CommandError(f"cannot write {args.output!r}: PDF needs Graphviz's `dot` program, "
                           f"which is not on PATH; {INSTALL_HINT}")
    explorer_page = output.suffix.lower() in (".html", ".htm")  # the explorer (viz.explore), issue 10
    if explorer_page and args.shade_grad:
        raise CommandError("--shade-grad colours a picture; the .html explorer shows each gradient in its panel")
    if not explorer_page and output.suffix.lower() not in SAVE_SUFFIXES:
        raise CommandError(f"cannot tell the picture format of {args.output!r}; use one of {', '.join(SAVE_SUFFIXES)}, "
                           ".html")
    if output.is_dir():
        raise CommandError(f"cannot write {args.output!r}: it is a directory")
    if not output.parent.is_dir():
        raise CommandError(f"cannot write {args.output!r}: the directory {str(output.parent)!r} does not exist")

    result = evaluate(args.expression, variables)
    in_graph = set(topological_order([result])) if isinstance(result, Value) else set()
    unused = [name for name, value in variables.items() if value not in in_graph]
    if unused:
        raise CommandError(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} bound but not used in "
                           f"{args.expression.strip()!r}")
    if not isinstance(result, Value):  # no variable in it: a number
        result = Value(result)
    if not result.label:  # keep a variable's own name when the expression is just "x"
        result.label = "f"
    try:
        result.backward()
    except (ArithmeticError, ValueError) as error:  # a derivative that is not finite there: sqrt(x) at x=0
        raise ExpressionError(str(error)) from None

    print(f"f = {args.expression.strip()} = {result.data:.6g}")
    width = max([len(name) for name in variables] + [4])
    if variables:
        print(f"  {'name':<{width}}  {'value':>12}  {'df/dname':>12}")
    for name, value in variables.items():
        print(f"  {name:<{width}}  {value.data:>12.6g}  {value.grad:>12.6g}")
    if explorer_page:  # ---- the explorer page: click, step, practise in any browser (viz.interactive)
        from .interactive import Explorer


        Explorer(result, params=[variables[n] for n in params], rankdir=args.rankdir).save(output)
    else:
        picture = draw_dot(result, args.rankdir, params=[variables[n] for n in params], shade_grad=args.shade_grad,
                           legend=False if args.no_legend else None, local_grads=args.local_grads)
        picture.save(output)
    print(f"wrote {output}")
    return 0


# ---------------------------------------------------------------- train and demo (they need nn)


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
    """``chainrule train``: see ``viz.training.train_command`` (``viz.train_names`` for names)."""
    if args.dataset == "names":
        from .train_names import train_names_command

        return train_names_command(args)
    from .training import train_command

    args.steps = 100 if args.steps is None else args.steps
    args.seed = 0 if args.seed is None else args.seed
    return train_command(args)


def run_explore_gpt(args: argparse.Namespace) -> int:
    from .explore_gpt_command import explore_gpt_command

    return explore_gpt_command(args)


def run_demo(args: argparse.Namespace) -> int:
    """``chainrule demo``: see ``viz.demo.run``."""
    from .demo import run

    return run(Path(args.out), steps=args.steps)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chainrule")
    except PackageNotFoundError:
        return "(not installed)"


if __name__ == "__main__":
    sys.exit(main())
