"""What a resend stores beyond a fired event's rows: each new delivery's own body and marks.

The deliveries themselves are inserted as any fired event's are (``deliveries.insert_deliveries``);
these functions then give them the columns of migration m060, inside the same transaction.
"""

from __future__ import annotations

import json

import sqlite_utils


def mark_deliveries(db: sqlite_utils.Database, delivery_ids: list[str], *, body: bytes | None, resend: dict,
                    outside_contract: bool) -> None:
    """Give new deliveries their own ``body`` (None: their event's), the resend record and the mark."""
    db.conn.executemany(
        "update deliveries set body = ?, resend = ?, outside_contract = ? where id = ?",
        [(body, json.dumps(resend, ensure_ascii=False), int(outside_contract), delivery_id)
         for delivery_id in delivery_ids],
    )


def count_more_deliveries(db: sqlite_utils.Database, event_seq: int, more: int) -> None:
    """Add ``more`` deliveries to a stored event's count (a ``keep`` resend of the same letter)."""
    db.conn.execute("update events set delivery_count = delivery_count + ? where seq = ?", [more, event_seq])


def event_seq(db: sqlite_utils.Database, event_id: str) -> int | None:
    """Return a stored event's sequence number, or None."""
    row = db.conn.execute("select seq from events where id = ?", [event_id]).fetchone()
    return row[0] if row else None
