# Source of notebooks/07_several_outputs.ipynb (build: python notebooks/_build.py 07).

# %% [markdown]
# # 07 Several outputs: independent labels and softmax classes
#
# So far a network answered one yes/no question. Note 004 points out that a network may have
# several outputs, $y \in \mathbb{R}^2$ for example, "whether or not a patient has a list of
# diseases". There are two different situations:
#
# * **independent labels** (several diseases at once): one sigmoid and one binary cross-entropy
#   term per output, derivation **D10** of [docs/derivations.md](../docs/derivations.md);
# * **exactly one of $K$ classes** (which flower, which digit): one softmax over all outputs and
#   the cross-entropy of the true class.
#
# Both have the same, simple gradient with respect to the outputs: "prediction minus target".
# We check that against the engine, then train classifiers on Iris and on handwritten digits.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
import viz
from autograd import Value

TOL = 1e-10
rng = np.random.default_rng(0)


def sigma(z):
    return 1 / (1 + math.exp(-z))

# %% [markdown]
# ## D10: two independent outputs
#
# A point $x$ of the plane gets two labels: $y_1 = 1$ if it lies in the disc $x_1^2 + x_2^2 < 1.5$,
# and $y_2 = 1$ if it lies above the diagonal $x_2 > x_1$. A point can have both, one or neither.
# The network has two output units with logits $z_1, z_2$, each read through its own sigmoid
# $a_k = \sigma(z_k)$, and the loss adds one BCE term (D6) per output:
#
# $$L = \sum_{k=1}^{2} -\big(y_k \log a_k + (1 - y_k)\log(1 - a_k)\big).$$
#
# Term $k$ depends on $z_k$ only, so D6 applies to each output separately:
#
# $$\frac{\partial L}{\partial z_k} = a_k - y_k, \qquad
# \frac{\partial L}{\partial W^{[2]}_{kj}} = (a_k - y_k)\, h_j, \qquad
# \frac{\partial L}{\partial h_j} = \sum_k (a_k - y_k)\, W^{[2]}_{kj},$$
#
# where $h = \tanh(W^{[1]}x + b^{[1]})$ is the hidden layer both outputs share. The last formula is
# where the two tasks meet: the hidden units receive the sum of both outputs' errors.

# %%
X = rng.uniform(-2, 2, size=(150, 2))
Y = np.column_stack([X[:, 0] ** 2 + X[:, 1] ** 2 < 1.5, X[:, 1] > X[:, 0]]).astype(float)  # shape (150, 2)
model = nn.MLP(2, [8, 2], activation="tanh", init="xavier_normal", seed=0)  # two linear outputs: logits

for x, y in zip(X[:20], Y[:20], strict=True):
    z = model(x)                                    # [z1, z2]
    loss = nn.bce_with_logits(z, y, reduction="sum")  # the sum of the two BCE terms
    model.zero_grad()
    loss.backward()
    a = np.array([sigma(zk.data) for zk in z])
    assert np.allclose([zk.grad for zk in z], a - y, rtol=0, atol=TOL)        # dL/dz_k = a_k - y_k

    (W1, b1), (W2, _) = model.layers[0].weights(), model.layers[1].weights()
    h = np.tanh(W1 @ x + b1)
    dW2 = np.outer(a - y, h)                                                    # (a_k - y_k) h_j
    dW1 = np.outer((W2.T @ (a - y)) * (1 - h ** 2), x)                          # through the shared layer
    assert np.allclose([[w.grad for w in n.w] for n in model.layers[1].neurons], dW2, rtol=0, atol=TOL)
    assert np.allclose([[w.grad for w in n.w] for n in model.layers[0].neurons], dW1, rtol=0, atol=TOL)
print("20 examples: dL/dz_k = a_k - y_k, and the weight gradients of both layers, agree with the engine")

# %% [markdown]
# Training works as before; `nn.fit` accepts targets with one column per output. A point is
# predicted to carry label $k$ when $z_k > 0$, that is $a_k > \frac12$.

# %%
history = nn.fit(model, X, Y, loss="bce_with_logits", optimizer=nn.Adam(model.parameters(), lr=0.05),
                 steps=100, progress=False)
scores = np.array([[zk.data for zk in model(x)] for x in X])
per_label = ((scores > 0) == (Y > 0)).mean(axis=0)
print(f"training accuracy: in the disc {per_label[0]:.0%}, above the diagonal {per_label[1]:.0%}")
assert per_label.min() > 0.9

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
grid = np.linspace(-2, 2, 50)
points = np.array([[u, v] for v in grid for u in grid])
grid_scores = np.array([[zk.data for zk in model(p)] for p in points])
for k, (ax, title) in enumerate(zip(axes, ["output 1: in the disc?", "output 2: above the diagonal?"],
                                    strict=True)):
    ax.contourf(grid, grid, (grid_scores[:, k] > 0).reshape(50, 50), levels=[-0.5, 0.5, 1.5],
                colors=["#1f77b4", "#d62728"], alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=Y[:, k], cmap="coolwarm", s=12, edgecolors="black", linewidths=0.3)
    ax.set(title=title, aspect="equal")
