"""autograd.large_graph(): the cyclic collector paused for the block, restored after, in every case."""

import gc
import threading

import pytest

from autograd import Value, large_graph


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def chain(n):
    x = Value(0.3)
    y = x
    for _ in range(n):
        y = (y * 0.9 + 0.01).tanh()
    y.backward()
    return x.grad


def test_the_collector_is_off_inside_and_back_on_after():
    with large_graph():
        assert not gc.isenabled()
        grad = chain(2000)
    assert gc.isenabled()
    assert grad == chain(2000)  # the same numbers, of course


def test_an_error_inside_still_restores_the_collector():
    with pytest.raises(ZeroDivisionError), large_graph():
        Value(1.0) / 0.0
    assert gc.isenabled()


def test_a_collector_the_user_turned_off_stays_off():
    gc.disable()
    with large_graph():
        pass
    assert not gc.isenabled()


def test_nested_blocks_restore_at_the_outermost():
    with large_graph():
        with large_graph():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_blocks_in_threads_restore_when_the_last_ends():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states = []

    def first():
        with large_graph():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with large_graph():
            second_in.set()
            first_out.wait(5)
            states.append(gc.isenabled())  # the other thread's block ended: still off for this one
        states.append(gc.isenabled())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert states == [False, True]


def test_exported_and_documented():
    import autograd.collector

    assert autograd.large_graph is autograd.collector.large_graph
    assert "whole process" in autograd.collector.__doc__  # what it changes is said in the open


def test_backward_places_a_random_dags_nodes_in_the_order_they_were_made():
    # each step reads the node before and a random earlier one (benchmarks/bench_large_graph.py):
    # the walk places the nodes as they were made, sequential in memory, with nothing to sort
    import random

    from autograd.backward import computed_nodes

    rng = random.Random(7)
    made, created = [Value(0.5)], []
    y = made[0]
    for k in range(300):
        a, b = y * 0.5, made[rng.randrange(k + 1)] * 0.5
        c = a + b
        d = c.tanh()
        y = d * 0.999
        created += (a, b, c, d, y)
        made.append(y)
    assert computed_nodes(y) == created
