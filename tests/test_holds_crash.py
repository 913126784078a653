"""A held queue survives SIGKILL of a real sandbox process: nothing lost, nothing sent, the order kept;
after the restart, releases reach a real receiver on 127.0.0.1 in the order released, also when the
kill came in the middle of sending a release."""

from __future__ import annotations

import signal
import threading

import requests

from tests.receivers import Receiver, wait_until
from tests.test_serve import ServerProcess


def _setup(url: str, target: str) -> tuple[dict, str]:
    http = requests.Session()
    account = http.post(url + "/api/managing-entity", json={"name": "Crash Test"}, timeout=10).json()
    hook = http.post(f"{url}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
        "name": "Receiver", "eventUrl": target, "eventList": []}).json()["webhook"]
    return account, hook["id"]


def _fire(url: str, account: dict, count: int) -> list[str]:
    answer = requests.post(url + "/api/events", timeout=10, json={
        "event": "booking.create", "entity": account["id"], "count": count})
    assert answer.status_code == 202, answer.text
    return [event["deliveries"][0]["id"] for event in answer.json()["events"]]


def _queue(url: str, webhook_id: str) -> dict:
    return requests.get(f"{url}/api/webhooks/{webhook_id}/hold", timeout=10).json()


def _post(url: str, path: str, body: dict) -> dict:
    response = requests.post(url + path, json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _kill(server: ServerProcess) -> None:
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(10)


def _arrived(receiver: Receiver) -> list[str]:
    return [r.headers["Wink-Delivery-Id"] for r in list(receiver.requests)]


def test_sigkill_while_held_loses_nothing_and_keeps_the_order(tmp_path):
    db_path = str(tmp_path / "held.db")
    with Receiver() as receiver:
        server = ServerProcess(db_path, "--no-seed")
        try:
            account, hook = _setup(server.url, receiver.url + "/hook")
            _post(server.url, f"/api/webhooks/{hook}/hold", {})
            d = _fire(server.url, account, 5)
            _post(server.url, f"/api/webhooks/{hook}/hold/move", {"deliveryId": d[4], "position": 1})
            _post(server.url, f"/api/webhooks/{hook}/hold/move", {"deliveryId": d[0], "direction": "down"})
            _post(server.url, f"/api/webhooks/{hook}/hold/drop", {"deliveryId": d[2]})
            order = [d[4], d[1], d[0], d[3]]
            assert [item["id"] for item in _queue(server.url, hook)["queue"]] == order
            _kill(server)
        finally:
            if server.proc.poll() is None:
                server.proc.kill()

        restarted = ServerProcess(db_path, "--no-seed")
        try:
            state = _queue(restarted.url, hook)
            assert state["held"] is True and [item["id"] for item in state["queue"]] == order
            assert {item["status"] for item in state["queue"]} == {"held"}
            [late] = _fire(restarted.url, account, 1)           # still held after the restart: it queues
            assert [item["id"] for item in _queue(restarted.url, hook)["queue"]] == [*order, late]
            assert receiver.requests == []                      # nothing was sent, before or after

            first = _post(restarted.url, f"/api/webhooks/{hook}/hold/release", {"count": 2})
            assert [item["id"] for item in first["released"]] == order[:2]
            receiver.wait_for(2)
            rest = _post(restarted.url, f"/api/webhooks/{hook}/resume", {})
            assert [item["id"] for item in rest["released"]] == [*order[2:], late]
            receiver.wait_for(5)
            assert _arrived(receiver) == [*order, late]
            dropped = requests.get(f"{restarted.url}/api/deliveries/{d[2]}", timeout=10).json()
            assert dropped["status"] == "cancelled" and dropped["attemptCount"] == 0
            code, output = restarted.stop(signal.SIGTERM)
            assert code == 0, output
        finally:
            if restarted.proc.poll() is None:
                restarted.proc.kill()


def test_sigkill_in_the_middle_of_a_release_sends_the_rest_in_release_order(tmp_path):
    db_path = str(tmp_path / "released.db")
    arrived, let_go = threading.Event(), threading.Event()

    def hang_first(_request):
        if not arrived.is_set():
            arrived.set()
            let_go.wait(15)
        return 200, {}, b"ok"

    with Receiver(hang_first) as receiver:
        server = ServerProcess(db_path, "--no-seed")
        try:
            account, hook = _setup(server.url, receiver.url + "/hook")
            _post(server.url, f"/api/webhooks/{hook}/hold", {})
            d = _fire(server.url, account, 4)
            order = [d[3], d[1], d[2], d[0]]
            released = _post(server.url, f"/api/webhooks/{hook}/hold/release", {"deliveryIds": order})
            assert [item["id"] for item in released["released"]] == order
            assert arrived.wait(15)                       # the first is being sent: kill the sandbox now
            _kill(server)
        finally:
            let_go.set()
            if server.proc.poll() is None:
                server.proc.kill()

        restarted = ServerProcess(db_path, "--no-seed")
        try:
            receiver.wait_for(5, timeout=20)
            # The attempt cut by the kill is sent again, then the others, in the order they were released.
            assert _arrived(receiver) == [order[0], *order]
            for delivery_id in order:
                url = f"{restarted.url}/api/deliveries/{delivery_id}"
                wait_until(lambda u=url: requests.get(u, timeout=10).json()["status"] == "succeeded",
                           message="each delivery recorded")
            state = _queue(restarted.url, hook)
            assert state["held"] is True and state["queue"] == []
            restarted.stop(signal.SIGTERM)
        finally:
            if restarted.proc.poll() is None:
                restarted.proc.kill()
