"""Saving and loading models: exact round trips, atomic writes, and damaged files rejected safely."""

import json
import os

import numpy as np
import pytest

import nn


def test_round_trip_rebuilds_the_model_exactly(tmp_path):
    model = nn.MLP(3, [5, 4, 2], activation="tanh", output_activation="sigmoid", init="xavier_normal", seed=0)
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert type(loaded) is nn.MLP and loaded.config() == model.config()
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]  # bit for bit
    x = [0.1, -2.0, 0.7]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    document = json.loads(path.read_text())  # plain JSON
    assert document["class"] == "MLP" and document["config"]["nouts"] == [5, 4, 2]


@pytest.mark.parametrize("model", [nn.Neuron(3, activation="elu", seed=1), nn.Layer(2, 3, activation=None, seed=1)])
def test_round_trip_of_a_neuron_and_a_layer(tmp_path, model):
    nn.save(model, tmp_path / "part.json")
    loaded = nn.load(tmp_path / "part.json")
    assert repr(loaded) == repr(model) and loaded.state_dict() == model.state_dict()


def test_load_into_an_existing_model_keeps_its_parameter_objects(tmp_path):
    source, target = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    params = target.parameters()
    nn.save(source, tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json", model=target) is target
    assert all(p is q for p, q in zip(target.parameters(), params, strict=True))
    assert target.state_dict() == source.state_dict()


def test_save_replaces_atomically_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [3, 1], seed=1), path)
    good = path.read_bytes()
    nn.save(nn.MLP(2, [3, 1], seed=2), path)
    assert path.read_bytes() != good and os.listdir(tmp_path) == ["m.json"]


def test_a_crash_while_saving_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [3, 1], seed=1), path)
    good = path.read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(nn.MLP(2, [3, 1], seed=2), path)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["m.json"]


def test_a_model_with_a_custom_activation_function_is_not_saved(tmp_path):
    model = nn.MLP(2, [3, 1], activation=lambda z: z * z, seed=0)
    with pytest.raises(ValueError, match="only named activations can be saved"):
        nn.save(model, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def damage(text, how):
    document = json.loads(text)
    state = document["state"]
    if how == "truncated":
        return text[: len(text) // 2]
    if how == "not json":
        return "<html>model</html>"
    if how == "wrong format":
        document["format"] = "pytorch"
    elif how == "future version":
        document["version"] = 3
    elif how == "no state":
        del document["state"]
    elif how == "missing key":
        del state["layers.1.neurons.0.b"]
    elif how == "wrong shape":  # a version 1 list
        state["layers.0.neurons.2.w"] = [1.0, 2.0, 3.0]
        del state["layers.0.neurons.2.w0"], state["layers.0.neurons.2.w1"]
    elif how == "not a number":
        state["layers.0.neurons.0.b"] = "0.5"
    elif how == "nan":  # Python's json writes and reads NaN unless told not to
        state["layers.0.neurons.0.b"] = "placeholder"
        return json.dumps(document).replace('"placeholder"', "NaN")
    elif how == "huge int":  # a valid JSON number that no float can hold
        state["layers.0.neurons.0.b"] = 10**400
    elif how in ("5000 digits", "deeply nested"):  # json.loads raises ValueError or RecursionError on these
        state["layers.0.neurons.0.b"] = "placeholder"
        number = "1" + "0" * 5000 if how == "5000 digits" else "[" * 100_000 + "]" * 100_000
        return json.dumps(document).replace('"placeholder"', number)
    elif how == "bad config":
        document["config"]["nouts"] = [3, -1]
    elif how == "absurd size":
        document["config"]["nouts"] = [100_000, 100_000, 1]  # 3e5 + 100_001e5 + 100_001 weights and biases
    elif how == "unknown class":
        document["class"] = "Transformer"
    return json.dumps(document)


CASES = {
    "truncated": "not valid JSON .* the file may be truncated",
    "not json": "not valid JSON",
    "wrong format": "not a chainrule model file",
    "future version": "model file version 3, this version reads 1 and 2",
    "no state": "key 'state' is missing",
    "missing key": "a MLP of 13 parameters but its state holds 12 values; refused before building",
    "wrong shape": "a MLP of 13 parameters but its state holds 14 values; refused before building",
    "not a number": "'layers.0.neurons.0.b' must be a number, got str",
    "nan": "contains NaN; parameters must be finite numbers",
    "huge int": "'layers.0.neurons.0.b' holds a number too large for a float",
    "5000 digits": r"not a model file \(Exceeds the limit \(4300 digits\)",
    "deeply nested": "not a model file .its JSON is nested too deeply to read.",
    "bad config": r"bad 'config' for MLP: MLP: nouts\[1\] must be a positive int, got -1",
    "unknown class": "cannot rebuild a 'Transformer' from the file alone",
    "absurd size": "declares a MLP of 10,000,500,001 parameters, more than .* refused before building it",
}


@pytest.mark.parametrize("how", CASES)
def test_damaged_files_are_rejected_and_the_model_is_unchanged(tmp_path, how):
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [3, 1], seed=1), path)
    path.write_text(damage(path.read_text(), how))
    with pytest.raises(nn.ModelFileError, match=CASES[how]) as error:
        nn.load(path)
    assert str(path) in str(error.value)
    target = nn.MLP(2, [3, 1], seed=2)
    before = target.state_dict()
    with pytest.raises(nn.ModelFileError):
        nn.load(path, model=target)
    assert target.state_dict() == before


def test_a_file_for_another_architecture_is_rejected(tmp_path):
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [3, 1], seed=1), path)
    target = nn.MLP(2, [4, 1], seed=2)
    before = target.state_dict()
    with pytest.raises(nn.ModelFileError, match=r"config 'nouts' is \[3, 1\] in the file but \[4, 1\] in the model"):
        nn.load(path, model=target)
    with pytest.raises(nn.ModelFileError, match="the file holds a MLP, the model is a Layer"):
        nn.load(path, model=nn.Layer(2, 3))
    assert target.state_dict() == before


def test_binary_garbage_and_missing_files(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(np.random.default_rng(0).bytes(64) + b"\xff")
    with pytest.raises(nn.ModelFileError, match="not a model file"):
        nn.load(path)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.save(nn.Neuron(2), tmp_path / "no" / "such" / "dir.json")
