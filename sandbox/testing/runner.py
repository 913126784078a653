"""A sandbox in the test's own process: start it, drive it, reset it, stop it.

``Sandbox`` is what the pytest plugin's fixtures hand out, and a context manager for unittest and
scripts::

    with Sandbox() as sb:
        account = sb.account("Receiver under test")
        hook = sb.webhook(account, "http://127.0.0.1:9000/webhook", events=["booking.create"])
        [delivery] = sb.fire("booking.create", account)
        sb.assert_delivered(delivery)

It runs the real server (the same app factory and background workers as ``run.py serve``) on a free
port of 127.0.0.1 with a temporary SQLite file, and speaks to it over HTTP like any client would.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sandbox.client import SandboxClient
from sandbox.testing import assertions

FINAL = ("SUCCEEDED", "DEAD", "CANCELLED", "FAILED")
# Rows a reset removes, children first; the schema's own bookkeeping (meta, migrations) stays.
RESET_TABLES = ("attempts", "deliveries", "log", "run_events", "runs", "events", "delivery_counts",
                "event_counts", "resources", "holds", "inbox_captures", "inboxes", "webhooks", "accounts")


class Sandbox:
    """A running sandbox on 127.0.0.1 with a temporary database, plus a small client on it."""

    def __init__(self, *, demo: bool = False, database: str | None = None, config: dict | None = None,
                 retry_time_factor: float = 0.001):
        self._tmp: str | None = None
        if database is None:
            self._tmp = tempfile.mkdtemp(prefix="webhook-sandbox-")
            database = str(Path(self._tmp) / "sandbox.db")
        self.database = database
        # Wink's schedule is hours long; a test wants its retries in milliseconds, in the same order.
        self.config = {"DATABASE": database, "RETRY_TIME_FACTOR": retry_time_factor, **(config or {})}
        self.demo = demo
        self.app = None
        self.runner = None
        self.api: SandboxClient | None = None
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Start the server and its workers; seed the demo data when asked."""
        from sandbox import create_app
        from sandbox.server import Runner, quiet_werkzeug

        quiet_werkzeug()
        self.app = create_app(self.config)
        self.runner = Runner(self.app, "127.0.0.1", 0)
        self.url = self.runner.start()
        self.api = SandboxClient(self.url, token=self.app.config.get("TOKEN") or "")
        if self.demo:
            self._seed()
        return self

    def stop(self) -> None:
        """Stop the server, join its threads and remove the temporary database."""
        if self.api is not None:
            self.api.close()
        if self.runner is not None:
            self.runner.stop(timeout=5)
            self.runner = None
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every account, webhook, event, delivery and capture in one transaction."""
        from sandbox.db import connect, immediate

        db = connect(self.database)
        try:
            with immediate(db):
                names = set(db.table_names())
                for table in RESET_TABLES:
                    if table in names:
                        db.execute(f"delete from [{table}]")
        finally:
            db.close()
        if self.demo:
            self._seed()

    def _seed(self) -> None:
        from sandbox.db import connect
        from sandbox.seed import seed_demo_data

        db = connect(self.database)
        try:
            db.execute("delete from meta where key = 'seeded'")
            seed_demo_data(db, self.url)
        finally:
            db.close()

    # -- driving it --------------------------------------------------------------------------------

    def account(self, name: str = "Receiver under test", type: str = "HOTEL") -> dict:
        """Create an account (Wink's managing entity); ``type`` HOTEL, TRAVEL_AGENT, AFFILIATE, ..."""
        return self.api.post("/api/managing-entity", {"name": name, "type": type})

    def webhook(self, account: dict | str, url: str, *, events: list[str] | None = None,
                name: str = "Under test", entity: str | None = None, secret: str | None = None) -> dict:
        """Point a webhook of ``account`` at ``url``; return the webhook with its ``secret``.

        ``secret`` pins the signing secret to the one the receiver under test was configured with
        (a ``whsec_`` secret; Wink itself always makes a new one).
        """
        account_id = _id(account)
        body = {"name": name, "eventUrl": url, "enabled": True,
                "eventList": list(events or ["booking.create"])}
        if entity:
            body["entity"] = entity
        created = self.api.post(f"/api/managing-entity/{account_id}/webhook", body)
        if secret is not None:
            self._pin_secret(created["webhook"]["id"], secret)
            created["secret"] = secret
        return {**created["webhook"], "secret": created["secret"], "accountId": account_id}

    def _pin_secret(self, webhook_id: str, secret: str) -> None:
        from sandbox.db import connect
        from sandbox.store import webhooks

        db = connect(self.database)
        try:
            webhooks.pin_secret(db, webhook_id, secret)
        finally:
            db.close()

    def fire(self, event: str, account: dict | str, *, seed: int | None = None,
             overrides: dict | None = None, set: dict | list | None = None,
             reseller: dict | str | None = None, webhook: dict | str | None = None, count: int = 1,
             **fields: Any) -> list[dict]:
        """Fire ``event`` for ``account``; return the deliveries it made (``id``, ``webhookId``, ...)."""
        body: dict[str, Any] = {"event": event, "entity": _id(account), "count": count, **fields}
        for key, value in (("seed", seed), ("overrides", overrides), ("set", set)):
            if value is not None:
                body[key] = value
        if reseller is not None:
            body["reseller"] = _id(reseller)
        if webhook is not None:
            body["webhookId"] = _id(webhook)
        answer = self.api.post("/api/events", body)
        return _deliveries_of(answer)

    def run(self, fixture: str, account: dict | str | None = None, *, webhook: dict | str | None = None,
            params: dict | None = None, delays: bool = False, **options: Any) -> dict:
        """Run a fixture or scenario (``booking-life``...) for ``account``; return the run's answer.

        The scenario's own delays are skipped unless ``delays=True``; ``options`` are the other fields
        of ``POST /api/fixtures/{name}/run`` (``seed``, ``set``, ``chaos``...).
        """
        body: dict[str, Any] = {"delays": delays, **options}
        if account is not None:
            body["entity"] = _id(account)
        if webhook is not None:
            body["webhookId"] = _id(webhook)
        if params:
            body["params"] = params
        return self.api.post(f"/api/fixtures/{fixture}/run", body)

    def delivery(self, delivery: dict | str) -> dict:
        """The delivery now, with every attempt."""
        return self.api.get(f"/api/deliveries/{_id(delivery)}")

    def wait(self, delivery: dict | str, *, timeout: float = 30.0, until: tuple[str, ...] = FINAL) -> dict:
        """Wait until the delivery's status is one of ``until`` (final by default); return it."""
        __tracebackhide__ = True  # pytest shows the test line, not ours
        deadline = time.monotonic() + timeout
        while True:
            current = self.delivery(delivery)
            if str(current["status"]).upper() in until:
                return current
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"delivery {_id(delivery)} is still {str(current['status']).upper()} "
                    f"after {timeout:g} s\n"
                    + assertions.describe(current))
            time.sleep(0.02)

    def deliveries(self, **filters: Any) -> list[dict]:
        """The delivery log, newest first (filters as ``GET /api/deliveries`` takes them)."""
        answer = self.api.get("/api/deliveries", **filters)
        return answer["items"] if isinstance(answer, dict) else answer

    # -- assertions, bound to this sandbox -------------------------------------------------------

    def assert_rejects_forged(self, webhook: dict) -> list:
        """Assert the webhook's receiver refuses forged, unsigned and tampered requests (4xx)."""
        __tracebackhide__ = True  # pytest shows the test line, not ours
        return assertions.assert_rejects_forged(webhook["eventUrl"], webhook["secret"])

    def assert_rejects_stale(self, webhook: dict) -> list:
        """Assert the webhook's receiver refuses stale, future and re-dated signatures (4xx)."""
        __tracebackhide__ = True  # pytest shows the test line, not ours
        return assertions.assert_rejects_stale(webhook["eventUrl"], webhook["secret"])

    def assert_delivered(self, delivery: dict | str, *, within: float = assertions.WINK_TIMEOUT,
                         timeout: float = 30.0) -> dict:
        """Assert the receiver answered 2xx within ``within`` seconds (Wink's 10 s); return it."""
        __tracebackhide__ = True  # pytest shows the test line, not ours
        return assertions.assert_delivered(self.wait(delivery, timeout=timeout), within=within)

    def assert_all_succeeded(self, deliveries: list[dict] | dict, *, timeout: float = 60.0) -> list[dict]:
        """Assert every delivery (a list, or a ``fire``/``run`` answer) ended SUCCEEDED; report the others."""
        __tracebackhide__ = True  # pytest shows the test line, not ours
        if isinstance(deliveries, dict):
            deliveries = _deliveries_of(deliveries)
        final = [self.wait(d, timeout=timeout) for d in deliveries]
        return assertions.assert_all_succeeded(final)

    def assert_duplicate_harmless(self, delivery: dict | str, check, *, timeout: float = 30.0) -> dict:
        """Send a delivered letter again (same event id) and assert 2xx and ``check()`` still holds."""
        __tracebackhide__ = True  # pytest shows the test line, not ours
        first = self.assert_delivered(delivery, timeout=timeout)
        answer = self.api.post(f"/api/events/{first['eventId']}/resend",
                               {"mode": "keep", "webhookId": first["webhookId"]})
        [again] = _deliveries_of(answer)
        second = self.assert_delivered(again, timeout=timeout)
        assertions.assert_check(check, "after the duplicate of " + first["eventId"], second)
        return second


def _id(thing: dict | str) -> str:
    return thing["id"] if isinstance(thing, dict) else str(thing)


def _deliveries_of(answer: Any) -> list[dict]:
    """The deliveries in a firing's answer, whatever its nesting (events, then their deliveries)."""
    if isinstance(answer, dict) and "deliveries" in answer and isinstance(answer["deliveries"], list):
        return answer["deliveries"]
    events = answer.get("events", []) if isinstance(answer, dict) else answer
    found: list[dict] = []
    for event in events or []:
        for delivery in event.get("deliveries", []):
            found.append({**delivery, "eventId": delivery.get("eventId", event.get("id"))})
    return found
