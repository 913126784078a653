"""The live websockets: ``/ws/deliveries`` (the delivery log) and ``/ws/inbox/<name>`` (captures).

A viewer first gets history from the database (a backlog, or everything after ``?since=<cursor>``),
then a ``ready`` message, then live messages from the hub. It subscribes to the hub *before* reading
the database, and drops live messages the database already gave it (cursor at most the last one
sent), so there is neither a gap nor a duplicate between the two. Every message type is described in
docs/live.md.

Sending: one broadcaster thread per hub writes every live viewer's messages (``Broadcaster``):
each message is encoded and framed once a round, viewers that want everything share its frames,
and writes never block, so a viewer that stops reading only fills its own bounded queue. The
broadcaster also sends the keepalive pings (simple-websocket's own ping thread would write on the
same socket at the same time); a viewer that does not answer a ping, or takes nothing for a whole
ping interval, is disconnected. A viewer's request thread only sends its history, then waits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils
from flask import Blueprint, Flask, current_app, g, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from sandbox import catalog
from sandbox import inbox as receiver
from sandbox.api import MAX_ID
from sandbox.db import connect
from sandbox.errors import APIError, ValidationError
from sandbox.hub import Entry, Hub, Subscription, get_hub
from sandbox.live_wire import Wire, attach
from sandbox.store import inbox as inbox_store
from sandbox.store import log

SOCK_KEY = "sock"
BROADCASTER_KEY = "sandbox.live"
DEFAULT_BACKLOG = 50
MAX_BACKLOG = 1000
PAGE = 1000  # history rows read per query while replaying ``since``
POLL_SECONDS = 1.0  # the longest a handler waits before noticing a closed client
STATUSES = ("pending", "retrying", "succeeded", "failed", "cancelled", "disabled", "held")
MAX_FILTER_VALUES = 50
# Query parameter -> the message field it filters on (the same names as the messages' fields).
DELIVERY_FILTERS = ("type", "entity", "webhookId", "event", "eventId", "deliveryId", "status")
KNOWN_VALUES = {"type": log.TYPES, "status": STATUSES}
# The websocket routes and their plain-HTTP twins (which browsers fetch to learn why a handshake failed).
DELIVERY_ENDPOINTS = ("ws.deliveries", "ws.deliveries_plain")

sock = Sock()
ws = Blueprint("ws", __name__)


@dataclass
class Feed:
    """Where one websocket's messages come from: the hub to follow and the database to catch up from."""

    topic: str  # the hub's: "log" or "inbox"
    hub: Hub
    accept: Callable[[dict], bool] | None
    backlog: Callable[[sqlite_utils.Database, int], list[dict]]
    since: Callable[[sqlite_utils.Database, int, int], list[dict]]
    last_cursor: Callable[[sqlite_utils.Database], int]
    filters: dict = field(default_factory=dict)
    # The oldest stored cursor, for a feed whose oldest messages are deleted (None: it keeps them all).
    first_cursor: Callable[[sqlite_utils.Database], int | None] | None = None
    # A resume sends at most MAX_BACKLOG messages, then a gap (False: it replays everything, by pages).
    bounded: bool = False


# Query parameters ---------------------------------------------------------------------------------

def _int_param(name: str, default: int | None, maximum: int = MAX_ID) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:
        message = f"must be an integer from 0 to {maximum}, not {raw!r}"
        raise ValidationError([{"field": name, "message": message}])
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
    if request.endpoint in DELIVERY_ENDPOINTS:
        allowed |= set(DELIVERY_FILTERS)
    else:
        receiver.check_name(request.view_args["name"])
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise ValidationError([{"field": name, "message": "is not a parameter of this websocket; known: "
                                + ", ".join(sorted(allowed - {"token"}))} for name in unknown])
    g.live_backlog = _int_param("backlog", DEFAULT_BACKLOG, MAX_BACKLOG)
    g.live_since = _int_param("since", None)
    g.live_filters = _delivery_filters() if request.endpoint in DELIVERY_ENDPOINTS else {}


@ws.get("/ws/deliveries", endpoint="deliveries_plain")
@ws.get("/ws/inbox/<name>", endpoint="inbox_plain")
def plain_get(name: str | None = None):
    """A plain GET of a websocket's address: the query was checked as for the handshake (a browser
    cannot read a refused handshake's answer, so the page asks here); a good query is still no websocket."""
    raise APIError(400, f"{request.path} is a websocket: connect with a websocket client (ws://)",
                   kind="websocket-expected")


