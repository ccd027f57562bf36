"""``chainrule playground`` for real: Voila serving the bundled notebook on 127.0.0.1, driven by
headless Chromium, then stopped with Ctrl-C (SIGINT) as a user would; the page may reach nothing but
the server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time

import pytest
from browser_helpers import browser, require_browser  # noqa: F401 (fixture)
from server_helpers import PYTHON, free_port, local_page, quiet_environment, stop

pytest.importorskip("voila")
pytest.importorskip("anywidget")


def slide(selector: str, value: int):
    return lambda page: page.eval_on_selector(
        selector, f"r => {{ r.value = {value}; r.dispatchEvent(new Event('change')); }}"
    )


CONTROLS = [  # controls whose answer from the kernel redraws the output
    lambda page: page.click("button[data-dataset=circles]"),
    slide("input.cr-noise", 30),
    slide("input.cr-ratio", 80),
    lambda page: page.click("canvas[data-feature='x1^2']"),
    lambda page: page.click("button.cr-add-neuron[data-layer='0']"),
    lambda page: page.select_option("select.cr-activation", "relu"),
    lambda page: page.select_option("select.cr-problem", "regression"),
]


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    require_browser()
    home = tmp_path_factory.mktemp("voila")
    port, log = free_port(), home / "playground.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "viz.cli", "playground", "xor", "--no-browser", "--port", str(port)],
            env=quiet_environment(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while not (
            found := re.search(r"open (http://127\.0\.0\.1:\d+/\?token=\w+)", log.read_text())
        ):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.3)
        yield process, found.group(1), port, log
    finally:
        stop(process)
        assert not listening(port), "the Voila server outlived chainrule playground"


def test_chainrule_playground_serves_it_and_stops_on_ctrl_c(app, browser):  # noqa: F811
    process, url, port, log = app
    assert url.startswith(f"http://127.0.0.1:{port}/?token=")
    with local_page(browser, f"http://127.0.0.1:{port}", "voila_playground") as page:
        page.goto(url, timeout=120_000)
        page.wait_for_selector(".cr-playground canvas.cr-neuron", timeout=120_000)
        # the data set asked for, then a control: the kernel builds a network with one more layer
        assert "cr-on" in page.get_attribute("button[data-dataset=xor]", "class")
        page.click("button.cr-add-layer")
        page.wait_for_function(
            "document.querySelectorAll('canvas.cr-neuron').length === 4 + 2 + 2 + 1", timeout=60_000
        )
        before = page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()")
        for epoch in (1, 2, 3):
            page.click("button.cr-step")
            page.wait_for_function(
                f"document.querySelector('.cr-playground').dataset.epoch === '{epoch}'",
                timeout=60_000,
            )
        trained = page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()")
        assert trained != before  # the kernel trained: a new boundary
        page.click("canvas.cr-neuron[data-layer='2'][data-index='0']")
        page.wait_for_selector(".cr-playground .cr-explorer g.node[data-node]", timeout=60_000)
        assert "backward from the loss" in page.inner_text(".cr-chain-title")
        for control in CONTROLS:  # each sends a setting; the kernel answers with new data or network
            shown = page.eval_on_selector("canvas.cr-boundary", "c => c.toDataURL()")
            control(page)
            page.wait_for_function(
                "b => document.querySelector('canvas.cr-boundary').toDataURL() !== b",
                arg=shown, timeout=60_000,
            )
            assert page.inner_text(".cr-playground .cr-error") == ""
        assert page.get_attribute(".cr-playground", "data-epoch") == "0"
    os.kill(process.pid, signal.SIGINT)  # Ctrl-C
    assert process.wait(60) == 0
    assert "chainrule playground: stopping" in log.read_text() and not listening(port)
