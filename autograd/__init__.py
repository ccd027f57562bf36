"""chainrule's scalar reverse-mode automatic differentiation engine.

>>> from autograd import Value
>>> x = Value(0.5, label="x")
>>> y = (x * x + 3 * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)   # (1 - tanh^2(1.75)) * (2x + 3)
0.455248
"""

from .backward import topological_order, zero_grad
from .collector import large_graph
from .functional import GradcheckError, grad, gradcheck, gradients, hessian
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .ops import apply
from .products import dot
from .replay import Compiled, ParameterArray, ReplayError, TracingError, compile  # noqa: F401
from .rules import RULES, Op, Rule
from .source import Source, record_source, source_of
from .value import Value

__all__ = [
    "Value", "dot", "apply", "topological_order", "zero_grad",
    "grad", "gradients", "hessian", "gradcheck", "GradcheckError",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "large_graph",
    "record_source", "source_of", "Source",
    "RULES", "Op", "Rule",
    "Compiled", "ParameterArray", "TracingError", "ReplayError",
]
# ``compile`` is left out of ``__all__`` on purpose: ``from autograd import *`` must not shadow the
# built-in ``compile``. Use ``autograd.compile`` (or ``from autograd import compile``).
__version__ = "0.1.0"
