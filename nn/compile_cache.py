"""Compiled programs kept with the model they were compiled for, so training again skips compiling.

``nn.fit(engine="compiled")`` and ``nn.train_gpt(engine="compiled")`` trace and schedule the model
(``autograd.compile``) before their first step; for a big model that costs more than hundreds of
steps. The program only depends on what the graph is made of, so it is kept and used again when
that has not changed:

* the model's structure: its class and every module's class and public attributes (layer sizes,
  activations), in ``named_modules`` order;
* its parameters: the very ``Value`` objects, in order (their numbers may change freely: the
  program reads them at every call);
* what the program computes from the model: the loss's kind, the number of input and target
  columns, ``alpha_l2`` (fit), the sequence length (the GPT).

The cache is an attribute of the model (``model._compiled_programs``), so it dies with the model;
a copy or a pickle of the model starts with an empty one. A program is lent to one training run at
a time (``Borrowed``) and given back when the run ends, so two threads training at once never
share buffers. A program made from another structure is dropped when its key comes again, and at
most ``ProgramCache.size`` programs are kept (least recently used first out).
``nn.clear_compiled(model)`` empties it (needed only after changing what the model's code does,
not its attributes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from operator import is_
from typing import Any

import numpy as np

from autograd import Compiled, Value

from .module import Module

ATTRIBUTE = "_compiled_programs"
_PARAMETER, _MODULE = "<parameter>", "<module>"


class ProgramCache:
    """Programs by key (what they compute), each with what it was made from (``made_from``)."""

    size = 32
    """The most programs kept (a GPT keeps one per sequence length: 16 for microgpt)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._programs: OrderedDict[Hashable, tuple[Any, Compiled]] = OrderedDict()

    def take(self, key: Hashable, made_from: Any) -> Compiled | None:
        """Remove and return the program of ``key`` if it was made from ``made_from``; a program
        made from something else is dropped (it can never be used again)."""
        with self._lock:
            entry = self._programs.pop(key, None)
        if entry is None or not _same(entry[0], made_from):
            return None
        return entry[1]

    def put(self, key: Hashable, made_from: Any, program: Compiled) -> None:
        """Keep ``program`` under ``key``, the most recently used; beyond ``size`` programs, drop
        the least recently used."""
        with self._lock:
            self._programs[key] = (made_from, program)
            self._programs.move_to_end(key)
            while len(self._programs) > self.size:
                self._programs.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._programs.clear()

    def __len__(self) -> int:
        return len(self._programs)

    def __reduce__(self) -> tuple[type, tuple]:
        # a copy or a pickle of the model starts empty: programs are not data
        return ProgramCache, ()

    def __repr__(self) -> str:
        return f"ProgramCache({len(self)} programs)"


def programs_of(model: Module) -> ProgramCache:
    """The model's cache, made on first use (``setdefault`` is atomic: two threads get one)."""
    return vars(model).setdefault(ATTRIBUTE, ProgramCache())


def clear_compiled(model: Module) -> None:
    """Forget every compiled program kept for ``model`` (the next compiled run compiles again)."""
    cache = vars(model).get(ATTRIBUTE)
    if cache is not None:
        cache.clear()


def structure(model: Module) -> tuple:
    """The model's structure: (path, class, public attributes) of every module; parameters and
    submodules appear as markers (the parameters themselves are compared one by one)."""
    return tuple(
        (
            path,
            type(module),
            tuple(
                (name, _describe(value))
                for name, value in vars(module).items()
                if not name.startswith("_")
            ),
        )
        for path, module in model.named_modules()
    )


def _describe(value: Any) -> Any:
    """A comparable stand-in for an attribute: itself for a plain value or an object (compared
    by ``==``, which is identity unless its class says otherwise), markers for parameters and
    modules."""
    if isinstance(value, Value):
        return _PARAMETER
    if isinstance(value, Module):
        return _MODULE
    if isinstance(value, list | tuple):
        return type(value), tuple(map(_describe, value))
    if isinstance(value, dict):
        return dict, tuple((k, _describe(v)) for k, v in value.items())
    if isinstance(value, np.ndarray):
        return np.ndarray, value.shape, value.dtype.str, value.tobytes()
    return value


def _same(a: tuple, b: tuple) -> bool:
    """(structure, parameters) equal: the structures by ``==``, the parameters by identity."""
    (structure_a, params_a), (structure_b, params_b) = a, b
    if len(params_a) != len(params_b) or not all(map(is_, params_a, params_b)):
        return False
    try:
        return bool(structure_a == structure_b)
    except Exception:  # an == that gives no bool (an array inside an object): not the same
        return False


class Borrowed:
    """The programs of one training run, taken from the model's cache, given back by ``release``."""

    def __init__(self, model: Module, params: list[Value]) -> None:
        self.cache = programs_of(model)
        # holds the parameters: their ids stay theirs
        self.made_from = structure(model), tuple(params)
        self.programs: dict[Hashable, Compiled] = {}

    def get(self, key: Hashable, make: Callable[[], Compiled]) -> Compiled:
        """The program of ``key``: this run's, else the cache's if made from this model as it is,
        else ``make()``."""
        program = self.programs.get(key)
        if program is None:
            program = self.cache.take(key, self.made_from)
            if program is None:
                program = make()
            self.programs[key] = program
        return program

    def release(self) -> None:
        """Give every program back to the cache, unbound from this run's parameter array."""
        for key, program in self.programs.items():
            program.bind(None)
            self.cache.put(key, self.made_from, program)
        self.programs.clear()
