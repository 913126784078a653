"""Serve a receiver (any WSGI app: Flask, Django, or FastAPI behind a WSGI adapter) on a thread."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server


class ServedApp:
    """A WSGI app on a free port of ``host``, served by a thread until ``stop``."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.server = make_server(host, port, app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="served-receiver",
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout)

    def __enter__(self) -> ServedApp:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
