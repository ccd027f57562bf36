"""Solutions to the exercises of 06 Universal approximation."""

import math

import viz
from autograd import Value

# Exercise 1: d/dx sigma(k(x - c)) = k sigma'(k(x - c)); at x = c, sigma'(0) = 1/4: 10/4 = 2.5
x = Value(0.5, label="x")
step = (10 * (x - 0.5)).sigmoid()
step.label = "step"
marked = viz.check_grads(step, {"x": 10 / 4})
print(marked)
assert marked.all_right


# Exercise 2: at x = 0.5 the steps are sigma(15) ~ 1 and sigma(-15) ~ 0: the bump is about h = 2
def sigma(t: float) -> float:
    return 1 / (1 + math.exp(-t))


height = 2.0
x = Value(0.5)
bump = 2 * ((50 * (x - 0.2)).sigmoid() - (50 * (x - 0.8)).sigmoid())
assert abs(height - bump.data) < 0.01
assert math.isclose(bump.data, 2 * (sigma(15) - sigma(-15)))
print(f"exercise 2: about {height} (exactly {bump.data:.7f})")
