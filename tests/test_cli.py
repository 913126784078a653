"""The QA commands against a live sandbox: events, trigger, tail, simulate; help, token, no sandbox."""

from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner

from sandbox import cli, create_app
from sandbox.server import Runner
from tests.receivers import Receiver

QA_COMMANDS = ["trigger", "tail", "events", "replay", "export", "check", "simulate"]
SERVER_COMMANDS = {  # the arguments that make each command talk to the sandbox
    "trigger": ["booking.created", "--entity", "x"],
    "tail": [],
    "events": [],
    "replay": ["booking.created", "--entity", "x"],
    "export": ["some-event-id"],
    "simulate": ["--entity", "x", "--max-events", "1"],
}


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()


@pytest.fixture
def app(db_path):
    return create_app({"DATABASE": db_path, "TESTING": True, "RETRY_SCHEDULE": []})


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


def make_webhook(client, account, url, name="Receiver") -> dict:
    base = f"/api/managing-entity/{account['id']}/webhook"
    return client.post(base, json={"name": name, "eventUrl": url, "eventList": []}).get_json()["webhook"]


@pytest.mark.parametrize("name", QA_COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"python run.py {name}" in result.output


@pytest.mark.parametrize("name", sorted(SERVER_COMMANDS))
def test_every_command_says_when_no_sandbox_is_running(name):
    with Receiver() as receiver:
        url = receiver.url  # a port that was just free: nothing listens there now
    result = invoke(name, *SERVER_COMMANDS[name], "--server", url)
    assert result.exit_code == 1, result.output
    assert f"No sandbox running at {url}" in result.output
    assert "start it with `python run.py`" in result.output


def test_server_defaults_to_the_environment(monkeypatch):
    with Receiver() as receiver:
        url = receiver.url
    monkeypatch.setenv("SANDBOX_SERVER", url)
    result = invoke("events")
    assert f"No sandbox running at {url}" in result.output


def test_something_else_listening_is_not_a_sandbox():
    with Receiver(respond=lambda r: (404, {}, b"nope")) as receiver:
        result = invoke("events", "--server", receiver.url)
    assert result.exit_code == 1
    assert "No sandbox running" in result.output and "something else answers there" in result.output


def test_events_lists_the_catalog_with_filters(live_server):
    result = invoke("events", "--server", live_server.url, "--category", "Booking")
    assert result.exit_code == 0, result.output
    assert "booking.create" in result.output and "booking.refund.partial" in result.output
    assert "also booking.created" in result.output              # the alias, shown with its key
    assert "listed by Wink, never delivered" in result.output   # booking.processing and the like
    assert "property.updated" not in result.output
    result = invoke("events", "--server", live_server.url, "--search", "refund", "--json")
    keys = [item["key"] for item in json.loads(result.output)]
    assert keys and all("refund" in k or "refund" in item["description"].lower()
                        for k, item in zip(keys, json.loads(result.output), strict=True))
    bad = invoke("events", "--server", live_server.url, "--category", "Nope")
    assert bad.exit_code == 1 and "category" in bad.output and "HTTP 400" in bad.output


def test_trigger_fires_for_the_account(live_server, client, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        result = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", account["id"],
                        "--count", "3", "--seed", "5", "--set", "stay.adults=4")
        got = receiver.wait_for(3)
    assert result.exit_code == 0, result.output
    fired = "Fired 3 booking.create letter(s) for 'Cool Account' (AGENT): 3 deliveries queued."
    assert fired in result.output
    assert [r.json()["object"]["stay"]["adults"] for r in got] == [4, 4, 4]


def test_trigger_with_a_reseller_sends_one_letter_to_each(live_server, client, account):
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Sol", "type": "HOTEL"}).get_json()
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        make_webhook(client, hotel, receiver.url)
        result = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", "Hotel Sol",
                        "--reseller", "Cool Account", "--wait", "--timeout", "20")
        got = receiver.wait_for(2)
    assert result.exit_code == 0, result.output
    assert "2 succeeded, 0 failed" in result.output
    assert sorted(r.json()["recipientRole"] for r in got) == ["AGENT", "SUPPLIER"]
    wrong = invoke("trigger", "booking.create", "--server", live_server.url, "--entity", "Hotel Sol",
                   "--reseller", "Hotel Sol")
    assert wrong.exit_code != 0 and "reseller" in wrong.output and "is a hotel" in wrong.output


def test_entity_may_be_an_accounts_exact_name_as_in_the_api(live_server, client, account):
    """POST /api/events takes "entity": "Cool Account"; the commands take --entity "Cool Account" too."""
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        result = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", "Cool Account")
        got = receiver.wait_for(1)
    assert result.exit_code == 0, result.output
    assert got[0].json()["ownerIdentifier"] == account["id"]
    wrong = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", "cool account")
    assert wrong.exit_code == 2 and "no account has the id or name 'cool account'" in wrong.output


def test_trigger_refuses_bad_input(live_server, account):
    result = invoke("trigger", "booking.created", "--server", live_server.url)
    assert result.exit_code == 2 and "--entity ACCOUNT_ID" in result.output
    result = invoke("trigger", "booking.craeted", "--server", live_server.url, "--entity", account["id"])
    assert result.exit_code == 1 and "did you mean booking.created" in result.output
    result = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", "nope")
    assert result.exit_code == 2 and "no account has the id or name 'nope'" in result.output
    result = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", account["id"],
                    "--set", "no-equals")
    assert result.exit_code == 2 and "--set" in result.output


