"""Hold and release through the API against a live sandbox: a real receiver on 127.0.0.1 gets exactly
the released deliveries, in the order released; the live log tells of every step; each bad input
gets its problem+json."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.conftest import assert_problem
from tests.receivers import Receiver, wait_until
from tests.test_live import Viewer


class Held:
    """A webhook on a live sandbox pointing at a receiver, and the hold routes as short calls."""

    def __init__(self, server: str, account: dict, receiver: Receiver, name: str = "Front desk"):
        self.server = server
        self.account = account
        self.http = requests.Session()
        self.http.trust_env = False
        self.hook = self.http.post(f"{server}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
            "name": name, "eventUrl": receiver.url + "/hook", "eventList": []}).json()["webhook"]
        self.base = f"{server}/api/webhooks/{self.hook['id']}"

    def call(self, path: str = "", body: dict | None = None, *, status: int = 200) -> dict:
        response = (self.http.post(self.base + path, json=body, timeout=10) if body is not None or path
                    else self.http.get(self.base + "/hold", timeout=10))
        assert response.status_code == status, response.text
        return response.json()

    def fire(self, count: int = 1) -> list[str]:
        answer = self.http.post(f"{self.server}/api/events", timeout=10, json={
            "event": "booking.create", "entity": self.account["id"], "count": count})
        assert answer.status_code == 202, answer.text
        return [event["deliveries"][0]["id"] for event in answer.json()["events"]]

    def queue(self) -> list[str]:
        return [item["id"] for item in self.call()["queue"]]

    def delivery(self, delivery_id: str) -> dict:
        return self.http.get(f"{self.server}/api/deliveries/{delivery_id}", timeout=10).json()

    def wink(self, delivery_id: str) -> dict:
        return self.http.get(f"{self.server}/api/managing-entity/{self.account['id']}/webhook/delivery/"
                             f"{delivery_id}", timeout=10).json()


def arrived(receiver: Receiver, held: Held) -> list[str]:
    """The delivery ids the receiver got, in arrival order."""
    return [r.headers["Wink-Delivery-Id"] for r in list(receiver.requests)]


@pytest.fixture
def setup(live_server, account):
    with Receiver() as receiver:
        yield Held(live_server.url, account, receiver), receiver


def test_hold_reorder_drop_release_resume_in_order(setup):
    held, receiver = setup
    state = held.call("/hold", {})
    assert state["held"] is True and state["count"] == 0 and state["since"]
    again = held.call("/hold", {})           # holding a held webhook changes nothing
    assert again["since"] == state["since"]

    d = held.fire(6)                         # d[0]..d[5], queued in fired order
    assert held.queue() == d
    shown = held.call()
    assert [item["position"] for item in shown["queue"]] == [1, 2, 3, 4, 5, 6]
    assert {item["status"] for item in shown["queue"]} == {"held"}
    assert held.delivery(d[0])["status"] == "held" and held.delivery(d[0])["nextAttemptAt"] is None
    assert held.wink(d[0])["status"] == "PENDING"          # Wink never shows a hold
    grid = held.http.post(f"{held.server}/api/managing-entity/{held.account['id']}/webhook/delivery/grid",
                          timeout=10, json={"filter": {"logic": "and", "filters": [
                              {"field": "status", "operator": "eq", "value": "PENDING"}]}}).json()
    assert grid["totalElements"] == 6 and {item["status"] for item in grid["content"]} == {"PENDING"}
    listed = held.http.get(f"{held.server}/api/deliveries", params={"status": "held"}, timeout=10).json()
    assert sorted(item["id"] for item in listed["items"]) == sorted(d)

    assert held.queue() == d
    first_two = held.http.get(held.base + "/hold", params={"limit": 2}, timeout=10).json()
    assert [item["id"] for item in first_two["queue"]] == d[:2] and first_two["count"] == 6
    assert_problem(held.http.get(held.base + "/hold", params={"limit": 0}, timeout=10), 400, field="limit")
    assert [i["id"] for i in held.call("/hold/move", {"deliveryId": d[5], "position": 1})["queue"]] == \
        [d[5], d[0], d[1], d[2], d[3], d[4]]
    held.call("/hold/move", {"deliveryId": d[0], "direction": "down"})
    held.call("/hold/move", {"deliveryId": d[3], "direction": "up"})
    assert held.queue() == [d[5], d[1], d[0], d[3], d[2], d[4]]
    top = held.call("/hold/move", {"deliveryId": d[5], "direction": "up"})   # already first: stays
    assert [i["id"] for i in top["queue"]][0] == d[5]

    dropped = held.call("/hold/drop", {"deliveryId": d[1]})
    assert d[1] not in [i["id"] for i in dropped["queue"]] and dropped["count"] == 5
    assert held.delivery(d[1])["status"] == "cancelled" and held.wink(d[1])["status"] == "CANCELLED"

    one = held.call("/hold/release", {"deliveryIds": [d[3]]})      # one from the middle
    assert [item["id"] for item in one["released"]] == [d[3]] and one["held"] is True
    wait_until(lambda: arrived(receiver, held) == [d[3]], message="the released delivery")
    two = held.call("/hold/release", {"count": 2})                  # the first two: d5, d0
    assert [item["id"] for item in two["released"]] == [d[5], d[0]]
    wait_until(lambda: len(receiver.requests) == 3, message="three deliveries")

    late = held.fire(1)                         # still held: it queues behind d2, d4
    assert held.queue() == [d[2], d[4], late[0]]
    held.call("/hold/move", {"deliveryId": late[0], "position": 1})
    rest = held.call("/hold/release", {"all": True})
    assert [item["id"] for item in rest["released"]] == [late[0], d[2], d[4]]
    assert rest["count"] == 0 and rest["held"] is True
    wait_until(lambda: len(receiver.requests) == 6, message="every released delivery")
    assert arrived(receiver, held) == [d[3], d[5], d[0], late[0], d[2], d[4]]
    for delivery_id in arrived(receiver, held):
        wait_until(lambda i=delivery_id: held.delivery(i)["status"] == "succeeded", message="recorded")

    queued = held.fire(2)
    resumed = held.call("/resume", {})
    assert resumed["held"] is False and [i["id"] for i in resumed["released"]] == queued
    after = held.fire(1)
    wait_until(lambda: len(receiver.requests) == 9, message="resumed deliveries")
    assert arrived(receiver, held)[6:] == [*queued, *after]
    assert d[1] not in arrived(receiver, held)          # the dropped one was never sent


def test_hold_takes_waiting_deliveries_and_redelivered_ones_join_the_queue(setup):
    held, receiver = setup
    first = held.fire(1)
    wait_until(lambda: held.delivery(first[0])["status"] == "succeeded", message="the first delivery")
    held.call("/hold", {})
    # Sent again by hand (the sandbox's retry) while held: it joins the queue instead of going out.
    retried = held.http.post(f"{held.server}/api/deliveries/{first[0]}/retry", timeout=10)
    assert retried.status_code == 202 and retried.json()["status"] == "held"
    assert held.queue() == first
    refused = held.http.post(f"{held.server}/api/deliveries/{first[0]}/retry", timeout=10)
    assert_problem(refused, 409, detail="is held")
    bulk = held.http.post(f"{held.server}/api/deliveries/retry", json={"webhookId": held.hook["id"]},
                          timeout=10)
    assert bulk.status_code == 202 and bulk.json() == {"matched": 1, "retried": 0, "skipped": 1}
    redeliver = held.http.post(f"{held.server}/api/managing-entity/{held.account['id']}/webhook/delivery/"
                               f"{first[0]}/redeliver", timeout=10)
    assert_problem(redeliver, 409, detail="PENDING")   # Wink's redeliver: already scheduled
    # Wink's cancel works on a held delivery as on any PENDING one: it leaves the queue.
    cancel = held.http.post(f"{held.server}/api/managing-entity/{held.account['id']}/webhook/delivery/"
                            f"{first[0]}/cancel", timeout=10)
    assert cancel.status_code == 200 and cancel.json()["status"] == "CANCELLED"
    assert held.queue() == []
    # Wink's redeliver of the cancelled delivery: back to PENDING, and into the queue.
    again = held.http.post(f"{held.server}/api/managing-entity/{held.account['id']}/webhook/delivery/"
                           f"{first[0]}/redeliver", timeout=10)
    assert again.status_code == 200 and again.json()["status"] == "PENDING"
    assert held.queue() == first and len(receiver.requests) == 1
    # Deleting a held webhook cancels its queue and ends the hold.
    gone = held.http.delete(f"{held.server}/api/managing-entity/{held.account['id']}/webhook/"
                            f"{held.hook['id']}", timeout=10)
    assert gone.status_code in (200, 204), gone.text
    assert held.delivery(first[0])["status"] == "cancelled"
    assert_problem(held.http.get(held.base + "/hold", timeout=10), 404)


def test_live_log_tells_of_the_hold_and_each_release(live_server, account):
    with Receiver() as receiver:
        held = Held(live_server.url, account, receiver)
        viewer = Viewer(live_server.url, "/ws/deliveries", {"webhookId": held.hook["id"]})
        only_held = Viewer(live_server.url, "/ws/deliveries", {"status": "held"})
        try:
            viewer.history()
            only_held.history()
            held.call("/hold", {})
            d = held.fire(2)
            held.call("/hold/move", {"deliveryId": d[1], "position": 1})
            held.call("/hold/release", {"count": 1})
            got = viewer.take(5)
            assert [m["type"] for m in got] == ["webhook.held", "delivery.held", "delivery.held",
                                                "delivery.moved", "delivery.released"]
            assert got[0]["webhookName"] == "Front desk" and got[0]["queued"] == 0
            assert [(m["deliveryId"], m["status"], m["position"]) for m in got[1:3]] == [
                (d[0], "held", 1), (d[1], "held", 2)]
            assert (got[3]["deliveryId"], got[3]["previousPosition"], got[3]["position"]) == (d[1], 2, 1)
            assert got[4]["deliveryId"] == d[1] and got[4]["status"] == "pending"
            assert got[4]["order"] == 1 and got[4]["previousPosition"] == 1 and got[4]["queued"] == 1
            sent = [viewer.recv() for _ in range(2)]
            assert [m["type"] for m in sent] == ["delivery.attempted", "delivery.succeeded"]
            assert {m["deliveryId"] for m in sent} == {d[1]}
            held.call("/resume", {})
            rest = viewer.take(2)
            assert [(m["type"], m.get("deliveryId")) for m in rest] == [
                ("delivery.released", d[0]), ("webhook.resumed", None)]
            assert rest[1]["released"] == 1
            # ?status=held follows the held deliveries only.
            assert [(m["type"], m["deliveryId"]) for m in only_held.take(3)] == [
                ("delivery.held", d[0]), ("delivery.held", d[1]), ("delivery.moved", d[1])]
            receiver.wait_for(2)
        finally:
            viewer.close()
            only_held.close()


def test_bad_input_gets_a_problem(setup):
    held, _receiver = setup
    unknown = f"{held.server}/api/webhooks/no-such-webhook"
    for method, path in (("get", "/hold"), ("post", "/hold"), ("post", "/hold/move"), ("post", "/hold/drop"),
                         ("post", "/hold/release"), ("post", "/resume")):
        body = {"/hold/move": {"deliveryId": "x", "position": 1}, "/hold/drop": {"deliveryId": "x"},
                "/hold/release": {"all": True}}.get(path)
        assert_problem(getattr(held.http, method)(unknown + path, json=body, timeout=10), 404,
                       detail="no webhook")

    # Not on hold: 409 for everything but holding it.
    for path, body in (("/hold/move", {"deliveryId": "x", "position": 1}),
                       ("/hold/drop", {"deliveryId": "x"}), ("/hold/release", {"all": True}),
                       ("/resume", {})):
        problem = assert_problem(held.http.post(held.base + path, json=body, timeout=10), 409,
                                 detail="is not on hold")
        assert problem["held"] is False
    assert held.call()["held"] is False

    held.call("/hold", {})
    d = held.fire(2)
    bad = [
        ("/hold/move", {"deliveryId": d[0], "position": 0}, 400, "position"),
        ("/hold/move", {"deliveryId": d[0], "position": 3}, 400, "position"),
        ("/hold/move", {"deliveryId": d[0], "position": "1"}, 400, "position"),
        ("/hold/move", {"deliveryId": d[0], "position": True}, 400, "position"),
        ("/hold/move", {"deliveryId": d[0]}, 400, "position"),
        ("/hold/move", {"deliveryId": d[0], "position": 1, "direction": "up"}, 400, "position"),
        ("/hold/move", {"deliveryId": d[0], "direction": "left"}, 400, "direction"),
        ("/hold/move", {"position": 1}, 400, "deliveryId"),
        ("/hold/move", {"deliveryId": d[0], "position": 1, "to": 2}, 400, "to"),
        ("/hold/drop", {}, 400, "deliveryId"),
        ("/hold/drop", {"deliveryId": 7}, 400, "deliveryId"),
        ("/hold/release", {}, 400, "deliveryIds"),
        ("/hold/release", {"count": 1, "all": True}, 400, "deliveryIds"),
        ("/hold/release", {"count": 0}, 400, "count"),
        ("/hold/release", {"count": 3}, 400, "count"),
        ("/hold/release", {"count": 1.5}, 400, "count"),
        ("/hold/release", {"all": "yes"}, 400, "all"),
        ("/hold/release", {"deliveryIds": []}, 400, "deliveryIds"),
        ("/hold/release", {"deliveryIds": d[0]}, 400, "deliveryIds"),
        ("/hold/release", {"deliveryIds": [d[0], d[0]]}, 400, "deliveryIds"),
    ]
    for path, body, status, field in bad:
        assert_problem(held.http.post(held.base + path, json=body, timeout=10), status, field=field)
    not_json = held.http.post(held.base + "/hold/drop", data="deliveryId", timeout=10,
                              headers={"Content-Type": "text/plain"})
    assert_problem(not_json, 415)

    # A delivery that is not in the queue: 404 when there is no such delivery, else 409 with its status.
    for path, body in (("/hold/move", {"deliveryId": "nope", "position": 1}),
                       ("/hold/drop", {"deliveryId": "nope"}),
                       ("/hold/release", {"deliveryIds": [d[0], "nope"]})):
        assert_problem(held.http.post(held.base + path, json=body, timeout=10), 404, detail="no delivery")
    held.call("/hold/drop", {"deliveryId": d[1]})
    for path, body in (("/hold/move", {"deliveryId": d[1], "direction": "up"}),
                       ("/hold/drop", {"deliveryId": d[1]}), ("/hold/release", {"deliveryIds": [d[1]]})):
        problem = assert_problem(held.http.post(held.base + path, json=body, timeout=10), 409,
                                 detail="not in this webhook's hold queue")
        assert problem["deliveryStatus"] == "cancelled"
    assert held.queue() == [d[0]]          # nothing above changed the queue


def test_hold_takes_back_what_the_engine_had_queued_while_one_is_being_sent(live_server, account):
    arrived, let_go = threading.Event(), threading.Event()

    def hang_first(_request):
        if not arrived.is_set():
            arrived.set()
            let_go.wait(15)
        return 200, {}, b"ok"

    with Receiver(hang_first) as receiver:
        held = Held(live_server.url, account, receiver)
        d = held.fire(5)
        try:
            assert arrived.wait(10)        # d[0] is being sent; the engine holds d[1..4] in its lane
            wait_until(lambda: all(held.delivery(i)["inFlight"] for i in d), message="all five claimed")
            state = held.call("/hold", {})
            assert [item["id"] for item in state["queue"]] == d[1:]   # taken back from the engine, in order
            assert not any(held.delivery(i)["inFlight"] for i in d[1:])
        finally:
            let_go.set()
        wait_until(lambda: held.delivery(d[0])["status"] == "succeeded", message="the attempt under way")
        assert arrived_ids(receiver) == [d[0]] and held.queue() == d[1:]
        held.call("/hold/release", {"deliveryIds": [d[4], d[2]]})
        held.call("/resume", {})
        wait_until(lambda: len(receiver.requests) == 5, message="the rest")
        assert arrived_ids(receiver) == [d[0], d[4], d[2], d[1], d[3]]


def arrived_ids(receiver: Receiver) -> list[str]:
    return [r.headers["Wink-Delivery-Id"] for r in list(receiver.requests)]
