# Source of notebooks/03_vanishing_gradients.ipynb (build: python notebooks/_build.py 03).

# %% [markdown]
# # 03 Vanishing gradients
#
# Why did deep networks with sigmoid activations train so badly, and why did ReLU help? The chain
# rule answers it in one line. This notebook derives the gradient of a deep chain of scalar
# neurons (derivation **D4** of [docs/derivations.md](../docs/derivations.md), from note 003),
# checks it against the engine, and plots how the gradient reaching the first layer shrinks with
# depth for sigmoid, tanh and ReLU.

# %%
# %matplotlib inline
import math
import random

import matplotlib.pyplot as plt
import numpy as np

import viz
from autograd import Value

# %% [markdown]
# ## D4: a chain of $L$ scalar layers
#
# One neuron per layer, any activation $s_l$:
#
# $$z_1 = w_1 x + b_1,\qquad a_l = s_l(z_l),\qquad z_l = w_l\, a_{l-1} + b_l \ (l \ge 2),\qquad f = a_L .$$
#
# A change in $w_1$ reaches $f$ through every layer. The chain rule multiplies one factor
# $\partial a_l/\partial z_l = s_l'(z_l)$ per layer and one factor $\partial z_l / \partial a_{l-1} = w_l$
# per connection, and finally $\partial z_1/\partial w_1 = x$:
#
# $$\frac{\partial f}{\partial w_1} = \Big[\prod_{l=2}^{L} w_l\Big]\,\Big[\prod_{l=1}^{L} s_l'(z_l)\Big]\; x .$$
#
# For $L = 2$ this is D3 (notebook 01). First the formula in plain Python:

# %%
def sigmoid(z):
    return 1 / (1 + math.exp(-z))


DERIVATIVE = {  # s'(z), plain Python (D5)
    "sigmoid": lambda z: sigmoid(z) * (1 - sigmoid(z)),
    "tanh": lambda z: 1 - math.tanh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0 else 0.0,
}
FUNCTION = {"sigmoid": sigmoid, "tanh": math.tanh, "relu": lambda z: max(0.0, z)}


def d4_by_hand(activation: str, x: float, ws: list[float], bs: list[float]) -> float:
    """df/dw1 = [prod_{l>=2} w_l] [prod_l s'(z_l)] x for a chain with one neuron per layer."""
    s, ds = FUNCTION[activation], DERIVATIVE[activation]
    a, slopes = x, []
    for w, b in zip(ws, bs, strict=True):
        z = w * a + b
        slopes.append(ds(z))
        a = s(z)
    return math.prod(ws[1:]) * math.prod(slopes) * x


def d4_by_engine(activation: str, x: float, ws: list[float], bs: list[float]) -> float:
    """The same derivative from one backward pass through a chain of engine Values."""
    w1 = Value(ws[0], label="w1")
    a = getattr(w1 * x + bs[0], activation)()
    for w, b in zip(ws[1:], bs[1:], strict=True):
        a = getattr(w * a + b, activation)()
    a.backward()
    return w1.grad

# %% [markdown]
# The gradients get very small, so we compare them *relatively*: the two agree to ten
# significant digits at every depth from 1 to 30, for random weights and biases.

# %%
rng = random.Random(0)
worst = 0.0
for activation in FUNCTION:
    for depth in range(1, 31):
        for _ in range(10):
            x = rng.uniform(-2, 2)
            ws = [rng.uniform(-1.5, 1.5) for _ in range(depth)]
            bs = [rng.uniform(-1, 1) for _ in range(depth)]
            hand, engine = d4_by_hand(activation, x, ws, bs), d4_by_engine(activation, x, ws, bs)
            assert math.isclose(hand, engine, rel_tol=1e-10, abs_tol=1e-300), (activation, depth, hand, engine)
            worst = max(worst, abs(hand - engine) / max(abs(hand), 1e-300))
print(f"3 activations x 30 depths x 10 chains: largest relative difference {worst:.1e}")

