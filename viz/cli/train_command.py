"""``chainrule train``: train an MLP on one of nn's datasets, save it and its plots, summarise.

The defaults: a 16-16 ReLU network with a fan-in-scaled initialisation (He's for ReLU,
``nn.init.scaled_for``: a 10-class model starts near ln 10, where micrograd's U[-1, 1] starts at
about 17), the hinge loss for two classes (trained with micrograd's SGD, 1.0 falling to 0.1) or
cross-entropy for more (Adam 0.01: ``nn.default_optimizer``), micrograd's L2 penalty 1e-4
(``--l2``), a stratified three-quarters / one-quarter split, and features standardised when they
are not 2-D points near unit scale. The summary compares like with like: the training and test
losses are measured the same way, on the whole set after training and without the penalty, which
has its own line. A run that ends with a higher training loss than it started with exits with
code 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import nn
from nn.monitor import SCALE_LIMIT
from nn.train import ADAM_LR

from ..graph import number
from ..plots import plot_decision_boundary, plot_history
from .errors import FAILURE, TrainingError
from .output import make_output_directory, remove_if_empty

BINARY_LOSSES = ("hinge", "mse", "bce_with_logits")
ALPHA_L2 = 1e-4
NOISY = {"moons": {"noise": 0.1}, "circles": {"noise": 0.05, "factor": 0.5}}
"""The generated data sets as the command line trains them: micrograd's noisy moons."""
COMPILED = ("iris", "digits")
"""Data sets trained with the compiled engine unless --engine says otherwise."""


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
    start_loss: float | None = None
    """The whole training set's loss before training (no penalty)."""
    train_scores: dict[str, float] | None = None
    """The whole training set's loss and accuracy after training (no penalty), as test_scores."""
    penalty: tuple[float, float] = (0.0, 0.0)
    """(alpha, alpha * sum p^2 after training)."""

    @property
    def worse(self) -> bool:
        """Whether the run ended with a higher training loss than it started with."""
        return self.start_loss is not None and self.train_scores is not None and (
            not self.train_scores["loss"] <= self.start_loss)


def train_command(args: argparse.Namespace) -> int:
    """Run ``chainrule train`` with parsed ``args``: the header, training, then the summary."""
    out = Path(args.out) if args.out else Path("runs") / args.dataset
    if args.every is not None and not args.html:
        raise TrainingError("--every sets the replay's snapshot interval; it needs --html FILE")
    engine = args.engine or ("compiled" if args.dataset in COMPILED else "eager")
    run = train(args.dataset, out, steps=args.steps, hidden=parse_sizes(args.hidden),
                activation=args.activation, loss=args.loss, optimizer=args.optimizer, lr=args.lr,
                batch_size=args.batch_size, samples=args.samples, seed=args.seed,
                progress=not args.quiet, engine=engine, html=Path(args.html) if args.html else None,
                every=5 if args.every is None else args.every,
                alpha_l2=ALPHA_L2 if args.l2 is None else args.l2,
                announce=lambda line: print(line, flush=True))
    print(summary(run, header=False))
    if run.worse:
        print(f"chainrule train: the run ended worse than it started (training loss "
              f"{number(run.start_loss)} -> {number(run.train_scores['loss'])}); try a smaller "
              "--lr or more --steps", file=sys.stderr)
        return FAILURE
    return 0


def parse_sizes(text: str) -> list[int]:
    """``"16,16"`` -> [16, 16]; ``""`` -> [] (no hidden layer)."""
    sizes = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if not part.isdigit() or int(part) < 1:
            raise TrainingError("--hidden: layer sizes must be positive integers separated by "
                                f"commas, got {text!r}")
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
    options = NOISY.get(name, {})  # nn's moons and circles are noise-free by default, as sklearn's
    return loader(n_samples=100 if samples is None else samples, seed=seed, **options)


