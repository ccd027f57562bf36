"""Optional oracle: nn's optimisers, schedules and losses against PyTorch (skipped when torch is not installed)."""

import math

import numpy as np
import pytest

import nn
from autograd import Value

torch = pytest.importorskip("torch")

START = [0.7, -1.3, 2.1, 0.05, -0.4]


def run_ours(make, steps):
    params = [Value(v) for v in START]
    optimizer = make(params)
    for _ in range(steps):
        for i, p in enumerate(params):
            p.grad = 3 * math.cos(3 * p.data) + i * p.data
        optimizer.step()
    return [p.data for p in params]


def run_torch(make, steps, schedule=None):
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = make([params])
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule) if schedule else None
    weights = torch.arange(len(START), dtype=torch.float64)
    for _ in range(steps):
        optimizer.zero_grad()
        (torch.sin(3 * params).sum() + (weights * params**2).sum() / 2).backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
    return params.detach().tolist()


CASES = {
    "sgd": (lambda p: nn.SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    "sgd momentum, weight decay": (lambda p: nn.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
                                   lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01)),
    "sgd nesterov": (lambda p: nn.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "sgd dampening": (lambda p: nn.SGD(p, lr=0.05, momentum=0.5, dampening=0.3),
                      lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, dampening=0.3)),
    "adam, l2 weight decay": (lambda p: nn.Adam(p, lr=0.02, betas=(0.8, 0.99), weight_decay=0.1),
                              lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), weight_decay=0.1)),
    "adamw": (lambda p: nn.AdamW(p, lr=0.02, weight_decay=0.3),
              lambda p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.3)),
    "adamw defaults": (lambda p: nn.AdamW(p, lr=0.05), lambda p: torch.optim.AdamW(p, lr=0.05)),
}


@pytest.mark.parametrize("ours, theirs", CASES.values(), ids=list(CASES))
def test_optimisers_match_pytorch_over_30_steps(ours, theirs):
    np.testing.assert_allclose(run_ours(ours, 30), run_torch(theirs, 30), rtol=1e-12, atol=1e-14)


def test_a_schedule_matches_pytorchs_lambda_lr():
    decay = nn.LinearDecay(0.1, 0.01, 20)
    ours = run_ours(lambda p: nn.SGD(p, lr=decay, momentum=0.9, nesterov=True), 25)
    theirs = run_torch(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), 25,
                       schedule=lambda k: decay(k) / 0.1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_sgd_nesterov_without_momentum_is_refused_as_in_pytorch():
    with pytest.raises(ValueError):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="SGD: nesterov=True needs a momentum > 0 and no dampening"):
        nn.SGD([Value(0.0)], lr=0.1, nesterov=True)


# ---------------------------------------------------------------- losses: values and gradients


def loss_pair(name, z, y):
    """(our loss and d/dz, PyTorch's) for outputs z (n, k) and labels y."""
    F = torch.nn.functional
    outputs = [[Value(v) for v in row] for row in z]
    flat = [row[0] for row in outputs] if z.shape[1] == 1 else outputs
    ours = nn.losses.LOSSES[name](flat, y)
    ours.backward()
    tz = torch.tensor(z, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64)
    if name == "mse":
        theirs = F.mse_loss(tz[:, 0], ty)
    elif name == "bce":
        theirs = F.binary_cross_entropy(tz[:, 0], ty)
    elif name == "bce_with_logits":
        theirs = F.binary_cross_entropy_with_logits(tz[:, 0], ty)
    elif name == "hinge":  # micrograd's max-margin on -1/+1 labels
        theirs = torch.relu(1 - (2 * ty - 1) * tz[:, 0]).mean()
    else:
        theirs = F.cross_entropy(tz, ty.long())
    theirs.backward()
    return (ours.data, [[v.grad for v in row] for row in outputs]), (theirs.item(), tz.grad.tolist())


@pytest.mark.parametrize("name", ["mse", "bce", "bce_with_logits", "hinge", "cross_entropy"])
def test_losses_and_their_gradients_match_pytorch(name):
    rng = np.random.default_rng(0)
    k = 3 if name == "cross_entropy" else 1
    z = rng.normal(0, 2, size=(12, k))
    if name == "bce":
        z = 1 / (1 + np.exp(-z))
    y = rng.integers(0, k if k > 1 else 2, size=12).astype(float)
    (ours, our_grad), (theirs, their_grad) = loss_pair(name, z, y)
    assert ours == pytest.approx(theirs, rel=1e-12)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-10, atol=1e-15)


def test_a_training_step_of_nn_fit_matches_pytorch():
    """One full-batch step of nn.fit (MLP 2-4-1, tanh, bce_with_logits, AdamW) against the same network in torch."""
    X, y = nn.make_moons(16, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    W1, b1 = (torch.tensor(a, requires_grad=True) for a in model.layers[0].weights())
    W2, b2 = (torch.tensor(a, requires_grad=True) for a in model.layers[1].weights())
    ours = nn.fit(model, X, y, loss="bce_with_logits", optimizer=nn.AdamW(model, lr=0.1), steps=3, progress=False)
    optimizer = torch.optim.AdamW([W1, b1, W2, b2], lr=0.1)
    tx, ty = torch.tensor(X), torch.tensor(y, dtype=torch.float64)
    theirs = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits((torch.tanh(tx @ W1.T + b1) @ W2.T + b2)[:, 0], ty)
        loss.backward()
        optimizer.step()
        theirs.append(loss.item())
    np.testing.assert_allclose(ours.loss, theirs, rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].weights()[0], W1.detach().numpy(), rtol=1e-10, atol=1e-13)
