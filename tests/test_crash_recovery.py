"""Nothing is lost: the real server killed with SIGKILL mid-burst, or stopped with SIGTERM mid-request,
sends every acknowledged event once it is started again on the same database."""

from __future__ import annotations

import signal
import threading
import time

import requests

from tests.receivers import Receiver, wait_until
from tests.test_serve import ServerProcess


def setup_webhook(url: str, target: str) -> dict:
    session = requests.Session()
    account = session.post(url + "/api/managing-entity", json={"name": "Crash Test"}, timeout=5).json()
    session.post(f"{url}/api/managing-entity/{account['id']}/webhook",
                 json={"name": "Receiver", "eventUrl": target, "eventList": []}, timeout=5)
    return account


def received_ids(receiver: Receiver) -> set[str]:
    return {r.headers["Wink-Event-Id"] for r in list(receiver.requests)}


def test_sigkill_mid_burst_loses_no_event(tmp_path):
    db_path = str(tmp_path / "crash.db")
    with Receiver(delay=0.003) as receiver:
        server = ServerProcess(db_path, "--no-seed")
        try:
            account = setup_webhook(server.url, receiver.url + "/hook")
            acknowledged: list[str] = []
            stop_firing = threading.Event()

            def fire_bursts():
                session = requests.Session()
                for _ in range(8):
                    if stop_firing.is_set():
                        return
                    try:
                        answer = session.post(server.url + "/api/events", timeout=10, json={
                            "event": "payee.update", "entity": account["id"], "count": 25,
                            "undelivered": True})
                    except requests.RequestException:
                        return                      # the server was killed during this request
                    assert answer.status_code == 202
                    acknowledged.extend(event["id"] for event in answer.json()["events"])

            firing = threading.Thread(target=fire_bursts)
            firing.start()
            wait_until(lambda: len(receiver.requests) >= 60, 30, message="60 deliveries before the kill")
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(10)
            stop_firing.set()
            firing.join(15)
            missing = set(acknowledged) - received_ids(receiver)
            assert missing, "the kill came too late to test recovery"
        finally:
            if server.proc.poll() is None:
                server.proc.kill()

        restarted = ServerProcess(db_path, "--no-seed")
        try:
            wait_until(lambda: set(acknowledged) <= received_ids(receiver), 30,
                       message=f"the {len(missing)} events missing at the kill to arrive after the restart")
            code, output = restarted.stop(signal.SIGTERM)
            assert code == 0, output
        finally:
            if restarted.proc.poll() is None:
                restarted.proc.kill()


def test_sigterm_mid_request_stops_at_once_and_sends_again_after_restart(tmp_path):
    db_path = str(tmp_path / "stop.db")
    arrived = threading.Event()
    release = threading.Event()

    def hang_first(_request):
        if not arrived.is_set():
            arrived.set()
            release.wait(15)
        return 200, {}, b"ok"

    with Receiver(hang_first) as receiver:
        server = ServerProcess(db_path, "--no-seed")
        try:
            account = setup_webhook(server.url, receiver.url + "/hook")
            answer = requests.post(server.url + "/api/events", timeout=5,
                                   json={"event": "booking.create", "entity": account["id"]}).json()
            [event] = answer["events"]
            assert arrived.wait(10)
            started = time.monotonic()
            code, output = server.stop(signal.SIGTERM)
            assert code == 0 and "Stopped." in output
            assert time.monotonic() - started < 4      # the hanging request was cut short
        finally:
            release.set()
            if server.proc.poll() is None:
                server.proc.kill()

        restarted = ServerProcess(db_path, "--no-seed")
        try:
            receiver.wait_for(2, timeout=15)
            assert [r.headers["Wink-Event-Id"] for r in receiver.requests] == [event["id"], event["id"]]
            delivery_id = event["deliveries"][0]["id"]

            def succeeded():
                shown = requests.get(f"{restarted.url}/api/deliveries/{delivery_id}", timeout=5).json()
                return shown["status"] == "succeeded" and shown

            shown = wait_until(succeeded, 10, message="the delivery to succeed after the restart")
            assert len(shown["attempts"]) == 1        # the attempt cut short by the stop was not recorded
            restarted.stop(signal.SIGTERM)
        finally:
            if restarted.proc.poll() is None:
                restarted.proc.kill()
