# Source of notebooks/04_neurons_to_mlp.ipynb (build: python notebooks/_build.py 04).

# %% [markdown]
# # 04 From neurons to an MLP
#
# chainrule's networks are built from scalar `Value`s, one neuron at a time, exactly as in
# micrograd. The lecture notes write the same networks with matrices. This notebook shows that the
# two are the same computation:
#
# * **D11** the neuron $f(x) = \rho(\sum_i x_i w_i + b)$ and the deep network
#   $\Phi(x) = T_L\,\rho(T_{L-1}\,\rho(\cdots\rho(T_1 x)))$,
# * **D1** forward propagation $z^{[l]} = W^{[l]}a^{[l-1]} + b^{[l]}$, $a^{[l]} = g(z^{[l]})$, with the
#   shapes of the notes' 4-5-3 network (001) and 3-3-1 network (004), in both of the notes' index
#   conventions,
#
# and then runs the backward pass in matrix form against the engine.
# (Derivations: [docs/derivations.md](../docs/derivations.md).)

# %%
import math

import numpy as np

import nn
import viz
from autograd import Value

TOL = 1e-12
rng = np.random.default_rng(0)

# %% [markdown]
# ## D11: the neuron
#
# An artificial neuron with weights $w_1..w_n$, bias $b$ and activation $\rho$ is the function
#
# $$f(x_1, \dots, x_n) = \rho\Big(\sum_{i=1}^n x_i w_i + b\Big).$$
#
# `nn.Neuron` holds `w` (a list of `Value`s) and `b` (a `Value`); calling it on an input builds
# the graph of that sum.

# %%
neuron = nn.Neuron(3, activation="tanh", weights=[0.5, -1.0, 2.0], bias=0.1)
x = [1.0, 2.0, -0.5]
out = neuron(x)

by_hand = math.tanh(1.0 * 0.5 + 2.0 * -1.0 + -0.5 * 2.0 + 0.1)  # rho(sum_i x_i w_i + b)
print(neuron, "->", out.data, " by hand:", by_hand)
assert abs(out.data - by_hand) < TOL

# %% [markdown]
# Note 001 writes $\rho(\sum_i x_i w_i + b) = \rho(\langle x, w\rangle - b)$, as an equality. With
# the same $b$ on both sides that "=" is a slip: it holds only for $b = 0$. What is true is that
# the two forms describe the same family of functions: a neuron with bias $b$ in the minus form is
# the neuron with bias $-b$ in the plus form. Below, the minus form with $b$ equals chainrule's
# neuron with bias $-b$, and differs from the one with bias $b$.

# %%
w, b = [0.5, -1.0, 2.0], 0.7
minus_form = math.tanh(np.dot(x, w) - b)                          # rho(<x, w> - b)
plus_form = nn.Neuron(3, activation="tanh", weights=w, bias=-b)(x).data  # rho(sum x_i w_i + (-b))
same_b = nn.Neuron(3, activation="tanh", weights=w, bias=b)(x).data  # rho(sum x_i w_i + b)
assert abs(minus_form - plus_form) < TOL
assert abs(minus_form - same_b) > 0.01  # the note's "=" with the same b does not hold
print(f"rho(<x,w> - b)           = {minus_form:.12f}")
print(f"neuron with bias -b      = {plus_form:.12f}")
print(f"neuron with bias +b      = {same_b:.12f}  (the note's left-hand side, same b)")

# %% [markdown]
# ## A layer is a matrix
#
# A layer is $n_l$ neurons reading the same inputs. Stack their weight vectors as the **rows** of a
# matrix and their biases in a vector: neuron $i$'s pre-activation is row $i$ of $W x + b$.
#
# $$\begin{bmatrix} z_1 \\ \vdots \\ z_{m} \end{bmatrix} =
# \begin{bmatrix} w_{1,1} & \cdots & w_{1,n} \\ \vdots & & \vdots \\ w_{m,1} & \cdots & w_{m,n} \end{bmatrix}
# \begin{bmatrix} a_1 \\ \vdots \\ a_n \end{bmatrix} +
# \begin{bmatrix} b_1 \\ \vdots \\ b_m \end{bmatrix}$$
#
# `Layer.weights()` returns that matrix $W$ (shape $m \times n$: one row per neuron, one column per
# input) and $b$.

# %%
layer = nn.Layer(4, 5, activation="sigmoid", init="xavier_normal", seed=1)
W, b = layer.weights()
print(layer, " W:", W.shape, " b:", b.shape)
assert W[2].tolist() == [w.data for w in layer.neurons[2].w]  # row 2 holds neuron 2's weights

