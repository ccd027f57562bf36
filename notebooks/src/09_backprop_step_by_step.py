# Source of notebooks/09_backprop_step_by_step.ipynb (build: python notebooks/_build.py 09).

# %% [markdown]
# # 09 Backprop step by step
#
# `loss.backward()` fills in every gradient in one call. This notebook slows it down and watches
# it work, one node at a time, on graphs small enough to follow by eye:
#
# 1. order the nodes so that every node comes after its inputs (a *topological order*);
# 2. seed the output with $\partial o/\partial o = 1$;
# 3. walk the order backwards; at each node, its gradient is already complete (every node that
#    uses it has been visited), so pass it on to its inputs times the local derivative:
#
# $$\frac{\partial o}{\partial v} = \sum_{u \text{ uses } v} \frac{\partial o}{\partial u}\,\frac{\partial u}{\partial v} .$$
#
# That sum over uses is the chain rule of D2-D4 (notebooks 01 and 03) for a graph instead of a chain.

# %%
import math

from IPython.display import display

import nn
import viz
from autograd import Value, record_source, topological_order

TOL = 1e-12

# %% [markdown]
# ## One neuron, by hand
#
# The classic example from micrograd: a neuron with two inputs and a tanh,
# $o = \tanh(x_1 w_1 + x_2 w_2 + b)$, with the bias chosen so that $n = x_1w_1 + x_2w_2 + b \approx 0.8814$
# and $o \approx 0.7071$. Every intermediate result gets a label so the pictures can name it.

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
s = x1w1 + x2w2
s.label = "s"
n = s + b
n.label = "n"
o = n.tanh()
o.label = "o"
print(f"n = {n.data:.4f}, o = {o.data:.4f}")

order = topological_order(o)
print("topological order (inputs first):", [v.label for v in order])
print("backward visits:                 ", [v.label for v in reversed(order)])

# %% [markdown]
# The backward pass, by hand, in the order it visits the nodes (each line: the chain rule with
# one local derivative):
#
# | node | local rule | gradient |
# |---|---|---|
# | $o$ | seed | $1$ |
# | $n$ | $o = \tanh n$: $\;\partial o/\partial n = 1 - o^2$ | $1 - o^2 = 0.5$ |
# | $b$, $s$ | $n = s + b$: both local derivatives 1 | $0.5$, $0.5$ |
# | $x_2w_2$, $x_1w_1$ | $s = x_1w_1 + x_2w_2$: both 1 | $0.5$, $0.5$ |
# | $w_2$, $x_2$ | $x_2w_2$: $\;\partial/\partial w_2 = x_2$, $\partial/\partial x_2 = w_2$ | $0.5 \cdot 0 = 0$, $0.5 \cdot 1 = 0.5$ |
# | $w_1$, $x_1$ | $x_1w_1$: $\;\partial/\partial w_1 = x_1$, $\partial/\partial x_1 = w_1$ | $0.5 \cdot 2 = 1$, $0.5 \cdot (-3) = -1.5$ |
#
# The same steps in plain Python, then the engine:

# %%
grad = {"o": 1.0}
grad["n"] = grad["o"] * (1 - o.data ** 2)
grad["b"] = grad["s"] = grad["n"] * 1.0
grad["x2*w2"] = grad["x1*w1"] = grad["s"] * 1.0
grad["w2"], grad["x2"] = grad["x2*w2"] * x2.data, grad["x2*w2"] * w2.data
grad["w1"], grad["x1"] = grad["x1*w1"] * x1.data, grad["x1*w1"] * w1.data

o.backward()
for v in reversed(order):
    print(f"{v.label:>6}: by hand {grad[v.label]: .4f}   engine {v.grad: .4f}")
    assert abs(v.grad - grad[v.label]) < TOL

