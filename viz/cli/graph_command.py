"""``chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg``: evaluate an expression, run
backward, print each input's value and gradient, and draw the graph (or write the explorer page)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from autograd import Value, topological_order

from ..expression import FUNCTIONS, ExpressionError, evaluate, parse_binding
from ..graph import RANKDIRS, draw_dot
from ..rendering import INSTALL_HINT, SAVE_SUFFIXES, choose_backend
from .errors import CommandError

GRAPH_VALUE_OPTIONS = ("--output", "--params", "--rankdir")
"""The long options of ``graph`` followed by a value."""
GRAPH_OPTIONS = (*GRAPH_VALUE_OPTIONS, "--shade-grad", "--local-grads", "--no-legend", "--help")


def add_parser(commands: Any) -> None:
    """Add ``graph`` to the subcommands of ``chainrule``."""
    graph = commands.add_parser(
        "graph", help="draw the computation graph of an expression, with values and gradients",
        description="Evaluate an expression, run backward, print each input's value and "
                    "gradient, and draw the graph (every node's data and grad).",
        epilog=f"Functions: {', '.join(FUNCTIONS)} (leaky_relu and elu take an optional alpha: "
               "leaky_relu(x, 0.2) or leaky_relu(x, alpha=0.2)). Operators: "
               "+ - * / ** and unary -. Example: chainrule graph \"tanh(x*w + b)\" x=2 w=-3 "
               "b=6.88 -o graph.svg. An expression may start with '-': "
               "chainrule graph \"-x*2\" x=1.",
    )
    graph.add_argument("expression", help='the expression, e.g. "tanh(x*w + b)"')
    graph.add_argument("bindings", nargs="*", metavar="NAME=VALUE",
                       help="a value for each variable, e.g. x=2")
    graph.add_argument("-o", "--output", default="graph.svg",
                       help=f"picture to write, by suffix: {', '.join(SAVE_SUFFIXES)} (.pdf needs "
                            "Graphviz's dot), or .html for the interactive explorer (one offline "
                            "page); default graph.svg")
    graph.add_argument("--params", default="", metavar="NAMES",
                       help="comma-separated variables to draw as parameters, e.g. w,b")
    graph.add_argument("--rankdir", choices=RANKDIRS, default="auto",
                       help="layout direction (default auto: left to right unless too wide)")
    graph.add_argument("--shade-grad", action="store_true",
                       help="colour nodes by |grad| on a log scale")
    graph.add_argument("--local-grads", action="store_true",
                       help="label each edge into an operation with its local derivative "
                            "d(out)/d(input)")
    graph.add_argument("--no-legend", action="store_true",
                       help="leave out the legend (small graphs have none)")
    graph.set_defaults(run=run_graph)


def protect_expression(args: list[str]) -> list[str]:
    """``graph``'s arguments with an expression that starts with '-' (``"-x*2"``) made safe for
    argparse.

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
            takes_value = not equals and any(option.startswith(name)
                                             for option in GRAPH_VALUE_OPTIONS)
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
            raise CommandError(f"--params names {name!r}, which is not bound "
                               f"(bound: {', '.join(variables) or 'none'})")
    output = _checked_output(args)

    result = evaluate(args.expression, variables)
    in_graph = set(topological_order([result])) if isinstance(result, Value) else set()
    unused = [name for name, value in variables.items() if value not in in_graph]
    if unused:
        raise CommandError(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} bound but "
                           f"not used in {args.expression.strip()!r}")
    if not isinstance(result, Value):  # no variable in it: a number
        result = Value(result)
    if not result.label:  # keep a variable's own name when the expression is just "x"
        result.label = "f"
    try:
        result.backward()
    except (ArithmeticError, ValueError) as error:  # a derivative not finite there: sqrt(x) at 0
        raise ExpressionError(str(error)) from None

    print(f"f = {args.expression.strip()} = {result.data:.6g}")
    width = max([len(name) for name in variables] + [4])
    if variables:
        print(f"  {'name':<{width}}  {'value':>12}  {'df/dname':>12}")
    for name, value in variables.items():
        print(f"  {name:<{width}}  {value.data:>12.6g}  {value.grad:>12.6g}")
    drawn = [variables[n] for n in params]
    if _is_page(output):  # the explorer page: click, step, practise in any browser
        from ..interactive import Explorer

        Explorer(result, params=drawn, rankdir=args.rankdir).save(output)
    else:
        picture = draw_dot(result, args.rankdir, params=drawn, shade_grad=args.shade_grad,
                           legend=False if args.no_legend else None,
                           local_grads=args.local_grads)
        picture.save(output)
    print(f"wrote {output}")
    return 0


def _is_page(output: Path) -> bool:
    return output.suffix.lower() in (".html", ".htm")


def _checked_output(args: argparse.Namespace) -> Path:
    """``--output`` as a path, checked before the expression is evaluated."""
    try:
        backend = choose_backend()  # a bad $CHAINRULE_GRAPHVIZ is bad input, found before any work
    except ValueError as error:
        raise CommandError(str(error)) from None
    output = Path(args.output)
    if output.suffix.lower() == ".pdf" and backend != "dot":
        raise CommandError(f"cannot write {args.output!r}: PDF needs Graphviz's `dot` program, "
                           f"which is not on PATH; {INSTALL_HINT}")
    if _is_page(output) and args.shade_grad:
        raise CommandError("--shade-grad colours a picture; the .html explorer shows each "
                           "gradient in its panel")
    if not _is_page(output) and output.suffix.lower() not in SAVE_SUFFIXES:
        raise CommandError(f"cannot tell the picture format of {args.output!r}; use one of "
                           f"{', '.join(SAVE_SUFFIXES)}, .html")
    if output.is_dir():
        raise CommandError(f"cannot write {args.output!r}: it is a directory")
    if not output.parent.is_dir():
        raise CommandError(f"cannot write {args.output!r}: the directory "
                           f"{str(output.parent)!r} does not exist")
    return output
