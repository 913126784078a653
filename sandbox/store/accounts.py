"""Accounts (Wink's managing entities)."""

from __future__ import annotations

import sqlite_utils

from sandbox.db import immediate
from sandbox.errors import APIError
from sandbox.store import NotFound, new_id, now_iso

ENTITY_TYPES = (
    "HOTEL",
    "TRAVEL_AGENT",
    "INFLUENCER",
    "CHANNEL_MANAGER",
    "AFFILIATE",
    "TOUR_OPERATOR",
    "CORPORATE",
    "SUPPLIER",
    "WINK",
)


def _shape(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "type": row["type"],
        "createdDate": row["created_date"],
    }


def create_account(db: sqlite_utils.Database, name: str, type_: str = "HOTEL") -> dict:
    """Store a new account and return it."""
    row = {"id": new_id(), "name": name, "type": type_, "created_date": now_iso()}
    db["accounts"].insert(row)
    return _shape(row)


def list_accounts(db: sqlite_utils.Database) -> list[dict]:
    """Return every account, oldest first."""
    rows = db.query("select * from accounts order by created_date, rowid")
    return [_shape(row) for row in rows]


def get_account(db: sqlite_utils.Database, account_id: str) -> dict:
    """Return one account or raise NotFound."""
    rows = list(db.query("select * from accounts where id = ?", [account_id]))
    if not rows:
        raise NotFound(f"No account (managing entity) with id {account_id!r}")
    return _shape(rows[0])


def find_account_by_name(db: sqlite_utils.Database, name: str) -> dict | None:
    """Return the oldest account with exactly this name, or None."""
    rows = list(
        db.query("select * from accounts where name = ? order by created_date limit 1", [name])
    )
    return _shape(rows[0]) if rows else None


def delete_account(db: sqlite_utils.Database, account_id: str, *, cascade: bool = False) -> dict:
    """Delete an account; refuse (409) while it owns webhooks unless ``cascade``."""
    from sandbox.store import webhooks

    with immediate(db):
        account = get_account(db, account_id)
        owned = db.execute(
            "select count(*) from webhooks where account_id = ?", [account_id]
        ).fetchone()[0]
        if owned and not cascade:
            raise APIError(
                409,
                f"Account {account['name']!r} still owns {owned} webhook(s); delete them first "
                "or ask for ?cascade=true",
                extra={"webhookCount": owned},
            )
        for hook_id in [r[0] for r in db.execute(
            "select id from webhooks where account_id = ?", [account_id]
        ).fetchall()]:
            webhooks.delete_webhook_row(db, hook_id)
        db.execute("delete from accounts where id = ?", [account_id])
    return account
