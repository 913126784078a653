"""A webhook's health over a recent window: its attempts' answers and latency, read from one index range.

Everything here reads ``attempts_by_webhook`` (m085): the webhook's attempts since an instant, in time
order, with their latency and answer, so the cost follows the webhook's recent traffic, never the size of
the attempts table. Percentiles are exact (nearest rank over the sorted latencies), not estimated.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import sqlite_utils

from sandbox.store.deliveries import count_by_status

_ATTEMPTS = ("select started, duration_ms, response_status from attempts indexed by attempts_by_webhook "
             "where webhook_id = ? and started >= ? and started < ? order by started")


def percentile(ordered: list[float], p: float) -> float | None:
    """Return the nearest-rank ``p``-th percentile of an ascending list (None when it is empty)."""
    if not ordered:
        return None
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def _latency(ordered: list[float]) -> dict:
    return {"p50": percentile(ordered, 50), "p95": percentile(ordered, 95), "p99": percentile(ordered, 99),
            "max": ordered[-1] if ordered else None}


def _answer_class(status: int | None) -> str:
    return "none" if status is None else f"{min(max(status // 100, 1), 5)}xx"


def webhook_health(db: sqlite_utils.Database, webhook_id: str, *, since: str, until: str,
                   bucket_starts: list[str], deadlines_ms: list[float | None]) -> dict:
    """Return a webhook's attempts from ``since`` to ``until`` (ISO instants, as attempts store them).

    The answer holds counts by answer class, the success rate, latency percentiles (ms), for each
    deadline how many attempts took longer (and how many of those the receiver answered 2xx), a
    series with one entry per ``bucket_starts`` window, and the webhook's deliveries by status (all time,
    from the trigger-kept counts).
    """
    rows = db.conn.execute(_ATTEMPTS, [webhook_id, since, until]).fetchall()
    classes = dict.fromkeys(("2xx", "3xx", "4xx", "5xx", "none"), 0)
    every: list[float] = []
    answered_ok: list[float] = []
    buckets: list[list[float]] = [[] for _ in bucket_starts]
    index = 0
    for started, duration, status in rows:
        classes[_answer_class(status)] += 1
        every.append(duration)
        if status is not None and 200 <= status < 300:
            answered_ok.append(duration)
        while index + 1 < len(bucket_starts) and started >= bucket_starts[index + 1]:
            index += 1
        buckets[index].append(duration)
    every.sort()
    answered_ok.sort()
    total = len(every)
    return {
        "attempts": {"total": total, "succeeded": classes["2xx"], "failed": total - classes["2xx"],
                     "byAnswer": classes},
        "successRate": round(classes["2xx"] / total, 4) if total else None,
        "latencyMs": _latency(every),
        "deadlines": [_over(limit, every, answered_ok) for limit in deadlines_ms],
        "series": [{"from": start, "attempts": len(bucket), **_bucket_latency(bucket)}
                   for start, bucket in zip(bucket_starts, buckets, strict=True)],
        "deliveries": count_by_status(db, webhook_id),
    }


def _over(limit: float | None, every: list[float], answered_ok: list[float]) -> dict:
    """Count the attempts slower than ``limit`` ms, and those of them answered 2xx (None: no limit)."""
    if limit is None:
        return {"overDeadline": None, "answeredOkButLate": None}
    return {"overDeadline": len(every) - bisect_right(every, limit),
            "answeredOkButLate": len(answered_ok) - bisect_right(answered_ok, limit)}


def _bucket_latency(durations: list[float]) -> dict:
    durations.sort()
    return {"p50Ms": percentile(durations, 50), "p95Ms": percentile(durations, 95),
            "maxMs": durations[-1] if durations else None}


__all__ = ["percentile", "webhook_health"]
