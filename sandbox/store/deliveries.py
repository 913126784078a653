"""Deliveries (one per event and webhook) and their attempts: the delivery engine's work queue.

A delivery is *queued* when its status is ``pending`` or ``retrying``, its ``next_at`` has come, its
webhook is enabled and no engine holds it (``claimed = 0``). The engine claims queued deliveries
under ``BEGIN IMMEDIATE``; the claim is released when the attempt is recorded, and every claim is
released when the engine starts, so work that was in flight when the process died is sent again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import sqlite_utils

from sandbox.db import immediate
from sandbox.errors import APIError
from sandbox.store import NotFound, newest_first_page, now_iso
from sandbox.store.log import timestamp

STATUSES = ("pending", "retrying", "succeeded", "failed", "cancelled", "held")
QUEUED = ("pending", "retrying")
FINAL = ("succeeded", "failed")
# schedule_step of a finished delivery sent again by hand: its automatic schedule is used up.
EXHAUSTED = 1_000_000

_INSERT = (
    "insert into deliveries (id, event_seq, event_id, event_key, account_id, webhook_id, webhook_name, "
    "event_url, status, next_at, next_trigger, created, updated, chaos, stale_seconds) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, 'initial', ?, ?, ?, ?)"
)


def iso_from_unix(seconds: float | None) -> str | None:
    """Return unix seconds as the log's ISO form (UTC, ms, Z), or None."""
    if seconds is None:
        return None
    return timestamp(dt.datetime.fromtimestamp(seconds, dt.UTC))


def insert_deliveries(db: sqlite_utils.Database, rows: list[tuple]) -> None:
    """Store new deliveries (inside the caller's transaction).

    Each row: (id, event_seq, event_id, event_key, account_id, webhook_id, webhook_name, event_url,
    next_at, created, updated, chaos_json, stale_seconds).
    """
    db.conn.executemany(_INSERT, rows)


# ---- the engine's side -------------------------------------------------------------------------

_CLAIM = """
select d.seq, d.id, d.event_id, d.event_key, d.account_id, d.webhook_id, d.status, d.attempts,
       d.schedule_step, d.next_trigger, d.stale_seconds, d.chaos, coalesce(d.body, e.body)
from deliveries d
join events e on e.seq = d.event_seq
join webhooks w on w.id = d.webhook_id
where d.claimed = 0 and d.status in ('pending', 'retrying') and d.next_at <= ? and w.enabled = 1
"""
_JOB_KEYS = ("seq", "id", "event_id", "event_key", "account_id", "webhook_id", "status", "attempts",
             "schedule_step", "trigger", "stale_seconds", "chaos", "body")


def claim_due(db: sqlite_utils.Database, now: float, limit: int, exclude: list[str] = ()) -> list[dict]:
    """Claim up to ``limit`` queued deliveries due by ``now``, oldest first; return them as jobs.

    ``exclude`` names webhooks whose lanes are full: their work stays in the database for now.
    """
    sql = _CLAIM
    if exclude:
        sql += f" and d.webhook_id not in ({', '.join('?' * len(exclude))})"
    sql += " order by d.seq limit ?"
    with immediate(db):
        rows = db.conn.execute(sql, [now, *exclude, limit]).fetchall()
        if rows:
            db.conn.executemany("update deliveries set claimed = 1 where seq = ?", [(r[0],) for r in rows])
    jobs = [dict(zip(_JOB_KEYS, row, strict=True)) for row in rows]
    for job in jobs:
        job["chaos"] = json.loads(job["chaos"]) if job["chaos"] else None
    return jobs


def next_due(db: sqlite_utils.Database) -> float | None:
    """Return when the earliest unclaimed queued delivery is due (unix seconds), or None."""
    return db.conn.execute(
        "select min(next_at) from deliveries where claimed = 0 and status in ('pending', 'retrying')"
    ).fetchone()[0]


def release_claims(db: sqlite_utils.Database, delivery_ids: list[str] | None = None) -> int:
    """Give claimed deliveries back to the queue (all of them when ``delivery_ids`` is None)."""
    with immediate(db):
        if delivery_ids is None:
            return db.conn.execute("update deliveries set claimed = 0 where claimed = 1").rowcount
        db.conn.executemany("update deliveries set claimed = 0 where id = ?", [(i,) for i in delivery_ids])
        return len(delivery_ids)


