"""Fixtures API: GET /api/fixtures, POST /api/fixtures/{name}/run, POST /api/events/{id}/fixture."""

from __future__ import annotations

import json

import pytest

from sandbox import create_app
from tests.conftest import assert_problem
from tests.receivers import Receiver


@pytest.fixture
def fixtures_dir(tmp_path):
    return tmp_path / "mine"


@pytest.fixture
def app(db_path, fixtures_dir):
    return create_app({"DATABASE": db_path, "TESTING": True, "FIXTURES_DIR": str(fixtures_dir),
                       "RETRY_SCHEDULE": []})


def hook(client, account, url="http://127.0.0.1:9/unused") -> dict:
    return client.post(f"/api/managing-entity/{account['id']}/webhook",
                       json={"name": "Hook", "eventUrl": url, "eventList": []}).get_json()


def test_list_shows_shipped_and_own_fixtures_and_invalid_files(client, fixtures_dir):
    fixtures_dir.mkdir()
    (fixtures_dir / "mine.json").write_text(json.dumps({"kind": "event", "event": "booking.created",
                                                        "seed": 5}))
    (fixtures_dir / "broken.json").write_text(json.dumps({"kind": "scenario", "steps": [{"name": "a"}]}))
    body = client.get("/api/fixtures").get_json()
    by_name = {f["name"]: f for f in body["items"]}
    assert {"booking-life", "payment-failed", "partial-refund-payout", "property-onboarding",
            "booking.created", "mine"} <= set(by_name)
    life = by_name["booking-life"]
    assert life["kind"] == "scenario" and life["params"][0]["name"] == "payment_outcome"
    assert [s["name"] for s in life["steps"]][:3] == ["created", "processing", "payment"]
    assert body["items"][0]["kind"] == "scenario"  # scenarios first
    [invalid] = body["invalid"]
    assert invalid["file"].endswith("broken.json")
    assert invalid["errors"] == [{"step": "1 'a'", "field": "event", "message": "is required"}]


def test_run_fires_every_step_for_the_account(client, account):
    hook(client, account)
    response = client.post("/api/fixtures/booking-life/run", json={
        "entity": account["id"], "params": {"payment_outcome": "failed"}, "delays": False, "seed": 3})
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["seed"] == 3 and [e["step"] for e in body["events"]] == [
        "created", "processing", "payment", "booking_failed"]
    assert all(len(e["deliveries"]) == 1 for e in body["events"])
    stored = [client.get(f"/api/events/{e['id']}").get_json()["envelope"] for e in body["events"]]
    booking_id = stored[0]["data"]["id"]
    assert stored[1]["data"]["bookingIdentifier"] == booking_id and stored[3]["data"]["id"] == booking_id
    assert stored[2]["event"] == "internal.payment.failed"
    again = client.post("/api/fixtures/booking-life/run", json={
        "entity": account["id"], "params": {"payment_outcome": "failed"}, "delays": False, "seed": 3})
    repeat = [client.get(f"/api/events/{e['id']}").get_json()["envelope"] for e in again.get_json()["events"]]
    assert [e["data"] for e in repeat] == [e["data"] for e in stored]  # same seed, same data


def test_run_uses_the_webhook_owner_and_chaos_through_the_engine(live_server, client, account):
    with Receiver() as receiver:
        target = hook(client, account, receiver.url)
        response = client.post("/api/fixtures/property-onboarding/run", json={
            "webhookId": target["id"], "delays": False, "seed": 1,
            "chaos": {"duplicates": 1, "shuffle": True, "stale": True}})
        assert response.status_code == 202, response.get_json()
        got = receiver.wait_for(8)
    body = response.get_json()
    assert sorted(e["event"] for e in body["events"]) == sorted(
        ["managing_entity.created", "property.created", "room_type.created", "rate_plan.created"])
    assert [e["event"] for e in body["events"]] != ["managing_entity.created", "property.created",
                                                    "room_type.created", "rate_plan.created"]
    assert all(d["sent"] for d in body["duplicates"]) and len(body["duplicates"]) == 4
    ids = [r.headers["webhook-id"] for r in got]
    assert sorted(set(ids)) == sorted(e["id"] for e in body["events"]) and len(ids) == 8
    stored = client.get(f"/api/events/{body['events'][0]['id']}").get_json()
    assert stored["chaos"] == {"label": "duplicate", "staleSeconds": 600}


