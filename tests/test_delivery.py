"""The delivery engine against real receivers: Wink's wire, fan-out, signing, retries, failures, order."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from jsonschema import Draft202012Validator, FormatChecker
from standardwebhooks.webhooks import Webhook

from sandbox import __version__
from sandbox.delivery import get_engine
from sandbox.hub import get_hub
from sandbox.schemas import wink_schema
from sandbox.store import log
from tests.receivers import Receiver, wait_until

FAST = [0.05, 0.05]
WINK_HEADERS = {"Wink-Signature", "Wink-Event-Id", "Wink-Delivery-Id", "Wink-Event-Type",
                "Wink-Delivery-Attempt", "Wink-Version"}
ENVELOPE = Draft202012Validator({**wink_schema("WebhookEnvelope"), "additionalProperties": False},
                                format_checker=FormatChecker())


def make_webhook(client, account, url, *, events=(), enabled=True, schedule=None, name="Hook",
                 profile=None) -> dict:
    """Create a webhook (optionally with its own retry schedule or profile); return it with its secret."""
    base = f"/api/managing-entity/{account['id']}/webhook"
    response = client.post(base, json={"name": name, "eventUrl": url, "eventList": list(events),
                                       "enabled": enabled})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    hook = {**created["webhook"], "secret": created["secret"]}
    if profile is not None:
        assert client.put(f"/api/webhooks/{hook['id']}/profile", json={"profile": profile}).status_code == 200
    if schedule is not None:
        assert client.put(f"/api/webhooks/{hook['id']}/retry-schedule",
                          json={"schedule": schedule}).status_code == 200
    return hook


def fire(client, account, event="booking.create", **fields) -> dict:
    response = client.post("/api/events", json={"event": event, "entity": account["id"], **fields})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def delivery(client, delivery_id) -> dict:
    return client.get(f"/api/deliveries/{delivery_id}").get_json()


def settled(client, delivery_id, status="succeeded", timeout=10.0) -> dict:
    """Wait until a delivery reaches ``status`` and is not in flight; return it with its attempts."""
    def check():
        found = delivery(client, delivery_id)
        return found if found["status"] == status and not found["inFlight"] else None
    return wait_until(check, timeout, message=f"delivery {delivery_id} to be {status}")


def verify_with_stripe(got, secret: str) -> None:
    """Verify a delivery the way a receiver built on Stripe's SDK does (raises when it fails)."""
    header = got.headers["Wink-Signature"]
    stripe.WebhookSignature.verify_header(got.body.decode("utf-8"), header, secret, 300)


def test_fan_out_signing_and_headers(client, live_server, account):
    with Receiver() as all_events, Receiver() as bookings, Receiver() as payees, Receiver() as off:
        everything = make_webhook(client, account, all_events.url + "/all")
        booking = make_webhook(client, account, bookings.url + "/b", events=["booking.created"])
        make_webhook(client, account, payees.url + "/p", events=["payee.update"])
        make_webhook(client, account, off.url + "/off", enabled=False)
        answer = fire(client, account, "booking.created")
        [event] = answer["events"]
        assert event["event"] == "booking.create" and event["recipientRole"] == "AGENT"
        assert {d["webhookId"] for d in event["deliveries"]} == {everything["id"], booking["id"]}
        assert "message" not in answer
        by_hook = {d["webhookId"]: d["id"] for d in event["deliveries"]}

        got_all = all_events.wait_for(1)[0]
        got_booking = bookings.wait_for(1)[0]
        for got, hook in ((got_all, everything), (got_booking, booking)):
            verify_with_stripe(got, hook["secret"])
            assert got.method == "POST"
            assert got.headers["Content-Type"] == "application/json"
            assert got.headers["User-Agent"] == f"WebhookSandbox/{__version__}"
            assert got.headers["Wink-Event-Type"] == "booking.create"
            assert got.headers["Wink-Delivery-Attempt"] == "1"
            assert got.headers["Wink-Event-Id"] == event["id"]
            assert got.headers["Wink-Delivery-Id"] == by_hook[hook["id"]]
            assert got.headers["Wink-Version"] == "2.0"
            stamp, signature = got.headers["Wink-Signature"].split(",")
            assert abs(int(stamp.removeprefix("t=")) - time.time()) < 5
            assert signature.startswith("v1=") and signature[3:] == signature[3:].lower()
            assert len(signature) == 3 + 64
            lowered = {name.lower() for name in got.headers}
            assert not any(name.startswith(("webhook-", "x-wink-")) for name in lowered)
            envelope = got.json()
            assert list(envelope) == ["id", "type", "occurredAt", "ownerIdentifier", "recipientRole",
                                      "schemaVersion", "object"]
            assert envelope["id"] == event["id"] and envelope["type"] == "booking.create"
            assert envelope["ownerIdentifier"] == account["id"] and envelope["recipientRole"] == "AGENT"
            assert envelope["schemaVersion"] == 2 and envelope["occurredAt"].endswith("Z")
            assert list(ENVELOPE.iter_errors(envelope)) == []
        assert got_all.body == got_booking.body
        stored = client.get(f"/api/events/{event['id']}").get_json()
        assert stored["envelope"] == got_all.json()
        for item in event["deliveries"]:
            settled(client, item["id"])
        assert payees.requests == [] and off.requests == []


