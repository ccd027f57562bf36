# Source of notebooks/05_binary_classifier.ipynb (build: python notebooks/_build.py 05).

# %% [markdown]
# # 05 Training a binary classifier
#
# Everything needed to train a network that answers yes or no, from note 002, each part checked
# against the engine (derivations in [docs/derivations.md](../docs/derivations.md)):
#
# * **D6** the binary cross-entropy loss of a sigmoid output and its gradient $a - y$
#   (the note's last lines are garbled; here is the result, and how to compute it without overflow),
# * **D7** the gradient-descent update, full-batch and stochastic,
# * **D8** initialisation: why equal weights never learn, and Xavier against a small uniform range,
#
# and finally a decision boundary on the two-moons data.

# %%
# %matplotlib inline
import math
import random

import matplotlib.pyplot as plt
import numpy as np

import nn
import viz
from autograd import Value, gradients

TOL = 1e-10

# %% [markdown]
# ## D6: binary cross-entropy
#
# The output neuron gives a probability $a = \sigma(z)$ that the label is 1. The loss of one
# example with label $y \in \{0, 1\}$ is the negative log-likelihood
#
# $$L(y, a) = -\big(y \log a + (1 - y)\log(1 - a)\big).$$
#
# Its derivative with respect to the pre-activation $z$, by the chain rule:
#
# $$\frac{\partial L}{\partial a} = -\frac{y}{a} + \frac{1-y}{1-a} = \frac{a - y}{a(1-a)},\qquad
# \frac{\partial a}{\partial z} = a(1-a) \ \text{(D5)},\qquad\text{so}\qquad
# \boxed{\frac{\partial L}{\partial z} = a - y .}$$
#
# The $a(1-a)$ cancels: the gradient is simply "prediction minus label". Note 002 starts this
# computation, but its last lines did not survive (the OCR reads "= 0"); $a - y$ is the result.
#
# Check: the loss written literally with engine operations, differentiated by `backward()`, at
# random points.

# %%
rng = random.Random(0)
worst = 0.0
for _ in range(200):
    z, y = Value(rng.uniform(-8, 8)), rng.choice([0.0, 1.0])
    a = z.sigmoid()
    loss = -(y * a.log() + (1 - y) * (1 - a).log())  # the formula, literally
    loss.backward()
    worst = max(worst, abs(z.grad - (a.data - y)))
print(f"max |dL/dz - (a - y)| over 200 random points: {worst:.1e}")
assert worst < TOL

# %% [markdown]
# chainrule's losses compute the same thing: `nn.bce(a, y)` on probabilities and
# `nn.bce_with_logits(z, y)` on the pre-activation $z$ (the "logit").

# %%
for _ in range(50):
    z0, y = rng.uniform(-8, 8), rng.choice([0.0, 1.0])
    a = 1 / (1 + math.exp(-z0))
    by_hand = -(y * math.log(a) + (1 - y) * math.log(1 - a))
    z1, z2 = Value(z0), Value(z0)
    from_probability, from_logit = nn.bce(z1.sigmoid(), y), nn.bce_with_logits(z2, y)
    from_probability.backward()
    from_logit.backward()
    assert abs(from_probability.data - by_hand) < TOL and abs(from_logit.data - by_hand) < TOL
    assert abs(z1.grad - (a - y)) < TOL and abs(z2.grad - (a - y)) < TOL
print("nn.bce and nn.bce_with_logits: value and gradient a - y agree with the hand formulas")

