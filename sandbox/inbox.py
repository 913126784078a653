"""The sandbox's own receiver: ``/inbox/<name>`` records every request and answers as configured.

Any method, path suffix, query and body is accepted and captured (a body over the size limit is
refused with 413 and captured as refused). When a webhook points at the inbox, each capture records
whether its signature verifies with that webhook's secrets (the current one, and the previous one
during a rotation), and why not, in the profile the request's own signature header names: Wink's
``Wink-Signature`` or Standard Webhooks' ``webhook-signature`` (``sandbox.signing``). The answer is
the inbox's configured one (``PUT /api/inbox/<name>``), or per request ``?status=&delay=``.

The receiver sits on the delivery hot path when the demo webhook is the target, so a capture is one
short transaction on a pooled connection (opening a SQLite connection costs more than the capture).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import sqlite_utils
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import Rule

from sandbox import signing
from sandbox.db import connect
from sandbox.errors import APIError, ValidationError
from sandbox.hub import get_hub
from sandbox.store import NotFound, webhooks
from sandbox.store import inbox as store
from sandbox.store.log import timestamp

NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_RULE = "letters, digits, - and _, at most 64 characters"
MAX_DELAY = 30.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DRAIN_LIMIT = 64 * 1024 * 1024  # read and discard at most this much of a refused body
RECEIVER_KEY = "sandbox.inbox"


def check_name(name: str) -> str:
    """Return ``name`` if it can name an inbox; raise a 400 naming the field otherwise."""
    if not NAME.fullmatch(name):
        raise ValidationError([{"field": "name", "message": f"an inbox name is {NAME_RULE}"}])
    return name


class Receiver:
    """The inbox's background parts: a small connection pool, and a stop that ends every delay.

    Delays are served only while the server runs (between ``start`` and ``stop``): a stop answers
    every waiting request at once, and an app called without a server (a test client) never waits.
    """

    def __init__(self, path: str, pool_size: int = 8):
        self.path = path
        self.pool_size = pool_size
        self.stopping = threading.Event()
        self.stopping.set()  # until start()
        self._idle: list[sqlite_utils.Database] = []
        self._closed = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite_utils.Database]:
        """Lend a connection for one capture; it goes back to the pool afterwards."""
        with self._lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = connect(self.path)
        try:
            yield db
        finally:
            with self._lock:
                keep = len(self._idle) < self.pool_size and not self._closed
                if keep:
                    self._idle.append(db)
            if not keep:
                db.close()

    def start(self) -> None:
        self._closed = False
        self.stopping.clear()

    def stop(self, timeout: float = 0) -> None:
        self.stopping.set()  # answers every delayed request now
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()


def get_receiver(app: Flask) -> Receiver:
    return app.extensions[RECEIVER_KEY]


# Binding: which webhooks point at an inbox, and does a request's signature verify? ---------------

def points_here(url: str, name: str, own_hosts: set[str]) -> bool:
    """Tell whether a webhook URL is this sandbox's ``/inbox/<name>`` (any port, loopback or own host)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if host is None or (host not in LOOPBACK_HOSTS and host not in own_hosts):
        return False
    path = parts.path
    return path == f"/inbox/{name}" or path.startswith(f"/inbox/{name}/")


def own_hosts() -> set[str]:
    """The host names this sandbox answers to: the one in BASE_URL and the one this request used."""
    hosts = set()
    for url in (current_app.config.get("BASE_URL"), request.host_url if request else None):
        with contextlib.suppress(ValueError):
            if url and urlsplit(url).hostname:
                hosts.add(urlsplit(url).hostname)
    return hosts


def bound_webhooks(db: sqlite_utils.Database, name: str) -> list[dict]:
    """Return ``{id, name, eventUrl}`` of every webhook that delivers to this inbox."""
    hosts = own_hosts()
    return [hook for hook in store.bound_webhooks(db, name) if points_here(hook["eventUrl"], name, hosts)]


