"""The replay: trace a scalar function once, then run it on a whole batch of examples with numpy.

The eager engine builds a graph of ``Value`` nodes for every example and walks it node by node.
A model's graph has the same shape for every example; only the numbers change. So the replay
records the graph once and then runs each *kind of node* as one numpy call over every node of that
kind and every example at once. Three stages, read in this order:

1. trace     ``tracing.py``: call ``fn`` once on placeholder Values and keep the graph it builds.
2. schedule  ``schedule.py``: join chains of additions into running sums and give every node a
             depth, as late as its readers allow (``chains.py``), find the dot products of
             parameters with shared inputs (``dense.py``: a layer's neurons, one batched product
             for a layer used at several positions), put the nodes of one kind and one depth into
             one group, and give every node a row.
3. execute   three kinds of group: ``OpGroup`` (one rule of ``rules.py`` on many rows) and
             ``SumGroup`` (running sums side by side) in ``groups.py``, ``DenseGroup`` (a matrix
             product) in ``dense.py``, all reading rows as in ``rows.py``; ``compiled.py`` runs the
             groups in order, forward then backward, on two buffers of shape (rows, batch):
             ``vals[row, b]`` is a node's value on example b, ``grads[row, b]`` its gradient.
             Each group is bound to the buffers once (``forward_step``, ``backward_step``: the
             views of its rows made once), since a small batch costs numpy calls, not arithmetic.

Worked example: a layer of two tanh neurons and the sum of their outputs and x0::

    h = [(W[c][0] * x[0] + W[c][1] * x[1] + b[c]).tanh() for c in (0, 1)]
    f = compile(lambda x: h[0] + h[1] + x[0], 2, [W[0][0], W[0][1], b[0], W[1][0], W[1][1], b[1]])

records 20 nodes (2 placeholders, 6 parameters, 4 products, 4 + 2 additions, 2 tanh). The
parameters live in one vector, in the order given; the graph is laid out in 10 rows::

    rows 0-1   x0, x1          inputs: vals[0:2] = X.T
    row  2     0.0             constants (the 0 that pads short running sums)
    rows 3-4   the two sums    group 1, depth 2, DenseGroup: vals[3:5] = W @ vals[0:2] + b[:, None]
               b_c + W_c . x     with W = [[w00, w01], [w10, w11]], a view of the parameter vector
    rows 5-6   h0, h1          group 2, depth 3, OpGroup "tanh": vals[5:7] = tanh(vals[3:5])
    rows 7-9   h0, +h1, +x0    group 3, depth 4, SumGroup: one chain of 2 additions, its running
                                 sums (row 9 is the output)

The products and the neurons' inner running sums get no rows: the matrix product never needs them
one by one. Three numpy steps serve every example of the batch, whatever its size; a layer of 100
neurons would still be one matrix product. Backward runs the groups in reverse with the rules'
vector-Jacobian products, adding into ``grads``; a DenseGroup's is two matrix products, dW = G X^T
(already summed over the examples) and dX = W^T G. Rows are ordered so that a group's inputs are
mostly one contiguous range (rows 0-1 and 3-4 above), read as views without a copy.

Values equal the eager engine's to roundoff: the same rules; only the order of some additions
differs (matrix products, sums over the batch).
"""

from .compiled import Compiled, compile
from .group import ReplayError
from .parameters import ParameterArray
from .tracing import TracingError

__all__ = ["compile", "Compiled", "ParameterArray", "ReplayError", "TracingError"]
