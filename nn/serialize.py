"""Saving and loading models as JSON (never pickle: loading a file cannot run code).

A model file holds the architecture and every parameter value:

    {"format": "chainrule.nn", "version": 1,
     "class": "MLP", "config": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu", ...},
     "state": {"layers.0.neurons.0.w": [0.23, -0.71], "layers.0.neurons.0.b": 0.0, ...}}

Floats are written with ``repr``, so a round trip is exact. ``save`` writes a temporary file in
the same directory and renames it over the target (``os.replace`` is atomic), so a crash never
leaves a half-written file in place of a good one. ``load`` checks the whole file before
touching a model: a truncated, malformed or mismatched file raises ``ModelFileError`` naming
the problem, and the model keeps its values.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .files import write_atomic
from .gpt import GPT
from .module import MLP, Layer, Module, Neuron

FORMAT = "chainrule.nn"
VERSION = 1
MODEL_CLASSES: dict[str, type[Module]] = {"MLP": MLP, "Layer": Layer, "Neuron": Neuron, "GPT": GPT}
"""The classes ``load`` can rebuild from a file alone; for others pass ``model=``."""


class ModelFileError(ValueError):
    """A model file that cannot be loaded: not JSON, truncated, or not matching the model."""


def save(model: Module, path: str | os.PathLike) -> None:
    """Write ``model`` (architecture and parameters) to ``path`` as JSON, atomically."""
    if not isinstance(model, Module):
        raise TypeError(f"nn.save: expected a Module, got {type(model).__name__}")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "class": type(model).__name__,
        "config": _config(model),
        "state": model.state_dict(),
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
        raise ModelFileError(f"{path}: {error}") from None
    return model


# ---------------------------------------------------------------- reading


def _read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a model file (not UTF-8 text)") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
                             "the file may be truncated or damaged") from None
    except ModelFileError as error:
        raise ModelFileError(f"{path}: {error}") from None
    except ValueError as error:  # an integer of more than 4300 digits (sys.get_int_max_str_digits)
        raise ModelFileError(f"{path}: not a model file ({error})") from None
    except RecursionError:
        raise ModelFileError(f"{path}: not a model file (its JSON is nested too deeply to read)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a chainrule model file (no \"format\": {FORMAT!r})")
    if document.get("version") != VERSION:
        raise ModelFileError(f"{path}: model file version {document.get('version')!r}, this version reads {VERSION}")
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
        raise ModelFileError(f"{path}: cannot rebuild a {name!r} from the file alone; "
                             f"pass model=... (an instance to load into)")
    try:
        return MODEL_CLASSES[name](**config)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: bad 'config' for {name}: {error}") from None


def _check_fits(document: dict[str, Any], model: Module, path: Path) -> None:
    """The file's class and config must equal the model's (the state is checked when loaded)."""
    if document["class"] != type(model).__name__:
        raise ModelFileError(f"{path}: the file holds a {document['class']}, the model is a {type(model).__name__}")
    config, expected = document.get("config"), _config(model, strict=False)
    if config is None or expected is None:
        return
    for key in sorted(set(config) | set(expected)):
        if config.get(key) != expected.get(key):
            raise ModelFileError(f"{path}: config {key!r} is {config.get(key)!r} in the file "
                                 f"but {expected.get(key)!r} in the model")


# ---------------------------------------------------------------- writing


def _config(model: Module, strict: bool = True) -> dict[str, Any] | None:
    """The model's constructor arguments, checked to be JSON names and numbers (None if it has none)."""
    try:
        config = model.config()
    except NotImplementedError:
        return None
    for key, value in config.items():
        if callable(value):
            if not strict:
                return None
            raise ValueError(f"nn.save: {key} is the function {getattr(value, '__name__', value)!r}; only named "
                             f"activations can be saved (see nn.activations.ACTIVATIONS)")
    return config
