"""Nested grad: no perturbation confusion, whatever the inner function is given.

The classic test set of Siskind & Pearlmutter ("Perturbation confusion and referential
transparency", 2005) and Manzyuk et al. ("Perturbation confusion in forward automatic
differentiation of higher-order functions", 2019), with every answer derived by hand.
"""

import math

import pytest

from autograd import Value, grad, gradients, hessian


def central(f, x, eps=1e-5):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def test_inner_grad_given_a_number_keeps_the_outer_variable_of_its_closure():
    # d/dw [d/dx (w x^2)]_{x=1} = d/dw [2 w x]_{x=1} = 2
    assert grad(lambda w: grad(lambda x: w * x**2)(1.0))(0.5) == 2.0
    # d/dx [x * d/dy (x y)] = d/dx [x * x] = 2x
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(1.0) == 2.0
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(-3.0) == -6.0


def test_siskind_pearlmutter_2005():
    # D(λx. x · D(λy. x + y)(1))(1) = D(λx. x · 1)(1) = 1; a confused implementation says 2
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0


def test_inner_grad_given_the_outer_variable_itself():
    # the inner derivative holds x fixed: d/dy (x y) = x, then d/dx x = 1 (confusion: d/dx 2x = 2)
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 1.0
    # d/dy (x y^2) at y = x is 2 x y = 2x^2; d/dx 2x^2 = 4x
    assert grad(lambda x: grad(lambda y: x * y**2)(x))(1.5) == 6.0


def test_manzyuk_et_al_2019_derivative_operator_built_from_grad():
    # (D s 0)(f)(x) with s(u)(f) = λx. f(x + u) is f'(x): applying the operator twice gives f''
    def deriv(f):
        return lambda x: grad(lambda u: f(x + u))(0.0)

    assert deriv(deriv(lambda v: v.exp()))(1.0) == pytest.approx(math.e, rel=1e-15)
    assert deriv(deriv(lambda v: v**3))(2.0) == 12.0  # 6x
    assert deriv(deriv(deriv(lambda v: v**3)))(2.0) == 6.0
    assert deriv(deriv(lambda v: v.tanh()))(0.3) == pytest.approx(
        -2 * math.tanh(0.3) * (1 - math.tanh(0.3) ** 2), rel=1e-12)


def test_three_levels_of_nesting():
    # d/dz (x y z) = x y; d/dy [y * x y]_{y=1} = 2 x y = 2x; d/dx [x * 2x] = 4x
    f = lambda x: x * grad(lambda y: y * grad(lambda z: x * y * z)(1.0))(1.0)
    assert grad(f)(1.5) == 6.0


def test_inner_derivative_that_does_not_depend_on_its_argument():
    # d/dy x = 0, so d/dx [x * 0] = 0; and d/dx [d/dy (x + y)] = d/dx 1 = 0
    assert grad(lambda x: x * grad(lambda y: x)(1.0))(2.0) == 0.0
    assert grad(lambda x: grad(lambda y: x + y)(1.0))(2.0) == 0.0


def test_nonlinear_closure_against_hand_formula_and_central_differences():
    # g(w) = d/dx tanh(w x) at x = 1 = w (1 - tanh^2 w); g'(w) = (1 - t^2) - 2 w t (1 - t^2)
    g = lambda w: grad(lambda x: (w * x).tanh())(1.0)
    w = 0.7
    t = math.tanh(w)
    assert grad(g)(w) == pytest.approx((1 - t * t) - 2 * w * t * (1 - t * t), rel=1e-12)
    assert grad(g)(w) == pytest.approx(central(lambda u: u * (1 - math.tanh(u) ** 2), w), rel=1e-7)


def test_hessian_of_a_function_that_takes_a_derivative_inside():
    # inner: d/dx (a b x^2) at x = 1 = 2ab; its Hessian in (a, b) is [[0, 2], [2, 0]]
    assert hessian(lambda a, b: grad(lambda x: a * b * x * x)(1.0))(2.0, 3.0) == [[0.0, 2.0], [2.0, 0.0]]


def test_gradients_inside_grad_records_a_graph_by_default():
    # d/dx [d(x^3)/dx] = 6x
    assert grad(lambda x: gradients(x**3, [x])[0])(2.0) == 12.0
    x = Value(2.0)
    assert gradients(x**3, [x]) == [12.0]  # at the top level: floats, as before
    assert type(gradients(x**3, [x])[0]) is float


def test_top_level_results_stay_floats_and_higher_order_stays_right():
    w = Value(0.5)
    d = grad(lambda x: w * x**2)(3.0)  # outside any grad: a float, 2 w x
    assert type(d) is float and d == 3.0
    assert grad(grad(grad(lambda x: x**4)))(1.5) == 24 * 1.5
    assert hessian(lambda x, y: x * x * y)(1.0, 2.0) == [[4.0, 2.0], [2.0, 0.0]]
    assert grad(grad(lambda x: x.sigmoid()))(0.0) == 0.0