@pytest.mark.parametrize("body, field", [
    ({}, "entity"),
    ({"entity": "nope"}, "entity"),
    ({"entity": "ACCOUNT", "webhookId": "nope"}, "webhookId"),
    ({"entity": "ACCOUNT", "params": {"payment_outcome": "maybe"}}, "params.payment_outcome"),
    ({"entity": "ACCOUNT", "params": {"colour": "red"}}, "params.colour"),
    ({"entity": "ACCOUNT", "params": ["x"]}, "params"),
    ({"entity": "ACCOUNT", "set": ["roomStay.adults=many"]}, "step 1 'created' data.roomStay.adults"),
    ({"entity": "ACCOUNT", "set": 5}, "set"),
    ({"entity": "ACCOUNT", "seed": -1}, "seed"),
    ({"entity": "ACCOUNT", "delays": "no"}, "delays"),
    ({"entity": "ACCOUNT", "chaos": "lots"}, "chaos"),
    ({"entity": "ACCOUNT", "chaos": {"duplicates": 2}}, "chaos.duplicates"),
    ({"entity": "ACCOUNT", "chaos": {"jitterMs": 10**6}}, "chaos.jitterMs"),
    ({"entity": "ACCOUNT", "chaos": {"shuffle": "yes"}}, "chaos.shuffle"),
    ({"entity": "ACCOUNT", "chaos": {"fire": True}}, "chaos.fire"),
    ({"entity": "ACCOUNT", "colour": 1}, "colour"),
])
def test_run_refuses_bad_input_naming_the_field(client, account, body, field):
    body = {k: account["id"] if v == "ACCOUNT" else v for k, v in body.items()}
    assert_problem(client.post("/api/fixtures/booking-life/run", json=body), 400, field=field)
    assert client.get("/api/events").get_json()["items"] == []


def test_run_unknown_fixture_and_bad_bodies(client, account):
    assert_problem(client.post("/api/fixtures/no-such/run", json={"entity": account["id"]}), 404,
                   detail="no fixture named 'no-such'")
    assert_problem(client.post("/api/fixtures/booking-life/run", data="{x", content_type="application/json"),
                   400)
    assert_problem(client.post("/api/fixtures/booking-life/run", data="x", content_type="text/plain"), 415)


def test_record_returns_saves_and_refuses_to_overwrite(client, account, fixtures_dir):
    fired = client.post("/api/events", json={"event": "booking.created", "entity": account["id"],
                                             "seed": 4}).get_json()["events"][0]
    envelope = client.get(f"/api/events/{fired['id']}").get_json()["envelope"]
    preview = client.post(f"/api/events/{fired['id']}/fixture", json={"save": False})
    assert preview.status_code == 200
    body = preview.get_json()
    assert body["path"] is None and body["name"] == f"booking.created-{fired['id'][:8]}"
    assert body["fixture"]["data"] == envelope["data"] and body["fixture"]["event"] == "booking.created"
    assert not fixtures_dir.exists()

    saved = client.post(f"/api/events/{fired['id']}/fixture", json={"name": "kept"})
    assert saved.status_code == 201
    path = fixtures_dir / "recorded" / "kept.json"
    assert saved.get_json()["path"] == str(path) and json.loads(path.read_text())["data"] == envelope["data"]
    assert_problem(client.post(f"/api/events/{fired['id']}/fixture", json={"name": "kept"}), 409,
                   detail="exists")
    assert client.post(f"/api/events/{fired['id']}/fixture",
                       json={"name": "kept", "overwrite": True}).status_code == 201
    assert "kept" in [f["name"] for f in client.get("/api/fixtures").get_json()["items"]]


@pytest.mark.parametrize("body, field", [
    ({"name": "../escape"}, "name"),
    ({"name": ""}, "name"),
    ({"name": 5}, "name"),
    ({"save": "yes"}, "save"),
    ({"overwrite": 1}, "overwrite"),
    ({"colour": 1}, "colour"),
])
def test_record_refuses_bad_input(client, account, body, field, fixtures_dir):
    fired = client.post("/api/events", json={"event": "booking.created",
                                             "entity": account["id"]}).get_json()["events"][0]
    assert_problem(client.post(f"/api/events/{fired['id']}/fixture", json=body), 400, field=field)
    assert not fixtures_dir.exists()


def test_record_unknown_event(client):
    assert_problem(client.post("/api/events/nope/fixture", json={}), 404, detail="No event with id 'nope'")
