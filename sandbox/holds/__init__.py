"""Hold and release, per webhook (issue 15): what the API, the CLI and the UI all call.

- **Hold**: the webhook's deliveries stop going out. Every delivery that waits to be sent (pending or
  retrying, including those queued in the engine's memory) joins the webhook's queue, oldest first,
  and so does every delivery made for it while it is held (fired, redelivered, retried). A held
  delivery has status ``held`` in the sandbox's views and ``PENDING`` on Wink's routes. An attempt
  already under way when the hold starts finishes. Holding a held webhook changes nothing.
- **While held**: the queue is listed in order; a delivery moves up, down or to a position; one is
  dropped (``cancelled``); one, several (in the order given), the first N, or all are released. A
  released delivery is ``pending``, due now, and goes out after the ones released before it (the
  engine sends a webhook's deliveries one at a time, in order).
- **Resume**: whatever is still queued is released in queue order, and new deliveries go out again.

Every change is one ``BEGIN IMMEDIATE`` transaction, with its live-log messages (``webhook.held``,
``delivery.held``, ``delivery.moved``, ``delivery.released``, ``delivery.cancelled``,
``webhook.resumed``) written in it and published after the commit. Mistakes are problem+json:
404 for an unknown webhook or delivery, 409 for a webhook not on hold or a delivery not in its queue,
400 for a bad position, count or list.
"""

from __future__ import annotations

import time

import sqlite_utils
from flask import Flask

from sandbox.db import immediate
from sandbox.errors import APIError, NotFoundError, ValidationError
from sandbox.hub import get_hub
from sandbox.store import deliveries as delivery_store
from sandbox.store import holds as store
from sandbox.store import log, webhooks

ENGINE_KEY = "sandbox.delivery"
DIRECTIONS = ("up", "down")
QUEUE_SHOWN = 200        # deliveries of the queue an answer lists by default (``count`` tells them all)
QUEUE_SHOWN_MAX = 10_000


# ---- reading ---------------------------------------------------------------------------------------

def state(db: sqlite_utils.Database, webhook_id: str, limit: int = QUEUE_SHOWN) -> dict:
    """Return a webhook's hold: whether it is held, since when, how many are queued and the first
    ``limit`` of its queue in order (404 if unknown)."""
    hook = webhooks.get_webhook(db, None, webhook_id)
    since = store.since(db, webhook_id)
    queue = store.queue(db, webhook_id, limit) if since is not None else []
    count = len(queue) if len(queue) < limit else store.count(db, webhook_id)
    return {"webhookId": hook["id"], "webhookName": hook["name"], "entity": hook["ownerIdentifier"],
            "held": since is not None, "since": since, "count": count, "queue": queue}


# ---- changing ------------------------------------------------------------------------------------

def hold(app: Flask, db: sqlite_utils.Database, webhook_id: str) -> dict:
    """Put a webhook on hold; its waiting deliveries join the queue. Return the hold's state."""
    messages: list[dict] = []
    taken: list[str] = []
    try:
        with immediate(db):
            hook = webhooks.get_webhook(db, None, webhook_id)
            if store.begin(db, webhook_id):
                engine = app.extensions.get(ENGINE_KEY)
                if engine is not None and engine.running:
                    taken = engine.take_back(webhook_id)
                captured = store.capture(db, webhook_id, waiting=True, ids=taken)
                if taken:
                    delivery_store.release_claims(db, taken)   # the cancelled ones among them
                messages = [log.message("webhook.held", webhookId=hook["id"], webhookName=hook["name"],
                                        entity=hook["ownerIdentifier"], queued=len(captured))]
                messages += [_message("delivery.held", row, status="held", position=row["position"])
                             for row in captured]
                log.append(db, messages)
    except BaseException:
        if taken:      # the engine let go of them: give them back to the queue in the database
            delivery_store.release_claims(db, taken)
        raise
    _publish(app, messages)
    return state(db, webhook_id)


