"""A small, correct webhook receiver for Wink events (and the sandbox's `check` battery).

It does the four things every receiver must:
1. verify the Standard Webhooks signature on the *raw* body (the `standardwebhooks` package also rejects
   timestamps more than 5 minutes from now, which stops replayed requests);
2. deduplicate on `webhook-id`: a retry of an event already handled gets 200 and no second effect;
3. acknowledge event types it does not handle with 200 (new types appear without notice);
4. answer fast: real work belongs in a queue; here a handler only records the event.

Run it, then point the sandbox's check (or a webhook) at it:

    python examples/good_receiver.py --port 9000 --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
    python run.py check http://127.0.0.1:9000/webhook --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections import OrderedDict

from flask import Flask, jsonify, request

try:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ModuleNotFoundError as missing:
    if missing.name != "standardwebhooks":
        raise
    print("good_receiver.py verifies signatures with the standardwebhooks package, which is not installed "
          "here: pip install standardwebhooks (or the project's test extras: pip install -e '.[test]')",
          file=sys.stderr)
    sys.exit(2)


class SeenIds:
    """The webhook-ids already handled (bounded, thread-safe). Production code keeps them in its
    database, e.g. a table with a unique key on webhook-id written in the same transaction as the effect."""

    def __init__(self, limit: int = 100_000):
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def claim(self, msg_id: str) -> bool:
        """Mark ``msg_id`` as handled; False when it already was."""
        with self._lock:
            if msg_id in self._ids:
                return False
            self._ids[msg_id] = None
            if len(self._ids) > self._limit:
                self._ids.popitem(last=False)
            return True

    def release(self, msg_id: str) -> None:
        """Forget ``msg_id`` (its handling failed, so the sender's retry must be processed)."""
        with self._lock:
            self._ids.pop(msg_id, None)


def create_app(secret: str) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024  # Wink events can be large; accept up to 5 MB
    verifier = Webhook(secret)
    seen = SeenIds()
    handled: list[dict] = []
    app.extensions["received"] = handled

    def on_booking(event: dict) -> None:
        handled.append(event)  # real code: enqueue, update the booking, ...

    handlers = {key: on_booking for key in (
        "booking.created", "booking.create", "booking.cancelled", "booking.refund.partial",
        "booking.refund.full", "booking.payout.complete")}

    @app.post("/webhook")
    def webhook():
        body = request.get_data()  # the raw bytes: never verify re-serialized JSON
        try:
            event = verifier.verify(body, dict(request.headers))
        except (WebhookVerificationError, ValueError) as exc:  # ValueError: a malformed header
            return jsonify(error="invalid signature", reason=str(exc)), 400
        msg_id = request.headers["webhook-id"]
        if not seen.claim(msg_id):
            return jsonify(status="duplicate", id=msg_id), 200
        handler = handlers.get(event.get("event")) if isinstance(event, dict) else None
        if handler is None:
            return jsonify(status="ignored", id=msg_id), 200
        try:
            handler(event)
        except Exception:
            seen.release(msg_id)
            raise
        return jsonify(status="ok", id=msg_id), 200

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", default=os.environ.get("WEBHOOK_SECRET"),
                        help="The webhook's whsec_ secret (or set WEBHOOK_SECRET).")
    args = parser.parse_args()
    if not args.secret:
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
