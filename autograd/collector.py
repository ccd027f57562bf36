"""``large_graph()``: build and differentiate graphs of millions of nodes without the garbage
collector's cost per node growing with them.

Python frees a ``Value`` by reference counting the moment nothing refers to it; a computation
graph has no reference cycles, so it never needs the cyclic garbage collector. But the collector
does not know that: it runs every few hundred allocations and, as the graph grows, its full
passes walk every node again. At 10^6 nodes that makes each new node cost 2-6 times what it
costs at 10^4 (``benchmarks/bench_large_graph.py``).

``with autograd.large_graph():`` switches the collector off for the block and back on after it
(if it was on), so the engine's work per node stays the same at every size:

    >>> import gc
    >>> from autograd import Value, large_graph
    >>> with large_graph():
    ...     x = Value(0.5)
    ...     y = x
    ...     for _ in range(1000):
    ...         y = (y * 0.9).tanh()
    ...     y.backward()
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True

What it changes, in the open: the collector is one switch for the whole process, so while any
thread is inside a ``large_graph()`` block, garbage with reference cycles made anywhere waits
until the last block ends (memory freed by reference counting, including the graph's, is freed
at once as always). Blocks may nest and may run in several threads: the collector comes back on
when the last one ends, and only if it was on when the first began. Nothing happens at import:
the library never touches the collector unless asked.

What still grows with the graph is the memory's cost, the same for any Python objects: a big
graph takes fresh pages from the system (the kernel fills each on first touch), and a node that
reads one made long before (a random DAG) fetches it from far away in memory, out of the caches.
``bench_large_graph.py`` measures both against the same reads on plain objects (its "floor").
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_inside = 0  # how many large_graph() blocks are running, in every thread
_was_enabled = False  # the collector's state when the first of them began


@contextmanager
def large_graph() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (see the module docstring)."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
