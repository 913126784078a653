"""SQLite connections (one per thread), pragmas, transactions and the schema migrations."""

from __future__ import annotations

import contextlib
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
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run a read-then-write transaction under BEGIN IMMEDIATE, so it never fails as locked.

    A plain BEGIN takes the write lock only at the first write, and SQLite then answers
    "database is locked" at once instead of waiting; IMMEDIATE waits for the busy timeout.
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.execute("COMMIT")


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


def get_db() -> sqlite_utils.Database:
    """Return this request's connection, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Apply migrations and close each request's connection when the request ends."""
    from sandbox import schema  # noqa: F401  (registers the migrations)

    migrate(app.config["DATABASE"])
    app.teardown_appcontext(close_db)
