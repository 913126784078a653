"""The outbox from the terminal against a live sandbox: deliveries, cancel, redeliver-dead."""

from __future__ import annotations

import json

import pytest
import requests
from click.testing import CliRunner

from sandbox import cli
from tests.receivers import Receiver, wait_until

COMMANDS = ["deliveries", "cancel", "redeliver-dead"]


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"python run.py {name}" in result.output


def _delivery(server, delivery_id: str) -> dict:
    return requests.get(f"{server.url}/api/deliveries/{delivery_id}", timeout=10).json()


def test_list_cancel_and_redeliver_dead(live_server, account):
    server = live_server.url
    answers = {"status": 400}
    with Receiver(lambda r: (answers["status"], {}, b"")) as receiver:
        hook = requests.post(f"{server}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
            "name": "Front desk", "eventUrl": receiver.url, "eventList": []}).json()["webhook"]
        fired = requests.post(f"{server}/api/events", timeout=10, json={
            "event": "booking.create", "entity": account["id"], "count": 2}).json()["events"]
        ids = [event["deliveries"][0]["id"] for event in fired]
        for delivery_id in ids:
            wait_until(lambda d=delivery_id: _delivery(live_server, d)["status"] == "failed")

        listed = invoke("deliveries", "--status", "DEAD", "--server", server)
        assert listed.exit_code == 0, listed.output
        assert all(delivery_id in listed.output for delivery_id in ids)
        assert "failed" in listed.output and "Front desk" in listed.output and "2 deliveries" in listed.output
        as_json = invoke("deliveries", "--status", "failed", "--webhook", hook["id"], "--json",
                         "--server", server)
        assert sorted(item["id"] for item in json.loads(as_json.output)) == sorted(ids)
        none = invoke("deliveries", "--status", "pending", "--server", server)
        assert "No delivery matches." in none.output
        wrong = invoke("deliveries", "--status", "lost", "--server", server)
        assert wrong.exit_code == 2 and "is not a status" in wrong.output

        cancelled = invoke("cancel", ids[0], "--server", server)
        assert cancelled.exit_code == 0, cancelled.output
        assert f"Delivery {ids[0]} (booking.create to Front desk) is now CANCELLED." in cancelled.output
        assert _delivery(live_server, ids[0])["status"] == "cancelled"

        answers["status"] = 200
        reset = invoke("redeliver-dead", hook["id"], "--server", server)
        assert reset.exit_code == 0, reset.output
        assert "1 dead delivery of webhook 'Front desk' reset to PENDING." in reset.output
        wait_until(lambda: _delivery(live_server, ids[1])["status"] == "succeeded")
        assert _delivery(live_server, ids[0])["status"] == "cancelled"

        refused = invoke("cancel", ids[1], "--server", server)
        assert refused.exit_code == 1 and "SUCCEEDED" in refused.output and "HTTP 409" in refused.output
        unknown = invoke("redeliver-dead", "no-such-webhook", "--server", server)
        assert unknown.exit_code == 1 and "No webhook with id 'no-such-webhook'" in unknown.output
        missing = invoke("cancel", "no-such-delivery", "--server", server)
        assert missing.exit_code == 1 and "HTTP 404" in missing.output


def test_search_finds_a_booking_code_in_the_payload(live_server, account):
    server = live_server.url
    with Receiver(lambda r: (200, {}, b"")) as receiver:
        requests.post(f"{server}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
            "name": "Search desk", "eventUrl": receiver.url, "eventList": []}).raise_for_status()
        requests.post(f"{server}/api/events", timeout=10, json={
            "event": "booking.create", "entity": account["id"], "count": 3}).raise_for_status()
        wanted = requests.post(f"{server}/api/events", timeout=10, json={
            "event": "booking.create", "entity": account["id"], "set": ['bookingCode="CLI-FIND-9"']}
        ).json()["events"][0]["deliveries"][0]["id"]

        found = invoke("deliveries", "--search", "cli-find-9", "--server", server)
        assert found.exit_code == 0, found.output
        assert wanted in found.output and "\n1 delivery." in found.output
        as_json = invoke("deliveries", "--search", "CLI-FIND-9", "--json", "--server", server)
        assert [item["id"] for item in json.loads(as_json.output)] == [wanted]
        none = invoke("deliveries", "--search", "nothing-like-this", "--server", server)
        assert none.exit_code == 0 and "No delivery matches." in none.output
        too_long = invoke("deliveries", "--search", "x" * 201, "--server", server)
        assert too_long.exit_code == 1 and "must be at most 200 characters" in too_long.output
