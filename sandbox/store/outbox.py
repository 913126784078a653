"""Wink's outbox in SQL: one account's letters and deliveries paged by a ``State``, and the changes that
redeliver, cancel and redeliver-dead make.

A grid page is a count for ``totalElements`` (a sum of the running counts of migration m040 when the
filter tests the status alone, else a ``count(*)`` on its covering indexes), then the page's sequence
numbers, then those rows. When few rows match, SQLite
would find them by walking the whole account in the page's order; ``search`` then has it narrow by
the filter and sort the few instead (``Query.order_by(by_sorting=True)``).

Ownership: a letter belongs to the account it was addressed to (``events.account_id``), a delivery to
its letter's account (``deliveries.account_id``), also after its webhook moved to another account.
Another account's ids are unknown here (NotFound).
"""

from __future__ import annotations

import sqlite_utils

from sandbox.errors import APIError
from sandbox.outbox.state import Query
from sandbox.store import NotFound
from sandbox.store.log import timestamp

EVENT_COLUMNS = ("e.seq, e.id, e.event_key, e.account_id, e.created, e.delivery_count, e.recipient_role, "
                 "e.body")
DELIVERY_COLUMNS = ("d.seq, d.id, d.event_id, d.event_key, d.account_id, d.webhook_id, d.webhook_name, "
                    "d.event_url, d.status, d.claimed, d.next_at, d.attempts, d.last_status_code, "
                    "d.last_error, d.created, d.updated")
SNIPPET_BYTES = 4096

_TABLES = {"events": ("events e", "e", EVENT_COLUMNS), "deliveries": ("deliveries d", "d", DELIVERY_COLUMNS)}


def search(db: sqlite_utils.Database, table: str, account_id: str, query: Query,
           webhook_id: str | None = None) -> tuple[list[dict], int]:
    """Return one page of an account's letters (``table="events"``) or deliveries, and how many match."""
    source, alias, columns = _TABLES[table]
    where, params = _where(alias, account_id, query, webhook_id)
    total = count(db, table, account_id, query, webhook_id)
    if total == 0 or query.skip >= total:
        return [], total
    rows_at_most = db.conn.execute(f"select max(seq) from {table}").fetchone()[0] or 0
    by_sorting = total * total < (query.skip + query.take) * rows_at_most
    seqs = [row[0] for row in db.conn.execute(
        f"select {alias}.seq from {source} where {where} order by {query.order_by(by_sorting=by_sorting)} "
        "limit ? offset ?", [*params, query.take, query.skip])]
    marks = ", ".join("?" * len(seqs))
    found = {row["seq"]: row for row in db.query(
        f"select {columns} from {source} where {alias}.seq in ({marks})", seqs)}
    return [found[seq] for seq in seqs], total


def count(db: sqlite_utils.Database, table: str, account_id: str, query: Query,
          webhook_id: str | None = None) -> int:
    """Return how many of an account's letters or deliveries match (``totalElements``): from the running
    counts when the filter tests the status alone (``query.counted``), else by counting rows."""
    if query.counted is not None:
        return _counted(db, table, account_id, query.counted, webhook_id)
    source, alias, _columns = _TABLES[table]
    where, params = _where(alias, account_id, query, webhook_id)
    return db.conn.execute(f"select count(*) from {source} where {where}", params).fetchone()[0]


def _counted(db: sqlite_utils.Database, table: str, account_id: str, values: list,
             webhook_id: str | None) -> int:
    if not values:
        return 0
    marks = ", ".join("?" * len(values))
    if table == "events":
        sql = f"select sum(n) from event_counts where account_id = ? and dispatched in ({marks})"
        params = [account_id, *values]
    else:
        sql = "select sum(n) from delivery_counts where account_id = ?"
        params = [account_id]
        if webhook_id is not None:
            sql += " and webhook_id = ?"
            params.append(webhook_id)
        sql += f" and status in ({marks})"
        params += values
    return db.conn.execute(sql, params).fetchone()[0] or 0


