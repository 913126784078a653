"""The live screens in a real Chromium: the live log's colours, filters and pause, its reconnect after
a server restart (filling the gap from the last cursor), and the inbox's live captures and settings."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.conftest import assert_problem

# Failed attempts wait a minute before their retry, so a failing delivery stays "retrying".
CONFIG = {"TESTING": True, "RETRY_SCHEDULE": [60]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({**CONFIG, "DATABASE": str(tmp_path_factory.mktemp("ui-live") / "live.db")})
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


def call(base_url, method, path, **kwargs):
    response = requests.request(method, base_url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def setup_account(base_url, name, hooks):
    """An account with one webhook per (name, inbox), each inbox answering with its status."""
    account = call(base_url, "POST", "/api/managing-entity", json={"name": name, "type": "HOTEL"})
    for hook_name, inbox, status in hooks:
        call(base_url, "PUT", f"/api/inbox/{inbox}", json={"status": status})
        call(base_url, "POST", f"/api/managing-entity/{account['id']}/webhook",
             json={"name": hook_name, "eventUrl": f"{base_url}/inbox/{inbox}", "eventList": []})
    return account


def fire(base_url, account, event="booking.created", **fields):
    return call(base_url, "POST", "/api/events", json={"event": event, "entity": account["id"], **fields})


def test_live_log_colours_filters_and_pause(page, server):
    account = setup_account(server.url, "The Siam Residences, Bangkok",
                            [("Booking sync", "pms", 200), ("Channel manager", "flaky-cm", 503)])
    page.goto("/log")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    for key in ("booking.created", "booking.cancelled", "payee.update"):
        fire(server.url, account, key, **({"undelivered": True} if key == "payee.update" else {}))
    rows = page.locator("#log tr")
    expect(rows).to_have_count(6)
    good = page.locator("#log tr", has_text="Booking sync")
    flaky = page.locator("#log tr", has_text="Channel manager")
    for i in range(3):
        expect(good.nth(i)).to_have_attribute("data-outcome", "succeeded")
        expect(flaky.nth(i)).to_have_attribute("data-outcome", "retrying")
    expect(flaky.first).to_contain_text("503")
    screenshot(page, "live-log")

    # Filters: only what is retrying; the address keeps the filter.
    page.get_by_label("Status").select_option("retrying")
    expect(page).to_have_url(re.compile(r"status=retrying"))
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(rows).to_have_count(3)
    expect(page.locator("#log tr", has_text="Booking sync")).to_have_count(0)
    page.get_by_role("button", name="Clear filters").click()
    expect(rows).to_have_count(6)

    # Pause holds new deliveries back; Resume shows them.
    page.get_by_role("button", name="Pause").click()
    fire(server.url, account, "booking.review.created")
    expect(page.locator("#paused-note")).to_contain_text("news of 2 deliveries is waiting")
    expect(rows).to_have_count(6)
    page.get_by_role("button", name="Resume").click()
    expect(rows).to_have_count(8)
    expect(page.locator("#log tr").first).to_contain_text("booking.review.created")

    # The account's webhooks show the status of their last delivery.
    page.goto(f"/accounts/{account['id']}")
    expect(page.locator("tr", has_text="Booking sync")).to_contain_text("Succeeded")
    expect(page.locator("tr", has_text="Channel manager")).to_contain_text("Retrying")
    screenshot(page, "webhooks")


@pytest.mark.parametrize(("query", "label", "value"), [
    ("event=nope", "Event filter", "nope"), ("status=bogus", "Status filter", "bogus"),
    ("event=%3Cb%3Enope%3C%2Fb%3E", "Event filter", "<b>nope</b>"),  # shown as text, never as HTML
])
def test_live_log_names_a_refused_filter_instead_of_reconnecting(page, server, query, label, value):
    # The page learns why the handshake failed from a plain GET of the same address and query.
    field = query.split("=")[0]
    assert_problem(requests.get(f"{server.url}/ws/deliveries?{query}", timeout=5), 400, field=field)
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(f"/log?{query}")
    refusal = page.locator("#filter-error")
    expect(refusal).to_be_visible(timeout=5_000)
    expect(refusal).to_contain_text(label)
    expect(refusal).to_contain_text(value)
    expect(refusal.locator("b")).to_have_count(0)
    conn = page.locator("#conn")
    expect(conn).to_have_attribute("data-state", "refused")
    expect(page.locator(f"[name={field}]")).to_have_attribute("aria-invalid", "true")
    # It stays stopped: no "Reconnecting…" and no second handshake (the first retry would come in 0.5 s).
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        assert conn.get_attribute("data-state") == "refused"
        assert "Reconnecting" not in conn.inner_text()
    assert len(sockets) == 1

    page.get_by_role("button", name="Clear the filters").click()
    expect(refusal).to_be_hidden()
    expect(conn).to_have_attribute("data-state", "live")
    expect(page).not_to_have_url(re.compile(field + "="))
    expect(page.locator(f"[name={field}] option", has_text=value)).to_have_count(0)


def test_live_log_reconnects_after_restart_and_fills_the_gap(browser, tmp_path):  # noqa: F811
    database = str(tmp_path / "restart.db")
    first = Runner(create_app({**CONFIG, "DATABASE": database}), "127.0.0.1", 0)
    first.start()
    port = first.port
    second = None
    page = new_page(browser, first.url)
    try:
        account = setup_account(first.url, "Cool Account", [("Wink Stalker", "restart", 200)])
        fire(first.url, account)
        page.goto("/log")
        expect(page.locator("#log tr")).to_have_count(1)
        expect(page.locator("#log tr").first).to_have_attribute("data-outcome", "succeeded")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")

        first.stop(timeout=5)
        expect(page.locator("#conn")).to_have_attribute("data-state", "reconnecting")

        # While the page is disconnected, the restarted sandbox stores an event (fired before it
        # listens, so the page cannot have seen it live): the page must catch up from its cursor.
        app = create_app({**CONFIG, "DATABASE": database})
        answer = app.test_client().post("/api/events",
                                        json={"event": "booking.cancelled", "entity": account["id"]})
        assert answer.status_code == 202, answer.get_json()
        second = Runner(app, "127.0.0.1", port)
        second.start()

        expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=10_000)
        missed = page.locator("#log tr", has_text="booking.cancelled")
        expect(missed).to_have_attribute("data-outcome", "succeeded", timeout=10_000)
        expect(page.locator("#log tr")).to_have_count(2)
        assert page.js_errors == []
    finally:
        page.context.close()
        if second is not None:
            second.stop(timeout=5)
        else:
            first.stop(timeout=5)


def test_inbox_shows_captures_live_and_sets_its_answer(page, server):
    page.goto("/inboxes/live-inbox")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.get_by_text("Nothing received yet")).to_be_visible()

    # Settings: status, delay and failure mode go through PUT /api/inbox/<name>.
    page.get_by_label("Status", exact=True).fill("202")
    page.get_by_label("Fail the first").fill("1")
    page.get_by_label("with status").fill("503")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#failures-left")).to_contain_text("1 failure")
    settings = call(server.url, "GET", "/api/inbox/live-inbox")["inbox"]["response"]
    assert (settings["status"], settings["failFirst"], settings["failStatus"]) == (202, 1, 503)

    # A bad value shows by its field.
    page.get_by_label("Delay (seconds)").fill("99")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#delay-error")).to_contain_text("Delay must be a number of seconds")
    page.get_by_label("Delay (seconds)").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#delay-error")).to_be_empty()

    # Unsigned requests arrive live: the first fails as asked, the next gets the normal answer.
    for n in (1, 2):
        response = requests.post(server.url + "/inbox/live-inbox", json={"n": n}, timeout=5)
        assert response.status_code == (503 if n == 1 else 202)
    captures = page.locator("details.capture")
    expect(captures).to_have_count(2)
    expect(captures.first).to_contain_text("202")
    expect(captures.nth(1)).to_contain_text("503")
    expect(captures.first).to_contain_text("Not checked")

    # A signed delivery from a webhook bound to this inbox shows a valid signature.
    account = call(server.url, "POST", "/api/managing-entity", json={"name": "Inbox Co"})
    call(server.url, "POST", f"/api/managing-entity/{account['id']}/webhook",
         json={"name": "Signed hook", "eventUrl": f"{server.url}/inbox/live-inbox", "eventList": []})
    fire(server.url, account)
    expect(captures).to_have_count(3)
    expect(captures.first).to_contain_text("Signature valid")
    expect(captures.first).to_contain_text("booking.create")
    captures.first.locator("summary").click()
    expect(captures.first).to_contain_text("Wink-Signature", ignore_case=True)
    expect(page.locator("#bound")).to_contain_text("Signed hook")
    expect(page.locator("#failures-left")).to_be_empty()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "inbox")

    page.get_by_role("button", name="Clear captures").click()
    page.get_by_role("alertdialog", name="Clear inbox").get_by_role("button", name="OK").click()
    expect(captures).to_have_count(0)


def test_pages_ask_once_for_the_api_token(browser, tmp_path):  # noqa: F811
    runner = Runner(create_app({**CONFIG, "DATABASE": str(tmp_path / "token.db"), "TOKEN": "s3cret"}),
                    "127.0.0.1", 0)
    runner.start()
    page = new_page(browser, runner.url)
    prompts = []

    def answer(dialog):
        prompts.append(dialog.type)
        dialog.accept("s3cret")

    try:
        headers = {"Authorization": "Bearer s3cret"}
        call(runner.url, "POST", "/api/managing-entity", json={"name": "Locked Hotel"}, headers=headers)
        page.on("dialog", answer)
        page.goto("/")
        expect(page.locator("article", has_text="Locked Hotel")).to_be_visible()
        page.goto("/log")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
        assert prompts == ["prompt"]
        assert page.js_errors == []
    finally:
        page.context.close()
        runner.stop(timeout=5)
