"""The replay: trace a scalar function once, then run it on a whole batch of examples with numpy.

The eager engine builds a graph of ``Value`` nodes for every example and walks it node by node.
A model's graph has the same shape for every example; only the numbers change. So the replay
records the graph once and then runs each *kind of node* as one numpy call over every node of that
kind and every example at once. Four stages, each a file with one public function or class:

1. trace     ``trace.py``: ``trace(fn, n_inputs, parameters) -> ReplayGraph``. Call ``fn`` once on
             placeholder Values (``tracing.py``) and keep the graph as lists indexed by node id:
             every node's op, inputs and number of readers; the constants of sums are nodes too,
             and a dot node (``autograd.dot``) is read as the products and sums it adds.
2. schedule  ``schedule.py``: ``schedule(graph) -> Schedule``. Join chains of additions into
             running sums and give every node a depth (``chains.py``), find the dot products of
             parameters with shared inputs (``dots.py``), and put the nodes of one kind and one
             depth into one group: data, ``ScheduledGroup(GroupKey, members)``, no rows yet.
3. plan      ``plan.py``: ``build_plan(schedule) -> Plan``. Give every node computed one by one a
             row and make each group's numpy calls: ``OpGroup`` (one rule of ``rules.py`` on many
             rows, ``op_group.py``), ``SumGroup`` (running sums side by side, ``sum_group.py``),
             ``DenseGroup`` (a matrix product, ``dense.py``), all reading rows as in ``rows.py``
             and all offering the ``Group`` protocol (``group.py``).
4. execute   ``execute.py``: ``Executor(plan)``. Two buffers of shape (rows, batch):
             ``vals[row, b]`` is a node's value on example b, ``grads[row, b]`` its gradient. One
             loop runs the groups' bound steps in order, forward, then in reverse, backward.

``compile`` (``compiled.py``) chains the four and checks what the caller passes.

Worked example: a layer of two tanh neurons and the sum of their outputs and x0::

    h = [(W[c][0] * x[0] + W[c][1] * x[1] + b[c]).tanh() for c in (0, 1)]
    f = compile(lambda x: h[0] + h[1] + x[0], 2, [W[0][0], W[0][1], b[0], W[1][0], W[1][1], b[1]])

1. trace records 20 nodes: 2 placeholders, 6 parameters, 4 products, 4 + 2 additions, 2 tanh;
   the constant 0 that pads short running sums gets id 20.
2. schedule finds two chains ``b_c + W_c . x`` that are dot products of the same inputs, one
   chain ``h0 + h1 + x0``, and the two tanh at one depth: three groups.
3. plan keeps the parameters in one vector, in the order given, and lays out 10 rows::

    rows 0-1   x0, x1          inputs: vals[0:2] = X.T
    row  2     0.0             constants
    rows 3-4   the two sums    group 1, depth 2, DenseGroup: vals[3:5] = W @ vals[0:2] + b[:, None]
               b_c + W_c . x     with W = [[w00, w01], [w10, w11]], a view of the parameter vector
    rows 5-6   h0, h1          group 2, depth 3, OpGroup "tanh": vals[5:7] = tanh(vals[3:5])
    rows 7-9   h0, +h1, +x0    group 3, depth 4, SumGroup: one chain of 2 additions, its running
                                 sums (row 9 is the output)

   The products and the neurons' inner running sums get no rows: the matrix product never needs
   them one by one. Rows are ordered so that a group's inputs are mostly one contiguous range
   (rows 0-1 and 3-4 above), read as views without a copy.
4. execute runs three numpy steps for every example of the batch, whatever its size (a layer of
   100 neurons would still be one matrix product), then backward the groups in reverse with the
   rules' vector-Jacobian products, adding into ``grads``; a DenseGroup's is two matrix products,
   dW = G X^T (already summed over the examples) and dX = W^T G.

>>> from autograd import Value
>>> W = [[Value(0.1), Value(0.2)], [Value(0.3), Value(0.4)]]
>>> b = [Value(0.5), Value(-0.5)]
>>> def fn(x):
...     h = [(W[c][0] * x[0] + W[c][1] * x[1] + b[c]).tanh() for c in (0, 1)]
...     return h[0] + h[1] + x[0]
>>> f = compile(fn, 2, [W[0][0], W[0][1], b[0], W[1][0], W[1][1], b[1]])
>>> f.stats
{'nodes': 20, 'rows': 10, 'groups': 3, 'depth': 4}
>>> [(type(g).__name__, g.rows.start, g.rows.stop) for g in f._plan.groups]
[('DenseGroup', 3, 5), ('OpGroup', 5, 7), ('SumGroup', 7, 10)]

Values equal the eager engine's to roundoff: the same rules; only the order of some additions
differs (matrix products, sums over the batch). ``Compiled.graph`` shows one example on the traced
Values by the same stages with no matrix products found, so that every node has a row.
"""

from .compiled import Compiled, compile
from .execute import Executor
from .group import Group, ReplayError
from .parameters import ParameterArray
from .plan import Plan
from .schedule import Schedule
from .trace import ReplayGraph
from .tracing import TracingError

__all__ = ["compile", "Compiled", "ParameterArray", "ReplayError", "TracingError",
           "ReplayGraph", "Schedule", "Plan", "Executor", "Group"]
