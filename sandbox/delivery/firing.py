"""Firing events: make the envelopes, pick the webhooks, store everything in one transaction.

An event goes to every *enabled* webhook of its account whose event list holds the key (or is empty),
or to one named webhook. The events, their deliveries and the ``event.created`` log rows are written
in one transaction before the caller answers, so a fired event is never lost; the engine is then
woken to send them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import sqlite_utils
from flask import Flask

from sandbox import catalog
from sandbox.db import immediate
from sandbox.envelope import build_envelope, make_event, to_json
from sandbox.errors import APIError, ValidationError
from sandbox.hub import get_hub
from sandbox.store import NotFound, log, new_id, webhooks
from sandbox.store import deliveries as delivery_store
from sandbox.store import events as event_store

MAX_COUNT = 10_000
CHAOS_LABELS = ("duplicate", "shuffle", "jitter", "stale")
DEFAULT_STALE_SECONDS = 600


@dataclass
class Firing:
    """What to fire: an event key for an account, and how to make and route its envelopes."""

    key: str
    account: dict
    count: int = 1
    seed: int | None = None
    locale: str | None = None
    overrides: dict | None = None
    assignments: list[str] | None = None
    data: dict | None = None
    webhook_id: str | None = None
    chaos: dict | None = None


def targets(db: sqlite_utils.Database, firing: Firing) -> tuple[list[dict], int]:
    """Return the webhooks that get this event, and how many disabled ones would have wanted it."""
    account_id = firing.account["id"]
    if firing.webhook_id is not None:
        try:
            hook = webhooks.get_webhook(db, account_id, firing.webhook_id)
        except NotFound:
            raise ValidationError([{"field": "webhookId", "message":
                                    f"no webhook {firing.webhook_id!r} belongs to account "
                                    f"{firing.account['name']!r}"}]) from None
        if not hook["enabled"]:
            raise APIError(409, f"Webhook {hook['name']!r} is disabled: enable it before firing at it",
                           title="Webhook disabled", extra={"webhookId": hook["id"]})
        return [hook], 0
    wanted = webhooks.subscribed_webhooks(db, account_id, firing.key)
    keys = catalog.same_event(firing.key)
    disabled = sum(
        1 for hook in webhooks.list_webhooks(db, account_id)
        if not hook["enabled"] and (not hook["eventList"] or keys & set(hook["eventList"]))
    )
    return wanted, disabled


def envelopes(firing: Firing) -> list[dict]:
    """Make the envelopes: generated (seed + i for event i), or around the given ``data``."""
    made = []
    for number in range(firing.count):
        event_id = new_id()
        if firing.data is not None:
            made.append(build_envelope(firing.key, firing.account, firing.data, event_id=event_id))
        else:
            made.append(make_event(
                firing.key, firing.account,
                seed=None if firing.seed is None else firing.seed + number,
                locale=firing.locale, overrides=firing.overrides, assignments=firing.assignments,
                event_id=event_id,
            ))
    return made


def fire(app: Flask, db: sqlite_utils.Database, firing: Firing) -> dict:
    """Fire ``firing.count`` events; return the 202 answer once every event and delivery is stored."""
    hooks, disabled = targets(db, firing)
    made = envelopes(firing)
    chaos = firing.chaos or None
    chaos_json = json.dumps(chaos) if chaos else None
    chaos_label = (chaos or {}).get("label")
    stale = int((chaos or {}).get("staleSeconds") or 0)
    answer_events = []
    messages = []
    with immediate(db):
        now = time.time()
        created = log.timestamp()
        rows = []
        for envelope in made:
            seq = event_store.insert_event(
                db, event_id=envelope["id"], key=firing.key, account=firing.account, created=created,
                body=to_json(envelope), delivery_count=len(hooks), seed=_seed_of(firing, len(answer_events)),
                locale=firing.locale, chaos=chaos, target_webhook_id=firing.webhook_id,
            )
            sent_to = []
            for hook in hooks:
                delivery_id = new_id()
                rows.append((delivery_id, seq, envelope["id"], firing.key, firing.account["id"], hook["id"],
                             hook["name"], hook["eventUrl"], now, created, created, chaos_json, stale))
                sent_to.append({"id": delivery_id, "webhookId": hook["id"], "eventUrl": hook["eventUrl"]})
            answer_events.append({"id": envelope["id"], "event": firing.key, "deliveries": sent_to})
            messages.append(log.message(
                "event.created", eventId=envelope["id"], event=firing.key, entity=firing.account["id"],
                entityName=firing.account["name"], deliveryCount=len(hooks),
                webhookIds=[hook["id"] for hook in hooks], chaos=chaos_label,
            ))
        delivery_store.insert_deliveries(db, rows)
        log.append(db, messages)
    get_hub(app).publish(messages)
    engine = app.extensions.get("sandbox.delivery")
    if engine is not None and hooks:
        engine.notify()
    answer: dict = {"events": answer_events}
    if not hooks:
        answer["message"] = _nobody_message(firing, disabled)
    return answer


def _seed_of(firing: Firing, number: int) -> int | None:
    if firing.seed is None or firing.data is not None:
        return None
    return firing.seed + number


def _nobody_message(firing: Firing, disabled: int) -> str:
    text = (f"Stored {firing.count} event(s) with no deliveries: no enabled webhook of "
            f"{firing.account['name']!r} subscribes to {firing.key}")
    if disabled:
        text += f" ({disabled} disabled webhook(s) would have)"
    return text
