# Source of notebooks/01_chain_rule.ipynb (build: python notebooks/_build.py 01).

# %% [markdown]
# # 01 The chain rule, by hand and by the engine
#
# A neural network is a composition of simple functions, and training it needs the derivative of
# the loss with respect to every weight. The **chain rule** gives that derivative as a product of
# the local derivatives along the way:
#
# $$\frac{d}{dx} f(g(x)) = f'(g(x))\, g'(x).$$
#
# This notebook works the rule out by hand for the small networks of the lecture notes
# (derivations **D2** and **D3** of [docs/derivations.md](../docs/derivations.md)), codes each hand
# formula in plain Python, and checks that the engine's `backward()` gives the same numbers, to
# about $10^{-10}$. Along the way we meet a sign that one of the notes drops.

# %%
import math
import random

from IPython.display import display

import viz
from autograd import Value, gradcheck

TOL = 1e-10  # agreement we ask for between a hand formula and the engine (float64)

# %% [markdown]
# ## A first example: one composition
#
# Take $f(x) = (3x + 1)^2$. With $u = 3x + 1$ we have $f = u^2$, so
# $\frac{df}{dx} = \frac{df}{du}\frac{du}{dx} = 2u \cdot 3 = 6(3x+1)$.
#
# In the engine, every arithmetic operation on a `Value` records itself; `backward()` then walks
# the recorded graph from the output back to the inputs and fills in `.grad`.

# %%
x = Value(2.0, label="x")
f = (3 * x + 1) ** 2
f.backward()

by_hand = 6 * (3 * 2.0 + 1)
print(f"f = {f.data},  engine df/dx = {x.grad},  hand 6(3x+1) = {by_hand}")
assert abs(x.grad - by_hand) < TOL

# %% [markdown]
# ## One neuron: a composition of three steps
#
# A single sigmoid neuron computes $z = wx + b$, then $a = \sigma(z)$ with
# $\sigma(z) = 1/(1+e^{-z})$. The sigmoid has the tidy derivative $\sigma'(z) = \sigma(z)(1-\sigma(z))$
# (D5, notebook 02), so
#
# $$\frac{\partial a}{\partial w} = \sigma'(z)\, x, \qquad \frac{\partial a}{\partial b} = \sigma'(z).$$

# %%
def sigma(z: float) -> float:
    """The logistic sigmoid, in plain Python."""
    return 1.0 / (1.0 + math.exp(-z))


def sigma_prime(z: float) -> float:
    return sigma(z) * (1.0 - sigma(z))


w, b, x = Value(0.7, label="w"), Value(-0.2, label="b"), Value(1.5, label="x")
a = (w * x + b).sigmoid()
a.backward()

z = 0.7 * 1.5 - 0.2
print(f"da/dw: engine {w.grad:.15f}, hand {sigma_prime(z) * 1.5:.15f}")
print(f"da/db: engine {b.grad:.15f}, hand {sigma_prime(z):.15f}")
assert abs(w.grad - sigma_prime(z) * 1.5) < TOL
assert abs(b.grad - sigma_prime(z)) < TOL

# %% [markdown]
# ## D2: one neuron per layer, squared error
#
# The first lecture (note 001) chains two such neurons and measures the squared error against a
# target $y$:
#
# $$z_1 = w_1 a_0 + b_1,\quad a_1 = \sigma(z_1),\quad z_2 = w_2 a_1 + b_2,\quad a_2 = \sigma(z_2),
# \quad L = (y - a_2)^2 .$$
#
# Going backwards, each factor is a local derivative:
#
# $$\frac{\partial L}{\partial a_2} = -2(y - a_2), \qquad
# \frac{\partial L}{\partial w_2} = -2(y - a_2)\,\sigma'(z_2)\,a_1, \qquad
# \frac{\partial L}{\partial b_2} = -2(y - a_2)\,\sigma'(z_2),$$
#
# $$\frac{\partial L}{\partial w_1} = -2(y - a_2)\,\sigma'(z_2)\,w_2\,\sigma'(z_1)\,a_0, \qquad
# \frac{\partial L}{\partial b_1} = -2(y - a_2)\,\sigma'(z_2)\,w_2\,\sigma'(z_1).$$
#
# The factors $-2(y-a_2)\,\sigma'(z_2)$ are shared: computing them once and reusing them is
# exactly what backpropagation does.

