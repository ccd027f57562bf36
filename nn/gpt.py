"""A GPT built from scalar Values: Karpathy's microgpt (February 2026) as a ``Module``.

One token at a time, as microgpt computes it (D12-D15 in docs/derivations.md):

    x = rmsnorm(wte[token] + wpe[pos])                          embeddings, normalised once
    per layer:
        x = x + Wo . concat_h( softmax_t(q_h . k_h,t / sqrt(d)) . v_h,t )   attention over the cache
        x = x + W2 . relu(W1 . rmsnorm(x))                                    MLP of width 4 n_embd
    logits = lm_head . x                                        untied from wte, no biases anywhere

with q, k, v = Wq, Wk, Wv . rmsnorm(x); the keys and values of the earlier positions come from a
per-sequence cache (``KVCache``), so position t attends to 0..t (causal). ``rmsnorm(x) = x /
sqrt(mean(x^2) + 1e-5)``; softmax subtracts the largest logit first (a ``max`` node, whose
gradient cancels: softmax does not change when every logit moves together).

Every number is computed with microgpt's arithmetic in microgpt's order (sums from the left,
``a / b`` as ``a * b**-1``), so a model initialised as microgpt's (``nn.microgpt``) gives its
losses to the last few bits. A weight matrix is kept as one flat list of Values, row after row
(``wte0`` .. ``wte{vocab_size * n_embd - 1}`` in ``state_dict()``); ``rows(name)`` gives the rows.
"""

from __future__ import annotations

import random
import string
from functools import reduce
from operator import add
from typing import Any

import autograd
from autograd import Value, no_grad

from .loss_inputs import largest
from .losses import softmax
from .module import Module

PythonSeed = int | random.Random | None
"""A seed of Python's ``random``, which microgpt draws from (``gauss``, ``choices``): an int, a
``random.Random`` or None (``nn.init.Seed`` also takes a numpy Generator)."""
KVCache = list[tuple[list[list[Value]], list[list[Value]]]]
"""Per layer, the keys and the values of the positions seen so far (one list of n_embd Values
each)."""
Record = dict[str, list[Any]]
"""Intermediate Values of a forward pass by name, each list one entry per step (``GPT.step``)."""

RMS_EPS = 1e-5
INIT_STD = 0.08


class Block(Module):
    """One transformer layer: multi-head causal self-attention, then a ReLU MLP, each with a
    residual."""

    show_submodules = False

    def __init__(self, n_embd: int, n_head: int, rng: random.Random, std: float = INIT_STD) -> None:
        self.n_embd, self.n_head = n_embd, n_head
        self.attn_wq = _matrix(rng, n_embd, n_embd, std)
        self.attn_wk = _matrix(rng, n_embd, n_embd, std)
        self.attn_wv = _matrix(rng, n_embd, n_embd, std)
        self.attn_wo = _matrix(rng, n_embd, n_embd, std)
        self.mlp_fc1 = _matrix(rng, 4 * n_embd, n_embd, std)
        self.mlp_fc2 = _matrix(rng, n_embd, 4 * n_embd, std)
        self._rows = {
            name: _rows(getattr(self, name), n_embd if name != "mlp_fc2" else 4 * n_embd)
            for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")
        }

    def __call__(
        self,
        x: list[Value],
        keys: list[list[Value]],
        values: list[list[Value]],
        record: Record | None = None,
    ) -> list[Value]:
        """The layer's output at the next position; appends this position's key and value to the
        cache.

        ``record`` (a dict, optional) collects the layer's intermediate Values: see ``GPT.step``."""
        rows = self._rows
        residual = x
        x = rmsnorm(x)
        q = linear(x, rows["attn_wq"])
        keys.append(linear(x, rows["attn_wk"]))
        values.append(linear(x, rows["attn_wv"]))
        heads = attention(q, keys, values, self.n_head, record)
        x = linear(heads, rows["attn_wo"])
        x = [a + b for a, b in zip(x, residual)]
        residual = x
        x = [h.relu() for h in linear(rmsnorm(x), rows["mlp_fc1"])]
        x = linear(x, rows["mlp_fc2"])
        out = [a + b for a, b in zip(x, residual)]
        _keep(record, q=q, k=keys[-1], v=values[-1], heads=heads, out=out)
        return out

    def summary(self) -> str:
        return f"Block(n_embd={self.n_embd}, n_head={self.n_head})"


