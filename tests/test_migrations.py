"""Old databases keep working: stored pre-contract envelopes become Wink's, and queued work goes out in it."""

from __future__ import annotations

import json
import sqlite3

from jsonschema import Draft202012Validator, FormatChecker

import sandbox.schema  # noqa: F401  (registers the migrations)
from sandbox import create_app
from sandbox.db import migrate
from sandbox.delivery import get_engine
from sandbox.schemas import wink_schema
from tests.receivers import Receiver

HOTEL, AGENT, HOOK = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "h1"
OLD_BODY = {
    "id": "33333333-3333-4333-8333-333333333333",
    "event": "booking.created",
    "createdDate": "2026-11-20T10:11:12.345Z",
    "entity": {"identifier": AGENT, "name": "Cool Account"},
    "data": {"id": "b1", "guest": "Zoë Ω", "amount": 12.5, "nested": {"list": [1, None]}},
}
OLD_SELF = {
    "id": "44444444-4444-4444-8444-444444444444",
    "event": "managing_entity.created",
    "createdDate": "2026-11-20T10:11:13.000Z",
    "entity": {"identifier": HOTEL, "name": "Hotel"},
    "data": {"id": HOTEL},
}


def old_database(path: str, target: str) -> None:
    """Build a database as the sandbox left it before m030, with one pending delivery."""
    migrate(path)
    db = sqlite3.connect(path)
    db.execute("delete from _sqlite_migrations where name = 'm030_wink_wire_contract'")
    for table, column in (("webhooks", "profile"), ("events", "recipient_role"), ("events", "occurrence_id")):
        db.execute(f"alter table {table} drop column {column}")
    db.execute("insert into accounts values (?, 'Hotel', 'HOTEL', '2026-11-01T00:00:00')", [HOTEL])
    db.execute(
        "insert into accounts values (?, 'Cool Account', 'TRAVEL_AGENT', '2026-11-01T00:00:00')", [AGENT]
    )
    db.execute(
        "insert into webhooks (id, account_id, name, enabled, event_url, event_list, version, "
        "created_date, last_update, user_identifier, secret) values (?, ?, 'Old', 1, ?, "
        "'[\"booking.created\"]', 1, '2026-11-01T00:00:00', '2026-11-01T00:00:00', 'u', ?)",
        [HOOK, AGENT, target, "whsec_" + "A" * 43 + "="],
    )
    for seq, (body, account, name) in enumerate(
        ((OLD_BODY, AGENT, "Cool Account"), (OLD_SELF, HOTEL, "Hotel")), 1
    ):
        db.execute(
            "insert into events (seq, id, event_key, account_id, account_name, created, delivery_count, "
            "body) "
            "values (?, ?, ?, ?, ?, ?, 1, ?)",
            [
                seq,
                body["id"],
                body["event"],
                account,
                name,
                body["createdDate"],
                json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
            ],
        )
    db.execute(
        "insert into deliveries (id, event_seq, event_id, event_key, account_id, webhook_id, webhook_name, "
        "event_url, next_at, created, updated) values ('d1', 1, ?, 'booking.created', ?, ?, 'Old', ?, 0, "
        "'2026-11-20T10:11:12.345Z', '2026-11-20T10:11:12.345Z')",
        [OLD_BODY["id"], AGENT, HOOK, target],
    )
    db.commit()
    db.close()


def test_an_old_database_is_migrated_and_its_queued_delivery_goes_out_in_winks_form(tmp_path):
    path = str(tmp_path / "old.db")
    with Receiver() as receiver:
        old_database(path, receiver.url)
        app = create_app({"DATABASE": path, "TESTING": True})
        client = app.test_client()
        stored = client.get(f"/api/events/{OLD_BODY['id']}").get_json()
        envelope = stored["envelope"]
        assert envelope == {
            "id": OLD_BODY["id"],
            "type": "booking.create",
            "occurredAt": "2026-11-20T10:11:12Z",
            "ownerIdentifier": AGENT,
            "recipientRole": "AGENT",
            "schemaVersion": 2,
            "object": OLD_BODY["data"],
        }
        assert stored["event"] == "booking.create" and stored["recipientRole"] == "AGENT"
        selfish = client.get(f"/api/events/{OLD_SELF['id']}").get_json()["envelope"]
        assert selfish["recipientRole"] == "SELF" and selfish["ownerIdentifier"] == HOTEL
        validator = Draft202012Validator(wink_schema("WebhookEnvelope"), format_checker=FormatChecker())
        assert list(validator.iter_errors(envelope)) == []
        hook = client.get(f"/api/managing-entity/{AGENT}/webhook/{HOOK}").get_json()
        assert hook["eventList"] == ["booking.created"]  # the alias keeps receiving booking.create

        assert get_engine(app).run_once() == 1
        [got] = receiver.requests
        assert got.json() == envelope
        assert got.headers["Wink-Event-Id"] == OLD_BODY["id"] and got.headers["Wink-Delivery-Id"] == "d1"
        assert client.get("/api/deliveries/d1").get_json()["status"] == "succeeded"
        fired = client.post("/api/events", json={"event": "booking.create", "entity": AGENT}).get_json()
        assert len(fired["events"][0]["deliveries"]) == 1
    migrate(path)  # a second start changes nothing
    again = create_app({"DATABASE": path, "TESTING": True}).test_client()
    assert again.get(f"/api/events/{OLD_BODY['id']}").get_json()["envelope"] == envelope
