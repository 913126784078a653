"""SQLite connections (one per thread), pragmas, transactions and the schema migrations."""

from __future__ import annotations

import collections
import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator

import sqlite_utils
from flask import Flask, current_app, g

BUSY_TIMEOUT_MS = 10_000

migrations = sqlite_utils.Migrations("sandbox")


def connect(path: str) -> sqlite_utils.Database:
    """Open a connection with the sandbox's pragmas: WAL, a busy timeout, foreign keys."""
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    if path != ":memory:":
        db.writer_queue = writer_queue(path)
    return db


class WriterQueue:
    """The writers of one database file in this process, let in one at a time, longest waiting first.

    SQLite's busy handler is no queue: a waiter sleeps and retries (up to 100 ms apart) and gets the
    write lock only if it happens to be free then. While writers keep it busy (firings storing chunk
    after chunk, the engine recording attempts), one could miss it for the whole busy timeout and fail
    with "database is locked" although each transaction was short. In the queue a waiter is woken
    the moment the one before it commits. Other processes (the CLI) still meet SQLite's busy timeout.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: collections.deque[threading.Lock] = collections.deque()

    def acquire(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for this writer's turn; return whether it came."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True
        with self._mutex:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True   # handed over just as the wait ended

    def release(self) -> None:
        """End this writer's turn, handing it to the longest waiting one."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


_QUEUES: dict[str, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def writer_queue(path: str) -> WriterQueue:
    """Return this process's writer queue of a database file."""
    key = os.path.realpath(path)
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(key, WriterQueue())


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run a read-then-write transaction under BEGIN IMMEDIATE, so it never fails as locked.

    A plain BEGIN takes the write lock only at the first write, and SQLite then answers
    "database is locked" at once instead of waiting; IMMEDIATE waits for the busy timeout.
    A connection made by ``connect`` first waits its turn in the file's ``WriterQueue``.
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    queue: WriterQueue | None = getattr(db, "writer_queue", None)
    if queue is not None and not queue.acquire(BUSY_TIMEOUT_MS / 1000):
        raise sqlite3.OperationalError("database is locked (waited the busy timeout for the writers "
                                       "before this one)")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        else:
            db.conn.execute("COMMIT")
    finally:
        if queue is not None:
            queue.release()


def migrate(path: str) -> None:
    """Create or upgrade the schema; safe to run at every start."""
    db = connect(path)
    try:
        migrations.apply(db)
    finally:
        db.close()


class ThreadConnections:
    """One connection per thread for background workers, all closed at stop."""

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.path)
            with self._lock:
                self._all.append(db)
        return db

    def close_all(self) -> None:
        with self._lock:
            for db in self._all:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            self._all.clear()


class ConnectionPool:
    """Connections lent to one request at a time and kept open between requests.

    The threaded server starts a thread per connection, so per-thread connections would not be
    reused; opening one per request costs a connect and, when it was the last connection, the
    WAL checkpoint SQLite runs on close (1 to 4 ms a request).
    """

    def __init__(self, path: str, keep: int = 8):
        self.path = path
        self.keep = keep
        self._idle: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()
        self._closed = False

    def acquire(self) -> sqlite_utils.Database:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return connect(self.path)

    def release(self, db: sqlite_utils.Database) -> None:
        try:
            if db.conn.in_transaction:
                db.conn.rollback()
        except sqlite3.Error:
            self._close(db)
            return
        with self._lock:
            if not self._closed and len(self._idle) < self.keep:
                self._idle.append(db)
                return
        self._close(db)

    @staticmethod
    def _close(db: sqlite_utils.Database) -> None:
        with contextlib.suppress(sqlite3.Error):
            db.close()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        for db in idle:
            self._close(db)

    # A worker too: the server's stop closes the idle connections.
    def start(self) -> None:
        with self._lock:
            self._closed = False

    def stop(self, timeout: float = 0) -> None:
        self.close_all()


POOL_KEY = "sandbox.db_pool"


def get_db() -> sqlite_utils.Database:
    """Return this request's connection, borrowed from the pool and given back at teardown."""
    if "db" not in g:
        g.db = current_app.extensions[POOL_KEY].acquire()
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        current_app.extensions[POOL_KEY].release(db)


def init_app(app: Flask) -> None:
    """Apply migrations and lend each request a pooled connection."""
    from sandbox import schema  # noqa: F401  (registers the migrations)
    from sandbox.server import register_worker

    migrate(app.config["DATABASE"])
    pool = app.extensions[POOL_KEY] = ConnectionPool(app.config["DATABASE"])
    register_worker(app, pool)
    app.teardown_appcontext(close_db)