def inbox_of(url: str, hosts: set[str]) -> str | None:
    """The name of this sandbox's inbox that ``url`` points at, or None."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    if not path.startswith("/inbox/"):
        return None
    name = path[len("/inbox/"):].split("/", 1)[0]
    return name if NAME.fullmatch(name) and points_here(url, name, hosts) else None


def webhooks_by_inbox(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    """Map each inbox name that webhooks deliver to onto those webhooks ``{id, name}``, oldest first."""
    hosts = own_hosts()
    found: dict[str, list[dict]] = {}
    for hook in store.webhooks_to_inboxes(db):
        name = inbox_of(hook["eventUrl"], hosts)
        if name is not None:
            found.setdefault(name, []).append({"id": hook["id"], "name": hook["name"]})
    return found


def verify(db: sqlite_utils.Database, hooks: list[dict], headers: dict, body: bytes
           ) -> tuple[bool | None, str | None, str | None]:
    """Check a request against the bound webhooks' secrets: (verified, why not, matching webhook id).

    ``verified`` is None when no webhook is bound. Any bound webhook's secret (current, or previous
    during a rotation's grace period) may match, in the profile of the request's signature header.
    A request with no signature header is told the one its webhook's profile sends.
    """
    if not hooks:
        return None, "no webhook delivers to this inbox, so there is no secret to check against", None
    detected = signing.detect(headers)
    reasons: dict[str, list[str]] = {}
    for hook in hooks:
        try:
            secrets = webhooks.active_secrets(db, hook["id"])
        except NotFound:  # deleted meanwhile
            continue
        try:
            signing.verify(secrets, headers, body, profile=detected or _profile_of(db, hook["id"]))
        except signing.SignatureError as exc:
            reasons.setdefault(str(exc), []).append(hook["name"])
        else:
            return True, None, hook["id"]
    if len(hooks) == 1 or len(reasons) == 1:
        return False, next(iter(reasons), "the webhook was deleted"), None
    why = "; ".join(f"{', '.join(dict.fromkeys(names))}: {reason}" for reason, names in reasons.items())
    return False, why, None


def _profile_of(db: sqlite_utils.Database, webhook_id: str) -> str:
    """The signing profile a webhook's deliveries use: its own, else the server's (setting PROFILE)."""
    return webhooks.profile_of(db, webhook_id) or current_app.config.get("PROFILE") or signing.DEFAULT_PROFILE


# The receiver -------------------------------------------------------------------------------------

def _read_body(limit: int) -> tuple[bytes | None, int]:
    """Read the body; over ``limit`` bytes, drain it (so the client sees the 413) and return None."""
    request.max_content_length = DRAIN_LIMIT  # instead of the API's limit: count, then refuse
    declared = request.content_length or 0
    size = 0
    # Over the drain limit too, counting stops: the client may see the connection close before the 413.
    with contextlib.suppress(RequestEntityTooLarge):
        if declared <= limit:
            body = request.stream.read(limit + 1)
            if len(body) <= limit:
                return body, len(body)
            size = len(body)
        if declared <= DRAIN_LIMIT:
            for chunk in iter(lambda: request.stream.read(64 * 1024), b""):
                size += len(chunk)
    return None, max(size, declared)


def _query_overrides() -> tuple[int | None, float | None, list[dict]]:
    """Read ``?status=`` and ``?delay=`` for this one request; also return what is wrong with them."""
    errors = []
    status = delay = None
    raw = request.args.get("status")
    if raw is not None:
        if raw.isascii() and raw.isdigit() and 100 <= int(raw) <= 599:
            status = int(raw)
        else:
            errors.append({"field": "status", "message": f"must be an HTTP status 100 to 599, not {raw!r}"})
    raw = request.args.get("delay")
    if raw is not None:
        try:
            delay = float(raw) if raw.isascii() else -1.0
        except ValueError:
            delay = -1.0
        if not 0 <= delay <= MAX_DELAY:  # also refuses nan
            errors.append({"field": "delay", "message": f"must be seconds from 0 to 30, not {raw!r}"})
            delay = None
    return status, delay, errors


def receive(name: str, rest: str = ""):
    """Capture one request to an inbox and answer as the inbox is configured."""
    check_name(name)
    app = current_app
    receiver = get_receiver(app)
    received = timestamp()
    body, size = _read_body(app.config["MAX_BODY_BYTES"])
    refused = body is None
    headers = dict(request.headers)
    status, delay, errors = _query_overrides()
    reason = "query"
    if errors:
        status, delay, reason = 400, 0.0, "invalid"
    with receiver.connection() as db:
        if refused:
            verified, why, webhook_id = None, "not checked: the body was refused", None
        else:
            verified, why, webhook_id = verify(db, bound_webhooks(db, name), headers, body)
        capture, configured = store.record(db, name, {
            "received": received, "method": request.method, "path": request.path,
            "query": request.query_string.decode("latin-1"), "headers": headers, "body": body,
            "body_size": size, "refused": refused, "client": request.remote_addr,
            "verified": verified, "verify_reason": why, "webhook_id": webhook_id,
        }, cap=app.config["INBOX_MAX_CAPTURES"], status=status, delay=delay, reason=reason)
    get_hub(app, "inbox").publish([capture_message(capture)])
    answer = capture["response"]
    if refused:
        raise APIError(413, f"The body is {size} bytes, over the inbox's limit of "
                            f"{app.config['MAX_BODY_BYTES']} bytes; the request was recorded as refused",
                       extra={"captureId": capture["id"]})
    if errors:
        raise ValidationError(errors)
    if answer["delay"]:
        receiver.stopping.wait(answer["delay"])
    return _response(name, capture, configured)


def _response(name: str, capture: dict, configured: dict) -> Response:
    answer = capture["response"]
    if configured["body"] is not None and answer["reason"] != "fail-first":
        response = Response(configured["body"], status=answer["status"],
                            content_type=configured["contentType"] or "text/plain; charset=utf-8")
    else:
        body = {"inbox": name, "captureId": capture["id"], "status": answer["status"],
                "reason": answer["reason"]}
        response = Response(json.dumps(body), status=answer["status"],
                            content_type=configured["contentType"] or "application/json")
    for header, value in configured["headers"].items():
        response.headers[header] = value
    return response


def capture_message(capture: dict) -> dict:
    """The live message for a capture, as sent on ``/ws/inbox/<name>``."""
    return {"type": "inbox.captured", "cursor": capture["id"], "at": capture["received"],
            "inbox": capture["inbox"], "capture": capture}


def init_app(app: Flask) -> None:
    """Route ``/inbox/<name>`` (any method, any suffix) and start the receiver's pool."""
    from sandbox.server import register_worker

    receiver = app.extensions[RECEIVER_KEY] = Receiver(app.config["DATABASE"])
    register_worker(app, receiver)
    db = connect(app.config["DATABASE"])
    try:
        get_hub(app, "inbox").expect_after(store.last_capture_id(db))
    finally:
        db.close()
    # Flask's route() always limits methods; a werkzeug Rule without methods takes any of them.
    for path in ("/inbox/<name>", "/inbox/<name>/", "/inbox/<name>/<path:rest>"):
        app.url_map.add(Rule(path, endpoint="inbox.receive", methods=None, strict_slashes=False))
    app.view_functions["inbox.receive"] = receive
