"""The compiled programs kept with a model (nn.compile_cache): used again while the model is the
same, compiled again when it changes, gone with the model. Counted, never timed."""

import copy
import gc
import pickle
import threading
import weakref

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn.compile_cache import Borrowed, programs_of


@pytest.fixture
def compilations(monkeypatch):
    """The functions autograd.compile was called with, in order (it still compiles)."""
    calls = []
    real = autograd.compile

    def counting(fn, n_inputs, parameters=None):
        calls.append(n_inputs)
        return real(fn, n_inputs, parameters)

    monkeypatch.setattr(autograd, "compile", counting)
    return calls


def moons():
    return nn.make_moons(40, noise=0.1, seed=1)


def model_of(sizes=(6, 1), seed=0):
    return nn.MLP(2, list(sizes), activation="tanh", init="xavier_normal", seed=seed)


def fit(model, engine="compiled", **options):
    X, y = moons()
    options = {"loss": "hinge", "steps": 3, **options}
    return nn.fit(
        model,
        X,
        y,
        optimizer=nn.SGD(model.parameters(), lr=0.1),
        engine=engine,
        progress=False,
        **options,
    )


def parameters(model):
    return np.array([p.data for p in model.parameters()])


def test_a_second_fit_reuses_the_program_and_trains_as_eager_does(compilations):
    compiled, eager = model_of(), model_of()
    for _ in range(
        3
    ):  # fit called again and again on the same model, loss and batch: one compilation
        losses = fit(compiled, alpha_l2=1e-3).loss
        eager_losses = fit(eager, engine="eager", alpha_l2=1e-3).loss
        np.testing.assert_allclose(losses, eager_losses, rtol=1e-11)
    assert compilations == [
        3,
        0,
    ]  # the model + hinge (2 inputs, 1 target), the L2 penalty (no input)
    np.testing.assert_allclose(parameters(compiled), parameters(eager), rtol=1e-11, atol=1e-13)
    assert len(programs_of(compiled)) == 2


def test_another_loss_or_penalty_or_batch_layout_is_another_program(compilations):
    model = model_of((6, 2))
    X, y = moons()
    runs = [
        dict(loss="cross_entropy"),
        dict(loss="cross_entropy", alpha_l2=1e-3),
        dict(loss="mse"),
        dict(loss="cross_entropy", alpha_l2=1e-3),
        dict(loss="cross_entropy", alpha_l2=1e-2),
    ]
    for options in runs:
        nn.fit(model, X, y, steps=2, engine="compiled", progress=False, **options)
    # cross-entropy (1 target column), its L2, mse (one-hot: 2 target columns), -, the new L2
    assert compilations == [3, 0, 4, 0]


@pytest.mark.parametrize(
    "change", ["add a layer", "replace a parameter", "change an activation", "clear"]
)
def test_a_changed_model_is_compiled_again_and_trains_as_eager_does(change, compilations):
    compiled, eager = model_of(), model_of()
    fit(compiled)
    fit(eager, engine="eager")
    for model in (compiled, eager):
        if change == "add a layer":
            model.layers.append(nn.Layer(1, 2, activation=None, seed=3))
            model.layers.append(nn.Layer(2, 1, activation=None, seed=4))
        elif change == "replace a parameter":
            model.layers[0].neurons[1].w[0] = Value(0.25)
        elif change == "change an activation":
            for layer in model.layers[:-1]:
                layer.activation = "relu"
                for neuron in layer.neurons:
                    neuron.activation, neuron._act = nn.activations.get_activation("relu")
        else:
            nn.clear_compiled(model)
    losses = fit(compiled).loss
    np.testing.assert_allclose(losses, fit(eager, engine="eager").loss, rtol=1e-11)
    assert compilations == [3, 3]
    np.testing.assert_allclose(parameters(compiled), parameters(eager), rtol=1e-11, atol=1e-13)


def test_a_resumed_gpt_run_compiles_no_length_twice(compilations):
    docs = ["ab", "cab", "ab", "bca", "a"]
    model = nn.GPT(4, n_embd=4, n_head=2, block_size=4, chars="abc", seed=0)
    reference = nn.GPT(4, n_embd=4, n_head=2, block_size=4, chars="abc", seed=0)
    optimizer, reference_optimizer = (
        nn.Adam(model.parameters(), lr=0.01),
        nn.Adam(reference.parameters(), lr=0.01),
    )
    first = nn.train_gpt(
        model, docs, 5, optimizer=optimizer, engine="compiled", progress=False
    ).loss
    again = nn.train_gpt(
        model, docs, 5, optimizer=optimizer, engine="compiled", progress=False
    ).loss
    assert compilations == [
        5
    ]  # one trace of 4 positions serves every name (+ BOS), the second run none
    eager = [
        nn.train_gpt(reference, docs, 5, optimizer=reference_optimizer, progress=False).loss
        for _ in range(2)
    ]
    np.testing.assert_allclose(first + again, eager[0] + eager[1], rtol=1e-11)


def test_the_programs_die_with_the_model_and_copies_start_empty():
    model = model_of()
    fit(model)
    programs = weakref.ref(programs_of(model)._programs[("loss", nn.Hinge, 3, 2)][1])
    clone, pickled = copy.deepcopy(model), pickle.loads(pickle.dumps(model))
    assert len(programs_of(clone)) == 0 and len(programs_of(pickled)) == 0
    assert (
        len(programs_of(copy.copy(model))) == 1
    )  # a shallow copy shares the parameters: and the programs
    owner = weakref.ref(model)
    del model
    gc.collect()
    assert owner() is None and programs() is None


def test_a_program_is_lent_to_one_run_at_a_time(compilations):
    model = model_of()
    params = model.parameters()
    make = lambda: autograd.compile(lambda x: model(x), 2, params)
    first, second = Borrowed(model, params), Borrowed(model, params)
    program = first.get("model", make)
    other = second.get("model", make)
    assert other is not program  # lent to the first run: the second compiles its own
    first.release()
    second.release()  # both given back: the one given back last is kept
    assert Borrowed(model, params).get("model", make) is other
    assert len(compilations) == 2


def test_threads_training_their_own_models_at_once_get_their_own_programs():
    models = [model_of(seed=k) for k in range(4)]
    expected = [fit(model_of(seed=k), engine="eager").loss for k in range(4)]
    results, errors = [None] * 4, []

    def train(k):
        try:
            results[k] = fit(models[k]).loss
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=train, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for got, want in zip(results, expected):
        np.testing.assert_allclose(got, want, rtol=1e-11)
