"""Mistake (micrograd's own limit): a recursive topological sort, which dies on a deep graph."""

from lecture import Value as Lecture


class Value(Lecture):
    def topological_order(self):
        order, seen = [], set()

        def visit(node):  # one Python frame per node of the longest path
            if node not in seen:
                seen.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        return order
