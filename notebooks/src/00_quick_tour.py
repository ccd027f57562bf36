# Source of notebooks/00_quick_tour.ipynb (build: python notebooks/_build.py 00).

# %% [markdown]
# # 00 A quick tour of chainrule
#
# chainrule is a small automatic-differentiation engine in the spirit of micrograd: every number
# is a `Value` that remembers how it was computed, and `backward()` applies the chain rule through
# that record to find the derivative of a result with respect to every input. On top of it, `nn`
# builds neurons, layers and networks, and `viz` draws the graphs. This tour shows each in a few
# lines; the numbered notebooks that follow explain the mathematics, derivation by derivation
# ([docs/derivations.md](../docs/derivations.md)).

# %%
# %matplotlib inline
import math
import random

import numpy as np

import nn
import viz
from autograd import Value, grad

# %% [markdown]
# ## A Value expression and its graph
#
# $e = \tanh(a b + b^3)$ at $a = 2$, $b = -1$. Each operation makes a new `Value`; labels make
# the picture readable.

# %%
a = Value(2.0, label="a")
b = Value(-1.0, label="b")
c = a * b + b ** 3
c.label = "c"
e = c.tanh()
e.label = "e"
print(e)
viz.draw_dot(e)

# %% [markdown]
# `e.backward()` fills in `.grad` of every node: $\partial e/\partial a$ and
# $\partial e/\partial b$. By hand, with $c = ab + b^3$: $\frac{\partial e}{\partial a} = (1 - e^2)\,b$
# and $\frac{\partial e}{\partial b} = (1 - e^2)(a + 3b^2)$.

# %%
e.backward()
print(f"de/da = {a.grad:.6f}   de/db = {b.grad:.6f}")
assert math.isclose(a.grad, (1 - e.data ** 2) * b.data, rel_tol=1e-12)
assert math.isclose(b.grad, (1 - e.data ** 2) * (a.data + 3 * b.data ** 2), rel_tol=1e-12)
viz.draw_dot(e)  # now with the gradients

# %% [markdown]
# Derivatives are also available as functions, to any order (notebook 08):

# %%
def f(x):
    return (x * x + 1).log()


print("f'(1) =", grad(f)(1.0), "  f''(1) =", grad(grad(f))(1.0))  # 2x/(x^2+1) and 2(1-x^2)/(x^2+1)^2
assert grad(f)(1.0) == 1.0 and grad(grad(f))(1.0) == 0.0

# %% [markdown]
# ## A neural network in a few lines: micrograd's demo, number for number
#
# micrograd's demo: two interleaving half-moons, a 2-16-16-1 ReLU network, the max-margin (hinge)
# loss with a little L2 regularisation, and plain gradient descent with a decaying learning rate
# $1.0 - 0.9\,k/100$. `nn.fit` runs the loop: forward every example, compute the loss,
# `backward()`, update.
#
# The demo seeds numpy and Python's `random` with 1337 and takes its data from scikit-learn's
# `make_moons(n_samples=100, noise=0.1)`. The cell below makes the same arrays without
# scikit-learn (its algorithm: the two half circles, shuffled, then Gaussian noise, all from numpy's
# legacy global generator). chainrule's default initialiser draws micrograd's weights from
# Python's `random`, in micrograd's order, so after `random.seed(1337)` the model *is* micrograd's.

# %%
def sklearn_moons(n_samples, noise, state):
    """scikit-learn's make_moons(n_samples, noise=noise) drawing from the RandomState ``state``."""
    n_out, n_in = n_samples // 2, n_samples - n_samples // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)),
                   np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)
    state.shuffle(order)
    return X[order] + state.normal(scale=noise, size=X.shape), y[order]


X, y = sklearn_moons(100, 0.1, np.random.RandomState(1337))  # np.random.seed(1337); make_moons(...)
random.seed(1337)
model = nn.MLP(2, [16, 16, 1])  # micrograd's MLP(2, [16, 16, 1]), weight for weight
print(model)
optimizer = nn.SGD(model.parameters(), lr=nn.LinearDecay(1.0, 0.1, 100))  # 1.0 - 0.9 k / 100
history = nn.fit(model, X, y, loss="hinge", optimizer=optimizer, steps=100, alpha_l2=1e-4,
                 progress=False)
for k in (0, 1, 2, 99):
    print(f"step {k} loss {history.loss[k]}, accuracy {history.accuracy[k] * 100}%")

# %% [markdown]
# micrograd's demo notebook printed `step 0 loss 0.8958441028683222, accuracy 50.0%` and
# `step 99 loss 0.010978370135492717, accuracy 100.0%`: the same run, to the last digit or two
# (tests/test_nn_micrograd.py compares all 100 steps and the final weights with micrograd 0.1.0
# to 1e-12).

# %%
assert abs(history.loss[0] - 0.8958441028683222) < 1e-12 and history.accuracy[0] == 0.5
assert abs(history.loss[99] - 0.010978370135492717) < 1e-12 and history.accuracy[99] == 1.0
viz.plot_history(history, title="micrograd's demo: its loss curve, step for step")

# %%
viz.plot_decision_boundary(model, X, y, title="what the network learned")

# %% [markdown]
# A network's graph gets big quickly: the 2-16-16-1 model on a single example is already well over
# a thousand nodes. `collapse=` folds each neuron, $\rho(\sum_i w_i x_i + b)$, into one box, which keeps
# a small network readable. Here a 2-3-1 network on one example:

# %%
print("nodes in the 2-16-16-1 graph of one example:", viz.draw_dot(model(X[0])).node_count)
small = nn.MLP(2, [3, 1], seed=0)
x1, x2 = Value(X[0][0], label="x1"), Value(X[0][1], label="x2")
out = small([x1, x2])
out.backward()
viz.draw_dot(out, collapse=small, collapse_level="neuron")

# %% [markdown]
# ## Where to go next
#
# | notebook | what it teaches |
# |---|---|
# | [01 The chain rule](01_chain_rule.ipynb) | D2, D3 by hand and by the engine; the sign note 001 drops |
# | [02 Activations](02_activations.ipynb) | D5: activations, derivatives, kinks; why linear stacks collapse |
# | [03 Vanishing gradients](03_vanishing_gradients.ipynb) | D4: gradients against depth for sigmoid, tanh, ReLU |
# | [04 From neurons to an MLP](04_neurons_to_mlp.ipynb) | D1, D11: scalar neurons against matrix forward propagation |
# | [05 A binary classifier](05_binary_classifier.ipynb) | D6-D8: cross-entropy, gradient descent, initialisation |
# | [06 Universal approximation](06_universal_approximation.ipynb) | D9: sup error against width |
# | [07 Several outputs](07_several_outputs.ipynb) | D10, softmax; Iris and the digits |
# | [08 Higher derivatives](08_higher_derivatives.ipynb) | second derivatives, Newton's method, Hessians |
# | [09 Backprop step by step](09_backprop_step_by_step.ipynb) | the frames of one backward pass |
