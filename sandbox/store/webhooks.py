"""Webhooks: Wink's webhook records plus the sandbox's signing secrets."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import uuid

import sqlite_utils

from sandbox import catalog
from sandbox.db import immediate
from sandbox.errors import APIError
from sandbox.store import NotFound, new_id, now_iso, utcnow

# Every webhook is created by the same local "user"; Wink fills userIdentifier from the login.
SANDBOX_USER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://webhook-sandbox.dev/local-user"))

# `booking.created` (Wink's guides) and `booking.create` (Wink's catalog) name the same event.
EQUIVALENT_KEYS = {key: other for key in catalog.keys() for other in catalog.aliases(key)}

# Hooks run when a webhook row is deleted (the delivery engine cancels its pending work).
on_delete: list = []


def new_secret() -> str:
    """Return a Standard Webhooks signing secret: whsec_ + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _shape(row: dict) -> dict:
    return {
        "id": row["id"],
        "createdDate": row["created_date"],
        "lastUpdate": row["last_update"],
        "version": row["version"],
        "name": row["name"],
        "enabled": bool(row["enabled"]),
        "eventUrl": row["event_url"],
        "eventList": json.loads(row["event_list"]),
        "ownerIdentifier": row["account_id"],
        "ownerName": row["owner_name"],
        "userIdentifier": row["user_identifier"],
    }


_SELECT = """
select webhooks.*, accounts.name as owner_name
from webhooks join accounts on accounts.id = webhooks.account_id
"""


def _row(db: sqlite_utils.Database, account_id: str | None, webhook_id: str) -> dict:
    sql = _SELECT + " where webhooks.id = ?"
    params = [webhook_id]
    if account_id is not None:
        sql += " and webhooks.account_id = ?"
        params.append(account_id)
    rows = list(db.query(sql, params))
    if not rows:
        where = f" under account {account_id!r}" if account_id is not None else ""
        raise NotFound(f"No webhook with id {webhook_id!r}{where}")
    return rows[0]


def create_webhook(
    db: sqlite_utils.Database,
    account_id: str,
    *,
    name: str,
    event_url: str,
    event_list: list[str],
    enabled: bool = True,
) -> dict:
    """Store a new webhook with a fresh signing secret and return it."""
    now = now_iso()
    row = {
        "id": new_id(),
        "account_id": account_id,
        "name": name,
        "enabled": int(enabled),
        "event_url": event_url,
        "event_list": json.dumps(event_list),
        "version": 1,
        "created_date": now,
        "last_update": now,
        "user_identifier": SANDBOX_USER_ID,
        "secret": new_secret(),
    }
    db["webhooks"].insert(row)
    return get_webhook(db, account_id, row["id"])


def get_webhook(db: sqlite_utils.Database, account_id: str | None, webhook_id: str) -> dict:
    """Return one webhook of an account (any account when ``account_id`` is None)."""
    return _shape(_row(db, account_id, webhook_id))


def list_webhooks(db: sqlite_utils.Database, account_id: str | None = None) -> list[dict]:
    """Return an account's webhooks (or all), oldest first."""
    sql, params = _SELECT, []
    if account_id is not None:
        sql += " where webhooks.account_id = ?"
        params.append(account_id)
    return [_shape(r) for r in db.query(sql + " order by webhooks.created_date, webhooks.rowid", params)]


def replace_webhook(
    db: sqlite_utils.Database,
    account_id: str,
    webhook_id: str,
    *,
    name: str,
    owner_id: str,
    enabled: bool,
    event_url: str,
    event_list: list[str],
    if_match: int | None = None,
) -> dict:
    """Replace every field of a webhook, raising its version; 409 when ``if_match`` is stale."""
    with immediate(db):
        current = _row(db, account_id, webhook_id)
        if if_match is not None and if_match != current["version"]:
            raise APIError(
                409,
                f"The webhook is at version {current['version']}, not {if_match}: "
                "someone changed it since you read it; fetch it again and retry",
                title="Version conflict",
                extra={"currentVersion": current["version"]},
            )
        db["webhooks"].update(
            webhook_id,
            {
                "account_id": owner_id,
                "name": name,
                "enabled": int(enabled),
                "event_url": event_url,
                "event_list": json.dumps(event_list),
                "version": current["version"] + 1,
                "last_update": now_iso(),
            },
        )
    return get_webhook(db, owner_id, webhook_id)


