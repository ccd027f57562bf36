"""Solutions to the exercises of 04 From neurons to an MLP."""

import math

import nn
import viz
from autograd import Value

# Exercise 1: z = w0 * 2 + w1 * 1 + b = 1 - 1 + 0.1 = 0.1, o = tanh z, do/dz = 1 - tanh(0.1)^2;
#   do/dw0 = do/dz * 2,  do/dw1 = do/dz * 1,  do/db = do/dz
w0, w1, b = Value(0.5, label="w0"), Value(-1.0, label="w1"), Value(0.1, label="b")
o = (w0 * 2.0 + w1 * 1.0 + b).tanh()
o.label = "o"
slope = 1 - math.tanh(0.1) ** 2
marked = viz.check_grads(o, {"w0": 2 * slope, "w1": slope, "b": slope})
print(marked)
assert marked.all_right

# Exercise 2: 3 -> 4: 4*3 + 4 = 16;  4 -> 4: 4*4 + 4 = 20;  4 -> 1: 4 + 1 = 5;  in all 41
count = (4 * 3 + 4) + (4 * 4 + 4) + (1 * 4 + 1)
assert count == len(nn.MLP(3, [4, 4, 1]).parameters()) == 41
print("exercise 2:", count, "parameters")
