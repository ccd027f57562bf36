"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright.

Never ``playwright install``: the tests use the system browser at ``/usr/bin/chromium`` (or
$CHAINRULE_CHROMIUM). Without it (or without the ``playwright`` package) the tests skip with a
message saying how to install them; under CI=true that is a failure instead, so CI cannot pass
without having run them. Every page is watched for console errors and uncaught exceptions, and a
screenshot of each test's page is kept in ``test-artefacts/browser/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "test-artefacts" / "browser"
CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync"]
INSTALL = ("install a browser for them: `sudo apt-get install chromium` (Debian/Ubuntu; or set CHAINRULE_CHROMIUM "
           "to a Chromium executable) and `pip install -e '.[test]'` for Playwright; never `playwright install`")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing() -> str:
    """Why the browser tests cannot run here ('' when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}"
    return ""


def require_browser() -> None:
    """Skip (locally) or fail (under CI=true) when the browser tests cannot run."""
    why = missing()
    if why:
        message = f"browser tests: {why}; {INSTALL}"
        if in_ci():
            pytest.fail(message + " (CI=true: a missing browser is a failure)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page and the console errors and uncaught exceptions it produced."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        # the page must work offline: any request leaving the file is an error
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else (self.errors.append(f"network request to {route.request.url}"), route.abort()))


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh page; after the test, a screenshot in test-artefacts/browser/ and no console errors."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    watched = Watched(context.new_page())
    try:
        yield watched.page
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        watched.page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
        assert not watched.errors, f"the page logged errors: {watched.errors}"
    finally:
        context.close()
