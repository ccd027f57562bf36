"""``chainrule train``: train an MLP on one of nn's datasets, save the model and its plots, summarise.

The defaults are micrograd's moons demo: a 2-16-16-1 ReLU network, the hinge loss, full-batch
SGD with the learning rate falling from 1.0 to 0.1, and a little L2 regularisation.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import nn

from .cli import CommandError
from .graph import number
from .plots import plot_decision_boundary, plot_history

BINARY_LOSSES = ("hinge", "mse", "bce_with_logits")
ALPHA_L2 = 1e-4
NOISY = {"moons": {"noise": 0.1}, "circles": {"noise": 0.05, "factor": 0.5}}
"""The generated data sets as the command line trains them: micrograd's noisy moons."""


class TrainingError(CommandError, ValueError):
    """A training option that cannot work (unknown dataset, bad size, a loss that does not fit the data).

    A CommandError, so ``chainrule`` reports it as bad input: one line, exit code 2."""


@dataclass
class Run:
    """What a training run did: the data, model and scores, and the files it wrote."""

    dataset: str
    model: Any
    loss: str
    history: Any
    seconds: float
    train_size: int
    test_scores: dict[str, float]
    classes: int
    features: int
    files: list[Path] = field(default_factory=list)


def train_command(args: argparse.Namespace) -> int:
    """Run ``chainrule train`` with parsed ``args`` and print the summary."""
    out = Path(args.out) if args.out else Path("runs") / args.dataset
    run = train(args.dataset, out, steps=args.steps, hidden=parse_sizes(args.hidden), activation=args.activation,
                loss=args.loss, optimizer=args.optimizer, lr=args.lr, batch_size=args.batch_size,
                samples=args.samples, seed=args.seed, progress=not args.quiet, engine=args.engine,
                html=Path(args.html) if getattr(args, "html", None) else None, every=getattr(args, "every", 5))
    print(summary(run))
    return 0


def parse_sizes(text: str) -> list[int]:
    """``"16,16"`` -> [16, 16]; ``""`` -> [] (no hidden layer)."""
    sizes = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if not part.isdigit() or int(part) < 1:
            raise TrainingError(f"--hidden: layer sizes must be positive integers separated by commas, got {text!r}")
        sizes.append(int(part))
    return sizes


def load_dataset(name: str, samples: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of nn's dataset ``name``; ``samples`` and ``seed`` apply to the generated ones."""
    if name not in nn.DATASETS:
        raise TrainingError(f"unknown dataset {name!r}; choose from {', '.join(nn.DATASETS)}")
    loader = nn.DATASETS[name]
    if name in ("iris", "digits"):
        if samples is not None:
            raise TrainingError(f"--samples applies to generated datasets; {name} has a fixed size")
        return loader()
    if samples is not None and samples < 4:
        raise TrainingError(f"--samples must be at least 4, got {samples}")
    options = NOISY.get(name, {})  # nn's moons and circles are noise-free by default, as scikit-learn's
    return loader(n_samples=100 if samples is None else samples, seed=seed, **options)


def train(dataset: str, out: Path, *, steps: int = 100, hidden: list[int] | None = None, activation: str = "relu",
          loss: str | None = None, optimizer: str = "sgd", lr: float | None = None, batch_size: int | None = None,
          samples: int | None = None, seed: int = 0, progress: bool = True, resolution: int = 60,
          engine: str = "eager", html: Path | None = None, every: int = 5) -> Run:
    """Train on ``dataset``; write model.json, loss.png and (2-D data) decision_boundary.png into ``out``,
    and with ``html`` a replay of the run (boundary and curves every ``every`` steps) as one HTML page."""
    if steps < 1:
        raise TrainingError(f"--steps must be at least 1, got {steps}")
    if batch_size is not None and batch_size < 1:
        raise TrainingError(f"--batch-size must be at least 1, got {batch_size}")
    if lr is not None and not lr > 0:
        raise TrainingError(f"--lr must be positive, got {lr}")
    X, y = load_dataset(dataset, samples, seed)
    classes = int(y.max()) + 1
    loss = loss or ("hinge" if classes == 2 else "cross_entropy")
    if classes > 2 and loss != "cross_entropy":
        raise TrainingError(f"{dataset} has {classes} classes: use --loss cross_entropy, not {loss}")
    outputs = 1 if loss in BINARY_LOSSES else classes
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=seed)
    if X.shape[1] != 2:  # many features on different scales: standardise (the 2-D sets are plotted raw)
        X_train, X_test = nn.standardize(X_train, X_test)
    try:
        model = nn.MLP(X.shape[1], [*(hidden if hidden is not None else [16, 16]), outputs], activation=activation,
                       seed=seed)
    except ValueError as error:  # an unknown --activation
        raise TrainingError(str(error)) from None
    if html is not None:  # ---- the replay page (issue 10): checked before training
        _check_replay(html, every, X)
    make_output_directory(out)  # all options checked (nn.MLP checks the activation): a bad --out fails now
    started = time.perf_counter()
    chosen = _optimizer(optimizer, lr, model, steps, loss)
    if chosen is None and html is not None:  # nn.fit's default, made here so it carries on from chunk to chunk
        chosen = nn.optim.SGD(model.parameters(), lr=nn.optim.LinearDecay(1.0, 0.1, steps))
    fit = lambda n: nn.fit(model, X_train, y_train, loss=loss, optimizer=chosen, steps=n, batch_size=batch_size,
                           progress=progress and html is None, seed=seed, alpha_l2=ALPHA_L2, engine=engine)
    try:
        if html is None:
            history = fit(steps)
        else:
            from .interactive.training import record, snapshot

            frame = lambda k: snapshot(k, model, X, y, loss, X_test, y_test, ALPHA_L2)
            recorded, snapshots = record(fit, steps, every, frame)
            history = nn.History()
            history.loss.extend(recorded["loss"])
            history.accuracy.extend(recorded["accuracy"])
    except ArithmeticError as error:  # overflow, inf or NaN: the run diverged (nn.fit says so; too large an lr)
        raise TrainingError(str(error)) from None
    seconds = time.perf_counter() - started
    run = Run(dataset, model, loss, history, seconds, len(y_train), nn.evaluate(model, X_test, y_test, loss=loss),
              classes, X.shape[1])

    nn.save(model, out / "model.json")
    plot_history(history, title=f"{dataset}: {model.summary()}", path=out / "loss.png", test=run.test_scores)
    run.files = [out / "model.json", out / "loss.png"]
    if html is not None:
        from .interactive import replay_page
        from .interactive.training import points

        title = f"{dataset}: {model.summary()}, {loss} loss, {len(history.loss)} steps"
        run.files.append(replay_page(title, points(X, y), history, snapshots).save(html))
    if X.shape[1] == 2:
        plot_decision_boundary(model, X_train, y_train, test=(X_test, y_test), resolution=resolution, loss=loss,
                               path=out / "decision_boundary.png", title=f"{dataset}: {model.summary()}")
        run.files.append(out / "decision_boundary.png")
    return run


