"""Firing events: make the letters, pick the webhooks, store everything in one transaction.

One fired event is one *occurrence* on the platform. Each of its recipients (the named account and,
when given, the other party: the booking's reseller or hotel) gets its own *letter*: its own event
id, ``ownerIdentifier`` and ``recipientRole`` around the same ``object``, fanned out to that
account's *enabled* webhooks whose event list holds the key (or is empty), or to one named webhook.
The letters, their deliveries and the ``event.created`` log rows are written in one transaction
before the caller answers, so a fired event is never lost; the engine is then woken to send them.

A key Wink never delivers (one it only lists, a legacy or an example-only key: ``catalog.kind``) is
refused with a 400 unless the firing says ``undelivered``; then it goes out, and its letters are
marked ``undelivered`` (the stored event and its ``event.created`` message), so no one takes them
for something Wink would send.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import sqlite_utils
from flask import Flask

from sandbox import catalog, holds, payloads
from sandbox.db import immediate
from sandbox.envelope import base_url, build_envelope, editor, recipients, to_json
from sandbox.errors import APIError, ValidationError
from sandbox.generate import generate
from sandbox.hub import get_hub
from sandbox.store import NotFound, log, new_id, resources, webhooks
from sandbox.store import deliveries as delivery_store
from sandbox.store import events as event_store

MAX_COUNT = 10_000
CHAOS_LABELS = ("duplicate", "shuffle", "jitter", "stale")
DEFAULT_STALE_SECONDS = 600


@dataclass
class Firing:
    """What to fire: an event key for an account (and its other party), and how to make the letters."""

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
    hotel: dict | None = None
    reseller: dict | None = None
    base_url: str | None = None   # where links.self points; the URL the request reached by default
    undelivered: bool = False     # fire it even when Wink never delivers the key (marked so)


_NEVER_DELIVERED = {
    "listed": "it is in Wink's event catalog with delivered: false, never POSTed to webhooks",
    "legacy": "it is a key of the older TripPay catalog",
    "example-only": "the name appears only in Wink's guides",
}


def undelivered_problem(key: object, undelivered: bool) -> dict | None:
    """Return the ``event`` error for firing a key Wink never delivers without ``undelivered``, or None."""
    entry = catalog.get(key)
    if undelivered or entry is None or entry["kind"] == "delivered":
        return None
    message = f"Wink never delivers {key} ({_NEVER_DELIVERED[entry['kind']]})"
    if entry["closest"]:
        message += f"; the closest key Wink delivers is {entry['closest']}"
    return {"field": "event", "message": message + '; send "undelivered": true to fire it anyway'}


def targets(db: sqlite_utils.Database, firing: Firing, account: dict,
            named: bool) -> tuple[list[dict], int]:
    """Return the webhooks of ``account`` that get its letter, and how many disabled ones would have.

    ``named``: the account is the one the event was fired for (``webhookId`` applies to it alone).
    """
    account_id = account["id"]
    if firing.webhook_id is not None and named:
        try:
            hook = webhooks.get_webhook(db, account_id, firing.webhook_id)
        except NotFound:
            raise ValidationError([{"field": "webhookId", "message":
                                    f"no webhook {firing.webhook_id!r} belongs to account "
                                    f"{account['name']!r}"}]) from None
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


def letters_of(firing: Firing) -> list[tuple[dict, str]]:
    """Return the recipients of each occurrence, refusing a key Wink never delivers (unless the firing
    says ``undelivered``) and ``webhookId`` with another party (a 400)."""
    problem = undelivered_problem(firing.key, firing.undelivered)
    if problem:
        raise ValidationError([problem])
    found = recipients(firing.key, firing.account, hotel=firing.hotel, reseller=firing.reseller)
    if firing.webhook_id is not None and (firing.hotel is not None or firing.reseller is not None):
        raise ValidationError([{"field": "webhookId", "message": "fires at one webhook of the entity "
                                "only, so it cannot be combined with reseller or hotel"}])
    return found


def records(firing: Firing) -> list[dict]:
    """Generate each occurrence's full record (seed + i for occurrence i), before any lock is taken."""
    return [generate(firing.key, account=firing.account,
                     seed=None if firing.seed is None else firing.seed + number, locale=firing.locale,
                     hotel=firing.hotel, reseller=firing.reseller)[0]
            for number in range(firing.count)]


