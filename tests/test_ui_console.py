"""Every screen in a real Chromium, at 1280x800 and 390x844, with the console and the websockets
watched: any console error, uncaught script error, websocket error or frame that is not a message
fails the test, including while the live log's filters change and while Send event switches account
(each closes one websocket and opens another: issue 14's "Invalid frame header")."""

from __future__ import annotations

import json
import time

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import DESKTOP, PHONE, browser, new_page  # noqa: F401 (fixture)

SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui-console") / "console.db"), "TESTING": True,
                      "RETRY_SCHEDULE": [60]})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


@pytest.fixture(scope="module")
def world(server):
    """Two accounts with a webhook each, and one delivery to open."""
    made = {}
    for name in ("Console Hotel", "Console Agency"):
        account = api(server, "POST", "/api/managing-entity", json={"name": name, "type": "HOTEL"})
        hook = api(server, "POST", f"/api/managing-entity/{account['id']}/webhook", json={
            "name": f"{name} hook", "eventUrl": f"{server.url}/inbox/console", "eventList": []})["webhook"]
        made.setdefault("accounts", []).append(account)
        made.setdefault("hooks", []).append(hook)
    first = made["accounts"][0]["id"]
    fired = api(server, "POST", "/api/events", json={"event": "booking.created", "entity": first})
    made["delivery"] = fired["events"][0]["deliveries"][0]["id"]
    return made


class Watched:
    """A page whose console errors, script errors and websocket failures are collected."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        self.sockets = []
        page.on("console", self._console)
        page.on("websocket", self._websocket)

    def _console(self, message) -> None:
        if message.type in ("error", "warning") and "WebSocket" in message.text or message.type == "error":
            self.problems.append(f"console {message.type}: {message.text}")

    def _websocket(self, socket) -> None:
        self.sockets.append(socket)
        socket.on("socketerror", lambda error: self.problems.append(f"websocket {socket.url}: {error}"))

        def frame(payload) -> None:
            try:
                json.loads(payload)
            except (TypeError, ValueError):
                self.problems.append(f"websocket {socket.url}: a frame that is no message: {payload!r:.80}")

        socket.on("framereceived", frame)

    def settle(self) -> None:
        """Wait until every websocket but the newest has closed (a close's error shows by then)."""
        deadline = time.monotonic() + 10
        while not all(socket.is_closed() for socket in self.sockets[:-1]):
            assert time.monotonic() < deadline, [s.url for s in self.sockets[:-1] if not s.is_closed()]
            self.page.wait_for_timeout(50)  # a poll: Playwright delivers events while it waits

    def check(self) -> None:
        assert self.problems == [] and self.page.js_errors == []


def live(page) -> None:
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")


@pytest.mark.parametrize("size", SIZES)
def test_no_console_or_websocket_error_on_any_screen(browser, server, world, size):  # noqa: F811
    account, other = world["accounts"]
    hook = world["hooks"][0]
    page = new_page(browser, server.url, viewport=SIZES[size])
    watched = Watched(page)
    screens = [
        ("/", None), (f"/accounts/{account['id']}", None),
        (f"/accounts/{account['id']}/webhooks/new", None),
        (f"/accounts/{account['id']}/webhooks/{hook['id']}/edit", None),
        (f"/send?account={account['id']}", None), ("/log", "#conn"),
        (f"/deliveries/{world['delivery']}", "#conn"), ("/inboxes", None), ("/inboxes/console", None),
    ]
    try:
        for path, conn in screens:
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            if conn:
                live(page)
            page.wait_for_load_state("networkidle")
            watched.check()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_changing_live_log_filters_breaks_no_websocket(browser, server, world, size):  # noqa: F811
    account, other = world["accounts"]
    page = new_page(browser, server.url, viewport=SIZES[size])
    watched = Watched(page)
    try:
        page.goto("/log")
        live(page)
        for status in ("failed", "succeeded", "retrying", "", "pending"):
            page.locator("#f-status").select_option(status)
            live(page)
        page.locator("#f-entity").select_option(other["id"])
        live(page)
        page.locator("#f-event").fill("booking.created")
        page.locator("#f-event").press("Enter")
        live(page)
        page.get_by_role("button", name="Clear filters").click()
        live(page)
        assert len(watched.sockets) >= 9
        watched.settle()
        watched.check()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_switching_account_on_send_event_breaks_no_websocket(browser, server, world, size):  # noqa: F811
    account, other = world["accounts"]
    page = new_page(browser, server.url, viewport=SIZES[size])
    watched = Watched(page)
    try:
        page.goto(f"/send?account={account['id']}")
        send = page.locator("#send")
        for chosen in (account, other, account):
            page.locator("#account").select_option(chosen["id"])
            expect(page.locator("#payload")).not_to_be_empty()
            send.click()
            live(page)
            expect(page.locator("#sent tr").first).to_be_visible()
        assert len(watched.sockets) == 3
        watched.settle()
        watched.check()
    finally:
        page.context.close()
