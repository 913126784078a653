"""POST /api/fixtures/{name}/build: a scenario's steps built as a run builds them, nothing fired; and
the optional per-step ``narration`` (en, pt-PT) of the fixture format, which old fixtures may lack."""

from __future__ import annotations

import json

import pytest

from sandbox import create_app
from tests.conftest import assert_problem

LIFE = ["booking.create", "booking.cancelled", "booking.refund.request", "booking.refund.full"]


@pytest.fixture
def fixtures_dir(tmp_path):
    return tmp_path / "mine"


@pytest.fixture
def app(db_path, fixtures_dir):
    return create_app({"DATABASE": db_path, "TESTING": True, "FIXTURES_DIR": str(fixtures_dir),
                       "RETRY_SCHEDULE": []})


def write(fixtures_dir, name: str, doc: dict) -> None:
    fixtures_dir.mkdir(exist_ok=True)
    (fixtures_dir / f"{name}.json").write_text(json.dumps(doc))


def test_build_gives_the_steps_a_run_sends_and_fires_nothing(client, account):
    built = client.post("/api/fixtures/booking-life/build", json={"entity": account["id"], "seed": 3})
    assert built.status_code == 200, built.get_json()
    steps = built.get_json()["steps"]
    assert [s["step"] for s in steps] == ["created", "cancelled", "refund_requested", "refunded"]
    assert [s["envelope"]["type"] for s in steps] == LIFE
    assert all(s["entity"] == account["id"] for s in steps)
    assert steps[0]["narration"]["en"].startswith("A guest books a room")
    assert steps[0]["narration"]["pt-PT"].startswith("Um hóspede reserva")
    assert client.get("/api/events").get_json()["items"] == []  # nothing fired
    ran = client.post("/api/fixtures/booking-life/run",
                      json={"entity": account["id"], "seed": 3, "delays": False}).get_json()
    sent = [client.get(f"/api/events/{e['id']}").get_json()["envelope"]["object"] for e in ran["events"]]
    assert sent == [s["envelope"]["object"] for s in steps]  # the same building, the same objects


def test_build_refuses_what_a_run_refuses(client, account):
    assert_problem(client.post("/api/fixtures/nope/build", json={}), 404)
    assert_problem(client.post("/api/fixtures/booking-life/build", json={}), 400, field="entity")
    bad_seed = {"entity": account["id"], "seed": -1}
    assert_problem(client.post("/api/fixtures/booking-life/build", json=bad_seed), 400, field="seed")
    assert_problem(client.post("/api/fixtures/booking-life/build", json={"entity": "acc_missing"}), 400,
                   field="entity")


def test_every_shipped_scenario_narrates_every_step_in_both_languages(client):
    scenarios = [f for f in client.get("/api/fixtures").get_json()["items"] if f["kind"] == "scenario"]
    assert {f["name"] for f in scenarios} >= {"booking-life", "payment-failed", "partial-refund-funds",
                                              "property-onboarding"}
    for fixture in scenarios:
        for step in fixture["steps"]:
            assert set(step["narration"]) == {"en", "pt-PT"}, (fixture["name"], step["name"])


def test_a_fixture_without_narration_loads_and_a_bad_narration_is_refused(client, account, fixtures_dir):
    step = {"name": "one", "type": "booking.create"}
    write(fixtures_dir, "plain", {"kind": "scenario", "name": "plain", "steps": [step]})
    write(fixtures_dir, "badlang", {"kind": "scenario", "name": "badlang",
                                    "steps": [{**step, "narration": {"fr": "Bonjour"}}]})
    write(fixtures_dir, "empty", {"kind": "scenario", "name": "empty",
                                  "steps": [{**step, "narration": {"en": ""}}]})
    listed = client.get("/api/fixtures").get_json()
    plain = next(f for f in listed["items"] if f["name"] == "plain")
    assert plain["steps"][0]["narration"] == {}
    invalid = {i["file"].rsplit("/", 1)[-1]: i["errors"] for i in listed["invalid"]}
    assert invalid["badlang.json"][0]["field"].startswith("narration")
    assert invalid["empty.json"][0]["field"].startswith("narration")
    built = client.post("/api/fixtures/plain/build", json={"entity": account["id"]}).get_json()
    assert built["steps"][0]["narration"] == {}
