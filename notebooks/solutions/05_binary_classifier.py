"""Solutions to the exercises of 05 Training a binary classifier."""

import math

import nn
import viz
from autograd import Value

# Exercise 1 (D6): for bce with logits, dL/dz = sigma(z) - y = sigma(0.3) - 1
z = Value(0.3, label="z")
L = nn.bce_with_logits([z], [1])
L.label = "L"
marked = viz.check_grads(L, {"z": 1 / (1 + math.exp(-0.3)) - 1})
print(marked)
assert marked.all_right

# Exercise 2 (D7): dL/dw = 2(w - 3) = -2 at w = 2, so w <- 2 - 0.1 * (-2) = 2.2
after_one_step = 2.0 - 0.1 * 2 * (2.0 - 3.0)
w = Value(2.0)
loss = (w - 3) ** 2
loss.backward()
assert math.isclose(after_one_step, w.data - 0.1 * w.grad)
print("exercise 2: w =", after_one_step)
