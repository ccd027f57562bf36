"""grad, hessian, gradients and gradcheck: derivatives of derivatives against closed forms."""

import math
import random

import pytest

from autograd import GradcheckError, Value, compile, grad, gradcheck, gradients, hessian, no_grad

POINTS = [random.Random(i).uniform(-2.5, 2.5) for i in range(6)]


def close(a, b, tol=1e-10):
    return abs(a - b) <= tol * max(1.0, abs(b))


def sig(z):
    return 1 / (1 + math.exp(-z))


CLOSED_FORMS = {
    # f, f', f'', f'''
    "tanh": (
        lambda v: v.tanh(),
        lambda x: 1 - math.tanh(x) ** 2,
        lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
        lambda x: -2 * (1 - math.tanh(x) ** 2) ** 2 + 4 * math.tanh(x) ** 2 * (1 - math.tanh(x) ** 2),
    ),
    "sigmoid": (
        lambda v: v.sigmoid(),
        lambda x: sig(x) * (1 - sig(x)),
        lambda x: sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
        lambda x: sig(x) * (1 - sig(x)) * (1 - 6 * sig(x) + 6 * sig(x) ** 2),
    ),
    "exp(sin-free poly)": (
        lambda v: (v**3 - 2 * v).exp(),
        lambda x: (3 * x**2 - 2) * math.exp(x**3 - 2 * x),
        lambda x: (6 * x + (3 * x**2 - 2) ** 2) * math.exp(x**3 - 2 * x),
        lambda x: (6 + 2 * (3 * x**2 - 2) * 6 * x + (6 * x + (3 * x**2 - 2) ** 2) * (3 * x**2 - 2))
        * math.exp(x**3 - 2 * x),
    ),
    "softplus": (
        lambda v: v.softplus(),
        sig,
        lambda x: sig(x) * (1 - sig(x)),
        lambda x: sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
    ),
    "log(1 + x^2)": (
        lambda v: (1 + v * v).log(),
        lambda x: 2 * x / (1 + x * x),
        lambda x: (2 - 2 * x * x) / (1 + x * x) ** 2,
        lambda x: (4 * x**3 - 12 * x) / (1 + x * x) ** 3,
    ),
    "sqrt(1 + x^2)": (
        lambda v: (1 + v * v).sqrt(),
        lambda x: x / math.sqrt(1 + x * x),
        lambda x: (1 + x * x) ** -1.5,
        lambda x: -3 * x * (1 + x * x) ** -2.5,
    ),
    "x^x (Value exponent)": (
        lambda v: (v * v + 1) ** (v * v + 1),
        lambda x: (x * x + 1) ** (x * x + 1) * (math.log(x * x + 1) + 1) * 2 * x,
        None,
        None,
    ),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_first_second_third_derivatives(name):
    f, d1, d2, d3 = CLOSED_FORMS[name]
    g1 = grad(f)
    g2, g3 = grad(g1), grad(grad(g1))
    for x in POINTS:
        assert close(g1(x), d1(x)), (name, x)
        if d2:
            assert close(g2(x), d2(x), 1e-9), (name, x)
            assert close(g3(x), d3(x), 1e-8), (name, x)


def test_second_derivatives_of_piecewise_activations_away_from_kinks():
    for x in (-1.3, 0.8):
        assert grad(grad(lambda v: v.relu()))(x) == 0.0
        assert grad(grad(lambda v: v.leaky_relu(0.1)))(x) == 0.0
        assert close(grad(grad(lambda v: v.elu(0.5)))(x), 0.5 * math.exp(x) if x <= 0 else 0.0)
        assert close(grad(grad(lambda v: abs(v) * v))(x), 2 * math.copysign(1, x))


def test_derivatives_of_polynomials_at_zero_to_every_order():
    # d/dx x^0 = 0 even at x = 0, so repeated derivatives of x^n end in 0 instead of 0 ** -1
    cubic = lambda v: v**3 - 2 * v**2 + v**0
    at0 = [grad(cubic)(0.0), grad(grad(cubic))(0.0), grad(grad(grad(cubic)))(0.0), grad(grad(grad(grad(cubic))))(0.0)]
    assert at0 == [0.0, -4.0, 6.0, 0.0]
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    # the batched replay runs the same rule on arrays
    p = Value(1.5)
    outputs, grads = compile(lambda xs: (xs[0] * p) ** 0 + (xs[0] * p) ** 2, 1, [p]).value_and_grad([[0.0], [2.0]])
    assert outputs.tolist() == [1.0, 10.0] and grads.tolist() == [0.0 + 2 * 1.5 * 4.0]


def test_grad_hessian_and_gradcheck_work_inside_no_grad():
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0
        assert hessian(lambda a, b: a * a * b)(1.0, 2.0) == [[4.0, 2.0], [2.0, 0.0]]
        assert gradcheck(lambda x: x.tanh() * x, 0.4)
        assert (Value(2.0) * 3).is_leaf()  # the block itself still records nothing


def test_grad_with_several_arguments_and_argnums():
    f = lambda a, b: a * a * b + (a * b).exp()
    a, b = 0.3, -1.2
    da = 2 * a * b + b * math.exp(a * b)
    db = a * a + a * math.exp(a * b)
    assert close(grad(f)(a, b), da)
    assert close(grad(f, argnums=1)(a, b), db)
    both = grad(f, argnums=(0, 1))(a, b)
    assert close(both[0], da) and close(both[1], db)
    with pytest.raises(IndexError, match="argnums 2"):
        grad(f, argnums=2)(a, b)


def test_grad_of_a_constant_function_is_zero_and_grad_leaves_user_grads_alone():
    assert grad(lambda x: 3.0)(1.0) == 0.0
    assert grad(grad(lambda x: 2 * x))(1.0) == 0.0
    x = Value(2.0)
    x.grad = 7.0
    assert grad(lambda v: v * v)(x).data == 4.0
    assert x.grad == 7.0


def test_gradients_are_total_derivatives_even_for_interior_inputs():
    x = Value(1.5)
    h = x * x
    out = h.tanh() + x
    dh, dx = gradients(out, [h, x])
    assert close(dh, 1 - math.tanh(2.25) ** 2)
    assert close(dx, (1 - math.tanh(2.25) ** 2) * 2 * 1.5 + 1.0)  # both paths, through h and direct
    a = Value(2.0)
    b = a * 3
    assert gradients(b * b, [a, b]) == [36.0, 12.0]  # d(9a^2)/da = 18a; d(b^2)/db = 2b (PyTorch agrees)
    assert gradients(b * b, [b, a]) == [12.0, 36.0]
    assert gradients(b, [b, a]) == [1.0, 3.0]  # the output itself as an input
    assert a.grad == 0.0 and b.grad == 0.0  # .grad untouched


def test_grad_with_the_same_value_at_two_positions_gives_the_partials():
    f = lambda x, y: x * y**2
    assert grad(f, argnums=(0, 1))(2.0, 2.0) == (4.0, 8.0)  # y^2, 2xy at floats
    v = Value(2.0)
    dx, dy = grad(f, argnums=(0, 1))(v, v)  # the same Value twice: still the partials
    assert (dx.data, dy.data) == (4.0, 8.0)
    at_v = [[float(e) for e in row] for row in hessian(f)(v, v)]
    assert at_v == hessian(f)(2.0, 2.0) == [[0.0, 4.0], [4.0, 4.0]]  # [[0, 2y], [2y, 2x]]
    # and the partials still lead back to v: d/dv [dx + dy] = d/dv [v^2 + 2 v^2] = 6v
    u = Value(2.0)
    total = sum(grad(f, argnums=(0, 1))(u, u))
    total.backward()
    assert u.grad == 12.0


def test_hessian_against_closed_form():
    f = lambda x, y: x * x * y + (x * y).tanh()
    for x, y in [(0.4, -0.7), (1.1, 0.3)]:
        t = math.tanh(x * y)
        s2 = 1 - t * t  # tanh'
        s3 = -2 * t * s2  # tanh''
        expected = [
            [2 * y + y * y * s3, 2 * x + s2 + x * y * s3],
            [2 * x + s2 + x * y * s3, x * x * s3],
        ]
        H = hessian(f)(x, y)
        for i in range(2):
            for j in range(2):
                assert close(H[i][j], expected[i][j]), (i, j)


def test_newton_step_uses_the_second_derivative():
    f = lambda x: x**4 - 3 * x**2 + x
    x = 2.0
    for _ in range(20):
        x = x - grad(f)(x) / grad(grad(f))(x)
    assert abs(4 * x**3 - 6 * x + 1) < 1e-12


def test_gradcheck_passes_and_reports_mismatches():
    assert gradcheck(lambda a, b: (a * b).sigmoid() + a.softplus() / (1 + b * b), 0.3, -0.7)

    def wrong(x):  # a function whose "derivative" is lied about via a detached factor
        return x * x.detach()

    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong, 1.5)
    message = str(info.value)
    assert "input 0 (x=1.5)" in message and "backward 1.5" in message and "atol=" in message
