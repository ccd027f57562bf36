"""Training the GPT of ``nn.gpt`` on names, and microgpt's exact run.

``train_gpt`` is microgpt's loop: one name per step, its loss (the mean over positions of
-log p(next character)), backward, an Adam step. ``microgpt(seed=42)`` sets up the names and the
model drawing the random numbers exactly as Karpathy's program does, so that

    docs, model = nn.microgpt(seed=42)
    opt = nn.optim.Adam(model.parameters(), lr=nn.optim.LinearDecay(0.01, 0.0, steps=1000),
                        betas=(0.85, 0.99), eps=1e-8)
    history = nn.train_gpt(model, docs, steps=200, optimizer=opt)

gives its first 200 losses (tests/test_gpt_microgpt.py checks them against a re-implementation
of the published program, benchmarks/bench_gpt.py all of them).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from .gpt import GPT
from .names import load_names
from .optim import Adam, LinearDecay, Optimizer
from .train import History, _progress_bar

ENGINES = ("eager", "compiled")


def default_optimizer(model: GPT, steps: int) -> Adam:
    """microgpt's: Adam(lr 0.01, betas (0.85, 0.99), eps 1e-8), lr falling linearly to 0 over ``steps``."""
    return Adam(model.parameters(), lr=LinearDecay(0.01, 0.0, steps), betas=(0.85, 0.99), eps=1e-8)


def train_gpt(model: GPT, docs: Sequence[str], steps: int, optimizer: Optimizer | None = None,
              engine: str = "eager", progress: bool = True) -> History:
    """Train ``model`` for ``steps`` steps, step k on ``docs[k % len(docs)]``; the History holds every loss.

    The tokens of a name are [BOS] + its characters + [BOS]; the loss of a step is the mean over its
    first block_size positions of -log softmax(logits)[next token], taken before that step's update.
    ``engine="compiled"`` replays one traced graph per 4 positions (equal losses, much faster).
    """
    if not isinstance(model, GPT):
        raise TypeError(f"nn.train_gpt: expected an nn.GPT, got {type(model).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"nn.train_gpt: steps must be a positive int, got {steps!r}")
    if isinstance(docs, str) or not isinstance(docs, Sequence) or not docs:
        raise ValueError("nn.train_gpt: docs must be a non-empty list of names")
    if engine not in ENGINES:
        raise ValueError(f"nn.train_gpt: engine must be 'eager' or 'compiled', got {engine!r}")
    tokens = [model.encode(doc) for doc in docs[:steps]]  # checks the characters before training starts
    if optimizer is None:
        optimizer = default_optimizer(model, steps)
    trainer = make_trainer(model, engine, optimizer)
    history = History()
    bar = _progress_bar(steps, progress)
    try:
        for k in range(steps):
            loss = trainer.loss_and_grad(tokens[k % len(tokens)])
            if not math.isfinite(loss):
                raise FloatingPointError(f"nn.train_gpt: at step {k}: the loss is {loss!r}; the training diverged")
            trainer.update()
            history.loss.append(loss)
            if bar is not None:
                bar.set_postfix({"loss": f"{loss:.4f}"}, refresh=False)
                bar.update()
    finally:
        trainer.close()
        if bar is not None:
            bar.close()
    return history


class EagerTrainer:
    """The scalar engine: the graph of one name, backward, the optimiser's step."""

    def __init__(self, model: GPT, optimizer: Optimizer) -> None:
        self.model, self.optimizer = model, optimizer
        self.params = model.parameters()  # listed once: walking the modules every step costs ~3 ms

    def loss_and_grad(self, tokens: list[int]) -> float:
        loss = self.model.loss(tokens)
        for p in self.params:  # model.zero_grad(), on the list made once
            p.grad = 0.0
        loss.backward()
        return loss.data

    def update(self) -> None:
        self.optimizer.step()

    def close(self) -> None:
        pass


def make_trainer(model: GPT, engine: str, optimizer: Optimizer):
    """An object with ``loss_and_grad(tokens) -> loss``, ``update()`` and ``close()`` for ``engine``."""
    if engine == "compiled":
        from .gpt_compiled import CompiledTrainer

        return CompiledTrainer(model, optimizer)
    return EagerTrainer(model, optimizer)


def microgpt(seed: int = 42) -> tuple[list[str], GPT]:
    """microgpt's set-up: the names shuffled and the model initialised, drawing the randomness as it does.

    ``rng = random.Random(seed)``; ``rng.shuffle`` on the names in file order; then every weight
    ``rng.gauss(0, 0.08)`` in microgpt's order. The vocabulary is the sorted set of characters.
    """
    rng = random.Random(seed)
    docs = load_names()
    rng.shuffle(docs)
    chars = "".join(sorted(set("".join(docs))))
    return docs, GPT(len(chars) + 1, chars=chars, seed=rng)