# The feeds ----------------------------------------------------------------------------------------

def delivery_feed(app: Flask, filters: dict[str, list[str]]) -> Feed:
    return Feed(
        topic="log",
        hub=get_hub(app),
        accept=accept_for(filters),
        backlog=lambda db, n: log.recent(db, n, filters),
        since=lambda db, cursor, limit: log.since(db, cursor, filters, limit),
        last_cursor=log.last_cursor,
        filters=filters,
        first_cursor=log.first_cursor,
        bounded=True,
    )


def inbox_feed(app: Flask, name: str) -> Feed:
    def backlog(db, n):
        return [receiver.capture_message(c) for c in reversed(inbox_store.list_captures(db, name, limit=n))]

    def since(db, cursor, limit):
        return [receiver.capture_message(c) for c in inbox_store.captures_since(db, name, cursor, limit)]

    return Feed(
        topic="inbox",
        hub=get_hub(app, "inbox"),
        accept=lambda message: message.get("inbox") == name,
        backlog=backlog,
        since=since,
        last_cursor=inbox_store.last_capture_id,
        filters={"inbox": [name]},
        bounded=True,
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


def entry_frame(entry: Entry, frames: dict[int, bytes]) -> bytes:
    """The entry's frame, made once per round for every viewer that sends it.

    ``frames`` (by ``id(entry)``) lives for one round only: the hub's ring keeps no encoded bytes, so
    what viewers cost in memory does not outlive the round that sends it (issue 13).
    """
    key = id(entry)  # the round's batches hold the entries, so ids are not reused meanwhile
    data = frames.get(key)
    if data is None:
        data = frames[key] = frame(entry.json)
    return data


def message_frame(message: dict) -> bytes:
    return frame(Entry(message).json)


PING = b"\x89\x00"


class Viewer:
    """One connected websocket, as the broadcaster sees it: a subscription and a socket to fill.

    Writes never block: what the client's socket does not take now waits in the wire's ``out``, and
    while it waits the subscription is not read, so its bounded queue (in the hub) does the dropping.
    Every write goes through the websocket's ``Wire`` (sandbox/live_wire.py), which simple-websocket's
    pongs and close frame share, so frames never interleave and nothing follows the close frame.
    """

    def __init__(self, websocket, subscription: Subscription, ping_seconds: float):
        self.ws = websocket
        self.wire: Wire = attach(websocket)
        self.sock: socket.socket = self.wire.sock
        self.sub = subscription
        self.ping_seconds = ping_seconds
        self.stuck_since: float | None = None
        self.broken = False
        self.live = False  # the handler is still sending history while False
        self.live_since = 0.0
        self.last = 0  # the newest cursor handed to the socket
        self.next_ping = time.monotonic() + ping_seconds
        self.done = threading.Event()
        # Small frames go out at once instead of waiting for the previous one's acknowledgement.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if ping_seconds:
            # The handler's own blocking writes (history) give up on a client that reads nothing.
            timeout = struct.pack("ll", max(int(ping_seconds), 1), 0)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)

    @property
    def out(self) -> list[bytes]:
        return self.wire.out

    def send_now(self, data: bytes) -> None:
        """Blocking write, for the handler's history (before the viewer is live)."""
        if not self.ws.connected:
            raise ConnectionError("the client closed the websocket")
        self.wire.sendall(data)

    def go_live(self, cursor: int) -> None:
        """From now on the broadcaster writes; live messages up to ``cursor`` are skipped."""
        self.sub.after = cursor
        self.last = cursor
        self.live_since = time.monotonic()
        self.live = True

    def write(self, parts: list[bytes]) -> None:
        """Hand ``parts`` (after what waits) to the socket without waiting (``Wire.write``)."""
        self.wire.write(parts)

    def flush(self, now: float) -> bool:
        """Try to hand over what waits; tell whether nothing waits any more."""
        if self.wire.out:
            try:
                self.write([])
            except OSError:  # reset or closed: ``gone`` says so next
                self.broken = True
                return False
        if self.wire.out:
            self.stuck_since = self.stuck_since or now
            return False
        self.stuck_since = None
        return True

    def gone(self, now: float) -> bool:
        """A closed socket, an unanswered ping, or a socket that took nothing for a ping interval."""
        if self.broken or self.wire.closed or not self.ws.connected or self.sub.closed:
            return True
        if not self.ping_seconds:
            return False
        if self.stuck_since is not None and now - self.stuck_since > self.ping_seconds:
            return True
        return now >= self.next_ping and not self.ws.pong_received

    def ping_frame(self, now: float) -> bytes:
        if not self.ping_seconds or now < self.next_ping:
            return b""
        self.ws.pong_received = False
        self.next_ping = now + self.ping_seconds
        return PING


