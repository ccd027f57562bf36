# Source of notebooks/06_universal_approximation.ipynb (build: python notebooks/_build.py 06).

# %% [markdown]
# # 06 Universal approximation
#
# Note 001 ends with the theorem that explains why one hidden layer is, in principle, enough
# (derivation **D9** of [docs/derivations.md](../docs/derivations.md)):
#
# > Let $\sigma$ be continuous and not a polynomial. For every continuous $f$ on a compact set
# > $K \subset \mathbb{R}^n$ and every $\varepsilon > 0$ there are a width $k$ and
# > $A \in \mathbb{R}^{k\times n}$, $b \in \mathbb{R}^k$, $C \in \mathbb{R}^{m\times k}$ with
# > $$\sup_{x\in K} \lVert f(x) - g(x)\rVert < \varepsilon, \qquad g(x) = C\,\sigma(Ax + b).$$
#
# $g$ is a network with one hidden layer of $k$ sigmoid units and a linear output. We take
# $f = \sin$ on $K = [-\pi, \pi]$ and watch the sup error fall as the width $k$ grows: first with
# weights we write down by hand (a constructive proof for one dimension), then with weights found
# by gradient descent.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
import viz
from autograd import Value

grid = np.linspace(-math.pi, math.pi, 2001)  # where we measure the sup error


def sup_error(model) -> float:
    """max |sin(x) - g(x)| over a fine grid of [-pi, pi], with g evaluated by the engine."""
    return max(abs(model(float(x)).data - math.sin(x)) for x in grid)

# %% [markdown]
# ## D9: building $g$ by hand, a staircase of sigmoids
#
# A steep sigmoid $\sigma(s(x - m))$ is almost a step from 0 to 1 at $x = m$. Cut $[-\pi, \pi]$
# into $k$ pieces of width $h = 2\pi/k$ with ends $t_0 < t_1 < \dots < t_k$, and put one step in the
# middle $m_i$ of each piece, of height $f(t_i) - f(t_{i-1})$:
#
# $$g_k(x) = \sum_{i=1}^{k} \big(f(t_i) - f(t_{i-1})\big)\;\sigma\big(s\,(x - m_i)\big), \qquad s = 4/h .$$
#
# Since $f(t_0) = \sin(-\pi) = 0$, $g_k$ climbs from 0 through the values $f(t_1), \dots, f(t_k)$:
# a smoothed staircase that follows $f$. It has exactly the form $C\sigma(Ax + b)$ with
# $A_i = s$, $b_i = -s\,m_i$, $C_i = f(t_i) - f(t_{i-1})$, so `nn.MLP.from_weights` turns it
# into a network. Each step is off by at most about $\max|f'|\,h$, so the sup error should
# fall like $1/k$.

# %%
def staircase(k: int) -> nn.MLP:
    """The one-hidden-layer network g_k(x) = C sigma(A x + b) described above."""
    h = 2 * math.pi / k
    t = -math.pi + h * np.arange(k + 1)
    m = (t[:-1] + t[1:]) / 2
    s = 4 / h
    A, b = np.full((k, 1), s), -s * m
    C = (np.sin(t[1:]) - np.sin(t[:-1])).reshape(1, k)
    return nn.MLP.from_weights([A, C], [b, [0.0]], activation="sigmoid", output_activation=None)


widths = [1, 2, 4, 8, 16, 32, 64]
by_hand = {k: sup_error(staircase(k)) for k in widths}
for k, error in by_hand.items():
    print(f"k = {k:2d}: sup error {error:.4f}")

# from k = 4 on, every doubling of the width roughly halves the error (at least a factor 1.7)
assert all(by_hand[2 * k] < by_hand[k] / 1.7 for k in widths[2:-1])
assert by_hand[64] < 0.02

# %% [markdown]
# (With $k = 1$ or $2$ the staircase is useless for $\sin$: the steps land where $\sin(t_i) = 0$.)

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
left.plot(grid, np.sin(grid), "k", lw=3, alpha=0.3, label=r"$\sin x$")
for k in (4, 8, 32):
    g = staircase(k)
    left.plot(grid, [g(float(x)).data for x in grid], label=f"$g_{{{k}}}$")
left.set(title="hand-built one-hidden-layer networks", xlabel="x")
left.legend()
right.loglog(widths[2:], [by_hand[k] for k in widths[2:]], "o-", label="staircase $g_k$")
right.loglog(widths[2:], [by_hand[4] * 4 / k for k in widths[2:]], "k:", label=r"$\propto 1/k$")
right.set(title="sup error against width", xlabel="hidden width k", ylabel=r"$\sup |\sin x - g(x)|$")
right.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Letting gradient descent find the weights
#
# The theorem says good weights *exist*; it does not say training finds them. Here we train the
# same architecture on 32 samples of $\sin$ with the mean squared error and Adam.
#
# For $k \ge 4$ we start from the staircase: it is already close, which makes the run short and
# the comparison with the hand-built weights fair. For $k = 1$ and $2$ the staircase is the zero
# function ($C = 0$), and a zero $C$ also means a zero gradient for $A$ and $b$ (each hidden unit's
# gradient is multiplied by its $C_i$, D3): training would start with the hidden layer frozen. So
# for those widths we train from 5 seeded random starts instead, with a larger learning rate and
# more steps (random weights have further to go), and keep the one with the lowest training
# loss: random starts often stall in a poor local minimum, and restarting is the usual cure.

