"""Mistake: `=` instead of `+=` in add's backward, so `a + a` gives a only one use's gradient."""

from lecture import Value as Lecture


class Value(Lecture):
    def __add__(self, other):
        other = self._wrap(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad  # the mistake: overwrites what another use passed back
            other.grad = out.grad

        out._backward = _backward
        return out
