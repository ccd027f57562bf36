"""The documentation site: built by MkDocs in strict mode, then opened in headless Chromium.

The site is built once (``mkdocs build --strict``, as ``make docs``) into a temporary folder and
served by Python's http.server on 127.0.0.1 with a port the system picks; every request the pages
make must stay on that server (no fonts, scripts or search index from the network). Screenshots are
kept in test-artefacts/browser/. The explorer pages are also opened from file://.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser_helpers import ARTEFACTS, ROOT, browser  # noqa: F401 (fixture)

import autograd
import nn
import viz


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``mkdocs build --strict`` of the working tree: no warning, no broken link or reference."""
    pytest.importorskip("mkdocs")
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(f"mkdocs build --strict: {time.perf_counter() - start:.1f} s")
    assert built.returncode == 0, built.stderr[-3000:]
    assert "WARNING" not in built.stderr, built.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The built site on http://127.0.0.1:<a free port>/, stopped whatever happens."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@pytest.fixture
def tab(browser, server: str, request: pytest.FixtureRequest) -> Iterator[object]:  # noqa: F811
    """A page that may load only from the local server (or file://, data:); errors are collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # "Failed to load resource" is reported with its URL by the two handlers below
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on(
        "requestfailed",
        lambda r: (
            None
            if r.url == "about:blank" or "ERR_ABORTED" in (r.failure or "")
            else errors.append(f"failed: {r.url} ({r.failure})")
        ),
    )  # aborted: the test went to another page
    # MathJax 2 may look for a TeX font (MathJax_AMS) before the site's config turns it to the
    # STIX-Web fonts that the packaged MathJax ships: a local 404 that it falls back from
    tex_font = "/assets/mathjax/fonts/HTML-CSS/TeX/"
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}")
        if r.status >= 400 and not (r.status == 404 and tex_font in r.url)
        else None,
    )

    # MathJax 2 probes for installed fonts with an @font-face at about:blank: not a request out
    page.on(
        "console", lambda m: errors.remove(m.text) if "font at 'about:blank'" in m.text else None
    )

    def route(r: object) -> None:
        if r.request.url.startswith((server, "file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            errors.append(f"request left localhost: {r.request.url}")
            r.abort()

    context.route("**/*", route)
    try:
        yield page
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"docs_{request.node.name}.png"), full_page=False)
        assert not errors, errors
    finally:
        context.close()


def test_home_page_links_the_guides_lessons_and_api(tab, server):
    tab.goto(server + "index.html")
    assert "chainrule" in tab.title()
    nav = tab.inner_text("nav.md-nav--primary")
    for entry in (
        "Getting started",
        "Lessons",
        "00 A quick tour",
        "10 Attention from scalars",
        "Derivations",
        "API reference",
    ):
        assert entry in nav


def test_a_lesson_shows_its_outputs_its_math_and_its_pictures(tab, server):
    tab.goto(server + "notebooks/00_quick_tour.html")
    text = tab.inner_text("article")
    assert text.startswith("In this lesson") or "In this lesson" in text[:400]
    assert "step 99 loss 0.010978370135492717, accuracy 100.0%" in text  # a stored cell output
    assert (
        tab.locator("article .jp-OutputArea-output img, article .jp-OutputArea-output svg").count()
        >= 3
    )
    tab.goto(server + "notebooks/01_chain_rule.html")
    tab.wait_for_selector(
        "article .MathJax, article mjx-container", timeout=30_000
    )  # math typeset offline
    intro = tab.inner_text(".lesson-intro")
    assert "D2" in intro and "D3" in intro
    tab.click(".lesson-intro a:has-text('D2')")  # the intro's link to the derivation
    tab.wait_for_url("**/derivations.html#d2")
    assert "Lesson: 01" in tab.inner_text('p:has([id="d2"])')
    tab.go_back()
    assert tab.locator("details.solution").count() == 1
    assert not tab.is_visible("details.solution pre")  # the solutions stay behind the reveal
    tab.click("details.solution summary")
    assert tab.is_visible("details.solution pre")


def test_an_embedded_explorer_steps_and_answers_a_click(tab, server):
    tab.goto(server + "notebooks/04_neurons_to_mlp.html")
    frame = tab.frame_locator("iframe[title=explorer]")
    frame.locator("button:has-text('next')").click()
    assert frame.locator("g.node.cr-current").count() >= 1
    tab.locator("iframe[title=explorer]").scroll_into_view_if_needed()
    frame.locator("button.cr-fit").click()  # the whole graph inside the page's 560 px frame
    frame.locator('g.node[data-node="v0"]').click()
    panel = frame.locator(".cr-panel").inner_text()
    assert "x1 (input)" in panel and "data = 2.0000" in panel
    tab.locator("iframe[title=explorer]").scroll_into_view_if_needed()


def test_the_recorded_training_run_scrubs(tab, server):
    tab.goto(server + "explorers/training_run.html")
    assert tab.inner_text(".cr-status").startswith("snapshot 11 of 11, step 30")
    tab.eval_on_selector(
        ".cr-scrubber", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }"
    )
    assert tab.get_attribute(".cr-replay", "data-step") == "0"


def test_the_api_page_documents_nn_fit(tab, server):
    tab.goto(server + "api/nn.html#nn.train.fit")
    fit = tab.locator('[id="nn.train.fit"]')
    assert fit.count() == 1
    text = tab.inner_text("article")
    assert "Train model on (X, y)" in text or "Train ``model``" in text or "Train model" in text
    for name in nn.__all__:  # every public name has its section
        assert f"nn.{name}" in text


def test_the_api_pages_cover_every_public_name_and_the_rule_formulas(tab, server):
    for package in (autograd, viz):
        tab.goto(server + f"api/{package.__name__}.html")
        text = tab.inner_text("article")
        missing = [n for n in package.__all__ if f"{package.__name__}.{n}" not in text]
        assert not missing
    tab.goto(server + "api/rules.html")
    text = " ".join(tab.inner_text("article").split())
    assert all(" ".join(rule.formula.split()) in text for rule in autograd.RULES.values())
    assert "D5" in text and "D1" in text  # the derivation beside each rule


def search(tab, query: str) -> str:
    """Type ``query`` into the search box until the index (loaded by a worker) answers."""
    for _ in range(6):
        tab.fill("input.md-search__input", "")
        tab.focus("input.md-search__input")
        tab.keyboard.type(query, delay=20)
        try:
            tab.wait_for_selector(".md-search-result__item", timeout=5_000)
            return tab.inner_text(".md-search-result")
        except Exception:  # the index was not loaded yet: type again
            continue
    raise AssertionError(f"search for {query!r} found nothing")


def test_search_finds_backward(tab, server):
    tab.goto(server + "index.html")
    assert "backward" in search(tab, "backward").lower()


def test_explorer_pages_work_opened_from_file(tab, site):
    tab.goto((site / "explorers" / "09.html").as_uri())
    tab.click("button:has-text('next')")
    assert tab.locator("g.node.cr-current").count() >= 1
    tab.goto((site / "index.html").as_uri())
    assert "backward" in search(tab, "backward").lower()  # the index inlined for file://
    tab.goto((site / "notebooks" / "00_quick_tour.html").as_uri())
    frame = tab.frame_locator("iframe[title=explorer]")
    frame.locator("button:has-text('next')").click()
    assert frame.locator("g.node.cr-current").count() >= 1
