"""``chainrule explore-gpt``: the GPT explorer of a saved model as one offline page.

chainrule train names --out runs/names                 # writes runs/names/model.json
chainrule explore-gpt --model runs/names/model.json --name emma -o gpt.html
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nn
from nn.gpt import GPT

from .errors import CommandError


def explore_gpt_command(args: argparse.Namespace) -> int:
    """Load ``args.model`` (an nn.GPT saved with nn.save), feed it ``args.name``, write the page."""
    model = _load(args.model, "--model")
    before = _load(args.before, "--before") if args.before else None
    output = Path(args.output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise CommandError(
            f"-o {args.output}: the GPT explorer is an HTML page; give a name ending in .html"
        )
    from ..interactive import explore_gpt

    try:
        explorer = explore_gpt(model, args.name, before=before)
    except ValueError as problem:  # a character outside the vocabulary, a name too long
        raise CommandError(str(problem)) from None
    explorer.save(output)
    run = explorer.data["runs"][0]
    loss = run["nodes"]["data"][run["views"]["loss"]]
    print(f"{args.name!r}: {len(run['tokens'])} tokens, loss {loss:.4f}")
    print(f"wrote    {output}")
    return 0


def _load(path: str, option: str) -> GPT:
    if not Path(path).is_file():
        raise CommandError(
            f"{option} {path}: no such file (train one with `chainrule train names`)"
        )
    model = nn.load(path)
    if not isinstance(model, GPT):
        raise CommandError(
            f"{option} {path}: the file holds a {type(model).__name__}, not an nn.GPT"
        )
    return model
