"""A delivery's attempts against Wink's rules: "attempt N of M", and when each attempt would have
gone out under Wink's own retry schedule (the sandbox usually runs a compressed one), for the
delivery detail page.

Wink (WEBHOOKS-SPEC 2.4): the receiver answers within 10 s; a failure is retried 10 times, after
1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then daily, each wait counted from the attempt before
(``schedule.PRESETS["wink"]``). A chain of automatic retries starts at an attempt that was not a
retry (the first try, or one sent by hand, whose time is the real one under any schedule); the
k-th retry of a chain would have gone out the sum of Wink's first k waits after the chain's start.
A retry past Wink's tenth would never have happened: its Wink time is null.
"""

from __future__ import annotations

import datetime as dt

from sandbox.delivery.schedule import PRESETS

WINK_SCHEDULE: tuple[float, ...] = PRESETS["wink"]
WINK_MAX_ATTEMPTS = len(WINK_SCHEDULE) + 1
WINK_DEADLINE_MS = 10_000  # "respond 2xx within 10s"


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wink_times(attempts: list[dict]) -> list[str | None]:
    """When each attempt (oldest first: ``trigger``, ``startedAt``) would have gone out under Wink."""
    times: list[str | None] = []
    start: dt.datetime | None = None
    retries = 0
    for attempt in attempts:
        if attempt.get("trigger") != "retry" or start is None:
            start, retries = _parse(attempt["startedAt"]), 0
            times.append(_iso(start))
            continue
        retries += 1
        if retries > len(WINK_SCHEDULE):
            times.append(None)
            continue
        times.append(_iso(start + dt.timedelta(seconds=sum(WINK_SCHEDULE[:retries]))))
    return times


def annotate(delivery: dict, schedule_in_force: list[float]) -> dict:
    """Add ``maxAttempts`` (under the schedule in force), ``wink`` (Wink's own limits) and each
    attempt's ``winkAt`` to a delivery with its attempts; return it."""
    delivery["maxAttempts"] = len(schedule_in_force) + 1
    delivery["wink"] = {"maxAttempts": WINK_MAX_ATTEMPTS, "deadlineMs": WINK_DEADLINE_MS,
                        "schedule": list(WINK_SCHEDULE)}
    for attempt, when in zip(delivery.get("attempts", []), wink_times(delivery.get("attempts", [])),
                             strict=True):
        attempt["winkAt"] = when
    return delivery
