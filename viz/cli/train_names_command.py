"""``chainrule train names``: microgpt's run (Karpathy's GPT on 32,033 names) with nn.GPT.

    chainrule train names                        # 1,000 steps, as microgpt, seed 42
    chainrule train names --steps 200 --engine compiled

Writes the model (JSON) and the loss curve (PNG) into ``--out`` (default runs/names) and prints
a summary and 20 names sampled at temperature 0.5, as microgpt does.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import nn

from ..plots import plot_history
from .errors import TrainingError
from .output import make_output_directory

STEPS, SEED, SAMPLES = 1000, 42, 20
MLP_ONLY = {"hidden": "16,16", "activation": "relu", "loss": None, "optimizer": None, "lr": None,
            "l2": None, "batch_size": None, "samples": None, "html": None, "every": None}
"""Options of ``chainrule train`` for an MLP's run, with their defaults: the GPT has its own."""


def train_names_command(args: argparse.Namespace) -> int:
    """Train microgpt's model with ``args.steps`` (default 1000) and ``args.seed`` (default 42),
    print samples."""
    given = [name for name, default in MLP_ONLY.items() if getattr(args, name, default) != default]
    if given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        raise TrainingError(f"{options}: not an option for names (the model is microgpt's GPT; "
                            "use --steps, --seed, --engine, --out, --quiet)")
    steps = STEPS if args.steps is None else args.steps
    engine = args.engine or "eager"
    seed = SEED if args.seed is None else args.seed
    if steps < 1:
        raise TrainingError(f"--steps must be at least 1, got {steps}")
    out = Path(args.out) if args.out else Path("runs") / "names"
    make_output_directory(out)
    docs, model = nn.microgpt(seed=seed)
    started = time.perf_counter()
    history = nn.train_gpt(model, docs, steps=steps, engine=engine, progress=not args.quiet)
    seconds = time.perf_counter() - started
    nn.save(model, out / "model.json")
    plot_history(history, title=f"names: {model.summary()}", path=out / "loss.png")
    window = min(50, steps)
    print(f"dataset  names: {len(docs):,} names, {model.vocab_size} tokens (a-z and BOS)")
    print(f"model    {model.summary()}")
    first, last = statistics.fmean(history.loss[:window]), statistics.fmean(history.loss[-window:])
    print(f"trained  {steps} steps ({engine}) in {seconds:.1f} s: mean loss of the first "
          f"{window} steps "
          f"{first:.4f}, of the last {window} {last:.4f}")
    names = model.sample(SAMPLES, temperature=0.5, seed=seed)
    print(f"samples  (temperature 0.5): {', '.join(name or '(empty)' for name in names)}")
    print(f"wrote    {out / 'model.json'}")
    print(f"wrote    {out / 'loss.png'}")
    return 0
