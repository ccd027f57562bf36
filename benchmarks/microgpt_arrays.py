"""microgpt written with arrays, for PyTorch (eager) and JAX (``jit``): the anchors of bench_gpt.

The same model, initial weights, loss and optimiser as microgpt (tests/microgpt_reference.py):
a name's positions at once, causal attention by an additive mask (0 on and below the diagonal,
-inf above), the softmax shifted by its row's largest logit as a constant (``rowmax``), RMSNorm
with eps 1e-5, Adam with betas (0.85, 0.99), eps 1e-8 and the rate 0.01 * (1 - step / 1000).
Float64 unless asked otherwise. The weights are those of ``nn.microgpt(seed=42)``, which draws
microgpt's. The losses agree with microgpt's to roundoff (the sums are added in another order);
bench_gpt prints the largest difference.

JAX compiles one program per name length (the shapes differ), as ``jit`` does for any new shape.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

import nn

HORIZON, BETAS, EPS = 1000, (0.85, 0.99), 1e-8
MATRICES = ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")


def initial_weights() -> tuple[list[str], dict[str, np.ndarray]]:
    """(the shuffled names, microgpt's initial weights as matrices, rows = outputs), from
    nn.microgpt(seed=42)."""
    docs, model = nn.microgpt(seed=42)
    e = model.n_embd
    weights = {
        name: np.array([p.data for p in getattr(model, name)]).reshape(-1, e)
        for name in ("wte", "wpe", "lm_head")
    }
    for i, block in enumerate(model.layers):
        for name in MATRICES:
            weights[f"{i}.{name}"] = np.array([p.data for p in getattr(block, name)]).reshape(
                -1, e if name != "mlp_fc2" else 4 * e
            )
    return docs, weights


def encode(docs: list[str]) -> list[np.ndarray]:
    """The tokens of the first HORIZON names, [BOS] + characters + [BOS], cut to block_size + 1 as
    microgpt
    reads them (its positions 0..n-1, n = min(16, len - 1), and their next tokens)."""
    chars = sorted(set("".join(docs)))
    tokens = [[len(chars)] + [chars.index(c) for c in doc] + [len(chars)] for doc in docs[:HORIZON]]
    return [np.array(t[: min(16, len(t) - 1) + 1]) for t in tokens]


def loss(
    xp: SimpleNamespace, W: dict, tokens: np.ndarray, n_layer: int = 1, n_head: int = 4
) -> object:
    """The mean over the n = len(tokens) - 1 positions of -log softmax(logits)[next token]."""
    n = len(tokens) - 1
    mask = xp.asarray(np.triu(np.full((n, n), -np.inf, dtype=xp.dtype), k=1))

    def rmsnorm(x):
        return x * (xp.rowsum(x * x) * (1 / x.shape[-1]) + 1e-5) ** -0.5

    x = rmsnorm(W["wte"][tokens[:-1]] + W["wpe"][:n])
    for i in range(n_layer):
        residual, h = x, rmsnorm(x)
        q, k, v = (h @ W[f"{i}.attn_w{c}"].T for c in "qkv")
        d = q.shape[1] // n_head
        heads = []
        for s in range(0, q.shape[1], d):
            scores = q[:, s : s + d] @ k[:, s : s + d].T * (d**0.5) ** -1 + mask
            exps = xp.exp(scores - xp.rowmax(scores))
            heads.append((exps / xp.rowsum(exps)) @ v[:, s : s + d])
        x = xp.concat(heads) @ W[f"{i}.attn_wo"].T + residual
        x = xp.relu(rmsnorm(x) @ W[f"{i}.mlp_fc1"].T) @ W[f"{i}.mlp_fc2"].T + x
    logits = x @ W["lm_head"].T
    top = xp.rowmax(logits)
    log_probs = logits - top - xp.log(xp.rowsum(xp.exp(logits - top)))
    return -log_probs[xp.arange(n), tokens[1:]].mean()


def torch_trainer(dtype: str = "float64") -> tuple[Callable[[], float], list[str]]:
    """(step() -> the next name's loss before the update, the names): microgpt in PyTorch eager."""
    import torch

    kind = getattr(torch, dtype)
    docs, weights = initial_weights()
    W = {name: torch.tensor(w, dtype=kind, requires_grad=True) for name, w in weights.items()}
    xp = SimpleNamespace(
        exp=torch.exp,
        log=torch.log,
        relu=torch.relu,
        rowmax=lambda t: t.detach().amax(-1, keepdim=True),
        rowsum=lambda t: t.sum(-1, keepdim=True),
        concat=lambda parts: torch.cat(parts, dim=1),
        asarray=torch.as_tensor,
        arange=torch.arange,
        dtype=getattr(np, dtype),
    )
    m = {k: torch.zeros_like(w) for k, w in W.items()}
    v = {k: torch.zeros_like(w) for k, w in W.items()}
    encoded = [torch.as_tensor(t) for t in encode(docs)]
    step_count = [0]

    def step() -> float:
        t = step_count[0]
        total = loss(xp, W, encoded[t % len(encoded)])
        for w in W.values():
            w.grad = None
        total.backward()
        lr = 0.01 * (1 - t / HORIZON)
        with torch.no_grad():
            for k, w in W.items():
                m[k].mul_(BETAS[0]).add_((1 - BETAS[0]) * w.grad)
                v[k].mul_(BETAS[1]).add_((1 - BETAS[1]) * w.grad**2)
                w -= (
                    lr
                    * (m[k] / (1 - BETAS[0] ** (t + 1)))
                    / ((v[k] / (1 - BETAS[1] ** (t + 1))) ** 0.5 + EPS)
                )
        step_count[0] += 1
        return float(total.detach())

    return step, docs


def jax_trainer(dtype: str = "float64") -> tuple[Callable[[], float], list[str]]:
    """(step(), the names): microgpt under ``jax.jit``, the loss, its gradient and Adam's update one
    compiled function per name length."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    kind = getattr(jnp, dtype)
    docs, weights = initial_weights()
    xp = SimpleNamespace(
        exp=jnp.exp,
        log=jnp.log,
        relu=jax.nn.relu,
        rowmax=lambda t: jax.lax.stop_gradient(t.max(-1, keepdims=True)),
        rowsum=lambda t: t.sum(-1, keepdims=True),
        concat=lambda parts: jnp.concatenate(parts, axis=1),
        asarray=jnp.asarray,
        arange=jnp.arange,
        dtype=getattr(np, dtype),
    )
    encoded = encode(docs)

    @jax.jit
    def update(W, m, v, tokens, t):
        value, g = jax.value_and_grad(lambda W: loss(xp, W, tokens))(W)
        lr = 0.01 * (1 - t / HORIZON)
        m = jax.tree_util.tree_map(lambda a, b: BETAS[0] * a + (1 - BETAS[0]) * b, m, g)
        v = jax.tree_util.tree_map(lambda a, b: BETAS[1] * a + (1 - BETAS[1]) * b**2, v, g)
        W = jax.tree_util.tree_map(
            lambda w, a, b: (
                w
                - lr
                * (a / (1 - BETAS[0] ** (t + 1)))
                / ((b / (1 - BETAS[1] ** (t + 1))) ** 0.5 + EPS)
            ),
            W,
            m,
            v,
        )
        return W, m, v, value

    state = [{k: jnp.asarray(w, dtype=kind) for k, w in weights.items()}]
    state += [jax.tree_util.tree_map(jnp.zeros_like, state[0]) for _ in range(2)]
    step_count = [0]

    def step() -> float:
        t = step_count[0]
        W, m, v, value = update(*state, encoded[t % len(encoded)], t)
        state[:] = [W, m, v]
        step_count[0] += 1
        return float(value)

    longest = np.zeros(17, dtype=np.int64)  # 16 positions and their next tokens
    step.compile_longest = lambda: update.lower(
        *state, longest, 0
    ).compile()  # trace, lower and compile
    return step, docs
