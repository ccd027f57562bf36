"""Saving and loading models as JSON (never pickle: loading a file cannot run code).

A model file holds the architecture and every parameter value (its ``state_dict``), and may
hold what the model was trained for (the loss and classes ``nn.fit`` recorded) and an optimiser's
state, so a run can resume where it stopped:

    {"format": "chainrule.nn", "version": 2,
     "class": "MLP", "config": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu", ...},
     "state": {"layers.0.neurons.0.w0": 0.23, "layers.0.neurons.0.w1": -0.71, ...},
     "task": {"loss": "hinge", "classes": [0.0, 1.0], "per_unit": false},
     "optimizer": {"class": "SGD", "steps_taken": 40, "lr": {...}, "buffers": {...}, ...}}

Version 1 files (a list per weight vector, "w": [0.23, -0.71]) are still read.

Floats are written with ``repr``, so a round trip is exact. ``save`` writes a temporary file in
the same directory and renames it over the target (``os.replace`` is atomic), so a crash never
leaves a half-written file in place of a good one. ``load`` checks the whole file before
touching a model: a truncated, malformed or mismatched file raises ``ModelFileError`` naming
the problem, and the model keeps its values. A file whose config would build an absurd model
(over ``MAX_PARAMETERS``) is refused before anything is built.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from autograd.files import write_atomic

from .evaluation import trained_task
from .gpt import GPT
from .labels import Task
from .losses import LOSSES
from .module import MLP, Layer, Module, Neuron
from .optim import Optimizer
from .state import shorten

FORMAT = "chainrule.nn"
VERSION = 2
READS = (1, 2)
MAX_PARAMETERS = 10_000_000
"""The largest model ``load`` builds from a file's config (a damaged or hostile file could ask for
more)."""
MODEL_CLASSES: dict[str, type[Module]] = {"MLP": MLP, "Layer": Layer, "Neuron": Neuron, "GPT": GPT}
"""The classes ``load`` can rebuild from a file alone; for others pass ``model=``."""


class ModelFileError(ValueError):
    """A model file that cannot be loaded: not JSON, truncated, or not matching the model."""


def save(model: Module, path: str | os.PathLike, optimizer: Optimizer | None = None) -> None:
    """Write ``model`` (architecture, parameters, what it was trained for) to ``path`` as JSON,
    atomically.

    With ``optimizer`` (which must be this model's) its state is saved too: ``load_optimizer``
    restores it into a fresh optimiser of the loaded model, and training resumes exactly.
    """
    if not isinstance(model, Module):
        raise TypeError(f"nn.save: expected a Module, got {type(model).__name__}")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "class": type(model).__name__,
        "config": _config(model),
        "state": model.state_dict(),
    }
    task = trained_task(model)
    if task is not None and LOSSES.get(task.loss.name) == task.loss:  # a named loss: rebuilt
        document["task"] = task.to_dict()
    if optimizer is not None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"nn.save: optimizer must be an nn.optim optimiser, got {type(optimizer).__name__}"
            )
        index = {id(p): i for i, p in enumerate(model.parameters())}
        if any(id(p) not in index for p in optimizer.params):
            raise ValueError("nn.save: the optimiser holds parameters that are not this model's")
        document["optimizer"] = optimizer.state_dict() | {
            "parameters": [index[id(p)] for p in optimizer.params]
        }
    text = json.dumps(document, allow_nan=False, indent=1)
    write_atomic(path, text)


def load(path: str | os.PathLike, model: Module | None = None) -> Module:
    """The model saved in ``path``: rebuilt from the file, or loaded into ``model`` and returned.

    Raises ModelFileError (naming the key or shape at fault) and changes nothing when the file
    is malformed, truncated or does not fit.
    """
    path = Path(path)
    document = _read_document(path)
    if model is None:
        model = _build(document, path)
    else:
        _check_fits(document, model, path)
    try:
        model.load_state_dict(document["state"])
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: {shorten(' '.join(str(error).split()))}") from None
    task = _task(document, path)
    if task is not None:
        model._trained_for = task
    return model


def load_optimizer(path: str | os.PathLike, optimizer: Optimizer) -> Optimizer:
    """Restore the optimiser state saved with ``nn.save(model, path, optimizer=...)`` into
    ``optimizer``, a fresh optimiser of the same class built on the loaded model's parameters;
    returns it."""
    path = Path(path)
    document = _read_document(path)
    state = document.get("optimizer")
    if not isinstance(state, dict):
        raise ModelFileError(
            f"{path}: the file holds no optimiser state (save it with nn.save(..., optimizer=opt))"
        )
    count = len(state.get("parameters", ()))
    if count != len(optimizer.params):
        raise ModelFileError(
            f"{path}: the saved optimiser had {count} parameters, this one has "
            f"{len(optimizer.params)}"
        )
    try:
        optimizer.load_state_dict(
            {key: value for key, value in state.items() if key != "parameters"}
        )
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: {error}") from None
    return optimizer


# ---------------------------------------------------------------- reading


def _read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a model file (not UTF-8 text)") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
            "the file may be truncated or damaged"
        ) from None
    except ModelFileError as error:
        raise ModelFileError(f"{path}: {error}") from None
    except ValueError as error:  # an integer of more than 4300 digits (sys.get_int_max_str_digits)
        raise ModelFileError(f"{path}: not a model file ({error})") from None
    except RecursionError:
        raise ModelFileError(
            f"{path}: not a model file (its JSON is nested too deeply to read)"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f'{path}: not a chainrule model file (no "format": {FORMAT!r})')
    if document.get("version") not in READS:
        raise ModelFileError(
            f"{path}: model file version {document.get('version')!r}, this version reads "
            f"{' and '.join(map(str, READS))}"
        )
    for key, kind in (("class", str), ("state", dict)):
        if not isinstance(document.get(key), kind):
            raise ModelFileError(f"{path}: key {key!r} is missing or not a {kind.__name__}")
    if document.get("config") is not None and not isinstance(document["config"], dict):
        raise ModelFileError(f"{path}: key 'config' must be an object")
    return document


def _reject_constant(name: str) -> None:
    raise ModelFileError(f"the file contains {name}; parameters must be finite numbers")


def _build(document: dict[str, Any], path: Path) -> Module:
    """A new model of the file's class and config (its values are then loaded from the state)."""
    name, config = document["class"], document.get("config")
    if name not in MODEL_CLASSES or config is None:
        raise ModelFileError(
            f"{path}: cannot rebuild a {name!r} from the file alone; pass model=... (an instance "
            "to load into)"
        )
    count = _parameter_count(name, config)
    if count > MAX_PARAMETERS:
        raise ModelFileError(
            f"{path}: its config declares a {name} of {count:,} parameters, more than "
            f"nn.serialize.MAX_PARAMETERS ({MAX_PARAMETERS:,}); refused before building it"
        )
    held = _state_count(document["state"])
    if count and held != count:
        raise ModelFileError(
            f"{path}: its config declares a {name} of {count:,} parameters but its state holds "
            f"{held:,} values; refused before building it"
        )
    try:
        return MODEL_CLASSES[name](**config)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: bad 'config' for {name}: {error}") from None


def _parameter_count(name: str, config: dict[str, Any]) -> int:
    """How many parameters the config would build (0 if its sizes are not counts: the constructor
    says why)."""
    keys = {
        "MLP": ("nin", "nouts"),
        "Layer": ("nin", "nout"),
        "Neuron": ("nin",),
        "GPT": ("vocab_size", "n_layer", "n_embd", "block_size"),
    }[name]
    sizes = [config.get(key) for key in keys]
    sizes = [*sizes[:-1], *sizes[-1]] if name == "MLP" and isinstance(sizes[-1], list) else sizes
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes):
        return 0
    # a GPT: wte, lm_head (V x E), wpe (B x E); per layer 4 E x E attention and two 4E x E MLPs
    if name == "GPT":
        vocab, layers, width, block = sizes
        return (2 * vocab + block) * width + layers * 12 * width * width
    if name == "Neuron":
        sizes = [*sizes, 1]
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:], strict=False))


