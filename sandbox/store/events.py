"""Fired events: the envelope's exact bytes, who it was for, and how it was made (seed, locale, chaos,
and whether it is a letter Wink would never send: ``undelivered``)."""

from __future__ import annotations

import json

import sqlite_utils

from sandbox.store import NotFound, newest_first_page

_INSERT = (
    "insert into events (seq, id, event_key, account_id, account_name, created, seed, locale, chaos, "
    "target_webhook_id, delivery_count, body, recipient_role, occurrence_id, undelivered) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def event_row(*, event_id: str, key: str, account: dict, created: str, body: bytes, delivery_count: int,
              seed: int | None, locale: str | None, chaos: dict | None, target_webhook_id: str | None,
              recipient_role: str | None, occurrence_id: str, undelivered: bool) -> tuple:
    """Return one event's row for ``insert_events`` (made before the write lock is taken)."""
    return (event_id, key, account["id"], account["name"], created, seed, locale,
            json.dumps(chaos) if chaos else None, target_webhook_id, delivery_count, body, recipient_role,
            occurrence_id, int(undelivered))


def insert_events(db: sqlite_utils.Database, rows: list[tuple]) -> int:
    """Store events made by ``event_row``, in order (inside the caller's write transaction); return the
    sequence number of the first: the others follow it one by one."""
    first = db.conn.execute("select coalesce(max(seq), 0) + 1 from events").fetchone()[0]
    db.conn.executemany(_INSERT, [(first + number, *row) for number, row in enumerate(rows)])
    return first


def _summary(row: dict) -> dict:
    return {
        "id": row["id"],
        "event": row["event_key"],
        "entity": row["account_id"],
        "entityName": row["account_name"],
        "recipientRole": row["recipient_role"],
        "occurrenceId": row["occurrence_id"],
        "createdDate": row["created"],
        "deliveryCount": row["delivery_count"],
        "webhookId": row["target_webhook_id"],
        "seed": row["seed"],
        "locale": row["locale"],
        "chaos": json.loads(row["chaos"]) if row["chaos"] else None,
        "undelivered": bool(row["undelivered"]),
    }


_COLUMNS = ("seq, id, event_key, account_id, account_name, created, seed, locale, chaos, "
            "target_webhook_id, delivery_count, recipient_role, occurrence_id, undelivered")


def get_event(db: sqlite_utils.Database, event_id: str) -> dict:
    """Return one event with its envelope (the body every attempt sends), or raise NotFound."""
    rows = list(db.query(f"select {_COLUMNS}, body from events where id = ?", [event_id]))
    if not rows:
        raise NotFound(f"No event with id {event_id!r}")
    event = _summary(rows[0])
    event["envelope"] = json.loads(rows[0]["body"])
    return event


def list_events(
    db: sqlite_utils.Database,
    *,
    key: str | None = None,
    account_id: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> tuple[list[dict], int | None]:
    """Return a page of events, newest first, and the cursor of the next page (or None)."""
    clauses, params = [], []
    if key is not None:
        clauses.append("event_key = ?")
        params.append(key)
    if account_id is not None:
        clauses.append("account_id = ?")
        params.append(account_id)
    rows, next_cursor = newest_first_page(db, f"select {_COLUMNS} from events", clauses, params,
                                          seq="seq", before=before, limit=limit)
    return [_summary(row) for row in rows], next_cursor
