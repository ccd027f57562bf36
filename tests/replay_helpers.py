"""Shared by the replay tests: run a function the eager way, example by example, as the reference.

The replay must equal the eager engine to 1e-12, relative, element by element. Where the exact
result is a cancellation (a - b with a close to b) a relative tolerance on the result means
nothing: rounding errors are relative to the terms, not to their difference. So each number
also gets an absolute allowance of 1e-13 times its own "magnitude": the size its rounding errors
scale with, from a first-order running error bound along the eager graph (below). It is
computed per output and per example (per parameter for gradients), never from the largest number
elsewhere in the computation, so an error of 1e-9 relative in one gradient is caught.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from autograd import RULES, Value, topological_order

RTOL = 1e-12
ROUNDING = 1e-13
"""Allowance per unit of magnitude: about 450 times the double-precision epsilon, on top of the
first-order bounds below (which already assume every rounding error adds up the worst way)."""
KINKS = ("relu", "abs", "leaky_relu", "elu")
SUBNORMAL = RTOL * np.finfo(float).tiny
"""Below the smallest normal float (2.2e-308) numbers have fewer digits and round in absolute
steps of 5e-324; a matrix product (fused multiply-adds) may round such a number differently
from the eager engine's separate products. 1e-12 of the smallest normal float allows that."""


def magnitudes(nodes: list[Value], seeds: dict[Value, float]) -> tuple[dict[Value, float], dict[Value, float]]:
    """First-order running error bounds, per node: (M, A), errors being about 1e-16 times these.

    Forward, M(v) = |v| + sum over its inputs p of |dv/dp| * M(p) (leaves: 0): v's own rounding
    plus its inputs' errors carried through its slope; for a sum of terms, the sum of their sizes
    however much they cancel. Backward, from ``seeds`` (output -> d objective / d output),
    A(p) = sum over its users c of |dc/dp| * A(c) + |grad c| * (error bound of the slope dc/dp).
    """
    size: dict[Value, float] = {}
    slopes: dict[Value, tuple] = {}
    for v in nodes:
        size[v] = abs(v.data) if v.op else 0.0  # inputs and parameters are exact
        if v.op:
            parents = v.parents
            y = parents[1].data if len(parents) == 2 else v.constant
            slopes[v] = tuple(float(d) for d in RULES[v.op].vjp(1.0, v.data, parents[0].data, y))
            size[v] += sum(abs(d) * size[p] for d, p in zip(slopes[v], parents, strict=False))
    grad = {v: 0.0 for v in nodes}
    bound = {v: 0.0 for v in nodes}
    for v, g in seeds.items():
        grad[v] += g
        bound[v] += abs(g)
    for c in reversed(nodes):
        if not c.op:
            continue
        errors = slope_errors(c, slopes[c], size)
        for d, error, p in zip(slopes[c], errors, c.parents, strict=False):
            grad[p] += d * grad[c]
            bound[p] += abs(d) * bound[c] + abs(grad[c]) * error
    return size, bound


def slope_errors(v: Value, slopes: tuple, size: dict[Value, float]) -> list[float]:
    """For each slope of v, the sum over what it is computed from (x, y, out) of
    |d slope / d that| * M(that), the derivatives by finite differences. The slopes of kinks are
    piecewise constant (the near_kink cases are skipped); constants are exact. (The slope's own
    rounding is already in A: |dc/dp| * A(c) counts the product's size.)"""
    errors = [0.0] * len(slopes)
    if v.op in KINKS:
        return errors
    rule, parents = RULES[v.op], v.parents
    args = [parents[0].data, parents[1].data if len(parents) == 2 else v.constant, v.data]
    mags = [size[parents[0]], size[parents[1]] if len(parents) == 2 else 0.0, size[v]]
    for j, (arg, mag) in enumerate(zip(args, mags, strict=True)):
        if not mag:
            continue
        h = max(1e-7 * max(abs(arg), mag), 1e-300)
        moved = list(args)
        moved[j] = arg + h
        try:
            again = rule.vjp(1.0, moved[2], moved[0], moved[1])
        except (ArithmeticError, ValueError):  # a domain edge: assume the worst
            return [math.inf] * len(slopes)
        for i, d in enumerate(again):
            errors[i] += abs(float(d) - slopes[i]) / h * mag
    return errors


