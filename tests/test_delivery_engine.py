"""The engine's own behaviour: settings, schedules, error wording, stop and restart, lanes and limits."""

from __future__ import annotations

import email.utils
import socket
import threading
import time

import pytest
import requests
import urllib3

from sandbox import create_app
from sandbox.db import connect
from sandbox.delivery import engine as engine_module
from sandbox.delivery import get_engine, schedule
from sandbox.delivery.sender import describe_error
from sandbox.server import Runner
from tests.receivers import Receiver, wait_until
from tests.test_delivery import delivery, fire, make_webhook, settled


@pytest.mark.parametrize(("config", "name"), [
    ({"RETRY_PRESET": "fast"}, "RETRY_PRESET"),
    ({"RETRY_SCHEDULE": [1, -2]}, "RETRY_SCHEDULE"),
    ({"RETRY_SCHEDULE": "1,2"}, "RETRY_SCHEDULE"),
    ({"RETRY_SCHEDULE": {}}, "RETRY_SCHEDULE"),  # SANDBOX_RETRY_SCHEDULE='{}': not "no retries"
    ({"RETRY_SCHEDULE": ""}, "RETRY_SCHEDULE"),
    ({"RETRY_TIME_FACTOR": 0}, "RETRY_TIME_FACTOR"),
    ({"REQUEST_TIMEOUT": 0}, "REQUEST_TIMEOUT"),
    ({"WORKER_THREADS": 0}, "WORKER_THREADS"),
    ({"MAX_PER_WEBHOOK": 0}, "MAX_PER_WEBHOOK"),
])
def test_bad_delivery_settings_are_refused_by_name(tmp_path, config, name):
    with pytest.raises(ValueError, match=name):
        create_app({"DATABASE": str(tmp_path / "s.db"), **config})


def test_server_schedule_from_settings():
    assert schedule.server_schedule({}) == [2, 5, 30, 120, 600]
    assert schedule.server_schedule({"RETRY_PRESET": "svix", "RETRY_TIME_FACTOR": 0.001}) == [
        0.005, 0.3, 1.8, 7.2, 18, 36, 36]
    assert schedule.server_schedule({"RETRY_SCHEDULE": [1, 3], "RETRY_TIME_FACTOR": 2}) == [2, 6]
    assert schedule.server_schedule({"RETRY_SCHEDULE": []}) == []


def test_retry_after_and_next_delay():
    now = time.time()
    assert schedule.retry_after_seconds("7", now) == 7
    in_a_minute = email.utils.formatdate(now + 60, usegmt=True)
    assert 58 <= schedule.retry_after_seconds(in_a_minute, now) <= 61
    assert schedule.retry_after_seconds(email.utils.formatdate(now - 60, usegmt=True), now) == 0
    assert schedule.retry_after_seconds("soon", now) is None
    assert schedule.retry_after_seconds(None, now) is None
    assert schedule.next_delay([2, 5], 0, None) == 2
    assert schedule.next_delay([2, 5], 1, 3) == 3
    assert schedule.next_delay([2, 5], 1, 3600) == 5          # capped by the longest step
    assert schedule.next_delay([2, 5], 2, None) is None        # used up
    assert schedule.next_delay([], 0, 1) is None


def test_errors_are_described_in_plain_words():
    gaierror = socket.gaierror(-2, "Name or service not known")
    dns = urllib3.exceptions.NameResolutionError("nowhere.invalid", None, gaierror)
    wrapped = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", dns))
    assert describe_error(wrapped, 15).startswith("DNS lookup failed")
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    assert describe_error(refused, 15).startswith("connection refused")
    reset = requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer"))
    assert describe_error(reset, 15) == "connection reset by the receiver"
    assert describe_error(requests.exceptions.ReadTimeout(), 2.5) == "timeout: no answer within 2.5 s"
    assert describe_error(requests.exceptions.ConnectTimeout(), 1) == "timeout: could not connect within 1 s"


