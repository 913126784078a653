"""Holds: the webhooks on hold and their queues of held deliveries (migration m050).

A held delivery has status ``held`` and a ``hold_rank`` (its place in its webhook's queue, smaller
first); the engine never claims it. Releasing one gives it status ``pending``, due now, and a new
``seq`` past every delivery stored so far: the engine claims and sends a webhook's deliveries in
``seq`` order, so released deliveries go out in the order they were released, after whatever was
already queued and before anything fired later.
"""

from __future__ import annotations

import sqlite_utils

from sandbox.store.deliveries import _COLUMNS, _shape
from sandbox.store.log import timestamp

# The fields a live-log message about a delivery carries.
ROW_KEYS = ("id", "event_id", "event_key", "account_id", "webhook_id", "webhook_name", "event_url")
_ROW_SELECT = f"select {', '.join(ROW_KEYS)} from deliveries"


def _rows(cursor) -> list[dict]:
    return [dict(zip(ROW_KEYS, row, strict=True)) for row in cursor]


def since(db: sqlite_utils.Database, webhook_id: str) -> str | None:
    """Return when a webhook was put on hold, or None when it is not held."""
    row = db.conn.execute("select since from holds where webhook_id = ?", [webhook_id]).fetchone()
    return row[0] if row else None


def held_among(db: sqlite_utils.Database, webhook_ids: set[str]) -> set[str]:
    """Return which of these webhooks are on hold."""
    if not webhook_ids:
        return set()
    marks = ", ".join("?" * len(webhook_ids))
    return {row[0] for row in db.conn.execute(
        f"select webhook_id from holds where webhook_id in ({marks})", list(webhook_ids))}


def begin(db: sqlite_utils.Database, webhook_id: str) -> bool:
    """Put a webhook on hold (inside the caller's transaction); return False when it already was."""
    return db.conn.execute("insert into holds (webhook_id, since) values (?, ?) on conflict do nothing",
                           [webhook_id, timestamp()]).rowcount == 1


def end(db: sqlite_utils.Database, webhook_id: str) -> bool:
    """Take a webhook off hold (inside the caller's transaction); return False when it was not held."""
    return db.conn.execute("delete from holds where webhook_id = ?", [webhook_id]).rowcount == 1


def _next_rank(db: sqlite_utils.Database, webhook_id: str) -> int:
    return db.conn.execute("select coalesce(max(hold_rank), 0) + 1 from deliveries "
                           "where webhook_id = ? and status = 'held'", [webhook_id]).fetchone()[0]


def capture(db: sqlite_utils.Database, webhook_id: str, *, waiting: bool = False,
            ids: list[str] = ()) -> list[dict]:
    """Move deliveries of a held webhook to the end of its queue, oldest first; return them with
    their ``position`` (inside the caller's transaction).

    ``waiting``: every delivery of the webhook that waits to be sent and that no engine holds
    (``pending`` or ``retrying``, unclaimed); ``ids``: these deliveries, when they wait to be sent
    (claimed ones are the caller's to take back from the engine first).
    """
    clauses, params = [], []
    if waiting:
        clauses.append("claimed = 0")
    if ids:
        clauses.append(f"id in ({', '.join('?' * len(ids))})")
        params += list(ids)
    if not clauses:
        return []
    where = (f"webhook_id = ? and status in ('pending', 'retrying') and ({' or '.join(clauses)})")
    rows = _rows(db.conn.execute(f"{_ROW_SELECT} where {where} order by seq", [webhook_id, *params]))
    if not rows:
        return []
    first = _next_rank(db, webhook_id)
    queued = db.conn.execute("select count(*) from deliveries where webhook_id = ? and status = 'held'",
                             [webhook_id]).fetchone()[0]
    now = timestamp()
    db.conn.executemany(
        "update deliveries set status = 'held', hold_rank = ?, next_at = null, claimed = 0, updated = ? "
        "where id = ?", [(first + n, now, row["id"]) for n, row in enumerate(rows)])
    for n, row in enumerate(rows):
        row["position"] = queued + n + 1
    return rows


def queue(db: sqlite_utils.Database, webhook_id: str, limit: int | None = None) -> list[dict]:
    """Return a webhook's held deliveries in queue order (the first ``limit``), each shaped as the API
    shows a delivery with its ``position`` (1 is released first)."""
    rows = db.query(f"select {_COLUMNS} from deliveries d indexed by deliveries_held "
                    "where d.webhook_id = ? and d.status = 'held' order by d.hold_rank limit ?",
                    [webhook_id, -1 if limit is None else limit])
    return [{**_shape(row), "position": n} for n, row in enumerate(rows, 1)]