def hold_new(db: sqlite_utils.Database, deliveries: list[tuple[str, str]]) -> list[dict]:
    """Queue the just-made or just-requeued deliveries ``(id, webhook id)`` of held webhooks (inside the
    caller's transaction); return the ``delivery.held`` messages for the caller to log."""
    held = store.held_among(db, {webhook_id for _id, webhook_id in deliveries})
    messages = []
    for webhook_id in sorted(held):
        ids = [delivery_id for delivery_id, hook in deliveries if hook == webhook_id]
        messages += [_message("delivery.held", row, status="held", position=row["position"])
                     for row in store.capture(db, webhook_id, ids=ids)]
    return messages


def move(app: Flask, db: sqlite_utils.Database, webhook_id: str, delivery_id: str, *,
         position: object = None, direction: object = None) -> dict:
    """Move a held delivery to ``position`` (1 is first) or one place ``up``/``down``; return the state."""
    if (position is None) == (direction is None):
        raise ValidationError([{"field": "position", "message": "give either position (1 is released "
                                "first) or direction (up or down)"}])
    if direction is not None and direction not in DIRECTIONS:
        raise ValidationError([{"field": "direction", "message": "must be up or down"}])
    messages: list[dict] = []
    with immediate(db):
        ids = _queue_of(db, webhook_id, delivery_id)
        here = ids.index(delivery_id)
        if position is not None:
            if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= len(ids):
                raise ValidationError([{"field": "position", "message": f"must be a whole number from 1 to "
                                        f"{len(ids)} (the queue holds {len(ids)})"}])
            there = position - 1
        else:
            there = max(0, min(len(ids) - 1, here + (-1 if direction == "up" else 1)))
        if there != here:
            store.move(db, webhook_id, delivery_id, here, there, len(ids))
            row = _row(db, delivery_id)
            messages = log.append(db, [_message("delivery.moved", row, status="held", position=there + 1,
                                                previousPosition=here + 1)])
    _publish(app, messages)
    return state(db, webhook_id)


def drop(app: Flask, db: sqlite_utils.Database, webhook_id: str, delivery_id: str) -> dict:
    """Cancel a held delivery: it leaves the queue and is never sent. Return the state."""
    with immediate(db):
        ids = _queue_of(db, webhook_id, delivery_id)
        row = store.drop(db, delivery_id)
        messages = log.append(db, [_message(
            "delivery.cancelled", row, status="cancelled", reason="dropped from the hold queue",
            attempt=_attempts(db, delivery_id), inFlight=False, previousPosition=ids.index(delivery_id) + 1)])
    _publish(app, messages)
    return state(db, webhook_id)


def release(app: Flask, db: sqlite_utils.Database, webhook_id: str, *, ids: object = None,
            count: object = None, everything: bool = False) -> dict:
    """Release held deliveries: ``ids`` in that order, the first ``count``, or ``everything`` in queue
    order. Return the state with ``released`` (the deliveries, in the order they go out)."""
    given = [name for name, value in (("deliveryIds", ids), ("count", count)) if value is not None]
    if everything:
        given.append("all")
    if len(given) != 1:
        raise ValidationError([{"field": "deliveryIds", "message": "give exactly one of deliveryIds (a list, "
                                "released in that order), count (the first N) or all: true"}])
    with immediate(db):
        queue = _held_queue(db, webhook_id)
        if ids is not None:
            chosen = _chosen(db, webhook_id, queue, ids)
        elif count is not None:
            if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= max(1, len(queue)):
                raise ValidationError([{"field": "count", "message": f"must be a whole number from 1 to "
                                        f"{max(1, len(queue))} (the queue holds {len(queue)})"}])
            chosen = queue[:count]
        else:
            chosen = queue
        messages = _release(db, queue, chosen)
    _publish(app, messages, wake=bool(chosen))
    return {**state(db, webhook_id), "released": store.deliveries(db, chosen)}


