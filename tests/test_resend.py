"""Resend with edits (issue 15) through the API, against a real receiver: the bytes it gets for keep and
fresh, the signature made now with the current secret, the schema refusal and the forced mark, and the
error each bad edit gets."""

from __future__ import annotations

import json

import pytest

from sandbox.db import connect
from sandbox.store import log
from tests.conftest import assert_problem
from tests.receivers import Receiver
from tests.test_delivery import fire, make_webhook, settled, verify_with_stripe


def first_letter(client, account, receiver, **fields) -> tuple[dict, bytes]:
    """Fire one booking.create, wait for its delivery; return the letter and the bytes received."""
    [event] = fire(client, account, seed=7, **fields)["events"]
    settled(client, event["deliveries"][0]["id"])
    [got] = receiver.wait_for(1)
    return event, got.body


def resend(client, event_id, expect=202, **body):
    response = client.post(f"/api/events/{event_id}/resend", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_keep_sends_the_same_letter_edited_and_signed_now_with_the_current_secret(client, live_server,
                                                                                  account):
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url)
        event, original_bytes = first_letter(client, account, receiver)
        original = json.loads(original_bytes)
        rotated = client.post(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}/rotate-secret")
        new_secret = rotated.get_json()["secret"]

        answer = resend(client, event["id"], mode="keep", set=["stay.adults=3", "guest.firstName=Zoë"])
        assert answer["eventId"] == event["id"] and answer["occurredAt"] == original["occurredAt"]
        assert sorted(answer["diff"]["patch"], key=lambda op: op["path"]) == [
            {"op": "replace", "path": "/guest/firstName", "value": "Zoë"},
            {"op": "replace", "path": "/stay/adults", "value": 3}]
        assert '-    "adults": 1,\n+    "adults": 3,' in answer["diff"]["text"]
        [delivery] = answer["deliveries"]
        settled(client, delivery["id"])
        got = receiver.wait_for(2)[1]

        sent = json.loads(got.body)
        assert got.headers["Wink-Event-Id"] == original["id"] == sent["id"]
        assert sent["occurredAt"] == original["occurredAt"]
        assert sent["object"]["stay"]["adults"] == 3 and sent["object"]["guest"]["firstName"] == "Zoë"
        assert {**sent["object"], "stay": original["object"]["stay"], "guest": original["object"]["guest"]} \
            == original["object"]                    # nothing else changed
        assert got.headers["Wink-Delivery-Id"] == delivery["id"]
        verify_with_stripe(got, new_secret)          # signed now, with the secret rotated in since
        assert got.headers["Wink-Signature"] != receiver.requests[0].headers["Wink-Signature"]

        # The delivery remembers what it is, and shows the bytes it sent; the event counts it.
        shown = client.get(f"/api/deliveries/{delivery['id']}").get_json()
        assert shown["resend"]["of"] == event["id"] and shown["resend"]["mode"] == "keep"
        assert shown["outsideContract"] is False
        assert shown["attempts"][0]["request"]["body"].encode() == got.body
        stored = client.get(f"/api/events/{event['id']}").get_json()
        assert stored["deliveryCount"] == 2 and len(stored["deliveries"]) == 2
        assert stored["envelope"] == original           # the stored letter itself is not edited


