"""chainrule against micrograd 0.1.0 itself, step for step: its demo, the lecture's neuron and MLP.

micrograd is the oracle (the test extras install it from PyPI): chainrule's classes get the same
seed and the same data and must give micrograd's numbers, every step's loss and accuracy and the
final weights, to 1e-12. The demo's data is scikit-learn's ``make_moons(100, noise=0.1)`` after
``np.random.seed(1337)``, rebuilt in tests/micrograd_reference.py from scikit-learn's algorithm.
micrograd needs about two minutes for the demo's 100 steps, so they are recorded from micrograd by
that script (tests/data/micrograd_demo.json); here micrograd runs live for the first steps, which
must be the record's, and the record's first and last losses are the ones micrograd's own demo
notebook printed.
"""

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value

micrograd_nn = pytest.importorskip("micrograd.nn")
micrograd_engine = pytest.importorskip("micrograd.engine")

sys.path.insert(0, str(Path(__file__).parent))
from micrograd_reference import demo_data, micrograd_demo, recorded  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_the_record_is_micrograds_demo_run():
    """micrograd, run now, gives the record's first steps, which ends as micrograd's notebook."""
    record = recorded()
    live = micrograd_demo(*demo_data(), 2)
    # to 1e-12, not bit for bit: in some runs of the whole suite micrograd's second loss moved by 1 ulp
    assert live["loss"] == pytest.approx(record["loss"][:2], rel=0, abs=1e-12)
    assert live["accuracy"] == record["accuracy"][:2]
    assert len(record["loss"]) == len(record["accuracy"]) == 100 and len(record["weights"]) == 337
    # demo.ipynb prints "step 0 loss 0.8958441028683222, accuracy 50.0%" ...
    assert (
        record["loss"][0] == pytest.approx(0.8958441028683222, abs=1e-15)
        and record["accuracy"][0] == 0.5
    )
    # ... and "step 99 loss 0.010978370135492717, accuracy 100.0%"
    assert record["loss"][99] == pytest.approx(0.010978370135492717, abs=1e-15)
    assert record["accuracy"][99] == 1.0


def test_demo_with_nn_fit_is_micrograds_run_step_for_step():
    X, y = demo_data()
    record = recorded()
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])  # the default init reads the global random state, as micrograd
    optimizer = nn.SGD(model.parameters(), lr=nn.LinearDecay(1.0, 0.1, 100))  # 1.0 - 0.9 k / 100
    history = nn.fit(
        model, X, y, loss="hinge", optimizer=optimizer, steps=100, alpha_l2=1e-4, progress=False
    )
    np.testing.assert_allclose(history.loss, record["loss"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(history.accuracy, record["accuracy"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        [p.data for p in model.parameters()], record["weights"], rtol=0, atol=1e-12
    )


def test_demo_verbatim_with_chainrules_classes():
    """micrograd's loop with chainrule's Value and MLP in place of micrograd's: the same steps."""
    X, y = demo_data()
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    live = micrograd_demo(X, y, 2)
    signs = y * 2 - 1
    for k in range(2):
        scores = [model(list(map(Value, row))) for row in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(signs, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(signs, scores)) / len(signs)
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        assert (
            total.data == pytest.approx(live["loss"][k], abs=1e-12)
            and accuracy == live["accuracy"][k]
        )


def test_int_seed_is_a_private_random_Random():
    random.seed(5)
    before = random.getstate()
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    assert random.getstate() == before  # the global state is left alone
    random.seed(1337)
    reference = micrograd_nn.MLP(2, [16, 16, 1])
    assert [p.data for p in model.parameters()] == [p.data for p in reference.parameters()]


def test_a_different_draw_order_is_not_micrograds():
    """Drawing the weights column after column (input after input) instead of neuron after neuron
    gives other starting weights, so the step-for-step comparison above would fail."""
    random.seed(1337)
    reference = [p.data for p in micrograd_nn.MLP(2, [16, 16, 1]).parameters()]
    random.seed(1337)
    model = nn.MLP(
        2,
        [16, 16, 1],
        init=lambda n_in, n_out, rng: (
            np.array([[random.uniform(-1, 1) for _ in range(n_out)] for _ in range(n_in)]).T
        ),
    )
    ours = [p.data for p in model.parameters()]
    assert sorted(ours) == pytest.approx(sorted(reference))  # the same numbers ...
    assert ours != reference  # ... in another order


def test_fresh_process_random_seed_gives_micrograds_weights():
    code = (
        "import random, json, nn\n"
        "random.seed(1337)\n"
        "print(json.dumps([p.data for p in nn.MLP(2, [16, 16, 1]).parameters()]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    random.seed(1337)
    reference = [p.data for p in micrograd_nn.MLP(2, [16, 16, 1]).parameters()]
    assert json.loads(out.stdout) == reference
    assert reference[:4] == pytest.approx(
        [0.2355, 0.0665, 0.0, -0.2683], abs=5e-5
    )  # the numbers


def test_lectures_single_neuron():
    """The lecture's neuron: o = tanh(n), n = x1 w1 + x2 w2 + b, b = 6.8813735870195432.

    micrograd 0.1.0's Value has no tanh (the lecture's had), so micrograd differentiates n and the
    last link of the chain, do/dn = 1 - o^2 (D5), is multiplied in by hand.
    """

    def leaves(V):
        return V(2.0), V(0.0), V(-3.0), V(1.0), V(6.8813735870195432)

    x1, x2, w1, w2, b = leaves(Value)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    grads = [x1.grad, w1.grad, x2.grad, w2.grad]
    m1, m2, v1, v2, mb = leaves(micrograd_engine.Value)
    n = m1 * v1 + m2 * v2 + mb
    n.backward()
    do_dn = 1 - math.tanh(n.data) ** 2
    assert o.data == pytest.approx(math.tanh(n.data), abs=1e-15)
    assert grads == pytest.approx(
        [do_dn * g for g in (m1.grad, v1.grad, m2.grad, v2.grad)], abs=1e-12
    )
    assert round(o.data, 4) == 0.7071
    assert grads == pytest.approx(
        [-1.5, 1.0, 0.5, 0.0], abs=1e-12
    )  # x1, w1, x2, w2 (1 - o^2 = 1/2)


def lecture_mlp(MLP, seed):
    """The lecture's MLP(3, [4, 4, 1]) on its 4 examples: 20 steps, lr 0.05, squared error."""
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    random.seed(seed)
    model = MLP(3, [4, 4, 1])
    losses = []
    for _ in range(20):
        ypred = [model(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    return losses, [p.data for p in model.parameters()]


def test_lectures_mlp_on_four_examples():
    """micrograd's MLP here is ReLU-hidden and linear-out; chainrule's MLP is the same model."""
    losses, weights = lecture_mlp(nn.MLP, 42)
    losses_ref, weights_ref = lecture_mlp(micrograd_nn.MLP, 42)
    np.testing.assert_allclose(losses, losses_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(weights, weights_ref, rtol=0, atol=1e-12)
    assert losses[-1] < losses[0]
