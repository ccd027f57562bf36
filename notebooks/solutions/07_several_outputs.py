"""Solutions to the exercises of 07 Several outputs."""

import math

import nn
import viz
from autograd import Value

# Exercise 1 (D10): dL/dz_k = p_k - [k = 1], with p = softmax(1, 2, 0.5)
exps = [math.exp(v) for v in (1.0, 2.0, 0.5)]
p = [e / sum(exps) for e in exps]
logits = [Value(1.0, label="z0"), Value(2.0, label="z1"), Value(0.5, label="z2")]
L = nn.cross_entropy([logits], [1])
L.label = "L"
marked = viz.check_grads(L, {"z0": p[0], "z1": p[1] - 1, "z2": p[2]})
print(marked)
assert marked.all_right

# Exercise 2: sum_k (p_k - onehot_k) = 1 - 1 = 0
total = 0.0
L.backward()
assert abs(total - sum(z.grad for z in logits)) < 1e-12
print("exercise 2: the gradients sum to", total)