def test_simulate_plays_scenarios_at_a_rate_until_its_limit(live_server, client, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        result = invoke("simulate", "--server", live_server.url, "--entity", account["id"], "--scenario",
                        "property-onboarding", "--rate", "50", "--max-events", "6", "--seed", "1")
        got = receiver.wait_for(6)
    assert result.exit_code == 0, result.output
    assert "Fired 6 event(s)" in result.output
    assert [r.json()["type"] for r in got] == ["managing_entity.created", "property.created",
                                                "room_type.created", "rate_plan.created",
                                                "room_type.updated", "managing_entity.created"]
    # The account is the sandbox's own, in every round.
    first, again = got[0].json()["object"], got[5].json()["object"]
    assert first["managingEntityIdentifier"] == again["managingEntityIdentifier"] == account["id"]


def test_token_is_sent_and_its_absence_explained(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "t.db"), "TESTING": True, "TOKEN": "s3cret"})
    with Runner(app) as server:
        refused = invoke("events", "--server", server.url)
        assert refused.exit_code == 1 and "needs an API token: pass --token" in refused.output
        wrong = invoke("events", "--server", server.url, "--token", "nope")
        assert wrong.exit_code == 1 and "is not the sandbox's" in wrong.output
        assert invoke("events", "--server", server.url, "--token", "s3cret").exit_code == 0
        if importlib.util.find_spec("sandbox.live") is None:
            return
        live = invoke("tail", "--server", server.url, "--duration", "0.5")
        assert live.exit_code == 1 and "needs an API token" in live.output
        live = invoke("tail", "--server", server.url, "--token", "s3cret", "--duration", "0.5")
        assert live.exit_code == 0 and "Following the live log" in live.output


def test_bad_server_url_is_a_usage_error():
    result = invoke("events", "--server", "ftp://x")
    assert result.exit_code == 2 and "is not an http(s) URL" in result.output


def test_simulate_stops_on_its_duration(live_server, account):
    result = invoke("simulate", "--server", live_server.url, "--entity", account["id"], "--rate", "20",
                    "--duration", "0.3", "--quiet")
    assert result.exit_code == 0 and result.output.startswith("Fired ")


# -- the live log (needs the /ws/deliveries websocket) -------------------------------------------

needs_live = pytest.mark.skipif(importlib.util.find_spec("sandbox.live") is None,
                                reason="the /ws/deliveries websocket (sandbox.live) is not there yet")


@needs_live
def test_trigger_wait_follows_every_delivery_and_summarises(live_server, client, account):
    with Receiver() as receiver:
        make_webhook(client, account, receiver.url)
        result = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", account["id"],
                        "--count", "20", "--wait", "--json")
        assert len(receiver.requests) == 20
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["sent"], summary["deliveries"], summary["succeeded"], summary["failed"],
            summary["unfinished"]) == (20, 20, 20, 0, 0)
    assert 0 <= summary["latencyMs"]["p50"] <= summary["latencyMs"]["p99"]
    assert summary["endToEndMs"]["p50"] <= summary["endToEndMs"]["p99"]


@needs_live
def test_trigger_wait_counts_failures_and_exits_1(live_server, client, account):
    answers = iter([200, 500, 200, 500, 200])
    with Receiver(respond=lambda r: (next(answers), {}, b"")) as receiver:
        make_webhook(client, account, receiver.url)
        result = invoke("trigger", "booking.cancelled", "--server", live_server.url, "--entity",
                        account["id"], "--count", "5", "--wait")
    assert result.exit_code == 1, result.output
    assert "Sent 5 event(s), 5 deliveries: 3 succeeded, 2 failed." in result.output
    assert "Receiver answer time p50" in result.output


@needs_live
def test_trigger_wait_with_no_webhook_says_so(live_server, account):
    result = invoke("trigger", "booking.created", "--server", live_server.url, "--entity", account["id"],
                    "--wait")
    assert result.exit_code == 0
    assert "no enabled webhook" in result.output and "0 deliveries" in result.output


@needs_live
def test_tail_prints_the_live_log_with_filters(live_server, client, account):
    with Receiver(respond=lambda r: (503, {}, b"")) as receiver:
        make_webhook(client, account, receiver.url, name="Flaky")
        client.post("/api/events", json={"event": "booking.created", "entity": account["id"]})
        client.post("/api/events", json={"event": "booking.cancelled", "entity": account["id"],
                                         "chaos": {"label": "stale"}})
        receiver.wait_for(2)
        result = invoke("tail", "--server", live_server.url, "--event", "booking.cancelled",
                        "--backlog", "10", "--duration", "1")
        as_json = invoke("tail", "--server", live_server.url, "--status", "failed", "--json", "--count", "2",
                         "--duration", "5")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "booking." in line and "Following" not in line]
    assert lines and all("booking.cancelled" in line for line in lines)
    assert any("delivery.failed" in line and "-> Flaky" in line and "503" in line for line in lines)
    assert all("[chaos: stale]" in line for line in lines), lines  # the live log shows chaos
    messages = [json.loads(line) for line in as_json.output.splitlines() if line.startswith("{")]
    assert len(messages) == 2 and {m["status"] for m in messages} == {"failed"}


@needs_live
def test_tail_refuses_bad_filters_clearly(live_server):
    result = invoke("tail", "--server", live_server.url, "--event", "booking.nope", "--duration", "1")
    assert result.exit_code == 1 and "refused the live log filters" in result.output


def test_trigger_of_a_key_wink_never_delivers_names_the_flag(live_server, account):
    result = invoke("trigger", "payee.update", "--server", live_server.url, "--entity", account["id"])
    assert result.exit_code != 0 and "add --undelivered" in result.output
    assert '"undelivered": true' not in result.output
    ok = invoke("trigger", "payee.update", "--server", live_server.url, "--entity", account["id"],
                "--undelivered")
    assert ok.exit_code == 0, ok.output
