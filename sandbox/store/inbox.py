"""Inboxes: the sandbox's own receiver's configured answers and the requests it captured.

An inbox exists once it is configured or receives its first request. Each capture is one row; an
inbox keeps at most ``cap`` of them, the oldest dropped first.
"""

from __future__ import annotations

import base64
import json

import sqlite_utils

from sandbox.db import immediate
from sandbox.store import NotFound, now_iso

# The answer of an inbox nobody configured; also what PUT fills in for a missing field.
DEFAULT_RESPONSE = {
    "status": 200,
    "body": None,
    "contentType": None,
    "headers": {},
    "delay": 0.0,
    "failFirst": 0,
    "failStatus": 500,
}

_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _response(row: dict | None) -> dict:
    if row is None:
        return dict(DEFAULT_RESPONSE, headers={})
    return {
        "status": row["status"],
        "body": row["body"],
        "contentType": row["content_type"],
        "headers": json.loads(row["headers"]),
        "delay": row["delay"],
        "failFirst": row["fail_first"],
        "failStatus": row["fail_status"],
    }


def _inbox(name: str, row: dict | None, count: int) -> dict:
    failed = row["failed"] if row else 0
    fail_first = row["fail_first"] if row else 0
    return {
        "name": name,
        "captureCount": count,
        "received": row["seq"] if row else 0,
        "lastReceived": row["last_received"] if row else None,
        "response": _response(row),
        "failuresLeft": max(fail_first - failed, 0),
    }


def _row(db: sqlite_utils.Database, name: str) -> dict | None:
    cursor = db.conn.execute("select * from inboxes where name = ?", [name])
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([c[0] for c in cursor.description], found, strict=True))


def _count(db: sqlite_utils.Database, name: str) -> int:
    return db.conn.execute("select count(*) from inbox_captures where inbox = ?", [name]).fetchone()[0]


def get_inbox(db: sqlite_utils.Database, name: str) -> dict:
    """Return an inbox's counts and configured answer (the default answer for an unused name)."""
    return _inbox(name, _row(db, name), _count(db, name))


def list_inboxes(db: sqlite_utils.Database) -> list[dict]:
    """Return every inbox that was configured or received something, by name."""
    counts = dict(db.conn.execute("select inbox, count(*) from inbox_captures group by inbox"))
    cursor = db.conn.execute("select * from inboxes order by name")
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, values, strict=True)) for values in cursor]
    return [_inbox(row["name"], row, counts.get(row["name"], 0)) for row in rows]


def configure(db: sqlite_utils.Database, name: str, response: dict) -> dict:
    """Set an inbox's answer (every field of DEFAULT_RESPONSE) and restart its fail-first count."""
    now = now_iso()
    with immediate(db):
        db.conn.execute(
            "insert into inboxes (name, created, updated, status, body, content_type, headers, delay, "
            "fail_first, fail_status, failed) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
            "on conflict (name) do update set updated = excluded.updated, status = excluded.status, "
            "body = excluded.body, content_type = excluded.content_type, headers = excluded.headers, "
            "delay = excluded.delay, fail_first = excluded.fail_first, "
            "fail_status = excluded.fail_status, failed = 0",
            [name, now, now, response["status"], response["body"], response["contentType"],
             _DUMPS(response["headers"]), response["delay"], response["failFirst"],
             response["failStatus"]],
        )
        return get_inbox(db, name)


def clear(db: sqlite_utils.Database, name: str) -> int:
    """Delete an inbox's captures and restart its fail-first count; return how many went."""
    with immediate(db):
        deleted = db.conn.execute("delete from inbox_captures where inbox = ?", [name]).rowcount
        db.conn.execute("update inboxes set failed = 0 where name = ?", [name])
    return deleted


def record(db: sqlite_utils.Database, name: str, request: dict, *, cap: int,
           status: int | None = None, delay: float | None = None, reason: str = "query") -> tuple[dict, dict]:
    """Store one received request and decide its answer; return (capture, configured response).

    ``request`` holds received, method, path, query, headers, body (None when refused), body_size,
    refused, client, verified, verify_reason, webhook_id. The answer's status is, in order: 413 when
    refused, ``status`` (the request's own ``?status=``, or 400 for a bad one, with ``reason``), a
    fail-first failure, the configured status; its delay is ``delay`` or the configured one.
    One transaction: read the inbox, count the request, insert it, drop what is over ``cap``.
    """
    with immediate(db):
        row = _row(db, name)
        if row is None:
            now = now_iso()
            db.conn.execute("insert into inboxes (name, created, updated) values (?, ?, ?)", [name, now, now])
            row = _row(db, name)
        failing = False
        if request["refused"]:
            status, reason, delay = 413, "refused", 0.0
        elif status is None and row["failed"] < row["fail_first"]:
            status, reason, failing = row["fail_status"], "fail-first", True
        elif status is None:
            status, reason = row["status"], "configured"
        delay = row["delay"] if delay is None else delay
        seq = row["seq"] + 1
        db.conn.execute(
            "update inboxes set seq = ?, failed = failed + ?, last_received = ? where name = ?",
            [seq, int(failing), request["received"], name],
        )
        capture_id = db.conn.execute(
            "insert into inbox_captures (inbox, seq, received, method, path, query, headers, body, "
            "body_size, refused, client, response_status, response_reason, delay, verified, "
            "verify_reason, webhook_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [name, seq, request["received"], request["method"], request["path"], request["query"],
             _DUMPS(request["headers"]), request["body"], request["body_size"], int(request["refused"]),
             request["client"], status, reason, delay,
             None if request["verified"] is None else int(request["verified"]),
             request["verify_reason"], request["webhook_id"]],
        ).lastrowid
        if seq > cap:
            db.conn.execute("delete from inbox_captures where inbox = ? and seq <= ?", [name, seq - cap])
    capture = _capture(
        capture_id=capture_id, inbox=name, received=request["received"], method=request["method"],
        path=request["path"], query=request["query"], headers=request["headers"], body=request["body"],
        body_size=request["body_size"], refused=request["refused"], client=request["client"],
        status=status, reason=reason, delay=delay, verified=request["verified"],
        verify_reason=request["verify_reason"], webhook_id=request["webhook_id"],
    )
    configured = _response(row)
    return capture, configured


