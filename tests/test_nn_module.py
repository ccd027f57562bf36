"""Module, Neuron, Layer and MLP: micrograd compatibility, names, state, seeds and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value


def numpy_forward(model, x, hidden=lambda z: np.maximum(z, 0.0)):
    """The model's function in matrix form (D1), read from its weights: hidden activation, linear output."""
    a = np.asarray(x, dtype=float)
    for i, layer in enumerate(model.layers):
        W, b = layer.weights()
        a = W @ a + b
        if i < len(model.layers) - 1:
            a = hidden(a)
    return a


# ---------------------------------------------------------------- micrograd compatibility


def test_micrograd_model_structure_and_parameter_order():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert all(len(n.w) == nin for layer, nin in zip(model.layers, [2, 16, 16], strict=True) for n in layer.neurons)
    expected = [p for layer in model.layers for n in layer.neurons for p in [*n.w, n.b]]  # micrograd's order
    params = model.parameters()
    assert len(params) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert all(p is q for p, q in zip(params, expected, strict=True))
    # micrograd's init: w ~ U[-1, 1], b = 0
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    assert all(-1.0 <= w <= 1.0 for w in weights) and np.std(weights) > 0.4
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


def test_micrograd_model_is_relu_hidden_and_linear_output_with_one_value_out():
    model = nn.MLP(2, [16, 16, 1], seed=1)
    x = [0.3, -1.2]
    out = model(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(numpy_forward(model, x)[0], rel=1e-12)
    assert [n.activation for n in model.layers[0].neurons] == ["relu"] * 16
    assert model.layers[2].neurons[0].activation == "linear"
    assert out.op == "add"  # no activation applied at the output
    assert isinstance(nn.MLP(2, [3, 2], seed=1)(x), list)


@pytest.mark.parametrize("nouts", [[1, 1], [4, 1, 3], [1, 1, 1, 1]])
def test_hidden_layers_of_width_one_work(nouts):
    model = nn.MLP(3, nouts, seed=2)
    x = [0.5, -0.25, 2.0]
    out = model(x)
    out = out if isinstance(out, list) else [out]
    np.testing.assert_allclose([o.data for o in out], numpy_forward(model, x), rtol=1e-12)
    assert nn.Layer(3, 1, seed=0)(x).__class__ is Value  # a 1-unit layer alone still returns a Value
    assert nn.Neuron(1, weights=[2.0], bias=1.0)(Value(3.0)).data == 7.0  # one input may be a bare Value


@settings(max_examples=40, deadline=None)
@given(nin=st.integers(1, 4), nouts=st.lists(st.integers(1, 4), min_size=1, max_size=4), seed=st.integers(0, 2**32),
       act=st.sampled_from(["relu", "tanh", "sigmoid"]))
def test_any_mlp_equals_its_matrix_form(nin, nouts, seed, act):
    hidden = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}[act]
    model = nn.MLP(nin, nouts, activation=act, init="xavier_normal", seed=seed)
    x = np.random.default_rng(seed).normal(size=nin)
    out = model(x)
    out = out if isinstance(out, list) else [out]
    assert len(out) == nouts[-1]
    np.testing.assert_allclose([o.data for o in out], numpy_forward(model, x, hidden), rtol=1e-12, atol=1e-15)


def test_numpy_rows_and_values_as_inputs():
    model = nn.MLP(2, [4, 1], seed=3)
    row = np.array([0.7, -0.1])
    assert model(row).data == model(row.tolist()).data
    x = [Value(0.7), Value(-0.1)]
    out = model(x)
    out.backward()
    W1, b1 = model.layers[0].weights()
    W2, _ = model.layers[1].weights()
    expected = W1.T @ (W2[0] * (W1 @ row + b1 > 0))  # d out / d x through the ReLU layer
    np.testing.assert_allclose([xi.grad for xi in x], expected, rtol=1e-12)


# ---------------------------------------------------------------- names, repr, state


def test_names_and_labels_are_dotted_paths():
    model = nn.MLP(2, [3, 4, 1], seed=0)
    neuron = model.layers[1].neurons[3]
    assert neuron.name == "layers.1.neurons.3"
    assert neuron.w[1].label == "layers.1.neurons.3.w1" and neuron.b.label == "layers.1.neurons.3.b"
    assert model(np.ones(2)).label == "layers.2.neurons.0"
    assert neuron(np.ones(3)).label == "layers.1.neurons.3"
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w0", "layers.0.neurons.0.w1", "layers.0.neurons.0.b"]
    assert [name for name, _ in model.named_modules()][:3] == ["", "layers.0", "layers.0.neurons.0"]
    standalone = nn.Neuron(2)
    assert standalone.name == "" and [p.label for p in standalone.parameters()] == ["w0", "w1", "b"]