# %%
def d2_by_hand(a0: float, y: float, w1: float, b1: float, w2: float, b2: float) -> dict[str, float]:
    """The D2 gradients, from the formulas above (plain floats, no engine)."""
    z1 = w1 * a0 + b1
    a1 = sigma(z1)
    z2 = w2 * a1 + b2
    a2 = sigma(z2)
    dL_da2 = -2 * (y - a2)
    dL_dz2 = dL_da2 * sigma_prime(z2)
    dL_dz1 = dL_dz2 * w2 * sigma_prime(z1)
    return {"w2": dL_dz2 * a1, "b2": dL_dz2, "w1": dL_dz1 * a0, "b1": dL_dz1}


def d2_by_engine(a0: float, y: float, w1: float, b1: float, w2: float, b2: float) -> dict[str, float]:
    """The same gradients from one backward pass of the engine."""
    params = {"w1": Value(w1, label="w1"), "b1": Value(b1, label="b1"),
              "w2": Value(w2, label="w2"), "b2": Value(b2, label="b2")}
    a1 = (params["w1"] * a0 + params["b1"]).sigmoid()
    a2 = (params["w2"] * a1 + params["b2"]).sigmoid()
    loss = (y - a2) ** 2
    loss.backward()
    return {name: p.grad for name, p in params.items()}


point = dict(a0=0.8, y=1.0, w1=0.5, b1=-0.3, w2=1.2, b2=0.1)
hand, engine = d2_by_hand(**point), d2_by_engine(**point)
for name in hand:
    print(f"dL/d{name}:  hand {hand[name]: .15f}   engine {engine[name]: .15f}")
    assert abs(hand[name] - engine[name]) < TOL

# %% [markdown]
# The graph the engine recorded for this loss, after `backward()`: each box shows a value and its
# gradient $\partial L/\partial(\text{value})$; reading it right to left is the chain rule above,
# one factor per operation.

# %%
w1, b1, w2, b2 = (Value(v, label=name) for v, name in [(0.5, "w1"), (-0.3, "b1"), (1.2, "w2"), (0.1, "b2")])
z1 = w1 * 0.8 + b1
z1.label = "z1"
a1 = z1.sigmoid()
a1.label = "a1"
z2 = w2 * a1 + b2
z2.label = "z2"
a2 = z2.sigmoid()
a2.label = "a2"
L = (1.0 - a2) ** 2
L.label = "L"
L.backward()
assert abs(a2.grad - (-2 * (1.0 - a2.data))) < TOL  # dL/da2 = -2(y - a2)
viz.draw_dot(L, params=[w1, b1, w2, b2])

# %% [markdown]
# One point could agree by luck, so we check many random points (weights, input and target).

# %%
rng = random.Random(0)
worst = 0.0
for _ in range(200):
    point = dict(a0=rng.uniform(-2, 2), y=rng.choice([0.0, 1.0]), w1=rng.uniform(-3, 3),
                 b1=rng.uniform(-1, 1), w2=rng.uniform(-3, 3), b2=rng.uniform(-1, 1))
    hand, engine = d2_by_hand(**point), d2_by_engine(**point)
    worst = max(worst, *(abs(hand[k] - engine[k]) for k in hand))
print(f"largest |hand - engine| over 200 random points: {worst:.1e}")
assert worst < TOL

# %% [markdown]
# ### The sign the notes drop
#
# Note 001 labels the first factor $\frac{\partial L}{\partial a^{[2]}}$ as $2(y - a^{[2]})$. The
# derivative of $(y - a)^2$ with respect to $a$ is $2(y-a)\cdot(-1)$: the inner function
# $y - a$ has derivative $-1$, and the chain rule keeps it. So the correct factor is
# $-2(y - a_2)$, and every gradient of D2 carries that minus sign.
#
# The engine agrees with the corrected formula, not with the note's:

# %%
point = dict(a0=0.8, y=1.0, w1=0.5, b1=-0.3, w2=1.2, b2=0.1)
engine = d2_by_engine(**point)
as_in_note = {k: -v for k, v in d2_by_hand(**point).items()}  # 2(y - a2) instead of -2(y - a2)
for name in engine:
    print(f"dL/d{name}: engine {engine[name]: .6f}   note's sign {as_in_note[name]: .6f}")
    assert abs(engine[name] - as_in_note[name]) > 1e-3  # the note's version is wrong ...
    assert abs(engine[name] + as_in_note[name]) < TOL   # ... by exactly the sign

# %% [markdown]
# The sign matters: gradient descent steps *against* the gradient. A step with the note's sign
# goes uphill and makes the loss larger; a step with the correct sign makes it smaller.

# %%
def d2_loss(a0, y, w1, b1, w2, b2):
    return (y - sigma(w2 * sigma(w1 * a0 + b1) + b2)) ** 2