# %% [markdown]
# ### Large logits
#
# A confident wrong prediction has a large $|z|$, and the literal formula breaks on both sides:
#
# * $y = 1$, $z \lesssim -745$: $\sigma(z) = e^{z}$ underflows to 0 (for $z = -1000$ it is
#   $e^{-1000} \approx 10^{-434}$), and $\log a = \log 0$;
# * $y = 0$, already for $z \gtrsim 37$: $e^{-z} < 2^{-53}$, so $\sigma(z)$ rounds to exactly 1.0 and
#   $\log(1 - a) = \log 0$.
#
# What each way of computing the loss does there:
#
# * the literal formula fails (the engine refuses $\log 0$ with a clear error);
# * `nn.bce` clamps each $\log$ at $-100$, as PyTorch's `BCELoss` does (an argument below $e^{-100}$
#   is replaced by the constant $e^{-100}$): the loss stays finite, at most 100 per example, but the
#   clamped term is a constant, so the gradient is 0 and the worst-classified example teaches nothing;
# * `nn.bce_with_logits` rewrites the loss in $z$: $\log\sigma(z) = -\mathrm{softplus}(-z)$ and
#   $\log(1 - \sigma(z)) = -\mathrm{softplus}(z)$, so $L = \mathrm{softplus}(z) - y z$ with a stable
#   $\mathrm{softplus}(z) = \log(1 + e^z)$. The loss is exactly $1000$ for $(z, y) = (-1000, 1)$ and
#   exactly $40$ for $(40, 0)$, and the gradient is exactly $\sigma(z) - y$ ($-1$ and $+1$). That is
#   why classifiers output logits.

# %%
for z0, y in [(-1000.0, 1.0), (40.0, 0.0)]:
    print(f"z = {z0:g}, y = {y:g}")
    z = Value(z0)
    a = z.sigmoid()
    try:
        (-(y * a.log() + (1 - y) * (1 - a).log())).backward()  # the formula, literally
        raise AssertionError("the literal formula should hit log 0 here")
    except ValueError as error:
        print("  literal formula:   ", error)

    clamped = nn.bce(z.sigmoid(), y)
    clamped_grad = gradients(clamped, [z])[0]
    print(f"  nn.bce:             loss {float(clamped):.4f}, dL/dz = {clamped_grad}")
    assert float(clamped) == 100.0 and clamped_grad == 0.0  # the clamp: finite, but no gradient

    z = Value(z0)
    stable = nn.bce_with_logits(z, y)
    stable.backward()
    print(f"  nn.bce_with_logits: loss {stable.data}, dL/dz = {z.grad}")
    assert stable.data == abs(z0) and z.grad == float(z0 > 0) - y  # exact: a - y with a = 0 or 1

for z0 in (-1000.0, -50.0, 0.0, 50.0, 1000.0):  # finite and exact at every scale, both labels
    for y in (0.0, 1.0):
        z = Value(z0)
        nn.bce_with_logits(z, y).backward()
        sigma = 1 / (1 + math.exp(-z0)) if abs(z0) < 700 else float(z0 > 0)  # avoid overflow in math.exp
        assert math.isfinite(z.grad) and abs(z.grad - (sigma - y)) < TOL

# %% [markdown]
# ## D7: gradient descent
#
# Training repeats one update for every layer $l = 1..L$, with learning rate $\alpha$:
#
# $$W^{[l]} \leftarrow W^{[l]} - \alpha\,\frac{\partial L}{\partial W^{[l]}},\qquad
# b^{[l]} \leftarrow b^{[l]} - \alpha\,\frac{\partial L}{\partial b^{[l]}} .$$
#
# In chainrule: `loss.backward()` fills every `p.grad`, and an optimiser applies the rule.
# One step of `nn.SGD` against the formula written by hand:

# %%
X, y = nn.make_moons(100, noise=0.15, seed=0)
model = nn.MLP(2, [4, 1], activation="tanh", init="xavier_normal", seed=0)
alpha = 0.5

loss = nn.bce_with_logits([model(x) for x in X], y)  # the mean over the 100 examples
model.zero_grad()
loss.backward()
expected = [p.data - alpha * p.grad for p in model.parameters()]  # D7, by hand

optimizer = nn.SGD(model.parameters(), lr=alpha)
optimizer.step()
assert all(abs(p.data - e) < TOL for p, e in zip(model.parameters(), expected, strict=True))
new_loss = nn.bce_with_logits([model(x) for x in X], y).data
print(f"loss before {loss.data:.4f}, after one step {new_loss:.4f}")
assert new_loss < loss.data