def _check_replay(html: Path, every: int, X: np.ndarray) -> None:
    """The replay page's options: a .html file in an existing directory, a positive interval, 2-D data."""
    if html.suffix.lower() not in (".html", ".htm"):
        raise TrainingError(f"--html: the replay is an HTML page; use a .html name, got {str(html)!r}")
    if not html.parent.is_dir():
        raise TrainingError(f"--html: the directory {str(html.parent)!r} does not exist")
    if every < 1:
        raise TrainingError(f"--every must be at least 1, got {every}")
    if X.shape[1] != 2:
        raise TrainingError(f"--html: the replay draws the decision boundary of 2-D data; this data has {X.shape[1]} "
                            "features")


def make_output_directory(out: Path) -> None:
    """Create the output directory ``out`` (and its parents); TrainingError if that cannot be done."""
    if out.exists() and not out.is_dir():
        raise TrainingError(f"--out {str(out)!r} is a file, not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TrainingError(f"--out: cannot create the directory {str(out)!r}: {error.strerror or error}") from None


def _optimizer(name: str, lr: float | None, model: Any, steps: int, loss: str) -> Any:
    if name == "adam":
        return nn.optim.Adam(model.parameters(), lr=0.01 if lr is None else lr)
    if lr is None:  # nn.fit's policy: micrograd's SGD 1.0 -> 0.1, or 0.1 -> 0.01 for mse (nn.default_optimizer)
        return nn.default_optimizer(model, loss, steps)
    return nn.optim.SGD(model.parameters(), lr=lr)


def summary(run: Run) -> str:
    """The lines ``chainrule train`` prints at the end."""
    loss = run.history.loss
    accuracy = run.history.accuracy
    test = run.test_scores
    lines = [
        f"dataset  {run.dataset}: {run.features} features, {run.classes} classes, "
        f"{run.train_size} training examples",
        f"model    {run.model.summary()}, loss {run.loss}",
        f"trained  {len(loss)} steps in {run.seconds:.1f} s: loss {number(loss[0])} -> {number(loss[-1])}, "
        f"training accuracy {accuracy[-1]:.1%}",
        f"test     accuracy {test['accuracy']:.1%}, loss {number(test['loss'])}",
    ]
    lines += [f"wrote    {path}" for path in run.files]
    return "\n".join(lines)
