"""hold, queue, release and resume from the terminal against a live sandbox and a real receiver."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sandbox import cli
from tests.receivers import Receiver, wait_until
from tests.test_holds import Held

COMMANDS = ["hold", "queue", "release", "resume"]


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


def test_hold_queue_move_drop_release_resume(live_server, account):
    server = live_server.url
    with Receiver() as receiver:
        held = Held(server, account, receiver)
        hook = held.hook["id"]
        sandbox = ("--server", server)

        not_held = invoke("queue", hook, *sandbox)
        assert not_held.exit_code == 0 and "is not on hold" in not_held.output
        out = invoke("hold", hook, *sandbox)
        assert out.exit_code == 0, out.output
        assert "Webhook 'Front desk' is on hold since" in out.output and "0 deliveries queued." in out.output

        d = held.fire(4)
        listed = invoke("queue", hook, *sandbox)
        assert "4 deliveries queued." in listed.output
        lines = [line for line in listed.output.splitlines() if "HELD" in line]
        assert [line.split()[-1] for line in lines] == d and lines[0].split()[0] == "1"
        first = invoke("queue", hook, "--limit", "1", *sandbox)
        assert d[0] in first.output and d[1] not in first.output and "... and 3 more" in first.output
        as_json = json.loads(invoke("queue", hook, "--json", *sandbox).output)
        assert [item["id"] for item in as_json["queue"]] == d and as_json["held"] is True

        moved = invoke("queue", hook, "--move", d[3], "--to", "1", *sandbox)
        assert moved.exit_code == 0, moved.output
        assert held.queue() == [d[3], d[0], d[1], d[2]]
        invoke("queue", hook, "--down", d[3], *sandbox)
        invoke("queue", hook, "--up", d[2], *sandbox)
        assert held.queue() == [d[0], d[3], d[2], d[1]]
        dropped = invoke("queue", hook, "--drop", d[1], *sandbox)
        assert f"Dropped {d[1]}: it is CANCELLED." in dropped.output
        assert "3 deliveries queued." in dropped.output
        assert held.delivery(d[1])["status"] == "cancelled"

        one = invoke("release", hook, d[2], *sandbox)
        assert one.exit_code == 0, one.output
        assert "Released 1 delivery, sent in this order." in one.output and "2 still held." in one.output
        wait_until(lambda: len(receiver.requests) == 1, message="the released delivery")
        first = invoke("release", hook, "--count", "1", *sandbox)
        assert d[0] in first.output and "1 still held." in first.output
        everything = invoke("release", hook, "--all", "--json", *sandbox)
        assert [item["id"] for item in json.loads(everything.output)["released"]] == [d[3]]
        wait_until(lambda: len(receiver.requests) == 3, message="three deliveries")
        assert [r.headers["Wink-Delivery-Id"] for r in receiver.requests] == [d[2], d[0], d[3]]

        queued = held.fire(2)
        resumed = invoke("resume", hook, *sandbox)
        assert resumed.exit_code == 0, resumed.output
        assert "Released 2 deliveries, sent in this order." in resumed.output
        assert "Webhook 'Front desk' resumed: new deliveries go out as they come." in resumed.output
        wait_until(lambda: len(receiver.requests) == 5, message="the resumed deliveries")
        assert [r.headers["Wink-Delivery-Id"] for r in receiver.requests][3:] == queued

        # Mistakes: usage errors exit 2 before any call; the sandbox's refusals exit 1 with its detail.
        nothing = invoke("release", hook, *sandbox)
        assert nothing.exit_code == 2 and "Say what to release" in nothing.output
        both = invoke("release", hook, "--count", "1", "--all", *sandbox)
        assert both.exit_code == 2
        half = invoke("queue", hook, "--move", d[0], *sandbox)
        assert half.exit_code == 2 and "--move and --to go together" in half.output
        two = invoke("queue", hook, "--up", d[0], "--drop", d[0], *sandbox)
        assert two.exit_code == 2 and "one of --up, --drop at a time" in two.output
        refused = invoke("release", hook, "--all", *sandbox)
        assert refused.exit_code == 1 and "HTTP 409" in refused.output and "is not on hold" in refused.output
        again = invoke("resume", hook, *sandbox)
        assert again.exit_code == 1 and "is not on hold" in again.output
        unknown = invoke("hold", "no-such-webhook", *sandbox)
        assert unknown.exit_code == 1 and "HTTP 404" in unknown.output
        invoke("hold", hook, *sandbox)
        [new] = held.fire(1)
        bad = invoke("queue", hook, "--move", new, "--to", "5", *sandbox)
        assert bad.exit_code == 1 and "HTTP 400" in bad.output and "position" in bad.output
        gone = invoke("release", hook, "no-such-delivery", *sandbox)
        assert gone.exit_code == 1 and "HTTP 404" in gone.output
