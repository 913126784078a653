"""One delivery attempt over HTTP: the headers, the signed POST, and what came of it.

Each sender thread owns one ``requests.Session`` (keep-alive to each receiver, ``trust_env`` off:
re-reading proxy settings from the environment costs a third of requests' CPU per call). Its
connections are tracked so that stopping the engine can cut a request to a hanging receiver short,
and so that an attempt ends at its timeout even when the receiver trickles its answer (requests'
timeout is per read: a byte a second would keep it waiting for ever): a watchdog thread cuts the
session's connections once an attempt has run DEADLINE_SLACK past its timeout.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import http.client
import http.cookiejar
import itertools
import socket
import threading
import time
import weakref

import requests
from requests.adapters import HTTPAdapter
from requests.hooks import default_hooks
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from sandbox import __version__, signing
from sandbox.delivery.schedule import retry_after_seconds
from sandbox.store.log import timestamp

USER_AGENT = f"WebhookSandbox/{__version__}"
RESPONSE_LIMIT = 64 * 1024
_BASE_HEADERS = {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate",
    "Connection": "keep-alive",
}
DEADLINE_SLACK = 0.25      # seconds past its timeout before the watchdog cuts an attempt (and its tick)
WATCHDOG_IDLE = 5.0        # seconds without attempts before the watchdog thread ends


class _Deadline:
    __slots__ = ("at", "adapter", "done", "expired")

    def __init__(self, at: float, adapter):
        self.at, self.adapter, self.done, self.expired = at, adapter, False, False

    def finish(self) -> None:
        with self.adapter.registry._lock:
            self.done = True


class Connections:
    """The open connections of every session made by one engine, so ``cut_all`` can end them."""

    def __init__(self) -> None:
        self._open: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()
        self._deadlines: list[tuple[float, int, _Deadline]] = []   # a heap, compared in C
        self._order = itertools.count()
        self._watchdog: threading.Thread | None = None
        self._closed = threading.Event()

    def add(self, connection) -> None:
        with self._lock:
            self._open.add(connection)

    def cut_all(self) -> None:
        """Shut down every connection's socket, waking any thread blocked on it."""
        with self._lock:
            connections = list(self._open)
        _cut(connections)

    def deadline(self, adapter, timeout: float) -> _Deadline:
        """Watch an attempt through ``adapter`` (a session's): past ``timeout`` (+ slack), cut its
        connections. Call ``finish()`` on the returned object when the attempt ends."""
        entry = _Deadline(time.monotonic() + timeout + DEADLINE_SLACK, adapter)
        with self._lock:
            heapq.heappush(self._deadlines, (entry.at, next(self._order), entry))
            if self._watchdog is None:
                self._closed.clear()
                self._watchdog = threading.Thread(target=self._watch, name="delivery-deadlines", daemon=True)
                self._watchdog.start()
        return entry

    def close(self) -> None:
        """Stop the watchdog (it starts again with the next attempt)."""
        with self._lock:
            watchdog, self._watchdog = self._watchdog, None
            self._deadlines.clear()
        self._closed.set()
        if watchdog is not None and watchdog is not threading.current_thread():
            watchdog.join(2)

    def _watch(self) -> None:
        # Ticks rather than sleeping until the earliest deadline: attempts end by the thousand per
        # second, and one wake-up per tick costs far less than one per attempt.
        idle_since = time.monotonic()
        while not self._closed.wait(DEADLINE_SLACK):
            now = time.monotonic()
            late = []
            with self._lock:
                if self._deadlines:
                    idle_since = now
                elif now - idle_since > WATCHDOG_IDLE:
                    if self._watchdog is threading.current_thread():
                        self._watchdog = None     # the next attempt starts another
                    return
                while self._deadlines and self._deadlines[0][0] <= now:
                    entry = heapq.heappop(self._deadlines)[2]
                    if not entry.done:
                        entry.expired = True
                        late.append(entry)
                # Cut while holding the lock: an attempt marks itself done under it, so its thread
                # cannot have moved on to another attempt whose connection this would cut.
                for entry in late:
                    _cut(entry.adapter.connections)


def _cut(connections) -> None:
    if isinstance(connections, weakref.WeakSet):
        for _ in range(10):       # another thread may add a connection while this one lists them
            try:
                connections = list(connections)
                break
            except RuntimeError:
                continue
        else:
            return
    for connection in connections:
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _TrackingAdapter(HTTPAdapter):
    """An adapter whose connection pools report each new connection to a ``Connections``."""

    def __init__(self, connections: Connections):
        self._connections = connections
        self.registry = connections
        self.connections: weakref.WeakSet = weakref.WeakSet()   # this adapter's (one thread's) own
        super().__init__(pool_connections=16, pool_maxsize=4)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        everyone, own = self._connections.add, self.connections.add

        def track(connection) -> None:
            everyone(connection)
            own(connection)

        class Tracked(HTTPConnection):
            def connect(self) -> None:
                super().connect()
                track(self)

        class TrackedTLS(HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                track(self)

        pools = {
            "http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": Tracked}),
            "https": type("TLSPool", (HTTPSConnectionPool,), {"ConnectionCls": TrackedTLS}),
        }
        self.poolmanager.pool_classes_by_scheme = pools


def new_session(connections: Connections) -> requests.Session:
    """Return a session for one sender thread: keep-alive, no proxies from the environment, no cookies."""
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = _TrackingAdapter(connections)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def signed_headers(profile: str | None, *, secrets: list[str], event_id: str, event_key: str,
                   delivery_id: str, attempt: int, body: bytes, timestamp_: int) -> dict:
    """Return every header of one attempt: the common ones, then the signing profile's own."""
    return {
        **_BASE_HEADERS,
        **signing.delivery_headers(profile, secrets=secrets, event_id=event_id, delivery_id=delivery_id,
                                   event_key=event_key, attempt=attempt, body=body, timestamp=timestamp_),
    }