# %%
xs = np.linspace(-math.pi, math.pi, 32)
ys = np.sin(xs)


def training_loss(model: nn.MLP) -> Value:
    """The mean squared error over the 32 samples."""
    return sum(((model(float(x)) - y) ** 2 for x, y in zip(xs, ys, strict=True)), start=Value(0.0)) / len(xs)


def train(model: nn.MLP, steps: int = 300, lr: float = 0.01) -> nn.MLP:
    optimizer = nn.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = training_loss(model)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def random_start(k: int, seed: int) -> nn.MLP:
    """g(x) = C sigma(A x + b) with random slopes, steps spread over [-pi, pi] and random heights."""
    rng = np.random.default_rng(seed)
    A = rng.normal(0.0, 2.0, size=(k, 1))
    b = -np.abs(A[:, 0]) * rng.uniform(-math.pi, math.pi, size=k)  # each step at a random point of K
    C = rng.normal(0.0, 1.0, size=(1, k))
    return nn.MLP.from_weights([A, C], [b, [0.0]], activation="sigmoid", output_activation=None)


trained, restarts = {}, {}
for k in (1, 2):
    runs = [train(random_start(k, seed), steps=1000, lr=0.05) for seed in range(5)]
    restarts[k] = sorted(training_loss(model).data for model in runs)
    trained[k] = min(runs, key=lambda model: training_loss(model).data)
for k in (4, 8):
    trained[k] = train(staircase(k))
by_training = {k: sup_error(model) for k, model in trained.items()}

for k in (1, 2):
    losses = ", ".join(f"{loss:.4f}" for loss in restarts[k])
    print(f"k = {k}: training losses of the 5 random starts {losses}; the best has sup error {by_training[k]:.4f}")
for k in (4, 8):
    print(f"k = {k}: sup error {by_hand[k]:.4f} by hand -> {by_training[k]:.4f} after training from the staircase")

assert all(by_training[2 * k] < by_training[k] / 2 for k in (1, 2, 4))  # each doubling at least halves the error
assert all(by_training[k] < by_hand[k] for k in by_training)            # training only helped
assert by_training[8] < 0.05

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(grid, np.sin(grid), "k", lw=3, alpha=0.3, label=r"$\sin x$")
for k, model in trained.items():
    ax.plot(grid, [model(float(x)).data for x in grid], label=f"trained, k = {k}")
ax.plot(xs, ys, "k.", label="training samples")
ax.set(title=r"$g(x) = C\sigma(Ax + b)$ trained on $\sin$", xlabel="x")
ax.legend()
plt.show()

# %% [markdown]
# ## What we saw
#
# * One hidden layer of sigmoids can follow $\sin$ on $[-\pi, \pi]$ as closely as we like: a
#   hand-built staircase of $k$ sigmoids has sup error falling like $1/k$ (D9).
# * Gradient descent improves on the hand-built weights, and the wider the layer, the smaller the
#   error it reaches. Where it starts matters: from a zero output layer the hidden layer gets no
#   gradient, and from random weights it can stall, so for small widths we keep the best of a few
#   random starts.
# * The theorem is about existence: it promises neither a small $k$ nor that training finds the
#   weights. In practice deeper networks often need far fewer units than one wide layer.
#
# Next: [07 Several outputs](07_several_outputs.ipynb).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/06_universal_approximation.py](solutions/06_universal_approximation.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: the slope of a step
#
# A steep sigmoid $\sigma(k(x - c))$ with $k = 10$, $c = 0.5$ is one stair of D9's staircase. What
# is its slope at $x = 0.5$?

# %%
x = Value(0.5, label="x")
step = (10 * (x - 0.5)).sigmoid()
step.label = "step"
answers = {"x": None}  # d step/dx: your number

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(step, answers))

# %% [markdown]
# ### Exercise 2: the height of a bump
#
# Two steep steps make a bump: $h\,(\sigma(k(x - a)) - \sigma(k(x - b)))$ with $h = 2$, $a = 0.2$,
# $b = 0.8$ and $k = 50$. About how high is it in the middle, at $x = 0.5$ (to 0.01)?

# %%
height = None  # your number

if height is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    x = Value(0.5)
    bump = 2 * ((50 * (x - 0.2)).sigmoid() - (50 * (x - 0.8)).sigmoid())
    assert abs(height - bump.data) < 0.01, (
        f"not quite: you said {height}. In the middle the first step is nearly 1 and the second nearly 0")
    print(f"right: the bump is {bump.data:.6f} high at x = 0.5")
