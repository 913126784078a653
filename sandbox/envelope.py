"""The body the sandbox delivers for an event: its envelope, and the one call that makes an event.

Wink does not publish its webhook envelope, so this is the sandbox's own choice, in Wink's field style::

    {"id": "<event uuid>", "event": "<key>", "createdDate": "2026-01-15T09:30:00.000Z",
     "entity": {"identifier": "<account id>", "name": "<account name>"}, "data": {...}}
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sandbox.generate import generate, validate_data
from sandbox.overrides import apply_overrides


def event_time(moment: datetime | None = None) -> str:
    """Format an envelope ``createdDate``: UTC, milliseconds, ``Z`` (e.g. 2026-01-15T09:30:00.000Z)."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def build_envelope(key: str, account: dict, data: dict, *, event_id: str | None = None,
                   created: datetime | None = None) -> dict:
    """Wrap ``data`` in the envelope delivered for event ``key`` fired for ``account``."""
    return {
        "id": event_id or str(uuid.uuid4()),
        "event": key,
        "createdDate": event_time(created),
        "entity": {"identifier": account["id"], "name": account["name"]},
        "data": data,
    }


def make_event(key: str, account: dict | None, *, seed: int | None = None,
               locale: str | None = None, overrides: dict | None = None,
               assignments: list[str] | None = None, validate: bool = True,
               event_id: str | None = None, now: datetime | None = None) -> dict:
    """Generate ``key``'s data, apply overrides, check it against the schema, wrap it in the envelope.

    ``now`` only dates the ``data``; the envelope always gets a fresh id (unless ``event_id``) and the
    current time. Generated data matches its schema by construction (the tests check every key), so
    the schema is only checked when overrides changed it.
    """
    data, owner = generate(key, account=account, seed=seed, locale=locale, now=now)
    if overrides or assignments:
        data = apply_overrides(data, overrides, assignments)
        if validate:
            validate_data(key, data)
    return build_envelope(key, owner, data, event_id=event_id)


def to_json(envelope: dict) -> bytes:
    """Serialize an envelope as the exact bytes delivered: compact UTF-8 JSON, keys in order."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
