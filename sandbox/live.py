"""The live websockets: ``/ws/deliveries`` (the delivery log) and ``/ws/inbox/<name>`` (captures).

A viewer first gets history from the database (a backlog, or everything after ``?since=<cursor>``),
then a ``ready`` message, then live messages from the hub. It subscribes to the hub *before* reading
the database, and drops live messages the database already gave it (cursor at most the last one
sent), so there is neither a gap nor a duplicate between the two. Every message type is described in
docs/live.md.

Sending: each message's JSON is encoded once for all viewers (``hub.Entry``), and a viewer's batch
goes out as one socket write of ready-made websocket frames. The handler's thread is the only one
writing data to its socket, so it also sends the keepalive pings (simple-websocket's own ping thread
would write on the same socket at the same time); a viewer that does not answer a ping, or does not
read for a whole ping interval, is disconnected.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils
from flask import Blueprint, Flask, current_app, g, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from sandbox import catalog
from sandbox import inbox as receiver
from sandbox.db import connect
from sandbox.errors import ValidationError
from sandbox.hub import Entry, Hub, get_hub
from sandbox.store import inbox as inbox_store
from sandbox.store import log

SOCK_KEY = "sock"
DEFAULT_BACKLOG = 50
MAX_BACKLOG = 1000
PAGE = 1000  # history rows read per query while replaying ``since``
POLL_SECONDS = 1.0  # the longest a handler waits before noticing a closed client
STATUSES = ("pending", "retrying", "succeeded", "failed", "cancelled", "disabled")
MAX_FILTER_VALUES = 50
# Query parameter -> the message field it filters on (the same names as the messages' fields).
DELIVERY_FILTERS = ("type", "entity", "webhookId", "event", "eventId", "deliveryId", "status")
KNOWN_VALUES = {"type": log.TYPES, "status": STATUSES}

sock = Sock()
ws = Blueprint("ws", __name__)


@dataclass
class Feed:
    """Where one websocket's messages come from: the hub to follow and the database to catch up from."""

    hub: Hub
    accept: Callable[[dict], bool] | None
    backlog: Callable[[sqlite_utils.Database, int], list[dict]]
    since: Callable[[sqlite_utils.Database, int, int], list[dict]]
    last_cursor: Callable[[sqlite_utils.Database], int]
    filters: dict = field(default_factory=dict)


# Query parameters ---------------------------------------------------------------------------------

