"""The schema as code: every table and index, as ordered migrations.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite_utils

from sandbox.db import migrations


@migrations()
def m001_accounts_and_webhooks(db: sqlite_utils.Database) -> None:
    db["accounts"].create(
        {
            "id": str,
            "name": str,
            "type": str,
            "created_date": str,
        },
        pk="id",
        not_null={"name", "type", "created_date"},
    )
    db["accounts"].create_index(["created_date"])
    db["webhooks"].create(
        {
            "id": str,
            "account_id": str,
            "name": str,
            "enabled": int,
            "event_url": str,
            "event_list": str,  # JSON array; empty means all events
            "version": int,
            "created_date": str,
            "last_update": str,
            "user_identifier": str,
            "secret": str,
            "previous_secret": str,
            "previous_secret_expires": str,
            "retry_schedule": str,  # JSON array of seconds, or NULL for the server's setting
        },
        pk="id",
        not_null={"account_id", "name", "enabled", "event_url", "event_list", "version",
                  "created_date", "last_update", "secret"},
        defaults={"enabled": 1, "version": 1, "event_list": "[]"},
        foreign_keys=[("account_id", "accounts", "id")],
    )
    db["webhooks"].create_index(["account_id", "created_date"])


@migrations()
def m002_meta(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})
