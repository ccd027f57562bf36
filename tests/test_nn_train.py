"""Training: micrograd's demo reproduced, Iris, seeds, predict/accuracy/evaluate, progress and bad input."""

import io
import math
import sys
import types

import numpy as np
import pytest

import autograd
import nn


def test_micrograds_demo_reaches_100_percent_training_accuracy():
    """moons, MLP(2, [16, 16, 1]), max-margin loss + 1e-4 L2, 100 steps of SGD with lr = 1.0 - 0.9 k / 100."""
    X, y = nn.make_moons(100, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=nn.LinearDecay(1.0, 0.1, 100))
    history = nn.fit(model, X, y, loss="hinge", optimizer=optimizer, steps=100, alpha_l2=1e-4, progress=False)
    assert len(history.loss) == 100
    assert history.loss[-1] < 0.1 * history.loss[0]
    assert nn.accuracy(model, X, y) == 1.0
    scores = np.array([model(x).data for x in X])
    assert np.all((scores > 0) == (y == 1))


def test_same_steps_as_micrograd_itself():
    micrograd = pytest.importorskip("micrograd.nn")
    import random

    random.seed(1337)
    reference = micrograd.MLP(2, [16, 16, 1])
    model = nn.MLP(2, [16, 16, 1])
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):  # the same starting weights
        p.data = q.data
    X, y = nn.make_moons(20, noise=0.1, seed=1)
    steps = 3
    expected_loss = []
    for k in range(steps):  # micrograd's demo loop, verbatim
        inputs = [[micrograd.Value(float(v)) for v in row] for row in X]
        scores = list(map(reference, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip((2 * y - 1).tolist(), scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in reference.parameters())
        reference.zero_grad()
        total.backward()
        for p in reference.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        expected_loss.append(total.data)
    optimizer = nn.SGD(model.parameters(), lr=nn.LinearDecay(1.0, 0.1, 100))
    history = nn.fit(model, X, y, loss="hinge", optimizer=optimizer, steps=steps, alpha_l2=1e-4, progress=False)
    np.testing.assert_allclose(history.loss, expected_loss, rtol=1e-12)
    np.testing.assert_allclose([p.data for p in model.parameters()], [p.data for p in reference.parameters()],
                               rtol=1e-9, atol=1e-12)


def test_iris_held_out_accuracy_at_least_95_percent():
    X, y = nn.load_iris()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.3, seed=1, stratify=y)
    X_train, X_test = nn.standardize(X_train, X_test)
    model = nn.MLP(4, [4, 3], activation="tanh", init="xavier_normal", seed=1)
    history = nn.fit(model, X_train, y_train, loss="cross_entropy", steps=200, alpha_l2=1e-3, progress=False)
    assert history.loss[-1] < history.loss[0]
    assert nn.accuracy(model, X_test, y_test) >= 0.95  # 45 flowers the model never saw
    assert nn.accuracy(model, X_train, y_train) >= 0.95


def test_same_seed_same_run_bit_for_bit():
    X, y = nn.make_circles(40, seed=3)

    def run(seed):
        model = nn.MLP(2, [6, 1], activation="tanh", init="xavier_uniform", seed=seed)
        history = nn.fit(model, X, y, loss="bce_with_logits", optimizer=nn.Adam(model, lr=0.05), steps=12,
                         batch_size=8, seed=seed, progress=False)
        return history, [p.data for p in model.parameters()]

    (h1, p1), (h2, p2), (h3, p3) = run(7), run(7), run(8)
    assert h1 == h2 and p1 == p2
    assert h1.loss != h3.loss and p1 != p3


def test_history_is_a_dict_and_epochs_count_minibatches():
    X, y = nn.make_blobs(30, centers=2, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    history = nn.fit(model, X, y, loss="hinge", epochs=2, batch_size=8, seed=0, progress=False)
    assert isinstance(history, dict) and set(history) == {"loss", "accuracy", "train_loss", "train_accuracy",
                                                          "val_loss", "val_accuracy"}
    assert history.train_loss == history.val_loss == []  # per-epoch records only when asked
    assert len(history["loss"]) == len(history.accuracy) == 2 * math.ceil(30 / 8)
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)


def test_default_fit_is_micrograds_recipe_of_100_full_batch_steps():
    X, y = nn.make_moons(30, seed=2)
    model = nn.MLP(2, [8, 1], seed=2)
    history = nn.fit(model, X, y, progress=False)  # hinge, SGD with lr 1.0 -> 0.1, 100 steps
    assert len(history.loss) == 100 and history.loss[-1] < history.loss[0]


def test_fit_with_a_loss_function_and_several_losses():
    X, y = nn.make_blobs(24, centers=3, seed=1)
    model = nn.MLP(2, [5, 3], seed=1)
    history = nn.fit(model, X, y, loss=lambda outputs, targets: nn.cross_entropy(outputs, targets), steps=3,
                     progress=False)
    assert len(history.loss) == 3 and all(math.isfinite(v) for v in history.loss)
    # mse and bce with several outputs train against one-hot targets
    for loss, act in (("mse", None), ("bce", "sigmoid"), ("bce_with_logits", None)):
        model = nn.MLP(2, [5, 3], output_activation=act, seed=1)
        result = nn.evaluate(model, X, y, loss=loss)
        outputs = nn.evaluation.forward_data(model, X)
        onehot = np.eye(3)[y]
        if loss == "mse":
            expected = np.mean((outputs - onehot) ** 2)
        elif loss == "bce":  # outputs are probabilities a
            expected = -np.mean(onehot * np.log(outputs) + (1 - onehot) * np.log(1 - outputs))
        else:  # outputs are logits z: -log sigma(z) = log(1 + e^-z), -log(1 - sigma(z)) = log(1 + e^z)
            expected = np.mean(onehot * np.logaddexp(0, -outputs) + (1 - onehot) * np.logaddexp(0, outputs))
        assert result["loss"] == pytest.approx(expected, rel=1e-12)
        nn.fit(model, X, y, loss=loss, steps=2, progress=False)


def linear_classifier():
    """score = x0 - x1: class 1 above the diagonal's lower side."""
    return nn.MLP.from_weights([[[1.0, -1.0]]], [[0.0]])


def test_predict_accuracy_evaluate_on_a_known_model():
    model = linear_classifier()
    X = np.array([[2.0, 1.0], [0.0, 1.0], [3.0, -1.0], [-1.0, 0.5]])  # scores 1, -1, 4, -1.5
    np.testing.assert_array_equal(nn.predict(model, X), [1, 0, 1, 0])
    np.testing.assert_array_equal(nn.predict(model, X, threshold=2.0), [0, 0, 1, 0])
    assert nn.accuracy(model, X, [1, 0, 0, 0]) == 0.75
    assert nn.accuracy(model, X, [1, -1, 1, -1]) == 1.0  # -1/+1 labels work too
    result = nn.evaluate(model, X, [1, 0, 0, 0], loss="hinge")
    assert result["accuracy"] == 0.75
    assert result["loss"] == pytest.approx(np.mean([0.0, 0.0, 5.0, 0.0]))  # max(0, 1 - y s) with y = -1 on s = 4
    probability = nn.MLP.from_weights([[[1.0, -1.0]]], [[0.0]], output_activation="sigmoid")
    np.testing.assert_array_equal(nn.predict(probability, X), [1, 0, 1, 0])  # sigma(s) > 1/2 where s > 0
    three = nn.MLP.from_weights([np.eye(3)], [np.zeros(3)])
    np.testing.assert_array_equal(nn.predict(three, [[0.1, 0.5, 0.2], [3.0, 1.0, 2.0]]), [1, 0])


def test_fit_evaluate_predict_and_accuracy_cut_a_single_output_at_the_same_threshold():
    X, y = nn.make_moons(60, noise=0.1, seed=0)
    outputs = X[:, :1] - 0.3  # a linear model's output: x0 - 0.3
    linear = nn.MLP.from_weights([[[1.0, 0.0]]], [[-0.3]])
    at_half, at_zero = np.mean((outputs[:, 0] > 0.5) == y), np.mean((outputs[:, 0] > 0.0) == y)
    assert at_half != at_zero
    # mse on 0/1 labels fits the labels, so the cut is their midpoint 0.5, in all four functions
    assert nn.evaluate(linear, X, y, loss="mse")["accuracy"] == at_half
    assert nn.accuracy(linear, X, y, loss="mse") == at_half
    np.testing.assert_array_equal(nn.predict(linear, X, loss="mse"), outputs[:, 0] > 0.5)
    history = nn.fit(linear, X, y, loss="mse", steps=1, progress=False)
    assert history.accuracy[0] == at_half  # measured before the step's update
    # -1/+1 labels: the midpoint is 0
    linear = nn.MLP.from_weights([[[1.0, 0.0]]], [[-0.3]])
    assert nn.accuracy(linear, X, 2 * y - 1, loss="mse") == at_zero
    assert nn.fit(linear, X, 2 * y - 1, loss="mse", steps=1, progress=False).accuracy[0] == at_zero
    # a sigmoid output is a probability whatever the loss, even a loss function: the cut is 0.5
    probability = nn.MLP.from_weights([[[1.0, 0.0]]], [[-0.3]], output_activation="sigmoid")
    p = 1 / (1 + np.exp(-outputs[:, 0]))
    expected = np.mean((p > 0.5) == y)
    history = nn.fit(probability, X, y, loss=lambda a, t: nn.bce(a, t), steps=1, progress=False)
    assert history.accuracy[0] == expected == at_zero
    assert nn.evaluation.default_threshold(probability) == 0.5  # viz's call, without a loss
    assert nn.evaluation.default_threshold(linear) == 0.0


def test_numpy_ints_are_accepted_for_steps_epochs_and_batch_size():
    X, y = nn.make_moons(10, seed=0)
    history = nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, steps=np.int64(3), batch_size=np.int32(4), seed=0, progress=False)
    assert len(history.loss) == 3
    history = nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, epochs=np.int64(2), batch_size=np.int64(5), seed=0,
                     progress=False)
    assert len(history.loss) == 4
    with pytest.raises(ValueError, match="steps must be a positive int, got True"):
        nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, steps=True, progress=False)


