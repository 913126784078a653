"""The live-message hub: publishers hand it messages; each subscriber owns a bounded queue.

Publishing never blocks: a subscriber whose queue is full loses its oldest messages and is told
how many (a ``gap``), so a viewer that stops reading never slows deliveries or other viewers.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterable

from flask import Flask

HUB_KEY = "sandbox.hub"


class Subscription:
    """One viewer's queue. ``get(timeout)`` returns a batch of messages (maybe empty)."""

    def __init__(self, hub: Hub, accept: Callable[[dict], bool] | None, maxlen: int):
        self.hub = hub
        self.accept = accept
        self.maxlen = maxlen
        self._queue: collections.deque[dict] = collections.deque()
        self._cond = threading.Condition()
        self.dropped = 0
        self.last_dropped_cursor: int | None = None
        self.closed = False

    def offer(self, messages: Iterable[dict]) -> None:
        with self._cond:
            for message in messages:
                if self.accept is not None and not self.accept(message):
                    continue
                if len(self._queue) >= self.maxlen:
                    old = self._queue.popleft()
                    self.dropped += 1
                    self.last_dropped_cursor = old.get("cursor", self.last_dropped_cursor)
                self._queue.append(message)
            self._cond.notify()

    def get(self, timeout: float) -> tuple[list[dict], int, int | None]:
        """Wait up to ``timeout`` for messages; return (batch, dropped since last call, cursor)."""
        with self._cond:
            if not self._queue and not self.closed:
                self._cond.wait(timeout)
            batch = list(self._queue)
            self._queue.clear()
            dropped, self.dropped = self.dropped, 0
            cursor, self.last_dropped_cursor = self.last_dropped_cursor, None
            return batch, dropped, cursor

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


class Hub:
    """Fan messages out to every subscription; thread-safe."""

    def __init__(self, maxlen: int = 10_000):
        self.maxlen = maxlen
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()

    def subscribe(self, accept: Callable[[dict], bool] | None = None,
                  maxlen: int | None = None) -> Subscription:
        sub = Subscription(self, accept, maxlen or self.maxlen)
        with self._lock:
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subs.discard(sub)
        sub.close()

    def publish(self, messages: list[dict]) -> None:
        if not messages:
            return
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub.offer(messages)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subs)

    def close_all(self) -> None:
        with self._lock:
            subs, self._subs = list(self._subs), set()
        for sub in subs:
            sub.close()

    # The hub is a worker too, so the server's stop closes every viewer.
    def start(self) -> None:
        pass

    def stop(self, timeout: float = 0) -> None:
        self.close_all()


def get_hub(app: Flask) -> Hub:
    """Return the app's hub, creating it on first use."""
    hub = app.extensions.get(HUB_KEY)
    if hub is None:
        from sandbox.server import register_worker

        hub = app.extensions[HUB_KEY] = Hub()
        register_worker(app, hub)
    return hub