class Broadcaster:
    """One thread writes every live viewer's messages, so 50 viewers cost one wake-up, not 50.

    Each round takes what every viewer's subscription has, builds its bytes (shared between the
    viewers that want everything: one list of frames for all of them) and hands them to each socket without
    waiting. Nearly all of a round's cost is the kernel's, one ``send`` per viewer (some 25 us), so
    the rounds are spaced by how busy the log is:

    - a light log (rounds of fewer than ``BUSY_ROUND`` messages) is sent at once, resting only
      ``FANOUT_RESTS`` times the round's CPU time: low delay, and deliveries are few then;
    - a busy log (a burst) is sent every ``interval`` (LIVE_BATCH_MS), so 50 viewers cost 50 sends
      per interval however many messages they carry, and the deliveries keep the CPU.
    """

    FANOUT_RESTS = 4
    BUSY_ROUND = 8
    # Frames made for one viewer per round, at most: a viewer that fell behind catches up in rounds of
    # this many (20,000 messages a second at the default LIVE_BATCH_MS), and what waits in its socket's
    # ``out`` is never more than one such round, not up to LIVE_QUEUE_SIZE frames. Fifty viewers that
    # fell behind at different moments held that many distinct frames each, and the C heap kept the
    # peak (+39 MB, issue 13).
    ROUND_FRAMES = 500

    def __init__(self, hub: Hub, interval: float, name: str):
        self.hub = hub
        self.interval = interval
        self.name = name
        self._viewers: set[Viewer] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.cpu_seconds = 0.0  # spent writing to viewers, for benchmarks
        hub.add_listener(self._wake.set)

    def add(self, viewer: Viewer) -> None:
        with self._lock:
            self._viewers.add(viewer)
        self._wake.set()

    def remove(self, viewer: Viewer) -> None:
        with self._lock:
            self._viewers.discard(viewer)
        viewer.done.set()

    def nudge(self) -> None:
        self._wake.set()

    @property
    def viewer_count(self) -> int:
        with self._lock:
            return len(self._viewers)

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"live-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            viewers, self._viewers = list(self._viewers), set()
        for viewer in viewers:
            viewer.done.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(min(self.hub.hold, POLL_SECONDS) if self.hub.holding else POLL_SECONDS)
            self._wake.clear()
            while not self._stopping.is_set():
                started = time.thread_time()
                try:
                    busy, most = self.round()
                except Exception:  # one bad round must not end the live log for everyone
                    logging.getLogger(__name__).exception("Sending live messages failed")
                    busy, most = False, 0
                spent = time.thread_time() - started
                self.cpu_seconds += spent
                if not busy:
                    break
                rest = self.FANOUT_RESTS * spent if most < self.BUSY_ROUND else self.interval
                self._stopping.wait(min(rest, self.interval))

    def round(self) -> tuple[bool, int]:
        """Write each live viewer what it has waiting; tell whether anything was (or still is) to send,
        and the most messages one viewer got."""
        self.hub.release_overdue()
        now = time.monotonic()
        with self._lock:
            viewers = list(self._viewers)
        shared: dict[tuple[int, int], list[bytes]] = {}  # a span's frames, for viewers that want all
        frames: dict[int, bytes] = {}  # each entry's frame, for filtered viewers; both die with the round
        busy = False
        most = 0
        for viewer in viewers:
            if not viewer.live:
                continue
            if viewer.gone(now):
                self.remove(viewer)
                continue
            if not viewer.flush(now):
                busy = True  # try again next round
                continue
            if viewer.sub.after is not None and now - viewer.live_since > 2 * self.hub.hold:
                viewer.sub.after = None  # past the history seam: nothing older can still arrive
            batch = viewer.sub.poll(0, self.ROUND_FRAMES)
            most = max(most, len(batch.entries))
            parts = self._parts(viewer, batch, shared, frames)
            ping = viewer.ping_frame(now)
            if ping:
                parts = [*parts, ping]
            if not parts:
                continue
            busy = True
            try:
                viewer.write(parts)
            except OSError:
                self.remove(viewer)
        return busy, most

    @staticmethod
    def _parts(viewer: Viewer, batch, shared: dict, frames: dict) -> list[bytes]:
        """The frames of one viewer's batch: a gap first when messages were dropped."""
        parts = []
        if batch.dropped:
            parts.append(message_frame({
                "type": "gap", "cursor": viewer.last, "dropped": batch.dropped,
                "firstCursor": batch.first_dropped, "lastCursor": batch.last_dropped, "reason": "behind",
            }))
        if batch.entries:
            last = batch.entries[-1].cursor
            if last is not None and last > viewer.last:
                viewer.last = last
            if batch.span is not None:
                span = shared.get(batch.span)
                if span is None:
                    span = shared[batch.span] = [entry_frame(entry, frames) for entry in batch.entries]
                if not parts:
                    return span  # shared, never changed
                parts.extend(span)
            else:
                parts.extend([entry_frame(entry, frames) for entry in batch.entries])
        return parts


