# Source of notebooks/08_higher_derivatives.ipynb (build: python notebooks/_build.py 08).

# %% [markdown]
# # 08 Beyond first derivatives
#
# `backward()` computes first derivatives. But the backward pass is itself a computation made of
# the same operations (multiplications, the activations' rules of D5), so the engine can record it
# as a graph and differentiate *it*. `autograd.grad(f)` returns the function $x \mapsto f'(x)$;
# applied twice it gives $f''$. This notebook
#
# 1. checks the second derivatives of the activations (D5) against hand formulas,
# 2. uses $f'$ and $f''$ for Newton's method on a 1-D function,
# 3. computes a Hessian, of a small function and of a logistic-regression loss (D6), and takes
#    Newton steps with it.

# %%
# %matplotlib inline
import math
import random

import matplotlib.pyplot as plt
import numpy as np

from autograd import Value, grad, hessian

TOL = 1e-10

# %% [markdown]
# ## Derivatives of derivatives
#
# Start with something we can do in our heads: $f(x) = x^3$, $f'(x) = 3x^2$, $f''(x) = 6x$,
# $f'''(x) = 6$.

# %%
def cube(x):
    return x ** 3


d1, d2 = grad(cube), grad(grad(cube))
d3 = grad(d2)
print(f"at x = 2: f' = {d1(2.0)}, f'' = {d2(2.0)}, f''' = {d3(2.0)}")
assert (d1(2.0), d2(2.0), d3(2.0)) == (12.0, 12.0, 6.0)

# %% [markdown]
# How does this work? Inside `grad`, the inputs are `Value`s; with `create_graph=True` the
# backward pass applies each rule to `Value`s instead of floats, so the gradient it returns has a
# graph of its own. The next `grad` runs `backward()` through that graph.

# %%
x = Value(2.0, label="x")
y = x ** 3
y.backward(create_graph=True)
first = x.grad                  # a Value: 3 x^2, with a graph back to x
print("dy/dx =", first)
x.grad = 0.0
first.backward()
print("d2y/dx2 =", x.grad)
assert x.grad == 12.0

# %% [markdown]
# ## Second derivatives of the activations (D5)
#
# Differentiating the rules of D5 once more:
#
# $$\sigma'' = \sigma'(1 - 2\sigma) = \sigma(1-\sigma)(1-2\sigma), \qquad
# \tanh'' = -2\tanh\,(1 - \tanh^2),$$
#
# $$\mathrm{ELU}''(z) = \alpha e^z \ (z < 0),\ 0 \ (z > 0), \qquad
# \mathrm{ReLU}'' = \text{leaky ReLU}'' = 0 \ (z \ne 0), \qquad \mathrm{softplus}'' = \sigma' .$$
#
# And once more for the sigmoid: $\sigma''' = \sigma(1-\sigma)(1 - 6\sigma + 6\sigma^2)$.

# %%
def s(z):
    return 1 / (1 + math.exp(-z))


SECOND = {  # name: (engine activation, hand second derivative)
    "sigmoid": (lambda v: v.sigmoid(), lambda z: s(z) * (1 - s(z)) * (1 - 2 * s(z))),
    "tanh": (lambda v: v.tanh(), lambda z: -2 * math.tanh(z) * (1 - math.tanh(z) ** 2)),
    "relu": (lambda v: v.relu(), lambda z: 0.0),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), lambda z: 0.0),
    "elu": (lambda v: v.elu(1.5), lambda z: 1.5 * math.exp(z) if z < 0 else 0.0),
    "softplus": (lambda v: v.softplus(), lambda z: s(z) * (1 - s(z))),
}

rng = random.Random(0)
points = [rng.uniform(-5, 5) for _ in range(300)]
for name, (activation, hand) in SECOND.items():
    engine = grad(grad(activation))
    error = max(abs(engine(z) - hand(z)) for z in points)
    print(f"{name:>10}: max |engine f'' - hand f''| = {error:.1e}")
    assert error < TOL

third = grad(grad(grad(lambda v: v.sigmoid())))
error = max(abs(third(z) - s(z) * (1 - s(z)) * (1 - 6 * s(z) + 6 * s(z) ** 2)) for z in points)
print(f"sigmoid''': max error {error:.1e}")
assert error < TOL

