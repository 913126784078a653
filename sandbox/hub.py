"""The live-message hub: publishers hand it messages; every viewer reads them at its own pace.

Publishing costs the same whatever the number of viewers: the hub appends each message to one shared
ring, and a subscription is only a read position in that ring. Publishers never wait on a viewer. A
subscription is a bounded queue: when more than ``maxlen`` of the messages it wants are waiting, it
loses the oldest and is told how many (a gap), so a viewer that stops reading never slows deliveries
or the other viewers.

Batching: a busy subscription is woken at most once per ``interval`` and then takes everything that
arrived meanwhile, so 50 viewers of 1,000 messages a second cost 50 wake-ups every ``interval``, not
50,000 (one wake-up per viewer per message halved the delivery rate of a prototype). A quiet
subscription is woken at once by the next message, so a lone event shows up without delay.

Order: each message carries the cursor of its log row. SQLite numbers rows in commit order, but two
threads can publish their committed rows in the other order; the hub releases messages in cursor
order, holding one whose predecessor has not arrived yet for at most ``hold`` seconds (a row that
is never published, say one written by another process, costs that much delay once). So a viewer
that resumes after the newest cursor it saw has missed nothing.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

from flask import Flask

HUB_KEY = "sandbox.hub"
DEFAULT_MAXLEN = 5_000
DEFAULT_INTERVAL = 0.025
DEFAULT_HOLD = 0.2

_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


class Entry:
    """One published message in the hub's ring.

    The ring keeps only the message: its JSON and websocket frame are made by the sender for one round
    of writes and dropped after it. Keeping them here doubled or tripled what every ring slot holds
    while anyone watched, and these long-lived ~500-byte buffers, freed in ring order by another
    thread, fragmented the C heap so that RSS kept rising (issue 13).
    """

    __slots__ = ("message", "cursor")

    def __init__(self, message: dict):
        self.message = message
        self.cursor: int | None = message.get("cursor")

    @property
    def json(self) -> bytes:
        """The message as compact UTF-8 JSON (encoded on each call: callers keep it as long as they need)."""
        return _DUMPS(self.message).encode()


class Batch(NamedTuple):
    """What one ``poll`` found: the wanted entries, and what was dropped before them."""

    entries: list[Entry]
    dropped: int = 0  # messages lost because the subscription fell too far behind
    first_dropped: int | None = None  # cursors of the first and last dropped message, when known
    last_dropped: int | None = None
    closed: bool = False
    span: tuple[int, int] | None = None  # ring positions taken, when ``entries`` is all of them


class Subscription:
    """One viewer's read position in the hub; ``poll`` returns what arrived since the last call.

    ``accept(message)`` filters; messages whose cursor is at most ``after`` are skipped silently
    (the viewer already got them from the database).
    """

    def __init__(self, hub: Hub, accept: Callable[[dict], bool] | None, maxlen: int, interval: float,
                 position: int):
        self.hub = hub
        self.accept = accept
        self.maxlen = maxlen
        self.interval = interval
        self.after: int | None = None
        self._position = position
        self._not_before = 0.0
        self._closed = threading.Event()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def lag(self) -> int:
        """How many published messages this subscription has not taken yet (before filtering)."""
        return self.hub._head - self._position

    def _wanted(self, entry: Entry) -> bool:
        if self.after is not None and entry.cursor is not None and entry.cursor <= self.after:
            return False
        return self.accept is None or self.accept(entry.message)

    def poll(self, timeout: float, most: int | None = None) -> Batch:
        """Wait up to ``timeout`` for messages; return them (maybe none), or a closed batch.

        After a poll that found anything, the next one first waits out ``interval``, so messages
        arriving meanwhile go out together. With ``most``, at most that many wanted messages are
        returned (the oldest); the others stay in the ring for the next poll, still counted against
        ``maxlen``: a caller that makes something of each message (a websocket frame) makes at most
        ``most`` at a time, however far behind the subscription is.
        """
        wait = self._not_before - time.monotonic()
        if wait > 0 and self._closed.wait(wait):
            return Batch([], closed=True)
        hub = self.hub
        with hub._cond:
            deadline = time.monotonic() + timeout
            while not self._closed.is_set():
                hub._release_overdue()
                if self._position < hub._head:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                hub._cond.wait(min(left, hub.hold) if hub._pending else left)
            if self._closed.is_set():
                return Batch([], closed=True)
            head = hub._head
            start = max(self._position, head - hub.capacity)
            lost = start - self._position  # fell out of the ring: unknown whether they were wanted
            taken = hub._slice(start, head)
            self._position = head
        if taken or lost:
            self._not_before = time.monotonic() + self.interval
        if self.accept is None and self.after is None:
            wanted, places = taken, None
        else:
            places = [place for place, entry in enumerate(taken) if self._wanted(entry)]
            wanted = [taken[place] for place in places]
        overflow = max(0, len(wanted) - self.maxlen)
        first_dropped = last_dropped = None
        if overflow:
            cursors = [entry.cursor for entry in wanted[:overflow] if entry.cursor is not None]
            first_dropped, last_dropped = (cursors[0], cursors[-1]) if cursors else (None, None)
        if most is not None and len(wanted) - overflow > most:
            # The rest waits in the ring: the next poll starts after the last one returned.
            end = overflow + most
            self._position = start + (end if places is None else places[end - 1] + 1)
            self._not_before = 0.0
            chunk = wanted[overflow:end]
            span = (start + overflow, start + end) if places is None else None
            return Batch(chunk, dropped=lost + overflow, first_dropped=first_dropped,
                         last_dropped=last_dropped, span=span)
        if not overflow:
            # ``span`` lets viewers that want everything share the work of one batch
            return Batch(wanted, dropped=lost, span=(start, head) if places is None else None)
        return Batch(
            wanted[overflow:],
            dropped=lost + overflow,
            first_dropped=first_dropped,
            last_dropped=last_dropped,
        )

    def get(self, timeout: float) -> tuple[list[dict], int, int | None]:
        """Like ``poll``, as (messages, dropped since the last call, cursor of the last dropped one)."""
        batch = self.poll(timeout)
        return [entry.message for entry in batch.entries], batch.dropped, batch.last_dropped

    def close(self) -> None:
        self._closed.set()
        with self.hub._cond:
            self.hub._cond.notify_all()


class Hub:
    """Fan messages out to every subscription; thread-safe, and publishing never blocks on a viewer.

    ``capacity`` messages stay in memory; ``maxlen`` is each subscription's default bound (at most
    ``capacity``); ``interval`` its batching period; ``hold`` how long an out-of-order message waits.
    """

    def __init__(self, maxlen: int = DEFAULT_MAXLEN, *, capacity: int | None = None,
                 interval: float = DEFAULT_INTERVAL, hold: float = DEFAULT_HOLD):
        self.capacity = capacity or max(2 * maxlen, 10_000)
        self.maxlen = min(maxlen, self.capacity)
        self.interval = interval
        self.hold = hold
        self._cond = threading.Condition()
        self._ring: list[Entry | None] = [None] * self.capacity
        self._head = 0  # messages released so far; the ring holds the last `capacity` of them
        self._pending: list[tuple[int, int, Entry]] = []  # held back, a heap by cursor
        self._held_since: float | None = None
        self._order = itertools.count()
        self._last: int | None = None  # the newest cursor released
        self._subs: set[Subscription] = set()
        self._listeners: list[Callable[[], None]] = []

    # Publishing -----------------------------------------------------------------------------

    def publish(self, messages: Iterable[dict]) -> None:
        """Release messages to every subscription, in cursor order; never blocks on a viewer."""
        entries = [Entry(message) for message in messages]
        if not entries:
            return
        with self._cond:
            before = self._head
            for entry in entries:
                cursor = entry.cursor
                if cursor is None or self._last is None or cursor <= self._last:
                    self._append(entry)  # unordered, the first one seen, or late: release now
                elif cursor == self._last + 1 and not self._pending:
                    self._append(entry)
                else:
                    heapq.heappush(self._pending, (cursor, next(self._order), entry))
            self._drain()
            self._release_overdue()
            released = self._head != before
            if released:
                self._cond.notify_all()
        if released:
            for listener in self._listeners:
                listener()

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` (quick, never blocking) after each publish that released messages."""
        self._listeners.append(listener)

    @property
    def holding(self) -> bool:
        """Whether messages wait for a missing cursor (someone must poll within ``hold`` to release them)."""
        return bool(self._pending)

    def release_overdue(self) -> None:
        """Release held messages whose wait is over (polls do this too)."""
        with self._cond:
            self._release_overdue()

    def expect_after(self, cursor: int) -> None:
        """Tell the hub the newest cursor already stored, so the next one published is in order."""
        with self._cond:
            if self._last is None or cursor > self._last:
                self._last = cursor

    def _append(self, entry: Entry) -> None:
        self._ring[self._head % self.capacity] = entry
        self._head += 1
        if entry.cursor is not None and (self._last is None or entry.cursor > self._last):
            self._last = entry.cursor

    def _drain(self) -> None:
        pending = self._pending
        while pending and pending[0][0] <= self._last + 1:
            self._append(heapq.heappop(pending)[2])
        if not pending:
            self._held_since = None
        elif self._held_since is None:
            self._held_since = time.monotonic()

    def _release_overdue(self) -> None:
        """Give up waiting for a missing cursor after ``hold``: release the next held message."""
        while self._pending and time.monotonic() - self._held_since >= self.hold:
            self._append(heapq.heappop(self._pending)[2])
            self._held_since = None
            self._drain()
            self._cond.notify_all()

    def _slice(self, start: int, stop: int) -> list[Entry]:
        """Return ring entries ``start`` to ``stop`` (absolute positions still in the ring)."""
        if start >= stop:
            return []
        cap = self.capacity
        a, b = start % cap, stop % cap
        if a < b:
            return self._ring[a:b]
        return self._ring[a:] + self._ring[:b]

    # Subscribing ----------------------------------------------------------------------------

    def subscribe(self, accept: Callable[[dict], bool] | None = None, maxlen: int | None = None,
                  interval: float | None = None) -> Subscription:
        """Start a subscription that sees every message released from now on."""
        with self._cond:
            sub = Subscription(self, accept, min(maxlen or self.maxlen, self.capacity),
                               self.interval if interval is None else interval, self._head)
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._cond:
            self._subs.discard(sub)
        sub.close()

    @property
    def subscriber_count(self) -> int:
        with self._cond:
            return len(self._subs)

    def close_all(self) -> None:
        with self._cond:
            subs, self._subs = list(self._subs), set()
        for sub in subs:
            sub.close()

    # The hub is a worker too, so the server's stop ends every viewer's handler.
    def start(self) -> None:
        pass

    def stop(self, timeout: float = 0) -> None:
        self.close_all()


def get_hub(app: Flask, topic: str = "log") -> Hub:
    """Return the app's hub for ``topic`` (``log``: the delivery log; ``inbox``: captures)."""
    key = HUB_KEY if topic == "log" else f"{HUB_KEY}.{topic}"
    hub = app.extensions.get(key)
    if hub is None:
        from sandbox.server import register_worker

        hub = app.extensions[key] = Hub(
            app.config.get("LIVE_QUEUE_SIZE", DEFAULT_MAXLEN),
            interval=app.config.get("LIVE_BATCH_MS", DEFAULT_INTERVAL * 1000) / 1000,
        )
        register_worker(app, hub)
    return hub