def test_stop_cuts_a_hanging_request_short_and_start_sends_it_again(client, account):
    arrived, release = threading.Event(), threading.Event()

    def hang_first(_request):
        if not arrived.is_set():
            arrived.set()
            release.wait(10)
        return 200, {}, b""

    engine = get_engine(client.application)
    with Receiver(hang_first) as receiver:
        make_webhook(client, account, receiver.url)
        [event] = fire(client, account)["events"]
        engine.start()
        try:
            assert arrived.wait(5)
            started = time.monotonic()
            engine.stop(5)
            assert time.monotonic() - started < 2
            shown = delivery(client, event["deliveries"][0]["id"])
            assert shown["inFlight"] and shown["attempts"] == []
            release.set()
            engine.start()
            settled(client, event["deliveries"][0]["id"])
            assert [r.headers["Wink-Event-Id"] for r in receiver.wait_for(2)] == [event["id"]] * 2
        finally:
            release.set()
            engine.stop(2)


def test_max_per_webhook_allows_parallel_requests(app, client, live_server, account):
    app.config["MAX_PER_WEBHOOK"] = 4
    with Receiver(delay=0.4) as receiver:
        make_webhook(client, account, receiver.url)
        started = time.monotonic()
        fire(client, account, "payee.update", undelivered=True, count=8)
        receiver.wait_for(8, timeout=10)
        assert time.monotonic() - started < 8 * 0.4        # one at a time would take 3.2 s


def test_full_lanes_pause_claiming_and_resume(monkeypatch, client, live_server, account):
    monkeypatch.setattr(engine_module, "LANE_BACKLOG", 4)
    monkeypatch.setattr(engine_module, "CLAIM_BATCH", 3)
    with Receiver() as first, Receiver() as second:
        make_webhook(client, account, first.url, events=["payee.update"])
        make_webhook(client, account, second.url, events=["payee.update"])
        fired = [e["id"] for e in fire(client, account, "payee.update", undelivered=True, count=30)["events"]]
        assert [r.headers["Wink-Event-Id"] for r in first.wait_for(30)] == fired
        assert [r.headers["Wink-Event-Id"] for r in second.wait_for(30)] == fired


def test_many_webhooks_share_the_senders(client, live_server, account):
    receivers = [Receiver() for _ in range(12)]
    for receiver in receivers:
        receiver.__enter__()
    try:
        for number, receiver in enumerate(receivers):
            make_webhook(client, account, receiver.url, name=f"Hook {number}")
        fire(client, account, "payee.update", undelivered=True, count=10)
        for receiver in receivers:
            assert len(receiver.wait_for(10)) == 10
    finally:
        for receiver in receivers:
            receiver.__exit__(None, None, None)


def test_the_dispatcher_prunes_the_live_log_in_batches(monkeypatch, app, client, account):
    monkeypatch.setattr(engine_module, "PRUNE_SECONDS", 0.05)
    monkeypatch.setattr(engine_module, "PRUNE_BATCH", 7)
    app.config["LOG_MAX_ROWS"] = 30
    db = connect(app.config["DATABASE"])
    server = Runner(app, "127.0.0.1", 0)
    server.start()
    try:
        with Receiver() as receiver:
            make_webhook(client, account, receiver.url)
            # 60 log rows: created, attempted, succeeded
            fire(client, account, "payee.update", undelivered=True, count=20)
            receiver.wait_for(20)

            def pruned():
                ids = [row[0] for row in db.conn.execute("select id from log order by id")]
                return ids if ids and ids[-1] == 60 and len(ids) <= 30 else None

            assert wait_until(pruned, 10, message="the log pruned to 30 rows") == list(range(31, 61))
        assert db["events"].count == db["deliveries"].count == db["attempts"].count == 20
        assert get_engine(app).prune_log() == 0
    finally:
        server.stop(timeout=5)
        db.close()


def test_a_log_limit_below_the_minimum_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SANDBOX_LOG_MAX_ROWS", "10")
    with pytest.raises(ValueError, match="SANDBOX_LOG_MAX_ROWS"):
        create_app({"DATABASE": str(tmp_path / "s.db")})
