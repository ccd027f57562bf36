"""microgpt benchmark: nn.GPT trained by nn.train_gpt against Karpathy's microgpt, PyTorch and JAX.

The anchor is tests/microgpt_reference.py: the published program (gist
8627fe009c40f57531cb18360106ce95) re-stated with its own forty-line scalar class, the same
arithmetic and the same per-node design.
PyTorch (eager) and JAX (``jit``) run the same model with arrays (``microgpt_arrays.py``), float64,
one thread each (``pinning.py``). Every side runs microgpt's 1,000-step schedule
(lr 0.01 * (1 - k / 1000)) from ``nn.microgpt(seed=42)``'s weights, in turns of ``BLOCK``
consecutive steps each, in this process, so a busy machine slows all of them alike. (Turns of one
step each would charge the fast sides for the slow one's mess: a microgpt step leaves 60,000 dead
objects and cold caches behind.) microgpt's own Value runs only the first ``--reference-steps``
steps (default 200: the acceptance window); its whole run is its mean step time x 1,000, said so
in the table (it compiles nothing). Reported:

* the per-step losses: chainrule eager against microgpt (acceptance: equal to 1e-9 for the first
  200 steps), compiled against eager, PyTorch and JAX against microgpt;
* the median time of a training step (forward, backward, Adam) of each, and the ratios
  (targets: eager at least 3x faster than microgpt's Value, compiled at least 100x);
* the time of the whole run, compiling included (chainrule compiled: one trace per 4 positions;
  JAX: one program per name length), the ratio of whole runs, and the loss reached;
* the time to compile the longest name (16 positions): chainrule's trace, JAX's ``jit``.

Run: ``python benchmarks/bench_gpt.py [--steps N] [--reference-steps M]`` (``make bench`` runs the
1,000 steps).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pinning  # noqa: E402  (first: the thread counts are read when numpy, torch and jax load)

pinning.pin()

import microgpt_arrays  # noqa: E402
from microgpt_reference import MicroGPT  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
from nn.gpt_compiled import position_losses  # noqa: E402

HORIZON = 1000  # microgpt's run: the learning-rate schedule ends here
ACCEPT = 200  # the acceptance window for equal losses
BLOCK = 10  # consecutive steps of one side per turn


class Side:
    """One trainer: a name, a function running one step and returning its loss; losses, times."""

    def __init__(self, name, step, steps=None):
        self.name, self.step, self.losses, self.times, self.steps = name, step, [], [], steps

    def run_one(self) -> None:
        if self.steps is not None and len(self.times) >= self.steps:
            return
        start = time.perf_counter()
        self.losses.append(self.step())
        self.times.append(time.perf_counter() - start)

    def whole_run(self, steps: int) -> float:
        """Seconds for ``steps`` steps: measured, or mean step x ``steps`` for a side cut short."""
        return sum(self.times) if len(self.times) >= steps else statistics.fmean(self.times) * steps


def chainrule_side(name: str, engine: str) -> Side:
    docs, model = nn.microgpt(seed=42)
    opt = nn.optim.Adam(
        model.parameters(),
        lr=nn.optim.LinearDecay(0.01, 0.0, steps=HORIZON),
        betas=(0.85, 0.99),
        eps=1e-8,
    )
    tokens = [model.encode(d) for d in docs]
    run = nn.loop.Engine(engine, model, model.parameters(), opt, "bench_gpt")
    gpt_step = nn.gpt_train.gpt_step(model, run)
    counter = iter(range(10**9))

    def step() -> float:
        loss = gpt_step(tokens[next(counter) % len(tokens)])
        run.update()
        return loss

    return Side(name, step)


def anchor_sides() -> list[Side]:
    """PyTorch (float64 and float32) and JAX (float64), those installed."""
    sides = []
    for name, make in (
        ("PyTorch eager", lambda: microgpt_arrays.torch_trainer()[0]),
        ("JAX jit", lambda: microgpt_arrays.jax_trainer()[0]),
        ("PyTorch float32 (marked)", lambda: microgpt_arrays.torch_trainer("float32")[0]),
    ):
        try:
            sides.append(Side(name, make()))
        except ImportError:
            print(f"({name}: not installed, skipped)")
    return sides


def compile_times(rounds: int = 3) -> dict[str, float]:
    """Median seconds to compile the longest name (16 positions, 17 tokens): chainrule's trace,
    JAX's jit."""
    _, model = nn.microgpt(seed=42)
    params = model.parameters()
    times = {"chainrule compiled": []}
    for _ in range(rounds):
        start = time.perf_counter()
        autograd.compile(lambda v: position_losses(model, v), 17, params)
        times["chainrule compiled"].append(time.perf_counter() - start)
    try:
        import jax

        step, _ = microgpt_arrays.jax_trainer()
        times["JAX jit"] = []
        for _ in range(rounds):
            jax.clear_caches()
            start = time.perf_counter()
            step.compile_longest()
            times["JAX jit"].append(time.perf_counter() - start)
    except ImportError:
        pass
    return {name: statistics.median(t) for name, t in times.items()}