def _where(alias: str, account_id: str, query: Query, webhook_id: str | None) -> tuple[str, list]:
    scope = f"{alias}.account_id = ?"
    params: list = [account_id]
    if webhook_id is not None:
        scope += f" and {alias}.webhook_id = ?"
        params.append(webhook_id)
    if query.alternatives:
        # (scope and a) or (scope and b): each part can use an index that starts with the account.
        return (" or ".join(f"({scope} and ({clause}))" for clause, _ in query.alternatives),
                [value for _, values in query.alternatives for value in (*params, *values)])
    return f"{scope} and ({query.where})", [*params, *query.params]


def get_letter(db: sqlite_utils.Database, account_id: str, event_id: str) -> dict:
    """Return one of the account's letters (its row, body included), or raise NotFound."""
    rows = list(db.query(f"select {EVENT_COLUMNS} from events e where e.id = ? and e.account_id = ?",
                         [event_id, account_id]))
    if not rows:
        raise NotFound(f"No event with id {event_id!r} was addressed to managing entity {account_id!r}")
    return rows[0]


def get_delivery(db: sqlite_utils.Database, account_id: str, delivery_id: str) -> dict:
    """Return one of the account's deliveries (its row), or raise NotFound."""
    rows = list(db.query(f"select {DELIVERY_COLUMNS} from deliveries d where d.id = ? and d.account_id = ?",
                         [delivery_id, account_id]))
    if not rows:
        raise NotFound(f"No delivery with id {delivery_id!r} belongs to managing entity {account_id!r}")
    return rows[0]


def attempts_of(db: sqlite_utils.Database, delivery_id: str) -> list[dict]:
    """Return a delivery's attempts, oldest first, each with at most SNIPPET_BYTES of its response body."""
    return list(db.query(
        "select attempt, started, duration_ms, response_status, error, "
        f"substr(response_body, 1, {SNIPPET_BYTES}) as snippet from attempts where delivery_id = ? "
        "order by attempt, id", [delivery_id]))


def webhook_state(db: sqlite_utils.Database, webhook_id: str) -> dict | None:
    """Return a webhook's name and whether it is enabled, or None when it was deleted."""
    row = db.conn.execute("select name, enabled from webhooks where id = ?", [webhook_id]).fetchone()
    return None if row is None else {"name": row[0], "enabled": bool(row[1])}


def cancel(db: sqlite_utils.Database, delivery_id: str, *, release: bool) -> None:
    """Mark a delivery cancelled (inside the caller's transaction): no attempt is due any more.

    ``release``: nothing holds it, so it is unclaimed at once; otherwise the engine, which holds it,
    unclaims it when its attempt in flight is recorded or when it drops the queued job.
    """
    db.conn.execute(
        "update deliveries set status = 'cancelled', next_at = null, updated = ?, "
        "claimed = case when ? then 0 else claimed end where id = ?",
        [timestamp(), int(release), delivery_id])


# Back to pending, due now, with its retry schedule started over; its next attempt counts on from
# the last one (Wink-Delivery-Attempt), and is a manual one unless it never had an attempt.
_REDELIVER = (
    "update deliveries set status = 'pending', next_at = ?, updated = ?, schedule_step = 0, "
    "next_trigger = case when attempts = 0 then 'initial' else 'manual' end"
)


def redeliver(db: sqlite_utils.Database, delivery_id: str, now: float) -> None:
    """Queue one dead or cancelled delivery again, due ``now`` (inside the caller's transaction)."""
    changed = db.conn.execute(_REDELIVER + " where id = ? and status in ('failed', 'cancelled') "
                              "and claimed = 0", [now, timestamp(), delivery_id]).rowcount
    if changed != 1:
        raise APIError(409, f"Delivery {delivery_id} changed meanwhile; read it again and retry")


def redeliver_dead(db: sqlite_utils.Database, account_id: str, webhook_id: str, now: float) -> list[dict]:
    """Queue every dead delivery of one of the account's webhooks again, due ``now``; return them."""
    rows = list(db.query(
        "select id, event_id, event_key from deliveries where webhook_id = ? and account_id = ? "
        "and status = 'failed'", [webhook_id, account_id]))
    if rows:
        db.conn.execute(_REDELIVER + " where webhook_id = ? and account_id = ? and status = 'failed'",
                        [now, timestamp(), webhook_id, account_id])
    return rows