def objects(db: sqlite_utils.Database, firing: Firing, generated: list[dict]) -> list[payloads.Made]:
    """Make each occurrence's object and store the record it is about (inside the firing transaction).

    A later event about a stored resource (the same bookingIdentifier, say) moves its record on, so
    ``links.self`` always answers the record as the events left it.
    """
    lookup = resources.lookup(db)
    edit = editor(firing.overrides, firing.assignments)
    base = firing.base_url or base_url()
    made = []
    for record in generated:
        one = payloads.make(firing.key, record, base_url=base, edit=edit, lookup=lookup, given=firing.data)
        if one.record is not None and one.resource is not None:
            for resource, record_ in [(one.resource, one.record), *one.also]:
                resources.save(db, resource, record_, event_id=None, key=catalog.wire_key(firing.key))
        made.append(one)
    return made


def fire(app: Flask, db: sqlite_utils.Database, firing: Firing) -> dict:
    """Fire ``firing.count`` occurrences; return the 202 answer once every letter and delivery is stored."""
    parties = letters_of(firing)
    routed = [(account, role, *targets(db, firing, account, number == 0))
              for number, (account, role) in enumerate(parties)]
    generated = records(firing)
    chaos = firing.chaos or None
    chaos_json = json.dumps(chaos) if chaos else None
    chaos_label = (chaos or {}).get("label")
    stale = int((chaos or {}).get("staleSeconds") or 0)
    wire = catalog.wire_key(firing.key)
    undelivered = not catalog.is_delivered(firing.key)   # allowed by letters_of: marked, not Wink's
    answer_events = []
    messages = []
    with immediate(db):
        made = [one.object for one in objects(db, firing, generated)]
        now = time.time()
        created = log.timestamp()
        rows = []
        for number, obj in enumerate(made):
            occurrence = new_id()
            for account, role, hooks, _disabled in routed:
                envelope = build_envelope(wire, account["id"], role, obj, event_id=new_id())
                seq = event_store.insert_event(
                    db, event_id=envelope["id"], key=wire, account=account, created=created,
                    body=to_json(envelope), delivery_count=len(hooks), seed=_seed_of(firing, number),
                    locale=firing.locale, chaos=chaos, target_webhook_id=firing.webhook_id,
                    recipient_role=role, occurrence_id=occurrence, undelivered=undelivered,
                )
                sent_to = []
                for hook in hooks:
                    delivery_id = new_id()
                    rows.append((delivery_id, seq, envelope["id"], wire, account["id"], hook["id"],
                                 hook["name"], hook["eventUrl"], now, created, created, chaos_json, stale))
                    sent_to.append({"id": delivery_id, "webhookId": hook["id"], "eventUrl": hook["eventUrl"]})
                answer_events.append({"id": envelope["id"], "event": wire, "entity": account["id"],
                                      "entityName": account["name"], "recipientRole": role,
                                      "undelivered": undelivered, "deliveries": sent_to})
                messages.append(log.message(
                    "event.created", eventId=envelope["id"], event=wire, entity=account["id"],
                    entityName=account["name"], recipientRole=role, deliveryCount=len(hooks),
                    webhookIds=[hook["id"] for hook in hooks], chaos=chaos_label,
                    undelivered=undelivered,
                ))
        delivery_store.insert_deliveries(db, rows)
        messages += holds.hold_new(db, [(row[0], row[5]) for row in rows])
        log.append(db, messages)
    get_hub(app).publish(messages)
    engine = app.extensions.get("sandbox.delivery")
    if engine is not None and rows:
        engine.notify()
    answer: dict = {
        "events": answer_events,
        "recipients": [{"entity": account["id"], "entityName": account["name"], "recipientRole": role,
                        "webhookCount": len(hooks)} for account, role, hooks, _disabled in routed],
    }
    if not rows:
        answer["message"] = _nobody_message(firing, routed)
    return answer


def _seed_of(firing: Firing, number: int) -> int | None:
    if firing.seed is None or firing.data is not None:
        return None
    return firing.seed + number


def _nobody_message(firing: Firing, routed: list[tuple]) -> str:
    names = " or ".join(repr(account["name"]) for account, *_ in routed)
    events = "1 event" if firing.count == 1 else f"{firing.count} events"
    letters = firing.count * len(routed)
    if len(routed) > 1:
        events += f" ({letters} letters, one per recipient)"
    text = (f"Stored {events} with no deliveries: no enabled webhook of {names} subscribes to "
            f"{catalog.wire_key(firing.key)}")
    disabled = sum(count for *_, count in routed)
    if disabled:
        text += f" ({disabled} disabled webhook{'s' if disabled != 1 else ''} would have)"
    return text