def main(steps: int = HORIZON, block: int = BLOCK, reference_steps: int = ACCEPT) -> None:
    ref = MicroGPT(nn.load_names(), seed=42, num_steps=HORIZON)
    sides = [
        Side("microgpt (its Value)", ref.train_step, min(steps, reference_steps)),
        chainrule_side("chainrule eager", "eager"),
        chainrule_side("chainrule compiled", "compiled"),
    ]
    with pinning.one_thread():
        sides += anchor_sides()
        for turn, first in enumerate(range(0, steps, block)):
            for side in sides[turn % 2 :] + sides[: turn % 2]:  # alternate who goes first
                for _ in range(min(block, steps - first)):
                    side.run_one()
        compiled = compile_times()
        pinned = pinning.describe()
    report(sides, steps, block, compiled, pinned)


def report(
    sides: list[Side], steps: int, block: int, compiled: dict[str, float], pinned: str
) -> None:
    anchor, eager, fast = sides[:3]
    by_name = {side.name: side for side in sides}

    def gap(a: Side, b: Side, n: int) -> float:
        n = min(n, len(a.losses), len(b.losses))
        return max(abs(x - y) for x, y in zip(a.losses[:n], b.losses[:n]))

    window = min(ACCEPT, steps, len(anchor.losses))
    print(
        f"microgpt's run, nn.microgpt(seed=42), {steps} steps of its {HORIZON}-step schedule, "
        f"sides taking turns of {block} steps; {pinned}; float64 except the column marked float32\n"
    )
    whole = [
        f"{s.whole_run(steps):.1f} s" + (f" (mean step x {steps})" if len(s.times) < steps else "")
        for s in sides
    ]
    rows = [
        (
            "step (forward+backward+Adam), median",
            *[f"{1e3 * statistics.median(s.times):.3g} ms" for s in sides],
        ),
        (f"whole run ({steps} steps), compiling included", *whole),
        (
            "compile the longest name (16 positions)",
            *[f"{compiled[s.name]:.2f} s" if s.name in compiled else "" for s in sides],
        ),
        (
            "loss, mean of the last 50 steps",
            *[
                f"{statistics.fmean(s.losses[-50:]):.4f}"
                + (f" (of {len(s.losses)})" if len(s.losses) < steps else "")
                for s in sides
            ],
        ),
    ]
    header = ("", *[s.name for s in sides])
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")
    print()
    base, run = statistics.median(anchor.times), anchor.whole_run(steps)
    per_step = base / statistics.median(eager.times)
    print(f"- eager vs microgpt: {per_step:.1f}x faster per step (target >= 3x); losses equal to "
          f"{gap(anchor, eager, window):.1e} over the first {window} steps (target <= 1e-9)")
    per_step, whole = base / statistics.median(fast.times), run / fast.whole_run(steps)
    print(f"- compiled vs microgpt: {per_step:.0f}x faster per step, {whole:.0f}x the whole run "
          f"with compiling (target >= 100x); compiled vs eager losses equal to "
          f"{gap(eager, fast, steps):.1e} over {steps} steps (target <= 1e-9)")
    for name in ("PyTorch eager", "JAX jit"):
        if name in by_name:
            side = by_name[name]
            per_step = statistics.median(fast.times) / statistics.median(side.times)
            whole = fast.whole_run(steps) / side.whole_run(steps)
            print(f"- compiled vs {name}: {per_step:.2f}x its time per step, {whole:.2f}x its "
                  f"whole run (compiling included); its losses equal microgpt's to "
                  f"{gap(anchor, side, window):.1e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=HORIZON, help="steps of microgpt's run to train (default 1000)"
    )
    parser.add_argument(
        "--block", type=int, default=BLOCK, help=f"consecutive steps per turn (default {BLOCK})"
    )
    parser.add_argument(
        "--reference-steps",
        type=int,
        default=ACCEPT,
        help=f"steps of microgpt's own Value (default {ACCEPT}; its whole run is extrapolated)",
    )
    args = parser.parse_args()
    main(args.steps, args.block, args.reference_steps)