# %% [markdown]
# ## Why sigmoid gradients vanish
#
# Every factor $s_l'(z_l)$ of a sigmoid chain is at most $\tfrac14$ (notebook 02). If the weights
# satisfy $|w_l| \le 1$,
#
# $$\Big|\frac{\partial f}{\partial w_1}\Big| \le \Big(\tfrac14\Big)^{L}\,|x| ,$$
#
# so the gradient reaching the first layer shrinks *geometrically* with depth: at $L = 10$ it is
# below $10^{-6}\,|x|$. Gradient descent then barely moves the first layers. The tanh derivative
# can reach 1, but only at $z = 0$; ReLU's derivative is exactly 1 wherever the unit is on.
#
# A clean experiment: every weight 1, every bias 0, input $x = 1$, depth $L = 1..30$.

# %%
depths = list(range(1, 31))
same_weights = {
    activation: [abs(d4_by_engine(activation, 1.0, [1.0] * L, [0.0] * L)) for L in depths]
    for activation in FUNCTION
}
for L in (1, 5, 10, 20, 30):
    row = "  ".join(f"{a} {same_weights[a][L - 1]:.2e}" for a in FUNCTION)
    print(f"L = {L:2d}:  {row}")

# the bound (1/4)^L holds for the sigmoid chain, and ReLU passes the gradient on unchanged
assert all(g <= 0.25 ** L for g, L in zip(same_weights["sigmoid"], depths, strict=True))
assert all(g == 1.0 for g in same_weights["relu"])

# %% [markdown]
# With random weights $w_l, b_l \sim U[-1, 1]$ the picture is noisier, so we average
# $\log_{10}|\partial f/\partial w_1|$ over 200 random chains per depth. A ReLU chain has another
# failure: once one unit is off ($z_l < 0$), its derivative is exactly 0 and so is the whole
# product. We count how often that happens instead of taking its logarithm.

# %%
def random_chains(activation: str, depth: int, n: int = 200, seed: int = 1) -> list[float]:
    r = random.Random(seed)
    grads = []
    for _ in range(n):
        ws = [r.uniform(-1, 1) for _ in range(depth)]
        bs = [r.uniform(-1, 1) for _ in range(depth)]
        grads.append(abs(d4_by_engine(activation, 1.0, ws, bs)))
    return grads


mean_log10 = {a: [] for a in ("sigmoid", "tanh")}
relu_dead = []
for L in depths:
    for activation in mean_log10:
        mean_log10[activation].append(np.mean(np.log10(random_chains(activation, L))))
    relu_dead.append(np.mean([g == 0.0 for g in random_chains("relu", L)]))

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
for activation, grads in same_weights.items():
    left.semilogy(depths, grads, "o-", ms=3, label=activation)
left.semilogy(depths, [0.25 ** L for L in depths], "k:", label=r"$(1/4)^L$")
left.set(title="all weights 1, biases 0, x = 1", xlabel="depth L", ylabel=r"$|\partial f / \partial w_1|$")
left.legend()
for activation, logs in mean_log10.items():
    right.plot(depths, logs, "o-", ms=3, label=activation)
right.set(title=r"random $w, b \sim U[-1,1]$: mean over 200 chains", xlabel="depth L",
          ylabel=r"mean $\log_{10} |\partial f / \partial w_1|$")
twin = right.twinx()
twin.plot(depths, relu_dead, "s--", ms=3, color="tab:green", label="ReLU: fraction with gradient exactly 0")
twin.set_ylabel("fraction of ReLU chains with zero gradient")
twin.set_ylim(0, 1.05)
handles, labels = (a + b for a, b in zip(right.get_legend_handles_labels(), twin.get_legend_handles_labels(),
                                          strict=True))
right.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize=9)  # under the axes
fig.tight_layout()
plt.show()

# %% [markdown]
# Reading the plots:
#
# * **sigmoid**: straight lines on a log scale, i.e. geometric decay, under the $(1/4)^L$ bound.
# * **tanh**: with weights 1 the pre-activations shrink towards 0 where $\tanh' \approx 1$, so the
#   gradient decays only slowly; with random weights it still decays geometrically, more slowly
#   than sigmoid.
# * **ReLU**: an active path passes the gradient on unchanged (exactly 1 above), but with random
#   weights a deep chain is very likely to contain an off unit, and then the gradient is exactly 0.
#   Wide layers (many parallel paths) and an initialisation scaled for ReLU are the cure: He
#   initialisation, $w \sim \mathcal{N}(0, 2/n_{\text{in}})$ (chainrule's `init="he_normal"`), keeps the
#   signal's variance through ReLU layers, as Xavier does for tanh (notebook 05, D8).