def test_event_nobody_wants_is_stored_and_said(client, live_server, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url, events=["payee.update"])
        make_webhook(client, account, receiver.url, enabled=False)
        answer = fire(client, account, "booking.create")
        assert answer["events"][0]["deliveries"] == []
        assert "no enabled webhook" in answer["message"] and "1 disabled" in answer["message"]
        listed = client.get(f"/api/events?entity={account['id']}").get_json()["items"]
        assert [e["id"] for e in listed] == [answer["events"][0]["id"]]
        assert listed[0]["deliveryCount"] == 0


def test_retries_follow_the_schedule_with_the_same_webhook_id(client, live_server, account):
    answers = iter([(500, {}, b"boom"), (503, {}, b"busy"), (200, {}, b"fine")])
    with Receiver(lambda r: next(answers)) as receiver:
        hook = make_webhook(client, account, receiver.url, schedule=FAST)
        [event] = fire(client, account)["events"]
        got = receiver.wait_for(3)
        assert [r.headers["Wink-Delivery-Attempt"] for r in got] == ["1", "2", "3"]
        assert {r.headers["Wink-Event-Id"] for r in got} == {event["id"]}
        assert {r.headers["Wink-Delivery-Id"] for r in got} == {event["deliveries"][0]["id"]}
        assert len({r.body for r in got}) == 1
        for request in got:
            verify_with_stripe(request, hook["secret"])
        done = settled(client, event["deliveries"][0]["id"])
        attempts = done["attempts"]
        assert [a["trigger"] for a in attempts] == ["initial", "retry", "retry"]
        assert [a["response"]["status"] for a in attempts] == [500, 503, 200]
        assert [a["status"] for a in attempts] == ["retrying", "retrying", "succeeded"]
        assert attempts[0]["error"].startswith("HTTP 500") and attempts[2]["error"] is None
        assert attempts[0]["response"]["body"] == "boom" and attempts[0]["nextAttemptAt"]
        assert attempts[0]["request"]["headers"]["Wink-Event-Id"] == event["id"]
        assert attempts[0]["request"]["url"] == receiver.url
        assert attempts[0]["request"]["body"] == got[0].body.decode()
        assert all(a["durationMs"] >= 0 for a in attempts)
        assert done["attemptCount"] == 3 and done["lastStatusCode"] == 200


def test_last_failed_attempt_makes_the_delivery_failed(client, live_server, account):
    with Receiver(lambda r: (500, {}, b"no")) as receiver:
        make_webhook(client, account, receiver.url, schedule=FAST)
        [event] = fire(client, account)["events"]
        done = settled(client, event["deliveries"][0]["id"], "failed")
        assert len(done["attempts"]) == 3 and done["nextAttemptAt"] is None
        assert len(receiver.requests) == 3
        types = [m["type"] for m in log.latest(live_db(client), 10, {"deliveryId": done["id"]})]
        assert types == ["delivery.attempted"] * 3 + ["delivery.failed"]


def live_db(client):
    from sandbox.db import connect

    return connect(client.application.config["DATABASE"])


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_a_4xx_other_than_408_and_429_is_final_at_once(client, live_server, account, status):
    with Receiver(lambda r: (status, {}, b"no")) as receiver:
        hook = make_webhook(client, account, receiver.url, schedule=FAST)
        [event] = fire(client, account)["events"]
        done = settled(client, event["deliveries"][0]["id"], "failed")
        assert len(done["attempts"]) == 1 and done["lastStatusCode"] == status
        assert done["nextAttemptAt"] is None and len(receiver.requests) == 1
        shown = client.get(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}").get_json()
        assert shown["enabled"] is True      # 410 disables only with DISABLE_ON_GONE (not Wink's)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 302])
