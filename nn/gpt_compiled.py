"""``engine="compiled"`` for the GPT: a traced graph per few sequence lengths, replayed by numpy.

A name of n characters gives a graph of a fixed shape for its n + 1 positions (at most
block_size), whatever its characters are: the tokens are inputs of the trace, and an embedding
row or a target's probability is picked by a traced gather (``nn.gpt.gather``). Attention is
causal, so position t never reads a later token: a trace of ``width`` positions that returns
each position's loss serves every shorter name, padded with BOS, its extra positions seeded
with 0 (they add exact zeros to the gradients) and the loss the mean of the first n, added in
the eager order. The widths are multiples of ``PAD_TO`` (at most block_size), each compiled
(``autograd.compile``) the first time a name needs it: microgpt's 16 positions need 4 traces
instead of one per length, as JAX users pad to a few shapes. They are kept in the model's
cache (``nn.compile_cache``) when training ends, so a resumed run compiles no width twice.

When the optimiser has an array form (``nn.optim.Adam``, ``SGD``) and holds exactly the model's
parameters, they live in one ``autograd.ParameterArray`` during training (``nn.loop.Engine``), as
in ``nn.fit``: every trace reads it, the optimiser updates it in place, and the engine's
``close()`` writes it back into the Values.
"""

from __future__ import annotations

from functools import reduce
from operator import add

import numpy as np

import autograd
from autograd import Value

from .compile_cache import Borrowed
from .gpt import GPT, nll

PAD_TO = 4
"""Names are padded to a multiple of this many positions: each trace serves up to PAD_TO lengths."""


def position_losses(model: GPT, tokens: list) -> list:
    """-log softmax(logits)[next token] at every position of ``tokens`` (``GPT.loss``'s terms)."""
    cache = model.new_cache()
    return [nll(model.step(tokens[pos], pos, cache), tokens[pos + 1])
            for pos in range(len(tokens) - 1)]


class CompiledStep:
    """tokens -> the loss of one name, its gradients in the parameter array (when the engine has
    one) or in every parameter's .grad; one trace per ``PAD_TO`` positions, kept in ``traces``."""

    def __init__(self, model: GPT, params: list[Value] | None = None,
                 programs: Borrowed | None = None,
                 array: autograd.ParameterArray | None = None) -> None:
        self.model = model
        self.params = model.parameters() if params is None else params
        self.programs = Borrowed(model, self.params) if programs is None else programs
        self.array = array
        self.traces: dict[int, autograd.Compiled] = {}

    def __call__(self, tokens: list[int]) -> float:
        n = min(self.model.block_size, len(tokens) - 1)
        width = min(self.model.block_size, -(-n // PAD_TO) * PAD_TO)
        replay = self.traces.get(width)
        if replay is None:
            compile_width = lambda: autograd.compile(
                lambda v: position_losses(self.model, v), width + 1, self.params)
            replay = self.traces[width] = self.programs.get(("gpt", width + 1), compile_width)
            replay.bind(self.array)
        X = np.array([tokens[:n + 1] + [self.model.bos] * (width - n)], dtype=np.float64)
        seed = np.zeros((1, width))
        seed[0, :n] = 1 / n  # d(mean of the first n)/d(loss at each of them); the padding's are 0
        out = None if self.array is None else self.array.grad
        losses, grads = replay.value_and_grad(X, seed, out=out)
        if self.array is None:
            for p, g in zip(self.params, grads.tolist(), strict=True):
                p.grad = g
        return reduce(add, losses[0, :n].tolist()) * (1 / n)  # as GPT.loss adds them


def compiled_step(model: GPT) -> CompiledStep:
    """tokens -> loss, leaving d(loss)/dp in every parameter's .grad, by the replay of a cached
    trace."""
    return CompiledStep(model)
