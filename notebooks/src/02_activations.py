# Source of notebooks/02_activations.ipynb (build: python notebooks/_build.py 02).

# %% [markdown]
# # 02 Activation functions and their derivatives
#
# A neuron computes an affine function $z = \sum_i w_i x_i + b$ and passes it through an
# **activation** $g$. Backpropagation needs $g'(z)$ at every neuron, so each activation comes
# with a derivative rule. This notebook
#
# 1. states the activations of the lecture notes and their derivatives (derivation **D5** of
#    [docs/derivations.md](../docs/derivations.md)),
# 2. codes each derivative by hand and checks the engine against it, including the convention at
#    the kink $z = 0$,
# 3. shows why the activation must be non-linear: a stack of linear layers collapses into a
#    single affine map (note 002).

# %%
# %matplotlib inline
import math
import random

import matplotlib.pyplot as plt
import numpy as np

import viz
from autograd import Value, grad

TOL = 1e-10

# %% [markdown]
# ## D5: the activations and their derivatives
#
# | name | $g(z)$ | $g'(z)$ |
# |---|---|---|
# | sigmoid | $\sigma(z) = \dfrac{1}{1+e^{-z}}$ | $\sigma(z)\,(1-\sigma(z))$ |
# | tanh | $\dfrac{e^z - e^{-z}}{e^z + e^{-z}}$, values in $(-1, 1)$ | $1 - \tanh^2 z$ |
# | ReLU | $\max(0, z)$ | $1$ for $z>0$, $0$ for $z<0$ |
# | leaky ReLU($\alpha$) | $z$ for $z \ge 0$, $\alpha z$ for $z<0$ | $1$ for $z \ge 0$, $\alpha$ for $z<0$ |
# | ELU($\alpha$) | $z$ for $z>0$, $\alpha(e^z - 1)$ for $z \le 0$ | $1$ for $z>0$, $\alpha e^z$ for $z \le 0$ |
#
# The sigmoid's derivative follows from the quotient rule:
# $\sigma'(z) = \frac{e^{-z}}{(1+e^{-z})^2} = \frac{1}{1+e^{-z}}\cdot\frac{e^{-z}}{1+e^{-z}} = \sigma(z)(1-\sigma(z))$.
# Likewise $\tanh' = \frac{(e^z+e^{-z})^2 - (e^z-e^{-z})^2}{(e^z+e^{-z})^2} = 1 - \tanh^2$.
#
# First the formulas in plain Python, written straight from the table:

# %%
ALPHA_LEAKY, ALPHA_ELU = 0.1, 1.0  # alpha 0.1: a slope that shows on the plot (0.01 looks flat)


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def tanh_from_exp(z):
    return (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z))


HAND = {  # name: (g, g') in plain Python, from the table
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "tanh": (tanh_from_exp, lambda z: 1 - tanh_from_exp(z) ** 2),
    "relu": (lambda z: max(0.0, z), lambda z: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda z: z if z >= 0 else ALPHA_LEAKY * z, lambda z: 1.0 if z >= 0 else ALPHA_LEAKY),
    "elu": (lambda z: z if z > 0 else ALPHA_ELU * (math.exp(z) - 1),
            lambda z: 1.0 if z > 0 else ALPHA_ELU * math.exp(z)),
}

ENGINE = {  # the same activations as engine operations on a Value
    "sigmoid": lambda v: v.sigmoid(),
    "tanh": lambda v: v.tanh(),
    "relu": lambda v: v.relu(),
    "leaky_relu": lambda v: v.leaky_relu(ALPHA_LEAKY),
    "elu": lambda v: v.elu(ALPHA_ELU),
}

# %% [markdown]
# The engine's derivative of $g$ at $z$ is one `backward()` through one node; `autograd.grad`
# wraps that as a function $z \mapsto g'(z)$.

# %%
z = Value(0.5)
a = z.sigmoid()
a.backward()
print(f"sigmoid(0.5) = {a.data:.6f}, engine derivative {z.grad:.12f}, hand s(1-s) = {a.data * (1 - a.data):.12f}")