# %% [markdown]
# **Stochastic** gradient descent computes the loss on one example (or a small batch) per update:
# each step is cheaper and noisier, and one pass over the data (an *epoch*) makes many updates.
# Here a plain loop over single examples, with nothing but the rule above:

# %%
model = nn.MLP(2, [4, 1], activation="tanh", init="xavier_normal", seed=0)
order = np.random.default_rng(0).permutation(len(X))
for epoch in range(3):
    for i in order:
        loss = nn.bce_with_logits(model(X[i]), y[i])  # one example
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad  # D7
    print(f"epoch {epoch + 1}: mean loss {nn.evaluate(model, X, y, loss='bce_with_logits')['loss']:.4f}, "
          f"accuracy {nn.accuracy(model, X, y):.0%}")
assert nn.accuracy(model, X, y) > 0.8

# %% [markdown]
# ## D8: initialisation
#
# ### Equal weights never break symmetry
#
# Note 002: "If initialized with all [equal weights, the] neurons will be [the] same". Suppose the
# hidden neurons of a layer start with identical weights. They compute identical outputs; by the
# chain rule they receive identical gradients; after the update they are identical again. However
# long we train, the layer behaves like a single neuron.
#
# A single tanh neuron can only split the plane along a line, so we use data that no line
# separates: two concentric circles. Below, every weight of a 2-4-1 network starts at 0.3.

# %%
Xc, yc = nn.make_circles(100, noise=0.05, factor=0.5, seed=0)


def hidden_rows(model):
    return model.layers[0].weights()[0]  # one row per hidden neuron (D1)


same = nn.MLP(2, [4, 1], activation="tanh", init=nn.init.constant(0.3), seed=0)

loss = nn.bce_with_logits([same(x) for x in Xc], yc)
same.zero_grad()
loss.backward()
first_gradients = np.array([[w.grad for w in n.w] for n in same.layers[0].neurons])
print("gradients of the 4 hidden neurons' weights at step 0:\n", first_gradients)
assert np.all(first_gradients == first_gradients[0])

nn.fit(same, Xc, yc, loss="bce_with_logits", optimizer=nn.Adam(same.parameters(), lr=0.1), steps=100, progress=False)
print("hidden weights after 100 steps:\n", hidden_rows(same))
assert np.all(hidden_rows(same) == hidden_rows(same)[0])  # still identical rows

random_init = nn.MLP(2, [4, 1], activation="tanh", init="xavier_normal", seed=0)
nn.fit(random_init, Xc, yc, loss="bce_with_logits", optimizer=nn.Adam(random_init.parameters(), lr=0.1),
       steps=100, progress=False)
print(f"accuracy on the circles: equal initial weights {nn.accuracy(same, Xc, yc):.0%}, "
      f"random initial weights {nn.accuracy(random_init, Xc, yc):.0%}")
assert nn.accuracy(same, Xc, yc) < 0.8 < 0.95 < nn.accuracy(random_init, Xc, yc)

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
grid = np.linspace(-1.5, 1.5, 60)
points = np.array([[a, b] for b in grid for a in grid])
for ax, (title, m) in zip(axes, [("equal initial weights", same), ("Xavier initial weights", random_init)],
                          strict=True):
    ax.contourf(grid, grid, nn.predict(m, points).reshape(60, 60), levels=[-0.5, 0.5, 1.5],
                colors=["#1f77b4", "#d62728"], alpha=0.25)
    ax.scatter(Xc[:, 0], Xc[:, 1], c=yc, cmap="coolwarm", s=15, edgecolors="black", linewidths=0.3)
    ax.set(title=f"{title}: {nn.accuracy(m, Xc, yc):.0%}", aspect="equal")
plt.show()

