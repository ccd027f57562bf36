"""chainrule's pytest plugin, registered through the entry point ``pytest11: chainrule``.

Installed with chainrule, it changes nothing until enabled, in one of three ways:

    pytest --chainrule                                   # on the command line
    [tool.pytest.ini_options] chainrule = true           # in pyproject.toml (or pytest.ini)
    pytest_plugins = ["autograd.testing.fixtures"]       # in a conftest.py

Enabled, it registers ``autograd.testing.fixtures``: the ``derivative`` fixture and a readable
failure report for ``assert derivative(f, at=x) == hand``.
"""

from __future__ import annotations

from typing import Any

FIXTURES = "autograd.testing.fixtures"


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--chainrule",
        action="store_true",
        default=False,
        help="chainrule: enable the derivative fixture (autograd.testing.fixtures)",
    )
    parser.addini(
        "chainrule",
        type="bool",
        default=False,
        help="chainrule: enable the derivative fixture (autograd.testing.fixtures)",
    )


def pytest_configure(config: Any) -> None:
    if not (config.getoption("chainrule") or config.getini("chainrule")):
        return
    if config.pluginmanager.has_plugin(FIXTURES):  # already named in a conftest
        return
    import importlib

    config.pluginmanager.register(importlib.import_module(FIXTURES), FIXTURES)
