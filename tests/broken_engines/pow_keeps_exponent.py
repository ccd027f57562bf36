"""Mistake: the power rule without the -1: d(x^n)/dx computed as n x^n."""

from lecture import Value as Lecture


class Value(Lecture):
    def __pow__(self, n):
        out = Value(self.data**n, (self,), f"**{n}")

        def _backward():
            self.grad += n * self.data**n * out.grad  # the mistake: n x^(n - 1)

        out._backward = _backward
        return out