def test_408_429_5xx_and_3xx_are_retried(client, live_server, account, status):
    with Receiver(lambda r: (status, {}, b"later")) as receiver:
        make_webhook(client, account, receiver.url, schedule=FAST)
        [event] = fire(client, account)["events"]
        done = settled(client, event["deliveries"][0]["id"], "failed")
        assert [a["response"]["status"] for a in done["attempts"]] == [status] * 3
        assert [a["status"] for a in done["attempts"]] == ["retrying", "retrying", "failed"]


@pytest.mark.parametrize("config", [{"RETRY_PRESET": "wink", "RETRY_TIME_FACTOR": 0.00001}])
def test_the_wink_preset_makes_eleven_attempts(app, client, live_server, account, config):
    app.config.update(config)
    with Receiver(lambda r: (503, {}, b"down")) as receiver:
        make_webhook(client, account, receiver.url)
        [event] = fire(client, account)["events"]
        done = settled(client, event["deliveries"][0]["id"], "failed", timeout=30)
        assert len(done["attempts"]) == 11 and len(receiver.requests) == 11
        numbers = [r.headers["Wink-Delivery-Attempt"] for r in receiver.requests]
        assert numbers == [str(n) for n in range(1, 12)]
        # 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h x 4: 117.8 h, compressed 100,000 times to 4.2 s
        assert receiver.requests[-1].at - receiver.requests[0].at >= 4.0


def test_a_hanging_receiver_fails_at_the_default_10_seconds(app, client, live_server, account):
    assert app.config["REQUEST_TIMEOUT"] == 10.0
    with Receiver(delay=14) as slow:
        make_webhook(client, account, slow.url, schedule=[])
        [event] = fire(client, account)["events"]
        started = time.monotonic()
        done = settled(client, event["deliveries"][0]["id"], "failed", timeout=20)
        assert 9.5 <= time.monotonic() - started < 13
        attempt = done["attempts"][0]
        assert attempt["error"] == "timeout: no answer within 10 s" and 9900 <= attempt["durationMs"] < 12000


@pytest.mark.parametrize("config", [{"DISABLE_ON_GONE": True}])
def test_gone_disables_the_webhook_when_asked(app, client, live_server, account, config):
    app.config.update(config)
    with Receiver(lambda r: (410, {}, b"gone")) as receiver:
        hook = make_webhook(client, account, receiver.url, schedule=FAST)
        [event] = fire(client, account)["events"]
        done = settled(client, event["deliveries"][0]["id"], "failed")
        assert len(done["attempts"]) == 1 and done["lastStatusCode"] == 410
        shown = client.get(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}").get_json()
        assert shown["enabled"] is False and shown["version"] == 2
        disabled = log.latest(live_db(client), 5, {"type": "webhook.disabled"})
        assert disabled[0]["webhookId"] == hook["id"] and disabled[0]["reason"] == "410 Gone"
        [later] = fire(client, account)["events"]
        assert later["deliveries"] == []
        assert len(receiver.requests) == 1


def test_retry_after_is_ignored_by_default(client, live_server, account):
    answers = iter([(503, {"Retry-After": "2"}, b""), (200, {}, b"")])
    with Receiver(lambda r: next(answers)) as receiver:
        make_webhook(client, account, receiver.url, schedule=[0.01])
        [event] = fire(client, account)["events"]
        got = receiver.wait_for(2, timeout=10)
        assert got[1].at - got[0].at < 1      # the schedule's 0.01 s, not Retry-After's 2 s
        settled(client, event["deliveries"][0]["id"])


@pytest.mark.parametrize("config", [{"HONOUR_RETRY_AFTER": True}])
def test_retry_after_is_honoured_and_capped_when_asked(app, client, live_server, account, config):
    app.config.update(config)
    answers = iter([(503, {"Retry-After": "1"}, b""), (429, {"Retry-After": "3600"}, b""), (200, {}, b"")])
    with Receiver(lambda r: next(answers)) as receiver:
        make_webhook(client, account, receiver.url, schedule=[0.01, 1.2])
        [event] = fire(client, account)["events"]
        got = receiver.wait_for(3, timeout=10)
        assert 0.9 <= got[1].at - got[0].at < 1.15    # Retry-After: 1 replaces the 0.01 s step
        assert 1.1 <= got[2].at - got[1].at < 3       # an hour, capped at the longest step (1.2 s)
        settled(client, event["deliveries"][0]["id"])


