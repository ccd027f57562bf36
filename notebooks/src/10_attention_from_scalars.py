# Source of notebooks/10_attention_from_scalars.ipynb (build: python notebooks/_build.py 10).

# %% [markdown]
# # 10 Attention from scalars: a GPT that learns names
#
# Karpathy's **microgpt** (February 2026) trains a GPT on 32,033 first names with nothing but a
# scalar `Value` class. `nn.GPT` is that model built from chainrule's Values: token and position
# embeddings, RMSNorm, multi-head causal self-attention with a key/value cache, a ReLU MLP,
# residual connections, and a linear head that gives 27 logits (a-z and the BOS token that starts
# and ends a name). `nn.microgpt(seed=42)` draws its random numbers exactly as microgpt does, so
# its losses are microgpt's (checked by `tests/test_gpt_microgpt.py`).
#
# Four results make the model trainable by hand, and each is derived below, written in plain
# Python and checked against the engine: the softmax's Jacobian (**D12**), cross-entropy through a
# softmax (**D13**, the multi-class form of D10), RMSNorm's derivative (**D14**) and one attention
# head's gradients (**D15**). Then we train the model, and look inside it with the GPT explorer.

# %%
# %matplotlib inline
import math
import random

import matplotlib.pyplot as plt

import nn
import viz
from autograd import Value
from nn.gpt import attention, nll, rmsnorm, softmax

TOL = 1e-12
rng = random.Random(0)


def vector(n, scale=1.0):
    return [Value(rng.gauss(0, scale)) for _ in range(n)]

# %% [markdown]
# ## D12: the softmax and its Jacobian
#
# The softmax turns logits $z_1..z_K$ into probabilities $p_i = e^{z_i} / \sum_k e^{z_k}$. Its
# Jacobian follows from the quotient rule:
#
# $$\frac{\partial p_i}{\partial z_j} = \frac{[i=j]\, e^{z_i} \sum_k e^{z_k} - e^{z_i} e^{z_j}}{\big(\sum_k e^{z_k}\big)^2}
#   = p_i\,\big([i=j] - p_j\big).$$
#
# Each row sums to zero ($p_i - p_i \sum_j p_j = 0$): moving every logit by the same amount
# changes nothing. That is why `nn.gpt.softmax` may subtract $m = \max_j z_j$ first, so that
# $e^{z_j - m} \le 1$ never overflows; $m$ is a node of the graph (the rule table's `max`), and
# the gradient that reaches it is $-\sum_j \partial p_i / \partial z_j = 0$.

# %%
def softmax_jacobian(z):
    e = [math.exp(v - max(z)) for v in z]
    p = [v / sum(e) for v in e]
    return [[p[i] * ((i == j) - p[j]) for j in range(len(z))] for i in range(len(z))]


for _ in range(20):
    z = vector(rng.randint(2, 8), scale=3.0)
    J = softmax_jacobian([v.data for v in z])
    for i in range(len(z)):
        for v in z:
            v.grad = 0.0
        softmax(z)[i].backward()
        assert all(abs(v.grad - J[i][j]) < TOL for j, v in enumerate(z))
big = softmax([Value(1000.0), Value(999.0)])
print("softmax(1000, 999) =", [round(p.data, 6) for p in big], " (e^1000 alone would overflow)")
print("20 random logit vectors: every row of the Jacobian agrees with p_i ([i = j] - p_j)")

# %% [markdown]
# ## D13: cross-entropy through the softmax
#
# The loss at one position is $L = -\log p_c$ for the true next character $c$. Since
# $\log p_c = z_c - \log\sum_k e^{z_k}$,
#
# $$\frac{\partial L}{\partial z_i} = p_i - [\,i = c\,]:$$
#
# probability minus one-hot target, as for sigmoid outputs (D6) and several outputs (D10). The
# gradient is bounded by 1 whatever the logits, one reason training is stable.

# %%
for _ in range(50):
    z, c = vector(27, scale=2.0), rng.randrange(27)
    loss = nll(z, c)
    loss.backward()
    e = [math.exp(v.data - max(w.data for w in z)) for v in z]
    p = [v / sum(e) for v in e]
    assert abs(loss.data + math.log(p[c])) < TOL
    assert all(abs(v.grad - (p[i] - (i == c))) < TOL for i, v in enumerate(z))