def _int_param(name: str, default: int | None, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or (maximum is not None and int(raw) > maximum):
        bound = f"from 0 to {maximum}" if maximum is not None else "0 or more"
        raise ValidationError([{"field": name, "message": f"must be an integer {bound}, not {raw!r}"}])
    return int(raw)


def _delivery_filters() -> dict[str, list[str]]:
    """Read the filters: comma-separated values; a message passes when each filter has its value."""
    errors = []
    filters: dict[str, list[str]] = {}
    for name in DELIVERY_FILTERS:
        raw = request.args.get(name)
        if raw is None or raw.strip() == "":
            continue
        values = [value.strip() for value in raw.split(",") if value.strip()]
        if len(values) > MAX_FILTER_VALUES or any(len(value) > 200 for value in values):
            errors.append({"field": name, "message": f"at most {MAX_FILTER_VALUES} values of 200 characters"})
            continue
        if name in KNOWN_VALUES:
            wrong = [v for v in values if v not in KNOWN_VALUES[name]]
            if wrong:
                errors.append({"field": name, "message": f"unknown {name} {', '.join(wrong)}; known: "
                               + ", ".join(KNOWN_VALUES[name])})
        elif name == "event":
            wrong = [v for v in values if not catalog.is_known(v)]
            if wrong:
                errors.append({"field": name, "message": f"unknown event keys {wrong}"})
            # booking.created and booking.create are the same event: either finds both
            values = sorted({alias for v in values if catalog.is_known(v) for alias in catalog.same_event(v)})
        filters[name] = values
    if errors:
        raise ValidationError(errors)
    return filters


def accept_for(filters: dict[str, list[str]]) -> Callable[[dict], bool] | None:
    """Build the live-message test matching ``store.log``'s filters: each field has one of its values."""
    if not filters:
        return None
    wanted = [(name, frozenset(values)) for name, values in filters.items()]

    def accept(message: dict) -> bool:
        for name, values in wanted:
            if message.get(name) not in values:
                return False
        return True

    return accept


@ws.before_request
def _parse_query() -> None:
    """Check the query before the websocket handshake, so a mistake gets a plain 400 problem."""
    allowed = {"backlog", "since", "token"}
    if request.endpoint == "ws.deliveries":
        allowed |= set(DELIVERY_FILTERS)
    else:
        receiver.check_name(request.view_args["name"])
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise ValidationError([{"field": name, "message": "is not a parameter of this websocket; known: "
                                + ", ".join(sorted(allowed - {"token"}))} for name in unknown])
    g.live_backlog = _int_param("backlog", DEFAULT_BACKLOG, MAX_BACKLOG)
    g.live_since = _int_param("since", None)
    g.live_filters = _delivery_filters() if request.endpoint == "ws.deliveries" else {}


# The feeds ----------------------------------------------------------------------------------------

def delivery_feed(app: Flask, filters: dict[str, list[str]]) -> Feed:
    return Feed(
        hub=get_hub(app),
        accept=accept_for(filters),
        backlog=lambda db, n: log.recent(db, n, filters),
        since=lambda db, cursor, limit: log.since(db, cursor, filters, limit),
        last_cursor=log.last_cursor,
        filters=filters,
    )


def inbox_feed(app: Flask, name: str) -> Feed:
    def backlog(db, n):
        return [receiver.capture_message(c) for c in reversed(inbox_store.list_captures(db, name, limit=n))]

    def since(db, cursor, limit):
        return [receiver.capture_message(c) for c in inbox_store.captures_since(db, name, cursor, limit)]

    return Feed(
        hub=get_hub(app, "inbox"),
        accept=lambda message: message.get("inbox") == name,
        backlog=backlog,
        since=since,
        last_cursor=inbox_store.last_capture_id,
        filters={"inbox": [name]},
    )


# Sending ------------------------------------------------------------------------------------------

def frame(payload: bytes) -> bytes:
    """One unfragmented, unmasked websocket text frame (RFC 6455 5.2), as a server sends it."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return b"\x81\x7e" + size.to_bytes(2, "big") + payload
    return b"\x81\x7f" + size.to_bytes(8, "big") + payload


PING = b"\x89\x00"


class Viewer:
    """One connected websocket: sends ready-made frames, pings, notices a client that is gone."""

    def __init__(self, websocket, ping_seconds: float):
        self.ws = websocket
        self.sock: socket.socket = websocket.sock
        self.ping_seconds = ping_seconds
        self.next_ping = time.monotonic() + ping_seconds
        self.sent = 0
        if ping_seconds:
            # A client that reads nothing for a whole ping interval is as good as gone: without a
            # send timeout, a full socket buffer would hold this thread until the server stops.
            seconds = int(ping_seconds)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", seconds, 0))

    @property
    def connected(self) -> bool:
        return self.ws.connected

    def send(self, payloads: list[bytes]) -> None:
        if not payloads:
            return
        if not self.ws.connected:
            raise ConnectionError("the client closed the websocket")
        self.sock.sendall(b"".join(frame(payload) for payload in payloads))
        self.sent += len(payloads)

    def send_message(self, message: dict) -> None:
        self.send([Entry(message).json])

    def keepalive(self) -> bool:
        """Ping when due; say False when the previous ping went unanswered (the client is gone)."""
        if not self.ping_seconds:
            return True
        now = time.monotonic()
        if now < self.next_ping:
            return True
        if not self.ws.pong_received:
            return False
        self.ws.pong_received = False
        self.sock.sendall(PING)
        self.next_ping = now + self.ping_seconds
        return True

    def discard_input(self) -> None:
        """Drop whatever the client sent: the stream is one-way, and the buffer must not grow."""
        while self.ws.receive(timeout=0) is not None:
            pass


def stream(websocket, feed: Feed, *, backlog: int, since: int | None) -> None:
    """Send history, then ``ready``, then live messages until the client or the server goes."""
    app = current_app._get_current_object()
    viewer = Viewer(websocket, app.config["LIVE_PING_SECONDS"])
    subscription = feed.hub.subscribe(feed.accept, maxlen=app.config["LIVE_QUEUE_SIZE"])
    try:
        last = _send_history(viewer, feed, subscription, app.config["DATABASE"], backlog, since)
        subscription.after = last
        viewer.send_message({"type": "ready", "cursor": last, "history": viewer.sent,
                             "filters": feed.filters})
        while viewer.connected:
            batch = subscription.poll(POLL_SECONDS)
            if batch.closed:
                break
            payloads = []
            if batch.dropped:
                payloads.append(Entry({"type": "gap", "cursor": last, "dropped": batch.dropped,
                                       "firstCursor": batch.first_dropped,
                                       "lastCursor": batch.last_dropped}).json)
            for entry in batch.entries:
                payloads.append(entry.json)
                if entry.cursor is not None and entry.cursor > last:
                    last = entry.cursor
            viewer.send(payloads)
            viewer.discard_input()
            if not viewer.keepalive():
                with contextlib.suppress(Exception):
                    websocket.close(reason=1011, message="Ping timeout")
                break
    except (OSError, ConnectionClosed):
        pass  # the client went away (reset, or a send timed out): nothing to tell anyone
    finally:
        feed.hub.unsubscribe(subscription)


def _send_history(viewer: Viewer, feed: Feed, subscription, path: str, backlog: int,
                  since: int | None) -> int:
    """Send the backlog (or everything after ``since``); return the cursor live messages follow."""
    db = connect(path)
    try:
        if since is not None:
            last = since
            while not subscription.closed:
                page = feed.since(db, last, PAGE)
                viewer.send([Entry(message).json for message in page])
                if page:
                    last = page[-1]["cursor"]
                if len(page) < PAGE:
                    break
            return last
        # One read transaction: the backlog and the newest cursor come from the same snapshot.
        db.conn.execute("begin")
        try:
            messages = feed.backlog(db, backlog)
            last = feed.last_cursor(db)
        finally:
            db.conn.execute("commit")
        viewer.send([Entry(message).json for message in messages])
        return last
    finally:
        db.close()


@sock.route("/ws/deliveries", bp=ws, endpoint="deliveries")
def deliveries(websocket):
    """The delivery log, live: ?backlog=N or ?since=<cursor>, filters entity, webhookId, event, status."""
    stream(websocket, delivery_feed(current_app, g.live_filters), backlog=g.live_backlog, since=g.live_since)


@sock.route("/ws/inbox/<name>", bp=ws, endpoint="inbox")
def inbox(websocket, name: str):
    """An inbox's captures, live: ?backlog=N or ?since=<capture id>."""
    stream(websocket, inbox_feed(current_app, name), backlog=g.live_backlog, since=g.live_since)


def init_app(app: Flask) -> None:
    """Register flask-sock (kept in ``app.extensions["sock"]``) and the websocket routes."""
    sock.init_app(app)
    app.extensions[SOCK_KEY] = sock
    app.register_blueprint(ws)
    db = connect(app.config["DATABASE"])
    try:
        # The next cursor published follows the newest stored one: the hub keeps them in order.
        get_hub(app).expect_after(log.last_cursor(db))
    finally:
        db.close()
