"""The live log and the delivery detail page in a real Chromium (issue 14): the paused wording, a
missing delivery, the attempt timeline's colours, and what consoles offer (copy, tabs, search, paging)."""

from __future__ import annotations

import json
import re

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import DESKTOP, PHONE, browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import wait_until

# Failed attempts wait a minute before their retry, so a failing delivery stays "retrying".
CONFIG = {"TESTING": True, "RETRY_SCHEDULE": [60]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({**CONFIG, "DATABASE": str(tmp_path_factory.mktemp("ui-log") / "log.db")})
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


def call(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def setup_account(server, name, hooks):
    """An account with one webhook per (name, inbox, status), each inbox answering with its status."""
    account = call(server, "POST", "/api/managing-entity", json={"name": name, "type": "HOTEL"})
    for hook_name, inbox, status in hooks:
        call(server, "PUT", f"/api/inbox/{inbox}", json={"status": status})
        call(server, "POST", f"/api/managing-entity/{account['id']}/webhook",
             json={"name": hook_name, "eventUrl": f"{server.url}/inbox/{inbox}", "eventList": []})
    return account


def fire(server, account, event="booking.created", **fields) -> dict:
    return call(server, "POST", "/api/events", json={"event": event, "entity": account["id"], **fields})


def delivery_when(server, delivery_id, status):
    return wait_until(lambda: (d := call(server, "GET", f"/api/deliveries/{delivery_id}"))["status"] == status
                      and d)


def test_paused_note_counts_deliveries_not_messages(page, server):
    account = setup_account(server, "Pause Hotel", [("Pause A", "pause-a", 200), ("Pause B", "pause-b", 200)])
    page.goto(f"/log?entity={account['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    page.get_by_role("button", name="Pause").click()
    fired = [fire(server, account) for _ in range(2)]
    for body in fired:
        for event in body["events"]:
            for delivery in event["deliveries"]:
                delivery_when(server, delivery["id"], "succeeded")
    # 2 events x 2 webhooks: 4 deliveries, some 12 messages.
    note = "Paused: news of 4 deliveries is waiting. Resume to show it."
    expect(page.locator("#paused-note")).to_have_text(note)
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#log tr")).to_have_count(4)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_missing_delivery_says_so_and_offers_the_way_back(browser, server, viewport):  # noqa: F811
    page = new_page(browser, server.url, viewport=viewport)
    try:
        page.goto("/deliveries/no-such-delivery")
        missing = page.locator("#missing")
        expect(missing).to_be_visible()
        expect(missing).to_contain_text("There is no delivery no-such-delivery")
        expect(page.locator("main h1")).to_have_text("Delivery not found")
        # Nothing that looks like loading: no shimmer, no "Connecting".
        expect(page.locator(".skeleton:visible")).to_have_count(0)
        expect(page.locator("#conn")).to_be_hidden()
        expect(page.get_by_role("button", name="Redeliver")).to_be_hidden()
        page.get_by_role("link", name="Back to the live log").click()
        expect(page).to_have_url(f"{server.url}/log")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_failed_attempt_nodes_are_red_like_their_pills(page, server):
    account = setup_account(server, "Red Hotel", [("Failing", "red-503", 503)])
    delivery_id = fire(server, account)["events"][0]["deliveries"][0]["id"]
    delivery_when(server, delivery_id, "retrying")
    page.goto(f"/deliveries/{delivery_id}")
    attempt = page.locator("#attempts li.attempt").first
    expect(attempt.locator(".pill")).to_have_text("503")
    expect(attempt.locator(".node")).to_have_class("node bad")
    expect(attempt.locator(".node")).to_have_css("background-color", "rgb(239, 68, 68)")  # the red of .bad
    # The next retry (still to come) stays amber.
    expect(page.locator("#attempts li.attempt").nth(1).locator(".node")).to_have_class("node warn")


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_buttons_on_ids_payload_headers_and_signature(browser, server):  # noqa: F811
    account = setup_account(server, "Copy Hotel", [("Copier", "copy-ok", 200)])
    delivery_id = fire(server, account)["events"][0]["deliveries"][0]["id"]
    delivery = delivery_when(server, delivery_id, "succeeded")
    request = delivery["attempts"][-1]["request"]
    page = new_page(browser, server.url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page.goto(f"/deliveries/{delivery_id}")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
        cases = [
            ("Copy the delivery id", delivery_id),
            ("Copy the event id", delivery["eventId"]),
            ("Copy the payload", request["body"]),
            ("Copy the request headers", "\n".join(f"{k}: {v}" for k, v in request["headers"].items())),
        ]
        signature = next(name for name in request["headers"] if "signature" in name.lower())
        cases.append((f"Copy the signature ({signature})", request["headers"][signature]))
        for label, expected in cases:
            button = page.get_by_role("button", name=label, exact=True)
            button.click()
            expect(button).to_have_text("Copied")
            expect(button).to_have_attribute("data-copied", "yes")
            assert clipboard(page) == expected, label
        expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard")
        # The word comes back.
        expect(page.get_by_role("button", name="Copy the payload", exact=True)).to_have_text("Copy")
        page.get_by_role("tab", name="Response").click()
        page.locator("#response").get_by_role("button", name="Copy the response body").click()
        assert clipboard(page) == delivery["attempts"][-1]["response"]["body"]
        assert page.js_errors == []
    finally:
        page.context.close()


FITS = """wrap => {
  const box = wrap.getBoundingClientRect();
  const cells = [...wrap.querySelectorAll('th, tr:first-child td')];
  return {scroll: wrap.scrollWidth, client: wrap.clientWidth,
          outside: cells.filter(c => c.getBoundingClientRect().right > box.right + 1)
                        .map(c => c.textContent)};
}"""


def long_named_account(server, name):
    slug = name.lower().replace(" ", "-")
    return setup_account(server, name, [
        ("A channel manager with a rather long name indeed", f"{slug}-slow-503", 503),
        ("Booking sync for the whole group of hotels", f"{slug}-ok", 200)])


def test_live_log_and_send_event_tables_fit_at_1280(page, server):
    account = long_named_account(server, "Fit Hotel")
    fire(server, account, "managing_entity.profile_picture.updated")
    page.goto(f"/log?entity={account['id']}")
    expect(page.locator("#log tr")).to_have_count(2)
    expect(page.locator("#log button", has_text="Cancel")).to_have_count(1)
    fit = page.locator("#log-table").locator("xpath=..").evaluate(FITS)
    assert fit["scroll"] <= fit["client"] and fit["outside"] == [], fit
    expect(page.locator("#log-table").locator("xpath=..")).not_to_have_attribute("data-overflow", "right")
    # A truncated name keeps its whole text on hover.
    name = page.locator("#log .webhook-name").first
    expect(name).to_have_attribute("title", re.compile("long name indeed|group"))

    page.goto(f"/send?account={account['id']}")
    expect(page.locator("#payload")).not_to_be_empty()
    page.locator("#send").click()
    expect(page.locator("#sent tr")).to_have_count(2)
    expect(page.locator("#sent tr td.col-attempt").first).not_to_have_text("–")
    fit = page.locator("#sent-table").locator("xpath=..").evaluate(FITS)
    assert fit["scroll"] <= fit["client"] and fit["outside"] == [], fit
    # What was sent is said in the card, not in a toast over the newest rows.
    expect(page.locator("#sent-note")).to_have_text(
        "Sent booking.create: 2 deliveries, shown below as they happen.")
    expect(page.locator("#toasts .toast")).to_have_count(0)
    first = page.locator("#sent tr").first
    assert first.evaluate("""row => { const r = row.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return row.contains(hit); }""")


def test_a_table_too_wide_for_its_box_fades_the_side_it_scrolls_to(browser, server):  # noqa: F811
    account = long_named_account(server, "Narrow Hotel")
    fire(server, account)
    page = new_page(browser, server.url, viewport={"width": 800, "height": 800})
    try:
        page.goto(f"/log?entity={account['id']}")
        expect(page.locator("#log tr")).to_have_count(2)
        wrap = page.locator("#log-table").locator("xpath=..")
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # 800 px: it cannot all fit
        expect(wrap).to_have_attribute("data-overflow", "right")
        expect(wrap).to_have_css("mask-image", re.compile("linear-gradient"))
        wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
        expect(wrap).to_have_attribute("data-overflow", "left")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_delivery_detail_attempts_tabs_wink_times_and_actions(page, server):
    account = setup_account(server, "Tabs Hotel", [("Flaky", "tabs-flaky", 503)])
    hook = call(server, "GET", "/api/webhooks")
    hook = next(h for h in hook if h["name"] == "Flaky" and h["ownerIdentifier"] == account["id"])
    call(server, "PUT", f"/api/webhooks/{hook['id']}/retry-schedule", json={"schedule": [0, 0]})
    delivery_id = fire(server, account)["events"][0]["deliveries"][0]["id"]
    delivery = delivery_when(server, delivery_id, "failed")
    first, second, third = delivery["attempts"]
    page.goto(f"/deliveries/{delivery_id}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    items = page.locator("#attempts li.attempt")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("Attempt 1 of 3")
    expect(items.nth(2)).to_contain_text("Attempt 3 of 3")
    # Wink's pace: the second attempt 1 min after the first, the third 5 min after that.
    expect(items.nth(0).locator(".wink-at")).to_have_count(0)
    expect(items.nth(1).locator(".wink-at")).to_contain_text("Under Wink's schedule:")
    # The latency bar against Wink's 10 s deadline.
    bar = items.nth(0).locator(".latency-track")
    expect(bar).to_have_attribute("aria-label", re.compile(r"of Wink's 10[.,]00 s deadline"))
    # The newest attempt is shown; Request and Response are tabs.
    expect(page.locator("#exchange-title")).to_have_text("Attempt 3 of 3")
    signature = next(n for n in third["request"]["headers"] if "signature" in n.lower())
    expect(page.locator("#request")).to_contain_text(third["request"]["headers"][signature])
    expect(page.locator("#response")).to_be_hidden()
    page.get_by_role("tab", name="Response").click()
    expect(page.locator("#response")).to_be_visible()
    expect(page.locator("#request")).to_be_hidden()
    expect(page.locator("#response .pill")).to_have_text("503")
    page.get_by_role("tab", name="Request").click()
    # Each attempt's own request: choosing the first shows its own signature header.
    items.nth(0).locator(".attempt-pick").click()
    expect(page.locator("#exchange-title")).to_have_text("Attempt 1 of 3")
    expect(items.nth(0)).to_have_attribute("aria-current", "true")
    expect(page.locator("#request")).to_contain_text(first["request"]["headers"][signature])
    expect(page.locator("#exchange-sub")).to_contain_text("First try")
    screenshot(page, "delivery-attempts")
    # Wink's rules: a failed (DEAD) delivery is redelivered; nothing to cancel; no sandbox Send again.
    expect(page.get_by_role("button", name="Cancel delivery")).to_be_hidden()
    expect(page.get_by_role("button", name="Send again")).to_be_hidden()
    call(server, "PUT", "/api/inbox/tabs-flaky", json={"status": 200})
    page.get_by_role("button", name="↻ Redeliver").click()
    expect(page.locator("#title-status [data-status]")).to_have_attribute("data-status", "succeeded")
    expect(items).to_have_count(4)
    expect(items.nth(3)).to_contain_text("Redelivered by hand")
    expect(page.locator("#exchange-title")).to_have_text("Attempt 4 of 4")
    # Succeeded: Wink would refuse a redeliver; the sandbox's Send again is offered instead.
    expect(page.get_by_role("button", name="↻ Redeliver")).to_be_disabled()
    expect(page.get_by_role("button", name="Send again")).to_be_visible()


def test_export_as_fixture_downloads_a_file_the_fixture_loader_reads(page, server, tmp_path):
    from sandbox.fixtures import loading

    account = setup_account(server, "Fixture Hotel", [("Fixtures", "fixture-ok", 200)])
    fired = fire(server, account)["events"][0]
    delivery_id = fired["deliveries"][0]["id"]
    delivery_when(server, delivery_id, "succeeded")
    page.goto(f"/deliveries/{delivery_id}")
    button = page.get_by_role("button", name="Export as fixture")
    expect(button).to_be_enabled()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    fixture = loading.load(path)  # the round trip: the project's own loader reads it back
    raw = json.loads(path.read_text())
    assert raw["source"]["eventId"] == fired["id"] and raw["account"]["id"] == account["id"]
    event = call(server, "GET", f"/api/events/{fired['id']}")
    assert raw["object"] == event["envelope"]["object"]
    assert fixture.name == raw["name"]
    expect(page.locator("#toasts")).to_contain_text(f"Fixture {raw['name']}.json downloaded")


def test_the_time_column_shows_the_date(page, server):
    account = setup_account(server, "Dated Hotel", [("Dated", "dated-ok", 200)])
    fire(server, account)
    page.goto(f"/log?entity={account['id']}")
    cell = page.locator("#log tr td.col-time").first
    expect(cell).to_contain_text(re.compile(r"\d\d:\d\d:\d\d\.\d\d\d"))
    today = page.evaluate("new Intl.DateTimeFormat('en', {day: 'numeric', month: 'short'})"
                          ".format(new Date())")
    expect(cell.locator(".row-date")).to_have_text(today)