x = rng.normal(size=4)
from_neurons = np.array([v.data for v in layer(x)])
from_matrix = 1 / (1 + np.exp(-(W @ x + b)))
print("neuron by neuron:", from_neurons.round(6))
print("g(Wx + b):       ", from_matrix.round(6))
assert np.allclose(from_neurons, from_matrix, rtol=0, atol=TOL)

# %% [markdown]
# ## D1: forward propagation, the 4-5-3 network of note 001
#
# $$a^{[0]} = x,\qquad z^{[l]} = W^{[l]} a^{[l-1]} + b^{[l]},\qquad a^{[l]} = \sigma(z^{[l]}),\qquad l = 1, 2.$$
#
# With 4 inputs, 5 hidden units and 3 outputs, note 001 gives the shapes: $W^{[1]}$ is
# $5\times4$, $W^{[2]}$ is $3\times5$, $z^{[1]}$ and $a^{[1]}$ are $5\times1$, $b^{[2]}$ is
# $3\times1$. In general $W^{[l]}$ is $n_l \times n_{l-1}$: rows for this layer's neurons,
# columns for the previous layer's outputs.

# %%
net = nn.MLP(4, [5, 3], activation="sigmoid", output_activation="sigmoid", init="xavier_normal", seed=0)
print(net)
(W1, b1), (W2, b2) = (layer.weights() for layer in net.layers)
print("W[1]", W1.shape, " b[1]", b1.shape, "  W[2]", W2.shape, " b[2]", b2.shape)
assert W1.shape == (5, 4) and W2.shape == (3, 5) and b1.shape == (5,) and b2.shape == (3,)
assert len(net.parameters()) == 5 * 4 + 5 + 3 * 5 + 3  # 43


def sigma(z):
    return 1 / (1 + np.exp(-z))


def forward_001(x: np.ndarray) -> list[np.ndarray]:
    """a[0], a[1], a[2] by the matrix formulas of note 001 (numpy)."""
    a0 = x
    a1 = sigma(W1 @ a0 + b1)
    a2 = sigma(W2 @ a1 + b2)
    return [a0, a1, a2]


for _ in range(100):
    x = rng.normal(size=4)
    engine = [v.data for v in net(x)]
    assert np.allclose(engine, forward_001(x)[2], rtol=0, atol=TOL)
print("100 random inputs: the scalar network and the matrix formulas agree to", TOL)

# %% [markdown]
# The matrix form also handles a whole batch at once: put the $n$ examples in the rows of $X$
# ($n\times 4$); then $Z^{[1]} = X W^{[1]\top} + b^{[1]}$ computes every example's layer 1 in one
# product. The scalar engine evaluates one example at a time, with the same result.

# %%
X = rng.normal(size=(50, 4))
A2 = sigma(sigma(X @ W1.T + b1) @ W2.T + b2)
per_example = np.array([[v.data for v in net(row)] for row in X])
print("batch output", A2.shape)
assert np.allclose(A2, per_example, rtol=0, atol=TOL)

# %% [markdown]
# ## D1 in the other convention: the 3-3-1 network of note 004 (UFLDL)
#
# Note 004 follows Stanford's UFLDL tutorial, which numbers things differently:
#
# | | note 001 (and chainrule's docs) | note 004 (UFLDL) | chainrule |
# |---|---|---|---|
# | input | $a^{[0]} = x$ | $a^{(1)} = x$ | `x` |
# | first weights | $W^{[1]}$: layer 0 $\to$ 1 | $W^{(1)}$: layer 1 $\to$ 2 | `net.layers[0]` |
# | hidden activations | $a^{[1]}$ | $a^{(2)}$ | output of `layers[0]` |
# | forward step | $z^{[l]} = W^{[l]}a^{[l-1]} + b^{[l]}$ | $z^{(l+1)} = W^{(l)}a^{(l)} + b^{(l)}$ | `Layer.forward` |
#
# $W^{(l)}_{ij}$ is the weight from unit $j$ of layer $l$ to unit $i$ of layer $l+1$ ("note the
# order of the indices"), so it is again row = receiving unit, column = sending unit. The example
# has 3 inputs, 3 hidden units, 1 output: $W^{(1)} \in \mathbb{R}^{3\times3}$,
# $W^{(2)} \in \mathbb{R}^{1\times3}$, $b^{(1)} \in \mathbb{R}^3$, $b^{(2)} \in \mathbb{R}$, and
#
# $$a^{(2)}_1 = f\big(W^{(1)}_{11}x_1 + W^{(1)}_{12}x_2 + W^{(1)}_{13}x_3 + b^{(1)}_1\big), \quad \dots, \quad
# h_{W,b}(x) = a^{(3)}_1 = f\big(W^{(2)}_{11}a^{(2)}_1 + W^{(2)}_{12}a^{(2)}_2 + W^{(2)}_{13}a^{(2)}_3 + b^{(2)}_1\big).$$
#
# We write the UFLDL formulas literally, with 1-based indices in plain Python loops, and build the
# chainrule network from the same numbers with `nn.MLP.from_weights`.

