"""Deliveries API: list, show, send again (one and many), webhooks' retry schedules.

The engine runs in the test's thread (``run_once``), so each step is deterministic.
"""

from __future__ import annotations

import datetime
import time

import pytest

from sandbox.db import connect
from sandbox.delivery import get_engine
from sandbox.store import deliveries as delivery_store
from tests.conftest import assert_problem
from tests.receivers import Receiver
from tests.test_delivery import fire, make_webhook


def send(client) -> int:
    return get_engine(client.application).run_once()


def shown(client, delivery_id) -> dict:
    return client.get(f"/api/deliveries/{delivery_id}").get_json()


@pytest.fixture
def ok_and_failing(client, account):
    with Receiver() as ok, Receiver(lambda r: (500, {}, b"down")) as failing:
        yield (make_webhook(client, account, ok.url, name="OK", schedule=[]),
               make_webhook(client, account, failing.url, name="Failing", schedule=[]), ok, failing)


def test_list_filters_and_pages(client, account, ok_and_failing):
    good, bad, _ok, _failing = ok_and_failing
    first = fire(client, account, "payee.update", undelivered=True)["events"][0]
    send(client)
    since = client.get(f"/api/deliveries/{first['deliveries'][0]['id']}").get_json()["updatedDate"]
    time.sleep(0.002)  # the next deliveries are made strictly after `since` (millisecond timestamps)
    second = fire(client, account, "booking.create", count=2)["events"]
    send(client)

    def ids(query):
        body = client.get(f"/api/deliveries?{query}").get_json()
        return [d["id"] for d in body["items"]]

    everything = ids("limit=500")
    assert len(everything) == 6
    assert everything[0] in [d["id"] for d in second[1]["deliveries"]]          # newest first
    assert len(ids("status=succeeded")) == 3 and len(ids("status=failed")) == 3
    assert ids("status=pending") == [] and ids("status=retrying") == []
    assert len(ids(f"webhookId={good['id']}")) == 3
    assert sorted(ids(f"eventId={first['id']}")) == sorted(d["id"] for d in first["deliveries"])
    assert len(ids("event=booking.create")) == 4
    assert len(ids(f"entity={account['id']}")) == 6 and ids("entity=someone-else") == []
    assert len(ids(f"since={since}")) == 4
    assert ids(f"from={since}") == ids(f"since={since}")
    assert sorted(ids(f"to={since}")) == sorted(d["id"] for d in first["deliveries"])   # inclusive
    assert ids(f"from={since}&to={since}") == [] and ids("to=2000-01-01") == []
    assert ids(f"to={since}&limit=1") + ids(f"to={since}&limit=1&cursor=" + client.get(
        f"/api/deliveries?to={since}&limit=1").get_json()["nextCursor"]) == ids(f"to={since}")
    assert ids(f"status=failed&webhookId={bad['id']}&event=payee.update") == [
        d["id"] for d in first["deliveries"] if d["webhookId"] == bad["id"]]

    page1 = client.get("/api/deliveries?limit=4").get_json()
    page2 = client.get(f"/api/deliveries?limit=4&cursor={page1['nextCursor']}").get_json()
    assert [d["id"] for d in page1["items"] + page2["items"]] == everything
    assert page2["nextCursor"] is None


@pytest.mark.parametrize(("query", "field"), [("status=lost", "status"), ("since=yesterday", "since"),
                                              ("from=yesterday", "from"), ("to=2026-13-01", "to"),
                                              ("event=no.such", "event"), ("limit=0", "limit"),
                                              ("cursor=x", "cursor"),
                                              ("cursor=99999999999999999999999", "cursor"),
                                              ("cursor=%C2%B2", "cursor")])
def test_list_refuses_bad_filters(client, query, field):
    assert_problem(client.get(f"/api/deliveries?{query}"), 400, field=field)


@pytest.mark.parametrize(("query", "start"), [
    ("from=2026-01-02T00:00:00Z&to=2026-01-01T23:59:59Z", "from"),
    ("since=2026-01-02T00:00:00Z&to=2026-01-01T23:59:59Z", "since"),
    ("from=2026-01-02T01:00:00%2B01:00&to=2026-01-01T23:59:59Z", "from"),   # 00:00 UTC: offsets count
])
def test_list_refuses_a_range_that_ends_before_it_starts(client, query, start):
    body = assert_problem(client.get(f"/api/deliveries?{query}"), 400, field="to")
    assert body["errors"] == [{"field": "to", "message": f"must not be before {start}"}]