def step(point, grads, lr=0.5):
    return {**point, **{k: point[k] - lr * grads[k] for k in grads}}


before = d2_loss(**point)
after_correct = d2_loss(**step(point, d2_by_hand(**point)))
after_note = d2_loss(**step(point, as_in_note))
print(f"loss before {before:.5f}; after a step with the correct sign {after_correct:.5f}; "
      f"with the note's sign {after_note:.5f}")
assert after_correct < before < after_note

# %% [markdown]
# ## D3: two scalar layers, any activations
#
# Note 003 writes the same network with any two activations $s_1, s_2$:
#
# $$f(x) = s_2\big(w_2\, s_1(w_1 x + b_1) + b_2\big),$$
#
# $$\frac{\partial f}{\partial w_1} = s_2'\big(w_2 s_1(w_1 x + b_1) + b_2\big)\; w_2\; s_1'(w_1 x + b_1)\; x .$$
#
# The formula only needs each activation's value and derivative. Here they are in plain Python
# (the derivatives are those of D5, notebook 02):

# %%
ACTIVATIONS = {  # name: (s, s')
    "sigmoid": (sigma, sigma_prime),
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda z: max(0.0, z), lambda z: 1.0 if z > 0 else 0.0),
    "elu": (lambda z: z if z > 0 else math.exp(z) - 1, lambda z: 1.0 if z > 0 else math.exp(z)),
    "linear": (lambda z: z, lambda z: 1.0),
}


def d3_by_hand(s1: str, s2: str, x, w1, b1, w2, b2) -> float:
    (f1, df1), (_, df2) = ACTIVATIONS[s1], ACTIVATIONS[s2]
    return df2(w2 * f1(w1 * x + b1) + b2) * w2 * df1(w1 * x + b1) * x


def apply(name: str, v: Value) -> Value:
    return v if name == "linear" else getattr(v, name)()  # the engine's own activations


def d3_by_engine(s1: str, s2: str, x, w1, b1, w2, b2) -> float:
    w1 = Value(w1, label="w1")
    f = apply(s2, w2 * apply(s1, w1 * x + b1) + b2)
    f.backward()
    return w1.grad


worst = 0.0
for s1 in ACTIVATIONS:
    for s2 in ACTIVATIONS:
        for _ in range(20):
            p = dict(x=rng.uniform(-2, 2), w1=rng.uniform(-2, 2), b1=rng.uniform(-1, 1),
                     w2=rng.uniform(-2, 2), b2=rng.uniform(-1, 1))
            worst = max(worst, abs(d3_by_hand(s1, s2, **p) - d3_by_engine(s1, s2, **p)))
print(f"{len(ACTIVATIONS) ** 2} pairs of activations x 20 points: largest |hand - engine| = {worst:.1e}")
assert worst < TOL

# %% [markdown]
# ## An independent check: central differences
#
# Hand formulas can be wrong too (as note 001 shows). A check that needs no calculus at all is
# the central difference $\frac{f(w+\varepsilon) - f(w-\varepsilon)}{2\varepsilon}$, accurate to
# about $\varepsilon^2$. `autograd.gradcheck` compares it with `backward()` for every input.

# %%
def d2_loss_of_params(w1, b1, w2, b2):
    a1 = (w1 * 0.8 + b1).sigmoid()
    return (1.0 - (w2 * a1 + b2).sigmoid()) ** 2


print(gradcheck(d2_loss_of_params, 0.5, -0.3, 1.2, 0.1))


# the note's sign fails the same test: plug its gradient in as if it were the truth
def central_difference(f, args, i, eps=1e-6):
    up, down = list(args), list(args)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


numeric_dw2 = central_difference(lambda w1, b1, w2, b2: d2_loss(0.8, 1.0, w1, b1, w2, b2), [0.5, -0.3, 1.2, 0.1], 2)
print(f"dL/dw2: central difference {numeric_dw2:.8f}, engine {engine['w2']:.8f}, note {as_in_note['w2']:.8f}")
assert abs(numeric_dw2 - engine["w2"]) < 1e-8
assert abs(numeric_dw2 - as_in_note["w2"]) > 1e-3

# %% [markdown]
# ## A hand-written backward: `=` or `+=`?
#
# Before the engine, people write backward passes by hand, one operation at a time, each passing
# (its gradient) $\times$ (the local derivative) back to its inputs. The classic bug (it was in
# micrograd's first version) is to *set* an input's gradient (`v.grad = ...`) instead of *adding*
# to it (`v.grad += ...`). It goes unnoticed until a value is used twice: then the second use
# overwrites the first one's share, where the chain rule says to sum them (D2-D4).
#
# In $f = ab + a$ the input $a$ is used twice, so $\partial f/\partial a = b + 1$.

