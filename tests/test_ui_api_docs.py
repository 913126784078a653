"""The API reference (real Chromium, live sandbox): the vendored Swagger UI renders the sandbox's own
OpenAPI document offline. Every request that is not to 127.0.0.1 is blocked and fails the test; the
sidebar's "API reference" opens it in a new tab."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import browser, new_page  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui") / "ui.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def offline(page) -> list[str]:
    """Block every request to anywhere but 127.0.0.1 on the page's context; return the list of tries."""
    tried: list[str] = []

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    page.context.route("**/*", route)
    return tried


def test_the_reference_renders_every_operation_offline(browser, server):  # noqa: F811
    page = new_page(browser, server.url)
    tried = offline(page)
    page.goto("/reference")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Webhook Sandbox API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=30_000)
    assert operations.count() > 40
    health = page.locator(".opblock", has_text="/api/webhooks/{id}/health")
    expect(health).to_contain_text("A webhook's health and timeout budget")
    health.locator(".opblock-summary").click()
    expect(health).to_contain_text("window")
    expect(page.locator(".opblock", has_text="send-test-event").first).to_be_visible()
    assert tried == [], f"the reference tried to reach the network: {tried}"
    assert page.js_errors == []
    page.context.close()


def test_the_sidebar_opens_the_reference_in_a_new_tab(browser, server):  # noqa: F811
    page = new_page(browser, server.url)
    tried = offline(page)
    page.goto("/")
    link = page.get_by_role("link", name="API reference")
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    with page.context.expect_page() as opened:
        link.click()
    reference = opened.value
    # Swagger UI renders the whole spec in the page: seconds on a loaded machine, not a hang.
    expect(reference.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert reference.url == f"{server.url}/reference"
    assert page.url == f"{server.url}/"   # the UI stays where it was
    assert tried == []
    page.context.close()