def test_fresh_is_a_new_letter_with_a_json_patch(client, live_server, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        event, original_bytes = first_letter(client, account, receiver)
        original = json.loads(original_bytes)
        patch = [{"op": "test", "path": "/stay/adults", "value": original["object"]["stay"]["adults"]},
                 {"op": "replace", "path": "/stay/children", "value": 2},
                 {"op": "remove", "path": "/guest/telephone"}]
        answer = resend(client, event["id"], patch=patch)
        assert answer["mode"] == "fresh" and answer["eventId"] != event["id"]
        settled(client, answer["deliveries"][0]["id"])
        got = receiver.wait_for(2)[1]
        sent = json.loads(got.body)
        assert got.headers["Wink-Event-Id"] == sent["id"] == answer["eventId"] != original["id"]
        assert sent["occurredAt"] == answer["occurredAt"] >= original["occurredAt"]
        assert sent["object"]["stay"]["children"] == 2 and "telephone" not in sent["object"]["guest"]
        assert {k: v for k, v in sent.items() if k not in ("id", "occurredAt", "object")} == \
            {k: v for k, v in original.items() if k not in ("id", "occurredAt", "object")}
        new = client.get(f"/api/events/{answer['eventId']}").get_json()
        assert new["envelope"] == sent and new["deliveries"][0]["resend"]["mode"] == "fresh"
        # The live log told of the new letter, and that it is a resend.
        [message] = log.latest(connect(client.application.config["DATABASE"]), 1, {"type": "event.created"})
        assert message["eventId"] == answer["eventId"]
        assert message["resend"] == {"of": event["id"], "mode": "fresh", "outsideContract": False}


def test_all_subscribed_webhooks_or_one(client, live_server, account):
    with Receiver() as one, Receiver() as two, Receiver() as other:
        first = make_webhook(client, account, one.url, events=["booking.create"], name="One")
        make_webhook(client, account, two.url, name="Two")
        make_webhook(client, account, other.url, events=["booking.cancelled"], name="Other")
        [event] = fire(client, account)["events"]
        one.wait_for(1)
        two.wait_for(1)
        answer = resend(client, event["id"], mode="keep")
        assert {hook["name"] for hook in answer["webhooks"]} == {"One", "Two"}
        assert one.wait_for(2)[1].body == one.requests[0].body   # no edit, keep: the very same bytes
        two.wait_for(2)
        answer = resend(client, event["id"], webhookId=first["id"], mode="keep")
        assert [hook["name"] for hook in answer["webhooks"]] == ["One"]
        one.wait_for(3)
        assert len(two.requests) == 2 and other.requests == []


def test_dry_run_shows_the_diff_and_sends_nothing(client, live_server, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        event, _ = first_letter(client, account, receiver)
        answer = resend(client, event["id"], expect=200, dryRun=True, set={"stay.adults": 4})
        assert answer["dryRun"] is True and answer["deliveries"] == []
        assert answer["eventId"] is None and answer["envelope"]["object"]["stay"]["adults"] == 4
        assert answer["diff"]["patch"] == [{"op": "replace", "path": "/stay/adults", "value": 4}]
        assert client.get(f"/api/events/{event['id']}").get_json()["deliveryCount"] == 1
        assert len(receiver.requests) == 1


def test_an_edit_that_breaks_the_schema_is_refused_with_path_and_rule(client, account):
    make_webhook(client, account, "http://127.0.0.1:9/")
    [event] = fire(client, account)["events"]
    response = client.post(f"/api/events/{event['id']}/resend",
                           json={"set": ["stay.adults=three", "stay.adutls=2"]})
    body = assert_problem(response, 422, field="object.stay.adults")
    assert body["type"].endswith("/schema-violation")
    rules = {problem["field"]: problem["rule"] for problem in body["errors"]}
    assert rules == {"object.stay.adults": "type", "object.stay.adutls": "additionalProperties"}
    assert '"validate": false' in body["detail"]
    assert client.get(f"/api/events/{event['id']}").get_json()["deliveryCount"] == 1   # nothing stored


def test_a_forced_edit_is_sent_and_marked_outside_the_contract(client, live_server, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        event, _ = first_letter(client, account, receiver)
        answer = resend(client, event["id"], set=["stay.adults=three"], validate=False, mode="keep")
        assert answer["outsideContract"] is True
        [problem] = answer["problems"]
        assert problem["field"] == "object.stay.adults" and problem["rule"] == "type"
        settled(client, answer["deliveries"][0]["id"])
        assert json.loads(receiver.wait_for(2)[1].body)["object"]["stay"]["adults"] == "three"
        shown = client.get(f"/api/deliveries/{answer['deliveries'][0]['id']}").get_json()
        assert shown["outsideContract"] is True and shown["resend"]["problems"][0]["rule"] == "type"
        listed = client.get(f"/api/deliveries?eventId={event['id']}").get_json()["items"]
        assert sorted(item["outsideContract"] for item in listed) == [False, True]
        # validate: false on an edit that fits the schema marks nothing.
        fits = resend(client, event["id"], set=["stay.adults=2"], validate=False, dryRun=True, expect=200)
        assert fits["outsideContract"] is False and fits["problems"] == []


INVALID, NOT_FOUND, TEST_FAILED = "invalid-patch", "patch-path-not-found", "patch-test-failed"
BAD = [
    ({"patch": {"op": "replace"}}, 400, "patch", INVALID),
    ({"patch": [{"op": "frobnicate", "path": "/stay"}]}, 400, "patch[0].op", INVALID),
    ({"patch": [{"op": "replace", "path": "stay/adults", "value": 1}]}, 400, "patch[0].path", INVALID),
    ({"patch": [{"op": "replace", "path": "/stay/adults"}]}, 400, "patch[0].value", INVALID),
    ({"patch": [{"op": "move", "path": "/stay/x"}]}, 400, "patch[0].from", INVALID),
    ({"patch": [{"op": "replace", "path": "/stay/nope", "value": 1}]}, 422, "patch[0]", NOT_FOUND),
    ({"patch": [{"op": "remove", "path": "/stay/rooms/7"}]}, 422, "patch[0]", NOT_FOUND),
    ({"patch": [{"op": "test", "path": "/stay/adults", "value": 99}]}, 409, "patch[0]", TEST_FAILED),
    ({"set": ["stay.adults"]}, 400, "set[0]", INVALID),
    ({"set": ["stay..adults=1"]}, 400, "set[0]", INVALID),
    ({"set": ["nowhere.deep.field=1"]}, 422, "set[0]", NOT_FOUND),
    ({"set": ["stay[0]=1"]}, 422, "set[0]", NOT_FOUND),
    ({"set": ["stay.adults.x=1"]}, 422, "set[0]", NOT_FOUND),
    ({"patch": [{"op": "copy", "from": "/nope", "path": "/x"}]}, 422, "patch[0]", NOT_FOUND),
    ({"set": "stay.adults=3"}, 400, "set", "validation"),
    ({"mode": "copy"}, 400, "mode", "validation"),
    ({"dryRun": "yes"}, 400, "dryRun", "validation"),
    ({"validate": 0}, 400, "validate", "validation"),
    ({"webhookId": "no-such-hook"}, 400, "webhookId", "validation"),
    ({"sendAt": "now"}, 400, "sendAt", "validation"),
]


@pytest.mark.parametrize(("body", "status", "field", "kind"), BAD, ids=[str(case[0]) for case in BAD])
def test_each_bad_edit_gets_a_clear_error(client, account, body, status, field, kind):
    make_webhook(client, account, "http://127.0.0.1:9/")
    [event] = fire(client, account)["events"]
    problem = assert_problem(client.post(f"/api/events/{event['id']}/resend", json=body), status, field=field)
    assert problem["type"].endswith("/" + kind)


def test_the_patch_path_hint_and_the_test_message(client, account):
    make_webhook(client, account, "http://127.0.0.1:9/")
    [event] = fire(client, account, seed=3)["events"]
    wrong = client.post(f"/api/events/{event['id']}/resend",
                        json={"patch": [{"op": "replace", "path": "/object/stay/adults", "value": 2}]})
    detail = assert_problem(wrong, 422)["detail"]
    assert "paths are inside the event's object" in detail and "{" not in detail   # no document dumped
    failed = client.post(f"/api/events/{event['id']}/resend",
                         json={"patch": [{"op": "test", "path": "/stay/adults", "value": 99}]})
    wrong_kind = client.post(f"/api/events/{event['id']}/resend", json={"set": ["stay.adults[0]=1"]})
    assert "/stay/adults is a number, so [0] cannot apply" in assert_problem(wrong_kind, 422)["detail"]
    adults = client.get(f"/api/events/{event['id']}").get_json()["envelope"]["object"]["stay"]["adults"]
    assert f"test failed: /stay/adults is {adults}, not 99" in assert_problem(failed, 409)["detail"]


def test_unknown_event_no_webhook_and_a_disabled_one(client, account):
    assert_problem(client.post("/api/events/nope/resend", json={}), 404)
    [event] = fire(client, account)["events"]                     # nobody subscribed
    nobody = client.post(f"/api/events/{event['id']}/resend", json={})
    assert_problem(nobody, 409, detail="No enabled webhook")
    preview = resend(client, event["id"], expect=200, dryRun=True)
    assert preview["webhooks"] == [] and "No enabled webhook" in preview["message"]
    hook = make_webhook(client, account, "http://127.0.0.1:9/", enabled=False)
    assert_problem(client.post(f"/api/events/{event['id']}/resend", json={"webhookId": hook["id"]}), 409,
                   detail="disabled")
    assert_problem(client.post(f"/api/events/{event['id']}/resend", data="[1]",
                               content_type="application/json"), 400)


def test_the_doc_names_every_field_and_error():
    """docs/resend.md's request table has every field the route reads, its error table every type."""
    from pathlib import Path

    from sandbox.api.resend import FIELDS

    doc = (Path(__file__).resolve().parent.parent / "docs" / "resend.md").read_text()
    for name in FIELDS:
        assert f"| `{name}` |" in doc, name
    for kind in (INVALID, NOT_FOUND, TEST_FAILED, "schema-violation", "validation"):
        assert f"`{kind}`" in doc, kind


def test_a_keep_resend_attempt_records_the_bytes_it_sent_so_bundles_replay_them(client, live_server, account):
    """The attempt of a keep resend stores its own request body (the event's is the original), so a
    session bundle holds, and replays, what was really sent."""
    import gzip

    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        event, original = first_letter(client, account, receiver)
        [delivery] = resend(client, event["id"], mode="keep", set=["stay.adults=4"])["deliveries"]
        settled(client, delivery["id"])
        sent = receiver.wait_for(2)[1].body
        assert sent != original
        export = client.get("/api/bundles/export")
        assert export.status_code == 200
        records = [json.loads(line) for line in gzip.decompress(export.data).splitlines()]
        attempts = {r["deliveryId"]: r for r in records if r["type"] == "attempt"}
        assert attempts[delivery["id"]]["request"]["body"]["data"].encode() == sent
        first = event["deliveries"][0]["id"]
        assert attempts[first]["request"]["body"] is None          # the event's own body, as before


def test_a_resend_to_a_held_webhook_joins_its_queue(client, live_server, account):
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url)
        event, _ = first_letter(client, account, receiver)
        assert client.post(f"/api/webhooks/{hook['id']}/hold").status_code == 200
        [delivery] = resend(client, event["id"], mode="keep", set=["stay.adults=2"])["deliveries"]
        hold = client.get(f"/api/webhooks/{hook['id']}/hold").get_json()
        assert [item["id"] for item in hold["queue"]] == [delivery["id"]]
        assert client.get(f"/api/deliveries/{delivery['id']}").get_json()["status"] == "held"
        assert len(receiver.requests) == 1                       # nothing sent while held
        assert client.post(f"/api/webhooks/{hook['id']}/resume").status_code == 200
        settled(client, delivery["id"])
        assert json.loads(receiver.wait_for(2)[1].body)["object"]["stay"]["adults"] == 2