# %%
def reused_graph(a_value: float, b_value: float) -> tuple[Value, Value, Value, Value]:
    """f = ab + a: the nodes (f, ab, a, b), labelled."""
    a, b = Value(a_value, label="a"), Value(b_value, label="b")
    ab = a * b
    ab.label = "ab"
    f = ab + a
    f.label = "f"
    return f, ab, a, b


def hand_backward(f: Value, ab: Value, a: Value, b: Value, accumulate: bool) -> None:
    """Backward for f = ab + a by hand; ``accumulate`` picks += (right) or = (the bug)."""
    for v in (f, ab, a, b):
        v.grad = 0.0

    def give(v: Value, share: float) -> None:  # the one line that matters
        v.grad = v.grad + share if accumulate else share

    f.grad = 1.0
    give(ab, f.grad * 1.0)     # f = ab + a: df/d(ab) = 1
    give(a, f.grad * 1.0)      #             df/da    = 1
    give(a, ab.grad * b.data)  # ab = a * b: d(ab)/da = b
    give(b, ab.grad * a.data)  #             d(ab)/db = a


wrong, right = reused_graph(3.0, -2.0), reused_graph(3.0, -2.0)
hand_backward(*wrong, accumulate=False)
hand_backward(*right, accumulate=True)
engine = reused_graph(3.0, -2.0)
engine[0].backward()
print(f"df/da: with '=' {wrong[2].grad}, with '+=' {right[2].grad}, engine {engine[2].grad}, by hand b + 1 = {-2.0 + 1}")
assert right[2].grad == engine[2].grad == -2.0 + 1 != wrong[2].grad

# %% [markdown]
# The two pictures side by side: with `=`, $a$ shows only the product's share ($b = -2$); the
# sum's share ($1$) was overwritten. Every other gradient is the same, which is why the bug hides.

# %%
viz.side_by_side({"v.grad = share  (wrong: a's first share is lost)": viz.draw_dot(wrong[0], "TB", legend=False),
                  "v.grad += share  (right: the shares are summed)": viz.draw_dot(right[0], "TB", legend=False)})

# %% [markdown]
# ## What we saw
#
# * The chain rule multiplies local derivatives along the path from a weight to the output (D2, D3).
# * The engine's `backward()` reproduces the hand formulas to about $10^{-10}$ at hundreds of random points.
# * Note 001 drops the minus sign in $\partial L/\partial a^{[2]} = -2(y - a^{[2]})$; the engine, the central
#   difference and the loss going down after a step all agree with the corrected sign.
#
# Next: [02 Activation functions](02_activations.ipynb) and their derivatives (D5).

# %% [markdown]
# ## Exercises
#
# Replace each `None` with your answer and run the cell: the library checks it and, for a wrong
# gradient, gives a hint, not the answer: its uses, their local derivatives, the chain rule's sum
# with the upstream gradients as symbols (`feedback="answer"` shows the numbers). Worked solutions:
# [solutions/01_chain_rule.py](solutions/01_chain_rule.py) (the tests run them, so they stay right).

# %% [markdown]
# ### Exercise 1: a gradient by hand
#
# For $z = xy + x^2$ at $x = 3$, $y = -2$, what are $\partial z/\partial x$ and $\partial z/\partial y$?

# %%
x, y = Value(3.0, label="x"), Value(-2.0, label="y")
z = x * y + x ** 2
z.label = "z"
answers = {"x": None, "y": None}  # dz/dx, dz/dy: your numbers

if None in answers.values():
    print("Replace each None with your answer, then run this cell again.")
else:
    print(viz.check_grads(z, answers))

# %% [markdown]
# ### Exercise 2: predict what the `=` picture shows
#
# Run the hand-written backward with `=` (the bug) on $f = ab + a$ at $a = 2$, $b = 5$. Which
# gradient will the picture show for $a$? (The right one is $b + 1 = 6$.)

# %%
prediction = None  # the grad of a that the buggy backward leaves: your number

if prediction is None:
    print("Replace each None with your answer, then run this cell again.")
else:
    buggy = reused_graph(2.0, 5.0)
    hand_backward(*buggy, accumulate=False)
    assert prediction == buggy[2].grad, (
        f"not quite: you said {prediction}. With `=` each use overwrites a.grad, so only the last "
        "use to pass its share back counts; look at the order of the give(...) lines")
    print(f"right: the picture shows grad {buggy[2].grad:.4f} for a; the product's share overwrote the sum's")
    display(viz.draw_dot(buggy[0], legend=False))
