"""Firing events: make the letters, pick the webhooks, store them in short transactions of CHUNK.

One fired event is one *occurrence* on the platform. Each of its recipients (the named account and,
when given, the other party: the booking's reseller or hotel) gets its own *letter*: its own event
id, ``ownerIdentifier`` and ``recipientRole`` around the same ``object``, fanned out to that
account's *enabled* webhooks whose event list holds the key (or is empty), or to one named webhook.
The letters, their deliveries and the ``event.created`` log rows are written before the caller
answers, so a fired event is never lost: CHUNK occurrences a transaction, in order, each chunk's
engine woken as it commits (a big firing's first deliveries may arrive before its 202).

A key Wink never delivers (one it only lists, a legacy or an example-only key: ``catalog.kind``) is
refused with a 400 unless the firing says ``undelivered``; then it goes out, and its letters are
marked ``undelivered`` (the stored event and its ``event.created`` message), so no one takes them
for something Wink would send.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import sqlite_utils
from flask import Flask

from sandbox import catalog, holds
from sandbox.db import immediate
from sandbox.delivery import building
from sandbox.envelope import build_envelope, recipients, to_json
from sandbox.errors import APIError, ValidationError
from sandbox.generate import generate
from sandbox.hub import get_hub
from sandbox.store import NotFound, log, new_id, resources, webhooks
from sandbox.store import deliveries as delivery_store
from sandbox.store import events as event_store

MAX_COUNT = 10_000
CHUNK = 100   # occurrences stored per transaction: each holds the write lock a few ms to ~100 ms
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


@dataclass
class Prepared:
    """A firing checked, routed and built: all its work that needs no write lock."""

    firing: Firing
    routed: list[tuple]            # (account, role, webhooks, disabled count) per recipient
    built: list[building.Built]    # per occurrence


def prepare(db: sqlite_utils.Database, firing: Firing) -> Prepared:
    """Check, route, generate and build a firing without the write lock (a 400 here stores nothing)."""
    parties = letters_of(firing)
    routed = [(account, role, *targets(db, firing, account, number == 0))
              for number, (account, role) in enumerate(parties)]
    return Prepared(firing, routed, building.build(db, firing, records(firing)))


@dataclass
class _Rows:
    """One chunk's rows, made before the write lock is taken."""

    events: list[tuple] = field(default_factory=list)
    deliveries: list[tuple] = field(default_factory=list)   # each names its event by index in ``events``
    messages: list[dict] = field(default_factory=list)
    log: list[tuple] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)


def _rows(prepared: Prepared, built: list[building.Built], first_number: int) -> _Rows:
    """Address each occurrence's object to each recipient and make every row the chunk stores."""
    firing = prepared.firing
    chaos = firing.chaos or None
    chaos_json = json.dumps(chaos) if chaos else None
    chaos_label = (chaos or {}).get("label")
    stale = int((chaos or {}).get("staleSeconds") or 0)
    wire = catalog.wire_key(firing.key)
    undelivered = not catalog.is_delivered(firing.key)   # allowed by letters_of: marked, not Wink's
    now = time.time()
    created = log.timestamp()
    out = _Rows()
    for number, one in enumerate(built, first_number):
        occurrence = new_id()
        for account, role, hooks, _disabled in prepared.routed:
            event_id = new_id()
            envelope = build_envelope(wire, account["id"], role, one.made.object, event_id=event_id)
            out.events.append(event_store.event_row(
                event_id=event_id, key=wire, account=account, created=created, body=to_json(envelope),
                delivery_count=len(hooks), seed=_seed_of(firing, number), locale=firing.locale,
                chaos=chaos, target_webhook_id=firing.webhook_id, recipient_role=role,
                occurrence_id=occurrence, undelivered=undelivered))
            # The letter's place in this chunk stands for its seq until _write knows the first one.
            made, sent_to = delivery_rows(len(out.events) - 1, event_id, wire, account["id"], hooks, now=now,
                                          created=created, chaos_json=chaos_json, stale=stale)
            out.deliveries.extend(made)
            out.answers.append({"id": event_id, "event": wire, "entity": account["id"],
                                "entityName": account["name"], "recipientRole": role,
                                "undelivered": undelivered, "deliveries": sent_to})
            out.messages.append(log.message(
                "event.created", eventId=event_id, event=wire, entity=account["id"],
                entityName=account["name"], recipientRole=role, deliveryCount=len(hooks),
                webhookIds=[hook["id"] for hook in hooks], chaos=chaos_label, undelivered=undelivered,
            ))
    out.log = log.rows_of(out.messages)
    return out