class GPT(Module):
    """microgpt's model: ``GPT(27)`` is its 4,192-parameter network (1 layer, 16 wide, 4 heads, 16
    positions).

    Token ids 0..vocab_size-2 are the characters ``chars`` (a-z by default), ``vocab_size - 1`` is
    BOS, which starts and ends every name. Weights are N(0, 0.08^2), drawn from ``seed`` (an int or
    a ``random.Random``) in microgpt's order: wte, wpe, lm_head, then per layer attn_wq, attn_wk,
    attn_wv, attn_wo, mlp_fc1, mlp_fc2, each row after row.
    """

    def __init__(
        self,
        vocab_size: int,
        n_layer: int = 1,
        n_embd: int = 16,
        n_head: int = 4,
        block_size: int = 16,
        seed: PythonSeed = None,
        chars: str | None = None,
    ) -> None:
        for name, n in (
            ("vocab_size", vocab_size),
            ("n_layer", n_layer),
            ("n_embd", n_embd),
            ("n_head", n_head),
            ("block_size", block_size),
        ):
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"GPT: {name} must be a positive int, got {n!r}")
        if vocab_size < 2:
            raise ValueError(
                f"GPT: vocab_size must be at least 2 (one character and BOS), got {vocab_size}"
            )
        if n_embd % n_head:
            raise ValueError(f"GPT: n_embd ({n_embd}) must be a multiple of n_head ({n_head})")
        self.chars = _check_chars(chars, vocab_size)
        self.vocab_size, self.n_layer, self.n_embd, self.n_head, self.block_size = (
            vocab_size,
            n_layer,
            n_embd,
            n_head,
            block_size,
        )
        rng = _random(seed, "GPT")
        self.wte = _matrix(rng, vocab_size, n_embd)
        self.wpe = _matrix(rng, block_size, n_embd)
        self.lm_head = _matrix(rng, vocab_size, n_embd)
        self.layers = [Block(n_embd, n_head, rng) for _ in range(n_layer)]
        self._rows = {
            name: _rows(getattr(self, name), n_embd) for name in ("wte", "wpe", "lm_head")
        }
        self.assign_names(self.name)

    @property
    def bos(self) -> int:
        """The token id that begins and ends a name (the last one)."""
        return self.vocab_size - 1

    # ------------------------------------------------------------ forward
    def new_cache(self) -> KVCache:
        """An empty key/value cache for one sequence."""
        return [([], []) for _ in self.layers]

    def step(
        self, token: int | Value, pos: int, cache: KVCache, record: Record | None = None
    ) -> list[Value]:
        """The logits of the token after ``token`` at position ``pos``, attending to the cached
        positions.

        With ``record`` (a dict), the Values the step makes on the way are appended to its lists,
        for pictures of the model (``viz.explore_gpt``): "token_emb", "pos_emb", "emb" (their sum),
        "norm"; per layer "q", "k", "v", "scores" and "weights" (one list per head, over the
        positions attended to), "heads" (the heads' outputs, concatenated) and "out", at index pos *
        n_layer + layer; and "logits". The numbers and
        the graph are the same with or without it."""
        if not 0 <= pos < self.block_size:
            raise ValueError(
                f"GPT.step: position {pos} is outside 0..{self.block_size - 1} (block_size)"
            )
        if not isinstance(token, Value) and not 0 <= token < self.vocab_size:
            raise ValueError(
                f"GPT.step: token {token!r} is outside 0..{self.vocab_size - 1} (vocab_size)"
            )
        token_row, pos_row = gather(self._rows["wte"], token), self._rows["wpe"][pos]
        emb = [t + p for t, p in zip(token_row, pos_row)]
        x = rmsnorm(emb)
        _keep(record, token_emb=token_row, pos_emb=pos_row, emb=emb, norm=x)
        for layer, (keys, values) in zip(self.layers, cache):
            x = layer(x, keys, values, record)
        logits = linear(x, self._rows["lm_head"])
        _keep(record, logits=logits)
        return logits

    def loss(self, tokens: list[int] | list[Value], record: Record | None = None) -> Value:
        """The mean over positions of -log softmax(logits)[next token] (D13), on the first
        block_size positions.

        ``record`` (a dict, optional) collects what ``step`` records, and each position's term
        ("nll")."""
        n = min(self.block_size, len(tokens) - 1)
        if n < 1:
            raise ValueError(f"GPT.loss: need at least 2 tokens, got {len(tokens)}")
        cache = self.new_cache()
        losses = [
            nll(self.step(tokens[pos], pos, cache, record), tokens[pos + 1]) for pos in range(n)
        ]
        _keep(record, nll=losses)
        return reduce(add, losses) * (1 / n)

    def encode(self, name: str) -> list[int]:
        """[BOS] + the characters' ids + [BOS]."""
        if not isinstance(name, str):
            raise TypeError(f"GPT.encode: expected a str, got {type(name).__name__}")
        bad = sorted(set(name) - set(self.chars))
        if bad:
            raise ValueError(
                f"GPT.encode: {name!r} has characters outside the vocabulary {self.chars!r}: {bad}"
            )
        return [self.bos, *(self.chars.index(c) for c in name), self.bos]

    def sample(self, n: int = 20, temperature: float = 0.5, seed: PythonSeed = None) -> list[str]:
        """``n`` new names: each token drawn from softmax(logits / temperature), until BOS or
        block_size.

        ``seed`` is an int or a ``random.Random`` (drawn from with ``choices``, as microgpt does).
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"GPT.sample: n must be a non-negative int, got {n!r}")
        if (
            isinstance(temperature, bool)
            or not isinstance(temperature, int | float)
            or not 0 < temperature < 1e6
        ):
            raise ValueError(
                f"GPT.sample: temperature must be a positive number, got {temperature!r}"
            )
        rng = _random(seed, "GPT.sample")
        inverse = temperature**-1  # microgpt's logit / temperature is logit * temperature**-1
        ids = range(self.vocab_size)
        names = []
        with no_grad():
            for _ in range(n):
                cache, token, chars = self.new_cache(), self.bos, []
                for pos in range(self.block_size):
                    probs = softmax([logit * inverse for logit in self.step(token, pos, cache)])
                    token = rng.choices(ids, weights=[p.data for p in probs])[0]
                    if token == self.bos:
                        break
                    chars.append(self.chars[token])
                names.append("".join(chars))
        return names

    # ------------------------------------------------------------ module
    def rows(self, name: str) -> list[list[Value]]:
        """A weight matrix as rows of Values: "wte", "wpe", "lm_head" or "layers.0.attn_wq" and so
        on."""
        owner, _, attr = name.rpartition(".")
        module = dict(self.named_modules())[owner] if owner else self
        return module._rows[attr]

    def config(self) -> dict[str, Any]:
        return {
            "vocab_size": self.vocab_size,
            "n_layer": self.n_layer,
            "n_embd": self.n_embd,
            "n_head": self.n_head,
            "block_size": self.block_size,
            "chars": self.chars,
        }

    def summary(self) -> str:
        return (
            f"GPT(vocab_size={self.vocab_size}, n_layer={self.n_layer}, n_embd={self.n_embd}, "
            f"n_head={self.n_head}, block_size={self.block_size}, {len(self.parameters())} "
            "parameters)"
        )


# ---------------------------------------------------------------- the pieces, on lists of Values


def linear(x: list[Value], rows: list[list[Value]]) -> list[Value]:
    """W x without bias: one dot product per row (D1)."""
    return [dot(row, x) for row in rows]


def dot(a: list[Value], b: list[Value]) -> Value:
    """a_0 b_0 + a_1 b_1 + ..., added from the left (microgpt's ``sum``, whose 0 + a_0 b_0 changes
    nothing): one ``dot`` node of the engine rather than 2n - 1 binary nodes, with the same
    number."""
    return autograd.dot(a, b)


def rmsnorm(x: list[Value]) -> list[Value]:
    """x_i / sqrt(mean_j x_j^2 + 1e-5) (D14), as x_i * (ms + eps)**-0.5."""
    ms = dot(x, x) * (1 / len(x))
    scale = (ms + RMS_EPS) ** -0.5
    return [xi * scale for xi in x]


def nll(logits: list[Value], target: int | Value) -> Value:
    """-log softmax(logits)[target] (D13): only the target's probability is formed."""
    top = largest(logits)
    exps = [(z - top).exp() for z in logits]
    return -(gather([[e] for e in exps], target)[0] * reduce(add, exps) ** -1).log()