def get_broadcaster(app: Flask, topic: str) -> Broadcaster:
    return app.extensions[f"{BROADCASTER_KEY}.{topic}"]


def _drop_incoming(websocket) -> None:
    """The stream is one-way: read and drop whatever the client has sent."""
    while websocket.receive(timeout=0) is not None:
        continue


def stream(websocket, feed: Feed, *, backlog: int, since: int | None) -> None:
    """Send history, then ``ready``, then hand the viewer to the broadcaster until it goes."""
    app = current_app._get_current_object()
    broadcaster = get_broadcaster(app, feed.topic)
    subscription = feed.hub.subscribe(feed.accept, maxlen=app.config["LIVE_QUEUE_SIZE"], interval=0)
    viewer = Viewer(websocket, subscription, app.config["LIVE_PING_SECONDS"])
    broadcaster.add(viewer)  # before reading the database: what happens meanwhile waits in the hub
    try:
        # A client that goes away (reset, or a write timed out) ends the stream: nothing to tell anyone.
        with contextlib.suppress(OSError, ConnectionClosed):
            last, sent = _send_history(viewer, feed, app.config["DATABASE"], backlog, since)
            viewer.send_now(message_frame({"type": "ready", "cursor": last, "history": sent,
                                           "filters": feed.filters}))
            viewer.go_live(last)
            broadcaster.nudge()
            while not viewer.done.wait(POLL_SECONDS) and websocket.connected:
                _drop_incoming(websocket)
    finally:
        broadcaster.remove(viewer)
        feed.hub.unsubscribe(subscription)
        if not websocket.connected:
            # Closed by the client or lost: flask-sock sends nothing more, and Werkzeug's HTTP
            # response must not follow simple-websocket's close reply (sandbox/live_wire.py).
            viewer.wire.shut_after(websocket.thread)


def _send_history(viewer: Viewer, feed: Feed, path: str, backlog: int, since: int | None
                  ) -> tuple[int, int]:
    """Send the backlog (or everything after ``since``); return (the cursor live messages follow,
    how many messages were sent)."""
    db = connect(path)
    sent = 0
    try:
        if since is not None:
            # A cursor beyond the newest one comes from another database (a page left open while
            # the sandbox restarted on a fresh file): resume from the newest, or nothing live would
            # ever pass it.
            last = min(since, feed.last_cursor(db))
            if feed.bounded:
                return _send_bounded_resume(viewer, feed, db, last)
            while not viewer.sub.closed:
                # One read transaction: the oldest stored cursor and the page from the same snapshot.
                db.conn.execute("begin")
                try:
                    first = feed.first_cursor(db) if feed.first_cursor else None
                    page = feed.since(db, last, PAGE)
                finally:
                    db.conn.execute("commit")
                data = b""
                if first is not None and first > last + 1:
                    data, last = _pruned_gap(feed, last, first), first - 1
                viewer.send_now(data + b"".join(message_frame(message) for message in page))
                sent += len(page)
                if page:
                    last = page[-1]["cursor"]
                if len(page) < PAGE:
                    break
            return last, sent
        # One read transaction: the backlog and the newest cursor come from the same snapshot.
        db.conn.execute("begin")
        try:
            messages = feed.backlog(db, backlog)
            last = feed.last_cursor(db)
        finally:
            db.conn.execute("commit")
        viewer.send_now(b"".join(message_frame(message) for message in messages))
        return last, len(messages)
    finally:
        db.close()


