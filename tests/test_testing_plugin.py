"""The pytest plugin: declared as an entry point, inert until enabled, then a ``derivative``
fixture whose failed ``==`` reads as hand vs engine vs central difference with the breakdown."""

import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = """
import math

def test_right(derivative):
    assert derivative(lambda x: x.tanh(), at=0.5) == 1 - math.tanh(0.5) ** 2

def test_wrong(derivative):
    assert derivative(lambda x, w: (x * w + x).tanh(), at=(0.5, 2.0)) == [1 - 0.5 ** 2, 0.0]
"""


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest in ``folder`` with chainrule's plugin module loaded by name (entry points off, so the
    run does not depend on how chainrule is installed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "autograd.testing.pytest_plugin",
            "-p",
            "no:cacheprovider",
            "-q",
            *args,
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_plugin_is_declared_as_a_pytest_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"chainrule": "autograd.testing.pytest_plugin"}
    assert {"pytest", "hypothesis"} <= {
        r.split(">")[0] for r in project["optional-dependencies"]["testing"]
    }


def test_inert_until_enabled(tmp_path):
    (tmp_path / "test_d.py").write_text(TESTS)
    result = run_pytest(tmp_path)
    assert result.returncode == 1 and "fixture 'derivative' not found" in result.stdout


def test_enabled_the_failure_reads_hand_engine_central_difference_and_the_chain_rule(tmp_path):
    (tmp_path / "test_d.py").write_text(TESTS)
    result = run_pytest(tmp_path, "--chainrule")
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    out = result.stdout
    assert "the engine's derivative is not the hand formula's" in out
    assert "df/dx1 at x1 = 0.5, x2 = 2.0:" in out and "hand formula        0.75" in out
    right = (1 - math.tanh(1.5) ** 2) * 3  # d tanh(x w + x)/dx at x = 0.5, w = 2
    assert (
        f"engine              {repr(right)[:12]}" in out
        and f"central difference  {repr(right)[:9]}" in out
    )
    assert "the hand formula is wrong" in out and "(through" in out


def test_enabled_by_ini_or_by_a_conftest_without_registering_twice(tmp_path):
    (tmp_path / "test_d.py").write_text(TESTS.split("def test_wrong")[0])
    (tmp_path / "pytest.ini").write_text("[pytest]\nchainrule = true\n")
    assert "1 passed" in run_pytest(tmp_path).stdout
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["autograd.testing.fixtures"]\n')
    result = run_pytest(tmp_path, "--chainrule")
    assert "1 passed" in result.stdout, result.stdout + result.stderr