def gather(rows: list[list[Value]], index: int | Value) -> list[Value]:
    """``rows[index]``. A traced index (an input of ``autograd.compile``) has no number yet: the row
    is then sum_r [index = r] rows[r], one-hot masks (the rule table's ``eq``) times the rows, which
    is exactly rows[index] in floating point (0 w = 0, and adding zeros changes nothing), and whose
    gradient reaches the chosen row only (d/d rows[r] = [index = r])."""
    if not isinstance(index, Value):
        return rows[index]
    masks = [index.equal(float(r)) for r in range(len(rows))]
    return [reduce(add, [m * row[i] for m, row in zip(masks, rows)]) for i in range(len(rows[0]))]


def attention(
    q: list[Value],
    keys: list[list[Value]],
    values: list[list[Value]],
    n_head: int,
    record: Record | None = None,
) -> list[Value]:
    """Per head h: softmax_t(q_h . k_t,h / sqrt(d)) . v_t,h over the cached positions t (D15); heads
    concatenated.

    ``record`` (a dict, optional) gets one list of scaled scores and one of weights per head."""
    d = len(q) // n_head
    scale = (
        d**0.5
    ) ** -1  # microgpt divides by head_dim**0.5, which its Value does as * (head_dim**0.5)**-1
    out: list[Value] = []
    all_scores, all_weights = [], []
    for h in range(0, len(q), d):
        q_h = q[h : h + d]
        scores = [dot(q_h, k[h : h + d]) * scale for k in keys]
        weights = softmax(scores)
        out.extend(dot(weights, [v[j] for v in values]) for j in range(h, h + d))
        all_scores.append(scores)
        all_weights.append(weights)
    _keep(record, scores=all_scores, weights=all_weights)
    return out


