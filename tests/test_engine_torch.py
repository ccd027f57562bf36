"""Optional oracle: the same computations in PyTorch (skipped when torch is not installed)."""

import math
import random

import pytest

from autograd import Value, grad

torch = pytest.importorskip("torch")


def both(expr, values):
    ours = [Value(v) for v in values]
    out = expr(ours, ours_api=True)
    out.backward()
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    ref = expr(theirs, ours_api=False)
    ref.backward()
    return out, ours, ref, theirs


def network(xs, ours_api):
    a, b, c, d = xs
    if ours_api:
        act = [lambda v: v.tanh(), lambda v: v.sigmoid(), lambda v: v.relu(), lambda v: v.elu(0.5),
               lambda v: v.softplus(), lambda v: v.leaky_relu(0.02)]
    else:
        F = torch.nn.functional
        act = [torch.tanh, torch.sigmoid, torch.relu, lambda v: F.elu(v, 0.5), F.softplus,
               lambda v: F.leaky_relu(v, 0.02)]
    h = act[0](a * b + c) * act[1](d - a) + act[2](b * c - d)
    h = h / (1 + act[4](h)) + act[3](a - d) * act[5](c)
    h = (h * h + 1).log() + (c * c + 0.5).sqrt() - (a * 0.3).exp() + abs(b - 0.1) ** 1.5
    return h + 2.0 ** (d * 0.5) + (1 + a * a) ** (b * 0.2) - 3.0 / (2 + c * c)


@pytest.mark.parametrize("seed", range(10))
def test_gradients_match_pytorch(seed):
    rng = random.Random(seed)
    values = [rng.uniform(-2, 2) for _ in range(4)]
    out, ours, ref, theirs = both(network, values)
    assert math.isclose(out.data, ref.item(), rel_tol=1e-12)
    for v, t in zip(ours, theirs):
        assert math.isclose(v.grad, t.grad.item(), rel_tol=1e-10, abs_tol=1e-12)


def test_kinks_at_zero_against_pytorch():
    F = torch.nn.functional
    for ours, theirs in [(lambda v: v.relu(), torch.relu), (lambda v: v.elu(0.7), lambda t: F.elu(t, 0.7)),
                         (lambda v: abs(v), torch.abs), (lambda v: v.leaky_relu(0.1), lambda t: F.leaky_relu(t, 0.1))]:
        x = Value(0.0)
        ours(x).backward()
        t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        theirs(t).backward()
        if x.grad != t.grad.item():
            # the one deliberate difference: D5 gives leaky ReLU'(0) = 1 (the z >= 0 branch); PyTorch uses alpha
            assert (x.grad, t.grad.item()) == (1.0, 0.1)


def test_second_derivative_matches_pytorch():
    t = torch.tensor(0.37, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch.tanh(t) * torch.sigmoid(t), t, create_graph=True)
    (h,) = torch.autograd.grad(g, t)
    ours = grad(grad(lambda v: v.tanh() * v.sigmoid()))(0.37)
    assert math.isclose(ours, h.item(), rel_tol=1e-12)