rng = random.Random(0)
points = [rng.uniform(-6, 6) for _ in range(500)]
for name, (g, g_prime) in HAND.items():
    engine_g, engine_g_prime = ENGINE[name], grad(ENGINE[name])
    value_error = max(abs(engine_g(Value(p)).data - g(p)) for p in points)
    slope_error = max(abs(engine_g_prime(p) - g_prime(p)) for p in points)
    print(f"{name:>10}: max |value error| {value_error:.1e}, max |derivative error| {slope_error:.1e}")
    assert value_error < TOL and slope_error < TOL

# %% [markdown]
# Pictures say the same thing. Each panel shows an activation (solid) and the engine's
# derivative of it (dashed), computed point by point with `grad`.

# %%
zs = np.linspace(-4, 4, 401)
fig, axes = plt.subplots(1, 5, figsize=(11.5, 3.0), sharex=True)  # at most 1,200 px wide
for ax, name in zip(axes, ENGINE, strict=True):
    g, g_prime = ENGINE[name], grad(ENGINE[name])
    ax.plot(zs, [g(Value(z)).data for z in zs], label="$g(z)$")
    ax.plot(zs, [g_prime(z) for z in zs], "--", label="$g'(z)$ (engine)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_title(f"{name} (alpha = {ALPHA_LEAKY})" if name == "leaky_relu" else name)
    ax.set_xlabel("z")
axes[0].legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# Two things to notice, which notebook 03 builds on:
#
# * $\sigma'(z) \le 1/4$ everywhere (its peak is at $z=0$), and $\tanh'(z) \le 1$: both fall
#   towards 0 for large $|z|$, so a saturated neuron passes almost no gradient back.
# * ReLU's derivative is exactly 1 for every positive input, and exactly 0 for every negative one.

# %%
sigmoid_prime = grad(ENGINE["sigmoid"])
print(f"sigmoid'(0) = {sigmoid_prime(0.0)}, largest sigmoid' on the grid = {max(sigmoid_prime(z) for z in zs)}")
assert sigmoid_prime(0.0) == 0.25
assert all(sigmoid_prime(z) <= 0.25 for z in zs)
print(f"sigmoid'(10) = {sigmoid_prime(10.0):.2e}: a saturated neuron")

# %% [markdown]
# ### The kink at $z = 0$
#
# ReLU, leaky ReLU and ELU have a corner at 0, where the derivative is not defined. A library must
# still return *some* number there; chainrule uses the branch that the table's conditions select
# at $z = 0$:
#
# * ReLU$'(0) = 0$ (the same choice as PyTorch),
# * leaky ReLU$'(0) = 1$ (the branch $z \ge 0$),
# * ELU$'(0) = \alpha$ (the branch $z \le 0$, $\alpha e^0$).
#
# Central differences straddle the corner and see the average of the two slopes, which is why the
# tests compare with them only away from 0.

# %%
for name in ["relu", "leaky_relu", "elu"]:
    print(f"{name:>10}'(0): engine {grad(ENGINE[name])(0.0)}, table {HAND[name][1](0.0)}")
    assert grad(ENGINE[name])(0.0) == HAND[name][1](0.0)
assert grad(lambda v: v.elu(0.5))(0.0) == 0.5  # ELU'(0) = alpha for any alpha

# %% [markdown]
# ## Why the activation must be non-linear
#
# Note 002 asks: what if $g(z) = z$? Then each layer is affine, and so is their composition.
# With three layers,
#
# $$a^{[3]} = W^{[3]}\big(W^{[2]}(W^{[1]}x + b^{[1]}) + b^{[2]}\big) + b^{[3]}
#           = \underbrace{W^{[3]}W^{[2]}W^{[1]}}_{W}\,x + \underbrace{W^{[3]}W^{[2]}b^{[1]} + W^{[3]}b^{[2]} + b^{[3]}}_{b}.$$
#
# However many layers we stack, the network is one affine layer $Wx + b$: depth buys nothing.
#
# We check it with the engine: a 2-4-3-1 stack of linear neurons made of `Value`s, against the
# single layer $W x + b$ computed with numpy.

# %%
np_rng = np.random.default_rng(0)
shapes = [(4, 2), (3, 4), (1, 3)]  # W[l] has shape (n_l, n_{l-1}) (D1)
Ws = [np_rng.normal(size=s) for s in shapes]
bs = [np_rng.normal(size=s[0]) for s in shapes]


def linear_stack(x: list) -> list:
    """Three linear layers, neuron by neuron, with engine Values."""
    a = x
    for W, b in zip(Ws, bs, strict=True):
        a = [sum((W[i, j] * a[j] for j in range(len(a))), start=Value(b[i])) for i in range(len(b))]
    return a


W = Ws[2] @ Ws[1] @ Ws[0]
b = Ws[2] @ Ws[1] @ bs[0] + Ws[2] @ bs[1] + bs[2]
print("the collapsed layer: W =", W.round(4), " b =", b.round(4))

for _ in range(100):
    x = np_rng.normal(size=2)
    deep = linear_stack([Value(float(xi)) for xi in x])[0].data
    assert abs(deep - (W @ x + b)[0]) < TOL

# %% [markdown]
# The engine also tells us the gradient of the output with respect to the input: for the linear
# stack it is the row $W$, the same at every input, as it must be for an affine map.

# %%
for _ in range(5):
    x = [Value(float(v)) for v in np_rng.normal(size=2)]
    linear_stack(x)[0].backward()
    print("d out / dx =", [round(v.grad, 12) for v in x])
    assert np.allclose([v.grad for v in x], W[0], rtol=0, atol=TOL)

# %% [markdown]
# Put a non-linearity between the layers and the picture changes. Below, the same weights with
# linear activations (left) and with tanh (right), as functions of the two inputs: the linear
# stack is a tilted plane, whose contour lines are straight and parallel; the tanh network bends.

# %%
def tanh_stack(x: list) -> list:
    a = x
    for layer, (W_l, b_l) in enumerate(zip(Ws, bs, strict=True)):
        z = [sum((W_l[i, j] * a[j] for j in range(len(a))), start=Value(b_l[i])) for i in range(len(b_l))]
        a = z if layer == len(Ws) - 1 else [v.tanh() for v in z]  # last layer affine (D11)
    return a


grid = np.linspace(-2, 2, 41)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for ax, (title, net) in zip(axes, [("linear activations", linear_stack), ("tanh activations", tanh_stack)],
                            strict=True):
    out = [[net([Value(float(x1)), Value(float(x2))])[0].data for x1 in grid] for x2 in grid]
    contours = ax.contourf(grid, grid, out, levels=15, cmap="coolwarm")
    fig.colorbar(contours, ax=ax)
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What we saw
#
# * Each activation's derivative from the table (D5) matches the engine to about $10^{-10}$, and
#   the engine's choices at the kink are ReLU$'(0)=0$, leaky ReLU$'(0)=1$, ELU$'(0)=\alpha$.
# * $\sigma' \le 1/4$: the seed of vanishing gradients, in [03 Vanishing gradients](03_vanishing_gradients.ipynb).
# * Without a non-linear activation, a deep network is a single affine map.

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/02_activations.py](solutions/02_activations.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: a gradient by hand
#
# For $a = \tanh z$ at $z = 0.5$, what is $\partial a/\partial z$? (D5: $\tanh' = 1 - \tanh^2$.)

# %%
z = Value(0.5, label="z")
a = z.tanh()
a.label = "a"
answers = {"z": None}  # da/dz: your number (math.tanh is allowed)

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(a, answers))

# %% [markdown]
# ### Exercise 2: write a rule
#
# The *softsign* activation is $s(x) = x / (1 + |x|)$. Write its derivative as a plain Python
# function; it is checked against the engine's `grad` at several points (away from the kink at 0).

# %%
def softsign_prime(x: float) -> float:
    """The derivative of x / (1 + |x|): your formula."""
    return None


if softsign_prime(1.0) is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    for point in (-3.0, -0.5, 0.25, 2.0):
        engine = grad(lambda v: v / (1 + abs(v)))(point)
        assert math.isclose(softsign_prime(point), engine, rel_tol=1e-9), (
            f"at x = {point} yours gives {softsign_prime(point)}, the engine {engine}; "
            "hint: the quotient rule, and d|x|/dx = sign(x)")
    print("right: your rule agrees with the engine at every point")
