"""Per-webhook health and Wink's timeout budget (issues 14 and 15).

``report`` is the one place the figures are made: the API route (``GET /api/webhooks/{id}/health``), and
through it the CLI's ``health`` command and the Manage account page, all show its answer. It reads the
webhook's attempts of a recent window (``sandbox.store.health``) and judges each attempt's latency against
Wink's 10 s deadline and the published deadlines of other well-known senders (docs/timeout-budget.md
cites each source; a sender that publishes none is listed with no figure rather than a guess).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from sandbox.store import health as store
from sandbox.store.log import timestamp

DEFAULT_WINDOW = 3600
MIN_WINDOW = 60
MAX_WINDOW = 7 * 24 * 3600
BUCKETS = 60


@dataclass(frozen=True)
class Sender:
    name: str
    seconds: float | None        # None: the sender publishes no figure
    source: str
    note: str = ""


# Wink first: its deadline is the one the sandbox speaks for. Each figure is the one its source states.
SENDERS = (
    Sender("Wink", 10,
           "Wink's webhooks spec, §2.4 (shared/wink/WEBHOOKS-SPEC.md): \"respond 2xx within 10s\""),
    Sender("Zoom", 3, "https://developers.zoom.us/blog/webhook-delays"),
    Sender("Shopify", 5, "https://shopify.dev/docs/apps/webhooks/best-practices",
           "and under 1 s to connect"),
    Sender("GitHub", 10, "https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks"),
    Sender("Svix", 15, "https://docs.svix.com/retries"),
    Sender("Stripe", None, "https://support.stripe.com/questions/webhooks-how-to-investigate-and-fix-timed-out",
           "Stripe asks for a prompt 2xx but publishes no number; third-party pages disagree (20 s, 30 s)"),
)


def report(db: sqlite_utils.Database, webhook: dict, *, window: int = DEFAULT_WINDOW,
           request_timeout: float, now: dt.datetime | None = None) -> dict:
    """Return the webhook's health over the last ``window`` seconds, with every sender's deadline.

    ``request_timeout`` is the sandbox's own (REQUEST_TIMEOUT): an attempt is cut there, so for a
    deadline longer than it the count of slower attempts is a lower bound (``measurable`` false).
    """
    now = now or dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(seconds=window)
    step = window / BUCKETS
    bucket_starts = [timestamp(start + dt.timedelta(seconds=step * i)) for i in range(BUCKETS)]
    figures = store.webhook_health(
        db, webhook["id"], since=bucket_starts[0], until=timestamp(now), bucket_starts=bucket_starts,
        deadlines_ms=[None if s.seconds is None else s.seconds * 1000 for s in SENDERS],
    )
    deadlines = [
        {"sender": sender.name, "seconds": sender.seconds, "source": sender.source, "note": sender.note,
         "measurable": sender.seconds is not None and sender.seconds <= request_timeout, **counts}
        for sender, counts in zip(SENDERS, figures.pop("deadlines"), strict=True)
    ]
    return {
        "webhookId": webhook["id"], "webhookName": webhook["name"],
        "window": {"seconds": window, "from": bucket_starts[0], "to": timestamp(now),
                   "bucketSeconds": step},
        "requestTimeoutSeconds": request_timeout,
        **figures,
        "winkDeadline": deadlines[0],
        "deadlines": deadlines,
    }
