"""The playground and the explorer inside a real JupyterLab, driven by headless Chromium.

One JupyterLab server for the module, on 127.0.0.1 with a free port and a token made here, stopped
whatever happens. The notebook's cells are run in the page; the widgets talk to a real kernel over
the real widget protocol; the page may reach nothing but that server.
"""

from __future__ import annotations

import math
import os
import re

import nbformat
import pytest
from browser_helpers import ARTEFACTS, browser, require_browser  # noqa: F401 (fixture)
from server_helpers import PYTHON, free_port, local_page, new_token, quiet_environment, server

pytest.importorskip("anywidget")
pytest.importorskip("jupyterlab")
pytest.importorskip("ipywidgets")

CELLS = [
    "import viz\npg = viz.playground(samples=60, lr=0.1)\npg",
    'ex = viz.explore("tanh(x*w + b)", x=0.5, w=-1.0, b=2.0)\nex',
    # run after the clicks: what the kernel did, against references recorded from scratch
    "import autograd\nfrom viz.interactive.playground_chain import loss_graph\n"
    "s, c = pg.session, pg.chain\n"
    "row = s.train_rows[c['example']]\nloss = (s.model(s.F[row].tolist()) - float(s.t[row])) ** 2\n"
    "_, params = loss_graph(s, c['example'], c['layer'], c['index'])\n"
    "shown = {n['name']: n['grad'] for n in c['graph']['nodes'].values()}\n"
    "gap = max(abs(shown[p.label] - g) for p, g in zip(params, autograd.gradients(loss, params)))\n"
    "print('RESULT', s.epochs, s.history['train'][0], s.history['train'][-1], gap, "
    "c['graph']['nodes'][c['graph']['output']]['name'])",
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser):  # noqa: F811
    require_browser()
    home = tmp_path_factory.mktemp("jupyter")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, home / "playground.ipynb")
    port, token = free_port(), new_token()
    command = [
        PYTHON,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home}",
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabServerApp.extension_manager=readonly",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    origin = f"http://127.0.0.1:{port}"
    with server(
        command, f"{origin}/api/status?token={token}", quiet_environment(home), home / "lab.log"
    ):
        yield origin, token


def run_cell(page, index: int) -> None:  # noqa: F811
    page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def test_playground_and_explorer_in_jupyterlab(lab, browser):  # noqa: F811
    origin, token = lab
    with local_page(browser, origin, "jupyterlab_playground", width=1400) as page:
        page.goto(f"{origin}/lab/tree/playground.ipynb?token={token}", timeout=120_000)
        page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor", timeout=120_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)  # the kernel
        run_cell(page, 0)
        choose = page.locator(".jp-Dialog .jp-mod-accept")  # JupyterLab may still ask which kernel
        if choose.is_visible():
            choose.click()
        run_cell(page, 1)
        page.wait_for_selector(".cr-playground canvas.cr-neuron", timeout=120_000)
        page.wait_for_selector(".cr-explorer input[type=range]", timeout=120_000)
        # play: the kernel trains epoch after epoch until paused
        before = page.eval_on_selector(".cr-playground canvas.cr-boundary", "c => c.toDataURL()")
        page.click(".cr-playground button.cr-play")
        page.wait_for_function(
            "+document.querySelector('.cr-playground').dataset.epoch >= 5", timeout=60_000
        )
        page.click(".cr-playground button.cr-play")
        assert (
            page.eval_on_selector(".cr-playground canvas.cr-boundary", "c => c.toDataURL()")
            != before
        )
        # a click on a neuron: its graph from the loss, in the explorer
        page.click(".cr-playground canvas.cr-neuron[data-layer='1'][data-index='0']")
        page.wait_for_selector(".cr-playground .cr-explorer g.node[data-node]", timeout=60_000)
        assert "backward from the loss" in page.inner_text(".cr-chain-title")
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(".cr-playground").screenshot(
            path=str(ARTEFACTS / "jupyterlab_playground_widget.png")
        )
        # the explorer's slider: the kernel records the graph again and sends new numbers
        explorer = page.locator(".jp-Cell").nth(1).locator(".cr-explorer").first
        node = explorer.evaluate(
            "e => [...e.querySelectorAll('.cr-slider')].find(s => s.querySelector("
            "'.cr-slider-name').textContent === 'x').querySelector('input').dataset.node"
        )
        shown = f"g.node[data-node='{node}']"
        group = explorer.locator(shown).first.element_handle()
        before = group.text_content()
        explorer.locator(f"input[data-node='{node}']").evaluate(
            "s => { s.value = 1.5; s.dispatchEvent(new Event('input')); }"
        )
        page.wait_for_function(
            "g => g.textContent.includes('data 1.5000')", arg=group, timeout=60_000
        )
        after = group.text_content()
        t = math.tanh(1.5 * -1.0 + 2.0)
        assert after != before and f"grad {(1 - t * t) * -1.0:.4f}" in after
        # the kernel's own account, checked against a loss recorded from scratch
        run_cell(page, 2)
        output = page.locator(".jp-Cell").nth(2).locator(".jp-OutputArea-output")
        output.wait_for(timeout=60_000)
        words = re.search(r"RESULT (\d+) (\S+) (\S+) (\S+) (\S+)", output.inner_text()).groups()
        epochs, first, last, gap = int(words[0]), float(words[1]), float(words[2]), float(words[3])
        assert epochs >= 5 and last < first and gap < 1e-12 and words[4] == "loss"
