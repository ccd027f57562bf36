"""Neurons, layers and multi-layer perceptrons built from scalar ``Value``s (D1, D11).

A neuron computes f(x) = rho(sum_i w_i x_i + b) (D11); a layer is a list of neurons that read
the same input, so layer l computes a^[l] = g(W^[l] a^[l-1] + b^[l]) with row j of W^[l] being
neuron j's weights (D1); an MLP chains layers, the last one affine by default (D11).

The names and the parameter order are micrograd's (``MLP.layers``, ``Layer.neurons``,
``Neuron.w``, ``Neuron.b``; per layer, per neuron, w then b), so ``MLP(2, [16, 16, 1])`` is
micrograd's model. ``Module`` finds parameters and submodules by looking at attributes, as
PyTorch does: a Value is a parameter and a Module a submodule, also inside lists, tuples and
dicts (nested too).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from operator import mul
from typing import Any

import numpy as np

from autograd import Value

from .activations import Activation, activation_name, get_activation
from .init import Initializer, Seed, draw_weights, make_source
from .inputs import Inputs, as_inputs, check_size, is_batch
from .state import IncompatibleKeys, StateDictError, check_entry, expand_lists, quote_keys

StateDict = dict[str, float]


class Module:
    """Base class: parameters, names, gradients and state of a model and its parts."""

    name: str = ""
    """This module's dotted path in the model ("layers.1.neurons.3"), set by ``assign_names``."""
    show_submodules: bool = True
    """Whether the repr lists the submodules (a Layer shows one line, not every neuron)."""

    # ------------------------------------------------------------ finding members
    def members(self) -> Iterator[tuple[str, Value | Module]]:
        """(path, member) for the parameters and submodules held directly, in definition order.

        A member is an attribute (not starting with "_") that is a Value or a Module, or one inside
        a list, tuple or dict (nested too): a list of Values ``w`` gives ``w0, w1, ...``
        (micrograd's neuron weights), other containers ``blocks.0``, ``heads.query``.
        """
        for attr, value in vars(self).items():
            if not attr.startswith("_"):
                yield from _walk(attr, value)

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(path, module) for this module ("" or ``prefix``) and every module inside it, each
        once."""
        seen: set[int] = set()

        def visit(path: str, module: Module) -> Iterator[tuple[str, Module]]:
            if id(module) in seen:
                return
            seen.add(id(module))
            yield path, module
            for name, member in module.members():
                if isinstance(member, Module):
                    yield from visit(_join(path, name), member)

        yield from visit(prefix, self)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """(path, parameter), each parameter once: "layers.0.neurons.2.w1" is weight 1 of neuron 2
        of layer 0. A module's own parameters come before its submodules' (PyTorch's order); for an
        MLP this is micrograd's order. These names are the keys of ``state_dict()``."""
        seen: set[int] = set()
        for path, module in self.named_modules(prefix):
            for name, member in module.members():
                if isinstance(member, Value) and id(member) not in seen:
                    seen.add(id(member))
                    yield _join(path, name), member

    def parameters(self) -> list[Value]:
        """Every parameter, in micrograd's order (per layer, per neuron, w then b)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0

    def assign_names(self, prefix: str = "") -> None:
        """Set ``.name`` of every submodule to its path and label every parameter with its path.

        Containers call this at the end of ``__init__``; a model's picture (viz) uses the names.
        """
        for path, module in self.named_modules(prefix):
            module.name = path
        for path, p in self.named_parameters(prefix):
            p.label = path

    # ------------------------------------------------------------ state
    def state_dict(self) -> StateDict:
        """{name: value} for every parameter, with the names of ``named_parameters()``."""
        state = dict((name, p.data) for name, p in self.named_parameters())
        if len(state) != len(self.parameters()):
            raise ValueError(
                f"state_dict: two parameters of {type(self).__name__} have the same name; rename "
                "an attribute (a list of Values 'w' is named w0, w1, ...)"
            )
        return state

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values from ``state`` into the parameters (the Values stay the same objects).

        As PyTorch's: with ``strict`` (the default) a missing or unexpected key raises
        ``StateDictError`` listing them all; without, the keys present are loaded and the
        (missing_keys, unexpected_keys) returned. Every value is checked first (a finite number),
        so on an error the model is unchanged. A list under a Value list's name ("w": [...], the
        format of model files version 1) stands for w0, w1, ...
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a dict of parameter values, got {type(state).__name__}"
            )
        params = dict(self.named_parameters())
        state = expand_lists(state, params)
        missing = [key for key in params if key not in state]
        unexpected = [key for key in state if key not in params]
        if strict and (missing or unexpected):
            lines = [f"Error(s) in loading state_dict for {type(self).__name__}:"]
            if missing:
                lines.append(f"\tMissing key(s) in state_dict: {quote_keys(missing)}.")
            if unexpected:
                lines.append(f"\tUnexpected key(s) in state_dict: {quote_keys(unexpected)}.")
            raise StateDictError("\n".join(lines), missing, unexpected)
        values = {key: check_entry(key, state[key]) for key in params if key in state}
        for key, value in values.items():
            params[key].data = value
        return IncompatibleKeys(missing, unexpected)

    def config(self) -> dict[str, Any]:
        """The constructor's arguments, so ``nn.load`` can rebuild the model (override to save)."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define config(), so it cannot be rebuilt"
        )

    # ------------------------------------------------------------ display
    def summary(self) -> str:
        """One line describing this module (its repr without submodules)."""
        return f"{type(self).__name__}()"

    def __repr__(self) -> str:
        lines = [self.summary()]
        if self.show_submodules:
            for path, member in self.members():
                if isinstance(member, Module):
                    first, *rest = repr(member).splitlines()
                    lines.append(f"  ({path}): {first}")
                    lines.extend(f"  {line}" for line in rest)
        return "\n".join(lines)


