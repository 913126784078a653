"""``resend`` from the terminal against a live sandbox and a real receiver (issue 15)."""

from __future__ import annotations

import json

import pytest
import requests
from click.testing import CliRunner

from sandbox import cli
from tests.receivers import Receiver, wait_until
from tests.test_delivery import verify_with_stripe


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False, input=input)


def test_help_has_an_example():
    result = invoke("resend", "--help")
    assert result.exit_code == 0 and "Example:" in result.output
    assert "python run.py resend" in result.output and "--keep-id" in result.output


@pytest.fixture
def letter(live_server, account):
    """A webhook on a real receiver, one booking.create delivered to it: (server, hook, event, receiver)."""
    server = live_server.url
    with Receiver() as receiver:
        created = requests.post(f"{server}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
            "name": "Front desk", "eventUrl": receiver.url, "eventList": []}).json()
        hook = {**created["webhook"], "secret": created["secret"]}
        [event] = requests.post(f"{server}/api/events", timeout=10, json={
            "event": "booking.create", "entity": account["id"], "seed": 11}).json()["events"]
        receiver.wait_for(1)
        yield server, hook, event, receiver


def test_keep_id_with_set_sends_the_same_letter_edited(letter):
    server, hook, event, receiver = letter
    result = invoke("resend", event["id"], "--set", "stay.adults=3", "--set", "guest.lastName=Silva",
                    "--keep-id", "--server", server)
    assert result.exit_code == 0, result.output
    assert '+    "adults": 3,' in result.output and "same id and occurredAt" in result.output
    assert "Front desk" in result.output
    original, got = receiver.wait_for(2)
    before, after = json.loads(original.body), json.loads(got.body)
    assert got.headers["Wink-Event-Id"] == after["id"] == before["id"]
    assert after["occurredAt"] == before["occurredAt"]
    assert after["object"]["stay"]["adults"] == 3 and after["object"]["guest"]["lastName"] == "Silva"
    verify_with_stripe(got, hook["secret"])


def test_fresh_with_a_patch_file_and_stdin(letter, tmp_path):
    server, _hook, event, receiver = letter
    patch = tmp_path / "edit.json"
    patch.write_text(json.dumps([{"op": "replace", "path": "/stay/children", "value": 2}]))
    result = invoke("resend", event["id"], "--patch", str(patch), "--json", "--server", server)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["mode"] == "fresh" and answer["eventId"] != event["id"]
    got = receiver.wait_for(2)[1]
    assert got.headers["Wink-Event-Id"] == answer["eventId"] == json.loads(got.body)["id"]
    assert json.loads(got.body)["object"]["stay"]["children"] == 2
    piped = invoke("resend", event["id"], "--patch", "-", "--dry-run", "--server", server,
                   input='[{"op": "add", "path": "/guest/telephone", "value": "+351 21 000 0000"}]')
    assert piped.exit_code == 0, piped.output
    assert "Dry run" in piped.output and "Nothing was sent" in piped.output and "+351" in piped.output
    assert len(receiver.requests) == 2


def test_schema_refusal_then_forced_and_marked(letter):
    server, hook, event, receiver = letter
    refused = invoke("resend", event["id"], "--set", "stay.adults=three", "--server", server)
    assert refused.exit_code == 1
    assert "object.stay.adults" in refused.output and "rule: type" in refused.output
    assert "HTTP 422" in refused.output
    forced = invoke("resend", event["id"], "--set", "stay.adults=three", "--no-validate", "--webhook",
                    hook["id"], "--server", server)
    assert forced.exit_code == 0, forced.output
    assert "outside the contract" in forced.output
    got = receiver.wait_for(2)[1]
    assert json.loads(got.body)["object"]["stay"]["adults"] == "three"
    delivery_id = got.headers["Wink-Delivery-Id"]
    shown = wait_until(lambda: requests.get(f"{server}/api/deliveries/{delivery_id}", timeout=10).json())
    assert shown["outsideContract"] is True


@pytest.mark.parametrize(("args", "code", "says"), [
    (["--set", "stay.adults"], 2, "has no '='"),
    (["--patch", "-"], 2, "is not JSON"),
    (["--set", "stay.nowhere.deep=1"], 1, "HTTP 422"),
    (["--webhook", "nope"], 1, "no webhook 'nope'"),
])
def test_bad_input_gets_a_clear_error(letter, args, code, says):
    server, *_ = letter
    result = CliRunner().invoke(cli.cli, ["resend", letter[2]["id"], *args, "--server", server],
                                input="not json")
    assert result.exit_code == code, result.output
    assert says in result.output


def test_an_unknown_event_is_a_404(live_server):
    result = invoke("resend", "no-such-event", "--server", live_server.url)
    assert result.exit_code == 1 and "No event with id 'no-such-event'" in result.output
