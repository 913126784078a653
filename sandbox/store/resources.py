"""The full records behind ``links.self``: stored when their first event is fired, moved on by later ones."""

from __future__ import annotations

import json

import sqlite_utils

from sandbox.payloads.common import Resource
from sandbox.store import NotFound, now_iso


def get_record(db: sqlite_utils.Database, kind: str, resource_id: str) -> dict | None:
    """Return the stored record of a resource, or None."""
    row = db.conn.execute("select record from resources where kind = ? and id = ?",
                          [kind, resource_id]).fetchone()
    return json.loads(row[0]) if row else None


def dump(record: dict) -> str:
    """Return a record as the text stored for it (what ``get_raw`` reads back)."""
    return json.dumps(record, ensure_ascii=False)


def get_raw(db: sqlite_utils.Database, kind: str, resource_id: str) -> str | None:
    """Return the stored text of a resource's record, or None: what a firing compares to see that the
    record did not move since it read it."""
    row = db.conn.execute("select record from resources where kind = ? and id = ?",
                          [kind, resource_id]).fetchone()
    return row[0] if row else None


def lookup(db: sqlite_utils.Database):
    """Return a ``payloads.make`` lookup reading this database."""
    return lambda resource: get_record(db, resource.kind, resource.id)


_UPSERT = (
    "insert into resources (kind, id, hotel, record, created, updated, events, last_event_id, "
    "last_event_key) values (?, ?, ?, ?, ?, ?, 1, ?, ?) "
    "on conflict (kind, id) do update set hotel = excluded.hotel, record = excluded.record, "
    "updated = excluded.updated, events = resources.events + 1, "
    "last_event_id = excluded.last_event_id, last_event_key = excluded.last_event_key"
)


def save_many(db: sqlite_utils.Database, saves: list[tuple[Resource, str]], key: str) -> None:
    """Store records (their ``dump`` text) in order, as a firing's events leave them (inside the
    caller's transaction)."""
    now = now_iso()
    db.conn.executemany(_UPSERT, [(resource.kind, resource.id, resource.hotel, text, now, now, None, key)
                                  for resource, text in saves])


def get_resource(db: sqlite_utils.Database, hotel: str, kind: str, resource_id: str) -> dict:
    """Return the record a hotel's extranet path serves, or raise NotFound naming it."""
    row = db.conn.execute("select record, hotel from resources where kind = ? and id = ?",
                          [kind, resource_id]).fetchone()
    if row is None or row[1] != hotel:
        raise NotFound(f"No {kind.lower().replace('_', ' ')} {resource_id!r} under managing entity {hotel!r}")
    return json.loads(row[0])