def count(db: sqlite_utils.Database, webhook_id: str) -> int:
    """Return how many deliveries a webhook's queue holds."""
    return db.conn.execute("select count(*) from deliveries indexed by deliveries_held "
                           "where webhook_id = ? and status = 'held'", [webhook_id]).fetchone()[0]


def queue_ids(db: sqlite_utils.Database, webhook_id: str) -> list[str]:
    """Return the ids of a webhook's held deliveries, in queue order."""
    return [row[0] for row in db.conn.execute(
        "select id from deliveries indexed by deliveries_held where webhook_id = ? and status = 'held' "
        "order by hold_rank", [webhook_id])]


def status_of(db: sqlite_utils.Database, delivery_id: str) -> tuple[str, str] | None:
    """Return a delivery's (webhook id, status), or None when there is no such delivery."""
    row = db.conn.execute("select webhook_id, status from deliveries where id = ?", [delivery_id]).fetchone()
    return (row[0], row[1]) if row else None


def move(db: sqlite_utils.Database, webhook_id: str, delivery_id: str, here: int, there: int,
         size: int) -> None:
    """Move the held delivery at index ``here`` of a webhook's queue (of ``size``) to index ``there``
    (inside the caller's transaction). To either end it takes a rank past that end: one write.
    Elsewhere only the deliveries between the two places get new ranks: they take the same ranks,
    shifted by one place, so a move costs as many writes as places it crosses."""
    if there in (0, size - 1):
        end = "min(hold_rank) - 1" if there == 0 else "max(hold_rank) + 1"
        db.conn.execute(f"update deliveries set hold_rank = (select {end} from deliveries indexed by "
                        "deliveries_held where webhook_id = ? and status = 'held') where id = ?",
                        [webhook_id, delivery_id])
        return
    low, high = min(here, there), max(here, there)
    rows = db.conn.execute(
        "select id, hold_rank from deliveries indexed by deliveries_held where webhook_id = ? "
        "and status = 'held' order by hold_rank limit ? offset ?",
        [webhook_id, high - low + 1, low]).fetchall()
    ids, ranks = [row[0] for row in rows], [row[1] for row in rows]
    ids.insert(there - low, ids.pop(here - low))
    db.conn.executemany("update deliveries set hold_rank = ? where id = ?",
                        list(zip(ranks, ids, strict=True)))


def row(db: sqlite_utils.Database, delivery_id: str) -> dict:
    """Return what a live-log message tells of a delivery (id, event, account, webhook, URL)."""
    [found] = _rows(db.conn.execute(f"{_ROW_SELECT} where id = ?", [delivery_id]))
    return found


def drop(db: sqlite_utils.Database, delivery_id: str) -> dict:
    """Cancel a held delivery (inside the caller's transaction); return its row."""
    found = row(db, delivery_id)
    db.conn.execute("update deliveries set status = 'cancelled', hold_rank = null, next_at = null, "
                    "updated = ? where id = ? and status = 'held'", [timestamp(), delivery_id])
    return found


def deliveries(db: sqlite_utils.Database, ids: list[str]) -> list[dict]:
    """Return these deliveries as the API shows one, in the order of ``ids``."""
    found: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update((row["id"], _shape(row)) for row in db.query(
            f"select {_COLUMNS} from deliveries d where d.id in ({', '.join('?' * len(chunk))})", chunk))
    return [found[delivery_id] for delivery_id in ids if delivery_id in found]


def release(db: sqlite_utils.Database, ids: list[str], now: float) -> list[dict]:
    """Release held deliveries in this order: pending, due ``now``, each with a ``seq`` after every
    delivery stored so far (inside the caller's transaction); return their rows."""
    marks = ", ".join("?" * len(ids))
    found = {row["id"]: row for row in _rows(db.conn.execute(
        f"{_ROW_SELECT} where id in ({marks}) and status = 'held'", ids))} if ids else {}
    rows = [found[delivery_id] for delivery_id in ids if delivery_id in found]
    if not rows:
        return []
    top = db.conn.execute("select coalesce(max(seq), 0) from deliveries").fetchone()[0]
    stamp = timestamp()
    db.conn.executemany(
        "update deliveries set seq = ?, status = 'pending', hold_rank = null, next_at = ?, updated = ? "
        "where id = ?", [(top + n, now, stamp, row["id"]) for n, row in enumerate(rows, 1)])
    return rows