def train(dataset: str, out: Path, *, steps: int = 100, hidden: list[int] | None = None,
          activation: str = "relu", loss: str | None = None, optimizer: str | None = None,
          lr: float | None = None,
          batch_size: int | None = None, samples: int | None = None, seed: int = 0,
          progress: bool = True, resolution: int = 60, engine: str = "eager",
          html: Path | None = None, every: int = 5,
          alpha_l2: float = ALPHA_L2, announce: Callable[[str], None] | None = None) -> Run:
    """Train on ``dataset``; write model.json, loss.png and (2-D data) decision_boundary.png into
    ``out``, and with ``html`` a replay of the run (boundary and curves every ``every`` steps) as
    one HTML page. ``announce`` gets the header lines (data, model) before training starts."""
    if steps < 1:
        raise TrainingError(f"--steps must be at least 1, got {steps}")
    if batch_size is not None and batch_size < 1:
        raise TrainingError(f"--batch-size must be at least 1, got {batch_size}")
    if lr is not None and not lr > 0:
        raise TrainingError(f"--lr must be positive, got {lr}")
    if not (alpha_l2 >= 0 and np.isfinite(alpha_l2)):
        raise TrainingError(f"--l2 must be a finite number >= 0, got {alpha_l2}")
    prepared = setup(dataset, hidden, activation, loss, samples, seed)
    X, y, X_train, X_test, y_train, y_test, scaled, loss, model = prepared
    classes = int(y.max()) + 1
    if html is not None:  # ---- the replay page: checked before training
        _check_replay(html, every, X)
    created = make_output_directory(out)  # all options checked: a bad --out fails now
    chosen = _optimizer(optimizer, lr, model, steps, loss)
    lines = header(dataset, X, classes, len(y_train), scaled, model, loss, chosen, engine, alpha_l2)
    for line in lines if announce is not None else []:
        announce(line)
    start_loss = nn.evaluate(model, X_train, y_train, loss=loss)["loss"]
    started = time.perf_counter()
    fit = lambda n: nn.fit(model, X_train, y_train, loss=loss, optimizer=chosen, steps=n,
                           batch_size=batch_size, progress=progress and html is None, seed=seed,
                           alpha_l2=alpha_l2, engine=engine)
    try:
        if html is None:
            history = fit(steps)
        else:
            from ..interactive.snapshots import record, snapshot

            frame = lambda k: snapshot(k, model, X, y, loss, X_test, y_test, ALPHA_L2)
            recorded, snapshots = record(fit, steps, every, frame)
            history = nn.History()
            history.loss.extend(recorded["loss"])
            history.accuracy.extend(recorded["accuracy"])
    except ArithmeticError as error:  # overflow, inf or NaN: the run diverged (too large an lr)
        remove_if_empty(created)
        raise TrainingError(str(error)) from None
    except BaseException:
        remove_if_empty(created)
        raise
    seconds = time.perf_counter() - started
    penalty = float(nn.l2_penalty(model, alpha_l2)) if alpha_l2 else 0.0
    test_scores = nn.evaluate(model, X_test, y_test)
    run = Run(dataset, model, loss, history, seconds, len(y_train), test_scores, classes,
              X.shape[1],
              start_loss=start_loss, train_scores=nn.evaluate(model, X_train, y_train),
              penalty=(alpha_l2, penalty))

    nn.save(model, out / "model.json")
    plot_history(history, title=f"{dataset}: {model.summary()}", path=out / "loss.png",
                 test=run.test_scores)
    run.files = [out / "model.json", out / "loss.png"]
    if html is not None:
        from ..interactive import replay_page
        from ..interactive.snapshots import points

        title = f"{dataset}: {model.summary()}, {loss} loss, {len(history.loss)} steps"
        run.files.append(replay_page(title, points(X, y), history, snapshots).save(html))
    if X.shape[1] == 2:
        title = f"{dataset}: {model.summary()}" + (" (standardised)" if scaled else "")
        plot_decision_boundary(model, X_train, y_train, test=(X_test, y_test),
                               resolution=resolution, loss=loss,
                               path=out / "decision_boundary.png", title=title)
        run.files.append(out / "decision_boundary.png")
    return run


def setup(dataset: str, hidden: list[int] | None = None, activation: str = "relu",
          loss: str | None = None, samples: int | None = None, seed: int = 0) -> tuple[Any, ...]:
    """(X, y, X_train, X_test, y_train, y_test, scaled, loss, model): the data as ``chainrule
    train`` prepares it (stratified split, standardised unless 2-D near unit scale) and its
    fresh model."""
    X, y = load_dataset(dataset, samples, seed)
    classes = int(y.max()) + 1
    loss = loss or ("hinge" if classes == 2 else "cross_entropy")
    if classes > 2 and loss != "cross_entropy":
        raise TrainingError(f"{dataset} has {classes} classes: use --loss cross_entropy, not "
                            f"{loss}")
    outputs = 1 if loss in BINARY_LOSSES else classes
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=seed,
                                                           stratify=y)
    scaled = X.shape[1] != 2 or far_from_unit_scale(X_train)  # 2-D points near unit scale: raw
    if scaled:
        scale = nn.standardize(X_train).transform
        X, X_train, X_test = scale(X), scale(X_train), scale(X_test)
    sizes = [*(hidden if hidden is not None else [16, 16]), outputs]
    try:
        model = nn.MLP(X.shape[1], sizes, activation=activation,
                       init=nn.init.scaled_for(activation), seed=seed)
    except ValueError as error:  # an unknown --activation
        raise TrainingError(str(error)) from None
    return X, y, X_train, X_test, y_train, y_test, scaled, loss, model


