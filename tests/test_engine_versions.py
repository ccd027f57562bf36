"""Assigning .data after a graph was recorded: backward refuses, naming the node (as PyTorch)."""

import math

import pytest

import nn
from autograd import Value, grad, gradients


def test_the_issue_example_raises_instead_of_a_wrong_gradient():
    x = Value(2.0, label="x")
    y = x.tanh() * x
    x.data = 3.0  # neither f'(2) nor f'(3) could come out of the old graph
    with pytest.raises(RuntimeError, match=r"the tanh node .* then the \.data of its input the leaf 'x' was assigned"):
        y.backward()


def test_the_error_names_the_node_and_the_changed_input():
    w = Value(0.5, label="w")
    h = (w * 3.0).tanh()
    h.label = "h"
    out = h * h
    w.data = 0.7
    message = r"the mul node \(data=1\.5\) was recorded, then the \.data of its input the leaf 'w'"
    with pytest.raises(RuntimeError, match=message):
        out.backward()


def test_a_computed_node_whose_own_data_was_assigned_is_refused():
    a = Value(1.0)
    b = a.exp()
    b.label = "b"
    b.data = 5.0  # exp's rule uses its output: the derivative would be 5, not e
    with pytest.raises(RuntimeError, match=r"the exp node 'b' was recorded, then its own \.data was assigned"):
        b.backward()
    c = Value(1.0)
    d = c.tanh()
    d.data = 0.5
    e = d * 2.0  # recorded after the change, but d's own rule is stale
    with pytest.raises(RuntimeError, match=r"the tanh node .* its own \.data"):
        e.backward()


def test_the_same_number_assigned_back_still_counts_as_a_change():
    x = Value(2.0)
    y = x * x
    x.data = 2.0
    with pytest.raises(RuntimeError, match="was assigned"):
        y.backward()


def test_every_executor_checks_higher_order_and_gradients_too():
    x = Value(2.0)
    y = x.tanh() * x
    x.data = 3.0
    with pytest.raises(RuntimeError, match=r"the (tanh|mul) node"):
        y.backward(create_graph=True)
    with pytest.raises(RuntimeError, match=r"the (tanh|mul) node"):
        gradients(y, [x])
    v = Value(1.0)

    def f(t):
        out = t * v
        v.data = 2.0  # changed inside the function being differentiated
        return out

    with pytest.raises(RuntimeError, match=r"the (tanh|mul) node"):
        grad(f)(3.0)


def test_changes_before_use_or_to_unrelated_values_are_fine():
    x, other = Value(2.0), Value(1.0)
    x.data = 3.0
    y = x.tanh() * x
    other.data = 5.0
    y.backward()
    t = math.tanh(3.0)
    assert x.grad == pytest.approx((1 - t * t) * 3.0 + t, rel=1e-14)
    z = y.detach()
    z.data = 0.0  # a detached copy is a new leaf
    x.grad = 0.0
    y.backward()
    assert x.grad == pytest.approx((1 - t * t) * 3.0 + t, rel=1e-14)


def test_a_new_forward_pass_after_the_change_is_right():
    x = Value(2.0)
    (x * x).backward()
    x.data = 3.0
    x.grad = 0.0
    (x * x).backward()
    assert x.grad == 6.0


OPTIMISERS = [lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9), lambda ps: nn.Adam(ps, lr=0.05)]


@pytest.mark.parametrize("make_optimizer", OPTIMISERS, ids=["SGD", "Adam"])
def test_optimisers_update_between_steps_and_keep_working(make_optimizer):
    # fit w x + b to y = 2x - 1: each step builds a new graph, so the updates never trip the check
    w, b = Value(0.0), Value(0.0)
    opt = make_optimizer([w, b])
    xs = [-1.0, 0.0, 1.0, 2.0]
    losses = []
    for _ in range(200):
        loss = sum(((w * x + b) - (2 * x - 1)) ** 2 for x in xs) * 0.25
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert losses[-1] < 1e-4 * losses[0]
    assert w.data == pytest.approx(2.0, abs=0.02) and b.data == pytest.approx(-1.0, abs=0.02)
    with pytest.raises(RuntimeError, match="was assigned"):
        loss.backward()  # the last loss's graph predates the last step: refused, not wrong