def near_kink(nodes: list[Value], size: dict[Value, float]) -> bool:
    """True when a relu/abs/... input is left by cancellation within rounding of the kink (a tiny
    number, or exactly 0 from terms that are not): the replay, adding in another order (a matrix
    product), may land on the other side, where the slope differs, not by rounding. An exact 0
    that is no cancellation (an input, or w * 0) has magnitude 0 and is compared as usual."""
    return any(v.op in KINKS and abs(v.parents[0].data) <= 1e-9 * size[v.parents[0]] and size[v.parents[0]] > 0
               for v in nodes)


def eager(fn: Callable, X: np.ndarray, params: list[Value], seed: np.ndarray | None = None):
    """The eager engine on every row of X: outputs (B, k), summed gradients (P,), their magnitudes.

    Each example gets its own graph and ``backward(seed)``; parameters accumulate their
    gradients over the examples (leaves add). Returns (outputs, gradients, (output magnitudes
    (B, k), gradient magnitudes (P,), near_kink)): M of each output, and for each parameter the
    sum over the examples of its A (see ``magnitudes``), which covers the cancellations inside
    an example and those between examples.
    """
    for p in params:
        p.grad = 0.0
    outputs, out_sizes, kink = [], [], False
    grad_sizes = np.zeros(len(params))
    for b, row in enumerate(np.atleast_2d(X).tolist()):
        out = fn([Value(x) for x in row])
        outs = out if isinstance(out, list) else [out]
        outputs.append([o.data for o in outs])
        seeds: dict[Value, float] = {}
        for k, o in enumerate(outs):
            g = 1.0 if seed is None else float(np.reshape(seed[b], -1)[k])
            seeds[o] = seeds.get(o, 0.0) + g
            o.backward(g)
        nodes = topological_order(outs)
        size, bound = magnitudes(nodes, seeds)
        kink = kink or near_kink(nodes, size)
        out_sizes.append([size[o] for o in outs])
        grad_sizes += [bound.get(p, 0.0) for p in params]
    grads = np.array([p.grad for p in params])
    for p in params:
        p.grad = 0.0
    return np.array(outputs), grads, (np.array(out_sizes), grad_sizes, kink)


def assert_matches(replay: np.ndarray, reference: np.ndarray, magnitude: float | np.ndarray = 0.0,
                   what: str = "") -> None:
    """|replay - reference| <= max(1e-12 |reference|, 1e-13 magnitude), element by element.

    ``magnitude`` (a number or one per element) is the size the rounding errors of that element
    scale with (see ``eager``); 0 for a pure relative comparison.
    """
    replay, reference = np.asarray(replay, dtype=float), np.asarray(reference, dtype=float)
    assert replay.shape == reference.shape, (what, replay.shape, reference.shape)
    allowed = np.maximum(RTOL * np.abs(reference), ROUNDING * np.asarray(magnitude))
    allowed = np.maximum(allowed, SUBNORMAL)
    bad = np.abs(replay - reference) > allowed
    assert not bad.any(), f"{what}: replay {replay[bad][:5]} vs eager {reference[bad][:5]} (allowed {allowed[bad][:5]})"


def compile_and_check(fn: Callable, params: list[Value], n_inputs: int, batch: int = 6, seed: int = 0):
    """Compile fn, compare outputs and gradients (with a random seed) with the eager engine; return it."""
    import autograd

    f = autograd.compile(fn, n_inputs, params)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, n_inputs))
    k = f.n_outputs
    seeds = rng.normal(size=(batch,) if k == 1 else (batch, k))
    out, grads = f.value_and_grad(X, seeds)
    ref_out, ref_grads, (out_sizes, grad_sizes, _) = eager(fn, X, params, seeds)
    assert_matches(out.reshape(batch, -1), ref_out, out_sizes, "outputs")
    assert_matches(grads, ref_grads, grad_sizes, "gradients")
    return f

