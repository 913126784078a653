"""Real-browser test helpers: one headless Debian Chromium per test session, driven by Playwright.

Import the fixtures into a test module (``from tests.browser import browser, screenshot``); the
browser is launched once per process however many modules use it. Screenshots go to
``artifacts/screenshots/`` (kept out of git; CI keeps them as artefacts).
"""

from __future__ import annotations

import atexit
import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

_shared: dict = {}


def _launch():
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        atexit.register(_close)
    return _shared["browser"]


def _close() -> None:
    browser = _shared.pop("browser", None)
    playwright = _shared.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@pytest.fixture(scope="session")
def browser():
    """The session's headless Chromium (skipped, with the reason, when Chromium is absent)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)")
    yield _launch()
    _close()


def new_page(browser, base_url: str, *, viewport: dict | None = None):
    """Open a page with its own context; JavaScript errors on the page fail the test."""
    context = browser.new_context(viewport=viewport or DESKTOP, base_url=base_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def screenshot(page, name: str) -> Path:
    """Save a PNG of the page under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), style="#toasts { visibility: hidden; }")
    return path
