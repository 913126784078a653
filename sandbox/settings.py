"""Every setting of the sandbox, its default and its help text, in one table.

A setting is read, in order of precedence, from the mapping given to ``create_app``, then from
the environment as ``SANDBOX_<NAME>``, then from the default here. The README documents each one
(a test checks that).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

# name: (default, parser, help)
SETTINGS: dict[str, tuple[Any, Any, str]] = {
    "DATABASE": ("sandbox.db", str, "Path of the SQLite database file."),
    "TOKEN": (None, str, "When set, every /api and websocket call needs `Authorization: Bearer <token>`."),
    "MAX_BODY_BYTES": (1024 * 1024, int, "Largest request body the API accepts (bytes)."),
    "MAX_BUNDLE_BYTES": (1024 ** 3, int, "Largest session bundle `POST /api/bundles` imports (bytes, "
                         "compressed); bundles are read as a stream, so this bounds the disk, not memory."),
    "FIXTURES_DIR": ("fixtures", str, "Your fixtures directory, listed with the shipped fixtures; recorded "
                     "fixtures are saved in its recorded/ folder."),
    "SECRET_GRACE_SECONDS": (
        24 * 3600, int, "How long an old signing secret stays valid after a rotation (seconds)."
    ),
    "PROFILE": ("wink", str, "Signing profile of webhooks that have none of their own: `wink` (Wink's "
                "`Wink-*` headers and `Wink-Signature`) or `standard-webhooks` (`webhook-*` headers)."),
    "REQUEST_TIMEOUT": (10.0, float, "Seconds a delivery attempt waits for the receiver before it fails "
                        "(Wink gives receivers 10 s)."),
    "RETRY_PRESET": ("local", str, "Retry spacing when RETRY_SCHEDULE is unset: `local` (2 s, 5 s, 30 s, "
                     "2 min, 10 min: six attempts), `wink` (Wink's 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, "
                     "then 24 h four times: eleven attempts) or `svix` (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, "
                     "10 h)."),
    "RETRY_SCHEDULE": (None, list, "Seconds before each retry as a JSON array, e.g. `[1, 5, 30]` (`[]`: "
                       "no retries); replaces RETRY_PRESET."),
    "RETRY_TIME_FACTOR": (1.0, float, "Multiplies each step of the server's retry schedule (0.001 turns "
                          "Svix's hours into seconds)."),
    "DISABLE_ON_GONE": (False, bool, "Not Wink's behaviour (opt-in): a 410 Gone answer also disables the "
                        "webhook, as Svix and Stripe do. Off: a 410 is a final 4xx like any other."),
    "HONOUR_RETRY_AFTER": (False, bool, "Not Wink's behaviour (opt-in): a retried answer's `Retry-After` "
                           "header replaces the next step (capped at the schedule's longest step)."),
    "WORKER_THREADS": (8, int, "Sender threads for webhooks whose receivers answer quickly; a receiver "
                       "that starts to hang moves to the slow senders, and a sender it holds for "
                       "SLOW_SECONDS is replaced by a new one (it joins the slow senders)."),
    "MAX_PER_WEBHOOK": (1, int, "Attempts in flight at once per webhook; 1 keeps each webhook's events in "
                        "fired order."),
    "SLOW_THREADS": (64, int, "Most sender threads, started as needed, for webhooks whose receivers are "
                     "slow (their last attempt took SLOW_SECONDS or more); they never take the "
                     "WORKER_THREADS. 0: one shared pool, as before."),
    "SLOW_SECONDS": (1.0, float, "An attempt that takes this long or longer (a receiver that hangs or "
                     "trickles) moves its webhook to the slow senders until an attempt is quick again."),
    "GC_YOUNG_THRESHOLD": (10_000, int, "Allocations between two collections of Python's youngest "
                           "generation once `serve` has started (Python's default is 700), which also "
                           "freezes the objects alive at start-up: under load, a full collection "
                           "(a pause of about 50 to 100 ms) every 30 s or so instead of every 2 s."),
    "INBOX_MAX_CAPTURES": (1000, int, "Captured requests each inbox keeps; the oldest go first."),
    "LOG_MAX_ROWS": (1_000_000, int, "Live-log messages kept for websocket history and resuming; the "
                     "oldest are deleted first (events, deliveries and attempts are kept)."),
    "LIVE_QUEUE_SIZE": (5000, int, "Messages a websocket viewer may fall behind before it loses the oldest."),
    "LIVE_BATCH_MS": (25, int, "The longest a busy live log waits between rounds of writes to viewers (ms)."),
    "LIVE_PING_SECONDS": (25, int, "Websocket keepalive ping interval; a viewer that misses one is closed."),
}


# Lower bounds of the numeric settings: a value below is refused at start, naming the variable.
MINIMUMS: dict[str, float] = {
    "MAX_BODY_BYTES": 1024,
    "MAX_BUNDLE_BYTES": 1024,
    "SECRET_GRACE_SECONDS": 0,
    "REQUEST_TIMEOUT": 0.1,
    "RETRY_TIME_FACTOR": 0.0001,
    "WORKER_THREADS": 1,
    "MAX_PER_WEBHOOK": 1,
    "SLOW_THREADS": 0,
    "SLOW_SECONDS": 0.001,
    "GC_YOUNG_THRESHOLD": 100,
    "INBOX_MAX_CAPTURES": 1,
    "LOG_MAX_ROWS": 1000,
    "LIVE_QUEUE_SIZE": 10,
    "LIVE_BATCH_MS": 1,
    "LIVE_PING_SECONDS": 1,
}


class SettingError(ValueError):
    """A SANDBOX_* variable that does not parse or is out of range; the message names it."""


def register(name: str, default: Any, parser: Any, help_text: str) -> None:
    """Add a setting (used by the modules that own one); must run before ``load``."""
    SETTINGS[name] = (default, parser, help_text)


def _parse(parser: Any, raw: str) -> Any:
    if parser is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if parser in (list, dict):
        return json.loads(raw)
    return parser(raw)


def _from_environment(name: str, parser: Any, raw: str) -> Any:
    try:
        value = _parse(parser, raw)
    except (ValueError, TypeError) as exc:
        raise SettingError(f"SANDBOX_{name}={raw!r} is not a valid setting: {exc}") from None
    minimum = MINIMUMS.get(name)
    if minimum is not None and value < minimum:
        raise SettingError(f"SANDBOX_{name}={raw!r} is too small: the least is {minimum}")
    return value


def load(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, then SANDBOX_* variables, then ``config``."""
    for name, (default, parser, _help) in SETTINGS.items():
        raw = os.environ.get(f"SANDBOX_{name}")
        app.config[name] = _from_environment(name, parser, raw) if raw not in (None, "") else default
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.sort_keys = False
