"""A webhook's health over a recent window: its attempts' answers and latency, read from one index range.

Every statement here reads ``attempts_by_webhook`` (m085): the webhook's attempts since an instant, in
time order, with their latency and answer, so the cost follows the webhook's recent traffic, never the
size of the attempts table. The latencies are fetched as bare numbers (no timestamps: making 100,000
strings cost more than the figures), and each chart bucket's share of them is counted by the index
itself, one range per bucket, so the rows, in time order, are cut into buckets without reading a time.
Percentiles are exact, by nearest rank: the ``ceil(p * n / 100)``-th smallest latency.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import sqlite_utils

from sandbox.store.deliveries import count_by_status

_RANGE = ("from attempts indexed by attempts_by_webhook "
          "where webhook_id = ? and started >= ? and started < ?")
_ATTEMPTS = f"select duration_ms, response_status {_RANGE} order by started"


def percentile(ordered: list[float], p: float) -> float | None:
    """Return the nearest-rank ``p``-th percentile of an ascending list (None when it is empty)."""
    if not ordered:
        return None
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def _bucket_counts(db: sqlite_utils.Database, webhook_id: str, bounds: list[str]) -> list[int]:
    """How many of the webhook's attempts fall in each [bounds[i], bounds[i + 1]): one index range each."""
    ranges = ", ".join("(select count(*) from attempts indexed by attempts_by_webhook "
                       "where webhook_id = ? and started >= ? and started < ?)" for _ in bounds[1:])
    params = [value for low, high in zip(bounds, bounds[1:], strict=False)
              for value in (webhook_id, low, high)]
    return list(db.conn.execute(f"select {ranges}", params).fetchone())


def _answer_class(status: int | None) -> int | None:
    """2 for a 2xx answer; 3, 4 or 5 for the others (anything under 400 that is not 2xx counts as 3)."""
    if status is None:
        return None
    if 200 <= status < 300:
        return 2
    return 3 if status < 400 else 4 if status < 500 else 5


def _over(limit: float | None, every: list[float], answered_ok: list[float]) -> dict:
    """Count the attempts slower than ``limit`` ms, and those of them answered 2xx (None: no limit)."""
    if limit is None:
        return {"overDeadline": None, "answeredOkButLate": None}
    return {"overDeadline": len(every) - bisect_right(every, limit),
            "answeredOkButLate": len(answered_ok) - bisect_right(answered_ok, limit)}


def _bucket(start: str, durations: list[float]) -> dict:
    durations.sort()
    return {"from": start, "attempts": len(durations), "p50Ms": percentile(durations, 50),
            "p95Ms": percentile(durations, 95), "maxMs": durations[-1] if durations else None}


def webhook_health(db: sqlite_utils.Database, webhook_id: str, *, since: str, until: str,
                   bucket_starts: list[str], deadlines_ms: list[float | None]) -> dict:
    """Return a webhook's attempts from ``since`` to ``until`` (ISO instants, as attempts store them).

    The answer holds counts by answer class, the success rate, latency percentiles (ms), for each
    deadline how many attempts took longer (and how many of those the receiver answered 2xx), a series
    with one entry per ``bucket_starts`` window (the first is ``since``), and the webhook's deliveries
    by status (all time, from the trigger-kept counts).
    """
    counts = _bucket_counts(db, webhook_id, [*bucket_starts, until])
    rows = db.conn.execute(_ATTEMPTS, [webhook_id, since, until]).fetchall()
    # An attempt recorded between the two reads lands in the last bucket rather than shifting the others.
    counts[-1] = max(len(rows) - sum(counts[:-1]), 0)
    classes = dict.fromkeys((2, 3, 4, 5, None), 0)
    for _duration, status in rows:
        classes[_answer_class(status)] += 1
    durations = [duration for duration, _status in rows]
    answered_ok = sorted(duration for duration, status in rows if status is not None and 200 <= status < 300)
    series, position = [], 0
    for start, count in zip(bucket_starts, counts, strict=True):
        series.append(_bucket(start, durations[position:position + count]))
        position += count
    durations.sort()
    total = len(durations)
    return {
        "attempts": {"total": total, "succeeded": classes[2], "failed": total - classes[2],
                     "byAnswer": {"2xx": classes[2], "3xx": classes[3], "4xx": classes[4], "5xx": classes[5],
                                  "none": classes[None]}},
        "successRate": round(classes[2] / total, 4) if total else None,
        "latencyMs": {"p50": percentile(durations, 50), "p95": percentile(durations, 95),
                      "p99": percentile(durations, 99), "max": durations[-1] if durations else None},
        "deadlines": [_over(limit, durations, answered_ok) for limit in deadlines_ms],
        "series": series,
        "deliveries": count_by_status(db, webhook_id),
    }