def test_repr_shows_the_structure():
    text = repr(nn.MLP(2, [16, 16, 1], seed=0))
    assert text.splitlines() == [
        "MLP(2 -> 16 -> 16 -> 1, 337 parameters)",
        "  (layers.0): Layer(2 -> 16, relu)",
        "  (layers.1): Layer(16 -> 16, relu)",
        "  (layers.2): Layer(16 -> 1, linear)",
    ]
    assert repr(nn.Neuron(3, activation="tanh")) == "Neuron(3, tanh)"


def test_zero_grad():
    model = nn.MLP(2, [2, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_keeps_the_parameter_objects():
    source, target = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    params = target.parameters()
    state = source.state_dict()
    assert list(state) == [name for name, _ in source.named_parameters()]  # PyTorch's rule
    assert list(state)[:4] == ["layers.0.neurons.0.w0", "layers.0.neurons.0.w1", "layers.0.neurons.0.b",
                               "layers.0.neurons.1.w0"]
    assert state["layers.0.neurons.1.w1"] == source.layers[0].neurons[1].w[1].data
    assert target.load_state_dict(state) == ([], [])
    assert all(p is q for p, q in zip(target.parameters(), params, strict=True))
    assert [p.data for p in target.parameters()] == [p.data for p in source.parameters()]


def test_a_state_with_lists_per_weight_vector_still_loads():
    """The layout of state dicts and model files before (version 1): "w": [w0, w1]."""
    source, target = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    old = {}
    for name, p in source.named_parameters():
        stem = name.rstrip("0123456789")
        if stem.endswith(".w"):
            old.setdefault(stem, []).append(p.data)
        else:
            old[name] = p.data
    target.load_state_dict(old)
    assert target.state_dict() == source.state_dict()


@pytest.mark.parametrize("change, error, message", [
    (lambda s: s.pop("layers.1.neurons.0.b"), nn.StateDictError,
     'Error(s) in loading state_dict for MLP:\n\tMissing key(s) in state_dict: "layers.1.neurons.0.b".'),
    (lambda s: s.update(extra=1.0, more=2.0), nn.StateDictError,
     '\tUnexpected key(s) in state_dict: "extra", "more".'),
    (lambda s: s.update({"layers.0.neurons.2.w": [1.0, 2.0, 3.0]}), ValueError,
     "'layers.0.neurons.2.w' has shape (3,), the model expects (2,)"),
    (lambda s: s.update({"layers.0.neurons.2.w1": "a"}), ValueError, "'layers.0.neurons.2.w1' must be a number"),
    (lambda s: s.update({"layers.1.neurons.0.b": [0.0]}), ValueError, "'layers.1.neurons.0.b' must be a number"),
    (lambda s: s.update({"layers.1.neurons.0.w1": math.nan}), ValueError, "NaN or infinite"),
])
def test_load_state_dict_rejects_bad_state_and_changes_nothing(change, error, message):
    model = nn.MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    state = nn.MLP(2, [3, 1], seed=2).state_dict()
    change(state)
    with pytest.raises(error) as caught:
        model.load_state_dict(state)
    assert message in str(caught.value)
    assert model.state_dict() == before


def test_load_state_dict_strict_false_loads_what_matches_and_reports_the_rest():
    model, source = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    state = source.state_dict()
    del state["layers.1.neurons.0.b"]
    state["extra"] = 1.0
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["layers.1.neurons.0.b"] and unexpected == ["extra"]
    assert model.layers[0].neurons[0].w[0].data == source.layers[0].neurons[0].w[0].data
    assert issubclass(nn.StateDictError, RuntimeError)  # what PyTorch users catch


class Block(nn.Module):
    """A custom module holding its parts in a tuple, a dict and nested lists."""

    def __init__(self):
        self.pair = (nn.Neuron(2, seed=0), nn.Neuron(2, seed=1))
        self.heads = {"left": nn.Layer(2, 2, seed=2), "right": [nn.Neuron(2, seed=3)]}
        self.scale = Value(2.0)
        self.W = [[Value(1.0), Value(2.0)], [Value(3.0)]]  # a matrix as nested lists
        self.fc1 = [Value(4.0), Value(5.0)]  # a name ending in a digit: fc1.0, not fc10
        self.shared = self.pair[0]  # the same module twice: its parameters count once
        self._cache = [Value(9.0)]  # private: not a parameter


def test_module_finds_parameters_in_tuples_dicts_and_nested_containers(tmp_path):
    block = Block()
    names = [name for name, _ in block.named_parameters()]
    assert names == ["scale", "W.0.0", "W.0.1", "W.1.0", "fc1.0", "fc1.1",
                     "pair.0.w0", "pair.0.w1", "pair.0.b", "pair.1.w0", "pair.1.w1", "pair.1.b",
                     "heads.left.neurons.0.w0", "heads.left.neurons.0.w1", "heads.left.neurons.0.b",
                     "heads.left.neurons.1.w0", "heads.left.neurons.1.w1", "heads.left.neurons.1.b",
                     "heads.right.0.w0", "heads.right.0.w1", "heads.right.0.b"]
    assert len(block.parameters()) == 21 and list(block.state_dict()) == names
    other = Block()
    for p in other.parameters():
        p.data += 1.0
    other.load_state_dict(block.state_dict())
    assert other.state_dict() == block.state_dict()
    nn.save(block, tmp_path / "block.json")  # a custom module: saved state, loaded into an instance
    assert nn.load(tmp_path / "block.json", model=other).state_dict() == block.state_dict()


# ---------------------------------------------------------------- seeds and initialisers


def test_same_seed_same_weights_bit_for_bit():
    a = [p.data for p in nn.MLP(3, [5, 2], init="xavier_normal", seed=42).parameters()]
    b = [p.data for p in nn.MLP(3, [5, 2], init="xavier_normal", seed=42).parameters()]
    c = [p.data for p in nn.MLP(3, [5, 2], init="xavier_normal", seed=43).parameters()]
    assert a == b and a != c


@pytest.mark.parametrize("init", sorted(nn.INITIALIZERS))
def test_every_named_initialiser_builds_a_model(init):
    model = nn.MLP(3, [4, 2], init=init, seed=0)
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_init_function():
    model = nn.Layer(2, 3, init=lambda n_in, n_out, rng: np.arange(n_out * n_in).reshape(n_out, n_in))
    np.testing.assert_array_equal(model.weights()[0], [[0, 1], [2, 3], [4, 5]])
    with pytest.raises(ValueError, match=r"init returned shape \(2, 3\), expected \(n_out, n_in\) = \(3, 2\)"):
        nn.Layer(2, 3, init=lambda n_in, n_out, rng: np.zeros((n_in, n_out)))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("make, message", [
    (lambda: nn.MLP(2, [3], activation="relux"), "unknown activation 'relux'; known activations: relu, tanh"),
    (lambda: nn.MLP(2, [3], init="xavier"), "unknown init 'xavier'; known initialisers: xavier_normal"),
    (lambda: nn.MLP(2, [3], init=nn.init.uniform), r"init=nn.init.uniform makes an initialiser, call it: "
     r"init=nn.init.uniform\(-0.1, 0.1\)"),
    (lambda: nn.Layer(2, 3, init=nn.init.constant), r"call it: init=nn.init.constant\(0.5\)"),
    (lambda: nn.MLP(0, [3]), "MLP: nin must be a positive int, got 0"),
    (lambda: nn.MLP(2, []), "MLP: nouts must be a non-empty list"),
    (lambda: nn.MLP(2, [3, 0]), r"MLP: nouts\[1\] must be a positive int, got 0"),
    (lambda: nn.MLP(2, [3], seed=-1), "seed must be a non-negative int"),
    (lambda: nn.Neuron(2, weights=[1.0]), "Neuron: got 1 weights for 2 inputs"),
])
def test_bad_construction_is_a_clear_error(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


@pytest.mark.parametrize("x, error, message", [
    ([1.0, 2.0, 3.0], ValueError, "MLP: expected 2 inputs, got 3"),
    ([1.0], ValueError, "MLP: expected 2 inputs, got 1"),
    ([1.0, math.nan], ValueError, "MLP: input 1 is nan; inputs must be finite numbers"),
    ([1.0, "2"], TypeError, "MLP: input 1 must be a number or a Value, got str"),
    (np.ones((2, 2, 2)), ValueError, r"MLP: expected one example .* shape \(2, 2, 2\)"),
    ("ab", TypeError, "MLP: expected a list of 2 numbers or Values, got str"),
])
def test_bad_model_input_is_a_clear_error(x, error, message):
    with pytest.raises(error, match=message):
        nn.MLP(2, [3, 1], seed=0)(x)


def test_an_activation_returning_a_number_is_a_clear_error():
    model = nn.MLP(2, [3, 1], activation=math.tanh, seed=0)  # math.tanh(Value) gives a float, not a Value
    with pytest.raises(TypeError, match=r"activation 'tanh' returned float -?[0-9.e-]+, not a Value; .*z.tanh\(\)"):
        model([1.0, 2.0])


def test_layer_set_weights_checks_shapes():
    layer = nn.MLP(2, [3, 1], seed=0).layers[0]
    with pytest.raises(ValueError, match=r"set_weights of layer 'layers.0': W has shape \(2, 3\), the layer needs"):
        layer.set_weights(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"b has shape \(2,\)"):
        layer.set_weights(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="must be finite"):
        layer.set_weights(np.full((3, 2), np.inf), np.zeros(3))


def test_a_version_1_state_of_a_matrix_whose_name_ends_in_a_digit_still_loads():
    model = nn.GPT(4, n_layer=1, n_embd=4, n_head=2, block_size=3, seed=0)
    old = {}  # version 1: one list per weight matrix ("layers.0.mlp_fc1": [...])
    for name, p in model.named_parameters():
        old.setdefault(name.rstrip("0123456789").rstrip("."), []).append(p.data + 1.0)
    model.load_state_dict(old)
    assert model.layers[0].mlp_fc1[5].data == old["layers.0.mlp_fc1"][5]
