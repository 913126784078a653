"""Retake the README's screenshots of the delivery screens from a fresh sandbox with realistic data.

Starts a sandbox on a temporary database (seeded like ``serve``), makes the demo inbox fail twice
before answering (a delivery with three attempts), gives the demo hotel three webhooks (answering 200,
always 500 so retrying, 502 with one quick retry so failed), fires a few bookings, a review and
property changes, then saves, through Debian's Chromium, 1280x800 unless said otherwise:

    send-event.png, live-log.png, live-log-pt.png, delivery-detail.png, inbox.png,
    phone-live-log.png (390x844)

into docs/screenshots/ (toasts hidden). Look at each one before committing it.

Example:
    .venv/bin/python -m scripts.screenshots
    .venv/bin/python -m scripts.screenshots --port 8731 --out /tmp/shots
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from sandbox import create_app
from sandbox.db import connect
from sandbox.seed import seed_demo_data
from sandbox.server import Runner, quiet_werkzeug
from tests.browser import CHROMIUM, DESKTOP, LAUNCH_ARGS, PHONE

ROOT = Path(__file__).resolve().parent.parent
HIDE_TOASTS = "#toasts { visibility: hidden; }"


def call(client, method: str, path: str, body: dict | None = None) -> dict | list:
    """One API call through the app's test client; a 4xx or 5xx stops the script with its answer."""
    response = client.open(path, method=method, json=body, base_url=client.base_url)
    if response.status_code >= 400:
        raise SystemExit(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)}")
    return response.get_json()


def wait_until(condition, timeout: float = 60, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {message}")
        time.sleep(0.2)


def make_data(client, base_url: str) -> dict:
    """Accounts, webhooks and deliveries of every outcome; return the ids the pictures need."""
    accounts = {a["name"]: a for a in call(client, "GET", "/api/managing-entity")}
    agent = accounts["Cool Account"]
    hotel = accounts["The Siam Residences, Bangkok"]
    [stalker] = call(client, "GET", f"/api/managing-entity/{agent['id']}/webhook/list")

    def webhook(name: str, inbox: str, events: list[str], answer: dict, schedule: list[int] | None = None):
        call(client, "PUT", f"/api/inbox/{inbox}", answer)
        hook = call(client, "POST", f"/api/managing-entity/{hotel['id']}/webhook",
                    {"name": name, "eventUrl": f"{base_url}/inbox/{inbox}", "eventList": events})["webhook"]
        if schedule:
            call(client, "PUT", f"/api/webhooks/{hook['id']}/retry-schedule", {"schedule": schedule})
        return hook

    # The demo inbox answers after a realistic pause; its first two requests fail, so the first booking
    # is retried (every 2 s here, not Wink's minute) and shows three attempts.
    call(client, "PUT", "/api/inbox/demo", {"delay": 0.18, "failFirst": 2, "failStatus": 503})
    call(client, "PUT", f"/api/webhooks/{stalker['id']}/retry-schedule", {"schedule": [2, 2, 2]})
    webhook("Reservations feed", "reservations", [], {"delay": 0.09})
    webhook("Channel manager", "channel-manager", ["booking.create", "booking.cancelled"], {"status": 500})
    webhook("Legacy PMS", "legacy-pms", ["property.name.updated"], {"status": 502}, schedule=[1])

    def fire(event: str, **fields) -> dict:
        return call(client, "POST", "/api/events", {"event": event, "entity": hotel["id"], **fields})

    first = fire("booking.create", reseller=agent["id"], seed=7)
    retried = next(d for e in first["events"] for d in e["deliveries"] if d["webhookId"] == stalker["id"])
    wait_until(lambda: call(client, "GET", f"/api/deliveries/{retried['id']}")["status"] == "succeeded",
               message="the demo delivery's third attempt")
    # Newest last: the Legacy PMS's dead delivery (red) tops the log, under it retries (amber).
    fire("booking.review.created", seed=11)
    fire("property.profile.updated", seed=12)
    fire("booking.cancelled", reseller=agent["id"], seed=13)
    fire("booking.create", reseller=agent["id"], seed=14)
    fire("property.name.updated", seed=15)

    def settled() -> bool:
        pending = call(client, "GET", "/api/deliveries?status=pending&limit=1")["items"]
        return not pending and bool(call(client, "GET", "/api/deliveries?status=failed&limit=1")["items"])
    wait_until(settled, message="every first attempt answered and the Legacy PMS delivery dead")
    return {"agent": agent, "hotel": hotel, "retried": retried["id"]}


def shoot(browser, base_url: str, out: Path, data: dict) -> list[Path]:
    saved = []

    def page_at(viewport: dict, lang: str = "en"):
        context = browser.new_context(viewport=viewport, base_url=base_url, timezone_id="Europe/Lisbon",
                                      locale="pt-PT" if lang != "en" else "en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"/language/{lang}?next=/")
        return page

    def save(page, name: str) -> None:
        page.wait_for_timeout(400)  # let the last live row's highlight fade before the picture
        path = out / name
        page.screenshot(path=str(path), style=HIDE_TOASTS)
        saved.append(path)
        page.context.close()

    # Send event: a booking at the hotel, its payload generated, ready to send.
    page = page_at(DESKTOP)
    page.goto(f"/send?account={data['hotel']['id']}&event=booking.create&seed=2026")
    expect(page.locator("#send")).to_be_enabled()
    expect(page.locator("#targets")).not_to_be_empty()
    save(page, "send-event.png")

    for lang, name in (("en", "live-log.png"), ("pt-PT", "live-log-pt.png")):
        page = page_at(DESKTOP, lang)
        page.goto("/log")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
        expect(page.locator("#log tr[data-id]").nth(8)).to_be_visible()
        save(page, name)

    page = page_at(PHONE)
    page.goto("/log")
    expect(page.locator("#log tr[data-id]").nth(3)).to_be_visible()
    save(page, "phone-live-log.png")

    page = page_at(DESKTOP)
    page.goto(f"/deliveries/{data['retried']}")
    expect(page.locator("#attempts li").nth(2)).to_be_visible()
    save(page, "delivery-detail.png")

    page = page_at(DESKTOP)
    page.goto("/inboxes/demo")
    expect(page.locator("#captures details.capture")).to_have_count(4)
    oldest = page.locator("#captures details.capture").last
    oldest.locator("summary").click()  # the list, then the first request's headers and body
    expect(oldest).to_have_attribute("open", "")
    save(page, "inbox.png")
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="Port of the sandbox (default: a free one).")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="Folder for the PNGs (default: docs/screenshots).")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    quiet_werkzeug()
    with tempfile.TemporaryDirectory() as tmp:
        database = str(Path(tmp) / "shots.db")
        app = create_app({"DATABASE": database})
        runner = Runner(app, "127.0.0.1", args.port)
        db = connect(database)
        try:
            seed_demo_data(db, runner.url)
        finally:
            db.close()
        runner.start()
        try:
            client = app.test_client()
            client.base_url = runner.url  # payloads' links.self name the sandbox's own address
            data = make_data(client, runner.url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                try:
                    for path in shoot(browser, runner.url, args.out, data):
                        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
                finally:
                    browser.close()
        finally:
            runner.stop(timeout=5)


if __name__ == "__main__":
    main()
