# Source of notebooks/11_build_your_own_micrograd.ipynb (build: python notebooks/_build.py 11).

# %% [markdown]
# # 11 Build your own micrograd
#
# In Karpathy's lecture the student writes the `Value` class of micrograd: a number that
# remembers how it was computed, and `backward()`, which fills in every gradient by the chain rule.
# This notebook has you write it in four steps. After each step a cell runs chainrule's
# **autograder** on what exists so far, `autograd.testing.check_engine(Value)`: a report card
# with, for each failed check, the likely mistake in plain words. The checks are those of
# `chainrule check-engine engine.py` (one op's local derivative, a node used twice, the order of
# the backward pass, deep graphs, the derivations D1-D11, micrograd's own test against chainrule).
#
# Each cell marked **your code** raises `NotImplementedError` until you fill it in, so the first
# report cards say "not written yet". A worked solution:
# [solutions/11_build_your_own_micrograd.py](solutions/11_build_your_own_micrograd.py) (the tests
# run it, and run this notebook with its answers, so both stay right).
#
# The autograder runs your class in a child process with a time and memory limit, so an endless
# loop fails one check instead of hanging the notebook. That guards against mistakes, not against
# hostile code: it is not a sandbox.

# %%
import math

from autograd.testing import check_engine


def grade(Value, *checks):
    """Run the autograder's checks named here (all if none) on Value; show the report card."""
    report = check_engine(Value, only=checks or None)
    print(report)
    return report


# %% [markdown]
# ## Step 1: a number, `+`, `*` and `backward()`
#
# A `Value` holds `data`, its gradient `grad` (0 until `backward()` runs), the Values it was
# computed from (`_prev`) and a function `_backward` that passes its gradient on to them. For
# `out = a + b` the chain rule gives $\partial L/\partial a \mathrel{+}= \partial L/\partial out
# \cdot 1$; for `out = a * b`, $\partial L/\partial a \mathrel{+}= \partial L/\partial out \cdot b$.
#
# `backward()` then
# 1. lists the nodes in a *topological order* (each node after the nodes it was computed from),
# 2. sets the output's own gradient to $\partial L/\partial L = 1$,
# 3. walks the list backwards, calling each node's `_backward`.
#
# The classic mistakes: `=` instead of `+=` (then `a + a` gets the gradient of one use only),
# walking the graph in any other order (a node passes on its gradient before all its uses have
# added to it), and forgetting step 2 (every gradient stays 0).

# %%
# Step 1: your code
class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None  # a leaf passes nothing on
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            raise NotImplementedError("step 1: the backward of a + b")
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            raise NotImplementedError("step 1: the backward of a * b")
        out._backward = _backward
        return out

    def backward(self):
        raise NotImplementedError("step 1: backward")


# %%
grade(Value, "seed", "add", "mul", "accumulation", "order");

# %% [markdown]
# ## Step 2: the rest of the arithmetic
#
# micrograd builds every other operation from `+`, `*` and `**`: `-a` is `a * -1`, `a - b` is
# `a + (-b)`, `a / b` is `a * b**-1`. Only `**` (by a plain number $n$) needs a rule of its own:
# $d(x^n)/dx = n\,x^{n-1}$. Python calls `__radd__`, `__rsub__`, ... when the number is on the
# left (`2 - a`): careful, `2 - a` is not `a - 2`.

# %%
# Step 2: your code
def __pow__(self, n):
    raise NotImplementedError("step 2: a ** n")


def __neg__(self):
    raise NotImplementedError("step 2: -a")


def __sub__(self, other):
    raise NotImplementedError("step 2: a - b")


def __truediv__(self, other):
    raise NotImplementedError("step 2: a / b")


def __radd__(self, other):
    raise NotImplementedError("step 2: 2 + a")


def __rsub__(self, other):
    raise NotImplementedError("step 2: 2 - a")


def __rmul__(self, other):
    raise NotImplementedError("step 2: 2 * a")


def __rtruediv__(self, other):
    raise NotImplementedError("step 2: 2 / a")


for method in (__pow__, __neg__, __sub__, __truediv__, __radd__, __rsub__, __rmul__, __rtruediv__):
    setattr(Value, method.__name__, method)

# %%
grade(Value, "neg", "sub", "pow", "sqrt", "div", "reflected");

# %% [markdown]
# ## Step 3: activations
#
# $\tanh'(x) = 1 - \tanh^2(x)$: written with the *output* $t = \tanh x$ as `1 - t**2` (not
# `1 - x**2`, a favourite slip); $(e^x)' = e^x$, the output again; ReLU passes the gradient where
# its input is positive and blocks it elsewhere (D5). With these, the derivations D1-D11 of the
# course run on your engine, and so does micrograd's own test program, against chainrule's numbers.

# %%
# Step 3: your code
def tanh(self):
    raise NotImplementedError("step 3: tanh")


def exp(self):
    raise NotImplementedError("step 3: exp")


def relu(self):
    raise NotImplementedError("step 3: relu")


Value.tanh, Value.exp, Value.relu = tanh, exp, relu

# %%
grade(Value, "tanh", "exp", "relu", "relu_positive", "against_chainrule",
      "D1", "D2", "D3", "D4", "D5_sigmoid", "D5_tanh", "D5_relu", "D7", "D8", "D9", "D11");

# %% [markdown]
# ## Step 4: a backward pass for real use
#
# A topological sort written as a recursive function uses one Python frame per node of the
# longest path, and Python stops at about 1,000: a chain of 1,000 operations (an RNN unrolled over
# a long text, a deep scalar network) raises `RecursionError`. Rewrite `backward()` with an
# explicit stack. While you are at it, start every *inner* node's gradient from 0 at each call:
# otherwise a second `backward()` on the same graph adds to what the first one left in them
# (leaves keep accumulating, as in PyTorch, until you zero them).

# %%
# Step 4: your code
def backward(self):
    raise NotImplementedError("step 4: backward with an explicit stack")


Value.backward = backward

# %%
grade(Value, "deep_graph", "backward_twice", "seed", "accumulation", "order");

# %% [markdown]
# ## The whole report card
#
# Every check, on the engine you wrote (checks for methods your class does not have, such as
# `log`, are skipped). For comparison, micrograd 0.1.0 as published on PyPI: no `tanh` or `exp`,
# a recursive topological sort (`RecursionError` at depth 1,000) and inner gradients that a second
# `backward()` adds to: its two known limits, reported as such.

# %%
report = grade(Value)

# %%
try:
    from micrograd.engine import Value as MicrogradValue
except ImportError:
    print("pip install micrograd==0.1.0 to compare")
else:
    print(check_engine(MicrogradValue))