@pytest.mark.parametrize("config", [{"REQUEST_TIMEOUT": 0.3}])
def test_timeout_refused_redirect_and_cut_body_are_recorded(app, client, live_server, account, config):
    app.config.update(config)
    big = b"x" * (70 * 1024)
    with Receiver(delay=1.0) as slow, Receiver(lambda r: (302, {"Location": "/elsewhere"}, b"")) as moved, \
            Receiver(lambda r: (200, {}, big)) as chatty:
        for url in (slow.url, "http://127.0.0.1:9/closed", moved.url, chatty.url):
            make_webhook(client, account, url, schedule=[])
        [event] = fire(client, account)["events"]
        by_url = {d["eventUrl"]: d["id"] for d in event["deliveries"]}
        timed_out = settled(client, by_url[slow.url], "failed")["attempts"][0]
        assert timed_out["error"].startswith("timeout") and timed_out["response"] is None
        refused = settled(client, by_url["http://127.0.0.1:9/closed"], "failed")["attempts"][0]
        assert refused["error"].startswith("connection refused")
        redirect = settled(client, by_url[moved.url], "failed")["attempts"][0]
        assert redirect["response"]["status"] == 302 and "not followed" in redirect["error"]
        cut = settled(client, by_url[chatty.url])["attempts"][0]
        assert cut["response"]["truncated"] is True and len(cut["response"]["body"]) == 64 * 1024


def test_hanging_receiver_never_delays_the_others(client, live_server, account):
    with Receiver(delay=10) as slow, Receiver() as fast:
        make_webhook(client, account, slow.url, events=["booking.create"])
        make_webhook(client, account, fast.url)
        fire(client, account, "booking.create")
        started = time.monotonic()
        fire(client, account, "payee.update", undelivered=True, count=200)
        fast.wait_for(201, timeout=8)
        assert time.monotonic() - started < 8
        assert slow.requests == []      # still hanging: it records only once it answers


def test_a_webhook_gets_its_events_in_fired_order(client, live_server, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        fired = []
        for _ in range(5):
            fired += [e["id"] for e in
                      fire(client, account, "payee.update", undelivered=True, count=20)["events"]]
        got = receiver.wait_for(100)
        assert [r.headers["Wink-Event-Id"] for r in got] == fired


def test_rotation_signs_with_both_secrets_newest_first(client, live_server, account):
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url)
        rotated = client.post(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}/rotate-secret")
        assert rotated.status_code == 200
        new_secret = rotated.get_json()["secret"]
        fire(client, account)
        got = receiver.wait_for(1)[0]
        stamp, newest, oldest = got.headers["Wink-Signature"].split(",")
        assert stamp.startswith("t=") and newest.startswith("v1=") and oldest.startswith("v1=")
        verify_with_stripe(got, hook["secret"])
        verify_with_stripe(got, new_secret)
        with pytest.raises(stripe.SignatureVerificationError):
            verify_with_stripe(got, "whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M")


def test_the_standard_webhooks_profile_keeps_the_old_dialect(client, live_server, account):
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url, profile="standard-webhooks")
        [event] = fire(client, account)["events"]
        got = receiver.wait_for(1)[0]
        Webhook(hook["secret"]).verify(got.body, got.headers)
        assert got.headers["webhook-id"] == event["id"] and got.headers["X-Wink-Attempt"] == "1"
        assert got.headers["X-Wink-Delivery"] == event["deliveries"][0]["id"]
        assert not any(name.lower().startswith("wink-") for name in got.headers)
        assert got.json()["type"] == "booking.create" and got.json()["schemaVersion"] == 2


@pytest.mark.parametrize("config", [{"PROFILE": "standard-webhooks"}])
def test_the_server_profile_applies_to_webhooks_without_their_own(app, client, live_server, account, config):
    app.config.update(config)
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url)
        own = make_webhook(client, account, receiver.url, profile="wink")
        fire(client, account)
        got = receiver.wait_for(2)
        by_profile = {"webhook-signature" in {k.lower() for k in r.headers}: r for r in got}
        Webhook(hook["secret"]).verify(by_profile[True].body, by_profile[True].headers)
        verify_with_stripe(by_profile[False], own["secret"])