def resume(app: Flask, db: sqlite_utils.Database, webhook_id: str) -> dict:
    """Release what is still queued, in queue order, and end the hold. Return the state with ``released``."""
    with immediate(db):
        queue = _held_queue(db, webhook_id)
        hook = webhooks.get_webhook(db, None, webhook_id)
        messages = _release(db, queue, queue)
        store.end(db, webhook_id)
        messages += log.append(db, [log.message(
            "webhook.resumed", webhookId=hook["id"], webhookName=hook["name"], entity=hook["ownerIdentifier"],
            released=len(queue))])
    _publish(app, messages, wake=bool(queue))
    return {**state(db, webhook_id), "released": store.deliveries(db, queue)}


def forget(db: sqlite_utils.Database, webhook_id: str) -> None:
    """End the hold of a webhook being deleted (its held deliveries are cancelled with its others)."""
    store.end(db, webhook_id)


# ---- helpers ---------------------------------------------------------------------------------------

def _held_queue(db: sqlite_utils.Database, webhook_id: str) -> list[str]:
    hook = webhooks.get_webhook(db, None, webhook_id)
    if store.since(db, webhook_id) is None:
        raise APIError(409, f"Webhook {hook['name']!r} is not on hold: hold it first "
                       f"(POST /api/webhooks/{webhook_id}/hold)", title="Not on hold",
                       extra={"webhookId": webhook_id, "held": False})
    return store.queue_ids(db, webhook_id)


def _queue_of(db: sqlite_utils.Database, webhook_id: str, delivery_id: str) -> list[str]:
    """Return the held queue's ids, making sure ``delivery_id`` is in it (404/409 otherwise)."""
    ids = _held_queue(db, webhook_id)
    if delivery_id not in ids:
        _not_queued(db, webhook_id, delivery_id)
    return ids


def _not_queued(db: sqlite_utils.Database, webhook_id: str, delivery_id: str) -> None:
    found = store.status_of(db, delivery_id)
    if found is None:
        raise NotFoundError(f"No delivery with id {delivery_id!r}")
    hook, status = found
    where = "is for another webhook" if hook != webhook_id else f"is {status}"
    raise APIError(409, f"Delivery {delivery_id} is not in this webhook's hold queue: it {where}",
                   title="Not in the queue", extra={"deliveryId": delivery_id, "deliveryStatus": status})


def _chosen(db: sqlite_utils.Database, webhook_id: str, queue: list[str], ids: object) -> list[str]:
    if (not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids)):
        raise ValidationError([{"field": "deliveryIds",
                                "message": "must be a non-empty list of delivery ids"}])
    if len(set(ids)) != len(ids):
        raise ValidationError([{"field": "deliveryIds", "message": "names a delivery twice"}])
    for delivery_id in ids:
        if delivery_id not in queue:
            _not_queued(db, webhook_id, delivery_id)
    return list(ids)


def _release(db: sqlite_utils.Database, queue: list[str], chosen: list[str]) -> list[dict]:
    rows = store.release(db, chosen, time.time())
    places = {delivery_id: n for n, delivery_id in enumerate(queue, 1)}
    left = len(queue) - len(rows)
    return log.append(db, [_message("delivery.released", row, status="pending", order=n,
                                    previousPosition=places[row["id"]], queued=left)
                           for n, row in enumerate(rows, 1)])


def _row(db: sqlite_utils.Database, delivery_id: str) -> dict:
    return store.row(db, delivery_id)


def _attempts(db: sqlite_utils.Database, delivery_id: str) -> int:
    return delivery_store.get_delivery(db, delivery_id, with_attempts=False)["attemptCount"]


def _message(type_: str, row: dict, **fields) -> dict:
    return log.message(type_, eventId=row["event_id"], event=row["event_key"], entity=row["account_id"],
                       deliveryId=row["id"], webhookId=row["webhook_id"], webhookName=row["webhook_name"],
                       eventUrl=row["event_url"], **fields)


def _publish(app: Flask, messages: list[dict], *, wake: bool = False) -> None:
    get_hub(app).publish(messages)
    engine = app.extensions.get(ENGINE_KEY)
    if wake and engine is not None:
        engine.notify()
