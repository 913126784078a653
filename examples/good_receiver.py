"""A small, correct receiver of Wink webhooks (and of the sandbox's `check` battery).

It does what every receiver must:
1. verify `Wink-Signature` on the *raw* body with nothing but the standard library (`verify_signature`
   below): `t=<unix seconds>,v1=<hex>`, where each `v1` is the HMAC-SHA256 of `t + "." + raw body`;
   accept when any `v1` matches (there are two for 24 h after a secret rotation), compare in constant
   time, and refuse a `t` more than 5 minutes from now (a replayed request);
2. deduplicate on `Wink-Event-Id` (the body's `id`): a retry gets 200 and no second effect;
3. acknowledge event types it does not handle with 200 (new types appear without notice);
4. answer fast (Wink waits 10 s): real work belongs in a queue; here a handler only records the event.

The HMAC key is the whole secret string, `whsec_` prefix included, as UTF-8 bytes. Wink's spec does
not say which bytes key it; the sandbox signs this way, as Stripe does with its own `whsec_` secrets, so
`stripe.WebhookSignature.verify_header(body, header, secret, 300)` verifies the same deliveries.

Run it, then point the sandbox's check (or a webhook) at it:

    python examples/good_receiver.py --port 9000 --secret whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M
    python run.py check http://127.0.0.1:9000/webhook --secret whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import threading
import time
from collections import OrderedDict

from flask import Flask, jsonify, request

TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    """A request that does not prove it comes from Wink; the message says why."""


def verify_signature(secret: str, header: str | None, body: bytes, *, now: float | None = None,
                     tolerance: int = TOLERANCE_SECONDS) -> None:
    """Check a `Wink-Signature` header against the raw body; raise InvalidSignature saying why not."""
    if not header:
        raise InvalidSignature("missing Wink-Signature header")
    timestamp, signatures = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = value
        elif name == "v1":
            signatures.append(value.strip().lower().encode())
    if timestamp is None:
        raise InvalidSignature("Wink-Signature has no t=<unix seconds>")
    if not signatures:  # any() of nothing is False, but all() of nothing would be True: check explicitly
        raise InvalidSignature("Wink-Signature has no v1 signature")
    signed = timestamp.encode() + b"." + body  # the raw bytes received, never re-serialized JSON
    expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest().encode()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("no v1 signature matches (wrong secret, or the body was altered)")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:  # checked after the MAC: the timestamp is signed
        raise InvalidSignature(f"timestamp {timestamp} is more than {tolerance} s from now")


class SeenIds:
    """The event ids already handled (bounded, thread-safe). Production code keeps them in its
    database, e.g. a table with a unique key on the event id written in the same transaction as the effect."""

    def __init__(self, limit: int = 100_000):
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def claim(self, event_id: str) -> bool:
        """Mark ``event_id`` as handled; False when it already was."""
        with self._lock:
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            if len(self._ids) > self._limit:
                self._ids.popitem(last=False)
            return True

    def release(self, event_id: str) -> None:
        """Forget ``event_id`` (its handling failed, so the sender's retry must be processed)."""
        with self._lock:
            self._ids.pop(event_id, None)


def create_app(secret: str) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024  # Wink events can be large; accept up to 5 MB
    seen = SeenIds()
    handled: list[dict] = []
    app.extensions["received"] = handled

    def on_booking(event: dict) -> None:
        handled.append(event)  # real code: enqueue, update the booking, ...

    handlers = {key: on_booking for key in (
        "booking.create", "booking.cancelled", "booking.refund.partial", "booking.refund.full",
        "booking.payout.complete")}

    @app.post("/webhook")
    def webhook():
        body = request.get_data()  # the raw bytes, read whole: never verify decoded or re-serialized text
        try:
            verify_signature(secret, request.headers.get("Wink-Signature"), body)
        except InvalidSignature as exc:
            return jsonify(error="invalid signature", reason=str(exc)), 400
        try:
            event = json.loads(body)
        except ValueError:
            return jsonify(error="the body is not JSON"), 400
        if not isinstance(event, dict):
            return jsonify(error="the body is not a JSON object"), 400
        event_id = request.headers.get("Wink-Event-Id") or str(event.get("id"))
        if not seen.claim(event_id):
            return jsonify(status="duplicate", id=event_id), 200
        handler = handlers.get(event.get("type"))
        if handler is None:
            return jsonify(status="ignored", id=event_id), 200
        try:
            handler(event)
        except Exception:
            seen.release(event_id)
            raise
        return jsonify(status="ok", id=event_id), 200

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", default=os.environ.get("WEBHOOK_SECRET"),
                        help="The webhook's whsec_ secret (or set WEBHOOK_SECRET).")
    args = parser.parse_args()
    if not args.secret or not args.secret.startswith("whsec_"):
        parser.error("give the webhook's signing secret: --secret whsec_... (or WEBHOOK_SECRET)")
    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, create_app(args.secret), threaded=True)
    print(f"Good receiver listening on http://{args.host}:{server.server_port}/webhook", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