plt.show()

# %% [markdown]
# ## One of $K$ classes: softmax and cross-entropy
#
# When the classes exclude each other, the $K$ outputs (logits) $z_1..z_K$ become probabilities
# that add up to 1 through the **softmax**, and the loss is minus the log-probability of the true
# class $c$:
#
# $$p_j = \frac{e^{z_j}}{\sum_k e^{z_k}}, \qquad L = -\log p_c = \log\sum_k e^{z_k} - z_c .$$
#
# Since $\frac{\partial}{\partial z_j}\log\sum_k e^{z_k} = \frac{e^{z_j}}{\sum_k e^{z_k}} = p_j$,
#
# $$\frac{\partial L}{\partial z_j} = p_j - [\,j = c\,],$$
#
# probability minus the one-hot target: the same shape as D6 and D10.

# %%
def softmax_by_hand(z):
    e = [math.exp(v - max(z)) for v in z]
    return [v / sum(e) for v in e]


for _ in range(100):
    K = int(rng.integers(2, 8))
    z0, c = rng.normal(scale=3, size=K).tolist(), int(rng.integers(K))
    z = [Value(v) for v in z0]
    loss = nn.cross_entropy(z, c)
    loss.backward()
    p = softmax_by_hand(z0)
    assert abs(loss.data - (-math.log(p[c]))) < TOL
    assert all(abs(z[j].grad - (p[j] - (j == c))) < TOL for j in range(K))
print("100 random logit vectors: L = -log p_c and dL/dz_j = p_j - [j = c]")

# %% [markdown]
# With two classes the softmax is the sigmoid of the difference of the logits,
# $p_1 = \frac{e^{z_1}}{e^{z_0} + e^{z_1}} = \sigma(z_1 - z_0)$, so binary cross-entropy (D6) is the
# special case $K = 2$. And, as for BCE, the loss is computed without overflow by subtracting
# $\max_j z_j$ before exponentiating (which does not change $p$): logits of $\pm 1000$ are fine.

# %%
for _ in range(20):
    z0, z1 = rng.normal(scale=3, size=2)
    assert abs(nn.softmax([Value(z0), Value(z1)])[1].data - sigma(z1 - z0)) < TOL
    assert abs(nn.cross_entropy([Value(z0), Value(z1)], 1).data - nn.bce_with_logits(Value(z1 - z0), 1.0).data) < TOL

z = [Value(1000.0), Value(0.0), Value(-1000.0)]
loss = nn.cross_entropy(z, 1)
loss.backward()
print("logits (1000, 0, -1000), true class 1: loss", loss.data, " gradient", [v.grad for v in z])
assert loss.data == 1000.0 and [v.grad for v in z] == [1.0, -1.0, 0.0]

# %% [markdown]
# ## Iris: three species from four measurements
#
# 150 flowers, 4 measurements each, 3 species. We standardise the features (zero mean, unit
# variance, with statistics from the training set only), and train a 4-8-3 network whose 3 linear
# outputs are the logits of the softmax.

# %%
X, y = nn.load_iris()
X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0)
X_train, X_test = nn.standardize(X_train, X_test)

iris = nn.MLP(4, [8, 3], activation="tanh", init="xavier_normal", seed=0)
history = nn.fit(iris, X_train, y_train, loss="cross_entropy", optimizer=nn.Adam(iris.parameters(), lr=0.05),
                 steps=100, progress=False)
print(iris)
print(f"test accuracy {nn.accuracy(iris, X_test, y_test):.0%} on {len(y_test)} flowers")
assert nn.accuracy(iris, X_test, y_test) >= 0.9
viz.plot_history(history, title="4-8-3 network on Iris")

# %% [markdown]
# The predicted probabilities of a few test flowers, from the softmax of the logits:

# %%
for x, label in zip(X_test[:5], y_test[:5], strict=True):
    p = [v.data for v in nn.softmax(iris(x))]
    print(f"true class {label}: p = {np.round(p, 3)}  -> predicted {int(np.argmax(p))}")

# %% [markdown]
# ## Handwritten digits
#
# 1797 images of $8\times8$ pixels, 10 classes. Even the simplest model, one layer of 10 neurons
# with no hidden layer (multinomial logistic regression: logits $z = Wx + b$, $W$ of shape
# $10\times64$), does well. The scalar engine builds a graph of about 1300 nodes per example, so we
# train on 600 images with mini-batches of 32 (stochastic gradient descent, D7).

# %%
X, y = nn.load_digits()
X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0)
X_train_std, X_test_std = nn.standardize(X_train, X_test)

digits = nn.MLP(64, [10], init="xavier_normal", seed=0)  # one linear layer: 10 logits
history = nn.fit(digits, X_train_std[:600], y_train[:600], loss="cross_entropy",
                 optimizer=nn.Adam(digits.parameters(), lr=0.02), steps=80, batch_size=32, seed=0, progress=False)
test_accuracy = nn.accuracy(digits, X_test_std, y_test)
print(f"test accuracy {test_accuracy:.1%} on {len(y_test)} images")
assert test_accuracy > 0.85

# %%
predicted = nn.predict(digits, X_test_std[:12])
fig, axes = plt.subplots(1, 12, figsize=(12, 1.6))
for ax, image, p, t in zip(axes, X_test[:12], predicted, y_test[:12], strict=True):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{p}" if p == t else f"{p} (true {t})", color="black" if p == t else "red", fontsize=9)
    ax.axis("off")
fig.suptitle("test images and predicted digits", y=1.05)
plt.show()

# %% [markdown]
# Each output neuron's 64 weights, drawn as an $8\times8$ picture: red pixels raise that class's
# logit, blue ones lower it. Some shapes can be made out (the 0 wants ink on a ring and none in the
# middle); the rest is noisy, since 600 images do not pin down 650 weights.

# %%
W, _ = digits.layers[0].weights()
fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for digit, ax in enumerate(axes):
    limit = np.abs(W[digit]).max()
    ax.imshow(W[digit].reshape(8, 8), cmap="coolwarm", vmin=-limit, vmax=limit)
    ax.set_title(str(digit))
    ax.axis("off")
plt.show()

# %% [markdown]
# ### A hidden layer, with the compiled engine
#
# A hidden layer helps, but a 64-32-10 network is about 4500 nodes per example, and the eager
# engine rebuilds that graph for every example of every step. `nn.fit(..., engine="compiled")`
# records the model's graph once and replays it on the whole mini-batch with numpy arrays: same
# model, same rules, same gradients (up to rounding), much faster. Here on all 1347 training images.

# %%
deeper = nn.MLP(64, [32, 10], activation="tanh", init="xavier_normal", seed=0)
history = nn.fit(deeper, X_train_std, y_train, loss="cross_entropy", optimizer=nn.Adam(deeper.parameters(), lr=0.01),
                 steps=150, batch_size=64, seed=0, progress=False, engine="compiled")
deeper_accuracy = nn.accuracy(deeper, X_test_std, y_test)
print(deeper)
print(f"test accuracy {deeper_accuracy:.1%} (one linear layer: {test_accuracy:.1%})")
assert deeper_accuracy > max(test_accuracy, 0.93)

# %% [markdown]
# ## What we saw
#
# * Independent yes/no outputs: one sigmoid and BCE term each; $\partial L/\partial z_k = a_k - y_k$ per
#   output (D10), and the shared hidden layer adds the errors of all outputs.
# * Mutually exclusive classes: softmax and cross-entropy, $\partial L/\partial z_j = p_j - [j = c]$;
#   for two classes it is D6 again.
# * A small network classifies Iris, and a single softmax layer most handwritten digits; a hidden
#   layer, trained with the compiled engine, does better.
#
# Next: [08 Beyond first derivatives](08_higher_derivatives.ipynb).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/07_several_outputs.py](solutions/07_several_outputs.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: softmax and cross-entropy by hand
#
# Three logits $z = (1, 2, 0.5)$, the true class is 1. What is $\partial L/\partial z_k$ of
# `nn.cross_entropy` for each $k$? (D10: probability minus one-hot.)

# %%
logits = [Value(1.0, label="z0"), Value(2.0, label="z1"), Value(0.5, label="z2")]
L = nn.cross_entropy([logits], [1])
L.label = "L"
answers = {"z0": None, "z1": None, "z2": None}  # your numbers (math.exp is allowed)

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(L, answers))

# %% [markdown]
# ### Exercise 2: predict a sum
#
# Without computing: what is $\sum_k \partial L/\partial z_k$, for any logits and any class?

# %%
total = None  # your number

if total is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    L.backward()
    engine = sum(z.grad for z in logits)
    assert abs(total - engine) < 1e-12, (
        f"not quite: you said {total}. The probabilities sum to 1 and the one-hot vector sums to 1")
    print(f"right: the gradients sum to {engine:.1e}; adding a constant to every logit changes nothing")