# %%
f = math.tanh
W_ufldl = {1: rng.normal(size=(3, 3)), 2: rng.normal(size=(1, 3))}  # W^(l) maps layer l to l + 1
b_ufldl = {1: rng.normal(size=3), 2: rng.normal(size=1)}


def h_ufldl(x: list[float]) -> float:
    """UFLDL's forward propagation: a^(1) = x, z_i^(l+1) = sum_j W_ij^(l) a_j^(l) + b_i^(l), 1-based."""
    a = {1: {j: x[j - 1] for j in (1, 2, 3)}}
    sizes = {1: 3, 2: 3, 3: 1}
    for l in (1, 2):
        a[l + 1] = {}
        for i in range(1, sizes[l + 1] + 1):
            z = sum(W_ufldl[l][i - 1, j - 1] * a[l][j] for j in range(1, sizes[l] + 1)) + b_ufldl[l][i - 1]
            a[l + 1][i] = f(z)
    return a[3][1]


net_331 = nn.MLP.from_weights([W_ufldl[1], W_ufldl[2]], [b_ufldl[1], b_ufldl[2]],
                              activation="tanh", output_activation="tanh")
print(net_331, [layer.weights()[0].shape for layer in net_331.layers])
assert [layer.weights()[0].shape for layer in net_331.layers] == [(3, 3), (1, 3)]

for _ in range(100):
    x = rng.normal(size=3).tolist()
    assert abs(net_331(x).data - h_ufldl(x)) < TOL


# the same numbers in note 001's convention: W[1] = W^(1), W[2] = W^(2); a[1] is UFLDL's a^(2)
def forward_001_convention(x):
    a = {0: np.asarray(x)}
    W_, b_ = {1: W_ufldl[1], 2: W_ufldl[2]}, {1: b_ufldl[1], 2: b_ufldl[2]}
    for l in (1, 2):
        a[l] = np.tanh(W_[l] @ a[l - 1] + b_[l])
    return a[2][0]


for _ in range(100):
    x = rng.normal(size=3).tolist()
    assert abs(forward_001_convention(x) - h_ufldl(x)) < TOL
print("3-3-1: UFLDL loops, note 001's matrices and the scalar engine agree")

# %% [markdown]
# The 3-3-1 network as chainrule draws it, one box per neuron (`collapse_level="neuron"`), on one
# input: the picture of note 004, with each unit's output value and gradient, and the 16
# parameters around them. A third naming convention appears here, Python's, counting from 0:
# `layers.0.neurons.2.w1` is UFLDL's $W^{(1)}_{32}$ and note 001's $w^{[1]}_{3,2}$.

# %%
inputs = [Value(v, label=f"x{i}") for i, v in enumerate([0.5, -1.0, 2.0], start=1)]
h = net_331(inputs)
h.backward()
assert net_331.layers[0].neurons[2].w[1].data == W_ufldl[1][3 - 1, 2 - 1]  # W^(1)_32
viz.draw_dot(h, collapse=net_331, collapse_level="neuron")

# %% [markdown]
# ## D11: the deep network
#
# Kutyniok's definition (quoted in note 001) alternates affine maps $T_l x = W^{(l)}x + b^{(l)}$
# with the activation $\rho$, and ends with an affine map, **no activation on the last layer**:
#
# $$\Phi(x) = T_L\,\rho\big(T_{L-1}\,\rho(\cdots\rho(T_1 x))\big).$$
#
# That is `nn.MLP`'s default: `output_activation=None`. Here a 2-8-8-1 ReLU network against
# $\Phi$ in numpy.

# %%
deep = nn.MLP(2, [8, 8, 1], activation="relu", seed=3)
Ts = [layer.weights() for layer in deep.layers]