# %%
slope_sigmoid = np.polyfit(depths, mean_log10["sigmoid"], 1)[0]
slope_tanh = np.polyfit(depths, mean_log10["tanh"], 1)[0]
print(f"random chains lose {-slope_sigmoid:.2f} decimal digits of gradient per sigmoid layer, "
      f"{-slope_tanh:.2f} per tanh layer")
assert slope_sigmoid < slope_tanh < 0  # both vanish geometrically, sigmoid faster
assert slope_sigmoid < math.log10(0.25)  # at least a factor 4 per layer
assert relu_dead[-1] > 0.9  # almost every 30-layer random ReLU chain passes no gradient at all

# %% [markdown]
# ## Seeing it in the graph
#
# `viz.draw_dot(f, shade_grad=True)` colours every node by the size of its gradient on a log
# scale. Here a chain of 5 sigmoid layers, all weights 1 and biases 0, after `f.backward()`: the
# colour fades from the output back towards $w_1$: the gradient reaching each layer's bias,
# $\partial f/\partial b_l = \sigma'(z_l)\, w_{l+1}\, \partial f/\partial b_{l+1}$, shrinks by a factor of at least 4 per layer.

# %%
x = Value(1.0, label="x")
weights = [Value(1.0, label=f"w{l}") for l in range(1, 6)]
biases = [Value(0.0, label=f"b{l}") for l in range(1, 6)]
a = x
for l, (w, b) in enumerate(zip(weights, biases, strict=True), start=1):
    a = (w * a + b).sigmoid()
    a.label = f"a{l}"
a.backward()
print("|df/dw_l| for l = 1..5:", " ".join(f"{abs(w.grad):.1e}" for w in weights))
print("|df/db_l| for l = 1..5:", " ".join(f"{abs(b.grad):.1e}" for b in biases))
# df/db_l = s'(z_l) w_(l+1) df/db_(l+1), and s' <= 1/4 (D4)
assert all(abs(biases[l].grad) <= abs(biases[l + 1].grad) / 4 for l in range(4))
viz.draw_dot(a, params=weights + biases, shade_grad=True)

# %% [markdown]
# ## What we saw
#
# * The gradient reaching the first layer of a deep chain is a product with one factor per layer (D4);
#   the engine reproduces the hand formula to ten significant digits at every depth.
# * Sigmoid factors are at most 1/4, so sigmoid gradients vanish geometrically with depth (the shaded
#   graph shows it node by node); tanh
#   vanishes more slowly; ReLU passes gradients unchanged along active paths but blocks them completely
#   at inactive units.
#
# Next: [04 From neurons to an MLP](04_neurons_to_mlp.ipynb).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/03_vanishing_gradients.py](solutions/03_vanishing_gradients.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: predict a gradient
#
# Five layers $a_k = \tanh(0.5\, a_{k-1})$ starting from $a_0 = x = 0$. What is
# $\partial a_5/\partial x$? (At 0 every $\tanh' = 1$.)

# %%
x = Value(0.0, label="x")
a = x
for _ in range(5):
    a = (0.5 * a).tanh()
a.label = "a5"
answers = {"x": None}  # da5/dx: your number

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(a, answers))

# %% [markdown]
# ### Exercise 2: a bound
#
# A chain of six sigmoid layers $a_k = \sigma(a_{k-1})$ (weight 1, bias 0). Whatever $x$ is,
# $|\partial a_6/\partial x|$ is at most some number: which? (D4: $\sigma' \le 1/4$.)

# %%
bound = None  # the largest |da6/dx| can be: your number

if bound is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    assert math.isclose(bound, 0.25 ** 6), (
        f"not quite: you said {bound}. Each layer multiplies the gradient by sigma'(z), at most 1/4")
    for start in (-2.0, 0.0, 3.0):
        x = Value(start)
        a = x
        for _ in range(6):
            a = a.sigmoid()
        a.backward()
        assert abs(x.grad) <= bound
    print(f"right: the gradient through six sigmoids is at most {bound:.2e}; at x = 3 it is {x.grad:.2e}")