def test_regression_targets_give_nan_accuracy():
    X = np.linspace(-1, 1, 10).reshape(-1, 1)
    model = nn.MLP(1, [4, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, 0.3 * X[:, 0], loss="mse", steps=2, progress=False)
    assert all(math.isnan(a) for a in history.accuracy)


def test_progress_bar_only_in_a_terminal(monkeypatch, capsys):
    X, y = nn.make_moons(10, seed=0)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, steps=3)
    assert "loss=" in terminal.getvalue() and "accuracy=" in terminal.getvalue() and "3/3" in terminal.getvalue()
    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, steps=3, progress=False)
    assert quiet.getvalue() == ""
    regression = Terminal()  # no accuracy for regression targets, rather than "accuracy=nan%"
    monkeypatch.setattr("sys.stderr", regression)
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, X[:, 0], loss="mse", steps=3)
    assert "loss=" in regression.getvalue() and "accuracy" not in regression.getvalue()
    pipe = io.StringIO()  # not a terminal (a log file, CI)
    monkeypatch.setattr("sys.stderr", pipe)
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, steps=3)
    assert pipe.getvalue() == ""


def test_notebooks_are_found_by_their_shell_class_colab_included(monkeypatch):
    class ZMQInteractiveShell:  # ipykernel's shell, as Jupyter runs it
        pass

    class Shell(ZMQInteractiveShell):  # google.colab's shell: another name, the same base
        pass

    ipython = types.ModuleType("IPython")
    kernel = types.ModuleType("ipykernel.zmqshell")
    kernel.ZMQInteractiveShell = ZMQInteractiveShell
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", kernel)
    for shell, expected in ((Shell(), True), (ZMQInteractiveShell(), True), (object(), False), (None, False)):
        ipython.get_ipython = lambda shell=shell: shell
        assert nn.progress.in_notebook() is expected
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", None)  # no ipykernel: the class name decides
    ipython.get_ipython = lambda: ZMQInteractiveShell()
    assert nn.progress.in_notebook()
    ipython.get_ipython = lambda: Shell()
    assert not nn.progress.in_notebook()
    monkeypatch.delitem(sys.modules, "IPython")  # a plain Python script
    assert not nn.progress.in_notebook()