print("50 random positions: dL/dz_i = p_i - [i = c]")

# %% [markdown]
# ## D14: RMSNorm's derivative
#
# RMSNorm rescales a vector to unit root-mean-square: $y_i = x_i s$ with
# $s = \big(\tfrac1n \sum_j x_j^2 + \varepsilon\big)^{-1/2}$ and $\varepsilon = 10^{-5}$. Since
# $\partial s / \partial x_j = -\tfrac12 s^3 \cdot \tfrac{2 x_j}{n}$,
#
# $$\frac{\partial y_i}{\partial x_j} = s\,[i=j] - \frac{s^3}{n}\, x_i x_j, \qquad
# \frac{\partial L}{\partial x_j} = s\, g_j - \frac{s^3}{n}\, x_j \sum_i g_i x_i$$
#
# for an upstream gradient $g_i = \partial L / \partial y_i$. The second term removes the part of
# $g$ along $x$: making $x$ longer does not change $y$ (up to $\varepsilon$).

# %%
for _ in range(20):
    x, g = vector(16, scale=1.5), [rng.gauss(0, 1) for _ in range(16)]
    y = rmsnorm(x)
    sum(gi * yi for gi, yi in zip(g, y)).backward()
    xd = [v.data for v in x]
    s = (sum(v * v for v in xd) / 16 + 1e-5) ** -0.5
    gx = sum(gi * xi for gi, xi in zip(g, xd))
    assert all(abs(y[i].data - xd[i] * s) < TOL for i in range(16))
    assert all(abs(x[j].grad - (s * g[j] - s**3 / 16 * xd[j] * gx)) < TOL for j in range(16))
print("20 random vectors: dL/dx_j = s g_j - (s^3 / n) x_j (g . x)")

# %% [markdown]
# ## D15: one attention head's gradients
#
# At position $T$ a head with query $q$ looks at the keys $k_1..k_T$ and values $v_1..v_T$ of the
# positions so far (the cache):
#
# $$a_t = \frac{q \cdot k_t}{\sqrt d}, \qquad w = \mathrm{softmax}(a), \qquad o = \sum_t w_t v_t .$$
#
# With $g = \partial L/\partial o$, the chain rule gives, using D12 for the softmax,
#
# $$\frac{\partial L}{\partial v_t} = w_t\, g, \qquad
# \frac{\partial L}{\partial a_t} = w_t\Big(g\cdot v_t - \sum_s w_s\, g\cdot v_s\Big), \qquad
# \frac{\partial L}{\partial q} = \sum_t \frac{\partial L}{\partial a_t}\frac{k_t}{\sqrt d}, \qquad
# \frac{\partial L}{\partial k_t} = \frac{\partial L}{\partial a_t}\frac{q}{\sqrt d}.$$
#
# A value gets gradient in proportion to its attention weight; a key gets gradient only when its
# value differs from the weighted average $\sum_s w_s v_s$ seen through $g$.

# %%
def head_gradients(q, K, V, g):
    d = len(q)
    a = [sum(qi * ki for qi, ki in zip(q, k)) / math.sqrt(d) for k in K]
    e = [math.exp(v - max(a)) for v in a]
    w = [v / sum(e) for v in e]
    gv = [sum(gi * vi for gi, vi in zip(g, v)) for v in V]
    da = [w[t] * (gv[t] - sum(ws * gs for ws, gs in zip(w, gv))) for t in range(len(K))]
    dq = [sum(da[t] * K[t][i] for t in range(len(K))) / math.sqrt(d) for i in range(d)]
    dK = [[da[t] * qi / math.sqrt(d) for qi in q] for t in range(len(K))]
    dV = [[w[t] * gi for gi in g] for t in range(len(K))]
    return dq, dK, dV


def close(values, numbers):
    return all(abs(v.grad - n) < TOL for v, n in zip(values, numbers, strict=True))


for _ in range(20):
    d, T = 4, rng.randint(1, 8)
    q, K, V = vector(d), [vector(d) for _ in range(T)], [vector(d) for _ in range(T)]
    g = [rng.gauss(0, 1) for _ in range(d)]
    o = attention(q, K, V, n_head=1)
    sum(gi * oi for gi, oi in zip(g, o)).backward()
    data = lambda vectors: [[v.data for v in vec] for vec in vectors]
    dq, dK, dV = head_gradients(data([q])[0], data(K), data(V), g)
    assert close(q, dq) and all(close(k, dk) for k, dk in zip(K, dK)) and all(close(v, dv) for v, dv in zip(V, dV))