# %%
zs = np.linspace(-5, 5, 201)
fig, axes = plt.subplots(1, 3, figsize=(11.5, 3.2))  # at most 1,200 px wide
for ax, name in zip(axes, ["sigmoid", "tanh", "elu"], strict=True):
    f = SECOND[name][0]
    for order, (fn, style) in enumerate([(f, "-"), (grad(f), "--"), (grad(grad(f)), ":")]):
        values = [fn(Value(z)).data for z in zs] if order == 0 else [fn(z) for z in zs]
        ax.plot(zs, values, style, label=["$g$", "$g'$", "$g''$"][order])
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_title(name if name != "elu" else r"elu, $\alpha = 1.5$")
axes[0].legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Newton's method in one dimension
#
# Gradient descent uses only the slope: $x \leftarrow x - \alpha f'(x)$, with a step size $\alpha$
# we have to choose. Newton's method also uses the curvature: it jumps to the minimum of the
# parabola that matches $f$, $f'$ and $f''$ at the current point,
#
# $$x \leftarrow x - \frac{f'(x)}{f''(x)} .$$
#
# Example: $f(x) = e^x - 2x$, with $f'(x) = e^x - 2$ and $f''(x) = e^x > 0$. The minimum is at
# $x^\star = \ln 2$. Both methods start at $x = 3$; the engine supplies $f'$ and $f''$.

# %%
def f(x):
    return x.exp() - 2 * x


df, d2f = grad(f), grad(grad(f))
assert abs(df(0.3) - (math.exp(0.3) - 2)) < TOL and abs(d2f(0.3) - math.exp(0.3)) < TOL

x_star = math.log(2)
newton, descent = [3.0], [3.0]
for _ in range(25):
    x = newton[-1]
    newton.append(x - df(x) / d2f(x))
    descent.append(descent[-1] - 0.1 * df(descent[-1]))

for k in range(7):
    print(f"step {k}: Newton error {abs(newton[k] - x_star):.2e}   "
          f"gradient descent error {abs(descent[k] - x_star):.2e}")
assert abs(newton[7] - x_star) < 1e-12      # quadratic convergence: digits double each step
assert abs(descent[25] - x_star) > 1e-3     # gradient descent, step 0.1, is still far

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy([abs(x - x_star) + 1e-17 for x in newton], "o-", label="Newton")
ax.semilogy([abs(x - x_star) for x in descent], "s-", label=r"gradient descent, $\alpha = 0.1$")
ax.set(xlabel="step", ylabel=r"$|x - \ln 2|$", title=r"minimising $e^x - 2x$ from $x = 3$")
ax.legend()
plt.show()

# %% [markdown]
# Once close, Newton's error is roughly squared at every step (0.17, 0.014, 1e-4, 5e-9, ...), while gradient
# descent gains a constant factor per step. The price is the second derivative, and in $n$
# dimensions the $n\times n$ Hessian and a linear solve.
#
# ## A Hessian
#
# For $f(x, y) = x^2 y + e^{xy}$ the matrix of second partial derivatives is
#
# $$H = \begin{pmatrix} f_{xx} & f_{xy} \\ f_{yx} & f_{yy} \end{pmatrix}
#     = \begin{pmatrix} 2y + y^2 e^{xy} & 2x + (1 + xy)\,e^{xy} \\ 2x + (1 + xy)\,e^{xy} & x^2 e^{xy} \end{pmatrix} .$$
#
# `autograd.hessian(f)` returns it as a list of rows; it is symmetric, as second derivatives of a
# smooth function must be.

# %%
def g(x, y):
    return x * x * y + (x * y).exp()


def g_hessian_by_hand(x, y):
    e = math.exp(x * y)
    return [[2 * y + y * y * e, 2 * x + (1 + x * y) * e],
            [2 * x + (1 + x * y) * e, x * x * e]]


H = hessian(g)(0.5, -1.2)
print(np.array(H))
assert np.allclose(H, g_hessian_by_hand(0.5, -1.2), rtol=0, atol=TOL)
assert H[0][1] == H[1][0]
for _ in range(50):
    p = (rng.uniform(-1, 1), rng.uniform(-1, 1))
    assert np.allclose(hessian(g)(*p), g_hessian_by_hand(*p), rtol=0, atol=TOL)