def test_list_takes_a_range_of_one_instant(client):
    body = client.get("/api/deliveries?from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00%2B01:00").get_json()
    assert body["items"] == []


def test_show_has_every_attempt_and_404(client, account, ok_and_failing):
    _good, bad, _ok, failing = ok_and_failing
    [event] = fire(client, account, "payee.update", undelivered=True, webhookId=bad["id"])["events"]
    send(client)
    detail = shown(client, event["deliveries"][0]["id"])
    assert detail["status"] == "failed" and detail["lastError"].startswith("HTTP 500")
    [attempt] = detail["attempts"]
    assert attempt["response"] == {"status": 500, "headers": attempt["response"]["headers"], "body": "down",
                                   "truncated": False}
    assert attempt["request"]["url"] == failing.url and attempt["trigger"] == "initial"
    assert_problem(client.get("/api/deliveries/nope"), 404, detail="nope")


def test_manual_retry_after_success_keeps_the_webhook_id(client, account, ok_and_failing):
    good, _bad, ok, _failing = ok_and_failing
    [event] = fire(client, account, "payee.update", undelivered=True, webhookId=good["id"])["events"]
    delivery_id = event["deliveries"][0]["id"]
    send(client)
    response = client.post(f"/api/deliveries/{delivery_id}/retry")
    assert response.status_code == 202 and response.get_json()["status"] == "pending"
    assert send(client) == 1
    detail = shown(client, delivery_id)
    assert [a["trigger"] for a in detail["attempts"]] == ["initial", "manual"]
    assert detail["status"] == "succeeded" and detail["attemptCount"] == 2
    assert [r.headers["Wink-Event-Id"] for r in ok.requests] == [event["id"], event["id"]]
    assert [r.headers["Wink-Delivery-Attempt"] for r in ok.requests] == ["1", "2"]


def test_failed_manual_retry_ends_failed_but_a_retrying_one_keeps_its_schedule(client, account):
    with Receiver(lambda r: (500, {}, b"")) as failing:
        hook = make_webhook(client, account, failing.url, schedule=[])
        [event] = fire(client, account, "payee.update", undelivered=True)["events"]
        delivery_id = event["deliveries"][0]["id"]
        send(client)
        assert client.post(f"/api/deliveries/{delivery_id}/retry").status_code == 202
        send(client)
        assert shown(client, delivery_id)["status"] == "failed"

        client.put(f"/api/webhooks/{hook['id']}/retry-schedule", json={"schedule": [3600, 0]})
        [event] = fire(client, account, "payee.update", undelivered=True)["events"]
        delivery_id = event["deliveries"][0]["id"]
        send(client)
        assert shown(client, delivery_id)["status"] == "retrying"
        assert send(client) == 0                                     # the retry is an hour away
        assert client.post(f"/api/deliveries/{delivery_id}/retry").status_code == 202
        send(client)
        detail = shown(client, delivery_id)
        assert [a["trigger"] for a in detail["attempts"]] == ["initial", "manual"]
        assert detail["status"] == "retrying"        # a manual attempt does not use up a step:
        due = datetime.datetime.fromisoformat(detail["nextAttemptAt"]).timestamp()
        assert due - time.time() > 3500
        assert send(client) == 0                     # the first retry is still an hour away


def test_manual_retry_conflicts(client, account, ok_and_failing):
    good, _bad, ok, _failing = ok_and_failing
    [event] = fire(client, account, "payee.update", undelivered=True, webhookId=good["id"])["events"]
    delivery_id = event["deliveries"][0]["id"]
    db = connect(client.application.config["DATABASE"])
    delivery_store.claim_due(db, time.time(), 10)                     # as if an attempt were in flight
    assert_problem(client.post(f"/api/deliveries/{delivery_id}/retry"), 409, detail="being sent")
    delivery_store.release_claims(db)
    base = f"/api/managing-entity/{account['id']}/webhook/{good['id']}"
    client.patch(base, json={"name": "OK", "entity": {"identifier": account["id"]}, "enabled": False,
                             "eventUrl": ok.url, "eventList": []})
    assert_problem(client.post(f"/api/deliveries/{delivery_id}/retry"), 409, detail="disabled")
    client.delete(base)
    assert shown(client, delivery_id)["status"] == "cancelled"
    assert_problem(client.post(f"/api/deliveries/{delivery_id}/retry"), 409, detail="deleted")
    assert_problem(client.post("/api/deliveries/nope/retry"), 404)


