"""Checkpoints: optimiser and schedule state, nn.save(..., optimizer=), a resumed run equal to an unbroken one."""

import json
import math

import pytest

import nn
from autograd import Value

X, Y = nn.make_moons(30, noise=0.1, seed=0)
OPTIMIZERS = {
    "sgd nesterov, linear decay": lambda m: nn.SGD(m, lr=nn.LinearDecay(0.5, 0.05, 25), momentum=0.9, nesterov=True,
                                                   weight_decay=1e-3),
    "sgd dampened momentum": lambda m: nn.SGD(m, lr=0.2, momentum=0.8, dampening=0.3),
    "adam, cosine decay": lambda m: nn.Adam(m, lr=nn.CosineDecay(0.05, 0.001, 25), weight_decay=1e-3),
    "adamw, exponential decay": lambda m: nn.AdamW(m, lr=nn.ExponentialDecay(0.05, 0.95), weight_decay=0.1),
}


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=list(OPTIMIZERS))
def test_a_run_resumed_from_a_checkpoint_equals_one_that_never_stopped(tmp_path, make):
    def train(model, optimizer, steps):
        return nn.fit(model, X, Y, loss="bce_with_logits", optimizer=optimizer, steps=steps, progress=False)

    whole = nn.MLP(2, [8, 8, 1], seed=4)
    expected = train(whole, make(whole), 25)

    first = nn.MLP(2, [8, 8, 1], seed=4)
    optimizer = make(first)
    before = train(first, optimizer, 10)
    nn.save(first, tmp_path / "checkpoint.json", optimizer=optimizer)
    del first, optimizer  # a new process would start here

    model = nn.load(tmp_path / "checkpoint.json")
    fresh = type(make(model))(model.parameters(), lr=1.0)  # its own lr is replaced by the saved schedule
    resumed = nn.load_optimizer(tmp_path / "checkpoint.json", fresh)
    after = train(model, resumed, 15)
    assert before.loss + after.loss == expected.loss  # exactly, number for number
    assert [p.data for p in model.parameters()] == [p.data for p in whole.parameters()]
    assert resumed.steps_taken == 25


def test_optimizer_state_dict_round_trips_through_json_and_is_checked():
    model = nn.MLP(2, [3, 1], seed=0)
    optimizer = nn.Adam(model, lr=nn.LinearDecay(0.1, 0.01, 10), betas=(0.8, 0.99))
    nn.fit(model, X, Y, loss="hinge", optimizer=optimizer, steps=3, progress=False)
    state = json.loads(json.dumps(optimizer.state_dict()))
    assert state["class"] == "Adam" and state["steps_taken"] == 3 and len(state["buffers"]["m"]) == 13
    assert state["lr"] == {"class": "LinearDecay", "start": 0.1, "end": 0.01, "steps": 10}
    other = nn.Adam(model, lr=0.5)
    other.load_state_dict(state)
    assert other.state_dict() == optimizer.state_dict() and other.betas == (0.8, 0.99)
    assert other.lr(3) == optimizer.lr(3)
    with pytest.raises(ValueError, match="SGD.load_state_dict: expected the state of a SGD, got 'Adam'"):
        nn.SGD(model, lr=0.1).load_state_dict(state)
    bad = json.loads(json.dumps(state))
    bad["buffers"]["v"] = bad["buffers"]["v"][:-1]
    with pytest.raises(ValueError, match="buffer 'v' must hold 13 numbers"):
        other.load_state_dict(bad)
    bad = json.loads(json.dumps(state)) | {"steps_taken": -1}
    with pytest.raises(ValueError, match="steps_taken must be an int >= 0"):
        other.load_state_dict(bad)
    assert other.state_dict() == optimizer.state_dict()  # unchanged by the refused states


def test_schedules_state_dicts():
    for schedule in (nn.LinearDecay(1.0, 0.1, 50), nn.CosineDecay(0.3, 0.0, 7), nn.ExponentialDecay(2.0, 0.5)):
        copy = type(schedule)(0.5, 0.5) if isinstance(schedule, nn.ExponentialDecay) else type(schedule)()
        copy.load_state_dict(json.loads(json.dumps(schedule.state_dict())))
        assert [copy(k) for k in range(60)] == [schedule(k) for k in range(60)]
    with pytest.raises(ValueError, match="not the state of a LinearDecay"):
        nn.LinearDecay().load_state_dict(nn.CosineDecay().state_dict())