def _caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether ``exc`` or an exception in its chain (cause, context, urllib3's ``reason``) is one of
    ``kinds``."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, kinds):
            return True
        nested = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or getattr(exc, "reason", None) or nested or exc.__context__
    return False


def describe_error(exc: BaseException, timeout: float) -> str:
    """Say in a few words why a request failed (timeout, refused, reset, DNS, TLS...)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"timeout: could not connect within {timeout:g} s"
    if isinstance(exc, requests.exceptions.Timeout):
        return f"timeout: no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error: {exc}"
    chain, seen = [], exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and isinstance(
            seen.args[0], BaseException) else None)
        for inner in ("reason", "original_error"):
            if seen is None and isinstance(getattr(chain[-1], inner, None), BaseException):
                seen = getattr(chain[-1], inner)
    names = {type(item).__name__ for item in chain}
    text = " ".join(str(item) for item in chain)
    if any(isinstance(item, socket.gaierror) for item in chain) or "NameResolutionError" in names:
        return "DNS lookup failed: the host name does not resolve"
    if any(isinstance(item, ConnectionRefusedError) for item in chain) or "Connection refused" in text:
        return "connection refused: nothing listens at that address"
    if any(isinstance(item, ConnectionResetError) for item in chain) or "reset by peer" in text:
        return "connection reset by the receiver"
    if "RemoteDisconnected" in names or "closed connection without response" in text:
        return "connection closed by the receiver before it answered"
    return f"request failed: {exc}"


@functools.lru_cache(maxsize=1024)
def _prepared_url(url: str) -> str:
    """Return ``url`` as requests normalizes it (quoting, IDNA), once per URL rather than per request."""
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url


def _request(url: str, headers: dict, body: bytes) -> requests.PreparedRequest:
    """Build the POST without ``PreparedRequest.prepare``: it re-parses the URL and re-validates every
    header on each call, which is a fifth of the request's CPU; our headers are our own and valid."""
    prepared = requests.PreparedRequest()
    prepared.method = "POST"
    prepared.url = _prepared_url(url)
    prepared.headers = CaseInsensitiveDict(headers)
    prepared.headers["Content-Length"] = str(len(body))
    prepared.body = body
    prepared.hooks = default_hooks()
    return prepared


def attempt(session: requests.Session, *, url: str, body: bytes, headers: dict, timeout: float) -> dict:
    """POST ``body`` to ``url`` once; return what happened (status, headers, body, duration, error).

    Redirects are not followed. The response body is read up to 64 KiB and marked as cut beyond.
    The request goes straight to the session's adapter: the session's own ``send`` would add
    redirect, cookie and hook handling that a delivery does not want, at a measurable cost.
    """
    outcome = {
        "started": timestamp(),
        "request_url": url,
        "request_headers": headers,
        "response_status": None,
        "response_headers": None,
        "response_body": None,
        "response_truncated": False,
        "error": None,
        "ok": False,
        "gone": False,
        "retry_after": None,
    }
    begin = time.perf_counter()
    watch = None
    answered = False
    try:
        prepared = _request(url, headers, body)
        outcome["request_headers"] = dict(prepared.headers)
        adapter = session.get_adapter(prepared.url)
        if isinstance(adapter, _TrackingAdapter):
            watch = adapter.registry.deadline(adapter, timeout)
        response = adapter.send(prepared, timeout=timeout, stream=True)
        answered = True
        # Reading to the end hands the connection back for keep-alive; a cut body drops it.
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) <= RESPONSE_LIMIT:
            content = response.content
        else:
            content = response.raw.read(RESPONSE_LIMIT + 1, decode_content=True)
            if len(content) > RESPONSE_LIMIT:
                response.close()
        if watch is not None and watch.expired:
            raise requests.exceptions.ReadTimeout("cut at the deadline")
    except Exception as exc:  # noqa: BLE001  (requests' and urllib3's errors, bad URLs...)
        if watch is not None and watch.expired:
            # Cut at the deadline. Nothing received at all is the same "no answer" as requests' own
            # read timeout (the watchdog can come first on a loaded machine: its deadline counts from
            # the attempt's start, the socket's from the request's end); a part is "no complete answer".
            nothing = not answered and _caused_by(exc, (http.client.RemoteDisconnected,
                                                        requests.exceptions.ReadTimeout))
            outcome["error"] = (f"timeout: no answer within {timeout:g} s" if nothing
                                else f"timeout: no complete answer within {timeout:g} s")
        else:
            outcome["error"] = describe_error(exc, timeout)
    else:
        status = response.status_code
        outcome["response_status"] = status
        outcome["response_headers"] = dict(response.headers)
        outcome["response_truncated"] = len(content) > RESPONSE_LIMIT
        outcome["response_body"] = content[:RESPONSE_LIMIT]
        if 200 <= status < 300:
            outcome["ok"] = True
        else:
            outcome["gone"] = status == 410
            outcome["retry_after"] = retry_after_seconds(response.headers.get("Retry-After"), time.time())
            reason = response.reason or ""
            outcome["error"] = f"HTTP {status} {reason}".strip()
            if 300 <= status < 400:
                location = response.headers.get("Location")
                outcome["error"] += " (redirect not followed" + (f": {location})" if location else ")")
    finally:
        if watch is not None:
            watch.finish()
    outcome["duration_ms"] = round((time.perf_counter() - begin) * 1000, 3)
    return outcome
