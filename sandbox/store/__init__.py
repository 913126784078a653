"""The data layer: every SQL statement of the sandbox lives in this package.

Functions take a sqlite-utils Database and return plain dicts shaped for the API; an unknown id
raises ``NotFound`` (a 404 problem when it reaches a view).
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlite_utils

from sandbox.errors import NotFoundError as NotFound

__all__ = ["NotFound", "new_id", "newest_first_page", "now_iso", "utcnow"]


def new_id() -> str:
    """Return a new random uuid, as Wink's ids are."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def now_iso() -> str:
    """Return the current UTC time in Wink's style: ISO 8601 without zone, to the second."""
    return utcnow().replace(microsecond=0).isoformat()


def newest_first_page(db: sqlite_utils.Database, select: str, clauses: list[str], params: list, *,
                      seq: str, before: int | None, limit: int) -> tuple[list[dict], int | None]:
    """Return one page of ``select``'s rows matching every clause, newest ``seq`` first, and the next cursor.

    ``before`` is the previous page's cursor: only rows with a smaller ``seq``. The cursor is the
    ``seq`` of the page's last row, or None on the last page.
    """
    if before is not None:
        clauses = [*clauses, f"{seq} < ?"]
        params = [*params, before]
    where = (" where " + " and ".join(clauses)) if clauses else ""
    rows = list(db.query(f"{select}{where} order by {seq} desc limit ?", [*params, limit + 1]))
    next_cursor = rows[limit - 1]["seq"] if len(rows) > limit else None
    return rows[:limit], next_cursor