def phi(x: np.ndarray) -> float:
    a = x
    for l, (W_l, b_l) in enumerate(Ts):
        z = W_l @ a + b_l                                  # T_l
        a = z if l == len(Ts) - 1 else np.maximum(z, 0.0)  # rho, except after T_L
    return float(a[0])


for _ in range(100):
    x = rng.normal(size=2)
    assert abs(deep(x).data - phi(x)) < TOL
print(deep)
print("output activation:", deep.output_activation)

# %% [markdown]
# ## Refinement: the backward pass in matrix form
#
# The engine computes gradients one scalar node at a time. For a layered network, the same
# numbers come out of a few matrix products, which is how array libraries do it. For the 4-5-3
# sigmoid network and the squared error $L = \lVert y - a^{[2]}\rVert^2$ (D2 with vectors), write
# $\delta^{[l]} = \partial L/\partial z^{[l]}$:
#
# $$\delta^{[2]} = -2(y - a^{[2]}) \odot \sigma'(z^{[2]}),\qquad
# \delta^{[1]} = \big(W^{[2]\top}\delta^{[2]}\big) \odot \sigma'(z^{[1]}),$$
#
# $$\frac{\partial L}{\partial W^{[l]}} = \delta^{[l]}\, a^{[l-1]\top},\qquad \frac{\partial L}{\partial b^{[l]}} = \delta^{[l]} .$$
#
# ($\odot$ is the entrywise product, and $\sigma' = a(1-a)$.) For a single neuron per layer these are
# exactly the formulas of D2.

# %%
x, y = rng.normal(size=4), np.array([1.0, 0.0, 1.0])

a0, a1, a2 = forward_001(x)
delta2 = -2 * (y - a2) * a2 * (1 - a2)
delta1 = (W2.T @ delta2) * a1 * (1 - a1)
by_matrices = {"W1": np.outer(delta1, a0), "b1": delta1, "W2": np.outer(delta2, a1), "b2": delta2}

net.zero_grad()
loss = sum(((yi - ai) ** 2 for yi, ai in zip(y, net(x), strict=True)), start=Value(0.0))
loss.backward()
by_engine = {}
for l, layer in enumerate(net.layers, start=1):
    by_engine[f"W{l}"] = np.array([[w.grad for w in n.w] for n in layer.neurons])
    by_engine[f"b{l}"] = np.array([n.b.grad for n in layer.neurons])

for name in by_matrices:
    print(f"dL/d{name}: shape {by_matrices[name].shape}, "
          f"max |matrix - engine| = {np.max(np.abs(by_matrices[name] - by_engine[name])):.1e}")
    assert np.allclose(by_matrices[name], by_engine[name], rtol=0, atol=TOL)

# %% [markdown]
# ## What we saw
#
# * A chainrule `Neuron` is the neuron of D11; note 001's $\rho(\langle x,w\rangle - b)$ is the same
#   family with the bias negated (not, as the note's "=" says, the same function for the same $b$).
# * A `Layer` is a weight matrix with one row per neuron; an `MLP` computes forward propagation (D1)
#   exactly as the matrix formulas do, for the 4-5-3 network of 001 and the 3-3-1 network of 004,
#   in either index convention.
# * The default MLP ends with an affine layer, like $\Phi$ in D11.
# * Backpropagation in matrix form ($\delta^{[l]}$) gives the engine's gradients.
#
# Next: [05 Training a binary classifier](05_binary_classifier.ipynb).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/04_neurons_to_mlp.py](solutions/04_neurons_to_mlp.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: a neuron's gradients by hand
#
# A tanh neuron with weights $w_0 = 0.5$, $w_1 = -1$, bias $b = 0.1$ reads $x = (2, 1)$. What are
# $\partial o/\partial w_0$, $\partial o/\partial w_1$ and $\partial o/\partial b$? (D11)

# %%
w0, w1, b = Value(0.5, label="w0"), Value(-1.0, label="w1"), Value(0.1, label="b")
o = (w0 * 2.0 + w1 * 1.0 + b).tanh()
o.label = "o"
answers = {"w0": None, "w1": None, "b": None}  # your numbers

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(o, answers))

# %% [markdown]
# ### Exercise 2: count the parameters
#
# How many parameters (weights and biases) does `nn.MLP(3, [4, 4, 1])` have?

# %%
count = None  # your number

if count is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    actual = len(nn.MLP(3, [4, 4, 1]).parameters())
    assert count == actual, (
        f"not quite: you said {count}. A layer from n inputs to m neurons has an (m, n) weight matrix "
        "and m biases")
    print(f"right: {actual} parameters")
