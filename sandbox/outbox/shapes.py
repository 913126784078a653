"""Stored rows in Wink's shapes: ``WebhookEventLightweight``, ``WebhookDeliveryLightweight``,
``WebhookDeliveryAttempt`` and the page envelope of the grids.

Every property is always present, ``null`` when there is no value: ``httpStatus`` is null when the
request never completed (as the spec says, though it types the field a plain integer), and so are
``lastHttpStatus``, ``nextAttemptAt``, ``error`` and ``responseSnippet`` when there is none. Times are
UTC with a ``Z``; ``occurredAt`` is the letter's own, to the second.

Two of the letter's properties the spec leaves open are the sandbox's choice: ``producer`` is
``webhook-sandbox`` (the application that produced the letter), and ``sourceEntityIdentifier`` is the
id the ``object`` names first among ``bookingIdentifier``, ``itemIdentifier``,
``managingEntityIdentifier``, ``hotelIdentifier``, ``identifier`` and ``id``. ``family`` is the key's
tag in Wink's spec (booking, inventory, managing-entity, property).
"""

from __future__ import annotations

import json
import math

from sandbox import catalog
from sandbox.outbox.grids import delivery_status, event_status
from sandbox.store.deliveries import QUEUED, iso_from_unix
from sandbox.store.outbox import SNIPPET_BYTES

PRODUCER = "webhook-sandbox"
SOURCE_FIELDS = ("bookingIdentifier", "itemIdentifier", "managingEntityIdentifier", "hotelIdentifier",
                 "identifier", "id")
# Wink's payload schema -> the key's tag in Wink's spec (its "family").
FAMILIES = {"BookingWebhookPayload": "booking", "ReviewWebhookPayload": "booking",
            "ReviewResponseWebhookPayload": "booking", "InventoryItemWebhookPayload": "inventory",
            "ManagingEntityWebhookPayload": "managing-entity", "PropertyWebhookPayload": "property"}


def family(key: str) -> str:
    """Return the event family of ``key``: its tag in Wink's spec, else its catalog category's slug."""
    entry = catalog.get(key) or {}
    tagged = FAMILIES.get(entry.get("payload") or "")
    if tagged:
        return tagged
    category = entry.get("category") or key.split(".")[0]
    return category.lower().replace(" ", "-")


def source_of(obj: object) -> str | None:
    """Return the id of the resource an event's ``object`` is about, or None when it names none."""
    if isinstance(obj, dict):
        for name in SOURCE_FIELDS:
            value = obj.get(name)
            if isinstance(value, str) and value:
                return value
    return None


def event(row: dict, *, with_body: bool) -> dict:
    """Shape a letter as WebhookEventLightweight (``body`` only when asked: show and test answer it)."""
    try:
        body = json.loads(row["body"])
    except (TypeError, ValueError):
        body = None
    envelope = body if isinstance(body, dict) else {}
    shaped = {
        "id": row["id"],
        "type": row["event_key"],
        "family": family(row["event_key"]),
        "producer": PRODUCER,
        "ownerIdentifier": row["account_id"],
        "recipientRole": row["recipient_role"] or envelope.get("recipientRole"),
        "schemaVersion": envelope.get("schemaVersion"),
        "sourceEntityIdentifier": source_of(envelope.get("object")),
        "occurredAt": envelope.get("occurredAt") or row["created"],
        "status": event_status(row["delivery_count"]),
    }
    if with_body:
        shaped["body"] = body
    return shaped


def _snippet(blob: bytes | None) -> str | None:
    if not blob:
        return None
    text = bytes(blob).decode("utf-8", "replace")
    # A character cut at the end, or an invalid byte replaced by U+FFFD (3 bytes), must not make the
    # snippet longer than 4 KB once encoded again.
    return text.encode("utf-8")[:SNIPPET_BYTES].decode("utf-8", "ignore")


def attempt(row: dict) -> dict:
    """Shape one attempt as WebhookDeliveryAttempt."""
    return {
        "attempt": row["attempt"],
        "at": row["started"],
        "durationMs": int(math.floor(row["duration_ms"] + 0.5)),
        "httpStatus": row["response_status"],
        "error": row["error"],
        "responseSnippet": _snippet(row["snippet"]),
    }


def delivery(row: dict, attempts: list[dict] | None = None) -> dict:
    """Shape a delivery as WebhookDeliveryLightweight (``attempts`` only when given: show and the
    changes answer them; grid items leave them out)."""
    shaped = {
        "id": row["id"],
        "eventId": row["event_id"],
        "webhookId": row["webhook_id"],
        "ownerIdentifier": row["account_id"],
        "type": row["event_key"],
        "url": row["event_url"],
        "status": delivery_status(row["status"]),
        "attemptCount": row["attempts"],
        "lastHttpStatus": row["last_status_code"],
        "nextAttemptAt": iso_from_unix(row["next_at"]) if row["status"] in QUEUED else None,
        "createdDate": row["created"],
        "lastUpdate": row["updated"],
    }
    if attempts is not None:
        shaped["attempts"] = [attempt(item) for item in attempts]
    return shaped


def page(content: list[dict], total: int, skip: int, take: int) -> dict:
    """Wrap one page of a grid in Wink's page envelope (``number`` is zero-based: skip // take)."""
    return {
        "content": content,
        "first": skip == 0,
        "last": skip + len(content) >= total,
        "number": skip // take,
        "numberOfElements": len(content),
        "size": take,
        "totalElements": total,
        "totalPages": math.ceil(total / take),
    }
