"""micrograd's demo (demo.ipynb of micrograd 0.1.0) run by micrograd: test_nn_micrograd's oracle.

The demo: ``np.random.seed(1337); random.seed(1337)``; scikit-learn's ``make_moons(n_samples=100,
noise=0.1)``; ``MLP(2, [16, 16, 1])``; the max-margin loss with 1e-4 L2; 100 steps of SGD with the
learning rate 1.0 - 0.9 k / 100. Its 100 steps take micrograd about two minutes, too long for the
test suite, so this script records them once in tests/data/micrograd_demo.json (every step's loss
and accuracy, the final weights) and the tests run micrograd live for the first steps only:

    python tests/micrograd_reference.py           # re-record (needs micrograd==0.1.0)
    python tests/micrograd_reference.py --check   # re-run micrograd, compare with the recorded file
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

RECORD = Path(__file__).with_name("data") / "micrograd_demo.json"


def sklearn_moons(
    n_samples: int, noise: float, state: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's make_moons with random_state=None after np.random.seed: the legacy global
    RandomState shuffles the rows (resample without replacement), then adds N(0, noise^2)."""
    n_out, n_in = n_samples // 2, n_samples - n_samples // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.append(np.cos(t_out), 1 - np.cos(t_in)),
            np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)
    state.shuffle(order)
    X, y = X[order], y[order]
    return X + state.normal(scale=noise, size=X.shape), y


def demo_data() -> tuple[np.ndarray, np.ndarray]:
    """micrograd's demo data: np.random.seed(1337); X, y = make_moons(n_samples=100, noise=0.1)."""
    return sklearn_moons(100, 0.1, np.random.RandomState(1337))


def micrograd_demo(X: np.ndarray, y: np.ndarray, steps: int) -> dict[str, list[float]]:
    """micrograd's demo loop verbatim (but the print): each step's loss, accuracy; the weights."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    y = y * 2 - 1
    record: dict[str, list[float]] = {"loss": [], "accuracy": []}
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        record["loss"].append(total_loss.data)
        record["accuracy"].append(sum(accuracy) / len(accuracy))
    record["weights"] = [float(p.data) for p in model.parameters()]
    return record


def recorded() -> dict[str, list[float]]:
    return json.loads(RECORD.read_text())


if __name__ == "__main__":
    import micrograd  # noqa: F401  (fail early without it)

    run = micrograd_demo(*demo_data(), 100)
    if "--check" in sys.argv[1:]:
        same = run == recorded()
        print(
            "micrograd's run is the recorded one"
            if same
            else "micrograd's run differs from the record"
        )
        sys.exit(0 if same else 1)
    RECORD.write_text(json.dumps(run, indent=1) + "\n")
    print(f"wrote {RECORD}: step 99 loss {run['loss'][-1]!r}, accuracy {run['accuracy'][-1]:.0%}")
