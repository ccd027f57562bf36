"""Solutions to the exercises of 03 Vanishing gradients."""

import math

import viz
from autograd import Value

# Exercise 1: a_k = tanh(0.5 a_{k-1}) from a_0 = x = 0. Every a_k is 0, where tanh' = 1, so each
# layer multiplies the gradient by 0.5 * 1: da5/dx = 0.5^5 = 0.03125.
x = Value(0.0, label="x")
a = x
for _ in range(5):
    a = (0.5 * a).tanh()
a.label = "a5"
marked = viz.check_grads(a, {"x": 0.5 ** 5})
print(marked)
assert marked.all_right

# Exercise 2: da6/dx = product of six sigma'(z_k), each at most sigma'(0) = 1/4: the bound is 4^-6.
bound = 0.25 ** 6
assert math.isclose(bound, 1 / 4096)
for start in (-2.0, 0.0, 3.0):
    x = Value(start)
    a = x
    for _ in range(6):
        a = a.sigmoid()
    a.backward()
    assert abs(x.grad) <= bound
print(f"exercise 2: the bound is {bound:.3e}")