def _pruned_gap(feed: Feed, last: int, first: int) -> bytes:
    """The ``gap`` for a resume from ``last`` when the log no longer has cursors up to ``first - 1``.

    How many of them a filtered viewer would have had is unknown (``dropped`` null): the rows are gone.
    """
    return message_frame({
        "type": "gap", "cursor": first - 1, "dropped": None if feed.filters else first - 1 - last,
        "firstCursor": last + 1, "lastCursor": first - 1, "reason": "pruned",
    })


def _send_bounded_resume(viewer: Viewer, feed: Feed, db: sqlite_utils.Database, last: int) -> tuple[int, int]:
    """Send at most MAX_BACKLOG messages after ``last``, with a gap before them when older ones were
    pruned and one after them when more matched; return (the cursor live messages follow, how many
    messages were sent).

    One query, read in cursor order through the filter's index (or the cursor's) and stopped after
    MAX_BACKLOG + 1 rows, however old the cursor: a resume no longer replays the whole log. The gap after
    them says where to resume from (``cursor``) to get the next ones, or to page the REST API instead.
    """
    db.conn.execute("begin")   # one snapshot: the oldest stored cursor, the page and the newest cursor
    try:
        first = feed.first_cursor(db) if feed.first_cursor else None
        page = feed.since(db, last, MAX_BACKLOG + 1)
        newest = feed.last_cursor(db)
    finally:
        db.conn.execute("commit")
    data = b""
    sent_to = last
    if first is not None and first > last + 1:
        data, sent_to = _pruned_gap(feed, last, first), first - 1
    more = len(page) > MAX_BACKLOG
    page = page[:MAX_BACKLOG]
    data += b"".join(message_frame(message) for message in page)
    if page:
        sent_to = page[-1]["cursor"]
    if more:
        data += message_frame({
            "type": "gap", "cursor": sent_to, "dropped": None if feed.filters else newest - sent_to,
            "firstCursor": sent_to + 1, "lastCursor": newest, "reason": "limit",
        })
    viewer.send_now(data)
    return max(newest, last), len(page)


@sock.route("/ws/deliveries", bp=ws, endpoint="deliveries")
def deliveries(websocket):
    """The delivery log, live: ?backlog=N or ?since=<cursor>, filters entity, webhookId, event, status."""
    stream(websocket, delivery_feed(current_app, g.live_filters), backlog=g.live_backlog, since=g.live_since)


@sock.route("/ws/inbox/<name>", bp=ws, endpoint="inbox")
def inbox(websocket, name: str):
    """An inbox's captures, live: ?backlog=N or ?since=<capture id>."""
    stream(websocket, inbox_feed(current_app, name), backlog=g.live_backlog, since=g.live_since)


M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process; tell whether it applied (glibc only).

    Why: with viewers, live messages are made by the delivery threads and encoded, sent and freed by
    the broadcaster and request threads; glibc gives each such thread an arena of its own (up to 8
    per core), and memory freed across them stays mapped, so RSS rose some 8 MB per 10,000
    deliveries while anyone watched, though Python's own allocations (tracemalloc) stayed flat.
    With two arenas it levels off (issue 13, benchmarks/bench_memory.py). It must run before the
    server's threads start; ``MALLOC_ARENA_MAX`` in the environment does the same.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


def init_app(app: Flask) -> None:
    """Register flask-sock (kept in ``app.extensions["sock"]``), the websocket routes and a broadcaster
    (a worker) for each hub."""
    from sandbox.server import register_worker

    limit_malloc_arenas()
    sock.init_app(app)
    app.extensions[SOCK_KEY] = sock
    app.register_blueprint(ws)
    for topic in ("log", "inbox"):
        broadcaster = Broadcaster(get_hub(app, topic), app.config["LIVE_BATCH_MS"] / 1000, topic)
        app.extensions[f"{BROADCASTER_KEY}.{topic}"] = broadcaster
        register_worker(app, broadcaster)
    db = connect(app.config["DATABASE"])
    try:
        # The next cursor published follows the newest stored one: the hub keeps them in order.
        get_hub(app).expect_after(log.last_cursor(db))
    finally:
        db.close()
