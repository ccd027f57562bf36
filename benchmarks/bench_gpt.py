"""microgpt benchmark: nn.GPT trained by nn.train_gpt against Karpathy's microgpt, side by side.

The anchor is tests/microgpt_reference.py: the published program (gist 8627fe009c40f57531cb18360106ce95)
re-stated with its own forty-line scalar class, the same arithmetic and the same per-node design.
Both sides run microgpt's 1,000-step schedule (lr 0.01 * (1 - k / 1000)) from ``nn.microgpt(seed=42)``,
in turns of ``BLOCK`` consecutive steps each, in this process, so a busy machine slows all of them
alike. (Turns of one step each would charge the fast sides for the slow one's mess: a microgpt
step leaves 60,000 dead objects and cold caches behind, and the compiled step, 50-100 times
shorter, paid for them with about 3x its time in a training loop of its own.) Reported:

* the per-step losses: chainrule eager against microgpt (acceptance: equal to 1e-9 for the first
  200 steps), chainrule compiled against chainrule eager (equal to 1e-9);
* the median time of a training step (forward, backward, Adam) of each, and the ratios
  (targets: eager at least 3x faster than microgpt's Value, compiled at least 100x);
* the time of the whole run and the loss reached (mean of the last 50 steps).

Run: ``python benchmarks/bench_gpt.py [--steps N]`` (default 1000; ``make bench`` runs it all, about
five minutes, most of it microgpt's own steps).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from microgpt_reference import MicroGPT  # noqa: E402

import nn  # noqa: E402

HORIZON = 1000  # microgpt's run: the learning-rate schedule ends here
ACCEPT = 200  # the acceptance window for equal losses
BLOCK = 10  # consecutive steps of one side per turn


class Side:
    """One trainer: a name, a function that runs one step and returns its loss, its losses and times."""

    def __init__(self, name, step):
        self.name, self.step, self.losses, self.times = name, step, [], []

    def run_one(self) -> None:
        start = time.perf_counter()
        self.losses.append(self.step())
        self.times.append(time.perf_counter() - start)


def chainrule_side(name: str, engine: str) -> Side:
    docs, model = nn.microgpt(seed=42)
    opt = nn.optim.Adam(model.parameters(), lr=nn.optim.LinearDecay(0.01, 0.0, steps=HORIZON),
                        betas=(0.85, 0.99), eps=1e-8)
    tokens = [model.encode(d) for d in docs]
    trainer = nn.gpt_train.make_trainer(model, engine, opt)
    counter = iter(range(10**9))

    def step() -> float:
        loss = trainer.loss_and_grad(tokens[next(counter) % len(tokens)])
        trainer.update()
        return loss

    return Side(name, step)


def compiled_available() -> bool:
    try:
        nn.train_gpt(nn.GPT(3, n_embd=4, n_head=1, block_size=2, seed=0), ["ab"], 1, engine="compiled",
                     progress=False)
        return True
    except NotImplementedError:
        return False


def main(steps: int = HORIZON, block: int = BLOCK) -> None:
    ref = MicroGPT(nn.load_names(), seed=42, num_steps=HORIZON)
    sides = [Side("microgpt (its Value)", ref.train_step), chainrule_side("chainrule eager", "eager")]
    if compiled_available():
        sides.append(chainrule_side("chainrule compiled", "compiled"))
    for turn, first in enumerate(range(0, steps, block)):
        for side in sides[turn % 2:] + sides[:turn % 2]:  # alternate who goes first
            for _ in range(min(block, steps - first)):
                side.run_one()
    anchor, eager = sides[0], sides[1]

    def gap(a: Side, b: Side, n: int) -> float:
        return max(abs(x - y) for x, y in zip(a.losses[:n], b.losses[:n]))

    window = min(ACCEPT, steps)
    print(f"microgpt's run, nn.microgpt(seed=42), {steps} steps of its {HORIZON}-step schedule, "
          f"sides taking turns of {block} steps\n")
    rows = [("step (forward+backward+Adam), median", *[f"{1e3 * statistics.median(s.times):.3g} ms" for s in sides]),
            (f"whole run ({steps} steps)", *[f"{sum(s.times):.1f} s" for s in sides]),
            ("loss, mean of the last 50 steps", *[f"{statistics.fmean(s.losses[-50:]):.4f}" for s in sides])]
    header = ("", *[s.name for s in sides])
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")
    print()
    base = statistics.median(anchor.times)
    print(f"- eager vs microgpt: {base / statistics.median(eager.times):.1f}x faster (target >= 3x); "
          f"losses equal to {gap(anchor, eager, window):.1e} over the first {window} steps (target <= 1e-9), "
          f"{gap(anchor, eager, steps):.1e} over all {steps}")
    if len(sides) > 2:
        compiled = sides[2]
        print(f"- compiled vs microgpt: {base / statistics.median(compiled.times):.0f}x faster (target >= 100x); "
              f"compiled vs eager losses equal to {gap(eager, compiled, steps):.1e} over {steps} steps "
              "(target <= 1e-9)")
    else:
        print("- compiled: not available in this version (engine='compiled' raised NotImplementedError)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=HORIZON, help="steps of microgpt's run to train (default 1000)")
    parser.add_argument("--block", type=int, default=BLOCK, help=f"consecutive steps per turn (default {BLOCK})")
    args = parser.parse_args()
    main(args.steps, args.block)
