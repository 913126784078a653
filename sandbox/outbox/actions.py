"""What Wink's outbox operations do: send a test event, redeliver, cancel, redeliver every dead delivery.

Each change is one ``BEGIN IMMEDIATE`` transaction that reads the delivery, refuses what Wink refuses
(409 problem+json; the spec says that it rejects, not with which status) and writes; the live log
hears of cancels in the same transaction, and the engine is woken after a redelivery.

- **Test event** (``send-test-event``): one letter addressed to the account, of the first key in the
  webhook's ``eventList`` that Wink delivers (``booking.created`` counts as ``booking.create``), else
  ``booking.create``; its ``object`` is generated as for any fired event (realistic, with
  ``links.self`` answering its record), and it has one delivery, to that webhook only, whatever the
  other webhooks subscribe to. It is stored like any fired letter: ``DISPATCHED``, its delivery
  ``PENDING`` and due at once. A receiver cannot tell it from a real event, which is the point of
  sending one. A disabled webhook is refused (409), as firing at it is.
- **Redeliver**: a ``DEAD`` or ``CANCELLED`` delivery goes back to ``PENDING``, due now, with its retry
  schedule started over. Refused: ``PENDING``/``RETRYING`` (already scheduled), ``SUCCEEDED`` (Wink has
  no way to redeliver one; the sandbox's ``POST /api/deliveries/{id}/retry`` can), an attempt still in
  flight, a deleted or disabled webhook.
- **Cancel**: no further attempt starts. A delivery queued in the engine's memory is taken out; one
  being sent finishes, its attempt is recorded, and the delivery stays ``CANCELLED``. ``SUCCEEDED`` is
  refused; cancelling a ``CANCELLED`` delivery changes nothing; a ``DEAD`` one becomes ``CANCELLED``.
- **Redeliver dead**: every ``DEAD`` delivery of the account's webhook back to ``PENDING``. The answer is
  Wink's ``KeyValuePair``: ``value`` is the count as a decimal string (the spec does not show how the
  count is encoded), ``label`` says it in words.
"""

from __future__ import annotations

import time

import sqlite_utils
from flask import Flask

from sandbox import catalog, holds
from sandbox.db import immediate
from sandbox.delivery import ENGINE_KEY
from sandbox.delivery.firing import Firing, fire
from sandbox.errors import APIError
from sandbox.hub import get_hub
from sandbox.outbox import shapes
from sandbox.outbox.grids import delivery_status
from sandbox.store import log
from sandbox.store import outbox as store

FALLBACK_TEST_KEY = "booking.create"


def test_event_key(event_list: list[str]) -> str:
    """Return the key of a webhook's test event: its first subscribed key that Wink delivers."""
    for key in event_list:
        wire = catalog.wire_key(key)
        if (catalog.get(wire) or {}).get("delivered"):
            return wire
    return FALLBACK_TEST_KEY


def send_test_event(app: Flask, db: sqlite_utils.Database, account: dict, hook: dict) -> dict:
    """Store a test letter for ``account`` with one delivery to ``hook``; return it with its body."""
    answer = fire(app, db, Firing(key=test_event_key(hook["eventList"]), account=account,
                                  webhook_id=hook["id"]))
    letter = store.get_letter(db, account["id"], answer["events"][0]["id"])
    return shapes.event(letter, with_body=True)


def load_delivery(db: sqlite_utils.Database, account_id: str, delivery_id: str) -> dict:
    """Return one of the account's deliveries with its attempts, in Wink's shape."""
    row = store.get_delivery(db, account_id, delivery_id)
    return shapes.delivery(row, store.attempts_of(db, delivery_id))


def _conflict(delivery_id: str, status: str, why: str) -> APIError:
    return APIError(409, f"Delivery {delivery_id} is {delivery_status(status)}: {why}",
                    extra={"deliveryStatus": delivery_status(status)})


def redeliver(app: Flask, db: sqlite_utils.Database, account_id: str, delivery_id: str) -> dict:
    """Queue a DEAD or CANCELLED delivery again, due now; return it (409 when Wink would refuse)."""
    with immediate(db):
        row = store.get_delivery(db, account_id, delivery_id)
        status = row["status"]
        if status in ("pending", "retrying", "held"):
            raise _conflict(delivery_id, status, "it is already scheduled; only DEAD or CANCELLED "
                                                 "deliveries are redelivered")
        if status == "succeeded":
            raise _conflict(delivery_id, status, "only DEAD or CANCELLED deliveries are redelivered "
                            "(the sandbox's POST /api/deliveries/{id}/retry sends a succeeded one again)")
        if row["claimed"]:
            raise _conflict(delivery_id, status, "its last attempt is still in flight; redeliver it "
                                                 "once that attempt is recorded")
        _check_webhook(db, row["webhook_id"], "redeliver")
        store.redeliver(db, delivery_id, time.time())
        held = log.append(db, holds.hold_new(db, [(delivery_id, row["webhook_id"])]))
    get_hub(app).publish(held)
    _wake(app)
    return load_delivery(db, account_id, delivery_id)


def cancel(app: Flask, db: sqlite_utils.Database, account_id: str, delivery_id: str) -> dict:
    """Cancel a delivery: no attempt starts after this answer; return it (409 when it succeeded)."""
    messages: list[dict] = []
    with immediate(db):
        row = store.get_delivery(db, account_id, delivery_id)
        if row["status"] == "succeeded":
            raise _conflict(delivery_id, row["status"], "a delivery that succeeded cannot be cancelled")
        if row["status"] != "cancelled":
            release = True
            engine = app.extensions.get(ENGINE_KEY)
            if row["claimed"] and engine is not None and engine.running:
                release = engine.withdraw(delivery_id, row["webhook_id"])
            store.cancel(db, delivery_id, release=release)
            messages = log.append(db, [log.message(
                "delivery.cancelled", eventId=row["event_id"], event=row["event_key"],
                entity=row["account_id"], deliveryId=delivery_id, webhookId=row["webhook_id"],
                webhookName=row["webhook_name"], eventUrl=row["event_url"], reason="cancelled by request",
                status="cancelled", attempt=row["attempts"], inFlight=not release,
            )])
    get_hub(app).publish(messages)
    return load_delivery(db, account_id, delivery_id)


def redeliver_dead(app: Flask, db: sqlite_utils.Database, account_id: str, hook: dict) -> dict:
    """Queue every DEAD delivery of one of the account's webhooks again; return Wink's KeyValuePair."""
    with immediate(db):
        _check_webhook(db, hook["id"], "redeliver its dead deliveries")
        rows = store.redeliver_dead(db, account_id, hook["id"], time.time())
        held = log.append(db, holds.hold_new(db, [(row["id"], hook["id"]) for row in rows]))
        count = len(rows)
    get_hub(app).publish(held)
    if count:
        _wake(app)
    noun = "delivery" if count == 1 else "deliveries"
    return {"label": f"{count} dead {noun} of webhook {hook['name']!r} reset to PENDING", "value": str(count)}


def _check_webhook(db: sqlite_utils.Database, webhook_id: str, action: str) -> None:
    hook = store.webhook_state(db, webhook_id)
    if hook is None:
        raise APIError(409, f"Cannot {action}: webhook {webhook_id} was deleted",
                       extra={"webhookId": webhook_id})
    if not hook["enabled"]:
        raise APIError(409, f"Cannot {action}: webhook {hook['name']!r} is disabled; enable it first",
                       extra={"webhookId": webhook_id})


def _wake(app: Flask) -> None:
    engine = app.extensions.get(ENGINE_KEY)
    if engine is not None:
        engine.notify()
