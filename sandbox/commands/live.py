"""The live log seen from the command line: a websocket client for ``/ws/deliveries``.

``LiveFeed`` connects with the filters and the token, yields messages in order, and reconnects by
itself after a drop, asking for everything after the last cursor it saw (``?since=``), so nothing
is lost. Frames may hold one message, a list, or ``{"messages": [...]}``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime

import click
import websocket

from sandbox.client import NoSandbox, SandboxClient

PATH = "/ws/deliveries"
RECONNECT_SECONDS = 5.0


class LiveFeed:
    """Messages of the sandbox's live log, filtered on the server."""

    def __init__(self, client: SandboxClient, filters: dict | None = None, *, backlog: int = 0):
        self.client = client
        self.filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
        self.backlog = backlog
        self.cursor: int | None = None
        self.ws: websocket.WebSocket | None = None

    def connect(self) -> None:
        """Open the websocket; a clear ClickException when there is no sandbox or no live log."""
        query = dict(self.filters)
        if self.cursor is not None:
            query["since"] = self.cursor
        else:
            query["backlog"] = self.backlog
        headers = [f"Authorization: Bearer {self.client.token}"] if self.client.token else []
        url = self.client.ws_url(PATH, query)
        try:
            self.ws = websocket.create_connection(url, timeout=10, header=headers,
                                                  enable_multithread=True)
        except websocket.WebSocketBadStatusException as exc:
            status = getattr(exc, "status_code", None)
            if status == 401:
                raise click.ClickException(f"The sandbox at {self.client.server} needs an API token: "
                                           "pass --token or set SANDBOX_TOKEN.") from None
            if status == 400:
                raise click.ClickException(
                    f"The sandbox refused the live log filters: {_body(exc)}") from None
            self.client.health()  # NoSandbox when it is not a sandbox at all
            raise click.ClickException(f"The sandbox at {self.client.server} has no live log at {PATH} "
                                       f"(HTTP {status}).") from None
        except (OSError, websocket.WebSocketException) as exc:
            raise NoSandbox(self.client.server, str(exc).split("]")[-1].strip().lower()[:60]) from None

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None

    def __enter__(self) -> LiveFeed:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def messages(self, *, idle: float = 0.5, until: float | None = None) -> Iterator[dict | None]:
        """Yield messages as they come; yield None every ``idle`` seconds without one (so the caller
        can check its own deadline), and stop at the monotonic time ``until``."""
        while until is None or time.monotonic() < until:
            if self.ws is None:
                self._reconnect(until)
                continue
            self.ws.settimeout(idle)
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                yield None
                continue
            except (OSError, websocket.WebSocketConnectionClosedException):
                self.close()
                continue
            if not frame:
                continue
            for message in _messages(frame):
                if isinstance(message.get("cursor"), int):
                    self.cursor = max(self.cursor or 0, message["cursor"])
                yield message

    def _reconnect(self, until: float | None) -> None:
        deadline = time.monotonic() + RECONNECT_SECONDS
        while True:
            try:
                self.connect()
                return
            except NoSandbox:
                if time.monotonic() > deadline or (until is not None and time.monotonic() > until):
                    raise
                time.sleep(0.5)


def _messages(frame: str | bytes) -> list[dict]:
    try:
        data = json.loads(frame)
    except ValueError:
        return []
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        data = data["messages"]
    items = data if isinstance(data, list) else [data]
    return [m for m in items if isinstance(m, dict) and m.get("type")]


def _body(exc: Exception) -> str:
    raw = getattr(exc, "resp_body", None) or b""
    try:
        return json.loads(raw).get("detail") or str(exc)
    except (ValueError, AttributeError):
        return str(exc)


def clock(at: str | None) -> str:
    """The time of day of a message's ISO ``at`` (local time), to the millisecond."""
    if not at:
        return " " * 12
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return at[:12]
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
