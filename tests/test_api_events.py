"""Events API: firing (every field and every bad input), listing and showing fired events."""

from __future__ import annotations

import json

import pytest

from sandbox.envelope import to_json
from tests.conftest import assert_problem
from tests.test_delivery import fire, make_webhook

UNUSED = "http://127.0.0.1:9/never"  # nothing is sent: these tests run without the engine's threads


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "event"),
        ({"event": "booking.create"}, "entity"),
        ({"event": "booking.craete", "entity": "ACCOUNT"}, "event"),
        ({"event": 5, "entity": "ACCOUNT"}, "event"),
        ({"event": "booking.create", "entity": "no-such-account"}, "entity"),
        ({"event": "booking.create", "entity": 7}, "entity"),
        ({"event": "booking.create", "entity": "ACCOUNT", "count": 0}, "count"),
        ({"event": "booking.create", "entity": "ACCOUNT", "count": 10_001}, "count"),
        ({"event": "booking.create", "entity": "ACCOUNT", "count": "3"}, "count"),
        ({"event": "booking.create", "entity": "ACCOUNT", "count": True}, "count"),
        ({"event": "booking.create", "entity": "ACCOUNT", "seed": -1}, "seed"),
        ({"event": "booking.create", "entity": "ACCOUNT", "seed": 1.5}, "seed"),
        ({"event": "booking.create", "entity": "ACCOUNT", "locale": 3}, "locale"),
        ({"event": "booking.create", "entity": "ACCOUNT", "locale": "xx_NOPE"}, "locale"),
        ({"event": "booking.create", "entity": "ACCOUNT", "overrides": [1]}, "overrides"),
        ({"event": "booking.create", "entity": "ACCOUNT", "set": "a=1"}, "set"),
        ({"event": "booking.create", "entity": "ACCOUNT", "set": ["no equals sign"]}, "set[0]"),
        ({"event": "booking.create", "entity": "ACCOUNT", "data": []}, "data"),
        ({"event": "booking.create", "entity": "ACCOUNT", "data": {}, "seed": 1}, "data"),
        ({"event": "booking.create", "entity": "ACCOUNT", "object": [], "seed": 1}, "object"),
        ({"event": "booking.create", "entity": "ACCOUNT", "object": {}, "data": {}}, "data"),
        ({"event": "booking.create", "entity": "ACCOUNT", "reseller": 1}, "reseller"),
        ({"event": "booking.create", "entity": "ACCOUNT", "hotel": "nobody"}, "hotel"),
        ({"event": "booking.create", "entity": "ACCOUNT", "webhookId": 5}, "webhookId"),
        ({"event": "booking.create", "entity": "ACCOUNT", "webhookId": "nope"}, "webhookId"),
        ({"event": "booking.create", "entity": "ACCOUNT", "chaos": "stale"}, "chaos"),
        ({"event": "booking.create", "entity": "ACCOUNT", "chaos": {"label": "fire"}}, "chaos.label"),
        ({"event": "booking.create", "entity": "ACCOUNT", "chaos": {"staleSeconds": -5}},
         "chaos.staleSeconds"),
        ({"event": "booking.create", "entity": "ACCOUNT", "chaos": {"color": 1}}, "chaos.color"),
        ({"event": "booking.create", "entity": "ACCOUNT", "colour": "red"}, "colour"),
    ],
)
def test_fire_refuses_bad_fields(client, account, body, field):
    body = {key: (account["id"] if value == "ACCOUNT" else value) for key, value in body.items()}
    assert_problem(client.post("/api/events", json=body), 400, field=field)
    assert client.get("/api/events").get_json()["items"] == []


def test_fire_refuses_bad_bodies(client):
    assert_problem(client.post("/api/events", data="{nope", content_type="application/json"), 400)
    assert_problem(client.post("/api/events", json=["booking.create"]), 400)
    assert_problem(client.post("/api/events", data="event=x", content_type="text/plain"), 415)


def test_fire_refuses_a_lone_surrogate_in_data(client, account):
    body = json.dumps({"event": "booking.create", "entity": account["id"], "data": {"note": "\ud800"}})
    assert "\\ud800" in body  # json.dumps escapes the lone surrogate, as a client's encoder would
    assert_problem(client.post("/api/events", data=body, content_type="application/json"), 400,
                   detail="surrogate")
    assert client.get("/api/events").get_json()["items"] == []


def test_unknown_key_suggests_the_right_one(client, account):
    response = client.post("/api/events", json={"event": "booking.craete", "entity": account["id"]})
    body = assert_problem(response, 400, field="event")
    assert "booking.create" in body["detail"]


def test_count_and_seed_make_distinct_reproducible_events(client, account):
    make_webhook(client, account, UNUSED)
    answer = fire(client, account, "booking.create", count=3, seed=40)
    ids = [e["id"] for e in answer["events"]]
    assert len(set(ids)) == 3 and all(len(e["deliveries"]) == 1 for e in answer["events"])
    third = fire(client, account, "booking.create", seed=42)["events"][0]
    data = [client.get(f"/api/events/{i}").get_json() for i in [*ids, third["id"]]]
    assert data[2]["envelope"]["object"] == data[3]["envelope"]["object"]       # event i uses seed + i
    assert data[0]["envelope"]["object"] != data[1]["envelope"]["object"]
    assert [d["seed"] for d in data] == [40, 41, 42, 42]


