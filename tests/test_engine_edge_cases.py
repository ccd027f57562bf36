"""Small promises: no_grad graphs, Value seeds, gradcheck at Values, no shadowed built-ins."""

import subprocess
import sys

import pytest

import autograd
from autograd import GradcheckError, Value, gradcheck, no_grad


def test_backward_on_a_value_computed_under_no_grad_raises():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
    assert y.is_leaf() and y.parents == () and y.constant is None  # still a plain leaf to look at
    with pytest.raises(RuntimeError, match=r"backward: Value\(data=5\.0.*computed inside no_grad\(\)"):
        y.backward()
    assert x.grad == 0.0
    z = y * x  # used as a constant in a recorded graph, it is fine
    z.backward()
    assert x.grad == 5.0
    Value(3.0).backward()  # a leaf the user made is not refused
    y.detach().backward()


def test_a_value_seed_without_create_graph_leaves_float_gradients():
    x = Value(3.0)
    y = x * x
    y.backward(grad=Value(2.0))
    assert type(x.grad) is float and x.grad == 12.0  # 2 * 2x
    assert type(y.grad) is float and y.grad == 2.0
    seed = Value(2.0)
    x2 = Value(3.0)
    (x2 * x2).backward(grad=seed, create_graph=True)  # with create_graph the seed is part of the graph
    assert isinstance(x2.grad, Value) and x2.grad.data == 12.0
    x2.grad.backward()
    assert seed.grad == 6.0  # d(seed * 2x)/d(seed) = 2x


def test_gradcheck_accepts_values_at_their_data():
    f = lambda a, b: (a * b).sigmoid() + a.softplus() / (1 + b * b)
    assert gradcheck(f, Value(0.3), Value(1.2))
    assert gradcheck(f, Value(0.3), 1.2)
    with pytest.raises(GradcheckError, match=r"input 0 \(x=1\.5\)"):
        gradcheck(lambda x: x * x.detach(), Value(1.5))
    with pytest.raises(ValueError, match="gradcheck"):
        gradcheck(f, float("nan"), 1.0)


def test_star_import_does_not_shadow_the_builtin_compile():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "compile" not in namespace and "Value" in namespace and "grad" in namespace
    assert autograd.compile is not compile and callable(autograd.compile)
    code = "from autograd import *\ncode = compile('1 + 1', '<s>', 'eval')\nprint(eval(code))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2"
