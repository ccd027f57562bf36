"""Solutions to the exercises of 08 Beyond first derivatives."""

import math

from autograd import grad

# Exercise 1: f = x^3, f' = 3x^2, f'' = 6x = 12 at x = 2
second = 6 * 2.0
assert math.isclose(second, grad(grad(lambda x: x ** 3))(2.0))
print("exercise 1: f''(2) =", second)

# Exercise 2: x <- x - f(x)/f'(x) = 1 - (1 - 2)/(2 * 1) = 1.5
next_x = 1.0 - (1.0 ** 2 - 2) / (2 * 1.0)
f = lambda x: x ** 2 - 2
assert math.isclose(next_x, 1.0 - f(1.0) / grad(f)(1.0))
print("exercise 2: next x =", next_x)
