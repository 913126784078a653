"""Building a firing's objects before the write lock is taken, and telling under the lock whether what
they were built from still holds.

Making an event's object (summaries, edits, schema checks, moving a stored record on) is the slow part
of firing. Done under the write lock, it kept every other writer waiting (the engine recording attempts,
other firings), and past the busy timeout they failed with "database is locked". So each occurrence is
built first, from the stored records as read without the lock, and every read is remembered; under the
lock ``current`` reads them again, and only when one moved is the occurrence built again, there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from sandbox import payloads
from sandbox.envelope import base_url, editor
from sandbox.payloads.common import Resource
from sandbox.store import resources

Key = tuple[str, str]   # (kind, id) of a stored resource


@dataclass
class Built:
    """One occurrence's object, the generated record it came from, what it read and what it stores."""

    made: payloads.Made
    record: dict
    reads: list[tuple[Key, str | None]] = field(default_factory=list)   # each record's text as read
    saves: list[tuple[Resource, str]] = field(default_factory=list)     # each record's text to store


class _Reader:
    """A ``payloads.make`` lookup reading the database, that also sees the records the same firing's
    earlier occurrences made (stored with them later), and remembers what it read."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.written: dict[Key, str] = {}
        self.reads: list[tuple[Key, str | None]] = []

    def __call__(self, resource: Resource) -> dict | None:
        key = (resource.kind, resource.id)
        raw = self.written[key] if key in self.written else resources.get_raw(self.db, *key)
        self.reads.append((key, raw))
        return None if raw is None else json.loads(raw)


def build(db: sqlite_utils.Database, firing, generated: list[dict]) -> list[Built]:
    """Make each occurrence's object from its generated record (a 400 for an edit breaking the schema)."""
    reader = _Reader(db)
    edit = editor(firing.overrides, firing.assignments)
    base = firing.base_url or base_url()
    built = []
    for record in generated:
        reader.reads = []
        one = payloads.make(firing.key, record, base_url=base, edit=edit, lookup=reader, given=firing.data)
        saves = []
        if one.record is not None and one.resource is not None:
            for resource, held in [(one.resource, one.record), *one.also]:
                text = resources.dump(held)
                reader.written[(resource.kind, resource.id)] = text
                saves.append((resource, text))
        built.append(Built(one, record, reader.reads, saves))
    return built


def current(db: sqlite_utils.Database, built: list[Built]) -> bool:
    """Tell (under the write lock) whether every record these occurrences read is still as they read it,
    counting what the earlier ones of them store."""
    written: dict[Key, str] = {}
    for one in built:
        for key, raw in one.reads:
            if (written[key] if key in written else resources.get_raw(db, *key)) != raw:
                return False
        for resource, text in one.saves:
            written[(resource.kind, resource.id)] = text
    return True
