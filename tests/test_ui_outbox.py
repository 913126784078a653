"""Wink's outbox in the browser (real Chromium, live sandbox): Send test event from a webhook's actions,
and Cancel on a scheduled delivery, each change seen live."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import Receiver, wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui") / "ui.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


@pytest.fixture
def page(browser, server):  # noqa: F811 (the fixture imported above)
    page = new_page(browser, server.url)
    yield page
    assert page.js_errors == []
    page.context.close()


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def test_send_test_event_from_the_webhooks_actions(page, server):
    hotel = api(server, "POST", "/api/managing-entity", json={"name": "The Siam Residences", "type": "HOTEL"})
    with Receiver() as receiver:
        api(server, "POST", f"/api/managing-entity/{hotel['id']}/webhook",
            json={"name": "Rooms feed", "eventUrl": receiver.url, "eventList": ["room_type.created"]})
        page.goto(f"/accounts/{hotel['id']}")
        row = page.locator("tr", has_text="Rooms feed")
        expect(row.locator(".last-delivery")).to_contain_text("No deliveries yet")
        row.get_by_role("button", name=re.compile("Actions")).click()
        page.get_by_role("menuitem", name="Send test event").click()
        expect(page.locator("#toasts")).to_contain_text('Test event room_type.created sent to "Rooms feed"')
        [got] = receiver.wait_for(1)
        assert got.json()["type"] == "room_type.created"
        expect(row.locator(".last-delivery [data-status]")).to_have_attribute("data-status", "succeeded")
        expect(row.locator(".last-delivery")).to_contain_text("200 · Succeeded")
        screenshot(page, "outbox-test-event")
        page.locator("#toasts").get_by_role("link", name="View delivery").click()
        expect(page.locator("#title")).to_have_text("room_type.created")
        expect(page.locator("#cancel")).to_be_hidden()   # succeeded: nothing left to cancel


def test_cancel_a_scheduled_delivery_and_watch_it_live(page, browser, server):  # noqa: F811
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Cool Account", "type": "TRAVEL_AGENT"})
    answer = {"status": 503}
    with Receiver(lambda r: (answer["status"], {}, b"busy")) as receiver:
        hook = api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
                   json={"name": "Busy receiver", "eventUrl": receiver.url, "eventList": []})["webhook"]
        api(server, "PUT", f"/api/webhooks/{hook['id']}/retry-schedule", json={"schedule": [600]})
        [event] = api(server, "POST", "/api/events", json={"event": "booking.create", "entity": agent["id"]})[
            "events"]
        delivery_id = event["deliveries"][0]["id"]
        receiver.wait_for(1)
        wait_until(lambda: api(server, "GET", f"/api/deliveries/{delivery_id}")["status"] == "retrying")

        watcher = new_page(browser, server.url)   # a second viewer sees the cancel without reloading
        watcher.goto(f"/deliveries/{delivery_id}")
        expect(watcher.locator("#conn")).to_have_attribute("data-state", "live")
        expect(watcher.locator("#title-status [data-status]")).to_have_attribute("data-status", "retrying")

        page.goto(f"/deliveries/{delivery_id}")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
        cancel = page.get_by_role("button", name="Cancel delivery")
        expect(cancel).to_be_visible()
        page.once("dialog", lambda dialog: pytest.fail(f"a native dialog opened: {dialog.message}"))
        cancel.click()
        _confirm(page)
        expect(page.locator("#toasts")).to_contain_text("Delivery cancelled")
        expect(page.locator("#title-status [data-status]")).to_have_attribute("data-status", "cancelled")
        expect(cancel).to_be_hidden()
        expect(page.locator("#summary")).to_contain_text("None scheduled")
        screenshot(page, "outbox-cancelled-delivery")

        expect(watcher.locator("#title-status [data-status]")).to_have_attribute("data-status", "cancelled")
        expect(watcher.get_by_role("button", name="Cancel delivery")).to_be_hidden()
        assert watcher.js_errors == []
        watcher.context.close()
        assert api(server, "GET", f"/api/deliveries/{delivery_id}")["status"] == "cancelled"
        assert len(receiver.requests) == 1

        # Redeliver (Wink's redeliver, for a cancelled delivery) sends it again.
        answer["status"] = 200
        page.get_by_role("button", name="↻ Redeliver").click()
        expect(page.locator("#title-status [data-status]")).to_have_attribute("data-status", "succeeded")
        assert len(receiver.wait_for(2)) == 2


def test_cancel_a_scheduled_delivery_from_the_live_log(page, server):
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Log Agent", "type": "TRAVEL_AGENT"})
    with Receiver(lambda r: (503, {}, b"busy")) as receiver:
        hook = api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
                   json={"name": "Down receiver", "eventUrl": receiver.url, "eventList": []})["webhook"]
        api(server, "PUT", f"/api/webhooks/{hook['id']}/retry-schedule", json={"schedule": [600]})
        page.goto(f"/log?entity={agent['id']}")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
        [event] = api(server, "POST", "/api/events", json={"event": "booking.create", "entity": agent["id"]})[
            "events"]
        delivery_id = event["deliveries"][0]["id"]
        row = page.locator(f"#log tr[data-id='{delivery_id}']")
        expect(row).to_have_attribute("data-outcome", "retrying")
        cancel = row.get_by_role("button", name=re.compile("^Cancel delivery"))
        page.once("dialog", lambda dialog: pytest.fail(f"a native dialog opened: {dialog.message}"))
        cancel.click()
        _confirm(page)
        expect(page.locator("#toasts")).to_contain_text("Delivery cancelled")
        expect(row).to_have_attribute("data-outcome", "cancelled")
        expect(cancel).to_be_hidden()
        screenshot(page, "live-log-cancelled")
        assert api(server, "GET", f"/api/deliveries/{delivery_id}")["status"] == "cancelled"
        assert len(receiver.requests) == 1
        assert page.js_errors == []


def _confirm(page):
    """Answer OK in the product's own confirmation dialog (dialog.js), not the browser's confirm()."""
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Cancel this delivery? No further attempt starts.")
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(dialog).to_be_hidden()
