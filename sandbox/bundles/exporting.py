"""Exporting: a time range or a scenario run of this sandbox, written as one bundle file.

Records are read in batches (a few hundred letters, their deliveries and attempts) and written as
they are read, so an export of any size holds one batch in memory. Secrets are left out unless asked.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import IO

import sqlite_utils

from sandbox import __version__
from sandbox.bundles.format import Writer, encode_bytes
from sandbox.store import bundles as store
from sandbox.store import runs
from sandbox.store.bundles import Selection
from sandbox.store.log import timestamp

# A run's captures are those received until its last attempt started plus this (a request's timeout).
CAPTURE_GRACE = 15.0


def normalise_time(value: str, field: str) -> str:
    """Read an ISO 8601 time (``2026-12-02T10:00``, with ``Z`` or an offset, or a date) as the stored form
    (UTC, ms, ``Z``); ValueError naming ``field``."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"{field}: {value!r} is not an ISO 8601 time such as 2026-12-02T10:00:00Z") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return timestamp(moment)


def _json(text: str | None):
    return json.loads(text) if text else None


def _scenario(run: dict) -> dict:
    return {"type": "scenario", "runId": run["id"], "fixture": run["fixture"], "kind": run["kind"],
            "params": run["params"], "startedAt": run["startedAt"], "finishedAt": run["finishedAt"],
            "events": run["events"]}


def _account(row: dict) -> dict:
    return {"type": "account", "id": row["id"], "name": row["name"], "accountType": row["type"],
            "createdDate": row["created_date"]}


def _webhook(row: dict, secrets: bool) -> dict:
    if row["id"] is None:  # deleted since: what its deliveries remember
        return {"type": "webhook", "id": row["webhook_id"], "accountId": row["delivery_account"],
                "name": row["webhook_name"], "eventUrl": row["delivery_url"], "deleted": True}
    record = {"type": "webhook", "id": row["id"], "accountId": row["account_id"], "name": row["name"],
              "eventUrl": row["event_url"], "eventList": json.loads(row["event_list"]),
              "enabled": bool(row["enabled"]), "profile": row["profile"],
              "retrySchedule": _json(row["retry_schedule"]), "createdDate": row["created_date"],
              "lastUpdate": row["last_update"], "deleted": False}
    if secrets:
        record["secret"] = row["secret"]
        if row["previous_secret"]:
            record["previousSecret"] = row["previous_secret"]
    return record


def _event(row: dict) -> dict:
    return {"type": "event", "id": row["id"], "key": row["event_key"], "accountId": row["account_id"],
            "accountName": row["account_name"], "recipientRole": row["recipient_role"],
            "occurrenceId": row["occurrence_id"], "createdAt": row["created"], "seed": row["seed"],
            "locale": row["locale"], "chaos": _json(row["chaos"]),
            "targetWebhookId": row["target_webhook_id"],
            "undelivered": bool(row["undelivered"]), "body": encode_bytes(row["body"])}


def _delivery(row: dict) -> dict:
    return {"type": "delivery", "id": row["id"], "eventId": row["event_id"], "key": row["event_key"],
            "accountId": row["account_id"], "webhookId": row["webhook_id"],
            "webhookName": row["webhook_name"],
            "eventUrl": row["event_url"], "status": row["status"], "attemptCount": row["attempts"],
            "lastStatusCode": row["last_status_code"], "lastError": row["last_error"],
            "lastAttemptAt": row["last_attempt_at"], "createdAt": row["created"], "updatedAt": row["updated"],
            "chaos": _json(row["chaos"])}


def _attempt(row: dict) -> dict:
    response = None
    if row["response_status"] is not None:
        response = {"status": row["response_status"], "headers": _json(row["response_headers"]) or {},
                    "body": encode_bytes(row["response_body"]), "truncated": bool(row["response_truncated"])}
    return {"type": "attempt", "deliveryId": row["delivery_id"], "attempt": row["attempt"],
            "trigger": row["trigger"], "startedAt": row["started"],
            # body null: the request sent exactly the event's body
            "request": {"url": row["request_url"], "headers": json.loads(row["request_headers"]),
                        "body": encode_bytes(row["request_body"])},
            "response": response, "durationMs": row["duration_ms"], "error": row["error"],
            "status": row["status"], "nextAttemptAt": row["next_attempt_at"]}


def _capture(row: dict) -> dict:
    return {"type": "capture", "id": str(row["id"]), "inbox": row["inbox"], "seq": row["seq"],
            "receivedAt": row["received"], "method": row["method"], "path": row["path"],
            "query": row["query"],
            "headers": json.loads(row["headers"]), "body": encode_bytes(row["body"]),
            "bodySize": row["body_size"], "refused": bool(row["refused"]), "client": row["client"],
            "response": {"status": row["response_status"], "reason": row["response_reason"],
                         "delay": row["delay"]},
            "signature": {"verified": None if row["verified"] is None else bool(row["verified"]),
                          "reason": row["verify_reason"], "webhookId": row["webhook_id"]}}


def export(db: sqlite_utils.Database, out: IO[bytes], *, start: str | None = None, end: str | None = None,
           run_id: str | None = None, secrets: bool = False, captures: bool = True) -> dict:
    """Write a bundle of a time range (``start``/``end``, stored-form times) or of a run to ``out``.

    Returns the counts of what was written. NotFound for an unknown run.
    """
    run = runs.get_run(db, run_id) if run_id else None
    selection = Selection(start=start, end=end, run_id=run_id)
    header = {"createdAt": timestamp(), "generator": f"webhook-sandbox {__version__}", "secrets": secrets,
              "selection": ({"kind": "run", "runId": run_id, "fixture": run["fixture"]} if run
                            else {"kind": "range", "from": start, "to": end})}
    writer = Writer(out, header)
    if run:
        writer.write(_scenario(run))
    for row in store.selected_accounts(db, selection):
        writer.write(_account(row))
    for row in store.selected_webhooks(db, selection):
        writer.write(_webhook(row, secrets))
    for events in store.selected_events(db, selection):
        for row in events:
            writer.write(_event(row))
        deliveries = store.deliveries_of(db, [row["id"] for row in events])
        for row in deliveries:
            writer.write(_delivery(row))
        for chunk in range(0, len(deliveries), store.BATCH):
            ids = [row["id"] for row in deliveries[chunk:chunk + store.BATCH]]
            for row in store.attempts_of(db, ids):
                writer.write(_attempt(row))
    if captures:
        if run:  # a run's captures: those received while its letters were on the wire
            first, last = store.selection_span(db, selection)
            span = (first or run["startedAt"], _later(last or run["finishedAt"], seconds=CAPTURE_GRACE))
        else:
            span = (start, end)
        for row in store.captures_between(db, *span):
            writer.write(_capture(row))
    return writer.close()


def _later(stamp: str, *, seconds: float) -> str:
    moment = dt.datetime.fromisoformat(stamp.removesuffix("Z"))
    return timestamp(moment + dt.timedelta(seconds=seconds))
