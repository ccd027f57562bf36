"""Solution of 11 Build your own micrograd: each step's code, then the full report card.

Each block starting with "# Step N: your code" replaces the notebook cell of that name
(tests/test_testing_notebook.py runs the notebook with them).
"""

import math

from autograd.testing import check_engine


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

        def _backward():  # += : a node used twice gets both uses' gradients
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # d(a * b)/da = b
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):  # recursive, as in the lecture: step 4 makes it iterative
            if node not in seen:
                seen.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


# end of step 1


report = check_engine(Value, only=["seed", "add", "mul", "accumulation", "order"])
assert report.passed, report


# Step 2: your code
def __pow__(self, n):
    out = Value(self.data**n, (self,), f"**{n}")

    def _backward():
        self.grad += n * self.data ** (n - 1) * out.grad  # d(x^n)/dx = n x^(n - 1)

    out._backward = _backward
    return out


def __neg__(self):
    return self * -1


def __sub__(self, other):
    return self + (-other)


def __truediv__(self, other):
    return self * other**-1


def __radd__(self, other):
    return self + other


def __rsub__(self, other):
    return other + (-self)  # 2 - a, not a - 2


def __rmul__(self, other):
    return self * other


def __rtruediv__(self, other):
    return other * self**-1


for method in (__pow__, __neg__, __sub__, __truediv__, __radd__, __rsub__, __rmul__, __rtruediv__):
    setattr(Value, method.__name__, method)
# end of step 2

report = check_engine(Value, only=["neg", "sub", "pow", "sqrt", "div", "reflected"])
assert report.passed, report


# Step 3: your code
def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad  # with the output t, not the input

    out._backward = _backward
    return out


def exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad  # (e^x)' = e^x

    out._backward = _backward
    return out


def relu(self):
    out = Value(max(0.0, self.data), (self,), "relu")

    def _backward():
        self.grad += (self.data > 0) * out.grad

    out._backward = _backward
    return out


Value.tanh, Value.exp, Value.relu = tanh, exp, relu
# end of step 3

report = check_engine(
    Value, only=["tanh", "exp", "relu", "relu_positive", "against_chainrule", "D1", "D3", "D11"]
)
assert report.passed, report


# Step 4: your code
def backward(self):
    order, seen, stack = [], set(), [(self, False)]
    while stack:  # an explicit stack: no recursion, any depth
        node, children_done = stack.pop()
        if children_done:
            order.append(node)  # after every node it was computed from
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    for node in order:
        if node._prev:  # inner nodes start from 0 at every call; leaves accumulate
            node.grad = 0.0
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


Value.backward = backward
# end of step 4

report = check_engine(Value)
print(report)
assert report.passed