def test_bulk_retry_by_filter(client, account, ok_and_failing):
    good, bad, ok, failing = ok_and_failing
    fire(client, account, "payee.update", undelivered=True, count=3)
    send(client)
    response = client.post("/api/deliveries/retry", json={"status": "failed"})
    assert response.status_code == 202
    assert response.get_json() == {"matched": 3, "retried": 3, "skipped": 0}
    assert send(client) == 3
    assert len(failing.requests) == 6 and len(ok.requests) == 3
    answer = client.post("/api/deliveries/retry", json={"webhookId": good["id"], "since": "2000-01-01"})
    assert answer.get_json()["retried"] == 3
    send(client)
    assert len(ok.requests) == 6
    assert client.post("/api/deliveries/retry", json={"webhookId": bad["id"], "status": "succeeded"}
                       ).get_json() == {"matched": 0, "retried": 0, "skipped": 0}


@pytest.mark.parametrize(("body", "field"), [({}, "status"), ({"status": "lost"}, "status"),
                                             ({"since": "soon"}, "since"), ({"webhookId": 3}, "webhookId"),
                                             ({"status": "failed", "colour": "red"}, "colour")])
def test_bulk_retry_refuses_bad_filters(client, body, field):
    assert_problem(client.post("/api/deliveries/retry", json=body), 400, field=field)


def test_bulk_retry_refuses_bad_bodies(client):
    assert_problem(client.post("/api/deliveries/retry", data="[", content_type="application/json"), 400)
    assert_problem(client.post("/api/deliveries/retry", data="x", content_type="text/plain"), 415)


def test_all_webhooks_with_their_last_delivery(client, account, ok_and_failing):
    good, bad, _ok, _failing = ok_and_failing
    assert [h["lastDelivery"] for h in client.get("/api/webhooks").get_json()] == [None, None]
    fire(client, account, "payee.update", undelivered=True)
    send(client)
    listed = {h["id"]: h for h in client.get("/api/webhooks").get_json()}
    assert listed[good["id"]]["lastDelivery"]["status"] == "succeeded"
    assert listed[bad["id"]]["lastDelivery"]["statusCode"] == 500
    assert listed[good["id"]]["ownerIdentifier"] == account["id"]


def test_retry_schedule_routes(app, client, account):
    hook = make_webhook(client, account, "http://127.0.0.1:9/x")
    path = f"/api/webhooks/{hook['id']}/retry-schedule"
    assert client.get(path).get_json() == {"webhookId": hook["id"], "source": "server",
                                           "schedule": [2, 5, 30, 120, 600], "attempts": 6}
    assert client.put(path, json={"schedule": [1, 2.5]}).get_json()["schedule"] == [1, 2.5]
    svix = client.put(path, json={"preset": "svix", "timeFactor": 0.001}).get_json()
    assert svix["source"] == "webhook" and svix["schedule"] == [0.005, 0.3, 1.8, 7.2, 18, 36, 36]
    assert svix["attempts"] == 8
    assert client.put(path, json={"schedule": []}).get_json()["attempts"] == 1
    assert client.delete(path).get_json()["source"] == "server"
    app.config.update(RETRY_PRESET="svix", RETRY_TIME_FACTOR=0.5)
    assert client.get(path).get_json()["schedule"][:2] == [2.5, 150]
    for method in (client.get, client.put, client.delete):
        assert_problem(method("/api/webhooks/nope/retry-schedule", json={"schedule": []}), 404)


@pytest.mark.parametrize(("body", "field"), [({}, "schedule"), ({"schedule": "fast"}, "schedule"),
                                             ({"schedule": [-1]}, "schedule"),
                                             ({"schedule": [True]}, "schedule"),
                                             ({"schedule": [1] * 51}, "schedule"),
                                             ({"schedule": [10**9]}, "schedule"),
                                             ({"preset": "turbo"}, "preset"),
                                             ({"preset": ["svix"]}, "preset"),
                                             ({"preset": {"name": "svix"}}, "preset"),
                                             ({"preset": "svix", "schedule": [1]}, "preset"),
                                             ({"schedule": [1], "timeFactor": 0}, "timeFactor"),
                                             ({"schedule": [1], "speed": 2}, "speed")])
def test_retry_schedule_refuses_bad_bodies(client, account, body, field):
    hook = make_webhook(client, account, "http://127.0.0.1:9/x")
    assert_problem(client.put(f"/api/webhooks/{hook['id']}/retry-schedule", json=body), 400, field=field)