# %% [markdown]
# ### The Hessian of a logistic-regression loss, and Newton steps with it
#
# One sigmoid neuron $a_i = \sigma(w_1 x_{i1} + w_2 x_{i2} + b)$ with the binary cross-entropy of
# D6, summed over the examples. Since $\partial L_i / \partial z_i = a_i - y_i$ (D6) and
# $\partial a_i / \partial z_i = a_i(1-a_i)$, with $\tilde x_i = (x_{i1}, x_{i2}, 1)$:
#
# $$\nabla L = \sum_i (a_i - y_i)\,\tilde x_i, \qquad H = \sum_i a_i(1 - a_i)\,\tilde x_i \tilde x_i^{\top} .$$
#
# $H$ is positive semi-definite, so the loss is convex, and Newton's method
# $\theta \leftarrow \theta - H^{-1}\nabla L$ (known in statistics as iteratively reweighted least
# squares) converges in a handful of steps.

# %%
data_rng = np.random.default_rng(0)
X = data_rng.normal(size=(40, 2))
y = (X @ [1.5, -1.0] + 0.3 + data_rng.normal(scale=1.0, size=40) > 0).astype(float)
X_tilde = np.hstack([X, np.ones((40, 1))])


def bce_loss(w1, w2, b):
    """Summed BCE of one sigmoid neuron, in the stable logits form softplus(z) - y z (D6)."""
    total = 0.0
    for (x1, x2), target in zip(X, y, strict=True):
        z = w1 * float(x1) + w2 * float(x2) + b
        total = total + z.softplus() - float(target) * z
    return total


theta = np.zeros(3)
for k in range(6):
    gradient = np.array(grad(bce_loss, argnums=(0, 1, 2))(*theta))
    H = np.array(hessian(bce_loss)(*theta))
    a = 1 / (1 + np.exp(-(X_tilde @ theta)))  # the hand formulas, in numpy
    assert np.allclose(gradient, X_tilde.T @ (a - y), rtol=0, atol=TOL)
    assert np.allclose(H, (X_tilde * (a * (1 - a))[:, None]).T @ X_tilde, rtol=0, atol=TOL)
    print(f"Newton step {k}: loss {bce_loss(*map(Value, theta)).data:.10f}   |gradient| {np.linalg.norm(gradient):.1e}")
    theta = theta - np.linalg.solve(H, gradient)

assert np.linalg.norm(grad(bce_loss, argnums=(0, 1, 2))(*theta)) < 1e-8
print("fitted (w1, w2, b) =", theta.round(4))

# %% [markdown]
# ## What we saw
#
# * `grad(grad(f))` differentiates the backward pass itself; the engine's second (and third)
#   derivatives of the activations match the hand formulas to $10^{-10}$.
# * Newton's method uses $f''$ to converge quadratically, here to machine precision in 7 steps.
# * `hessian(f)` gives the matrix of second derivatives; for logistic regression it equals
#   $\sum_i a_i(1-a_i)\tilde x_i\tilde x_i^\top$, and Newton steps with it fit the model in a few iterations.
#
# Next: [09 Backprop step by step](09_backprop_step_by_step.ipynb).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/08_higher_derivatives.py](solutions/08_higher_derivatives.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: a second derivative
#
# What is $f''(2)$ for $f(x) = x^3$? Checked with the engine's `grad` of `grad`.

# %%
second = None  # f''(2): your number

if second is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    engine = grad(grad(lambda x: x ** 3))(2.0)
    assert math.isclose(second, engine), f"not quite: you said {second}; differentiate 3x^2 once more"
    print(f"right: f''(2) = {engine}")

# %% [markdown]
# ### Exercise 2: one Newton step
#
# Newton's method for $f(x) = x^2 - 2$ (its root is $\sqrt 2$) from $x = 1$: where is the next $x$?

# %%
next_x = None  # your number

if next_x is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    f = lambda x: x ** 2 - 2
    expected = 1.0 - f(1.0) / grad(f)(1.0)
    assert math.isclose(next_x, expected), f"not quite: you said {next_x}; x <- x - f(x) / f'(x)"
    print(f"right: {expected}, already closer to sqrt(2) = {math.sqrt(2):.6f}")
