"""Sending a fixture's events: straight to a URL (signed here, no server), or through a running sandbox.

``run`` walks the chaos plan (``sandbox.chaos``) over the built events (``sandbox.fixtures``): it
waits each step's delay plus any jitter, then fires the event (or resends a duplicate) through a
*target*. ``DirectTarget`` signs and POSTs a Wink envelope itself, as the sandbox would, in a signing
profile (``wink`` by default: ``Wink-Signature``; or ``standard-webhooks``). ``SandboxTarget`` fires
through ``POST /api/events`` (so the live log shows everything) and resends duplicates with the
manual retry, which keeps the event id (``Wink-Event-Id``); it then watches the deliveries until each
one is final. Every delivery's ``Outcome`` is reported as soon as it is known.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import requests

from sandbox import __version__, catalog, signing
from sandbox import chaos as chaos_plan
from sandbox.chaos import Chaos, Send
from sandbox.envelope import build_envelope, make_event, role_for, to_json
from sandbox.fixtures import Built

DEFAULT_ACCOUNT = {"name": "Sandbox Replay", "type": "HOTEL"}
FINAL = ("succeeded", "failed", "cancelled")
USER_AGENT = f"WebhookSandbox/{__version__} (replay)"


def item_parts(item: Built) -> tuple[str, dict, str, str]:
    """Read a built fixture event: its key, its object, and the account and role it is addressed to.

    The one place that knows the names ``Built`` gives them.
    """
    return item.event, item.data, item.owner, item.role


def item_key(item: Built) -> str:
    """The key a built event goes out with (``booking.create`` for ``booking.created``)."""
    return catalog.wire_key(item_parts(item)[0])


@dataclass
class Outcome:
    """What came of one delivery of one send."""

    position: int
    step: str
    event: str
    event_id: str
    status: str  # succeeded, failed, cancelled, undelivered (no webhook), unfinished (deadline)
    status_code: int | None = None
    attempts: int = 0
    duration_ms: float | None = None
    error: str | None = None
    target: str | None = None  # the webhook's name, or the URL
    delivery_id: str | None = None
    duplicate: bool = False
    chaos: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    def as_dict(self) -> dict:
        return asdict(self)


Report = Callable[[Outcome], None]


# -- accounts -----------------------------------------------------------------------------------

def local_account(spec: dict | None) -> dict | None:
    """Complete a fixture's account spec into ``{id, name, type}`` without a server (stable ids)."""
    if not spec:
        return None
    name = spec.get("name") or f"Account {spec['id'][:8]}"
    account_id = spec.get("id") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"webhook-sandbox:account:{name}"))
    return {"id": account_id, "name": name, "type": spec.get("type", "")}


def literal_envelope(key: str, account: dict, obj: dict) -> dict:
    """A Wink envelope around a fixture's literal ``object``, addressed to ``account`` in its role.

    Only a hotel-only key (``booking.review.created``) has no role for a reseller; it goes out as
    the key's one role, ``SUPPLIER``, rather than refusing a literal payload the user wrote.
    """
    return build_envelope(key, account["id"], role_for(key, account) or "SUPPLIER", obj)


def local_make(account_override: dict | None = None) -> Callable[..., dict]:
    """A ``make`` for ``fixtures.build`` that needs no server: Wink envelopes from ``make_event``."""

    def make(key: str, spec: dict | None, *, data: dict | None = None, **options) -> dict:
        account = account_override or local_account(spec)
        if data is not None:
            return literal_envelope(key, account or local_account(DEFAULT_ACCOUNT), data)
        return make_event(key, account, **options)

    return make


# -- the run ------------------------------------------------------------------------------------

def run(built: list[Built], target, *, chaos: Chaos, seed: int, delays: bool = True,
        stop: threading.Event | None = None) -> list[Send]:
    """Send every event of ``built`` under ``chaos`` through ``target``; return the plan it followed.

    Outcomes go to the target's ``report`` callback as they happen; ``target.finish`` waits for the
    last ones. ``stop`` (when set) ends the run between sends.
    """
    stop = stop or threading.Event()
    sends = chaos_plan.plan(len(built), chaos, seed)
    for position, send in enumerate(sends):
        item = built[send.item]
        wait_ms = (item.delay_ms if delays and not send.duplicate else 0) + send.jitter_ms
        if wait_ms and stop.wait(wait_ms / 1000):
            break
        if stop.is_set():
            break
        if send.duplicate:
            target.duplicate(position, item, send)
        else:
            target.fire(position, item, send, chaos_plan.event_label(sends, send.item))
    target.finish()
    return sends


