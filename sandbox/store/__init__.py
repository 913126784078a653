"""The data layer: every SQL statement of the sandbox lives in this package.

Functions take a sqlite-utils Database and return plain dicts shaped for the API; an unknown id
raises ``NotFound`` (a 404 problem when it reaches a view).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sandbox.errors import NotFoundError as NotFound

__all__ = ["NotFound", "new_id", "now_iso", "utcnow"]


def new_id() -> str:
    """Return a new random uuid, as Wink's ids are."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def now_iso() -> str:
    """Return the current UTC time in Wink's style: ISO 8601 without zone, to the second."""
    return utcnow().replace(microsecond=0).isoformat()
