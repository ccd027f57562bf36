"""Every shipped data set trains at its defaults: `chainrule train`'s and `nn.fit`'s, 3 seeds each.

The data and the model are the command line's (``viz.cli.train_command.setup``: stratified split, features
standardised unless 2-D near unit scale, a 16-16 ReLU MLP with He initialisation); training is
either the command line's (its optimiser, L2 1e-4) or ``nn.fit(model, X, y)`` with every default.
The compiled engine runs both: its numbers equal the eager engine's to about 1e-12
(tests/test_fit_traced_loss.py), and it keeps the sweep within the suite's time.

Test sets are small (25 moons, 38 flowers), so one flower is 2.6 points: iris, whose split of
seed 0 holds three flowers on the versicolor/virginica border, is held to 95% on average over
the seeds and 89% for each.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from viz.cli.train_command import ALPHA_L2, _optimizer, setup

TARGET = {
    "moons": 0.95,
    "circles": 0.95,
    "xor": 0.95,
    "blobs": 0.95,
    "iris": 0.95,
    "digits": 0.93,
    "spirals": 0.90,
}
HIDDEN = {"spirals": [32, 32]}
"""A wider model where the issue asks for one."""
SEEDS = (0, 1, 2)


def run(dataset: str, seed: int, way: str) -> tuple[float, list[float]]:
    _, _, X_train, X_test, y_train, y_test, _, loss, model = setup(
        dataset, HIDDEN.get(dataset), seed=seed
    )
    if way == "command line":
        history = nn.fit(
            model,
            X_train,
            y_train,
            loss=loss,
            optimizer=_optimizer(None, None, model, 100, loss),
            steps=100,
            alpha_l2=ALPHA_L2,
            seed=seed,
            progress=False,
            engine="compiled",
        )
    else:
        history = nn.fit(model, X_train, y_train, progress=False, engine="compiled")
    return nn.accuracy(model, X_test, y_test), history.loss


@pytest.mark.parametrize("way", ["command line", "nn.fit defaults"])
@pytest.mark.parametrize("dataset", list(TARGET))
def test_every_dataset_trains_at_its_defaults(dataset, way):
    scores = []
    for seed in SEEDS:
        accuracy, losses = run(dataset, seed, way)
        assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0], (dataset, seed)
        scores.append(accuracy)
    if dataset == "iris":
        assert np.mean(scores) >= TARGET[dataset] and min(scores) >= 0.89, scores
    else:
        assert min(scores) >= TARGET[dataset], scores
