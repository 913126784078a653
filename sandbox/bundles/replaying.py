"""Replaying an imported bundle: every recorded attempt sent again, in the order it was first made.

The body is always the exact bytes recorded. The headers are the recorded ones, in one of two ways
(``signatures``):

- ``recorded`` (the default): every header as it was sent, the signature and its timestamp included;
  a byte-for-byte re-run of the requests, for a receiver that still holds the original secret (and
  accepts the old timestamp) or that does not verify.
- ``resign``: the profile's signing headers (``Wink-Signature``..., or ``webhook-signature``...)
  are computed again now, over the same bytes, with a secret: the one given, else the webhook's own
  when the bundle was exported with secrets. The ids and attempt numbers stay the recorded ones.

URLs are mapped with ``url_map`` (an exact URL, or the longest matching prefix, replaced) or all sent
to ``to``. ``timing`` ``none`` sends back to back; ``original`` keeps the recorded spacing between
attempts, divided by ``factor`` (10 plays it ten times faster).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
import sqlite_utils

from sandbox import signing
from sandbox.bundles.format import decode_bytes
from sandbox.store import bundles as store
from sandbox.store.log import timestamp

SIGNATURES = ("recorded", "resign")
TIMINGS = ("none", "original")
OUTCOMES_KEPT = 1000
_UNSENT_HEADERS = {"content-length", "host", "transfer-encoding"}


@dataclass
class Options:
    """How to replay: where to (``to`` or ``url_map``), with which signatures, at what pace."""

    url_map: dict[str, str] = field(default_factory=dict)
    to: str | None = None
    signatures: str = "recorded"
    secret: str | None = None
    timing: str = "none"
    factor: float = 1.0
    timeout: float = 10.0

    def problems(self) -> list[dict]:
        """Say what is wrong with the options, as ``{field, message}``."""
        found = []
        for name, url in [("to", self.to), *((f"urlMap.{k}", v) for k, v in self.url_map.items())]:
            if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
                found.append({"field": name, "message": f"{url!r} is not an http(s) URL"})
        if self.signatures not in SIGNATURES:
            found.append({"field": "signatures", "message": f"must be one of {', '.join(SIGNATURES)}"})
        if self.secret is not None:
            try:
                signing.check_secret(self.secret)
            except ValueError as exc:
                found.append({"field": "secret", "message": str(exc)})
        if self.timing not in TIMINGS:
            found.append({"field": "timing", "message": f"must be one of {', '.join(TIMINGS)}"})
        if isinstance(self.factor, bool) or not isinstance(self.factor, (int, float)) \
                or not 0.001 <= self.factor <= 1_000_000:
            found.append({"field": "factor", "message": "must be a number from 0.001 to 1000000 (10: ten "
                                                        "times faster than recorded)"})
        return found

    def target(self, url: str) -> str:
        """The URL an attempt recorded to ``url`` goes to now."""
        if self.to:
            return self.to
        if url in self.url_map:
            return self.url_map[url]
        prefixes = [p for p in self.url_map if url.startswith(p)]
        if prefixes:
            longest = max(prefixes, key=len)
            return self.url_map[longest] + url[len(longest):]
        return url


class ReplayError(ValueError):
    """A replay that cannot start (no secret to re-sign with); nothing was sent."""


def _seconds(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.removesuffix("Z")).replace(tzinfo=dt.UTC).timestamp()


class _Lookups:
    """The records an attempt needs (its delivery, event body, webhook), the last few cached."""

    def __init__(self, db: sqlite_utils.Database, bundle_id: str):
        self.db, self.bundle_id = db, bundle_id
        self._deliveries: dict[str, dict] = {}
        self._bodies: dict[str, bytes] = {}
        self._webhooks: dict[str, dict | None] = {}

    def _cached(self, cache: dict, key: str, load: Callable[[], object]):
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = load()
        return cache[key]

    def delivery(self, delivery_id: str) -> dict:
        return self._cached(self._deliveries, delivery_id,
                            lambda: store.item(self.db, self.bundle_id, "delivery", delivery_id))

    def body(self, event_id: str) -> bytes:
        return self._cached(self._bodies, event_id, lambda: decode_bytes(
            store.item(self.db, self.bundle_id, "event", event_id)["body"], check=False))

    def webhook(self, webhook_id: str) -> dict | None:
        def load():
            try:
                return store.item(self.db, self.bundle_id, "webhook", webhook_id)
            except store.NotFound:
                return None
        return self._cached(self._webhooks, webhook_id, load)


def _resigned(headers: dict, attempt: dict, delivery: dict, webhook: dict | None, body: bytes,
              secret: str | None) -> dict:
    secret = secret or (webhook or {}).get("secret")
    if not secret:
        raise ReplayError(f"cannot re-sign delivery {delivery['id']}: give a secret (the bundle holds "
                          f"none for webhook {delivery['webhookId']})")
    profile = (webhook or {}).get("profile") or signing.detect(headers)
    fresh = signing.delivery_headers(profile, secrets=[secret], event_id=delivery["eventId"],
                                     delivery_id=delivery["id"], event_key=delivery.get("key") or "",
                                     attempt=attempt["attempt"], body=body)
    lowered = {name.lower() for name in fresh}
    return {**{k: v for k, v in headers.items() if k.lower() not in lowered}, **fresh}


def check_can_sign(db: sqlite_utils.Database, bundle_id: str, options: Options) -> None:
    """ReplayError before anything is sent when ``resign`` has no secret to sign with."""
    if options.signatures == "resign" and not options.secret \
            and not store.get_bundle(db, bundle_id)["secrets"]:
        raise ReplayError("re-signing needs a secret: give one (--secret / \"secret\"), or export the bundle "
                          "with its secrets (--secrets / \"secrets\": true)")


def replay(db: sqlite_utils.Database, bundle_id: str, options: Options, *,
           report: Callable[[dict], None] | None = None, stop: threading.Event | None = None) -> dict:
    """Send every attempt of an imported bundle again, in order; return a summary with the outcomes."""
    store.get_bundle(db, bundle_id)
    check_can_sign(db, bundle_id, options)
    stop = stop or threading.Event()
    lookups = _Lookups(db, bundle_id)
    session = requests.Session()
    session.trust_env = False
    summary = {"bundleId": bundle_id, "startedAt": timestamp(), "signatures": options.signatures,
               "timing": options.timing, "factor": options.factor, "sent": 0, "succeeded": 0, "failed": 0,
               "outcomes": []}
    first_at = begun = None
    try:
        for position, attempt in enumerate(store.attempts_in_order(db, bundle_id)):
            if options.timing == "original":
                at = _seconds(attempt["startedAt"])
                if first_at is None:
                    first_at, begun = at, time.monotonic()
                wait = begun + (at - first_at) / options.factor - time.monotonic()
                if wait > 0 and stop.wait(wait):
                    break
            if stop.is_set():
                break
            outcome = _send(session, lookups, position, attempt, options)
            summary["sent"] += 1
            summary["succeeded" if outcome["ok"] else "failed"] += 1
            if len(summary["outcomes"]) < OUTCOMES_KEPT:
                summary["outcomes"].append(outcome)
            if report:
                report(outcome)
    finally:
        session.close()
    summary["finishedAt"] = timestamp()
    return summary


def _send(session: requests.Session, lookups: _Lookups, position: int, attempt: dict,
          options: Options) -> dict:
    try:
        delivery = lookups.delivery(attempt["deliveryId"])
        if attempt["request"].get("body") is None:
            lookups.body(delivery["eventId"])
    except store.NotFound as exc:  # a bundle edited by hand: say so, and go on with the rest
        return {"position": position, "deliveryId": attempt["deliveryId"], "eventId": None,
                "attempt": attempt["attempt"], "recordedAt": attempt["startedAt"], "url": None,
                "statusCode": None, "error": f"not sent: {exc.detail}", "ok": False, "durationMs": 0}
    request = attempt["request"]
    body = (decode_bytes(request["body"], check=False) if request.get("body") is not None
            else lookups.body(delivery["eventId"]))
    headers = {k: v for k, v in request["headers"].items() if k.lower() not in _UNSENT_HEADERS}
    if options.signatures == "resign":
        headers = _resigned(headers, attempt, delivery, lookups.webhook(delivery["webhookId"]), body,
                            options.secret)
    url = options.target(request["url"])
    outcome = {"position": position, "deliveryId": delivery["id"], "eventId": delivery["eventId"],
               "attempt": attempt["attempt"], "recordedAt": attempt["startedAt"], "url": url,
               "statusCode": None, "error": None, "ok": False}
    prepared = requests.Request("POST", url, data=body).prepare()
    prepared.headers.clear()
    prepared.headers.update(headers)
    prepared.headers["Content-Length"] = str(len(body))
    started = time.perf_counter()
    try:
        response = session.send(prepared, timeout=options.timeout, allow_redirects=False)
    except requests.RequestException as exc:
        from sandbox.delivery.sender import describe_error

        outcome["error"] = describe_error(exc, options.timeout)
    else:
        outcome["statusCode"] = response.status_code
        outcome["ok"] = 200 <= response.status_code < 300
        response.close()
    outcome["durationMs"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome
