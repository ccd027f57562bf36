"""One thread for every library, or no comparison: the benchmarks' environment, pinned and checked.

A ratio against PyTorch or JAX means nothing if one side used two cores and the other one. So,
before numpy, PyTorch or JAX is imported (``pin()`` must run first: the BLAS libraries and XLA
read their thread counts when they load):

* ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` = 1 (numpy's, PyTorch's BLAS);
* ``XLA_FLAGS`` gets ``--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1`` (JAX);
* at run time, threadpoolctl limits every BLAS and OpenMP pool loaded to one thread, and
  ``torch.set_num_threads(1)``, ``torch.set_num_interop_threads(1)``.

``problems()`` then lists whatever could not be pinned (threadpoolctl missing, a pool still above
one thread, JAX imported before its flags were set); ``benchmarks/run.py`` refuses to compare
when the list is not empty, and each table says how it was pinned.
"""

from __future__ import annotations

import contextlib
import os
import sys

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
_pinned = False  # set by the first pin() of the process
_late: list[str] = []  # libraries already loaded when pin() ran: their thread counts may be fixed


def pin() -> None:
    """Set the environment for one thread per library; call before importing numpy, torch or jax
    (the first call counts: a benchmark run alone pins itself, run.py pins them all first)."""
    global _pinned
    if _pinned:
        return
    _pinned = True
    _late.extend(name for name in ("numpy", "torch", "jax") if name in sys.modules)
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    flags = os.environ.get("XLA_FLAGS", "")
    if XLA_ONE_THREAD not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {XLA_ONE_THREAD}".strip()


@contextlib.contextmanager
def one_thread():
    """Every loaded thread pool limited to one thread for the block (threadpoolctl), torch too."""
    with contextlib.suppress(ImportError):
        import torch

        torch.set_num_threads(1)
        with contextlib.suppress(RuntimeError):  # allowed only before torch's first parallel work
            torch.set_num_interop_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(1):
        yield


def problems() -> list[str]:
    """What is not pinned to one thread right now (empty when everything is)."""
    found = [
        f"{name} was imported before pin(): its thread count may not be 1"
        for name in _late
        if name != "numpy"
    ]  # numpy's pools are limited at run time by threadpoolctl anyway
    if any(os.environ.get(name) != "1" for name in THREAD_VARIABLES):
        found.append("the *_NUM_THREADS variables are not 1 (pin() was not called)")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [
            *found,
            "threadpoolctl is missing (pip install '.[bench]'): numpy's BLAS cannot be limited",
        ]
    found += [
        f"{pool['internal_api']} ({pool['filepath']}) runs {pool['num_threads']} threads"
        for pool in threadpool_info()
        if pool["num_threads"] != 1
    ]
    if "torch" in sys.modules and sys.modules["torch"].get_num_threads() != 1:
        found.append(f"torch runs {sys.modules['torch'].get_num_threads()} threads")
    if "jax" in sys.modules and XLA_ONE_THREAD not in os.environ.get("XLA_FLAGS", ""):
        found.append("jax runs without the one-thread XLA_FLAGS")
    return found


def describe() -> str:
    """One line for the tables: how the run was pinned."""
    found = problems()
    if found:
        return "NOT PINNED TO ONE THREAD, DO NOT COMPARE: " + "; ".join(found)
    loaded = [name for name in ("torch", "jax") if name in sys.modules]
    return (
        "one thread per library: BLAS/OpenMP pools limited by threadpoolctl, *_NUM_THREADS=1"
        + (", torch.set_num_threads(1)" if "torch" in loaded else "")
        + (f", XLA_FLAGS={XLA_ONE_THREAD!r}" if "jax" in loaded else "")
    )
