"""Demo data, seeded once on the first start of an empty database."""

from __future__ import annotations

import sqlite_utils

from sandbox.db import immediate
from sandbox.store import accounts, webhooks

DEMO_ACCOUNTS = [
    ("Cool Account", "TRAVEL_AGENT"),
    ("The Siam Residences, Bangkok", "HOTEL"),
]
DEMO_WEBHOOK = {"name": "Wink Stalker", "event_list": ["booking.create"], "inbox": "demo"}


def seed_demo_data(db: sqlite_utils.Database, base_url: str) -> bool:
    """Create the demo accounts and webhook unless this database was ever seeded; say if it did."""
    with immediate(db):
        if db.execute("select 1 from meta where key = 'seeded'").fetchone():
            return False
        created = {name: accounts.create_account(db, name, type_) for name, type_ in DEMO_ACCOUNTS}
        webhooks.create_webhook(
            db,
            created["Cool Account"]["id"],
            name=DEMO_WEBHOOK["name"],
            event_url=f"{base_url.rstrip('/')}/inbox/{DEMO_WEBHOOK['inbox']}",
            event_list=DEMO_WEBHOOK["event_list"],
            enabled=True,
        )
        db["meta"].insert({"key": "seeded", "value": "1"})
    return True