def test_load_optimizer_errors(tmp_path):
    model = nn.MLP(2, [3, 1], seed=0)
    nn.save(model, tmp_path / "plain.json")
    with pytest.raises(nn.ModelFileError, match="holds no optimiser state"):
        nn.load_optimizer(tmp_path / "plain.json", nn.SGD(model, lr=0.1))
    nn.save(model, tmp_path / "with.json", optimizer=nn.SGD(model.layers[1], lr=0.1))
    with pytest.raises(nn.ModelFileError, match="the saved optimiser had 4 parameters, this one has 13"):
        nn.load_optimizer(tmp_path / "with.json", nn.SGD(model, lr=0.1))
    with pytest.raises(ValueError, match="nn.save: the optimiser holds parameters that are not this model's"):
        nn.save(model, tmp_path / "other.json", optimizer=nn.SGD(nn.MLP(2, [1]), lr=0.1))


def test_a_loaded_model_is_judged_as_it_was_trained(tmp_path):
    model = nn.MLP(2, [6, 1], seed=0)
    nn.fit(model, X, 2 * Y - 1, loss="mse", steps=20, progress=False)
    nn.save(model, tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert set(nn.predict(loaded, X).tolist()) <= {-1, 1}
    assert (nn.predict(loaded, X) == nn.predict(model, X)).all()
    assert nn.accuracy(loaded, X, 2 * Y - 1) == nn.accuracy(model, X, 2 * Y - 1)
    assert json.loads((tmp_path / "m.json").read_text())["task"] == {"loss": "mse", "classes": [-1.0, 1.0],
                                                                      "per_unit": False, "dtype": "<i8"}


# ---------------------------------------------------------------- updates that would not be finite


def test_an_update_that_overflows_a_parameter_is_refused_and_changes_nothing():
    a, b = Value(1.0, label="a"), Value(-1e10, label="b")
    a.grad, b.grad = 0.5, 1e300
    optimizer = nn.SGD([a, b], lr=1e300)
    with pytest.raises(FloatingPointError, match=r"SGD.step: the update would make b -inf .*lr 1e\+300.*no parameter "
                                                 "was changed"):
        optimizer.step()
    assert (a.data, b.data, optimizer.steps_taken) == (1.0, -1e10, 0)
    c = Value(-1.5e308, label="c")
    adam = nn.Adam([a, c], lr=1e308)  # Adam's first step is lr * g / |g|: c would pass -1.8e308
    a.grad = c.grad = 1.0
    with pytest.raises(FloatingPointError, match="Adam.step: the update would make c -inf"):
        adam.step()
    assert (a.data, c.data) == (1.0, -1.5e308) and adam.buffers["m"].tolist() == [0.0, 0.0]


def test_fit_turns_a_refused_update_into_training_diverged():
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(nn.TrainingDiverged, match="the training diverged at step [01]: ") as caught:
        nn.fit(model, X, Y, loss="hinge", optimizer=nn.SGD(model, lr=1e300), steps=5, progress=False)
    assert caught.value.history.loss and all(math.isfinite(p.data) for p in model.parameters())


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_parameter_cannot_be_set_to_nan_or_inf(bad):
    model = nn.MLP(2, [3, 1], seed=0)
    w = model.layers[0].neurons[1].w[0]
    before = w.data
    with pytest.raises(ValueError, match=r"Value.data: expected a finite number, got -?(nan|inf)"):
        w.data = bad
    assert w.data == before  # refused: the parameter keeps its number
    w.data = 0.25  # a finite number is still taken
    assert w.data == 0.25


def test_a_resumed_minibatch_run_continues_the_batch_order():
    def train(model, optimizer, steps):
        return nn.fit(model, X, Y, loss="hinge", optimizer=optimizer, steps=steps, batch_size=8, seed=3,
                      progress=False)

    whole = nn.MLP(2, [6, 1], seed=1)
    expected = train(whole, nn.SGD(whole, lr=0.1, momentum=0.5), 11)  # 4 batches per epoch: stops mid-epoch
    model = nn.MLP(2, [6, 1], seed=1)
    optimizer = nn.SGD(model, lr=0.1, momentum=0.5)
    initial = model.state_dict()
    first = train(model, optimizer, 6)
    second = train(model, optimizer, 5)
    assert first.loss + second.loss == expected.loss
    assert model.state_dict() == whole.state_dict() != initial
