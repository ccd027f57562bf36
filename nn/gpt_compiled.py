"""``engine="compiled"`` for the GPT: one traced graph per sequence length, replayed with numpy.

A name of n characters gives a graph of a fixed shape for its n + 1 positions (at most
block_size), whatever its characters are: the tokens are inputs of the trace, and an embedding
row or a target's probability is picked by a traced gather (``nn.gpt.gather``). So the traces
are cached by that length, each compiled (``autograd.compile``) the first time a name of that
length comes, as JAX caches a jitted function per input shape. They are kept in the model's
cache (``nn.compile_cache``) when training ends, so a resumed run compiles no length twice.

When the optimiser has an array form (``nn.optim.Adam``, ``SGD``) and holds exactly the model's
parameters, they live in one ``autograd.ParameterArray`` during training, as in ``nn.fit``: every
trace reads it, the optimiser updates it in place, and ``close()`` writes it back into the Values.
"""

from __future__ import annotations

import numpy as np

import autograd

from .compile_cache import Borrowed
from .gpt import GPT
from .optim import Optimizer
from .train import _parameter_array


class CompiledTrainer:
    """tokens -> loss with the gradients (``loss_and_grad``), then ``update()``; ``close()`` at the end."""

    def __init__(self, model: GPT, optimizer: Optimizer | None = None) -> None:
        self.model, self.optimizer = model, optimizer
        self.params = model.parameters()
        self.traces: dict[int, autograd.Compiled] = {}
        self.borrowed = Borrowed(model, self.params)
        self.array = None if optimizer is None else _parameter_array("compiled", self.params, optimizer)

    def loss_and_grad(self, tokens: list[int]) -> float:
        """The loss of one name; its gradients in the parameter array, or in every parameter's .grad."""
        n = min(self.model.block_size, len(tokens) - 1)
        replay = self.traces.get(n)
        if replay is None:
            replay = self.traces[n] = self.borrowed.get(
                ("gpt", n + 1), lambda: autograd.compile(self.model.loss, n + 1, self.params))
            replay.bind(self.array)
        X = np.array([tokens[:n + 1]], dtype=np.float64)
        loss, grads = replay.value_and_grad(X, out=None if self.array is None else self.array.grad)
        if self.array is None:
            for p, g in zip(self.params, grads.tolist(), strict=True):
                p.grad = g
        return float(loss[0])

    __call__ = loss_and_grad

    def update(self) -> None:
        """The optimiser's step, on the parameter array when there is one."""
        if self.array is None:
            self.optimizer.step()
        else:
            self.optimizer.step_array(self.array)

    def close(self) -> None:
        """Write the parameter array back into the Values (their .data and .grad); the traces go
        back to the model's cache."""
        if self.array is not None:
            self.array.sync()
        self.borrowed.release()
        self.traces.clear()


def compiled_step(model: GPT) -> CompiledTrainer:
    """tokens -> loss, leaving d(loss)/dp in every parameter's .grad, by the replay of a cached trace."""
    return CompiledTrainer(model)