def _state_count(state: dict[str, Any]) -> int:
    """How many numbers the state holds (a list, version 1's "w": [...], counts each item)."""
    return sum(len(value) if isinstance(value, list) else 1 for value in state.values())


def _task(document: dict[str, Any], path: Path) -> Task | None:
    """What the model was trained for, if the file says (a loss by name and its classes)."""
    task = document.get("task")
    if task is None:
        return None
    classes = task.get("classes") if isinstance(task, dict) else None
    if (
        not isinstance(task, dict)
        or task.get("loss") not in LOSSES
        or not (
            classes is None
            or isinstance(classes, list)
            and all(isinstance(c, int | float) for c in classes)
        )
    ):
        raise ModelFileError(
            f"{path}: key 'task' must name a loss of nn.losses.LOSSES and its classes"
        )
    dtype, names = task.get("dtype"), task.get("names")
    if not (dtype is None or dtype in _LABEL_DTYPES) or not (
        names is None or isinstance(names, list) and all(isinstance(n, str) for n in names)
    ):
        raise ModelFileError(
            f"{path}: key 'task' has a 'dtype' that is not an integer or bool type, or 'names' "
            "that are not strings"
        )
    return Task(
        LOSSES[task["loss"]],
        None if classes is None else tuple(float(c) for c in classes),
        bool(task.get("per_unit", False)),
        dtype,
        None if names is None else tuple(names),
    )


_LABEL_DTYPES = {
    np.dtype(kind).str
    for kind in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
}
"""The dtypes of labels a model file may record (numpy's names: '<i8', '|b1', ...)."""


def _check_fits(document: dict[str, Any], model: Module, path: Path) -> None:
    """The file's class and config must equal the model's (the state is checked when loaded)."""
    if document["class"] != type(model).__name__:
        raise ModelFileError(
            f"{path}: the file holds a {document['class']}, the model is a {type(model).__name__}"
        )
    config, expected = document.get("config"), _config(model, strict=False)
    if config is None or expected is None:
        return
    for key in sorted(set(config) | set(expected)):
        if config.get(key) != expected.get(key):
            in_file = (
                f"is {config[key]!r} in the file" if key in config else "is missing from the file"
            )
            raise ModelFileError(
                f"{path}: config {key!r} {in_file} but {expected.get(key)!r} in the model"
            )


# ---------------------------------------------------------------- writing


def _config(model: Module, strict: bool = True) -> dict[str, Any] | None:
    """The model's constructor arguments, checked to be JSON names and numbers (None if it has
    none)."""
    try:
        config = model.config()
    except NotImplementedError:
        return None
    for key, value in config.items():
        if callable(value):
            if not strict:
                return None
            raise ValueError(
                f"nn.save: {key} is the function {getattr(value, '__name__', value)!r}; only named "
                "activations can be saved (see nn.activations.ACTIVATIONS)"
            )
    return config
