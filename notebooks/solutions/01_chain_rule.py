"""Solutions to the exercises of 01 The chain rule."""

import viz
from autograd import Value

# Exercise 1: z = xy + x^2 at x = 3, y = -2.
#   dz/dx = y + 2x = -2 + 6 = 4,   dz/dy = x = 3
x, y = Value(3.0, label="x"), Value(-2.0, label="y")
z = x * y + x ** 2
z.label = "z"
marked = viz.check_grads(z, {"x": -2.0 + 2 * 3.0, "y": 3.0})
print(marked)
assert marked.all_right

# Exercise 2: f = ab + a at a = 2, b = 5, backward by hand with '=' instead of '+='.
# The shares reach a in the order: from the sum (1), then from the product (ab.grad * b = 1 * 5).
# With '=' the second overwrites the first: the picture shows 5 (the right gradient is b + 1 = 6).
prediction = 5.0


def hand_backward_with_set(a_value: float, b_value: float) -> float:
    """The notebook's hand-written backward with '=', returning a's gradient."""
    a, b = Value(a_value, label="a"), Value(b_value, label="b")
    ab = a * b
    f = ab + a
    f.grad = 1.0
    ab.grad = f.grad * 1.0
    a.grad = f.grad * 1.0
    a.grad = ab.grad * b.data  # overwrites the sum's share
    b.grad = ab.grad * a.data
    return a.grad


assert prediction == hand_backward_with_set(2.0, 5.0)
print("exercise 2: the picture shows grad", prediction, "for a")