# %% [markdown]
# ## The frames
#
# `viz.backprop_steps(o)` replays the same backward pass and draws one picture per step: the
# gradients known so far (`grad ?` for those still to come), with the node just completed outlined
# in red, the edges to its uses (where its gradient comes back from) in red and labelled
# dL/du × du/dv = upstream × local, and a caption with the chain rule's sum term by term
# (`frame.terms` holds the same numbers). In Jupyter, drag the slider; on a page that does not
# run JavaScript the first frame is shown, so a few frames are also drawn one by one below.

# %%
steps = viz.backprop_steps(o, params=[w1, w2, b])
assert len(steps) == len(order)
assert [frame.node for frame in steps] == list(reversed(order))  # the order backward visits
assert all(abs(frame.grad - frame.node.grad) < TOL for frame in steps)  # each frame's gradient is final
steps

# %%
for k in (0, 1, 4, len(steps) - 1):
    print(steps[k].caption)
    display(steps[k].picture)

# %% [markdown]
# ## A value used twice
#
# When a node feeds several operations, each use sends back its own share, and the node's
# gradient is their **sum** (the $\sum_{u \text{ uses } v}$ above). In
# $f = (a \cdot b) + a$ the input $a$ is used twice:
#
# $$\frac{\partial f}{\partial a} = \underbrace{b}_{\text{through } a\cdot b} + \underbrace{1}_{\text{through } +a} .$$
#
# Backward reaches $a$ only after both uses have been visited; the frame says "summed over its 2
# uses". Writing `grad =` instead of `+=` here is a classic bug (shown in micrograd's lecture):
# the last use visited would overwrite the others' shares.

# %%
a, bb = Value(3.0, label="a"), Value(-2.0, label="b")
ab = a * bb
ab.label = "a*b"
f = ab + a
f.label = "f"
frame_of_a = next(frame for frame in viz.backprop_steps(f) if frame.node is a)
print(frame_of_a.caption)
assert sum(upstream * local for _, upstream, local in frame_of_a.terms) == frame_of_a.grad  # one term per use
f.backward()
assert a.grad == bb.data + 1 == frame_of_a.grad and bb.grad == a.data
frame_of_a.picture

# %% [markdown]
# ## A small network and its loss
#
# The same walk works for any graph. Here a 2-2-1 network from `nn` (tanh hidden units, an affine
# output), its output on one
# example and the squared error against the target: the frames cover every weight, bias,
# product, sum and activation.

# %%
model = nn.MLP(2, [2, 1], activation="tanh", init="xavier_normal", seed=0)
x, target = [0.5, -1.0], 1.0
out = model(x)
loss = (out - target) ** 2
loss.label = "loss"
frames = viz.backprop_steps(loss, params=model, scale=0.85)  # a little smaller: fits the page
print(f"{len(frames)} nodes, {len(frames)} frames; the last steps:")
for frame in frames[-3:]:
    print(" ", frame.caption)

model.zero_grad()
loss.backward()
assert all(abs(fr.grad - fr.node.grad) < TOL for fr in frames)

# hand check of one weight: the output layer is affine (D11), so dL/dw = 2 (out - y) h_1 (D2 without sigma')
h = [neuron(x).data for neuron in model.layers[0].neurons]
w_out = model.layers[1].neurons[0].w[0]
assert abs(w_out.grad - 2 * (out.data - target) * h[0]) < TOL
display(frames[-1].picture)

# %% [markdown]
# For bigger models one box per neuron keeps the picture readable: `viz.draw_dot(loss, collapse=model,
# collapse_level="neuron")` folds each neuron's products, sum and activation into a single node
# (D11: a neuron is $\rho(\sum_i w_i x_i + b)$), with the gradients of the parameters still shown.

# %%
viz.draw_dot(loss, collapse=model, collapse_level="neuron", scale=0.84)  # smaller: fits the page

# %% [markdown]
# ## Counting the work
#
# Backward visits every node once and does a constant amount of work per input of each node, so
# one backward pass costs about as much as the forward pass, however many parameters there are.
# That is what makes reverse mode the right choice for a loss (one output) and many weights.
# Central differences would need two forward passes *per parameter*:

