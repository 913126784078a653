"""Fixtures API: GET /api/fixtures, POST /api/fixtures/{name}/run, POST /api/events/{id}/fixture."""

from __future__ import annotations

import json

import pytest

from sandbox import create_app, payloads
from sandbox.envelope import FIELDS
from tests.conftest import assert_problem
from tests.receivers import Receiver

LIFE = ["booking.create", "booking.cancelled", "booking.refund.request", "booking.refund.full"]


@pytest.fixture
def fixtures_dir(tmp_path):
    return tmp_path / "mine"


@pytest.fixture
def app(db_path, fixtures_dir):
    return create_app({"DATABASE": db_path, "TESTING": True, "FIXTURES_DIR": str(fixtures_dir),
                       "RETRY_SCHEDULE": []})


def hook(client, account, url="http://127.0.0.1:9/unused") -> dict:
    """Create a webhook; return it (the answer is Wink's {secret, webhook})."""
    created = client.post(f"/api/managing-entity/{account['id']}/webhook",
                          json={"name": "Hook", "eventUrl": url, "eventList": []})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["webhook"]


def write(fixtures_dir, name: str, doc: dict) -> None:
    fixtures_dir.mkdir(exist_ok=True)
    (fixtures_dir / f"{name}.json").write_text(json.dumps(doc))


def test_list_shows_shipped_and_own_fixtures_and_invalid_files(client, fixtures_dir):
    write(fixtures_dir, "mine", {"kind": "event", "type": "booking.create", "seed": 5})
    write(fixtures_dir, "old", {"kind": "event", "event": "booking.created", "seed": 5})
    write(fixtures_dir, "broken", {"kind": "scenario", "steps": [{"name": "a"}]})
    body = client.get("/api/fixtures").get_json()
    by_name = {f["name"]: f for f in body["items"]}
    assert {"booking-life", "payment-failed", "partial-refund-funds", "property-onboarding",
            "booking.created", "mine", "old"} <= set(by_name)
    life = by_name["booking-life"]
    assert life["kind"] == "scenario" and life["params"][0]["name"] == "canceller"
    assert [(s["name"], s["type"]) for s in life["steps"]] == [
        ("created", "booking.create"), ("cancelled", "booking.cancelled"),
        ("refund_requested", "booking.refund.request"), ("refunded", "booking.refund.full")]
    assert body["items"][0]["kind"] == "scenario"  # scenarios first
    assert by_name["mine"]["warnings"] == [] and life["warnings"] == []
    [warning] = by_name["old"]["warnings"]  # the old name still loads, with a note
    assert (warning["step"], warning["field"]) == (None, "event") and "deprecated" in warning["message"]
    assert by_name["old"]["steps"] == [{"name": "old", "type": "booking.created", "delayMs": 0,
                                        "description": "", "narration": {}}]  # no narration: it loads
    [invalid] = body["invalid"]
    assert invalid["file"].endswith("broken.json")
    assert invalid["errors"] == [{"step": "1 'a'", "field": "type", "message": "is required"}]


def test_run_fires_every_step_for_the_account(client, account):
    hook(client, account)
    response = client.post("/api/fixtures/booking-life/run", json={
        "entity": account["id"], "params": {"canceller": "AGENT"}, "delays": False, "seed": 3})
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["seed"] == 3 and [e["step"] for e in body["events"]] == [
        "created", "cancelled", "refund_requested", "refunded"]
    assert all(len(e["deliveries"]) == 1 for e in body["events"])
    assert body["warnings"] == []
    stored = [client.get(f"/api/events/{e['id']}").get_json()["envelope"] for e in body["events"]]
    assert all(tuple(e) == FIELDS and e["ownerIdentifier"] == account["id"] for e in stored)
    assert [e["type"] for e in stored] == LIFE
    assert {e["object"]["bookingIdentifier"] for e in stored} == {stored[0]["object"]["bookingIdentifier"]}
    assert stored[1]["object"]["cancellation"]["cancellerType"] == "AGENT"
    again = client.post("/api/fixtures/booking-life/run", json={
        "entity": account["id"], "params": {"canceller": "AGENT"}, "delays": False, "seed": 3})
    repeat = [client.get(f"/api/events/{e['id']}").get_json()["envelope"] for e in again.get_json()["events"]]
    assert [e["object"] for e in repeat] == [e["object"] for e in stored]  # same seed, same object