# %% [markdown]
# Four identical neurons draw one line; four different ones enclose the inner circle. (Adam, like
# SGD, updates each weight from its own gradient, so it cannot break the tie either.)
#
# ### Xavier and uniform initialisation
#
# The two random schemes of note 002:
#
# * **Xavier** (Glorot) normal: $w^{[l]}_{ij} \sim \mathcal{N}\big(0, \frac{2}{n_l + n_{l-1}}\big)$, where
#   $\frac{2}{n_l + n_{l-1}}$ is the **variance** (the standard deviation is its square root);
# * **uniform**: $w \sim U[-0.1, 0.1]$, whose variance is $\frac{(0.2)^2}{12} = \frac{1}{300}$.
#
# A large layer has enough weights to check the variances, within sampling error (the sample
# variance of $N$ draws has standard error about $\mathrm{Var}\sqrt{2/N}$, a little less for the uniform).

# %%
n_in, n_out = 300, 200
for init, variance in [("xavier_normal", 2 / (n_in + n_out)), ("uniform", 0.2 ** 2 / 12)]:
    W, _ = nn.Layer(n_in, n_out, init=init, seed=0).weights()
    standard_error = variance * math.sqrt(2 / W.size)
    print(f"{init:>13}: sample variance {W.var():.6f}, formula {variance:.6f} (standard error {standard_error:.1e})")
    assert abs(W.var() - variance) < 4 * standard_error
    assert abs(W.mean()) < 4 * math.sqrt(variance / W.size)

# %% [markdown]
# Why the variance matters: the signal passes through every layer. If the weights are too small,
# each layer shrinks it and a deep network's output (and its gradients, D4) vanish; if they are
# too large, tanh units saturate where $\tanh' \approx 0$. Xavier's variance is chosen so that a
# *linear* layer would keep the spread of the signal (and of its gradient) the same; tanh squeezes
# it a little more at each layer, so with Xavier the spread still decays, but slowly. Below: a
# random input through 10 tanh layers of width 100, with weights drawn by three of chainrule's
# initialisers.

# %%
def activation_spread(init: str, depth: int = 10, width: int = 100, seed: int = 0) -> list[float]:
    """Standard deviation of each tanh layer's outputs for 200 random inputs (numpy, same weights as nn)."""
    generator = np.random.default_rng(seed)
    a = generator.normal(size=(200, width))
    spread = []
    for _ in range(depth):
        W = nn.init.get_initializer(init)(width, width, generator)  # shape (n_out, n_in), as in nn.Layer
        a = np.tanh(a @ W.T)
        spread.append(a.std())
    return spread


spreads = {init: activation_spread(init) for init in ("uniform", "xavier_normal", "micrograd")}
fig, ax = plt.subplots(figsize=(6, 3.5))
labels = {"uniform": "U[-0.1, 0.1]", "xavier_normal": "Xavier normal", "micrograd": "U[-1, 1] (micrograd)"}
for init, spread in spreads.items():
    ax.semilogy(range(1, 11), spread, "o-", label=labels[init])
ax.set(xlabel="layer", ylabel="std of the activations", title="signal through 10 tanh layers of width 100")
ax.legend()
plt.show()
assert spreads["uniform"][-1] < 0.01 < 0.2 < spreads["xavier_normal"][-1]

# %% [markdown]
# The small uniform range loses a factor of about $0.1\sqrt{100/3} \approx 0.6$ per layer here.
# Micrograd's $U[-1, 1]$ errs the other way: a spread near 1 means most units sit near $\pm 1$,
# where $\tanh' \approx 0$, so gradients vanish there too. Xavier stays in between: its spread
# falls from about 0.6 to about 0.24 over the 10 layers (a factor near 0.9 per layer in the deeper
# ones), where the small uniform range falls below 0.01. On
# a 2-8-8-1 network the effect is milder but visible in training: the same data, architecture,
# optimiser and number of steps, only the initial weights differ.

