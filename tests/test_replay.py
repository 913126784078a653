"""`replay` and `export`: straight to a URL and through a live sandbox, chaos, reports, exit codes."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from click.testing import CliRunner
from standardwebhooks.webhooks import Webhook

from sandbox import cli, create_app, signing
from tests.receivers import Receiver

SECRET = "whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M"  # Wink's own example: unpadded base64
LIFE = ["booking.create", "booking.cancelled", "booking.refund.request", "booking.refund.full"]
ENVELOPE = {"id", "type", "occurredAt", "ownerIdentifier", "recipientRole", "schemaVersion", "object"}


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()


@pytest.fixture
def app(db_path, tmp_path):
    # No automatic retries: a failing delivery is final at once, so failure tests stay fast.
    return create_app({"DATABASE": db_path, "TESTING": True, "RETRY_SCHEDULE": [],
                       "FIXTURES_DIR": str(tmp_path / "mine")})


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


def make_webhook(client, account, url, name="Receiver") -> dict:
    base = f"/api/managing-entity/{account['id']}/webhook"
    created = client.post(base, json={"name": name, "eventUrl": url, "eventList": []}).get_json()
    return {**created["webhook"], "secret": created["secret"]}


def wink_verified(received, secret: str) -> dict:
    """Verify a delivery as a Wink receiver on Stripe's SDK would; return its envelope."""
    assert stripe.WebhookSignature.verify_header(received.body, received.headers["Wink-Signature"], secret,
                                                 300)
    envelope = received.json()
    assert set(envelope) == ENVELOPE and received.headers["Wink-Event-Id"] == envelope["id"]
    assert received.headers["Wink-Event-Type"] == envelope["type"]
    return envelope


def signed_at(received) -> int:
    return int(received.headers["Wink-Signature"].split(",")[0].removeprefix("t="))


def body_object(raw: bytes) -> bytes:
    """The exact bytes of an envelope's `object` (the last member of the envelope)."""
    head, sep, tail = raw.partition(b',"object":')
    assert sep, raw[:200]
    return tail[:-1]


# -- straight to a URL --------------------------------------------------------------------------

def test_direct_replay_signs_each_event_and_prints_each_outcome(tmp_path):
    with Receiver() as receiver:
        junit = tmp_path / "replay.xml"
        result = invoke("replay", "booking-life", "--to", receiver.url + "/hook", "--secret", SECRET,
                        "--no-delays", "--junit", str(junit), "--server", "http://127.0.0.1:9")
        got = receiver.wait_for(4)
    assert result.exit_code == 0, result.output
    envelopes = [wink_verified(r, SECRET) for r in got]
    assert [e["type"] for e in envelopes] == LIFE
    assert len({(e["object"]["bookingIdentifier"], e["object"]["bookingCode"]) for e in envelopes}) == 1
    assert {e["recipientRole"] for e in envelopes} == {"SUPPLIER"}  # the fixture's made-up hotel
    assert got[0].headers["Wink-Delivery-Attempt"] == "1" and got[0].headers["Wink-Version"] == "2.0"
    assert got[0].headers["Content-Type"] == "application/json"
    assert not [h for h in got[0].headers if h.lower().startswith(("webhook-", "x-wink-"))]
    lines = [line for line in result.output.splitlines() if line.startswith(" ok ")]
    assert len(lines) == 4 and "booking.create " in lines[0] and "200" in lines[0]
    assert "4 of 4 deliveries succeeded" in result.output
    assert 'tests="4" failures="0"' in junit.read_text()


def test_direct_replay_in_the_standard_webhooks_profile():
    secret = signing.new_secret()  # the standardwebhooks package wants padded base64; this one is both
    with Receiver() as receiver:
        result = invoke("replay", "booking.created", "--to", receiver.url, "--secret", secret,
                        "--profile", "standard-webhooks")
        [got] = receiver.wait_for(1)
    assert result.exit_code == 0, result.output
    envelope = Webhook(secret).verify(got.body, got.headers)
    assert envelope["type"] == "booking.create" and "Wink-Signature" not in got.headers
    assert got.headers["X-Wink-Event"] == "booking.create"


