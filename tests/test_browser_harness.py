"""The browser tests' harness: without Chromium they skip locally, saying how to install it, and
fail under CI=true (so CI cannot pass without having run them)."""

from __future__ import annotations

import browser_helpers
import pytest


def test_a_missing_browser_is_a_skip_with_install_advice_locally(monkeypatch):
    monkeypatch.setattr(browser_helpers, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser_helpers.require_browser()


def test_a_missing_browser_is_a_failure_under_ci(monkeypatch):
    monkeypatch.setattr(browser_helpers, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: a missing browser is a failure"):
        browser_helpers.require_browser()