def test_compiled_engine_without_autograd_compile_is_a_clear_error(monkeypatch):
    monkeypatch.delattr(autograd, "compile", raising=False)
    X, y = nn.make_moons(10, seed=0)
    with pytest.raises(NotImplementedError, match="engine='compiled' needs autograd.compile"):
        nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, engine="compiled", progress=False)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(X=[[0.0, np.nan]], y=[1]), ValueError, r"nn.fit: X\[0, 1\] is nan; inputs must be finite"),
    (dict(X=[[0.0, 1.0]], y=[np.inf]), ValueError, r"nn.fit: y\[0\] is inf; targets must be finite"),
    (dict(X=[[0.0, 1.0, 2.0]], y=[1]), ValueError, "MLP: expected 2 inputs, got 3"),
    (dict(X=[0.0, 1.0], y=[1, 0]), ValueError, r"X must be a non-empty 2-D array .* got shape \(2,\)"),
    (dict(X=[[0.0, 1.0]], y=[1, 0]), ValueError, r"y must have one entry per row of X \(1\)"),
    (dict(loss="l1"), ValueError, "unknown loss 'l1'"),
    (dict(steps=3, epochs=2), ValueError, "give steps or epochs, not both"),
    (dict(steps=0), ValueError, "steps must be a positive int, got 0"),
    (dict(batch_size=0), ValueError, "batch_size must be a positive int or None"),
    (dict(engine="fast"), ValueError, "engine must be 'eager' or 'compiled', got 'fast'"),
    (dict(loss="cross_entropy"), ValueError, r"nn.fit: cross_entropy needs one output per class .* has 1 output"),
    (dict(alpha_l2=-1e-4), ValueError, r"nn.fit: alpha_l2 must be a finite number >= 0, got -0.0001"),
    (dict(alpha_l2=math.nan), ValueError, "nn.fit: alpha_l2 must be a finite number >= 0, got nan"),
])
def test_bad_fit_arguments_are_clear_errors(kwargs, error, message):
    arguments = dict(X=[[0.0, 1.0], [1.0, 0.0]], y=[1, 0], progress=False) | kwargs
    with pytest.raises(error, match=message):
        nn.fit(nn.MLP(2, [2, 1], seed=0), arguments.pop("X"), arguments.pop("y"), **arguments)