def delivery_rows(seq: int, event_id: str, wire: str, account_id: str, hooks: list[dict], *, now: float,
                  created: str, chaos_json: str | None = None,
                  stale: int = 0) -> tuple[list[tuple], list[dict]]:
    """Return the rows of one letter's new deliveries (one per webhook, due ``now``) for
    ``insert_deliveries``, and how the answer names each: ``{id, webhookId, eventUrl}``."""
    rows, sent_to = [], []
    for hook in hooks:
        delivery_id = new_id()
        rows.append((delivery_id, seq, event_id, wire, account_id, hook["id"], hook["name"], hook["eventUrl"],
                     now, created, created, chaos_json, stale))
        sent_to.append({"id": delivery_id, "webhookId": hook["id"], "eventUrl": hook["eventUrl"]})
    return rows, sent_to


def announce(app: Flask, messages: list[dict], wake: bool) -> None:
    """After a commit: publish the stored log messages live, and wake the engine when there is work."""
    get_hub(app).publish(messages)
    engine = app.extensions.get("sandbox.delivery")
    if engine is not None and wake:
        engine.notify()


def _write(db: sqlite_utils.Database, prepared: Prepared, built: list[building.Built], rows: _Rows) -> None:
    """Write one chunk's rows (inside its transaction): records, events, deliveries, log rows."""
    saves = [save for one in built for save in one.saves]
    if saves:
        resources.save_many(db, saves, catalog.wire_key(prepared.firing.key))
    first = event_store.insert_events(db, rows.events)
    delivery_store.insert_deliveries(db, [(row[0], first + row[1], *row[2:]) for row in rows.deliveries])
    held = holds.hold_new(db, [(row[0], row[5]) for row in rows.deliveries])   # held webhooks queue them
    if held:
        rows.messages.extend(held)
        rows.log.extend(log.rows_of(held))
    log.append(db, rows.messages, rows.log)


def store(app: Flask, db: sqlite_utils.Database, prepared: Prepared) -> dict:
    """Store a prepared firing (its letters, deliveries and log rows) chunk by chunk, publishing each
    chunk and waking the engine as it commits; return the 202 answer.

    Every row is made before the write lock is taken, so a transaction only writes, and a chunk of at
    most CHUNK occurrences holds the lock briefly: the engine records attempts and other firings store
    theirs in between, instead of waiting seconds behind a big firing. The chunks commit in order, so the
    events keep their order; each occurrence's letters, deliveries and log rows commit together, so a
    crash loses none of a stored event's parts (the caller, unanswered, knows the firing did not finish).
    Under the lock, the records the objects were built from are read again; only if one moved (another
    event about the same booking, say) is the chunk built again there, so ``links.self`` always answers
    the record as the events left it.
    """
    firing, routed = prepared.firing, prepared.routed
    answers: list[dict] = []
    delivered = False
    for start in range(0, len(prepared.built), CHUNK):
        built = prepared.built[start:start + CHUNK]
        rows = _rows(prepared, built, start)
        with immediate(db):
            if not building.current(db, built):
                built = building.build(db, firing, [one.record for one in built])
                rows = _rows(prepared, built, start)
            _write(db, prepared, built, rows)
        announce(app, rows.messages, bool(rows.deliveries))
        answers.extend(rows.answers)
        delivered = delivered or bool(rows.deliveries)
    answer: dict = {
        "events": answers,
        "recipients": [{"entity": account["id"], "entityName": account["name"], "recipientRole": role,
                        "webhookCount": len(hooks)} for account, role, hooks, _disabled in routed],
    }
    if not delivered:
        answer["message"] = _nobody_message(firing, routed)
    return answer


def fire(app: Flask, db: sqlite_utils.Database, firing: Firing) -> dict:
    """Fire ``firing.count`` occurrences; return the 202 answer once every letter and delivery is stored."""
    return store(app, db, prepare(db, firing))


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
