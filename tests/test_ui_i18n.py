"""The UI in Portuguese, in a real Chromium: the switcher, its memory across reloads, the browser's
own language as the default, and dates and numbers in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import DESKTOP, PHONE, browser, screenshot  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui-i18n") / "ui.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def _page(browser, server, *, locale=None, viewport=None):  # noqa: F811
    """A page in a context of its own, set to ``locale`` as a browser in that language would be."""
    options = {"locale": locale} if locale else {}
    context = browser.new_context(base_url=server.url, viewport=viewport or DESKTOP, timezone_id="UTC",
                                  **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def _nav(page):
    return page.get_by_role("navigation", name="Principal")


def test_the_switcher_turns_the_ui_portuguese_and_remembers_it(browser, server):  # noqa: F811
    page = _page(browser, server)
    page.goto("/log")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    page.get_by_role("link", name="Português").click()
    # Back on the same page, in Portuguese.
    expect(page).to_have_url(f"{server.url}/log")
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    expect(page).to_have_title("Registo em direto · Webhook Sandbox")
    expect(_nav(page).get_by_role("link", name="Contas")).to_be_visible()
    expect(page.get_by_role("link", name="Português")).to_have_attribute("aria-current", "true")
    # Remembered across reloads and on other pages.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    _nav(page).get_by_role("link", name="Contas").click()
    expect(page).to_have_title("Contas · Webhook Sandbox")
    assert page.evaluate("document.cookie").count("lang=pt-PT") == 1
    screenshot(page, "i18n-switched-pt")
    # And back to English.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_title("Accounts · Webhook Sandbox")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.js_errors == []
    page.context.close()


def test_a_portuguese_browser_gets_portuguese_by_default(browser, server):  # noqa: F811
    page = _page(browser, server, locale="pt-PT")
    assert page.evaluate("navigator.language") == "pt-PT"
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    expect(_nav(page).get_by_role("link", name="Registo em direto")).to_be_visible()
    # The choice still wins over the browser's language.
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page).to_have_title("Accounts · Webhook Sandbox")
    assert page.js_errors == []
    page.context.close()


def test_an_english_browser_gets_english(browser, server):  # noqa: F811
    page = _page(browser, server, locale="en-GB")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Live log")).to_be_visible()
    page.context.close()


def test_the_switcher_is_on_a_phone_too(browser, server):  # noqa: F811
    page = _page(browser, server, viewport=PHONE)
    page.goto("/")
    switch = page.get_by_role("link", name="Português")
    expect(switch).to_be_visible()
    assert switch.inner_text().strip() == "PT"  # the short code: the name is hidden on a phone
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    screenshot(page, "i18n-phone-pt")
    page.context.close()


def test_dates_and_numbers_follow_the_language(browser, server):  # noqa: F811
    """The page scripts' formats (sandbox/static/js/dom.js, through Intl) in each language."""
    page = _page(browser, server, locale="pt-PT")
    formats = """async () => {
        const dom = await import('/static/js/dom.js');
        const at = '2026-02-03T14:03:07.120';
        return [dom.duration(1234.5), dom.duration(87), dom.dateTime(at), dom.clock(at, {ms: true}),
                dom.relative(new Date(Date.now() - 3 * 60 * 1000).toISOString())];
    }"""
    page.goto("/")
    duration, short, when, clock, ago = page.evaluate(formats)
    assert (duration, short, ago) == ("1,23 s", "87 ms", "há 3 min")
    assert (when, clock) == ("3/02/2026, 14:03:07", "14:03:07,120")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    duration, short, when, clock, ago = page.evaluate(formats)
    assert (duration, short, ago) == ("1.23 s", "87 ms", "3 min. ago")
    assert (when, clock) == ("Feb 3, 2026, 14:03:07", "14:03:07.120")
    page.context.close()