@pytest.mark.parametrize("model, loss, y, message", [
    (nn.MLP(2, [3], seed=0), "hinge", [1, 2], "nn.evaluate: the hinge loss needs a model with one output, .* has 3"),
    (nn.MLP(2, [3], seed=0), "mse", [1, 5],
     r"nn.evaluate: y\[1\] is 5.0, not one of the classes \(0, 1, 2\); with 3 outputs the labels are 0..2"),
    (nn.MLP(2, [2], seed=0), "mse", [1, 0.5], r"nn.evaluate: y\[1\] is 0.5; with 2 outputs y must hold class labels"),
])
def test_evaluate_errors_name_evaluate(model, loss, y, message):
    with pytest.raises(ValueError, match=message):
        nn.evaluate(model, [[0.0, 1.0], [1.0, 0.0]], y, loss=loss)
    with pytest.raises(ValueError, match="nn.evaluate: alpha_l2 must be a finite number >= 0, got inf"):
        nn.evaluate(model, [[0.0, 1.0]], [1], alpha_l2=math.inf)


@pytest.mark.parametrize("engine", ["eager", "compiled"])
def test_a_diverging_run_raises_training_diverged_with_history_and_last_finite_parameters(engine):
    X = np.array([[1e3], [-1e3]])
    model = nn.MLP(1, [1], activation=None, seed=0)
    seen = []  # the parameters at each step's loss, recorded by a schedule the optimiser calls once per step
    optimizer = nn.SGD(model, lr=lambda k: seen.append([p.data for p in model.parameters()]) or 10.0)
    with pytest.raises(nn.TrainingDiverged, match="nn.fit: the training diverged at step [0-9]+") as caught:
        nn.fit(model, X, [1e3, -1e3], loss="mse", optimizer=optimizer, steps=100, progress=False, engine=engine)
    error = caught.value
    assert isinstance(error, FloatingPointError)  # one type, whatever the engine
    assert f"the model is back at the parameters of step {error.step - 1} (loss " in str(error)
    assert 1 <= len(error.history.loss) == error.step < 100
    assert all(math.isfinite(v) for v in error.history.loss)
    # the model holds the parameters of the last finite loss: recomputed, it is history.loss[-1]
    assert [p.data for p in model.parameters()] == seen[-1]
    w, b = (p.data for p in model.parameters())
    assert error.history.loss[-1] == pytest.approx(np.mean((w * X[:, 0] + b - X[:, 0]) ** 2), rel=1e-12)


@pytest.mark.parametrize("loss", ["mse", "bce", "bce_with_logits", "hinge", "cross_entropy"])
def test_default_optimiser_trains_micrograds_setup_for_every_loss_and_five_seeds(loss):
    """moons(100, noise 0.1), micrograd's MLP 2-16-16-1 (2 outputs for cross_entropy, a sigmoid for bce),
    100 full-batch steps of nn.fit's default optimiser: no divergence, and a trained classifier."""
    for seed in range(5):
        X, y = nn.make_moons(100, noise=0.1, seed=seed)
        model = nn.MLP(2, [16, 16, 2 if loss == "cross_entropy" else 1],
                       output_activation="sigmoid" if loss == "bce" else None, seed=seed)
        history = nn.fit(model, X, y, loss=loss, steps=100, alpha_l2=1e-4, progress=False, engine="compiled")
        assert all(math.isfinite(v) for v in history.loss) and history.loss[-1] < history.loss[0]
        assert nn.accuracy(model, X, y) >= 0.75, (loss, seed)


