"""``engine="compiled"`` for the GPT: one traced graph per sequence length, replayed with numpy.

A name of n characters gives a graph of a fixed shape for its n + 1 positions (at most
block_size), whatever its characters are: the tokens are inputs of the trace, and an embedding
row or a target's probability is picked by a traced gather (``nn.gpt.gather``). So the traces
are cached by that length, each compiled (``autograd.compile``) the first time a name of that
length comes, as JAX caches a jitted function per input shape.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .gpt import GPT


def compiled_step(model: GPT) -> Callable[[list[int]], float]:
    """tokens -> loss, leaving d(loss)/dp in every parameter's .grad, by the replay of a cached trace."""
    params = model.parameters()
    traces: dict[int, autograd.Compiled] = {}

    def step(tokens: list[int]) -> float:
        n = min(model.block_size, len(tokens) - 1)
        replay = traces.get(n)
        if replay is None:
            replay = traces[n] = autograd.compile(model.loss, n + 1, params)
        loss, grads = replay.value_and_grad(np.array([tokens[:n + 1]], dtype=np.float64))
        for p, g in zip(params, grads.tolist()):
            p.grad = g
        return float(loss[0])

    step.traces = traces
    return step