def delete_webhook_row(db: sqlite_utils.Database, webhook_id: str) -> None:
    """Delete a webhook row and run the on-delete hooks (inside the caller's transaction)."""
    for hook in on_delete:
        hook(db, webhook_id)
    db.execute("delete from webhooks where id = ?", [webhook_id])


def delete_webhook(db: sqlite_utils.Database, account_id: str, webhook_id: str) -> dict:
    """Delete a webhook of an account and return what it was."""
    with immediate(db):
        hook = get_webhook(db, account_id, webhook_id)
        delete_webhook_row(db, webhook_id)
    return hook


def _secret_view(row: dict) -> dict:
    previous = None
    expires = row["previous_secret_expires"]
    if row["previous_secret"] and expires and expires > now_iso():
        previous = {"secret": row["previous_secret"], "expires": expires}
    return {"webhookId": row["id"], "secret": row["secret"], "previous": previous}


def get_secret(db: sqlite_utils.Database, account_id: str | None, webhook_id: str) -> dict:
    """Return the webhook's signing secret and, during a grace period, the previous one."""
    return _secret_view(_row(db, account_id, webhook_id))


def active_secrets(db: sqlite_utils.Database, webhook_id: str) -> list[str]:
    """Return the secrets to sign with now: the current one, then the previous one in grace."""
    view = get_secret(db, None, webhook_id)
    return [view["secret"]] + ([view["previous"]["secret"]] if view["previous"] else [])


def rotate_secret(
    db: sqlite_utils.Database, account_id: str, webhook_id: str, grace_seconds: int
) -> dict:
    """Make a new secret; the old one stays valid for ``grace_seconds``."""
    with immediate(db):
        row = _row(db, account_id, webhook_id)
        expires = (utcnow() + dt.timedelta(seconds=grace_seconds)).replace(microsecond=0)
        db["webhooks"].update(
            webhook_id,
            {
                "secret": new_secret(),
                "previous_secret": row["secret"] if grace_seconds > 0 else None,
                "previous_secret_expires": expires.isoformat() if grace_seconds > 0 else None,
            },
        )
        return get_secret(db, account_id, webhook_id)


def subscribed_webhooks(db: sqlite_utils.Database, account_id: str, key: str) -> list[dict]:
    """Return the enabled webhooks of an account that want events of ``key``."""
    wanted = catalog.same_event(key)
    return [
        hook
        for hook in list_webhooks(db, account_id)
        if hook["enabled"] and (not hook["eventList"] or wanted & set(hook["eventList"]))
    ]


def rebase_self_urls(db: sqlite_utils.Database, base_url: str) -> int:
    """Point webhooks at this sandbox's own inbox on its current address; return how many moved.

    The demo webhook targets the sandbox's own /inbox/...; when the sandbox starts on another
    port, those URLs follow it so the demo keeps working.
    """
    with immediate(db):
        row = db.execute("select value from meta where key = 'base_url'").fetchone()
        old = row[0] if row else None
        moved = 0
        if old and old != base_url:
            moved = db.execute(
                "update webhooks set event_url = ? || substr(event_url, ?) "
                "where substr(event_url, 1, ?) = ?",
                [base_url, len(old) + 1, len(old) + len("/inbox/"), old + "/inbox/"],
            ).rowcount
        db.execute(
            "insert into meta (key, value) values ('base_url', ?) "
            "on conflict(key) do update set value = excluded.value",
            [base_url],
        )
    return moved