def test_direct_replay_failure_exits_1_with_json_and_junit(tmp_path):
    with Receiver(respond=lambda r: (503, {}, b"down")) as receiver:
        junit = tmp_path / "fail.xml"
        result = invoke("replay", "booking.created", "--to", receiver.url, "--secret", SECRET, "--json",
                        "--junit", str(junit), "--retries", "1")
        assert len(receiver.requests) == 2  # one retry
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["ok"] is False and document["failed"] == 1
    assert document["outcomes"][0]["status_code"] == 503 and document["outcomes"][0]["attempts"] == 2
    assert [r.headers["Wink-Delivery-Attempt"] for r in receiver.requests] == ["1", "2"]
    assert 'failures="1"' in junit.read_text()


def test_direct_replay_to_nothing_fails_with_the_reason():
    with Receiver() as receiver:
        url = receiver.url
    result = invoke("replay", "booking.created", "--to", url, "--secret", SECRET)
    assert result.exit_code == 1
    assert "FAIL" in result.output and "refused" in result.output


def sequence(receiver: Receiver) -> list[tuple]:
    """What a receiver saw, without the per-run random ids: (type, object bytes, duplicate?)."""
    seen: dict[str, int] = {}
    out = []
    for request in receiver.requests:
        event_id = request.headers["Wink-Event-Id"]
        out.append((request.json()["type"], body_object(request.body), event_id in seen))
        seen[event_id] = 1
    return out


def test_chaos_is_reproducible_from_the_seed():
    runs = []
    for _ in range(2):
        with Receiver() as receiver:
            result = invoke("replay", "booking-life", "--to", receiver.url, "--secret", SECRET, "--no-delays",
                            "--seed", "11", "--duplicates", "0.5", "--shuffle", "--jitter", "5", "--stale")
            assert result.exit_code == 0, result.output
            runs.append((sequence(receiver), list(receiver.requests)))
    (first, requests), (second, _) = runs
    assert first == second
    events = [event for event, _, duplicate in first if not duplicate]
    assert sorted(events) == sorted(LIFE) and events != LIFE  # shuffled, nothing lost
    duplicates = [event for event, _, duplicate in first if duplicate]
    assert 1 <= len(duplicates) < 5
    for request in requests:  # stale: 10 minutes old, so a receiver must refuse them
        assert time.time() - signed_at(request) >= 590
        with pytest.raises(signing.SignatureError, match="old"):
            signing.verify(SECRET, request.headers, request.body)
    assert "[chaos:" in result.output and "(duplicate)" in result.output


# -- through the sandbox ------------------------------------------------------------------------

def test_replay_through_the_sandbox_reaches_the_webhook(live_server, client, account):
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url + "/hook")
        result = invoke("replay", "booking-life", "--server", live_server.url, "--entity", account["id"],
                        "--no-delays")
        got = receiver.wait_for(4)
    assert result.exit_code == 0, result.output
    envelopes = [wink_verified(r, hook["secret"]) for r in got]
    assert [e["type"] for e in envelopes] == LIFE
    assert {e["ownerIdentifier"] for e in envelopes} == {account["id"]}
    assert {e["recipientRole"] for e in envelopes} == {"AGENT"}  # the account is a travel agent
    assert "-> Receiver" in result.output and "4 of 4 deliveries succeeded" in result.output
    listed = client.get("/api/events").get_json()["items"]
    assert len(listed) == 4
    booking = envelopes[-1]["object"]  # the record behind links.self is the one the events left
    record = client.get(booking["links"]["self"].removeprefix(live_server.url)).get_json()
    assert [s["toStatus"] for s in record["statusHistory"]][-2:] == ["CANCELLED", "FULLY_REFUNDED"]


def test_replay_param_changes_the_scenario_and_webhook_option_finds_the_account(live_server, client, account):
    with Receiver() as receiver:
        hook = make_webhook(client, account, receiver.url)
        make_webhook(client, account, receiver.url + "/other", name="Other")
        result = invoke("replay", "booking-life", "--server", live_server.url, "--webhook", hook["id"],
                        "--param", "canceller=HOTEL", "--no-delays", "--json")
        receiver.wait_for(4)
        assert {r.path for r in receiver.requests} == {"/"}  # only the named webhook
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [o["event"] for o in document["outcomes"]] == LIFE
    assert [r.json()["type"] for r in receiver.requests] == LIFE
    assert {r.json()["object"]["cancellation"]["cancellerType"] for r in receiver.requests[1:]} == {"HOTEL"}