def test_the_command_line_uses_nn_fits_default_optimiser():
    from viz.cli.train_command import _optimizer

    model = nn.MLP(2, [4, 1], seed=0)
    for loss in ("mse", "hinge", "bce_with_logits", "cross_entropy"):
        ours, cli = nn.default_optimizer(model, loss, 50), _optimizer(None, None, model, 50, loss)
        assert type(cli) is type(ours)
        assert [rate(cli, k) for k in range(51)] == [rate(ours, k) for k in range(51)]
    sgd = nn.default_optimizer(model, "hinge", 100)  # micrograd's SGD schedule
    assert isinstance(sgd, nn.SGD) and rate(sgd, 0) == 1.0 and rate(sgd, 100) == pytest.approx(0.1)
    adam = nn.default_optimizer(model, "mse", 100)  # any other loss: Adam at a conservative 0.01
    assert isinstance(adam, nn.Adam) and rate(adam, 0) == rate(adam, 100) == 0.01


def rate(optimizer, k):
    return optimizer.lr(k) if callable(optimizer.lr) else optimizer.lr


@pytest.mark.parametrize("engine", ["eager", "compiled"])
@pytest.mark.parametrize("make_optimizer", [lambda m, lr: nn.SGD(m, lr=lr, momentum=0.9),
                                            lambda m, lr: nn.Adam(m, lr=lr)], ids=["sgd-momentum", "adam"])
def test_after_divergence_the_optimiser_is_back_at_the_step_of_the_restored_parameters(engine, make_optimizer):
    # the learning rate jumps at step 4, so the loss of step 5 explodes: the model goes back to the
    # parameters of step 4 (before its update), and the optimiser to its state then (4 updates taken),
    # exactly as a run stopped after 4 steps: continuing from there is the same run
    X, y = np.array([[1.0], [-2.0], [0.5]]), [1.0, -1.0, 0.5]
    lr = lambda k: 1e-3 if k < 4 else 1e6  # noqa: E731
    model = nn.MLP(1, [3, 1], seed=4)
    optimizer = make_optimizer(model, lr)
    with pytest.raises(nn.TrainingDiverged) as caught:
        nn.fit(model, X, y, loss="mse", optimizer=optimizer, steps=20, progress=False, engine=engine)
    assert caught.value.step == 5
    reference = nn.MLP(1, [3, 1], seed=4)
    reference_optimizer = make_optimizer(reference, lr)
    nn.fit(reference, X, y, loss="mse", optimizer=reference_optimizer, steps=4, progress=False, engine=engine)
    assert [p.data for p in model.parameters()] == [p.data for p in reference.parameters()]
    assert optimizer.steps_taken == reference_optimizer.steps_taken == 4
    assert optimizer.buffers.keys() == reference_optimizer.buffers.keys() and optimizer.buffers
    for key, buffer in reference_optimizer.buffers.items():
        np.testing.assert_array_equal(optimizer.buffers[key], buffer)


@pytest.mark.parametrize("engine", ["eager", "compiled"])
def test_train_gpt_stops_a_diverging_run_as_fit_does(engine):
    # the same loop as nn.fit: TrainingDiverged with the history so far, the model back at the
    # parameters before the step that ran away (here the initial ones), the optimiser's count too
    class Runaway(nn.SGD):  # an update that throws one weight far away
        def step(self):
            super().step()
            self.params[0].data = 1e6

    model = nn.GPT(5, n_embd=4, n_head=2, block_size=4, seed=0)
    initial = [p.data for p in model.parameters()]
    first_loss = model.loss(model.encode("abc")).data
    optimizer = Runaway(model.parameters(), lr=0.1)
    message = "nn.train_gpt: the training diverged at step 1: a parameter reached 1e[+]06"
    with pytest.raises(nn.TrainingDiverged, match=message) as caught:
        nn.train_gpt(model, ["abc", "cab"], steps=5, optimizer=optimizer, engine=engine,
                     progress=False)
    assert caught.value.step == 1 and caught.value.history.loss == [pytest.approx(first_loss)]
    assert [p.data for p in model.parameters()] == initial and optimizer.steps_taken == 0
