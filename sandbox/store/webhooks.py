"""Webhooks: Wink's webhook records, their signing secrets and signing profiles."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import sqlite_utils

from sandbox import catalog, signing
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
    """Return a fresh signing secret (``whsec_`` + base64), as ``signing.new_secret`` makes them."""
    return signing.new_secret()


def _previous_secret_expires(row: dict) -> str | None:
    """Return when the previous secret stops signing (stored UTC, no zone), or None outside an overlap."""
    expires = row["previous_secret_expires"]
    if row["previous_secret"] and expires and expires > now_iso():
        return expires
    return None


def _shape(row: dict) -> dict:
    """Shape a row as Wink's ``WebhookLightweight``: the secret's last four characters, never the secret."""
    expires = _previous_secret_expires(row)
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
        "secretHint": row["secret"][-4:],
        "previousSecretExpiresAt": expires + "Z" if expires else None,
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
    """Store a new webhook with a fresh signing secret; return Wink's ``{secret, webhook}``.

    This answer is the one place Wink shows the secret (the sandbox also has ``get_secret``).
    """
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
    return {"secret": row["secret"], "webhook": get_webhook(db, account_id, row["id"])}


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
    expires = _previous_secret_expires(row)
    previous = {"secret": row["previous_secret"], "expires": expires + "Z"} if expires else None
    return {"webhookId": row["id"], "secret": row["secret"], "previous": previous}


def get_secret(db: sqlite_utils.Database, account_id: str | None, webhook_id: str) -> dict:
    """Return the webhook's signing secret and, during a grace period, the previous one."""
    return _secret_view(_row(db, account_id, webhook_id))


def active_secrets(db: sqlite_utils.Database, webhook_id: str) -> list[str]:
    """Return the secrets to sign with now: the current one, then the previous one in grace."""
    view = get_secret(db, None, webhook_id)
    return [view["secret"]] + ([view["previous"]["secret"]] if view["previous"] else [])


def pin_secret(db: sqlite_utils.Database, webhook_id: str, secret: str) -> None:
    """Give a webhook a chosen secret (the test plugin's ``secret=``), ending any rotation overlap."""
    signing.check_secret(secret)
    with immediate(db):
        found = db.execute("update webhooks set secret = ?, previous_secret = null, "
                           "previous_secret_expires = null where id = ?", [secret, webhook_id]).rowcount
    if not found:
        raise NotFound(f"no webhook {webhook_id}")


def rotate_secret(
    db: sqlite_utils.Database, account_id: str, webhook_id: str, grace_seconds: int
) -> dict:
    """Make a new secret, the old one signing alongside for ``grace_seconds``; return ``{secret, webhook}``.

    The webhook's ``version`` stays: the secret is not part of the record a PATCH replaces.
    """
    with immediate(db):
        row = _row(db, account_id, webhook_id)
        secret = new_secret()
        expires = (utcnow() + dt.timedelta(seconds=grace_seconds)).replace(microsecond=0)
        db["webhooks"].update(
            webhook_id,
            {
                "secret": secret,
                "previous_secret": row["secret"] if grace_seconds > 0 else None,
                "previous_secret_expires": expires.isoformat() if grace_seconds > 0 else None,
            },
        )
        return {"secret": secret, "webhook": get_webhook(db, account_id, webhook_id)}


def profile_of(db: sqlite_utils.Database, webhook_id: str) -> str | None:
    """Return a webhook's own signing profile, or None when it follows the server's (or is unknown)."""
    row = db.conn.execute("select profile from webhooks where id = ?", [webhook_id]).fetchone()
    return row[0] if row and row[0] else None


def set_profile(db: sqlite_utils.Database, webhook_id: str, profile: str | None) -> None:
    """Give a webhook its own signing profile (None: back to the server's); ValueError for an unknown one."""
    if profile is not None:
        signing.get(profile)
    with immediate(db):
        if db.conn.execute("select 1 from webhooks where id = ?", [webhook_id]).fetchone() is None:
            raise NotFound(f"No webhook with id {webhook_id!r}")
        db.conn.execute("update webhooks set profile = ? where id = ?", [profile, webhook_id])


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
