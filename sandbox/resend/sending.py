"""Resending a stored event with edits, through the same path fired events take.

The edited letter is stored and its deliveries made as ``delivery.firing.fire`` makes them (its
``targets``, ``delivery_rows`` and ``announce``), in one transaction; the engine then signs each
attempt when it sends it, with the webhook's current secret(s), as for any delivery.

- ``keep``: the same letter again: same ``id`` (``Wink-Event-Id``) and ``occurredAt``, a true duplicate
  for idempotency tests. The new deliveries belong to the stored event and carry the edited bytes
  themselves (``deliveries.body``).
- ``fresh``: a new letter: a new ``id`` and ``occurredAt``, stored as an event of its own.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import sqlite_utils
from flask import Flask

from sandbox import holds, payloads
from sandbox.db import immediate
from sandbox.delivery.firing import Firing, announce, delivery_rows, targets
from sandbox.envelope import occurred_at, to_json
from sandbox.errors import APIError, ValidationError
from sandbox.resend import edits
from sandbox.store import NotFound, accounts, log, new_id, resends
from sandbox.store import deliveries as delivery_store
from sandbox.store import events as event_store

MODES = ("keep", "fresh")
_RULE = re.compile(r"\s*\(rule: ([^)]+)\)")


@dataclass
class Resend:
    """What to resend: edits to the event's object, how, and to which webhook(s)."""

    patch: list[dict] | None = None
    assignments: list[str] | None = None
    mode: str = "fresh"
    webhook_id: str | None = None   # None: every enabled webhook of the account subscribed to the key
    dry_run: bool = False
    validate: bool = True


def contract_problems(key: str, obj: object) -> list[dict]:
    """Return how ``obj`` breaks ``key``'s Wink schema: ``{field, message, rule}`` each; [] when it fits."""
    try:
        payloads.validate(key, obj)
    except ValidationError as exc:
        problems = []
        for error in exc.errors or []:
            rule = _RULE.search(error["message"])
            problems.append({**error, "rule": rule.group(1) if rule else None})
        return problems
    return []


def _account(db: sqlite_utils.Database, event: dict) -> dict:
    try:
        return accounts.get_account(db, event["entity"])
    except NotFound:
        raise APIError(409, f"Event {event['id']} cannot be resent: its account {event['entityName']!r} was "
                            "deleted", title="Account deleted") from None


def resend(app: Flask, db: sqlite_utils.Database, event_id: str, request: Resend) -> tuple[dict, int]:
    """Resend stored event ``event_id`` with ``request``'s edits; return the answer and its status.

    A dry run stores nothing and answers 200 with the diff and the webhooks it would go to; a resend
    answers 202 once its deliveries are stored.
    """
    event = event_store.get_event(db, event_id)
    key, original = event["event"], event["envelope"]
    before = original.get("object")
    edited = edits.apply(before, request.patch, request.assignments)
    problems = contract_problems(key, edited)
    if problems and request.validate:
        first = problems[0]
        raise APIError(422, f"The edit breaks the {key} schema: {first['field']} {first['message']}; "
                            'send "validate": false to send it anyway, marked outside the contract',
                       errors=problems, title="Edit breaks the schema", kind="schema-violation")
    account = _account(db, event)
    hooks, _disabled = targets(db, Firing(key=key, account=account, webhook_id=request.webhook_id),
                               account, True)
    keep = request.mode == "keep"
    envelope = dict(original, object=edited)
    if not keep:
        envelope.update(id=None if request.dry_run else new_id(),
                        occurredAt=None if request.dry_run else occurred_at())
    answer = {
        "dryRun": request.dry_run, "mode": request.mode, "resentFrom": event_id,
        "eventId": envelope["id"], "occurredAt": envelope["occurredAt"], "event": key,
        "entity": event["entity"], "entityName": event["entityName"], "recipientRole": event["recipientRole"],
        "webhooks": [{"id": hook["id"], "name": hook["name"], "eventUrl": hook["eventUrl"]}
                     for hook in hooks],
        "deliveries": [], "changed": edited != before, "diff": edits.diff(before, edited),
        "validated": request.validate, "outsideContract": bool(problems), "problems": problems,
        "envelope": envelope,
    }
    if not hooks:
        message = (f"No enabled webhook of {account['name']!r} subscribes to {key}: subscribe one, or name "
                   "one with webhookId")
        if request.dry_run:
            return {**answer, "message": message}, 200
        raise APIError(409, message, title="Nothing to send to")
    if request.dry_run:
        return answer, 200
    answer["deliveries"], messages = _store(db, event, envelope, hooks, request, answer)
    announce(app, messages, True)
    return answer, 202


def _store(db: sqlite_utils.Database, event: dict, envelope: dict, hooks: list[dict], request: Resend,
           answer: dict) -> tuple[list[dict], list[dict]]:
    """Store the resent letter's deliveries (and, when ``fresh``, the letter) in one transaction."""
    keep = request.mode == "keep"
    body = to_json(envelope)
    record = {"of": event["id"], "mode": request.mode, "patch": answer["diff"]["patch"],
              "problems": answer["problems"]}
    account = {"id": event["entity"], "name": event["entityName"]}
    with immediate(db):
        created = log.timestamp()
        if keep:
            seq = resends.event_seq(db, event["id"])
            resends.count_more_deliveries(db, seq, len(hooks))
        else:
            seq = event_store.insert_events(db, [event_store.event_row(
                event_id=envelope["id"], key=event["event"], account=account, created=created, body=body,
                delivery_count=len(hooks), seed=None, locale=None, chaos=None,
                target_webhook_id=request.webhook_id, recipient_role=event["recipientRole"],
                occurrence_id=envelope["id"], undelivered=event["undelivered"])])
        rows, sent_to = delivery_rows(seq, envelope["id"], event["event"], event["entity"], hooks,
                                      now=time.time(), created=created)
        delivery_store.insert_deliveries(db, rows)
        own_body = body if keep and answer["changed"] else None
        resends.mark_deliveries(db, [row["id"] for row in sent_to], body=own_body, resend=record,
                                outside_contract=answer["outsideContract"])
        messages = log.append(db, [log.message(
            "event.created", eventId=envelope["id"], event=event["event"], entity=event["entity"],
            entityName=event["entityName"], recipientRole=event["recipientRole"], deliveryCount=len(hooks),
            webhookIds=[hook["id"] for hook in hooks], chaos=None, undelivered=event["undelivered"],
            resend={"of": event["id"], "mode": request.mode, "outsideContract": answer["outsideContract"]},
        )])
        # A held webhook queues the resent delivery like any new one (docs/hold.md).
        messages += log.append(db, holds.hold_new(db, [(row[0], row[5]) for row in rows]))
    return sent_to, messages