def far_from_unit_scale(X: np.ndarray) -> bool:
    """Whether a column's root mean square is above nn's SCALE_LIMIT (blobs at +-11, not moons)."""
    return bool(np.sqrt(np.mean(X * X, axis=0)).max() > SCALE_LIMIT)


def header(dataset: str, X: np.ndarray, classes: int, train_size: int, scaled: bool, model: Any,
           loss: str, optimizer: Any, engine: str, alpha_l2: float) -> list[str]:
    """The lines printed before training: the data and the model, and how it will be trained."""
    scaling = ", standardised (mean 0, variance 1 from the training set)" if scaled else ""
    faster = ""
    if engine == "eager" and len(X) > 500:
        faster = " (--engine compiled is much faster on larger data)"
    return [f"dataset  {dataset}: {X.shape[1]} features{scaling}, {classes} classes, "
            f"{train_size} training examples",
            f"model    {model.summary()}, init {nn.init.scaled_for(model.activation)}, "
            f"loss {loss}, "
            f"L2 penalty {alpha_l2:g}",
            f"training {describe_optimizer(optimizer)}, engine {engine}{faster}"]


def describe_optimizer(optimizer: Any) -> str:
    """"SGD lr 1.0 -> 0.1" or "Adam lr 0.01"."""
    rate = optimizer.lr
    if isinstance(rate, nn.LinearDecay):
        return f"{type(optimizer).__name__} lr {rate.start:g} -> {rate.end:g}"
    if isinstance(rate, int | float):
        return f"{type(optimizer).__name__} lr {rate:g}"
    return type(optimizer).__name__


def _check_replay(html: Path, every: int, X: np.ndarray) -> None:
    """The replay page's options: a .html file in an existing directory, a positive interval,
    2-D data."""
    if html.suffix.lower() not in (".html", ".htm"):
        raise TrainingError("--html: the replay is an HTML page; use a .html name, got "
                            f"{str(html)!r}")
    if not html.parent.is_dir():
        raise TrainingError(f"--html: the directory {str(html.parent)!r} does not exist")
    if every < 1:
        raise TrainingError(f"--every must be at least 1, got {every}")
    if X.shape[1] != 2:
        raise TrainingError("--html: the replay draws the decision boundary of 2-D data; this "
                            f"data has {X.shape[1]} features")


def _optimizer(name: str | None, lr: float | None, model: Any, steps: int, loss: str) -> Any:
    """The optimiser of --optimizer and --lr; neither: nn.fit's default (nn.default_optimizer)."""
    default = nn.default_optimizer(model, loss, steps)
    if name is None and lr is None:
        return default
    if name == "adam" or (name is None and isinstance(default, nn.Adam)):
        return nn.optim.Adam(model.parameters(), lr=ADAM_LR if lr is None else lr)
    if lr is None:  # SGD at micrograd's schedule
        return nn.optim.SGD(model.parameters(), lr=nn.optim.LinearDecay(1.0, 0.1, steps))
    return nn.optim.SGD(model.parameters(), lr=lr)


def summary(run: Run, header: bool = True) -> str:
    """The lines ``chainrule train`` prints at the end (``header=False``: the header is out)."""
    test = run.test_scores
    lines = [] if not header else [
        f"dataset  {run.dataset}: {run.features} features, {run.classes} classes, "
        f"{run.train_size} training examples",
        f"model    {run.model.summary()}, loss {run.loss}",
    ]
    if run.train_scores is not None and run.start_loss is not None:
        lines.append(f"trained  {len(run.history.loss)} steps in {run.seconds:.1f} s: "
                     f"training loss {number(run.start_loss)} -> "
                     f"{number(run.train_scores['loss'])}, training accuracy "
                     f"{run.train_scores['accuracy']:.1%} (whole training set, after "
                     "training, no penalty)")
    else:
        loss = run.history.loss
        lines.append(f"trained  {len(loss)} steps in {run.seconds:.1f} s: loss "
                     f"{number(loss[0])} -> {number(loss[-1])}, training accuracy "
                     f"{run.history.accuracy[-1]:.1%}")
    alpha, penalty = run.penalty
    if alpha:
        lines.append(f"penalty  L2 {alpha:g} * sum of squared parameters = {number(penalty)} "
                     "(added to the loss while training, left out above and below)")
    lines.append(f"test     accuracy {test['accuracy']:.1%}, loss {number(test['loss'])}")
    lines += [f"wrote    {path}" for path in run.files]
    return "\n".join(lines)
