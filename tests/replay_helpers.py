"""Shared by the replay tests: run a function the eager way, example by example, as the reference."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd import Value, topological_order

RTOL = 1e-12


def eager(fn: Callable, X: np.ndarray, params: list[Value], seed: np.ndarray | None = None):
    """The eager engine on every row of X: (outputs (B, k), summed gradients (P,), scales).

    Each example gets its own graph and ``backward(seed)``; parameters accumulate their
    gradients over the examples (leaves add). ``scales`` bound the size of the numbers involved
    (the largest |data| of any node, the sum over examples of the largest |grad|), for comparing
    with a relative tolerance where sums cancel.
    """
    for p in params:
        p.grad = 0.0
    outputs, biggest_value, grad_scale = [], 0.0, 0.0
    for b, row in enumerate(np.atleast_2d(X).tolist()):
        out = fn([Value(x) for x in row])
        outs = out if isinstance(out, list) else [out]
        outputs.append([o.data for o in outs])
        for k, o in enumerate(outs):
            g = 1.0 if seed is None else float(np.reshape(seed[b], -1)[k])
            nodes = topological_order(o)
            o.backward(g)
            biggest_value = max([biggest_value] + [abs(v.data) for v in nodes])
            grad_scale += max(abs(v.grad) for v in nodes if v.op)  if any(v.op for v in nodes) else abs(g)
    grads = np.array([p.grad for p in params])
    for p in params:
        p.grad = 0.0
    return np.array(outputs), grads, (biggest_value, grad_scale)


def assert_matches(replay: np.ndarray, reference: np.ndarray, scale: float = 0.0, what: str = "") -> None:
    """|replay - reference| <= 1e-12 * max(|reference|, scale), elementwise."""
    replay, reference = np.asarray(replay, dtype=float), np.asarray(reference, dtype=float)
    assert replay.shape == reference.shape, (what, replay.shape, reference.shape)
    allowed = RTOL * np.maximum(np.abs(reference), scale)
    bad = np.abs(replay - reference) > allowed
    assert not bad.any(), f"{what}: replay {replay[bad][:5]} vs eager {reference[bad][:5]} (allowed {allowed[bad][:5]})"