class Neuron(Module):
    """f(x) = rho(sum_i w_i x_i + b) (D11): weights ``w`` (a list of Values), bias ``b``.

    The weights are drawn by ``init`` from ``seed`` (see ``MLP``), or given as ``weights``.
    """

    def __init__(self, nin: int, activation: str | Activation | None = "relu",
                 init: str | Initializer = "micrograd", seed: Seed = None, *,
                 weights: Sequence[float] | None = None, bias: float = 0.0) -> None:
        check_size(nin, "Neuron: nin")
        self.activation, self._act = get_activation(activation)
        if weights is None:
            weights = draw_weights(init, nin, 1, make_source(seed, init))[0]
        elif len(weights) != nin:
            raise ValueError(f"Neuron: got {len(weights)} weights for {nin} inputs")
        self.w = [Value(float(wi)) for wi in weights]
        self.b = Value(float(bias))
        self.assign_names(self.name)

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return len(self.w)

    def forward(self, x: list[Value | float]) -> Value:
        """rho(b + w_0 x_0 + ... + w_{n-1} x_{n-1}) for an already checked input list.

        The sum starts from b and adds left to right, exactly as micrograd does; the output is
        labelled with this neuron's name so a picture of the graph can group it.
        """
        out = self._act(sum(map(mul, self.w, x), self.b))
        if not isinstance(out, Value):  # e.g. math.tanh: a float, with no graph to differentiate
            raise TypeError(
                f"activation {activation_name(self.activation)!r} returned {type(out).__name__} "
                f"{out!r}, not a Value; an activation must map a Value to a Value with Value's "
                "operations (z.tanh(), not math.tanh(z))"
            )
        out.label = self.name
        return out

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """The output for one example; for a 2-D numpy batch (n, nin), the list of the n outputs."""
        if is_batch(x):
            return [self(row) for row in x]
        return self.forward(as_inputs(x, self.nin, "Neuron"))

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "activation": self.activation}

    def summary(self) -> str:
        return f"Neuron({self.nin}, {activation_name(self.activation)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs: a = g(W x + b), W of shape (nout, nin)
    (D1)."""

    show_submodules = False

    def __init__(self, nin: int, nout: int, activation: str | Activation | None = "relu",
                 init: str | Initializer = "micrograd", seed: Seed = None) -> None:
        check_size(nin, "Layer: nin")
        check_size(nout, "Layer: nout")
        self.activation, _ = get_activation(activation)
        weights = draw_weights(init, nin, nout, make_source(seed, init))
        self.neurons = [Neuron(nin, self.activation, weights=row) for row in weights]
        self.assign_names(self.name)

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """Number of outputs (neurons)."""
        return len(self.neurons)

    def forward(self, x: list[Value | float]) -> list[Value]:
        """Every neuron's output, as a list (even for one neuron)."""
        return [n.forward(x) for n in self.neurons]

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """The outputs; one Value when the layer has one neuron (as in micrograd). A 2-D numpy batch
        (n, nin) gives the list of each row's outputs."""
        if is_batch(x):
            return [self(row) for row in x]
        out = self.forward(as_inputs(x, self.nin, "Layer"))
        return out[0] if len(out) == 1 else out

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(W, b) as numpy arrays of shapes (nout, nin) and (nout,) (D1's matrix form)."""
        W = np.array([[w.data for w in n.w] for n in self.neurons])
        return W, np.array([n.b.data for n in self.neurons])

    def set_weights(self, W: Any, b: Any) -> None:
        """Copy a weight matrix (nout, nin) and a bias vector (nout,) or (nout, 1) into the
        Values."""
        where = f"set_weights of layer {self.name!r}" if self.name else "set_weights"
        try:
            W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{where}: W and b must be arrays of numbers ({error})") from None
        if W.shape != (self.nout, self.nin):
            raise ValueError(
                f"{where}: W has shape {W.shape}, the layer needs (nout, nin) = "
                f"{(self.nout, self.nin)}"
            )
        if b.shape not in ((self.nout,), (self.nout, 1)):
            raise ValueError(f"{where}: b has shape {b.shape}, the layer needs ({self.nout},)")
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise ValueError(f"{where}: W and b must be finite")
        for neuron, row, bias in zip(self.neurons, W.tolist(), b.reshape(-1).tolist(), strict=True):
            for w, value in zip(neuron.w, row, strict=True):
                w.data = value
            neuron.b.data = bias

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    def summary(self) -> str:
        return f"Layer({self.nin} -> {self.nout}, {activation_name(self.activation)})"


class MLP(Module):
    """A multi-layer perceptron: hidden layers with ``activation``, the last with
    ``output_activation``.

    ``MLP(2, [16, 16, 1])`` is micrograd's model: ReLU hidden layers, a linear output, weights
    U[-1, 1], biases 0. Phi(x) = T_L rho(T_{L-1} rho(... rho(T_1 x))) (D11).

    With the default ``init="micrograd"`` the weights are micrograd's own draws, in its order
    (``random.uniform(-1, 1)`` per weight; layer, neuron, input): from Python's global ``random``
    state when ``seed`` is None, so ``random.seed(1337); MLP(2, [16, 16, 1])`` gives micrograd's
    demo model, and from ``random.Random(seed)`` for an int ``seed`` (the global state untouched).
    Other initialisers draw from a numpy Generator (``np.random.default_rng(seed)``); a Generator
    or a ``random.Random`` passed as ``seed`` is used as it is.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | Activation | None = "relu",
                 output_activation: str | Activation | None = None,
                 init: str | Initializer = "micrograd", seed: Seed = None) -> None:
        check_size(nin, "MLP: nin")
        if isinstance(nouts, int | np.integer) or len(nouts) == 0:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        for i, n in enumerate(nouts):
            check_size(n, f"MLP: nouts[{i}]")
        # None: each layer reads the global random state, as micrograd's layers do
        rng = None if seed is None else make_source(seed, init)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation, init, rng)
            for i in range(len(nouts))
        ]
        self.activation, _ = get_activation(activation)
        self.output_activation, _ = get_activation(output_activation)
        self.assign_names(self.name)

    @classmethod
    def from_weights(cls, weights: Sequence[Any], biases: Sequence[Any],
                     activation: str | Activation | None = "relu",
                     output_activation: str | Activation | None = None) -> MLP:
        """The MLP whose layer l has weight matrix ``weights[l]`` (n_l, n_{l-1}) and bias
        ``biases[l]`` (D1)."""
        shapes = [np.shape(W) for W in weights]
        if not shapes or any(len(s) != 2 for s in shapes) or len(biases) != len(weights):
            raise ValueError(
                f"MLP.from_weights: need one 2-D weight matrix per bias vector, got shapes {shapes}"
            )
        model = cls(
            shapes[0][1], [s[0] for s in shapes], activation, output_activation, init="zeros"
        )
        for layer, W, b in zip(model.layers, weights, biases, strict=True):
            layer.set_weights(W, b)
        return model

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self.layers[0].nin

    @property
    def nouts(self) -> list[int]:
        """The layers' sizes, the last the number of outputs."""
        return [layer.nout for layer in self.layers]

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """The network's outputs: one Value when the last layer has one unit, else a list.

        As in PyTorch, a 2-D numpy batch X of shape (n, nin) gives the batch's outputs: a list
        of n outputs, one per row (``nn.mse(model(X), y)`` is the batch loss).
        """
        if is_batch(x):
            return [self(row) for row in x]
        x = as_inputs(x, self.nin, "MLP")
        for layer in self.layers:
            x = layer.forward(x)
        return x[0] if len(x) == 1 else x

    def config(self) -> dict[str, Any]:
        return {
            "nin": self.nin,
            "nouts": self.nouts,
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def summary(self) -> str:
        sizes = " -> ".join(str(n) for n in [self.nin, *self.nouts])
        return f"MLP({sizes}, {len(self.parameters())} parameters)"


# ---------------------------------------------------------------- helpers


def _join(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if prefix else path


def _walk(path: str, value: Any, attribute: bool = True) -> Iterator[tuple[str, Value | Module]]:
    """The Values and Modules in ``value`` with their paths: ``w0, w1`` for an attribute that is a
    list of Values (``fc1.0, fc1.1`` when its name ends in a digit), ``path.i`` and ``path.key``
    inside other containers (``W.0.1`` in a list of lists)."""
    if isinstance(value, Value | Module):
        yield path, value
    elif isinstance(value, list | tuple) and value:
        compact = attribute and not path[-1].isdigit() and all(isinstance(v, Value) for v in value)
        if compact:  # a list of Values (a neuron's weights): no need to walk into each
            yield from ((f"{path}{i}", item) for i, item in enumerate(value))
            return
        for i, item in enumerate(value):
            yield from _walk(f"{path}.{i}", item, False)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{path}.{key}", item, False)
