"""The live log: one row per thing that happened (an event fired, an attempt made, a webhook disabled).

The row id is the cursor: a websocket viewer that reconnects asks for everything after the last cursor
it saw. Rows are written in the same transaction as the change they describe, so the log never tells of
a change that did not happen; the writer publishes the messages to the hub after the commit.

A message is a dict ``{"type", "cursor", "at", ...fields}``; the fields used as filters are also
stored in their own columns (``entity`` is the account id).

The log keeps its newest LOG_MAX_ROWS rows: ``prune`` deletes the oldest (only these derived
messages; events, deliveries and attempts stay). Ids are never reused (AUTOINCREMENT), so a viewer
resuming from a pruned cursor sees that rows are missing: ``first_cursor`` is past it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

import sqlite_utils

TYPES = (
    "event.created",
    "delivery.attempted",
    "delivery.succeeded",
    "delivery.failed",
    "delivery.cancelled",
    "webhook.disabled",
    "webhook.held",
    "webhook.resumed",
    "delivery.held",
    "delivery.moved",
    "delivery.released",
)

# Message field -> log column, for every field a reader may filter on.
FILTERS = {
    "type": "type",
    "entity": "account_id",
    "webhookId": "webhook_id",
    "event": "event_key",
    "eventId": "event_id",
    "deliveryId": "delivery_id",
    "status": "status",
}

_HEAD = ("type", "cursor", "at")
_INSERT = (
    "insert into log (type, created, account_id, webhook_id, event_key, event_id, delivery_id, status, "
    "message) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def timestamp(moment: dt.datetime | None = None) -> str:
    """Return a UTC instant as ISO 8601 with milliseconds and a Z, as every log message carries."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def message(type_: str, **fields) -> dict:
    """Start a message: type, an empty cursor (``append`` fills it), the time now, then ``fields``."""
    return {"type": type_, "cursor": None, "at": timestamp(), **fields}


def rows_of(messages: list[dict]) -> list[tuple]:
    """Return the log rows of messages (made before the write lock is taken, by a writer in a hurry)."""
    return [(
        item["type"], item.get("at") or timestamp(), item.get("entity"), item.get("webhookId"),
        item.get("event"), item.get("eventId"), item.get("deliveryId"), item.get("status"),
        _DUMPS({key: value for key, value in item.items() if key not in _HEAD}),
    ) for item in messages]


def append(db: sqlite_utils.Database, messages: list[dict], rows: list[tuple] | None = None) -> list[dict]:
    """Store messages inside the caller's transaction; fill in and return them with their cursors.

    Rows (``rows_of(messages)`` unless given) are inserted in one ``executemany``; their ids follow the
    table's AUTOINCREMENT counter, which no other writer can move while this transaction holds the
    write lock.
    """
    if not messages:
        return messages
    rows = rows if rows is not None else rows_of(messages)
    if not db.conn.in_transaction:
        from sandbox.db import immediate

        with immediate(db):
            return append(db, messages, rows)
    execute = db.conn.execute
    if len(rows) == 1:
        messages[0]["cursor"] = execute(_INSERT, rows[0]).lastrowid
        return messages
    found = execute("select seq from sqlite_sequence where name = 'log'").fetchone()
    base = found[0] if found else 0
    db.conn.executemany(_INSERT, rows)
    last = execute("select seq from sqlite_sequence where name = 'log'").fetchone()[0]
    if last != base + len(rows):  # cannot happen under the write lock; never hand out wrong cursors
        raise RuntimeError(f"log ids {base + 1}..{last} are not the {len(rows)} rows just written")
    for offset, item in enumerate(messages, 1):
        item["cursor"] = base + offset
    return messages


def _where(filters: Mapping[str, object] | None) -> tuple[list[str], list]:
    clauses: list[str] = []
    params: list = []
    for name, value in (filters or {}).items():
        if value is None:
            continue
        column = FILTERS.get(name)
        if column is None:
            raise ValueError(f"cannot filter the log on {name!r}; filters: {', '.join(FILTERS)}")
        if isinstance(value, str):
            clauses.append(f"{column} = ?")
            params.append(value)
        else:
            values = list(value) if isinstance(value, Iterable) else [value]
            clauses.append(f"{column} in ({', '.join('?' * len(values))})" if values else "0")
            params.extend(values)
    return clauses, params