# ---------------------------------------------------------------- helpers


def _matrix(rng: random.Random, nout: int, nin: int, std: float = INIT_STD) -> list[Value]:
    """nout x nin weights N(0, std^2), drawn row after row, as one flat list."""
    return [Value(rng.gauss(0, std)) for _ in range(nout * nin)]


def _random(seed: PythonSeed, where: str) -> random.Random:
    if isinstance(seed, random.Random):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(
            f"{where}: seed must be an int, a random.Random or None, got {type(seed).__name__}"
        )
    return random.Random(seed)


def _keep(record: Record | None, **values: Any) -> None:
    """Append each named Value (or list of them) to ``record[name]``, when there is a record."""
    if record is not None:
        for name, value in values.items():
            record.setdefault(name, []).append(value)


def _rows(flat: list[Value], nin: int) -> list[list[Value]]:
    return [flat[i : i + nin] for i in range(0, len(flat), nin)]


def _check_chars(chars: str | None, vocab_size: int) -> str:
    if chars is None:
        if vocab_size - 1 > 26:
            raise ValueError(
                f"GPT: give chars= for a vocabulary of {vocab_size} (a-z cover 26 characters and "
                "BOS)"
            )
        return string.ascii_lowercase[: vocab_size - 1]
    if not isinstance(chars, str) or len(chars) != vocab_size - 1 or len(set(chars)) != len(chars):
        raise ValueError(
            f"GPT: chars must be {vocab_size - 1} distinct characters (vocab_size - 1), got "
            f"{chars!r}"
        )
    return chars
