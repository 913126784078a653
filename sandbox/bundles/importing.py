"""Importing: a bundle file read into this sandbox as a read-only copy, in one transaction.

The file is read line by line and stored in batches; anything amiss (corrupt, cut short, a newer
format, a body that does not match its hash) raises ``BundleError`` and the transaction is rolled
back, so a bad bundle stores nothing.
"""

from __future__ import annotations

from typing import IO

import sqlite_utils

from sandbox.bundles.format import BundleError, decode_bytes, records
from sandbox.db import immediate
from sandbox.store import bundles as store
from sandbox.store import new_id
from sandbox.store.log import timestamp

BATCH = 2000


def _links(record: dict) -> tuple[str | None, str | None, str | None]:
    """A record's ``(item_id, parent_id, at)``: its id, what it belongs to, and its time."""
    kind = record["type"]
    if kind == "attempt":
        return f"{record['deliveryId']}/{record['attempt']}", record["deliveryId"], record["startedAt"]
    if kind == "delivery":
        return record["id"], record["eventId"], record["createdAt"]
    if kind == "event":
        return record["id"], record["accountId"], record["createdAt"]
    if kind == "webhook":
        return record["id"], record["accountId"], record.get("createdDate")
    if kind == "capture":
        return str(record["id"]), record["inbox"], record["receivedAt"]
    if kind == "scenario":
        return record["runId"], None, record.get("startedAt")
    return record.get("id"), None, record.get("createdDate")


def _check(record: dict, number: int) -> None:
    """Check what a view or a replay relies on beyond the required fields."""
    try:
        if record["type"] == "event":
            decode_bytes(record["body"], field="the event's body")
        elif record["type"] == "attempt":
            request = record["request"]
            if not isinstance(request, dict) or not isinstance(request.get("url"), str) \
                    or not isinstance(request.get("headers"), dict):
                raise BundleError("an attempt's request needs a url and headers")
            decode_bytes(request.get("body"), field="the attempt's request body")
    except BundleError as exc:
        raise BundleError(str(exc), line=number) from None


def _name(header: dict) -> str:
    selection = header.get("selection") or {}
    if selection.get("kind") == "run":
        return f"Run of {selection.get('fixture')}"
    start, end = selection.get("from"), selection.get("to")
    return f"{start or 'the start'} to {end or header.get('createdAt') or 'the end'}"


def import_bundle(db: sqlite_utils.Database, stream: IO[bytes], *, name: str | None = None) -> dict:
    """Read a bundle from ``stream`` into this sandbox; return the imported bundle (with its id)."""
    bundle_id = new_id()
    batch: list[tuple] = []
    counts: dict[str, int] = {}
    with immediate(db):
        for number, raw, record in records(stream):
            kind = record["type"]
            if number == 1:
                store.create_bundle(db, bundle_id=bundle_id, name=name or _name(record), imported=timestamp(),
                                    format_version=record["formatVersion"], header=record)
                continue
            if kind == "end":
                continue  # the reader checks its counts and that nothing follows
            _check(record, number)
            try:
                item_id, parent_id, at = _links(record)
            except (KeyError, TypeError):
                raise BundleError(f"a {kind} record lacks the fields that link it", line=number) from None
            batch.append((bundle_id, kind, item_id, parent_id, at, raw.decode("utf-8").rstrip("\n")))
            counts[kind] = counts.get(kind, 0) + 1
            if len(batch) >= BATCH:
                store.insert_items(db, batch)
                batch.clear()
        store.insert_items(db, batch)
        store.finish_bundle(db, bundle_id, counts)
    return store.get_bundle(db, bundle_id)