# %%
params = model.parameters()
print(f"{len(params)} parameters, {len(frames)} nodes: one backward pass visits {len(frames)} nodes; "
      f"central differences would run the {len(frames)}-node forward pass {2 * len(params)} times")
for p in params:  # and they agree
    eps, original = 1e-6, p.data
    p.data = original + eps
    up = ((model(x) - target) ** 2).data
    p.data = original - eps
    down = ((model(x) - target) ** 2).data
    p.data = original
    assert math.isclose((up - down) / (2 * eps), p.grad, rel_tol=1e-6, abs_tol=1e-9)

# %% [markdown]
# ## What we saw
#
# * Backward walks a topological order in reverse; when it reaches a node, that node's gradient is
#   complete, and it passes gradient $\times$ local derivative to each input.
# * A value used several times collects the sum of the contributions of all its uses.
# * `viz.backprop_steps` shows every step as a picture; `viz.draw_dot(..., collapse=model)` keeps big
#   graphs readable.
#
# Back to the start: [00 A quick tour](00_quick_tour.ipynb).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it. A wrong gradient
# gets a hint, not the answer: which nodes use this one, their local derivatives, and the chain
# rule's sum with the upstream gradients as symbols ($\partial e/\partial d$, ...), filled in with
# your own right answers. `viz.check_grads(e, answers, feedback="answer")` shows the numbers once
# you have tried. Worked solutions:
# [solutions/09_backprop_step_by_step.py](solutions/09_backprop_step_by_step.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: every gradient of a small graph
#
# $c = ab$, $d = c + a$, $e = \tanh d$ at $a = 2$, $b = -1$. Fill in $\partial e/\partial v$ for
# every node (the numbers come out round). The page below has the same graph: tick *practice*,
# click a node and type your answer there too. A wrong answer climbs the same ladder of hints, one
# rung per try; *show answer* gives the number (counted as shown, not as right), and the score
# counts the answers right without help. You may answer in any order, but the page says when a
# gradient needs another one first ($\partial e/\partial a$ needs $\partial e/\partial c$ and
# $\partial e/\partial d$). The graph is made inside `autograd.record_source()`, so the panel and
# the code pane show the line of this cell that made each node.
#
# On a projector: drag to pan, Ctrl + wheel (or pinch) and the +, -, fit, 1:1 buttons to zoom,
# the arrow keys to step through backward, space to play, Esc to clear, *present* (or
# `viz.explore(e, scale=1.5)`) for large type, and the search box to jump to a node.

# %%
with record_source():  # each node remembers the line that made it, for the explorer's code pane
    a, b = Value(2.0, label="a"), Value(-1.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    e = d.tanh()
    e.label = "e"
answers = {"d": None, "c": None, "a": None, "b": None}  # your numbers

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(e, answers))
viz.explore(e).page()

# %% [markdown]
# What a wrong answer prints (here $\partial e/\partial a = 0.5$, but it is $b + 1 = 0$; the other
# answers right):

# %%
print(viz.check_grads(e, {"d": 1.0, "c": 1.0, "a": 0.5, "b": 2.0}))

# %% [markdown]
# ### Exercise 2: an order backward could use
#
# List the labels of $e$'s graph in an order in which backward could complete their gradients
# (every node after all the nodes that use it).

# %%
my_order = None  # a list of labels, such as ["e", ...]

if my_order is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    nodes = {v.label: v for v in topological_order(e)}
    assert sorted(my_order) == sorted(nodes), f"list each of {sorted(nodes)} once"
    position = {label: i for i, label in enumerate(my_order)}
    for label, node in nodes.items():
        for parent in node.parents:
            assert position[parent.label] > position[label], (
                f"{parent.label} comes before {label}, which uses it: {parent.label}'s gradient is not complete yet")
    print("right; backward itself uses", [frame.name for frame in viz.backprop_steps(e)])
