"""Mistake: backward walks the graph from the output depth first, without a topological order."""

from lecture import Value as Lecture


class Value(Lecture):
    def backward(self):
        for node in self.topological_order():  # computed, but only to zero the inner nodes
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        stack = [self]
        while stack:  # a node may pass on its gradient before all of its uses have added to it
            node = stack.pop()
            node._backward()
            stack.extend(node._prev)