def webhook_for_sending(db: sqlite_utils.Database, webhook_id: str) -> dict | None:
    """Return what sending needs to know of a webhook now (URL, secrets, state), or None if deleted."""
    row = db.conn.execute(
        "select id, name, enabled, event_url, secret, previous_secret, previous_secret_expires, "
        "retry_schedule, profile from webhooks where id = ?", [webhook_id],
    ).fetchone()
    if row is None:
        return None
    secrets = [row[4]]   # newest first: Wink-Signature reads t=...,v1=<new>,v1=<old>
    if row[5] and row[6] and row[6] > now_iso():
        secrets.append(row[5])
    return {
        "id": row[0], "name": row[1], "enabled": bool(row[2]), "url": row[3], "secrets": secrets,
        "retry_schedule": json.loads(row[7]) if row[7] else None,
        "profile": row[8],   # None: the server's PROFILE setting
    }


def retry_schedule_of(db: sqlite_utils.Database, webhook_id: str) -> list[float] | None:
    """Return a webhook's own retry schedule, or None when it uses the server's."""
    row = db.conn.execute("select retry_schedule from webhooks where id = ?", [webhook_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def set_retry_schedule(db: sqlite_utils.Database, webhook_id: str, schedule: list[float] | None) -> None:
    """Give a webhook its own retry schedule (None: back to the server's)."""
    with immediate(db):
        if db.conn.execute("select 1 from webhooks where id = ?", [webhook_id]).fetchone() is None:
            raise NotFound(f"No webhook with id {webhook_id!r}")
        db.conn.execute("update webhooks set retry_schedule = ? where id = ?",
                        [json.dumps(schedule) if schedule is not None else None, webhook_id])


_UPDATE_AFTER_ATTEMPT = (
    "update deliveries set status = ?, claimed = 0, next_at = ?, next_trigger = ?, attempts = ?, "
    "schedule_step = ?, last_status_code = ?, last_error = ?, last_attempt_at = ?, updated = ?, "
    "event_url = ? where id = ? and status != 'cancelled'"
)
_COUNT_CANCELLED_ATTEMPT = (
    "update deliveries set claimed = 0, attempts = ?, last_status_code = ?, last_error = ?, "
    "last_attempt_at = ?, updated = ?, event_url = ? where id = ? and status = 'cancelled'"
)
_INSERT_ATTEMPT = (
    "insert into attempts (delivery_id, attempt, trigger, started, request_url, request_headers, "
    "request_body, response_status, response_headers, response_body, response_truncated, duration_ms, "
    "error, status, next_attempt_at, webhook_id) values (?, ?, ?, ?, ?, ?, "
    "(select body from deliveries where id = ?), ?, ?, ?, ?, ?, ?, ?, ?, "
    "(select webhook_id from deliveries where id = ?))"
)  # request_body: the delivery's own body (a keep resend's edited bytes), else NULL: the event's body


def record_attempts(db: sqlite_utils.Database, records: list[tuple[dict, dict]]) -> list[str]:
    """Store attempts and their deliveries' new states, in bulk (inside the caller's transaction).

    Each record is ``(delivery, attempt)``: ``delivery`` has id, status, next_at, trigger, attempts,
    schedule_step, url; ``attempt`` has the attempts columns. Returns the status stored for each:
    ``cancelled`` where the delivery was cancelled (or its webhook deleted) while the attempt was in flight.
    """
    if not records:
        return []
    statuses = [delivery["status"] for delivery, _attempt in records]
    changed = db.conn.executemany(_UPDATE_AFTER_ATTEMPT, [(
        delivery["status"], delivery["next_at"], delivery["trigger"], delivery["attempts"],
        delivery["schedule_step"], attempt["response_status"], attempt["error"], attempt["started"],
        attempt["started"], delivery["url"], delivery["id"],
    ) for delivery, attempt in records]).rowcount
    if changed < len(records):
        ids = [delivery["id"] for delivery, _attempt in records]
        marks = ", ".join("?" * len(ids))
        cancelled = {row[0] for row in db.conn.execute(
            f"select id from deliveries where status = 'cancelled' and id in ({marks})", ids
        )}
        statuses = ["cancelled" if delivery_id in cancelled else status
                    for delivery_id, status in zip(ids, statuses, strict=True)]
        # Cancelled while in flight: count the attempt, keep the status, release the claim (Wink's
        # cancel leaves it to the engine).
        db.conn.executemany(_COUNT_CANCELLED_ATTEMPT, [(
            delivery["attempts"], attempt["response_status"], attempt["error"], attempt["started"],
            attempt["started"], delivery["url"], delivery["id"],
        ) for delivery, attempt in records if delivery["id"] in cancelled])
    dumps = json.dumps
    db.conn.executemany(_INSERT_ATTEMPT, [(
        delivery["id"], attempt["attempt"], attempt["trigger"], attempt["started"], attempt["request_url"],
        dumps(attempt["request_headers"]), delivery["id"], attempt["response_status"],
        dumps(attempt["response_headers"]) if attempt["response_headers"] is not None else None,
        attempt["response_body"], int(attempt["response_truncated"]), attempt["duration_ms"],
        attempt["error"], status, iso_from_unix(delivery["next_at"]), delivery["id"],
    ) for (delivery, attempt), status in zip(records, statuses, strict=True)])
    return statuses


def disable_webhook(db: sqlite_utils.Database, webhook_id: str) -> dict | None:
    """Disable a webhook (its receiver answered 410 Gone); return it if it was enabled, else None."""
    row = db.conn.execute(
        "select name, account_id from webhooks where id = ? and enabled = 1", [webhook_id]
    ).fetchone()
    if row is None:
        return None
    db.conn.execute(
        "update webhooks set enabled = 0, version = version + 1, last_update = ? where id = ?",
        [now_iso(), webhook_id],
    )
    return {"id": webhook_id, "name": row[0], "account_id": row[1]}


def cancel_for_webhook(db: sqlite_utils.Database, webhook_id: str) -> list[dict]:
    """Cancel a deleted webhook's queued deliveries (inside its delete transaction); return them."""
    rows = db.conn.execute(
        "select id, event_id, event_key, account_id, webhook_name, event_url from deliveries "
        "where webhook_id = ? and status in ('pending', 'retrying', 'held')", [webhook_id],
    ).fetchall()
    if rows:
        db.conn.execute(
            "update deliveries set status = 'cancelled', claimed = 0, next_at = null, updated = ? "
            "where webhook_id = ? and status in ('pending', 'retrying', 'held')", [timestamp(), webhook_id],
        )
    keys = ("id", "event_id", "event_key", "account_id", "webhook_name", "event_url")
    return [dict(zip(keys, row, strict=True)) for row in rows]


# ---- the API's side ----------------------------------------------------------------------------

_COLUMNS = (
    "d.seq, d.id, d.event_id, d.event_key, d.account_id, d.webhook_id, d.webhook_name, d.event_url, "
    "d.status, d.claimed, d.next_at, d.attempts, d.last_status_code, d.last_error, d.last_attempt_at, "
    "d.created, d.updated, d.chaos, d.resend, d.outside_contract"
)


def _shape(row: dict) -> dict:
    queued = row["status"] in QUEUED
    return {
        "id": row["id"],
        "eventId": row["event_id"],
        "event": row["event_key"],
        "entity": row["account_id"],
        "webhookId": row["webhook_id"],
        "webhookName": row["webhook_name"],
        "eventUrl": row["event_url"],
        "status": row["status"],
        "inFlight": bool(row["claimed"]),
        "attemptCount": row["attempts"],
        "nextAttemptAt": iso_from_unix(row["next_at"]) if queued else None,
        "lastAttemptAt": row["last_attempt_at"],
        "lastStatusCode": row["last_status_code"],
        "lastError": row["last_error"],
        "createdDate": row["created"],
        "updatedDate": row["updated"],
        "chaos": json.loads(row["chaos"]).get("label") if row["chaos"] else None,
        "resend": json.loads(row["resend"]) if row["resend"] else None,
        "outsideContract": bool(row["outside_contract"]),
    }


def _text(blob: bytes | None) -> str | None:
    return None if blob is None else bytes(blob).decode("utf-8", "replace")


def _attempt_shape(row: dict, event_body: bytes) -> dict:
    response = None
    if row["response_status"] is not None:
        response = {
            "status": row["response_status"],
            "headers": json.loads(row["response_headers"]) if row["response_headers"] else {},
            "body": _text(row["response_body"]),
            "truncated": bool(row["response_truncated"]),
        }
    return {
        "attempt": row["attempt"],
        "trigger": row["trigger"],
        "startedAt": row["started"],
        "request": {
            "url": row["request_url"],
            "headers": json.loads(row["request_headers"]),
            "body": _text(row["request_body"] if row["request_body"] is not None else event_body),
        },
        "response": response,
        "durationMs": row["duration_ms"],
        "error": row["error"],
        "status": row["status"],
        "nextAttemptAt": row["next_attempt_at"],
    }


def get_delivery(db: sqlite_utils.Database, delivery_id: str, *, with_attempts: bool = True) -> dict:
    """Return one delivery, with every attempt (oldest first) unless told not to; or raise NotFound."""
    rows = list(db.query(
        f"select {_COLUMNS}, d.event_seq from deliveries d where d.id = ?", [delivery_id]
    ))
    if not rows:
        raise NotFound(f"No delivery with id {delivery_id!r}")
    delivery = _shape(rows[0])
    if with_attempts:
        # A resend's own body (the same letter, edited) when it has one, else its event's.
        body = db.conn.execute("select coalesce((select body from deliveries where id = ?), "
                               "(select body from events where seq = ?))",
                               [delivery_id, rows[0]["event_seq"]]).fetchone()
        event_body = body[0] if body else b""
        delivery["attempts"] = [
            _attempt_shape(row, event_body)
            for row in db.query("select * from attempts where delivery_id = ? order by attempt, id",
                                [delivery_id])
        ]
    return delivery


def deliveries_of_event(db: sqlite_utils.Database, event_id: str) -> list[dict]:
    """Return an event's deliveries, in the order they were made."""
    return [_shape(row) for row in db.query(
        f"select {_COLUMNS} from deliveries d where d.event_id = ? order by d.seq", [event_id]
    )]


def _filters(
    *,
    status: str | list[str] | None = None,
    webhook_id: str | None = None,
    event_id: str | None = None,
    event_key: str | None = None,
    account_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> tuple[list[str], list]:
    clauses, params = [], []
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        clauses.append(f"d.status in ({', '.join('?' * len(statuses))})")
        params += statuses
    for column, value in (("webhook_id", webhook_id), ("event_id", event_id), ("event_key", event_key),
                          ("account_id", account_id)):
        if value is not None:
            clauses.append(f"d.{column} = ?")
            params.append(value)
    if since is not None:
        clauses.append("d.created >= ?")
        params.append(since)
    if until is not None:
        clauses.append("+d.created <= ?")   # bounded by seq (``_until_bound``), not by the index
        params.append(until)
    return clauses, params


def list_deliveries(db: sqlite_utils.Database, *, before: int | None = None, limit: int = 50,
                    **filters) -> tuple[list[dict], int | None]:
    """Return a page of deliveries, newest first, and the cursor of the next page (or None).

    Filters: status, webhook_id, event_id, event_key, account_id, since and until (ISO, compared to
    creation, both inclusive).
    """
    if filters.get("until") is not None:
        before = _until_bound(db, filters["until"], before)
    clauses, params = _filters(**filters)
    select = f"select {_COLUMNS} from deliveries d"
    if filters.get("since") is not None:
        select, clauses = _since_plan(db, filters["since"], before, clauses)
    elif (filters.get("status") is not None and filters.get("account_id") is not None
          and filters.get("webhook_id") is None and filters.get("event_id") is None):
        select = _account_status_plan(db, filters["account_id"], filters["status"]) or select
    elif (isinstance(filters.get("status"), str) and filters["status"] != "succeeded"
          and filters.get("event_key") is not None and filters.get("webhook_id") is None
          and filters.get("event_id") is None and filters.get("account_id") is None):
        # A key's deliveries in an unfinished status: one range of the partial index (whose condition
        # the query must repeat for SQLite to use it).
        select = f"select {_COLUMNS} from deliveries d indexed by deliveries_unfinished_by_key"
        clauses = [*clauses, "d.status <> 'succeeded'"]
    rows, next_cursor = newest_first_page(db, select, clauses, params, seq="d.seq", before=before,
                                          limit=limit)
    return [_shape(row) for row in rows], next_cursor


SEARCH_SCAN = 2_000    # deliveries read per search request, newest first, when the text is not an id
SEARCH_MAX = 200       # characters of a search text


def search_deliveries(db: sqlite_utils.Database, text: str, *, before: int | None = None, limit: int = 50,
                      scan: int | None = None, **filters) -> tuple[list[dict], int | None, dict]:
    """Free-text search of deliveries, newest first, within ``filters`` (as ``list_deliveries``).

    A text that is a delivery's or an event's id is found through their indexes, whatever its age.
    Any other text is looked for, ignoring case, in each delivery's id, event id, event key, webhook
    name, URL, last error and the exact body it sends (the payload: booking code, guest, hotel...), on
    at most ``scan`` (default ``SEARCH_SCAN``) deliveries per call, so a search never reads the whole
    table. Returns the page, the cursor to go on from (after the last match when the page is full, else
    after the last delivery read when the scan stopped at its bound, else None) and what was searched:
    ``{"scanned", "complete"}``.
    """
    scan = scan or SEARCH_SCAN
    if filters.get("until") is not None:
        before = _until_bound(db, filters["until"], before)
    clauses, params = _filters(**filters)
    by_id = db.conn.execute("select 1 from deliveries where id = ? or event_id = ? limit 1",
                            [text, text]).fetchone()
    if by_id:
        rows, next_cursor = newest_first_page(
            db, f"select {_COLUMNS} from deliveries d",
            [*clauses, "d.seq in (select seq from deliveries where id = ? union all "
                       "select seq from deliveries where event_id = ?)"],
            [*params, text, text], seq="d.seq", before=before, limit=limit)
        searched = {"scanned": len(rows), "complete": next_cursor is None}
        return [_shape(row) for row in rows], next_cursor, searched
    if before is not None:
        clauses, params = [*clauses, "d.seq < ?"], [*params, before]
    select = f"select {_COLUMNS} from deliveries d"
    if filters.get("since") is not None:
        select, clauses = _since_plan(db, filters["since"], before, clauses)
    where = (" where " + " and ".join(clauses)) if clauses else ""
    # Read lean rows (the searched fields and the body sent), then the matches' full rows by seq.
    lean = ("select d.seq, d.id, d.event_id, d.event_key, d.webhook_name, d.event_url, d.last_error, "
            "coalesce(d.body, e.body) from deliveries d")
    select = (select.replace(f"select {_COLUMNS} from deliveries d", lean, 1)
              + " join events e on e.seq = d.event_seq")
    matches = _matcher(text)
    rows = db.conn.execute(f"{select}{where} order by d.seq desc limit ?", [*params, scan + 1])
    found: list[int] = []
    scanned = read_to_last = 0
    last_seq = next_cursor = None
    for seq, *fields, body in rows:
        if scanned == scan:           # one row past the bound: more is left to search
            next_cursor = last_seq
            break
        scanned, last_seq = scanned + 1, seq
        if matches(fields, body):
            if len(found) == limit:   # the page is full: go on after its last match
                next_cursor, scanned = found[-1], read_to_last
                break
            found.append(seq)
            read_to_last = scanned
    rows.close()
    items = []
    if found:
        marks = ", ".join("?" * len(found))
        items = [_shape(row) for row in db.query(
            f"select {_COLUMNS} from deliveries d where d.seq in ({marks}) order by d.seq desc", found)]
    return items, next_cursor, {"scanned": scanned, "complete": next_cursor is None}


def _matcher(text: str) -> Callable[[list, bytes | str | None], bool]:
    """A test of one delivery's searched fields and body for ``text``, ignoring case. An ASCII text is
    looked for in the body's bytes with ASCII letters lowered, which spares decoding every body (the
    same answer as case-folding but for a few letters such as the Kelvin sign, which folds to "k");
    any other text in the decoded body, case-folded."""
    if text.isascii():
        needle, needle_bytes = text.lower(), text.lower().encode()

        def ascii_match(fields: list, body: bytes | str | None) -> bool:
            if needle in " ".join(str(field or "") for field in fields).lower():
                return True
            raw = body.encode() if isinstance(body, str) else bytes(body or b"")
            return needle_bytes in raw.lower()
        return ascii_match
    folded = text.casefold()

    def folded_match(fields: list, body: bytes | str | None) -> bool:
        return (folded in " ".join(str(field or "") for field in fields).casefold()
                or folded in _text(body).casefold())
    return folded_match


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    return body if isinstance(body, str) else bytes(body).decode("utf-8", "replace")


def _account_status_plan(db: sqlite_utils.Database, account_id: str, status: str | list[str]) -> str | None:
    """One account's deliveries in a status: when they are few (the exact count kept in
    ``delivery_counts``), read them from ``deliveries_outbox_by_status`` and sort them, instead of walking
    every delivery in that status newest first looking for the account's."""
    statuses = [status] if isinstance(status, str) else list(status)
    marks = ", ".join("?" * len(statuses))
    n = db.conn.execute(f"select coalesce(sum(n), 0) from delivery_counts where account_id = ? "
                        f"and status in ({marks})", [account_id, *statuses]).fetchone()[0]
    if n <= SINCE_SORTED:
        return f"select {_COLUMNS} from deliveries d indexed by deliveries_outbox_by_status"
    return None


def _until_bound(db: sqlite_utils.Database, until: str, before: int | None) -> int | None:
    """``?to=``: the first delivery created after ``until``, found through ``deliveries_by_created``, is
    where the newest-first walk starts (deliveries are numbered as they are created), so the newer ones
    are never read; ``created <= until`` is still checked on each row."""
    row = db.conn.execute("select seq from deliveries indexed by deliveries_by_created where created > ? "
                          "order by created limit 1", [until]).fetchone()
    if row is None:
        return before
    return row[0] if before is None else min(before, row[0])


SINCE_SORTED = 5000  # at most this many deliveries created since: read them by creation time, then sort


def _since_plan(db: sqlite_utils.Database, since: str, before: int | None, clauses: list[str]
                ) -> tuple[str, list[str]]:
    """Choose how ``?since=`` reads: few deliveries created since (a recent or future instant) are read
    from ``deliveries_by_created`` and sorted; many are the newest ones, found first when walking newest
    first, so the creation index is kept out of the way (``+d.created``) and the other filters choose.
    Either way the answer is the same; only the path differs. The count is bounded, read from the index."""
    bound, params = ("", [since]) if before is None else (" and seq < ?", [since, before])
    few = db.conn.execute(
        f"select count(*) from (select 1 from deliveries indexed by deliveries_by_created "
        f"where created >= ?{bound} limit {SINCE_SORTED + 1})", params
    ).fetchone()[0] <= SINCE_SORTED
    if few:
        return f"select {_COLUMNS} from deliveries d indexed by deliveries_by_created", clauses
    return f"select {_COLUMNS} from deliveries d", [
        "+d.created >= ?" if clause == "d.created >= ?" else clause for clause in clauses
    ]


_RETRY_SET = """
update deliveries set
    next_at = ?, updated = ?,
    next_trigger = case when attempts = 0 then 'initial' else 'manual' end,
    schedule_step = case when status in ('succeeded', 'failed') then ? else schedule_step end,
    status = case when status in ('succeeded', 'failed') then 'pending' else status end
"""
_RETRYABLE = ("d.claimed = 0 and d.status not in ('cancelled', 'held') "
              "and d.webhook_id in (select id from webhooks where enabled = 1) "
              "and d.webhook_id not in (select webhook_id from holds)")


def request_retry(db: sqlite_utils.Database, delivery_id: str, now: float,
                  then: Callable[[sqlite_utils.Database, dict], None] | None = None) -> dict:
    """Queue one delivery for a manual attempt now (also after success); 409 when it cannot go.

    ``then(db, delivery)`` runs in the same transaction once it is queued (a held webhook's queue
    takes it).
    """
    with immediate(db):
        delivery = get_delivery(db, delivery_id, with_attempts=False)
        hook = db.conn.execute("select enabled, name from webhooks where id = ?",
                               [delivery["webhookId"]]).fetchone()
        if hook is None:
            raise APIError(409, f"Delivery {delivery_id} cannot be sent again: its webhook was deleted",
                           extra={"deliveryStatus": delivery["status"]})
        if delivery["status"] == "cancelled":
            raise APIError(409, f"Delivery {delivery_id} was cancelled: Wink's redeliver (POST "
                           f".../webhook/delivery/{delivery_id}/redeliver) sends it again",
                           extra={"deliveryStatus": delivery["status"]})
        if not hook[0]:
            raise APIError(409, f"Webhook {hook[1]!r} is disabled; enable it to send this delivery",
                           extra={"webhookId": delivery["webhookId"]})
        if delivery["inFlight"]:
            raise APIError(409, f"Delivery {delivery_id} is being sent right now; retry once it is done",
                           extra={"deliveryStatus": delivery["status"]})
        if delivery["status"] == "held":
            raise APIError(409, f"Delivery {delivery_id} is held: release it from webhook {hook[1]!r}'s "
                           f"queue (POST /api/webhooks/{delivery['webhookId']}/hold/release)",
                           extra={"deliveryStatus": delivery["status"]})
        db.conn.execute(_RETRY_SET + " where id = ?", [now, timestamp(), EXHAUSTED, delivery_id])
        if then is not None:
            then(db, delivery)

        return get_delivery(db, delivery_id, with_attempts=False)


def retry_matching(db: sqlite_utils.Database, now: float, **filters) -> dict:
    """Queue every matching delivery for a manual attempt now; say how many, and how many were skipped.

    Skipped: deliveries being sent right now, cancelled ones, and those of disabled or deleted webhooks.
    """
    clauses, params = _filters(**filters)
    where = " and ".join(clauses) or "1"
    with immediate(db):
        matched = db.conn.execute(f"select count(*) from deliveries d where {where}", params).fetchone()[0]
        retried = db.conn.execute(
            _RETRY_SET + f" where seq in (select d.seq from deliveries d where {where} and {_RETRYABLE})",
            [now, timestamp(), EXHAUSTED, *params],
        ).rowcount
    return {"matched": matched, "retried": retried, "skipped": matched - retried}


def last_delivery_by_webhook(db: sqlite_utils.Database) -> dict[str, dict]:
    """Return, per stored webhook's id, its newest delivery's status summary."""
    # One index probe per stored webhook (its newest seq in deliveries_by_webhook), not a walk over
    # every delivery; a deleted webhook's history is not listed with the webhooks anyway.
    rows = db.query(
        "select webhook_id, id, status, last_status_code, last_attempt_at, created from deliveries "
        "where seq in (select (select max(seq) from deliveries where webhook_id = webhooks.id) from webhooks)"
    )
    return {
        row["webhook_id"]: {
            "id": row["id"], "status": row["status"], "statusCode": row["last_status_code"],
            "lastAttemptAt": row["last_attempt_at"], "createdDate": row["created"],
        }
        for row in rows
    }


def count_by_status(db: sqlite_utils.Database, webhook_id: str | None = None) -> dict[str, int]:
    """Return how many deliveries are in each status (of one webhook, or all)."""
    # delivery_counts is kept by triggers (m040): a sum of a few rows, however many deliveries.
    sql = "select status, sum(n) from delivery_counts"
    params = []
    if webhook_id is not None:
        sql += " where webhook_id = ?"
        params.append(webhook_id)
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: n for status, n in db.conn.execute(sql + " group by status", params) if n})
    return counts