print("20 random heads: dL/dq, dL/dk_t and dL/dv_t agree with the formulas")

# %% [markdown]
# ## Training microgpt's model
#
# `nn.microgpt(seed=42)` shuffles the names and initialises the model as microgpt does. Before
# training the model guesses: its loss is about $\log 27 \approx 3.30$ and its names are noise.

# %%
docs, model = nn.microgpt(seed=42)
_, untrained = nn.microgpt(seed=42)  # the same model, kept as it starts, to compare with later
print(model)
print("first names of the shuffled list:", docs[:5])
print("sampled before training:", model.sample(8, seed=0))
before = model.loss(model.encode(docs[0])).data
assert abs(before - math.log(27)) < 0.3

# %% [markdown]
# One step trains on one name: the mean over its positions of $-\log p(\text{next character})$,
# backward, and an Adam step (microgpt's: learning rate 0.01 falling linearly to 0, betas
# 0.85 and 0.99). Every step's loss is one name's, so the curve is noisy; its running mean falls.
#
# We train with the compiled engine: the graph of a name of $n$ characters has the same shape
# whatever the characters (the tokens are inputs of the trace, and an embedding row is picked by
# a traced gather), and attention is causal, so a name padded to 4, 8, 12 or 16 positions gives
# its own losses at its first positions: four traces serve every name, each replayed with numpy.
# Its losses equal the eager engine's (`tests/test_gpt_compiled.py`); the first name needing a
# trace pays for it, and then a step takes about a millisecond, so we can afford microgpt's run.

# %%
STEPS = 1000  # microgpt's whole run
history = nn.train_gpt(model, docs, steps=STEPS, engine="compiled", progress=False)
window = 50
running = [sum(history.loss[max(0, k - window + 1):k + 1]) / min(k + 1, window) for k in range(STEPS)]
print(f"mean loss of the first {window} steps {running[window - 1]:.3f}, of the last {window} {running[-1]:.3f}")
assert running[-1] < running[window - 1] - 0.3

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(history.loss, lw=0.7, alpha=0.5, label="loss of each step's name")
ax.plot(running, lw=2, label=f"running mean of {window}")
ax.axhline(math.log(27), color="gray", ls="--", lw=1, label="log 27: a uniform guess")
ax.set(xlabel="step", ylabel="loss", title="microgpt's model trained with nn.train_gpt")
ax.legend()
plt.show()

# %%
print("sampled after training:", model.sample(8, seed=0))

# %% [markdown]
# ## Inside the trained model
#
# `viz.explore_gpt(model, name)` feeds one name to the model and draws what happens to it, left the
# trained model and right the same model before training: the tokens (BOS, the characters, BOS);
# each position's embedding rows, their sum and its RMSNorm (D14); each head's attention weights
# as a heat map, query position down and key position across, the causal triangle (hover a cell for
# the score before the softmax, D15); the next character's most likely candidates, the target in
# orange with its $-\log p$ (D13); and which characters pushed the loss. "show gradients" colours the
# same cells by $\partial L/\partial(\text{cell})$.
#
# Every cell is a node of the engine's graph of that forward pass. Click one (an attention weight,
# a probability, an embedding entry) and the panel shows its value, its gradient, the rule that made
# it, its inputs with their local derivatives, and the chain rule's sum over its uses; the inputs
# and uses are links, so you can walk from an attention weight down through the softmax and the
# dot product of the query and key to the weights of $W_q$. The prefix box at the bottom shows the
# distribution of the next character after any prefix, at any temperature, and samples from it.
#
# Trained, the model has learnt which letters follow which: after "em" it expects a vowel or an
# "m", where before training every character was about as likely as any other.

# %%
page = viz.gpt_page(model, "emma", before=untrained)  # viz.explore_gpt(...) is the same as a live widget
run, run_before = page.data["runs"]
loss_of = lambda r: r["nodes"]["data"][r["views"]["loss"]]
print(f"loss on 'emma': {loss_of(run_before):.3f} before training, {loss_of(run):.3f} after")
assert abs(loss_of(run) - model.loss(model.encode("emma")).data) < TOL
assert loss_of(run) < loss_of(run_before)
page
