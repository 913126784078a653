"""Hold and release in the browser (real Chromium, live sandbox, real receiver on 127.0.0.1): from the
webhook's Actions menu to its Hold queue page, then hold, reorder, drop, release one, the first N and
all, and resume, with mouse clicks; a second page and the live log follow every step without reloading."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import Receiver, wait_until
from tests.test_ui_account import click, open_actions


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui") / "ui.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def held_row(page, delivery_id: str):
    return page.locator(f'tr[data-delivery="{delivery_id}"]')


def button(page, delivery_id: str, name: str):
    """A row's button by the start of its accessible name (Move up, Drop, Release...)."""
    return held_row(page, delivery_id).get_by_role("button", name=re.compile(name))


def fire(server, account: dict, count: int = 1) -> list[str]:
    events = api(server, "POST", "/api/events", json={"event": "booking.create", "entity": account["id"],
                                                      "count": count})["events"]
    return [event["deliveries"][0]["id"] for event in events]


def queue_ids(page) -> list[str]:
    return page.locator("#queue tr").evaluate_all("rows => rows.map(r => r.dataset.delivery)")


def test_hold_reorder_drop_release_and_resume_with_clicks(browser, server):  # noqa: F811
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Cool Account", "type": "TRAVEL_AGENT"})
    with Receiver() as receiver:
        hook = api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook", json={
            "name": "Front desk", "eventUrl": receiver.url + "/hook", "eventList": []})["webhook"]
        page = new_page(browser, server.url)
        watcher = new_page(browser, server.url)
        log = new_page(browser, server.url)
        try:
            page.goto(f"/accounts/{agent['id']}")
            row = page.locator("tr", has_text="Front desk")
            click(page, open_actions(page, row).get_by_role("menuitem", name="Hold queue"), scroll=False)
            expect(page).to_have_url(re.compile(f"/webhooks/{hook['id']}/hold$"))
            expect(page.locator("#title")).to_have_text("Hold queue · Front desk")
            expect(page.locator("#hold-state")).to_contain_text("Delivering")
            expect(page.locator("#conn")).to_have_attribute("data-state", "live")
            watcher.goto(f"/webhooks/{hook['id']}/hold")
            expect(watcher.locator("#conn")).to_have_attribute("data-state", "live")
            log.goto(f"/log?webhookId={hook['id']}")

            click(page, page.get_by_role("button", name="Hold deliveries"))
            expect(page.locator("#hold-state")).to_contain_text("On hold")
            expect(watcher.locator("#hold-state")).to_contain_text("On hold")   # live, no reload

            d = fire(server, agent, 4)
            expect(page.locator("#queue tr")).to_have_count(4)       # each one queued live
            expect(watcher.locator("#queue tr")).to_have_count(4)
            assert queue_ids(page) == d
            expect(page.locator("#queue-count")).to_have_text("4")
            expect(log.locator('#log [data-status="held"]')).to_have_count(4)   # HELD in the live log
            screenshot(page, "hold-queue")

            # Reorder: #4 to the top with its position box, then #1 (now second) down one, #3 up one.
            held_row(page, d[3]).get_by_role("spinbutton").fill("1")
            click(page, button(page, d[3], "to this position"))
            expect(page.locator("#queue tr").first).to_have_attribute("data-delivery", d[3])
            click(page, button(page, d[0], "^Move down"))
            expect(page.locator("#queue tr").nth(2)).to_have_attribute("data-delivery", d[0])
            click(page, button(page, d[2], "^Move up"))
            expect(page.locator("#queue tr").nth(2)).to_have_attribute("data-delivery", d[2])
            assert queue_ids(page) == [d[3], d[1], d[2], d[0]]
            expect(watcher.locator("#queue tr").first).to_have_attribute("data-delivery", d[3])
            wait_until(lambda: queue_ids(watcher) == [d[3], d[1], d[2], d[0]], message="the watcher's order")

            click(page, button(page, d[1], "^Drop"))
            expect(page.locator("#queue tr")).to_have_count(3)
            expect(page.locator("#activity")).to_contain_text("cancelled (dropped from the hold queue)")
            assert api(server, "GET", f"/api/deliveries/{d[1]}")["status"] == "cancelled"

            click(page, button(page, d[2], "^Release"))
            receiver.wait_for(1)
            expect(page.locator("#queue tr")).to_have_count(2)
            expect(watcher.locator("#activity")).to_contain_text("released (was #2; 2 still held)")
            expect(watcher.locator("#activity")).to_contain_text("delivered: 200")

            page.locator("#release-count").fill("1")
            click(page, page.locator("#release-first"))
            receiver.wait_for(2)
            expect(page.locator("#queue tr")).to_have_count(1)
            fire(server, agent)
            expect(page.locator("#queue tr")).to_have_count(2)       # still held: a new one queues
            late = queue_ids(page)[1]
            click(page, page.get_by_role("button", name="Release all"))
            receiver.wait_for(4)
            expect(page.locator("#queue-empty")).to_contain_text("Nothing queued")
            assert [r.headers["Wink-Delivery-Id"] for r in receiver.requests] == [d[2], d[3], d[0], late]

            click(page, page.get_by_role("button", name="Resume"))
            expect(page.locator("#hold-state")).to_contain_text("Delivering")
            expect(watcher.locator("#hold-state")).to_contain_text("Delivering")
            expect(page.locator("#activity")).to_contain_text("Hold ended: 0 released")
            fire(server, agent)
            receiver.wait_for(5)                                      # resumed: it goes out at once
            expect(page.locator("#queue tr")).to_have_count(0)
            screenshot(page, "hold-queue-resumed")
            for viewer in (page, watcher, log):
                assert viewer.js_errors == []
        finally:
            for viewer in (page, watcher, log):
                viewer.context.close()


