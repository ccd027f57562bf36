"""Mistake: backward does not zero the inner nodes' gradients, so a second backward on the same
graph adds to the first one's (micrograd 0.1.0 does the same)."""

from lecture import Value as Lecture


class Value(Lecture):
    def backward(self):
        self.grad = 1.0
        for node in reversed(self.topological_order()):
            node._backward()
