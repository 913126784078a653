"""Session bundles: export from one sandbox, import into another (another SQLite file), read, replay.

Real parts only: two databases, the delivery engine sending to real receivers on 127.0.0.1, the bundle
file as the API writes it, and a second receiver getting the replay.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from sandbox import create_app, signing
from sandbox.server import Runner
from tests.conftest import assert_problem
from tests.receivers import Receiver, wait_until

SCHEMA = Draft202012Validator(json.loads((Path(__file__).parent.parent / "docs" / "bundle.schema.json")
                                         .read_text("utf-8")))


def lines(bundle: bytes) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(bundle).splitlines()]


def pack(records: list[dict]) -> bytes:
    return gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records))


def make_hook(client, account, url, *, schedule=None) -> dict:
    created = client.post(f"/api/managing-entity/{account['id']}/webhook",
                          json={"name": "Bundle hook", "eventUrl": url, "eventList": []})
    assert created.status_code == 201, created.get_json()
    hook = {**created.get_json()["webhook"], "secret": created.get_json()["secret"]}
    if schedule is not None:
        assert client.put(f"/api/webhooks/{hook['id']}/retry-schedule",
                          json={"schedule": schedule}).status_code == 200
    return hook


def settled(client, delivery_ids: list[str]) -> None:
    def done():
        return all(client.get(f"/api/deliveries/{d}").get_json()["status"] in ("succeeded", "failed")
                   for d in delivery_ids)
    wait_until(done, 15, message="every delivery to be final")


@pytest.fixture
def other(tmp_path):
    """A second sandbox on its own database file: where bundles are imported."""
    return create_app({"DATABASE": str(tmp_path / "other.db"), "TESTING": True})


def fail_first_of_each(statuses: dict):
    """A receiver answer: 500 to the first request of each event id, 200 after (so some are retried)."""
    def respond(got):
        event_id = got.headers.get("Wink-Event-Id")
        statuses[event_id] = statuses.get(event_id, 0) + 1
        return (500, {}, b"not yet") if statuses[event_id] == 1 and len(statuses) % 2 else (200, {}, b"ok")
    return respond


@pytest.fixture
def recorded(client, live_server, account):
    """Three letters delivered to a real receiver, the first and third once refused then retried."""
    with Receiver(fail_first_of_each({})) as receiver:
        hook = make_hook(client, account, receiver.url + "/hooks/wink", schedule=[0.2])
        ids = []
        for event in ("booking.create", "booking.cancelled", "booking.create"):
            answer = client.post("/api/events", json={"event": event, "entity": account["id"]}).get_json()
            ids += [d["id"] for letter in answer["events"] for d in letter["deliveries"]]
        settled(client, ids)
        received = receiver.wait_for(5)
    return {"hook": hook, "received": received, "deliveries": ids, "url": receiver.url}


def test_export_import_round_trip_between_two_databases(client, other, recorded):
    response = client.get("/api/bundles/export")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert response.headers["Content-Disposition"].endswith('.wsbundle.ndjson.gz')
    bundle = response.get_data()
    records = lines(bundle)
    for record in records:  # every line as docs/bundle.schema.json describes it
        SCHEMA.validate(record)
    kinds = [r["type"] for r in records]
    assert kinds[0] == "bundle" and kinds[-1] == "end"
    assert records[-1]["counts"] == {"account": 1, "webhook": 1, "event": 3, "delivery": 3, "attempt": 5}
    assert records[0]["formatVersion"] == "1.0" and records[0]["secrets"] is False
    assert all("secret" not in r for r in records if r["type"] == "webhook")  # left out unless asked

    imported = other.test_client().post("/api/bundles?name=Round%20trip", data=bundle,
                                        content_type="application/gzip")
    assert imported.status_code == 201, imported.get_json()
    bundle_id = imported.get_json()["id"]
    reader = other.test_client()
    assert [b["name"] for b in reader.get("/api/bundles").get_json()["items"]] == ["Round trip"]
    events = reader.get(f"/api/bundles/{bundle_id}/events").get_json()["items"]
    source_events = [client.get(f"/api/events/{e['id']}").get_json() for e in events]
    assert [e["key"] for e in events] == ["booking.create", "booking.cancelled", "booking.create"]
    for event, source in zip(events, source_events, strict=True):  # the exact body, byte for byte
        assert json.loads(event["body"]["data"]) == source["envelope"]
    bodies = {r.headers["Wink-Event-Id"]: r.body for r in recorded["received"]}
    assert {e["id"]: e["body"]["data"].encode() for e in events} == bodies
    for delivery_id in recorded["deliveries"]:
        source = client.get(f"/api/deliveries/{delivery_id}").get_json()
        copy = reader.get(f"/api/bundles/{bundle_id}/deliveries/{delivery_id}").get_json()
        assert copy["status"] == source["status"] and copy["attemptCount"] == source["attemptCount"]
        assert [a["request"]["headers"] for a in copy["attempts"]] == \
            [a["request"]["headers"] for a in source["attempts"]]
        assert [a["response"]["status"] for a in copy["attempts"]] == \
            [a["response"]["status"] for a in source["attempts"]]
    # Imported records stay apart: the other sandbox's own deliveries and events are untouched.
    assert reader.get("/api/deliveries").get_json()["items"] == []


def test_an_imported_bundle_replays_byte_for_byte_in_the_original_order(client, other, recorded):
    bundle = client.get("/api/bundles/export").get_data()
    reader = other.test_client()
    bundle_id = reader.post("/api/bundles", data=bundle, content_type="application/gzip").get_json()["id"]
    with Receiver() as target:
        answer = reader.post(f"/api/bundles/{bundle_id}/replay",
                             json={"urlMap": {recorded["url"]: target.url}})
        assert answer.status_code == 200, answer.get_json()
        replayed = target.wait_for(5)
    summary = answer.get_json()
    assert (summary["sent"], summary["succeeded"], summary["failed"]) == (5, 5, 0)
    original = recorded["received"]
    assert [r.path for r in replayed] == ["/hooks/wink"] * 5  # the path kept, the host mapped
    assert [r.body for r in replayed] == [r.body for r in original]  # same bytes, same order
    for name in ("Wink-Signature", "Wink-Event-Id", "Wink-Delivery-Id", "Wink-Delivery-Attempt",
                 "Content-Type", "User-Agent"):
        assert [r.headers[name] for r in replayed] == [r.headers[name] for r in original]
    # The recorded signature still verifies with the webhook's secret: the request is the same.
    for got in replayed:
        signing.verify(recorded["hook"]["secret"], got.headers, got.body, tolerance=3600)


def test_replay_can_re_sign_with_another_secret_and_keep_the_spacing(client, other, recorded):
    bundle = client.get("/api/bundles/export").get_data()
    reader = other.test_client()
    bundle_id = reader.post("/api/bundles", data=bundle, content_type="application/gzip").get_json()["id"]
    secret = signing.new_secret()
    with Receiver() as target:
        answer = reader.post(f"/api/bundles/{bundle_id}/replay", json={
            "to": target.url + "/elsewhere", "signatures": "resign", "secret": secret,
            "timing": "original", "factor": 1})
        assert answer.status_code == 200, answer.get_json()
        replayed = target.wait_for(5)
    assert [r.body for r in replayed] == [r.body for r in recorded["received"]]
    for got in replayed:
        assert got.path == "/elsewhere"
        signing.verify(secret, got.headers, got.body)  # signed now, with the secret given
        with pytest.raises(signing.SignatureError):
            signing.verify(recorded["hook"]["secret"], got.headers, got.body)
    # Original spacing: each attempt is sent no earlier after the first than it was recorded to start
    # (a retry came at least 0.2 s after its refused attempt; so does its replay). Sends may come
    # late on a loaded machine, never early; the receiver's own arrival gaps are not the record.
    started = sorted(datetime.fromisoformat(r["startedAt"].replace("Z", "+00:00"))
                     for r in lines(bundle) if r["type"] == "attempt")
    recorded_offsets = [(t - started[0]).total_seconds() for t in started]
    replayed_offsets = [r.at - replayed[0].at for r in replayed]
    assert recorded_offsets[-1] >= 0.2
    assert all(got >= want - 0.05 for got, want in zip(replayed_offsets, recorded_offsets, strict=True))


def test_re_signing_without_a_secret_is_refused_before_anything_is_sent(client, other, recorded):
    bundle = client.get("/api/bundles/export").get_data()
    reader = other.test_client()
    bundle_id = reader.post("/api/bundles", data=bundle, content_type="application/gzip").get_json()["id"]
    assert_problem(reader.post(f"/api/bundles/{bundle_id}/replay", json={"signatures": "resign"}), 400,
                   field="secret", detail="needs a secret")
    assert_problem(reader.post(f"/api/bundles/{bundle_id}/replay", json={"timing": "later", "to": "ftp://x"}),
                   400, field="timing")


def test_secrets_are_exported_only_when_asked_and_never_shown(client, other, recorded):
    bundle = client.get("/api/bundles/export?secrets=true").get_data()
    [hook] = [r for r in lines(bundle) if r["type"] == "webhook"]
    assert hook["secret"] == recorded["hook"]["secret"]
    reader = other.test_client()
    bundle_id = reader.post("/api/bundles", data=bundle, content_type="application/gzip").get_json()["id"]
    shown = reader.get(f"/api/bundles/{bundle_id}").get_json()
    assert shown["secrets"] is True and "secret" not in shown["webhooks"][0]
    with Receiver() as target:  # the bundle's own secret re-signs
        reader.post(f"/api/bundles/{bundle_id}/replay", json={"to": target.url, "signatures": "resign"})
        for got in target.wait_for(5):
            signing.verify(recorded["hook"]["secret"], got.headers, got.body)


def stored(app) -> tuple[int, int]:
    db = sqlite3.connect(app.config["DATABASE"])
    try:
        return (db.execute("select count(*) from bundles").fetchone()[0],
                db.execute("select count(*) from bundle_items").fetchone()[0])
    finally:
        db.close()


def _newer_major(records):
    return [{**records[0], "formatVersion": "2.0"}, *records[1:]]


def _altered_body(records):
    out = []
    for r in records:
        if r["type"] == "event" and not any(o["type"] == "event" for o in out):
            r = {**r, "body": {**r["body"], "data": r["body"]["data"].replace("booking", "Booking", 1)}}
        out.append(r)
    return out


@pytest.mark.parametrize(("damage", "kind", "detail"), [
    (lambda b: b[: len(b) // 2], "truncated-bundle", "truncated"),
    (lambda b: gzip.compress(gzip.decompress(b).rsplit(b"\n", 2)[0] + b"\n"), "truncated-bundle",
     "no end record"),
    (lambda b: b"PK\x03\x04 not a gzip", "invalid-bundle", "not gzip-compressed"),
    (lambda b: b[:20] + bytes(x ^ 0xFF for x in b[20:60]) + b[60:], "invalid-bundle", "damaged"),
    (lambda b: pack(_newer_major(lines(b))), "newer-bundle", "format version 2.0, newer than this sandbox"),
    (lambda b: pack(_altered_body(lines(b))), "invalid-bundle", "do not match its sha256"),
    (lambda b: pack([r for r in lines(b) if r["type"] != "delivery"]), "invalid-bundle", "end record counts"),
    (lambda b: gzip.compress(b'{"type": "bundle"\n'), "invalid-bundle", "line 1: not a JSON record"),
    (lambda b: b"", "invalid-bundle", "empty"),
])
def test_a_bad_bundle_gets_a_clear_error_and_stores_nothing(client, other, recorded, damage, kind, detail):
    bundle = damage(client.get("/api/bundles/export").get_data())
    answer = other.test_client().post("/api/bundles", data=bundle, content_type="application/gzip")
    body = assert_problem(answer, 400, detail=detail)
    assert body["type"].endswith(kind) and "nothing was stored" in body["detail"]
    assert stored(other) == (0, 0)


def test_a_newer_minor_version_is_read_and_its_new_records_skipped(client, other, recorded):
    records = lines(client.get("/api/bundles/export").get_data())
    newer = [{**records[0], "formatVersion": "1.7"}, {"type": "hologram", "id": "x"}, *records[1:]]
    answer = other.test_client().post("/api/bundles", data=pack(newer), content_type="application/gzip")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["counts"]["event"] == 3 and "hologram" not in answer.get_json()["counts"]
    unknown = [records[0], {"type": "hologram", "id": "x"}, *records[1:]]  # in 1.0 itself: refused
    assert_problem(other.test_client().post("/api/bundles", data=pack(unknown)), 400,
                   detail="line 2: unknown record type 'hologram'")


def test_an_imported_bundle_is_read_only(client, other, recorded):
    bundle = client.get("/api/bundles/export").get_data()
    reader = other.test_client()
    bundle_id = reader.post("/api/bundles", data=bundle, content_type="application/gzip").get_json()["id"]
    delivery_id = recorded["deliveries"][0]
    for method, path in (("post", "events"), ("put", f"deliveries/{delivery_id}"),
                         ("delete", f"deliveries/{delivery_id}"), ("post", f"deliveries/{delivery_id}/retry"),
                         ("patch", "captures")):
        answer = getattr(reader, method)(f"/api/bundles/{bundle_id}/{path}", json={})
        body = assert_problem(answer, 405, detail="read-only")
        assert body["type"].endswith("read-only-bundle") and answer.headers["Allow"] == "GET, HEAD"
    assert reader.get(f"/api/bundles/{bundle_id}/deliveries/{delivery_id}").status_code == 200
    assert_problem(reader.post("/api/bundles/nope/events", json={}), 404, detail="no imported bundle")
    assert_problem(reader.get(f"/api/bundles/{bundle_id}/deliveries/nope"), 404)
    assert reader.delete(f"/api/bundles/{bundle_id}").status_code == 204  # the whole import may go
    assert stored(other) == (0, 0)


def test_a_scenario_run_exports_with_its_params(client, account, other):
    make_hook(client, account, "http://127.0.0.1:9/unused", schedule=[])
    run = client.post("/api/fixtures/booking-life/run", json={
        "entity": account["id"], "params": {"canceller": "AGENT"}, "delays": False, "seed": 7})
    assert run.status_code == 202, run.get_json()
    run_id = run.get_json()["runId"]
    client.post("/api/events", json={"event": "booking.create", "entity": account["id"]})  # not in the run
    assert client.get("/api/runs").get_json()["items"][0]["id"] == run_id
    records = lines(client.get(f"/api/bundles/export?run={run_id}").get_data())
    for record in records:
        SCHEMA.validate(record)
    scenario = next(r for r in records if r["type"] == "scenario")
    assert scenario["fixture"] == "booking-life" and scenario["params"]["params"] == {"canceller": "AGENT"}
    assert scenario["params"]["seed"] == 7
    events = [r for r in records if r["type"] == "event"]
    assert [e["id"] for e in events] == [e["eventId"] for e in scenario["events"]]
    assert [e["key"] for e in events] == ["booking.create", "booking.cancelled", "booking.refund.request",
                                          "booking.refund.full"]
    assert records[0]["selection"] == {"kind": "run", "runId": run_id, "fixture": "booking-life"}
    reader = other.test_client()
    imported = reader.post("/api/bundles", data=pack(records)).get_json()
    assert imported["name"] == "Run of booking-life"
    assert reader.get(f"/api/bundles/{imported['id']}").get_json()["scenario"]["params"]["seed"] == 7


def test_export_refuses_bad_selections(client):
    assert_problem(client.get("/api/bundles/export?from=yesterday"), 400, field="from")
    assert_problem(client.get("/api/bundles/export?run=r&from=2026-01-01"), 400, field="run")
    assert_problem(client.get("/api/bundles/export?run=nope"), 404, detail="no scenario run")
    assert_problem(client.get("/api/bundles/export?secrets=maybe"), 400, field="secrets")


def test_a_time_range_holds_only_its_events_and_captures(client, account):
    client.post("/api/events", json={"event": "booking.create", "entity": account["id"]})
    everything = lines(client.get("/api/bundles/export").get_data())
    created = next(r for r in everything if r["type"] == "event")["createdAt"]
    assert lines(client.get(f"/api/bundles/export?to={created}").get_data())[-1]["counts"] == {}
    assert client.post("/inbox/bundled", data=b"\xff\x00 raw", content_type="text/plain").status_code == 200
    later = lines(client.get(f"/api/bundles/export?from={created}").get_data())
    assert later[-1]["counts"]["event"] == 1 and later[-1]["counts"]["capture"] == 1
    capture = next(r for r in later if r["type"] == "capture")
    assert capture["body"]["encoding"] == "base64" and capture["inbox"] == "bundled"
    SCHEMA.validate(capture)


def test_the_bundle_streams_through_a_live_server(tmp_path, live_server, client, account):
    """The import reads the request as a stream: a bundle larger than MAX_BODY_BYTES goes in."""
    import requests

    for _ in range(30):
        client.post("/api/events", json={"event": "booking.create", "entity": account["id"]})
    bundle = client.get("/api/bundles/export").get_data()
    app = create_app({"DATABASE": str(tmp_path / "third.db"), "TESTING": True, "MAX_BODY_BYTES": 1024})
    server = Runner(app, "127.0.0.1", 0)
    server.start()
    try:
        assert len(bundle) > 1024
        answer = requests.post(f"{server.url}/api/bundles", data=io.BytesIO(bundle), timeout=10)
        assert answer.status_code == 201, answer.text
        assert answer.json()["counts"]["event"] == 30
    finally:
        server.stop(timeout=5)


def test_an_attempt_whose_delivery_is_missing_is_reported_not_sent(client, other, recorded):
    records = lines(client.get("/api/bundles/export").get_data())
    dropped = recorded["deliveries"][1]
    kept = [r for r in records if not (r["type"] == "delivery" and r["id"] == dropped)]
    counts = dict(kept[-1]["counts"], delivery=2)
    reader = other.test_client()
    bundle_id = reader.post("/api/bundles", data=pack([*kept[:-1], {"type": "end", "counts": counts}])
                            ).get_json()["id"]
    with Receiver() as target:
        summary = reader.post(f"/api/bundles/{bundle_id}/replay", json={"to": target.url}).get_json()
        target.wait_for(4)
    assert (summary["sent"], summary["succeeded"], summary["failed"]) == (5, 4, 1)
    [missing] = [o for o in summary["outcomes"] if not o["ok"]]
    assert missing["deliveryId"] == dropped and "not sent" in missing["error"]


def test_a_run_made_step_by_step_is_recorded(client, account):
    event = client.post("/api/events", json={"event": "booking.create", "entity": account["id"]}).get_json()
    event_id = event["events"][0]["id"]
    made = client.post("/api/runs", json={"fixture": "mine", "kind": "scenario", "params": {"seed": 1},
                                          "events": [{"step": "created", "eventId": event_id}]})
    assert made.status_code == 201, made.get_json()
    run = made.get_json()
    assert run["events"] == [{"position": 0, "step": "created", "eventId": event_id}]
    records = lines(client.get(f"/api/bundles/export?run={run['id']}").get_data())
    assert [r["id"] for r in records if r["type"] == "event"] == [event_id]
    assert_problem(client.post("/api/runs", json={"fixture": "x", "kind": "scenario",
                                                  "events": [{"step": "a", "eventId": "nope"}]}),
                   400, field="events", detail="no stored event has id 'nope'")
    assert_problem(client.post("/api/runs", json={"kind": 1, "events": [], "extra": True}), 400,
                   field="fixture")
    assert_problem(client.get("/api/runs/nope"), 404, detail="no scenario run")


def test_a_run_to_an_inbox_exports_its_captures_and_a_deleted_webhook(client, live_server, account):
    hook = make_hook(client, account, live_server.url + "/inbox/run-inbox", schedule=[])
    run = client.post("/api/fixtures/booking-life/run", json={"entity": account["id"], "delays": False})
    assert run.status_code == 202, run.get_json()
    ids = [d["id"] for e in run.get_json()["events"] for d in e["deliveries"]]
    settled(client, ids)
    assert client.delete(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}").status_code == 200
    records = lines(client.get(f"/api/bundles/export?run={run.get_json()['runId']}").get_data())
    for record in records:
        SCHEMA.validate(record)
    [webhook] = [r for r in records if r["type"] == "webhook"]
    assert webhook["deleted"] is True and webhook["eventUrl"].endswith("/inbox/run-inbox")
    captures = [r for r in records if r["type"] == "capture" and r["inbox"] == "run-inbox"]
    bodies = {r["id"]: r["body"]["data"] for r in records if r["type"] == "event"}
    assert sorted(c["body"]["data"] for c in captures) == sorted(bodies.values())  # what the inbox received
    assert all(c["headers"]["Wink-Event-Id"] in bodies for c in captures)
    assert not any(r["type"] == "capture" for r in lines(
        client.get(f"/api/bundles/export?run={run.get_json()['runId']}&captures=false").get_data()))
