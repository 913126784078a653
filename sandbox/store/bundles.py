"""Session bundles' SQL: reading what a bundle exports, and the imported bundles (read-only copies).

Exporting reads the sandbox's own tables through a *selection*: a time range of event creation, or
one scenario run's letters. Every reader yields rows lazily (a cursor, or batches of ids), so an export
of any size holds one batch in memory. Imported bundles live in ``bundles`` and ``bundle_items``,
never in the tables the delivery engine sends from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import sqlite_utils

from sandbox.store import NotFound

BATCH = 500


class Selection:
    """Which events a bundle holds: created in ``[start, end)``, or fired by one scenario run."""

    def __init__(self, *, start: str | None = None, end: str | None = None, run_id: str | None = None):
        self.start, self.end, self.run_id = start, end, run_id

    def where(self) -> tuple[str, list]:
        """The clause on ``events`` and its parameters."""
        if self.run_id is not None:
            return "id in (select event_id from run_events where run_id = ?)", [self.run_id]
        clauses, params = ["1"], []
        if self.start:
            clauses.append("created >= ?")
            params.append(self.start)
        if self.end:
            clauses.append("created < ?")
            params.append(self.end)
        return " and ".join(clauses), params


_EVENT_COLUMNS = ("id, event_key, account_id, account_name, created, seed, locale, chaos, target_webhook_id, "
                  "recipient_role, occurrence_id, undelivered, body")
_DELIVERY_COLUMNS = ("id, event_id, event_key, account_id, webhook_id, webhook_name, event_url, status, "
                     "attempts, last_status_code, last_error, last_attempt_at, created, updated, chaos")
_ATTEMPT_COLUMNS = ("delivery_id, attempt, trigger, started, request_url, request_headers, request_body, "
                    "response_status, response_headers, response_body, response_truncated, duration_ms, "
                    "error, status, next_attempt_at")
_CAPTURE_COLUMNS = ("id, inbox, seq, received, method, path, query, headers, body, body_size, refused, "
                    "client, response_status, response_reason, delay, verified, verify_reason, webhook_id")


def _dicts(cursor) -> Iterator[dict]:
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def selected_accounts(db: sqlite_utils.Database, selection: Selection) -> list[dict]:
    """The accounts the selected letters are addressed to, and the owners of the webhooks they went to."""
    where, params = selection.where()
    return list(_dicts(db.conn.execute(
        f"select id, name, type, created_date from accounts where id in ("
        f"select account_id from events where {where} union select webhooks.account_id from webhooks "
        f"where webhooks.id in (select webhook_id from deliveries where event_id in "
        f"(select id from events where {where}))) order by created_date, id", [*params, *params])))


def selected_webhooks(db: sqlite_utils.Database, selection: Selection) -> list[dict]:
    """The webhooks the selected letters were delivered to: the stored row, or (deleted since) what the
    deliveries remember of it (``deleted`` true)."""
    where, params = selection.where()
    found = list(_dicts(db.conn.execute(
        "select d.webhook_id, min(d.webhook_name) as webhook_name, min(d.event_url) as delivery_url, "
        "min(d.account_id) as delivery_account, w.* from deliveries d "
        "left join webhooks w on w.id = d.webhook_id "
        f"where d.event_id in (select id from events where {where}) "
        "group by d.webhook_id order by d.webhook_id",
        params)))
    return found


def selected_events(db: sqlite_utils.Database, selection: Selection) -> Iterator[list[dict]]:
    """The selected letters in firing order, in batches (each with its exact ``body`` bytes)."""
    where, params = selection.where()
    cursor = db.conn.execute(f"select {_EVENT_COLUMNS} from events where {where} order by seq", params)
    rows = _dicts(cursor)
    while batch := [row for _, row in zip(range(BATCH), rows, strict=False)]:
        yield batch


def deliveries_of(db: sqlite_utils.Database, event_ids: list[str]) -> list[dict]:
    """The deliveries of these letters, in the order they were made."""
    marks = ", ".join("?" * len(event_ids))
    return list(_dicts(db.conn.execute(
        f"select {_DELIVERY_COLUMNS} from deliveries where event_id in ({marks}) order by seq", event_ids)))


def attempts_of(db: sqlite_utils.Database, delivery_ids: list[str]) -> list[dict]:
    """Every attempt of these deliveries, oldest first."""
    marks = ", ".join("?" * len(delivery_ids))
    return list(_dicts(db.conn.execute(
        f"select {_ATTEMPT_COLUMNS} from attempts where delivery_id in ({marks}) order by id", delivery_ids)))


def selection_span(db: sqlite_utils.Database, selection: Selection) -> tuple[str | None, str | None]:
    """The first letter's creation and the last attempt's start of a selection (a run's time on the wire)."""
    where, params = selection.where()
    first = db.conn.execute(f"select min(created) from events where {where}", params).fetchone()[0]
    last = db.conn.execute(
        "select max(started) from attempts where delivery_id in (select id from deliveries where event_id in "
        f"(select id from events where {where}))", params).fetchone()[0]
    return first, last


def captures_between(db: sqlite_utils.Database, start: str | None, end: str | None) -> Iterator[dict]:
    """The inbox captures received in ``[start, end)`` (either bound open), oldest first."""
    clauses, params = ["1"], []
    if start:
        clauses.append("received >= ?")
        params.append(start)
    if end:
        clauses.append("received < ?")
        params.append(end)
    return _dicts(db.conn.execute(
        f"select {_CAPTURE_COLUMNS} from inbox_captures where {' and '.join(clauses)} order by id", params))


# ---- imported bundles ---------------------------------------------------------------------------

_INSERT_ITEM = ("insert into bundle_items (bundle_id, kind, item_id, parent_id, at, record) "
                "values (?, ?, ?, ?, ?, ?)")


def create_bundle(db: sqlite_utils.Database, *, bundle_id: str, name: str, imported: str, format_version: str,
                  header: dict) -> None:
    """Start an imported bundle (inside the caller's transaction)."""
    db.conn.execute("insert into bundles (id, name, imported, format_version, header, counts) "
                    "values (?, ?, ?, ?, ?, '{}')",
                    [bundle_id, name, imported, format_version, json.dumps(header)])


def insert_items(db: sqlite_utils.Database, rows: Iterable[tuple]) -> None:
    """Store records ``(bundle_id, kind, item_id, parent_id, at, record line)`` (caller's transaction)."""
    db.conn.executemany(_INSERT_ITEM, rows)


def finish_bundle(db: sqlite_utils.Database, bundle_id: str, counts: dict) -> None:
    db.conn.execute("update bundles set counts = ? where id = ?", [json.dumps(counts), bundle_id])


def _bundle(row: tuple) -> dict:
    bundle_id, name, imported, version, header, counts = row
    header = json.loads(header)
    return {"id": bundle_id, "name": name, "importedAt": imported, "formatVersion": version,
            "createdAt": header.get("createdAt"), "generator": header.get("generator"),
            "selection": header.get("selection"), "secrets": bool(header.get("secrets")),
            "counts": json.loads(counts)}


_BUNDLE_COLUMNS = "id, name, imported, format_version, header, counts"


def list_bundles(db: sqlite_utils.Database) -> list[dict]:
    """Every imported bundle, newest import first."""
    return [_bundle(row) for row in db.conn.execute(
        f"select {_BUNDLE_COLUMNS} from bundles order by imported desc, rowid desc")]


def get_bundle(db: sqlite_utils.Database, bundle_id: str) -> dict:
    """One imported bundle, or NotFound."""
    row = db.conn.execute(f"select {_BUNDLE_COLUMNS} from bundles where id = ?", [bundle_id]).fetchone()
    if row is None:
        raise NotFound(f"No imported bundle with id {bundle_id!r}; GET /api/bundles lists them")
    return _bundle(row)


def delete_bundle(db: sqlite_utils.Database, bundle_id: str) -> None:
    """Forget an imported bundle and its records."""
    with db.atomic():
        get_bundle(db, bundle_id)
        db.conn.execute("delete from bundle_items where bundle_id = ?", [bundle_id])
        db.conn.execute("delete from bundles where id = ?", [bundle_id])


def items(db: sqlite_utils.Database, bundle_id: str, kind: str, *, after: int = 0, limit: int = 50,
          parent: str | None = None) -> tuple[list[dict], int | None]:
    """A page of one kind of record, in the file's order (``after``: the previous page's cursor)."""
    clauses, params = ["bundle_id = ?", "kind = ?"], [bundle_id, kind]
    if parent is not None:
        clauses.append("parent_id = ?")
        params.append(parent)
    rows = db.conn.execute(
        f"select id, record from bundle_items where {' and '.join(clauses)} and id > ? order by id limit ?",
        [*params, after, limit + 1]).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return [json.loads(record) for _, record in rows], (rows[-1][0] if more else None)


def item(db: sqlite_utils.Database, bundle_id: str, kind: str, item_id: str) -> dict:
    """One record of a bundle by its id, or NotFound."""
    row = db.conn.execute("select record from bundle_items where bundle_id = ? and item_id = ? and kind = ?",
                          [bundle_id, item_id, kind]).fetchone()
    if row is None:
        raise NotFound(f"Bundle {bundle_id} holds no {kind} with id {item_id!r}")
    return json.loads(row[0])


def children(db: sqlite_utils.Database, bundle_id: str, kind: str, parent: str) -> list[dict]:
    """Every record of ``kind`` under ``parent`` (an event's deliveries, a delivery's attempts), in order."""
    return [json.loads(r) for (r,) in db.conn.execute(
        "select record from bundle_items where bundle_id = ? and parent_id = ? and kind = ? order by id",
        [bundle_id, parent, kind])]


def attempts_in_order(db: sqlite_utils.Database, bundle_id: str) -> Iterator[dict]:
    """Every attempt of a bundle in the order it was first made (its start, then its place in the file)."""
    for (record,) in db.conn.execute(
            "select record from bundle_items where bundle_id = ? and kind = 'attempt' order by at, id",
            [bundle_id]):
        yield json.loads(record)
