"""The replay: trace a scalar function once, then run it on a whole batch of examples with numpy.

The eager engine builds a graph of ``Value`` nodes for every example and walks it node by node.
A model's graph has the same shape for every example; only the numbers change. So the replay
records the graph once and then runs each *kind of node* as one numpy call over every node of that
kind and every example at once. Three stages, one file each, read in this order:

1. ``tracing.py``  trace: call ``fn`` once on placeholder Values and keep the graph it builds.
2. ``schedule.py`` schedule: give every node a depth, join chains of additions into running sums,
   put the nodes of one operation and one depth into one group, and give every node a row.
3. ``groups.py``   execute: the two kinds of group (``OpGroup``: one rule of ``rules.py`` on many
   rows; ``SumGroup``: many running sums side by side), reading rows as in ``rows.py``;
   ``compiled.py`` runs the groups in order, forward then backward, on two buffers of shape
   (rows, batch): ``vals[row, b]`` is a node's value on example b, ``grads[row, b]`` its gradient.

Worked example: ``f = compile(lambda x: (w0 * x[0] + w1 * x[1] + b).tanh(), 2, [w0, w1, b])``
records 10 nodes (2 placeholders, 3 parameters, 2 products, 2 additions, 1 tanh) and lays them
out in 12 rows::

    rows 0-1    x0, x1                  inputs: vals[0:2] = X.T
    rows 2-4    b, w0, w1               parameters: their .data, the same in every column
    row  5      0.0                     constants (the 0 that pads short sums)
    rows 6-7    w0*x0, w1*x1            group 1, depth 1, OpGroup "mul":
                                          vals[6:8] = vals[3:5] * vals[0:2]
    rows 8-10   w0*x0, +w1*x1, +b       group 2, depth 2, SumGroup: one chain of 2 additions,
                                          its running sums (row 10 is the whole sum)
    row  11     tanh                    group 3, depth 3, OpGroup "tanh": vals[11] = tanh(vals[10])

Three numpy steps serve every example of the batch, whatever its size; a layer of 100 neurons
would still be three steps (100 rows each). Backward runs the groups in reverse with the same
rules' vector-Jacobian products, adding into ``grads``; a parameter's gradient is the sum of its
row over the examples. Rows are ordered so that a group's inputs are mostly one contiguous range
(rows 3-4 and 0-1 above), read as views without a copy.

Values equal the eager engine's to roundoff: the same rules, the additions in the same order.
"""

from .compiled import Compiled, compile
from .groups import ReplayError
from .tracing import TracingError

__all__ = ["compile", "Compiled", "ReplayError", "TracingError"]