def test_overrides_set_and_locale_shape_the_data(client, account):
    [event] = fire(client, account, "booking.create", seed=1, locale="pt-BR",
                   overrides={"bookingCode": "WNKTEST1"}, set={"stay.adults": 4})["events"]
    shown = client.get(f"/api/events/{event['id']}").get_json()
    assert shown["envelope"]["object"]["bookingCode"] == "WNKTEST1"
    assert shown["envelope"]["object"]["stay"]["adults"] == 4
    assert shown["locale"] == "pt-BR"


@pytest.mark.parametrize("field", ["object", "data"])   # `data`: the old name, still accepted
def test_data_is_delivered_exactly(client, account, field):
    data = {"z": 1, "a": ["é", {"nested": None}], "amount": 12.5}
    [event] = fire(client, account, "payee.update", undelivered=True, **{field: data})["events"]
    shown = client.get(f"/api/events/{event['id']}").get_json()
    assert shown["envelope"]["object"] == data
    assert to_json(shown["envelope"]).find(json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                                           .encode()) > 0
    assert list(shown["envelope"]["object"]) == ["z", "a", "amount"]


def test_webhook_id_targets_one_webhook_even_off_its_list(client, account):
    wanted = make_webhook(client, account, UNUSED, events=["booking.create"])
    other = make_webhook(client, account, UNUSED, events=["payee.update"])
    [event] = fire(client, account, "booking.create", webhookId=other["id"])["events"]
    assert [d["webhookId"] for d in event["deliveries"]] == [other["id"]]
    assert wanted["id"] not in [d["webhookId"] for d in event["deliveries"]]
    shown = client.get(f"/api/events/{event['id']}").get_json()
    assert shown["webhookId"] == other["id"] and len(shown["deliveries"]) == 1


def test_webhook_id_of_another_account_or_disabled_is_refused(client, account):
    elsewhere = client.post("/api/managing-entity", json={"name": "Elsewhere"}).get_json()
    theirs = make_webhook(client, elsewhere, UNUSED)
    assert_problem(client.post("/api/events", json={"event": "booking.create", "entity": account["id"],
                                                    "webhookId": theirs["id"]}), 400, field="webhookId")
    off = make_webhook(client, account, UNUSED, enabled=False, name="Paused")
    body = assert_problem(client.post("/api/events", json={"event": "booking.create", "entity": account["id"],
                                                           "webhookId": off["id"]}), 409, detail="disabled")
    assert body["webhookId"] == off["id"]


def test_booking_created_and_booking_create_reach_the_same_webhooks(client, account):
    hook = make_webhook(client, account, UNUSED, events=["booking.created"])
    for key in ("booking.create", "booking.created"):
        [event] = fire(client, account, key)["events"]
        assert [d["webhookId"] for d in event["deliveries"]] == [hook["id"]]


def test_list_filters_and_pages_newest_first(client, account):
    other = client.post("/api/managing-entity", json={"name": "Other"}).get_json()
    mine = [e["id"] for e in fire(client, account, "payee.update", undelivered=True, count=5)["events"]]
    fire(client, other, "payee.update", undelivered=True)
    booking = fire(client, account, "booking.create")["events"][0]["id"]

    first = client.get(f"/api/events?entity={account['id']}&limit=4").get_json()
    assert [e["id"] for e in first["items"]] == [booking, *mine[::-1][:3]]
    second = client.get(f"/api/events?entity={account['id']}&limit=4&cursor={first['nextCursor']}").get_json()
    assert [e["id"] for e in second["items"]] == mine[1::-1] and second["nextCursor"] is None
    by_key = client.get("/api/events?event=booking.create").get_json()["items"]
    assert [e["id"] for e in by_key] == [booking]
    assert len(client.get("/api/events").get_json()["items"]) == 7


@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=501", "limit"),
                                              ("limit=x", "limit"), ("cursor=abc", "cursor"),
                                              ("cursor=-1", "cursor"), ("event=nope.nope", "event"),
                                              ("cursor=99999999999999999999999", "cursor"),
                                              ("cursor=%C2%B2", "cursor")])
def test_list_refuses_bad_parameters(client, query, field):
    assert_problem(client.get(f"/api/events?{query}"), 400, field=field)


def test_show_unknown_event_is_404(client):
    assert_problem(client.get("/api/events/nope"), 404, detail="nope")


def test_event_detail_has_envelope_and_deliveries(client, account):
    hook = make_webhook(client, account, UNUSED)
    [event] = fire(client, account, "booking.create", chaos={"label": "duplicate"})["events"]
    shown = client.get(f"/api/events/{event['id']}").get_json()
    assert shown["envelope"]["id"] == event["id"] and shown["envelope"]["type"] == "booking.create"
    assert shown["entity"] == account["id"] and shown["deliveryCount"] == 1
    assert shown["chaos"] == {"label": "duplicate"}
    [item] = shown["deliveries"]
    assert item["webhookId"] == hook["id"] and item["status"] == "pending" and item["chaos"] == "duplicate"
