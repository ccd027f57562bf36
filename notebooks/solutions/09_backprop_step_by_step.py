"""Solutions to the exercises of 09 Backprop step by step."""

import viz
from autograd import Value, topological_order

# Exercise 1: c = ab = -2, d = c + a = 0, e = tanh d = 0.
#   de/dd = 1 - tanh(0)^2 = 1;  de/dc = de/dd * 1 = 1;
#   de/da = de/dc * b + de/dd * 1 = -1 + 1 = 0   (a is used twice: the two shares sum);
#   de/db = de/dc * a = 2
a, b = Value(2.0, label="a"), Value(-1.0, label="b")
c = a * b
c.label = "c"
d = c + a
d.label = "d"
e = d.tanh()
e.label = "e"
marked = viz.check_grads(e, {"d": 1.0, "c": 1.0, "a": 0.0, "b": 2.0})
print(marked)
assert marked.all_right

# Exercise 2: e first, then d (e uses it), then c (d uses it); a is used by c and d, b by c: both
# come after c, in either order.
my_order = ["e", "d", "c", "a", "b"]
nodes = {v.label: v for v in topological_order(e)}
position = {label: i for i, label in enumerate(my_order)}
assert sorted(my_order) == sorted(nodes)
assert all(position[p.label] > position[label] for label, node in nodes.items() for p in node.parents)
print("exercise 2:", my_order, "; backward uses", [frame.name for frame in viz.backprop_steps(e)])