# -- straight to a URL --------------------------------------------------------------------------

class DirectTarget:
    """Sign and POST each event to one URL, as the sandbox would; no server involved.

    ``profile`` is the signing profile (default ``wink``); ``secret`` a ``whsec_`` secret in any
    base64 form, Wink's unpadded one included.
    """

    def __init__(self, url: str, secret: str, *, chaos: Chaos, report: Report, timeout: float = 10.0,
                 retries: int = 0, profile: str | None = None):
        signing.check_secret(secret)  # ValueError before anything is sent
        self.profile = signing.get(profile).NAME
        self.url = url
        self.secret = secret
        self.chaos = chaos
        self.report = report
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()
        self.session.trust_env = False
        self._sent: dict[int, tuple[str, bytes]] = {}

    def fire(self, position: int, item: Built, send: Send, label: str | None) -> None:
        key, obj, owner, role = item_parts(item)
        envelope = build_envelope(key, owner, role, obj)  # a new letter: its own id, sent now
        body = to_json(envelope)
        self._sent[send.item] = (envelope["id"], body)
        self._deliver(position, item, send, envelope["id"], body)

    def duplicate(self, position: int, item: Built, send: Send) -> None:
        event_id, body = self._sent[send.item]
        self._deliver(position, item, send, event_id, body)

    def _deliver(self, position: int, item: Built, send: Send, event_id: str, body: bytes) -> None:
        from sandbox.delivery.sender import describe_error

        delivery_id = str(uuid.uuid4())
        key = item_key(item)
        outcome = Outcome(position, item.step, key, event_id, "failed", target=self.url,
                          delivery_id=delivery_id, duplicate=send.duplicate, chaos=list(send.labels))
        for attempt in range(1, self.retries + 2):
            stamp = int(time.time()) - (self.chaos.stale_seconds if self.chaos.stale else 0)
            headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                       **signing.delivery_headers(self.profile, secrets=[self.secret], event_id=event_id,
                                                  delivery_id=delivery_id, event_key=key, attempt=attempt,
                                                  body=body, timestamp=stamp)}
            started = time.perf_counter()
            outcome.attempts = attempt
            try:
                response = self.session.post(self.url, data=body, headers=headers, timeout=self.timeout,
                                             allow_redirects=False)
            except requests.RequestException as exc:
                outcome.status_code, outcome.error = None, describe_error(exc, self.timeout)
            else:
                outcome.status_code, outcome.error = response.status_code, None
                if 200 <= response.status_code < 300:
                    outcome.status = "succeeded"
            outcome.duration_ms = round((time.perf_counter() - started) * 1000, 1)
            if outcome.ok or attempt > self.retries:
                break
            time.sleep(min(0.5 * 2 ** (attempt - 1), 5.0))
        self.report(outcome)

    def finish(self) -> None:
        self.session.close()


# -- through a sandbox --------------------------------------------------------------------------

@dataclass
class _Watch:
    """A delivery whose outcome is awaited, from attempt ``after + 1`` on."""

    position: int
    item: Built
    send: Send
    event_id: str
    delivery_id: str
    after: int = 0