def _body_view(body: bytes | None) -> tuple[str | None, str | None]:
    if body is None:
        return None, None
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), "base64"


def _capture(*, capture_id, inbox, received, method, path, query, headers, body, body_size, refused,
             client, status, reason, delay, verified, verify_reason, webhook_id) -> dict:
    text, encoding = _body_view(body)
    return {
        "id": capture_id,
        "inbox": inbox,
        "received": received,
        "method": method,
        "path": path,
        "query": query,
        "headers": headers,
        "body": text,
        "bodyEncoding": encoding,
        "bodySize": body_size,
        "refused": refused,
        "client": client,
        "response": {"status": status, "reason": reason, "delay": delay},
        "signature": {"verified": verified, "reason": verify_reason, "webhookId": webhook_id},
    }


_COLUMNS = ("id, inbox, received, method, path, query, headers, body, body_size, refused, client, "
            "response_status, response_reason, delay, verified, verify_reason, webhook_id")


def _capture_from_row(row: tuple) -> dict:
    (capture_id, inbox, received, method, path, query, headers, body, body_size, refused, client, status,
     reason, delay, verified, verify_reason, webhook_id) = row
    return _capture(
        capture_id=capture_id, inbox=inbox, received=received, method=method, path=path, query=query,
        headers=json.loads(headers), body=body, body_size=body_size, refused=bool(refused), client=client,
        status=status, reason=reason, delay=delay, verified=None if verified is None else bool(verified),
        verify_reason=verify_reason, webhook_id=webhook_id,
    )


def list_captures(db: sqlite_utils.Database, name: str, *, limit: int = 50,
                  before: int | None = None) -> list[dict]:
    """Return an inbox's captures, newest first; ``before`` (a capture id) pages back."""
    sql = f"select {_COLUMNS} from inbox_captures where inbox = ?"
    params: list = [name]
    if before is not None:
        sql += " and id < ?"
        params.append(before)
    sql += " order by seq desc limit ?"
    return [_capture_from_row(row) for row in db.conn.execute(sql, [*params, limit])]


def get_capture(db: sqlite_utils.Database, name: str, capture_id: int) -> dict:
    """Return one capture of an inbox."""
    if capture_id >= 2**63:  # beyond SQLite's integers: no such row, and the number would not bind
        raise NotFound(f"Inbox {name!r} has no capture {capture_id}")
    row = db.conn.execute(
        f"select {_COLUMNS} from inbox_captures where id = ? and inbox = ?", [capture_id, name]
    ).fetchone()
    if row is None:
        raise NotFound(f"Inbox {name!r} has no capture {capture_id}")
    return _capture_from_row(row)


def captures_since(db: sqlite_utils.Database, name: str, cursor: int, limit: int = 1000) -> list[dict]:
    """Return up to ``limit`` captures of an inbox after capture id ``cursor``, oldest first."""
    rows = db.conn.execute(
        f"select {_COLUMNS} from inbox_captures where inbox = ? and id > ? order by id limit ?",
        [name, cursor, limit],
    )
    return [_capture_from_row(row) for row in rows]


def last_capture_id(db: sqlite_utils.Database) -> int:
    """Return the newest capture id of any inbox (0 when none)."""
    return db.conn.execute("select coalesce(max(id), 0) from inbox_captures").fetchone()[0]


def webhooks_to_inboxes(db: sqlite_utils.Database) -> list[dict]:
    """Return ``{id, name, eventUrl}`` of webhooks whose URL has ``/inbox/`` (the caller checks it)."""
    rows = db.conn.execute("select id, name, event_url from webhooks where instr(event_url, '/inbox/') > 0 "
                           "order by created_date")
    return [{"id": r[0], "name": r[1], "eventUrl": r[2]} for r in rows]


def bound_webhooks(db: sqlite_utils.Database, name: str) -> list[dict]:
    """Return ``{id, name, eventUrl}`` of webhooks whose URL mentions this inbox (the caller checks host)."""
    rows = db.conn.execute(
        "select id, name, event_url from webhooks where instr(event_url, ?) > 0 order by created_date",
        [f"/inbox/{name}"],
    )
    return [{"id": r[0], "name": r[1], "eventUrl": r[2]} for r in rows]