def test_a_booking_with_a_reseller_reaches_both_accounts_as_two_letters(client, live_server, account):
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Lisboa", "type": "HOTEL"}).get_json()
    affiliate = client.post("/api/managing-entity", json={"name": "Blog", "type": "INFLUENCER"}).get_json()
    with Receiver() as hotel_side, Receiver() as agent_side, Receiver() as blog_side:
        hotel_hook = make_webhook(client, hotel, hotel_side.url)
        agent_hook = make_webhook(client, account, agent_side.url, events=["booking.created"])
        make_webhook(client, affiliate, blog_side.url)
        answer = fire(client, hotel, "booking.created", reseller=account["name"], seed=5)
        assert [(r["entity"], r["recipientRole"]) for r in answer["recipients"]] == [
            (hotel["id"], "SUPPLIER"), (account["id"], "AGENT")]
        to_hotel, to_agent = answer["events"]
        assert to_hotel["id"] != to_agent["id"]
        got_hotel, got_agent = hotel_side.wait_for(1)[0], agent_side.wait_for(1)[0]
        verify_with_stripe(got_hotel, hotel_hook["secret"])
        verify_with_stripe(got_agent, agent_hook["secret"])
        hotel_letter, agent_letter = got_hotel.json(), got_agent.json()
        assert (hotel_letter["id"], hotel_letter["ownerIdentifier"], hotel_letter["recipientRole"]) == (
            to_hotel["id"], hotel["id"], "SUPPLIER")
        assert (agent_letter["id"], agent_letter["ownerIdentifier"], agent_letter["recipientRole"]) == (
            to_agent["id"], account["id"], "AGENT")
        assert hotel_letter["object"] == agent_letter["object"]
        assert hotel_letter["object"]["hotel"]["hotelIdentifier"] == hotel["id"]
        assert hotel_letter["object"]["reseller"]["managingEntityIdentifier"] == account["id"]
        for letter in (hotel_letter, agent_letter):
            assert list(ENVELOPE.iter_errors(letter)) == []
        # An influencer is an AFFILIATE; it was not part of this booking, so it got nothing.
        answer = fire(client, hotel, "booking.cancelled", reseller="Blog")
        assert [r["recipientRole"] for r in answer["recipients"]] == ["SUPPLIER", "AFFILIATE"]
        assert blog_side.wait_for(1)[0].json()["recipientRole"] == "AFFILIATE"


def test_a_review_goes_to_the_hotel_only(client, live_server, account):
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Porto", "type": "HOTEL"}).get_json()
    with Receiver() as hotel_side, Receiver() as agent_side:
        make_webhook(client, hotel, hotel_side.url)
        make_webhook(client, account, agent_side.url)
        answer = fire(client, account, "booking.review.created", hotel="Hotel Porto")
        parties = [(r["entity"], r["recipientRole"]) for r in answer["recipients"]]
        assert parties == [(hotel["id"], "SUPPLIER")]
        assert hotel_side.wait_for(1)[0].json()["recipientRole"] == "SUPPLIER"
        answer = fire(client, hotel, "managing_entity.created")
        assert [r["recipientRole"] for r in answer["recipients"]] == ["SELF"]
        assert hotel_side.wait_for(2)[1].json()["recipientRole"] == "SELF"
        assert agent_side.requests == []


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"reseller": "The Hotel"}, "reseller", "is a hotel"),
    ({"reseller": "nobody"}, "reseller", "no account"),
    ({"reseller": 7}, "reseller", "account id or its exact name"),
    ({"reseller": ""}, "reseller", "account id or its exact name"),
    ({"hotel": "The Hotel"}, "hotel", "already the hotel"),
    ({"reseller": "Cool Account", "webhookId": "x"}, "webhookId", "cannot be combined"),
])
def test_bad_parties_of_a_hotel_booking_are_named(client, account, fields, field, words):
    from tests.conftest import assert_problem

    hotel = client.post("/api/managing-entity", json={"name": "The Hotel", "type": "HOTEL"}).get_json()
    response = client.post("/api/events", json={"event": "booking.create", "entity": hotel["id"], **fields})
    body = assert_problem(response, 400, field=field)
    assert words in json.dumps(body["errors"])


@pytest.mark.parametrize(("event", "fields", "field", "words"), [
    ("booking.create", {"hotel": "Cool Account"}, "hotel", "not a hotel"),
    ("booking.create", {"reseller": "Cool Account"}, "reseller", "not a hotel"),
    ("booking.review.created", {}, "entity", "SUPPLIER only"),
    ("managing_entity.created", {"hotel": "The Hotel"}, "hotel", "SELF"),
])
def test_bad_parties_of_a_reseller_event_are_named(client, account, event, fields, field, words):
    from tests.conftest import assert_problem

    client.post("/api/managing-entity", json={"name": "The Hotel", "type": "HOTEL"})
    response = client.post("/api/events", json={"event": event, "entity": account["id"], **fields})
    body = assert_problem(response, 400, field=field)
    assert words in json.dumps(body["errors"])