def test_run_uses_the_webhook_owner_and_chaos_through_the_engine(live_server, client, account):
    with Receiver() as receiver:
        target = hook(client, account, receiver.url)
        response = client.post("/api/fixtures/property-onboarding/run", json={
            "webhookId": target["id"], "delays": False, "seed": 1,
            "chaos": {"duplicates": 1, "shuffle": True, "stale": True}})
        assert response.status_code == 202, response.get_json()
        got = receiver.wait_for(10)
    body = response.get_json()
    onboarding = ["managing_entity.created", "property.created", "room_type.created", "rate_plan.created",
                  "room_type.updated"]
    assert sorted(e["event"] for e in body["events"]) == sorted(onboarding)
    assert [e["event"] for e in body["events"]] != onboarding
    assert all(d["sent"] for d in body["duplicates"]) and len(body["duplicates"]) == 5
    ids = [r.json()["id"] for r in got]
    assert sorted(set(ids)) == sorted(e["id"] for e in body["events"]) and len(ids) == 10
    stored = client.get(f"/api/events/{body['events'][0]['id']}").get_json()
    assert stored["chaos"] == {"label": "duplicate", "staleSeconds": 600}


@pytest.mark.parametrize("body, field", [
    ({}, "entity"),
    ({"entity": "nope"}, "entity"),
    ({"entity": "ACCOUNT", "webhookId": "nope"}, "webhookId"),
    ({"entity": "ACCOUNT", "params": {"canceller": "maybe"}}, "params.canceller"),
    ({"entity": "ACCOUNT", "params": {"colour": "red"}}, "params.colour"),
    ({"entity": "ACCOUNT", "params": ["x"]}, "params"),
    ({"entity": "ACCOUNT", "set": ["stay.adults=many"]}, "step 1 'created' object.stay.adults"),
    ({"entity": "ACCOUNT", "set": ["roomStay.adults=3"]}, "step 1 'created' object.roomStay"),
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
    assert body["path"] is None and body["name"] == f"booking.create-{fired['id'][:8]}"
    recorded = body["fixture"]
    assert recorded["object"] == envelope["object"] and recorded["type"] == "booking.create"
    assert "event" not in recorded and "data" not in recorded
    assert recorded["account"] == {"id": account["id"], "name": account["name"]}
    assert recorded["source"] == {"eventId": fired["id"], "occurredAt": envelope["occurredAt"]}
    assert not fixtures_dir.exists()

    saved = client.post(f"/api/events/{fired['id']}/fixture", json={"name": "kept"})
    assert saved.status_code == 201
    path = fixtures_dir / "recorded" / "kept.json"
    assert saved.get_json()["path"] == str(path)
    assert json.loads(path.read_text())["object"] == envelope["object"]
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


def test_run_reads_old_names_and_references_and_says_they_are_deprecated(client, account, fixtures_dir):
    write(fixtures_dir, "old-life", {"kind": "scenario", "steps": [
        {"name": "made", "event": "booking.created"},
        {"name": "cancel", "event": "booking.cancelled",
         "set": {"bookingIdentifier": "${steps.made.data.bookingIdentifier}"}}]})
    hook(client, account)
    response = client.post("/api/fixtures/old-life/run", json={"entity": account["id"], "delays": False})
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert [(w["step"], w["field"]) for w in body["warnings"]] == [
        ("1 'made'", "event"), ("2 'cancel'", "event"), ("2 'cancel'", "set.bookingIdentifier")]
    made, cancel = (client.get(f"/api/events/{e['id']}").get_json()["envelope"] for e in body["events"])
    assert (made["type"], cancel["type"]) == ("booking.create", "booking.cancelled")
    assert cancel["object"]["bookingIdentifier"] == made["object"]["bookingIdentifier"]
    assert cancel["object"]["bookingCode"] == made["object"]["bookingCode"]


@pytest.mark.parametrize("step, field", [
    ({"name": "a", "type": "booking.create", "event": "booking.created"}, "step 1 'a' event"),
    ({"name": "a", "type": "property.updated", "object": {"id": "P"}, "data": {"id": "P"}},
     "step 1 'a' data"),
])
def test_run_refuses_a_file_giving_a_field_and_its_old_name(client, account, fixtures_dir, step, field):
    write(fixtures_dir, "twice", {"kind": "scenario", "steps": [step]})
    body = assert_problem(client.post("/api/fixtures/twice/run", json={"entity": account["id"]}), 400,
                          field=field, detail="twice.json")
    assert "its old name" in body["detail"]
    assert client.get("/api/events").get_json()["items"] == []
    [invalid] = client.get("/api/fixtures").get_json()["invalid"]
    assert invalid["errors"][0]["field"] == field.split()[-1]


def test_delivered_bodies_of_a_fixture_run_are_wink_envelopes(live_server, client, account, fixtures_dir):
    """`booking.created` (the shipped fixture's name, an own fixture's type) goes out as booking.create."""
    write(fixtures_dir, "alias", {"kind": "event", "type": "booking.created", "seed": 8})
    with Receiver() as receiver:
        target = hook(client, account, receiver.url)
        fired = []
        for name in ("booking.created", "alias"):
            response = client.post(f"/api/fixtures/{name}/run", json={"webhookId": target["id"]})
            assert response.status_code == 202, response.get_json()
            fired += response.get_json()["events"]
        got = receiver.wait_for(2)
    bodies = sorted((r.json() for r in got), key=lambda b: [e["id"] for e in fired].index(b["id"]))
    for body in bodies:
        assert tuple(body) == FIELDS
        assert body["type"] == "booking.create" and body["schemaVersion"] == 2
        assert body["ownerIdentifier"] == account["id"] and body["recipientRole"] == "AGENT"
        assert body["occurredAt"].endswith("Z") and body["object"]["bookingIdentifier"]
    assert bodies[0]["object"]["stay"]["adults"] == 2  # the shipped fixture's own `set`


def test_run_refuses_an_account_that_does_not_receive_the_key_before_firing(client, account, fixtures_dir):
    write(fixtures_dir, "review", {"kind": "scenario", "steps": [
        {"name": "made", "type": "booking.create"}, {"name": "review", "type": "booking.review.created"}]})
    assert_problem(client.post("/api/fixtures/review/run", json={"entity": account["id"]}), 400,
                   field="step 2 'review' entity", detail="does not receive booking.review.created")
    assert client.get("/api/events").get_json()["items"] == []  # not even the first step


# -- Wink's payloads: records that move on, old shapes, byte-for-byte recordings -----------------------

def test_booking_life_leaves_a_full_record_whose_history_is_the_events_sent(client, account):
    """The issue's "done when": run through the sandbox, links.self answers the record the events left."""
    response = client.post("/api/fixtures/booking-life/run", json={"entity": account["id"], "delays": False})
    assert response.status_code == 202, response.get_json()
    letters = [client.get(f"/api/events/{e['id']}").get_json()["envelope"]
               for e in response.get_json()["events"]]
    assert [letter["type"] for letter in letters] == LIFE
    objects = [letter["object"] for letter in letters]
    identity = ("bookingIdentifier", "bookingCode", "hotel", "guest", "stay", "total", "links")
    assert all({f: o[f] for f in identity} == {f: objects[0][f] for f in identity} for o in objects)
    last = objects[-1]
    assert (last["status"], last["refundState"]) == ("FULLY_REFUNDED", "FULL")

    fetched = client.get(last["links"]["self"].removeprefix("http://localhost"))
    assert fetched.status_code == 200, fetched.get_json()
    record = fetched.get_json()
    assert (record["id"], record["bookingCode"]) == (last["bookingIdentifier"], last["bookingCode"])
    assert [step["toStatus"] for step in record["statusHistory"]] == [
        "INITIALIZED", "PAYMENT_SUCCEEDED", "CANCELLED", "FULLY_REFUNDED"]
    assert record["bookingStatus"] == "FULLY_REFUNDED"
    assert record["cancellation"]["cancellerType"] == "GUEST"
    assert record["cancellation"]["cancelReason"] == "Flight cancelled"
    requested, refunded = record["refunds"]
    assert requested["identifier"] == objects[2]["refund"]["refundIdentifier"] and requested["status"] == \
        "PENDING"
    assert refunded["identifier"] == last["refund"]["refundIdentifier"] and refunded["status"] == "SUCCEEDED"
    assert refunded["sourceAmount"] == record["sourceTotal"] == last["total"]
    summary = payloads.summarize("booking.refund.full", record, "http://localhost/")
    assert {name: summary.get(name) for name in last} == last  # every field the letter carried agrees


def test_a_fixture_in_the_old_shape_is_listed_invalid_and_its_run_says_how_to_move_it(client, account,
                                                                                     fixtures_dir):
    write(fixtures_dir, "old-shape", {"kind": "event", "type": "booking.create",
                                      "set": {"roomStay.adults": 3}})
    [invalid] = client.get("/api/fixtures").get_json()["invalid"]
    assert invalid["file"].endswith("old-shape.json")
    [error] = invalid["errors"]
    assert (error["step"], error["field"]) == ("1 'old-shape'", "set.roomStay.adults")
    assert "roomStay is now stay.adults in Wink's payload" in error["message"]
    body = assert_problem(client.post("/api/fixtures/old-shape/run", json={"entity": account["id"]}), 400,
                          field="step 1 'old-shape' set.roomStay.adults", detail="old-shape.json")
    assert "roomStay is now stay.adults" in body["detail"]
    assert client.get("/api/events").get_json()["items"] == []


def test_a_recorded_event_replays_the_same_object_bytes_through_the_fixtures_api(live_server, client, account,
                                                                                fixtures_dir):
    def body_object(raw: bytes) -> bytes:  # the exact bytes of the envelope's object, its last member
        return raw.partition(b',"object":')[2][:-1]

    with Receiver() as receiver:
        target = hook(client, account, receiver.url)
        fired = client.post("/api/events", json={"event": "booking.cancelled", "entity": account["id"],
                                                 "locale": "th_TH", "set": ["stay.adults=3"]})
        event_id = fired.get_json()["events"][0]["id"]
        original = receiver.wait_for(1)[0].body
        saved = client.post(f"/api/events/{event_id}/fixture", json={"name": "kept-cancel"})
        assert saved.status_code == 201
        response = client.post("/api/fixtures/kept-cancel/run", json={"webhookId": target["id"]})
        assert response.status_code == 202, response.get_json()
        again = receiver.wait_for(2)[1].body
    assert body_object(again) == body_object(original)
    assert json.loads(again)["id"] != json.loads(original)["id"]
    assert json.loads(original)["object"]["stay"]["adults"] == 3


def test_record_keeps_the_undelivered_mark_so_the_recording_runs(client, account):
    fired = client.post("/api/events", json={"event": "booking.payout.complete", "entity": account["id"],
                                             "undelivered": True})
    assert fired.status_code == 202, fired.get_json()
    event_id = fired.get_json()["events"][0]["id"]
    recorded = client.post(f"/api/events/{event_id}/fixture", json={"name": "payout"}).get_json()["fixture"]
    assert recorded["undelivered"] is True and recorded["type"] == "booking.payout.complete"
    response = client.post("/api/fixtures/payout/run", json={"entity": account["id"]})
    assert response.status_code == 202, response.get_json()
    plain = client.post("/api/events", json={"event": "booking.create", "entity": account["id"]})
    recorded = client.post(f"/api/events/{plain.get_json()['events'][0]['id']}/fixture",
                           json={"save": False}).get_json()["fixture"]
    assert "undelivered" not in recorded
