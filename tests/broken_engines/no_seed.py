"""Mistake: backward never sets the output's gradient to 1, so every gradient stays 0."""

from lecture import Value as Lecture


class Value(Lecture):
    def backward(self):
        order = self.topological_order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        for node in reversed(order):  # the mistake: no self.grad = 1.0 first
            node._backward()
