"""Serving the app: a threaded WSGI server plus the background workers, with a clean stop.

Why Werkzeug's threaded server: flask-sock needs a server that hands a websocket handler the raw
socket (Werkzeug's and gunicorn's threaded workers do; waitress does not), and the delivery
engine, the websocket hub and the inbox must share one process so that one event reaches every
viewer. Gunicorn would fork workers that each hold their own hub, and runs from the command line
rather than from our CLI. Building the server with ``make_server`` (not ``app.run``) means no
"development server" banner: the warning is about exposure on a network, and the sandbox binds
to loopback by default and warns when it does not.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import socket
import threading

from flask import Flask
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

WORKERS_KEY = "sandbox.workers"


def register_worker(app: Flask, worker) -> None:
    """Add a background worker (an object with ``start()`` and ``stop(timeout)``) to the app."""
    app.extensions.setdefault(WORKERS_KEY, []).append(worker)


class _QuietHandler(WSGIRequestHandler):
    """Log only failed requests; one line per delivery-sized request would drown the console."""

    def log_request(self, code="-", size="-") -> None:
        if str(code).isdigit() and int(code) >= 500:
            super().log_request(code, size)


class _Server(ThreadedWSGIServer):
    """A threaded server that can close its open connections, so stop never waits on idle keep-alives."""

    daemon_threads = True
    block_on_close = True

    def __init__(self, *args, **kwargs):
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def join_threads(self, timeout: float) -> None:
        threads = vars(self).get("_threads")  # absent until the first request
        for thread in list(threads or []):
            thread.join(timeout)


class Runner:
    """Run the app's server and workers in background threads; ``stop`` joins every one."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        # Bind ourselves: Werkzeug's own bind prints to stderr and exits on failure, while the
        # CLI wants an OSError to turn into a clear message.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(128)
            self.server = _Server(host, port, app, handler=_QuietHandler, fd=sock.fileno())
        self.host = host
        self.port = self.server.port
        display_host = f"[{host}]" if ":" in host else host
        self.url = f"http://{display_host}:{self.port}"
        self._thread: threading.Thread | None = None
        self.app.config["BASE_URL"] = self.url

    @property
    def workers(self) -> list:
        return self.app.extensions.get(WORKERS_KEY, [])

    def start(self) -> str:
        """Start the workers, then serve; return the base URL."""
        for worker in self.workers:
            worker.start()
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
            name="sandbox-http", daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, stop the workers, close connections and join every thread."""
        self.server.shutdown()
        for worker in reversed(self.workers):
            try:
                worker.stop(timeout)
            except Exception:
                self.app.logger.exception("Stopping %r failed", worker)
        self.server.close_connections()
        self.server.socket.close()
        self.server.join_threads(timeout)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> Runner:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def quiet_werkzeug() -> None:
    """Keep Werkzeug's per-request INFO lines off the console."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def tune_gc(young_threshold: int) -> None:
    """Make Python's garbage collector pause less often, once start-up is done (``serve`` calls it).

    With Python's defaults (a young collection every 700 allocations, a full one every 100 young ones)
    a busy sandbox ran a full collection about every 2 s, each a pause of 70 to 110 ms for every
    thread: it scanned the ~65,000 objects of the modules loaded at start-up (Flask, Faker, the event
    catalog) every time. ``gc.freeze()`` moves the objects alive now out of the collector's reach
    (they live as long as the process anyway), and a young threshold of ``young_threshold``
    allocations makes full collections about that many times / 700 rarer. Garbage cycles made later
    are still collected; only those among the objects frozen here would not be.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