def test_duplicates_through_the_sandbox_keep_the_webhook_id_and_show_in_the_log(live_server, client, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        result = invoke("replay", "booking.created", "--server", live_server.url, "--entity", account["id"],
                        "--duplicates", "1", "--stale", "--json")
        got = receiver.wait_for(2)
    assert result.exit_code == 0, result.output
    assert got[0].headers["Wink-Event-Id"] == got[1].headers["Wink-Event-Id"]
    assert got[0].headers["Wink-Delivery-Id"] == got[1].headers["Wink-Delivery-Id"]
    assert [r.headers["Wink-Delivery-Attempt"] for r in got] == ["1", "2"]
    assert got[0].body == got[1].body
    event = client.get("/api/events").get_json()["items"][0]
    assert event["chaos"] == {"label": "duplicate", "staleSeconds": 600}
    outcomes = json.loads(result.output)["outcomes"]
    assert [o["duplicate"] for o in outcomes] == [False, True]


def test_failed_delivery_through_the_sandbox_exits_1(live_server, client, account):
    with Receiver(respond=lambda r: (500, {}, b"no")) as receiver:
        make_webhook(client, account, receiver.url)
        result = invoke("replay", "booking.cancelled", "--server", live_server.url, "--entity",
                        account["id"])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "500" in result.output
    assert "0 of 1 deliveries succeeded" in result.output


def test_nothing_subscribed_is_a_failure(live_server, account):
    result = invoke("replay", "booking.created", "--server", live_server.url, "--entity", account["id"])
    assert result.exit_code == 1
    assert "unrouted" in result.output and "no enabled webhook" in result.output


def test_no_sandbox_running_says_how_to_start_one():
    with Receiver() as receiver:
        url = receiver.url
    result = invoke("replay", "booking.created", "--server", url, "--entity", "x")
    assert result.exit_code == 1
    assert f"No sandbox running at {url}" in result.output and "python run.py" in result.output


@pytest.mark.parametrize("args, code, message", [
    (["booking.created", "--to", "http://127.0.0.1:9/x"], 2, "--to needs the receiver's signing secret"),
    (["booking.created", "--to", "http://127.0.0.1:9/x", "--secret", SECRET, "--entity", "a"], 2,
     "cannot be combined"),
    (["booking.created", "--secret", SECRET, "--entity", "a"], 2, "--secret only applies with --to"),
    (["booking.created", "--to", "http://127.0.0.1:9/x", "--secret", "nope"], 2, "starts with whsec_"),
    (["booking.created", "--to", "http://127.0.0.1:9/x", "--secret", "whsec_***"], 2, "not valid base64"),
    (["booking.created", "--to", "http://127.0.0.1:9/x", "--secret", SECRET, "--profile", "svix"], 2,
     "'svix' is not one of 'wink'"),
    (["booking.created", "--profile", "wink", "--entity", "a"], 2, "--profile only applies with --to"),
    (["booking.created", "--to", "http://127.0.0.1:9/x", "--secret", SECRET, "--duplicates", "2"], 2,
     "--duplicates"),
    (["booking-lif", "--to", "http://127.0.0.1:9/x", "--secret", SECRET], 1, "did you mean booking-life"),
    (["booking-life", "--to", "http://127.0.0.1:9/x", "--secret", SECRET, "--param", "canceller=maybe"],
     1, "field 'params.canceller'"),
    (["booking-life", "--to", "http://127.0.0.1:9/x", "--secret", SECRET, "--param", "nope"], 2,
     "name=value"),
    (["booking.created", "--to", "http://127.0.0.1:9/x", "--secret", SECRET, "--set", "a[=1"], 2, "--set"),
    (["booking.created", "--to", "http://127.0.0.1:9/x", "--secret", SECRET, "--junit",
      "/no/such/folder/report.xml"], 2, "the folder /no/such/folder does not exist"),
])
def test_bad_options_are_refused_before_sending(args, code, message):
    result = invoke("replay", *args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_replay_without_an_account_lists_the_accounts(live_server, account):
    result = invoke("replay", "booking.created", "--server", live_server.url)
    assert result.exit_code == 2
    assert "--entity ACCOUNT_ID" in result.output and account["id"] in result.output


# -- recording ----------------------------------------------------------------------------------

def test_export_then_replay_sends_the_same_data_byte_for_byte(live_server, client, account, tmp_path):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        fired = client.post("/api/events", json={"event": "booking.created", "entity": account["id"],
                                                 "locale": "th_TH", "set": ["stay.adults=3"]}).get_json()
        original = receiver.wait_for(1)[0].body
        path = tmp_path / "recorded.json"
        result = invoke("export", fired["events"][0]["id"], "--server", live_server.url, "-o", str(path))
        assert result.exit_code == 0, result.output
        fixture = json.loads(path.read_text())
        assert fixture["kind"] == "event" and fixture["account"]["id"] == account["id"]
        result = invoke("replay", str(path), "--server", live_server.url)  # the fixture names the account
        assert result.exit_code == 0, result.output
        again = receiver.wait_for(2)[1].body
    assert body_object(again) == body_object(original)
    assert json.loads(again)["id"] != json.loads(original)["id"]  # a new event, the same data
    # Straight to a URL too: the same bytes.
    with Receiver() as receiver:
        assert invoke("replay", str(path), "--to", receiver.url, "--secret", SECRET).exit_code == 0
        assert body_object(receiver.wait_for(1)[0].body) == body_object(original)
    assert invoke("export", fired["events"][0]["id"], "--server", live_server.url, "-o",
                  str(path)).exit_code == 1  # exists: --force needed


def test_export_save_and_errors(live_server, client, account, app):
    event_id = client.post("/api/events", json={"event": "booking.cancelled",
                                                "entity": account["id"]}).get_json()["events"][0]["id"]
    result = invoke("export", event_id, "--server", live_server.url, "--save", "--name", "my-cancel")
    assert result.exit_code == 0, result.output
    assert "Saved fixture 'my-cancel'" in result.output
    names = [f["name"] for f in client.get("/api/fixtures").get_json()["items"]]
    assert "my-cancel" in names and "booking-life" in names
    again = invoke("export", event_id, "--server", live_server.url, "--save", "--name", "my-cancel")
    assert again.exit_code == 1 and "exists" in again.output and "HTTP 409" in again.output
    assert "--force" in again.output and "overwrite: true" not in again.output  # the CLI's words
    missing = invoke("export", "no-such-event", "--server", live_server.url)
    assert missing.exit_code == 1 and "No event with id 'no-such-event'" in missing.output
    nowhere = invoke("export", event_id, "--server", live_server.url, "-o", "/no/such/folder/f.json")
    assert nowhere.exit_code == 2 and "the folder /no/such/folder does not exist" in nowhere.output


def test_every_shipped_fixture_runs_through_the_sandbox(live_server, client, account):
    from sandbox import catalog, fixtures
    from sandbox.replay import local_make

    found, errors = fixtures.discover([fixtures.SHIPPED_DIR])
    assert errors == [] and len(found) >= 12
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        expected = 0
        for fixture in found:
            result = invoke("replay", fixture.name, "--server", live_server.url, "--entity", account["id"],
                            "--no-delays", "--json")
            assert result.exit_code == 0, (fixture.name, result.output)
            document = json.loads(result.output)
            built = fixtures.build(fixture, local_make())
            assert document["ok"] and document["delivered"] == len(built), fixture.name
            assert [o["event"] for o in document["outcomes"]] == [catalog.wire_key(b.event) for b in built]
            expected += document["delivered"]
        got = receiver.wait_for(expected)
    assert {r.json()["type"] for r in got} >= {"booking.create", "room_type.created", "rate_plan.created",
                                               "internal.payment.failed", "booking.refund.full",
                                               "booking.funds.available", "booking.failed"}
