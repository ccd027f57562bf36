"""Training the GPT of ``nn.gpt`` on names, and microgpt's exact run.

``train_gpt`` is microgpt's loop: one name per step, its loss (the mean over positions of
-log p(next character)), backward, an Adam step; the loop is ``nn.fit``'s (``nn.loop``).
``microgpt(seed=42)`` sets up the names and the model drawing the random numbers exactly as
Karpathy's program does, so that

    docs, model = nn.microgpt(seed=42)
    opt = nn.optim.Adam(model.parameters(), lr=nn.optim.LinearDecay(0.01, 0.0, steps=1000),
                        betas=(0.85, 0.99), eps=1e-8)
    history = nn.train_gpt(model, docs, steps=200, optimizer=opt)

gives its first 200 losses (tests/test_gpt_microgpt.py checks them against a re-implementation
of the published program, benchmarks/bench_gpt.py all of them).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from autograd import Value

from .gpt import GPT
from .gpt_compiled import CompiledStep
from .loop import Engine, check_engine, train_loop
from .monitor import History
from .names import load_names
from .optim import Optimizer
from .train import default_optimizer

GPTStep = Callable[[list[int]], float]
"""tokens of one name -> its loss, leaving d(loss)/dp in every p.grad (or the engine's array)."""


def train_gpt(model: GPT, docs: Sequence[str], steps: int, optimizer: Optimizer | None = None,
              engine: str = "eager", progress: bool = True) -> History:
    """Train ``model`` for ``steps`` steps, step k on ``docs[k % len(docs)]``; the History holds
    every loss.

    The tokens of a name are [BOS] + its characters + [BOS]; the loss of a step is the mean over
    its first block_size positions of -log softmax(logits)[next token], taken before that step's
    update. ``engine="compiled"`` replays one traced graph per 4 positions (equal losses, much
    faster). The default optimiser is microgpt's (``nn.default_optimizer``). A run that diverges
    stops with ``TrainingDiverged`` as ``nn.fit``'s does.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"nn.train_gpt: expected an nn.GPT, got {type(model).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"nn.train_gpt: steps must be a positive int, got {steps!r}")
    if isinstance(docs, str) or not isinstance(docs, Sequence) or not docs:
        raise ValueError("nn.train_gpt: docs must be a non-empty list of names")
    check_engine(engine, "nn.train_gpt")
    # encoding every name checks its characters before training starts
    tokens = [model.encode(doc) for doc in docs[:steps]]
    if optimizer is None:
        optimizer = default_optimizer(model, None, steps)
    run = Engine(engine, model, model.parameters(), optimizer, "nn.train_gpt")
    step = gpt_step(model, run)
    names = (tokens[k % len(tokens)] for k in range(steps))
    return train_loop(run, lambda name: (step(name), None), names, steps, progress,
                      "nn.train_gpt", "Try a smaller learning rate")


def gpt_step(model: GPT, engine: Engine) -> GPTStep:
    """The step of ``engine``: the eager graph of one name and backward, or the replay of a
    traced one (``nn.gpt_compiled``)."""
    if engine.compiled:
        return CompiledStep(model, engine.params, engine.programs, engine.array)
    return eager_step(model, engine.params)


def eager_step(model: GPT, params: list[Value]) -> GPTStep:
    """The scalar engine: the graph of one name, its loss, backward."""

    def step(tokens: list[int]) -> float:
        loss = model.loss(tokens)
        for p in params:  # model.zero_grad() on the list made once (walking the modules: ~3 ms)
            p.grad = 0.0
        loss.backward()
        return loss.data

    return step


def microgpt(seed: int = 42) -> tuple[list[str], GPT]:
    """microgpt's set-up: the names shuffled and the model initialised, drawing the randomness as
    it does.

    ``rng = random.Random(seed)``; ``rng.shuffle`` on the names in file order; then every weight
    ``rng.gauss(0, 0.08)`` in microgpt's order. The vocabulary is the sorted set of characters.
    """
    rng = random.Random(seed)
    docs = load_names()
    rng.shuffle(docs)
    chars = "".join(sorted(set("".join(docs))))
    return docs, GPT(len(chars) + 1, chars=chars, seed=rng)
