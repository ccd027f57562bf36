"""Mistake: tanh's local derivative written as 1 - x^2 (the input) instead of 1 - tanh(x)^2."""

import math

from lecture import Value as Lecture


class Value(Lecture):
    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - self.data**2) * out.grad  # the mistake: x, not t = tanh(x)

        out._backward = _backward
        return out
