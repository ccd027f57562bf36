"""Solutions to the exercises of 02 Activation functions."""

import math

import viz
from autograd import Value, grad

# Exercise 1: d tanh(z)/dz = 1 - tanh(z)^2 at z = 0.5
z = Value(0.5, label="z")
a = z.tanh()
a.label = "a"
marked = viz.check_grads(a, {"z": 1 - math.tanh(0.5) ** 2})
print(marked)
assert marked.all_right


# Exercise 2: s(x) = x / (1 + |x|). Quotient rule, with d|x|/dx = sign(x):
#   s'(x) = ((1 + |x|) - x sign(x)) / (1 + |x|)^2 = 1 / (1 + |x|)^2     (x sign(x) = |x|)
def softsign_prime(x: float) -> float:
    return 1.0 / (1.0 + abs(x)) ** 2


for point in (-3.0, -0.5, 0.25, 2.0):
    engine = grad(lambda v: v / (1 + abs(v)))(point)
    assert math.isclose(softsign_prime(point), engine, rel_tol=1e-9), (point, engine)
print("exercise 2: s'(x) = 1 / (1 + |x|)^2 agrees with the engine")
