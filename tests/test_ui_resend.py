"""Edit and resend on a delivery's page, in real Chromium against a live sandbox and a real receiver
(issue 15): the diff is shown before sending, the receiver gets the edited letter, a schema break is
refused with its path and rule, and a forced edit is marked on the new delivery's page."""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import PHONE, browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import Receiver


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


def test_edit_and_resend_shows_the_diff_then_sends(page, server):
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Resend Agent", "type": "TRAVEL_AGENT"})
    with Receiver() as receiver:
        api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
            json={"name": "Bookings", "eventUrl": receiver.url, "eventList": []})
        [event] = api(server, "POST", "/api/events", json={"event": "booking.create", "entity": agent["id"],
                                                           "seed": 5})["events"]
        original = json.loads(receiver.wait_for(1)[0].body)
        page.goto(f"/deliveries/{event['deliveries'][0]['id']}")
        page.get_by_role("button", name="Edit and resend").click()
        dialog = page.get_by_role("dialog", name="Edit and resend")
        expect(dialog).to_be_visible()
        send = dialog.get_by_role("button", name="Send", exact=True)
        expect(send).to_be_disabled()                      # nothing is sent before a preview

        # A break of the schema is refused with its path and rule.
        dialog.get_by_label("Edits").fill("stay.adults=three")
        dialog.get_by_role("button", name="Preview diff").click()
        expect(dialog.locator("#resend-error")).to_contain_text("object.stay.adults")
        expect(dialog.locator("#resend-error")).to_contain_text("rule: type")
        expect(send).to_be_disabled()

        dialog.get_by_label("Edits").fill("stay.adults=3\nguest.firstName=Inês")
        dialog.get_by_label("Keep id and occurredAt (a duplicate)").check()
        dialog.get_by_role("button", name="Preview diff").click()
        diff = dialog.locator("#resend-diff")
        expect(diff.locator(".diff-add", has_text='"adults": 3')).to_be_visible()
        was = original["object"]["stay"]["adults"]
        expect(diff.locator(".diff-del", has_text=f'"adults": {was}')).to_be_visible()
        expect(diff).to_contain_text('"firstName": "Inês"')
        expect(dialog.locator("#resend-targets")).to_contain_text("Bookings")
        screenshot(page, "resend-diff-preview")
        assert len(receiver.requests) == 1                 # a preview sends nothing
        expect(send).to_be_enabled()
        send.click()
        expect(page.locator("#toasts")).to_contain_text("Resent to 1 webhook")
        got = json.loads(receiver.wait_for(2)[1].body)
        assert got["id"] == original["id"] and got["occurredAt"] == original["occurredAt"]
        assert got["object"]["stay"]["adults"] == 3 and got["object"]["guest"]["firstName"] == "Inês"

        # The new delivery's page says what it is.
        page.locator("#toasts").get_by_role("link", name="View delivery").click()
        expect(page.locator("#resend-info")).to_contain_text("same id and occurredAt")
        expect(page.locator("#outside-contract")).to_have_count(0)


def test_a_forced_edit_is_marked_outside_the_contract(page, server):
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Forced Agent", "type": "TRAVEL_AGENT"})
    with Receiver() as receiver:
        api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
            json={"name": "Strict receiver", "eventUrl": receiver.url, "eventList": []})
        [event] = api(server, "POST", "/api/events", json={"event": "booking.create", "entity": agent["id"]})[
            "events"]
        receiver.wait_for(1)
        page.goto(f"/deliveries/{event['deliveries'][0]['id']}")
        page.get_by_role("button", name="Edit and resend").click()
        dialog = page.get_by_role("dialog", name="Edit and resend")
        dialog.get_by_label("JSON Patch (RFC 6902)").check()
        dialog.get_by_label("Edits").fill('[{"op": "replace", "path": "/stay/adults", "value": "three"}]')
        dialog.get_by_label("Send even if the edit breaks").check()
        dialog.get_by_role("button", name="Preview diff").click()
        expect(dialog.locator("#resend-problems")).to_contain_text("Outside the contract")
        expect(dialog.locator("#resend-problems")).to_contain_text("object.stay.adults")
        dialog.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator("#toasts")).to_contain_text("Resent to 1 webhook")
        got = json.loads(receiver.wait_for(2)[1].body)
        assert got["object"]["stay"]["adults"] == "three" and got["id"] != event["id"]
        page.locator("#toasts").get_by_role("link", name="View delivery").click()
        expect(page.locator("#outside-contract")).to_have_text("Edited outside the contract")
        expect(page.locator("#resend-info")).to_contain_text("as a new letter")
        screenshot(page, "resend-outside-contract")


def test_the_dialog_in_portuguese_on_a_phone(browser, server):  # noqa: F811 (the fixture imported above)
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Agente", "type": "TRAVEL_AGENT"})
    api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
        json={"name": "Caixa", "eventUrl": server.url + "/inbox/caixa", "eventList": []})
    fired = api(server, "POST", "/api/events", json={"event": "booking.create", "entity": agent["id"]})
    [event] = fired["events"]
    page = new_page(browser, server.url, viewport=PHONE)
    page.context.add_cookies([{"name": "lang", "value": "pt-PT", "url": server.url}])
    page.goto(f"/deliveries/{event['deliveries'][0]['id']}")
    page.get_by_role("button", name="Editar e reenviar").click()
    dialog = page.get_by_role("dialog", name="Editar e reenviar")
    dialog.get_by_label("Edições").fill("stay.adults=3")
    dialog.get_by_role("button", name="Pré-visualizar diferenças").click()
    expect(dialog.locator("#resend-diff .diff-add")).to_contain_text('"adults": 3')
    expect(dialog.locator("#resend-targets")).to_contain_text("Vai para: Caixa")
    assert page.evaluate("(() => { const d = document.querySelector('#resend-dialog');"
                         " return d.scrollWidth <= d.clientWidth; })()")   # nothing wider than the phone
    screenshot(page, "resend-phone-pt")
    assert page.js_errors == []
    page.context.close()
