"""The max operation of the rule table: forward, derivative to the larger input, a tie split in half."""

import pytest

from autograd import RULES, Value, grad


def test_max_forward_and_gradient_go_to_the_larger():
    x, y = Value(2.0), Value(3.0)
    out = x.max(y)
    (out * out).backward()  # d(m^2) = 2m dm, and dm = dy here
    assert (out.data, x.grad, y.grad) == (3.0, 0.0, 6.0)


def test_max_tie_splits_the_gradient_as_pytorch():
    x, y = Value(1.5), Value(1.5)
    x.max(y).backward()
    assert (x.grad, y.grad) == (0.5, 0.5)
    z = Value(4.0)
    z.max(z).backward()  # max(z, z) = z: both halves reach z
    assert z.grad == 1.0


def test_max_with_a_number_and_higher_derivatives():
    x = Value(1.0)
    x.max(0.5).backward()
    assert x.grad == 1.0
    assert Value(-1.0).max(0.0).data == 0.0
    f = lambda t: (t * t).max(3 * t)  # t^2 beyond t = 3, 3t before
    assert grad(f)(4.0) == 8.0 and grad(f)(2.0) == 3.0 and grad(grad(f))(4.0) == 2.0


def test_rule_table_entry_runs_on_arrays():
    np = pytest.importorskip("numpy")
    rule = RULES["max"]
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 1.0])
    assert rule.forward(x, y).tolist() == [2.0, 2.0, 3.0]
    dx, dy = rule.vjp(np.ones(3), None, x, y)
    assert dx.tolist() == [0.0, 0.5, 1.0] and dy.tolist() == [1.0, 0.5, 0.0]
    assert "max" in rule.formula


def test_max_against_pytorch():
    torch = pytest.importorskip("torch")
    for a, b in [(2.0, -1.0), (-3.0, 0.5), (0.25, 0.25)]:
        x, y = Value(a), Value(b)
        (x.max(y) * x).backward()
        tx = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        (torch.maximum(tx, ty) * tx).backward()
        assert (x.grad, y.grad) == (tx.grad.item(), ty.grad.item())
