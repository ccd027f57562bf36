"""Mistake: mul's backward multiplies by the input's own data instead of the other input's."""

from lecture import Value as Lecture


class Value(Lecture):
    def __mul__(self, other):
        other = self._wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad  # the mistake: d(a*b)/da is b
            other.grad += other.data * out.grad

        out._backward = _backward
        return out