def _shape(row: tuple) -> dict:
    return {"type": row[0], "cursor": row[1], "at": row[2], **json.loads(row[3])}


def since(db: sqlite_utils.Database, cursor: int, filters: Mapping[str, object] | None = None,
          limit: int = 1000) -> list[dict]:
    """Return up to ``limit`` messages after ``cursor`` that match ``filters``, oldest first."""
    clauses, params = _where(filters)
    sql = "select type, id, created, message from log where id > ?"
    sql += "".join(f" and {clause}" for clause in clauses) + " order by id limit ?"
    return [_shape(row) for row in db.conn.execute(sql, [cursor, *params, limit])]


def latest(db: sqlite_utils.Database, n: int, filters: Mapping[str, object] | None = None) -> list[dict]:
    """Return the last ``n`` messages matching ``filters``, oldest first (a viewer's backlog)."""
    clauses, params = _where(filters)
    sql = "select type, id, created, message from log"
    sql += (" where " + " and ".join(clauses) if clauses else "") + " order by id desc limit ?"
    rows = db.conn.execute(sql, [*params, n]).fetchall()
    return [_shape(row) for row in reversed(rows)]


def recent(db: sqlite_utils.Database, deliveries: int, filters: Mapping[str, object] | None = None,
           limit: int | None = None) -> list[dict]:
    """Return a viewer's backlog, oldest first: the newest messages matching ``filters``, going back
    until they cover ``deliveries`` deliveries (at most ``limit`` messages, by default 10 a delivery).

    The backlog is an unbroken stretch of the log, so it reads like what a viewer watching since then
    would have seen: events without deliveries and other deliveries' retries in between included.
    Filtered to types other than ``delivery.*`` (``event.created`` names no delivery), it is the last
    ``deliveries`` messages.
    """
    if deliveries <= 0:
        return []
    types = (filters or {}).get("type")
    if types and not any(str(kind).startswith("delivery.") for kind in types):
        # event.created names no delivery (and webhook.disabled one each): the last N messages, read
        # newest first through the type's index, not the 10 x N that would never cover N deliveries.
        return latest(db, deliveries, filters)
    clauses, params = _where(filters)
    sql = "select type, id, created, message, delivery_id from log"
    sql += (" where " + " and ".join(clauses) if clauses else "") + " order by id desc limit ?"
    picked: list[tuple] = []
    seen: set[str] = set()
    for row in db.conn.execute(sql, [*params, limit or 10 * deliveries]):
        delivery_id = row[4]
        if delivery_id is not None and delivery_id not in seen:
            if len(seen) == deliveries:
                break
            seen.add(delivery_id)
        picked.append(row)
    return [_shape(row[:4]) for row in reversed(picked)]


def last_cursor(db: sqlite_utils.Database) -> int:
    """Return the newest cursor (0 for an empty log)."""
    return db.conn.execute("select coalesce(max(id), 0) from log").fetchone()[0]


def exists(db: sqlite_utils.Database, cursor: int) -> bool:
    """Tell whether the row with this cursor is stored (committed, when asked from another transaction)."""
    return db.conn.execute("select 1 from log where id = ?", [cursor]).fetchone() is not None


def first_cursor(db: sqlite_utils.Database) -> int | None:
    """Return the oldest stored cursor (None for an empty log)."""
    return db.conn.execute("select min(id) from log").fetchone()[0]


def prune(db: sqlite_utils.Database, keep: int, batch: int) -> int:
    """Delete up to ``batch`` of the oldest rows beyond the newest ``keep``, in one short transaction of
    its own; return how many went (0: nothing beyond ``keep``). The newest row always stays, so the
    newest cursor is never lost."""
    from sandbox.db import immediate

    with immediate(db):
        first, newest = db.conn.execute("select min(id), max(id) from log").fetchone()
        if newest is None:
            return 0
        # Ids past the newest ``keep`` cursors are kept: at most ``keep`` rows, however ids were spent.
        upto = min(newest - max(keep, 1), first + batch - 1)
        if upto < first:
            return 0
        return db.conn.execute("delete from log where id <= ?", [upto]).rowcount