class SandboxTarget:
    """Fire through a running sandbox's API and watch each delivery to its end.

    ``client`` is a ``SandboxClient``; ``account_of(built)`` names the account to fire for;
    ``webhook_id`` targets one webhook. Outcomes are found by polling the events (cheap for a
    replay's handful of events); ``timeout`` bounds the wait for the last ones.
    """

    POLL_SECONDS = 0.15

    def __init__(self, client, *, chaos: Chaos, report: Report, account_of: Callable[[Built], str],
                 webhook_id: str | None = None, timeout: float = 30.0):
        self.client = client
        self.chaos = chaos
        self.report = report
        self.account_of = account_of
        self.webhook_id = webhook_id
        self.timeout = timeout
        self._fired: dict[int, list[dict]] = {}  # item -> the API's answer: one letter per recipient
        self._open: list[_Watch] = []
        self.fired_events: list[dict] = []

    def fire(self, position: int, item: Built, send: Send, label: str | None) -> None:
        key, obj, _owner, _role = item_parts(item)
        body: dict = {"event": key, "entity": self.account_of(item), "object": obj}
        if getattr(item, "undelivered", False):
            body["undelivered"] = True     # a key Wink never sends, marked so in its fixture
        if self.webhook_id:
            body["webhookId"] = self.webhook_id
        chaos = {}
        if label:
            chaos["label"] = label
        if self.chaos.stale:
            chaos["staleSeconds"] = self.chaos.stale_seconds
        if chaos:
            body["chaos"] = chaos
        answer = self.client.post("/api/events", body)
        letters = answer["events"]
        self._fired[send.item] = letters
        self.fired_events.extend({"step": item.step, **letter} for letter in letters)
        if not any(letter["deliveries"] for letter in letters):
            self.report(Outcome(position, item.step, item_key(item), letters[0]["id"], "unrouted",
                                error=answer.get("message") or "no webhook subscribes to this event",
                                chaos=list(send.labels)))
        for letter in letters:
            for delivery in letter["deliveries"]:
                self._open.append(_Watch(position, item, send, letter["id"], delivery["id"]))
        self.poll()

    def duplicate(self, position: int, item: Built, send: Send) -> None:
        """Resend the event's deliveries with the manual retry: same body, same Wink-Event-Id."""
        for letter in self._fired.get(send.item, []):
            for delivery in letter["deliveries"]:
                attempts = self._wait_idle(delivery["id"], letter["id"])
                self.client.post(f"/api/deliveries/{delivery['id']}/retry")
                self._open.append(_Watch(position, item, send, letter["id"], delivery["id"], after=attempts))
        self.poll()

    def _wait_idle(self, delivery_id: str, event_id: str) -> int:
        """Wait until a delivery has made an attempt and is not being sent; return its attempts."""
        deadline = time.monotonic() + self.timeout
        while True:
            delivery = self._delivery(event_id, delivery_id)
            if delivery and delivery["attemptCount"] >= 1 and not delivery["inFlight"]:
                return delivery["attemptCount"]
            if time.monotonic() > deadline:
                return delivery["attemptCount"] if delivery else 0
            self.poll()
            time.sleep(self.POLL_SECONDS)

    def _delivery(self, event_id: str, delivery_id: str) -> dict | None:
        return self.client.get(f"/api/deliveries/{delivery_id}")

    def poll(self) -> None:
        """Report every watched delivery that reached a final status."""
        if not self._open:
            return
        events = {}
        for watch in self._open:
            if watch.event_id not in events:
                events[watch.event_id] = {d["id"]: d for d in
                                          self.client.get(f"/api/events/{watch.event_id}")["deliveries"]}
        still = []
        for watch in self._open:
            delivery = events[watch.event_id].get(watch.delivery_id)
            if delivery and delivery["status"] in FINAL and delivery["attemptCount"] > watch.after:
                outcome = self._outcome(watch, delivery, delivery["status"])
                attempts = self.client.get(f"/api/deliveries/{watch.delivery_id}").get("attempts") or []
                if attempts:
                    outcome.duration_ms = attempts[-1].get("durationMs")
                self.report(outcome)
            else:
                still.append(watch)
        self._open = still

    def _outcome(self, watch: _Watch, delivery: dict, status: str) -> Outcome:
        return Outcome(watch.position, watch.item.step, item_key(watch.item), watch.event_id, status,
                       status_code=delivery.get("lastStatusCode"), attempts=delivery["attemptCount"],
                       error=delivery.get("lastError"), target=delivery.get("webhookName"),
                       delivery_id=watch.delivery_id, duplicate=watch.send.duplicate,
                       chaos=list(watch.send.labels))

    def finish(self) -> None:
        deadline = time.monotonic() + self.timeout
        while self._open and time.monotonic() < deadline:
            time.sleep(self.POLL_SECONDS)
            self.poll()
        for watch in self._open:
            delivery = self._delivery(watch.event_id, watch.delivery_id) or {"attemptCount": 0}
            outcome = self._outcome(watch, delivery, "unfinished")
            last = delivery.get("lastStatusCode")
            outcome.error = (f"not finished after {self.timeout:g} s (status {delivery.get('status')}"
                             + (f", last answer {last}" if last else "") + ")")
            self.report(outcome)
        self._open = []
