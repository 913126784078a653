"""A delivery's attempts against Wink's rules (sandbox/delivery/timeline.py): each attempt's time under
Wink's retry schedule, and the delivery detail's maxAttempts and wink block (GET /api/deliveries/<id>)."""

from __future__ import annotations

import datetime as dt

import pytest

from sandbox.delivery import timeline
from tests.receivers import Receiver, wait_until
from tests.test_api_deliveries import send, shown
from tests.test_delivery import fire, make_webhook

T0 = "2026-12-02T12:00:00.000Z"


def at(seconds: float) -> str:
    moment = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize(("attempts", "expected"), [
    ([], []),
    ([("initial", 0)], [at(0)]),
    # Retries (seconds apart in the sandbox) land 1 min, then 5 min more, then 30 min more after the first.
    ([("initial", 0), ("retry", 2), ("retry", 7)], [at(0), at(60), at(360)]),
    # An attempt by hand is at its own time and starts a new chain.
    ([("initial", 0), ("retry", 2), ("manual", 500), ("retry", 502)], [at(0), at(60), at(500), at(560)]),
    # Wink stops after 10 retries: an 11th has no Wink time.
    ([("initial", 0)] + [("retry", n) for n in range(1, 12)],
     [at(0)] + [at(sum(timeline.WINK_SCHEDULE[:k])) for k in range(1, 11)] + [None]),
])
def test_wink_times(attempts, expected):
    shaped = [{"trigger": trigger, "startedAt": at(seconds)} for trigger, seconds in attempts]
    assert timeline.wink_times(shaped) == expected


def test_the_last_of_wink_s_eleven_attempts_is_4_9_days_after_the_first():
    shaped = [{"trigger": "initial", "startedAt": T0}] + [{"trigger": "retry", "startedAt": T0}] * 10
    last = dt.datetime.fromisoformat(timeline.wink_times(shaped)[-1].replace("Z", "+00:00"))
    first = dt.datetime.fromisoformat(T0.replace("Z", "+00:00"))
    assert round((last - first).total_seconds() / 3600, 1) == 116.6
    assert timeline.WINK_MAX_ATTEMPTS == 11 and timeline.WINK_DEADLINE_MS == 10_000


def test_delivery_detail_says_attempt_n_of_m_and_wink_s_times(client, account):
    with Receiver(lambda r: (503, {}, b"down")) as failing:
        hook = make_webhook(client, account, failing.url, name="Failing", schedule=[0, 0])
        delivery_id = fire(client, account)["events"][0]["deliveries"][0]["id"]
        wait_until(lambda: send(client) is not None and shown(client, delivery_id)["attemptCount"] == 3)
    detail = shown(client, delivery_id)
    assert detail["maxAttempts"] == 3  # the webhook's own schedule: 2 retries
    wink = {"maxAttempts": 11, "deadlineMs": 10_000, "schedule": list(timeline.WINK_SCHEDULE)}
    assert detail["wink"] == wink
    first, second, third = detail["attempts"]
    assert [a["trigger"] for a in detail["attempts"]] == ["initial", "retry", "retry"]
    start = dt.datetime.fromisoformat(first["startedAt"].replace("Z", "+00:00"))
    assert [a["winkAt"] for a in detail["attempts"]] == [
        first["startedAt"].replace("+00:00", "Z"),
        *(timeline._iso(start + dt.timedelta(seconds=s)) for s in (60, 360))]
    # The server's schedule when the webhook has none of its own.
    client.delete(f"/api/webhooks/{hook['id']}/retry-schedule")
    assert shown(client, delivery_id)["maxAttempts"] == len(client.application.config.get("RETRY_SCHEDULE")
                                                            or (2, 5, 30, 120, 600)) + 1
    assert second["durationMs"] >= 0 and third["status"] == "failed"