def test_stale_chaos_dates_the_timestamp_back(client, live_server, account):
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url)
        [event] = fire(client, account, chaos={"label": "stale"})["events"]
        got = receiver.wait_for(1)[0]
        stamp = int(got.headers["Wink-Signature"].split(",")[0].removeprefix("t="))
        assert time.time() - stamp >= 599
        with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
            verify_with_stripe(got, hook["secret"])
        done = settled(client, event["deliveries"][0]["id"])
        assert done["chaos"] == "stale"
        messages = log.latest(live_db(client), 10, {"eventId": event["id"]})
        assert {m["chaos"] for m in messages} == {"stale"}
        assert client.get(f"/api/events/{event['id']}").get_json()["chaos"] == {
            "label": "stale", "staleSeconds": 600}


def test_disabled_webhook_keeps_work_pending_until_enabled(client, account):
    engine = get_engine(client.application)
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url, events=["payee.update"])
        base = f"/api/managing-entity/{account['id']}/webhook/{hook['id']}"
        fields = {"name": "Hook", "entity": {"identifier": account["id"]}, "eventUrl": receiver.url,
                  "eventList": ["payee.update"]}
        [event] = fire(client, account, "payee.update", undelivered=True)["events"]
        assert client.patch(base, json={**fields, "enabled": False}).status_code == 200
        engine.start()
        try:
            engine.notify()
            time.sleep(0.3)  # a negative check: give the dispatcher a pass in which nothing may be sent
            assert receiver.requests == []
            assert delivery(client, event["deliveries"][0]["id"])["status"] == "pending"
            assert client.patch(base, json={**fields, "enabled": True}).status_code == 200
            receiver.wait_for(1, timeout=5)
            settled(client, event["deliveries"][0]["id"])
        finally:
            engine.stop(2)


def test_deleting_a_webhook_cancels_its_queued_deliveries(client, live_server, account):
    with Receiver(lambda r: (500, {}, b"")) as receiver:
        hook = make_webhook(client, account, receiver.url, schedule=[60])
        [event] = fire(client, account)["events"]
        delivery_id = event["deliveries"][0]["id"]
        settled(client, delivery_id, "retrying")
        sub = get_hub(client.application).subscribe()
        assert client.delete(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}").status_code == 200
        shown = delivery(client, delivery_id)
        assert shown["status"] == "cancelled" and len(shown["attempts"]) == 1
        batch, _dropped, _cursor = sub.get(2)
        assert [m["type"] for m in batch] == ["delivery.cancelled"] and batch[0]["cursor"]


def test_log_rows_and_hub_messages_match(client, live_server, account):
    sub = get_hub(client.application).subscribe()
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        [event] = fire(client, account)["events"]
        settled(client, event["deliveries"][0]["id"])
    seen: list[dict] = []
    wait_until(lambda: seen.extend(sub.get(0.1)[0]) or len(seen) >= 3, 5, message="3 hub messages")
    assert [m["type"] for m in seen] == ["event.created", "delivery.attempted", "delivery.succeeded"]
    created, attempted, _succeeded = seen
    assert created["deliveryCount"] == 1 and created["entity"] == account["id"]
    assert attempted["attempt"] == 1 and attempted["statusCode"] == 200 and attempted["status"] == "succeeded"
    assert attempted["trigger"] == "initial" and attempted["nextAttemptAt"] is None
    assert {"type", "cursor", "at", "eventId", "event", "entity", "deliveryId", "webhookId", "webhookName",
            "eventUrl", "durationMs", "error"} <= set(attempted)
    assert attempted["at"].endswith("Z")
    db = live_db(client)
    assert log.since(db, 0, {"eventId": event["id"]}) == seen
    assert log.since(db, created["cursor"], {"type": ["delivery.succeeded"]}) == [seen[2]]
    assert log.latest(db, 2, {"entity": account["id"]}) == seen[1:]
    with pytest.raises(ValueError):
        log.since(db, 0, {"colour": "red"})


def test_run_once_sends_without_threads(client, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        [event] = fire(client, account, count=1)["events"]
        assert get_engine(client.application).run_once() == 1
        assert receiver.requests[0].headers["Wink-Event-Id"] == event["id"]
        assert delivery(client, event["deliveries"][0]["id"])["status"] == "succeeded"
        assert get_engine(client.application).run_once() == 0