def test_a_refused_move_is_said_and_an_unknown_webhook_too(browser, server):  # noqa: F811
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Refusals", "type": "TRAVEL_AGENT"})
    hook = api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
               json={"name": "Gone soon", "eventUrl": "http://127.0.0.1:9/x", "eventList": []})["webhook"]
    api(server, "POST", f"/api/webhooks/{hook['id']}/hold")
    [delivery_id] = fire(server, agent)
    page = new_page(browser, server.url)
    try:
        page.goto(f"/webhooks/{hook['id']}/hold")
        held_row(page, delivery_id).get_by_role("spinbutton").fill("9")
        click(page, button(page, delivery_id, "to this position"))
        expect(page.locator("#toasts")).to_contain_text("position: must be a whole number from 1 to 1")
        expect(page.locator("#queue tr")).to_have_count(1)
        # Another client drops it: the live log tells the page, which shows the empty queue.
        api(server, "POST", f"/api/webhooks/{hook['id']}/hold/drop", json={"deliveryId": delivery_id})
        expect(page.locator("#queue tr")).to_have_count(0)
        expect(page.locator("#queue-empty")).to_contain_text("Nothing queued")
        page.goto("/webhooks/no-such-webhook/hold")
        expect(page.locator("#error")).to_contain_text("No webhook")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_the_hold_queue_in_portuguese(browser, server):  # noqa: F811
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Hotel Lisboa", "type": "HOTEL"})
    hook = api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
               json={"name": "Receção", "eventUrl": "http://127.0.0.1:9/x", "eventList": []})["webhook"]
    context = browser.new_context(base_url=server.url, locale="pt-PT")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"/webhooks/{hook['id']}/hold")
        expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
        expect(page.locator("#title")).to_have_text("Fila retida · Receção")
        expect(page.locator("#hold-state")).to_have_text("A entregar")
        click(page, page.get_by_role("button", name="Reter entregas"))
        expect(page.locator("#hold-state")).to_have_text("Retido")
        fire(server, agent, 2)
        expect(page.locator("#queue tr")).to_have_count(2)
        expect(page.locator("#queue [data-status=held]").first).to_have_text("Retida")
        expect(page.locator("#activity")).to_contain_text(
            "Retenção iniciada: 0 entregas em espera postas na fila")
        expect(page.locator("#activity")).to_contain_text("retido na posição 2")
        click(page, page.get_by_role("button", name="Libertar todas"))
        expect(page.locator("#toasts")).to_contain_text("2 entregas libertadas pela ordem da fila")
        assert errors == []
    finally:
        context.close()