# %%
X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0)
trained, histories = {}, {}
for init in ("xavier_normal", "uniform"):
    trained[init] = nn.MLP(2, [8, 8, 1], activation="tanh", init=init, seed=1)
    histories[init] = nn.fit(trained[init], X_train, y_train, loss="bce_with_logits",
                             optimizer=nn.SGD(trained[init].parameters(), lr=0.5), steps=60, progress=False)

fig, ax = plt.subplots(figsize=(6, 3.5))
for init, history in histories.items():
    ax.plot(history.loss, label=labels[init])
ax.set(xlabel="step", ylabel="training loss (BCE)", title="2-8-8-1 tanh network on moons")
ax.legend()
plt.show()
for init, history in histories.items():
    print(f"{labels[init]:>14}: training loss {history.loss[20]:.3f} at step 20, {history.loss[-1]:.3f} at step 60")
# U[-0.1, 0.1] starts on a plateau at log 2, where Xavier is already learning
assert histories["uniform"].loss[20] > 0.65 > 0.4 > histories["xavier_normal"].loss[20]

# %% [markdown]
# With $U[-0.1, 0.1]$ the loss sits near $\log 2 \approx 0.693$ (the network outputs about
# $\frac12$ for everything) until the weights grow; Xavier starts learning at once.
#
# ## A decision boundary on moons
#
# We train the Xavier-initialised network further, now with Adam (an optimiser that adapts the
# step of each parameter; `nn.fit` runs the loop of D7 with it), and shade the plane by the class
# it predicts (`nn.predict`: class 1 where the logit $z > 0$, that is $\sigma(z) > \frac12$).

# %%
model = trained["xavier_normal"]
history = nn.fit(model, X_train, y_train, loss="bce_with_logits", optimizer=nn.Adam(model.parameters(), lr=0.03),
                 steps=100, progress=False)
test_accuracy = nn.accuracy(model, X_test, y_test)
print(f"training loss {history.loss[-1]:.4f}, training accuracy {nn.accuracy(model, X_train, y_train):.0%}, "
      f"test accuracy {test_accuracy:.0%}")
assert test_accuracy >= 0.95
viz.plot_decision_boundary(model, X, y, title=f"2-8-8-1 tanh network on moons: test accuracy {test_accuracy:.0%}")

# %% [markdown]
# ## What we saw
#
# * For a sigmoid output with cross-entropy, $\partial L/\partial z = a - y$ (D6); computing the loss
#   from the logit keeps it finite and its gradient exact even for $|z| = 1000$.
# * A gradient-descent step is $p \leftarrow p - \alpha\,\partial L/\partial p$ for every parameter
#   (D7), on the whole data set or one example at a time.
# * Equal initial weights stay equal forever; with Xavier's variance $2/(n_l + n_{l-1})$ signals
#   decay only slowly through many layers, where $U[-0.1, 0.1]$ makes them fade fast (D8).
#
# Next: [06 Universal approximation](06_universal_approximation.ipynb).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/05_binary_classifier.py](solutions/05_binary_classifier.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: the gradient of binary cross-entropy
#
# For a logit $z = 0.3$ and the label $y = 1$, what is $\partial L/\partial z$ of
# `nn.bce_with_logits`? (D6: it is remarkably simple.)

# %%
z = Value(0.3, label="z")
L = nn.bce_with_logits([z], [1])
L.label = "L"
answers = {"z": None}  # dL/dz: your number

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(L, answers))

# %% [markdown]
# ### Exercise 2: one step of gradient descent
#
# With $L(w) = (w - 3)^2$, $w = 2$ and learning rate $0.1$, where is $w$ after one step? (D7)

# %%
after_one_step = None  # your number

if after_one_step is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    w = Value(2.0)
    loss = (w - 3) ** 2
    loss.backward()
    expected = w.data - 0.1 * w.grad
    assert math.isclose(after_one_step, expected), (
        f"not quite: you said {after_one_step}. w <- w - lr dL/dw, with dL/dw = 2(w - 3)")
    print(f"right: w moves from 2 to {expected:.4f}, towards the minimum at 3")
