"""``bundle export/import/list/runs/replay`` against two live sandboxes on two databases."""

from __future__ import annotations

import gzip
import json

import pytest
import requests
from click.testing import CliRunner

from sandbox import cli, create_app
from sandbox.server import Runner
from tests.receivers import Receiver, wait_until

COMMANDS = ["export", "import", "list", "runs", "replay"]


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_bundle_command_has_help_with_an_example(name):
    result = invoke("bundle", name, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"python run.py bundle {name}" in result.output


@pytest.fixture
def other_server(tmp_path):
    server = Runner(create_app({"DATABASE": str(tmp_path / "other.db"), "TESTING": True}), "127.0.0.1", 0)
    server.start()
    yield server
    server.stop(timeout=5)


def test_export_import_and_replay_from_the_terminal(tmp_path, live_server, other_server, account):
    source, other = live_server.url, other_server.url
    with Receiver() as receiver:
        requests.post(f"{source}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
            "name": "Desk", "eventUrl": receiver.url + "/in", "eventList": []}).raise_for_status()
        run = requests.post(f"{source}/api/fixtures/booking-life/run", timeout=30, json={
            "entity": account["id"], "delays": False, "params": {"canceller": "HOTEL"}}).json()
        original = receiver.wait_for(4)
        ids = [d["id"] for e in run["events"] for d in e["deliveries"]]
        wait_until(lambda: all(requests.get(f"{source}/api/deliveries/{i}", timeout=10).json()["status"]
                               == "succeeded" for i in ids), 15, message="the run's deliveries")

    runs = invoke("bundle", "runs", "--server", source)
    assert run["runId"] in runs.output and "booking-life" in runs.output
    path = str(tmp_path / "run.wsbundle.ndjson.gz")
    exported = invoke("bundle", "export", "--run", run["runId"], "-o", path, "--server", source)
    assert exported.exit_code == 0, exported.output
    assert exported.output.startswith(f"Wrote {path} (")
    records = [json.loads(line) for line in gzip.open(path).read().splitlines()]
    assert records[-1]["counts"]["event"] == 4 and records[1]["type"] == "scenario"

    imported = invoke("bundle", "import", path, "--name", "Terminal run", "--server", other)
    assert imported.exit_code == 0, imported.output
    assert "Imported 'Terminal run' as " in imported.output and "4 events" in imported.output
    listed = invoke("bundle", "list", "--json", "--server", other)
    [bundle] = json.loads(listed.output)
    assert bundle["name"] == "Terminal run" and bundle["selection"]["kind"] == "run"

    with Receiver() as target:
        replayed = invoke("bundle", "replay", bundle["id"], "--to", target.url + "/again", "--server", other)
        assert replayed.exit_code == 0, replayed.output
        got = target.wait_for(4)
    assert "Replayed 4 attempts: 4 succeeded, 0 failed (signatures recorded)." in replayed.output
    assert [r.body for r in got] == [r.body for r in original]
    assert [r.headers["Wink-Signature"] for r in got] == [r.headers["Wink-Signature"] for r in original]


def test_terminal_mistakes_get_clear_errors(tmp_path, other_server):
    bad = tmp_path / "cut.wsbundle.ndjson.gz"
    bad.write_bytes(gzip.compress(b'{"type":"bundle","formatVersion":"1.0"}\n')[:25])
    result = invoke("bundle", "import", str(bad), "--server", other_server.url)
    assert result.exit_code == 1
    assert "nothing was stored" in result.output and "truncated" in result.output
    assert "(HTTP 400)" in result.output
    newer = tmp_path / "newer.wsbundle.ndjson.gz"
    newer.write_bytes(gzip.compress(b'{"type":"bundle","formatVersion":"3.1"}\n'))
    result = invoke("bundle", "import", str(newer), "--server", other_server.url)
    assert result.exit_code == 1
    assert "format version 3.1, newer than this sandbox reads (1.x)" in result.output
    result = invoke("bundle", "replay", "no-such-bundle", "--server", other_server.url)
    assert result.exit_code == 1 and "No imported bundle with id 'no-such-bundle'" in result.output
    result = invoke("bundle", "replay", "x", "--url-map", "nothing", "--server", other_server.url)
    assert result.exit_code == 2 and "--url-map name=value" in result.output
    result = invoke("bundle", "export", "--from", "soon", "-o", str(tmp_path / "x.gz"),
                    "--server", other_server.url)
    assert result.exit_code == 1 and "from:" in result.output and not (tmp_path / "x.gz").exists()
    result = invoke("bundle", "import", str(tmp_path / "missing.gz"), "--server", other_server.url)
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_replay_through_the_sandbox_is_stored_as_a_run(tmp_path, live_server, account):
    server = live_server.url
    with Receiver() as receiver:
        requests.post(f"{server}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
            "name": "Desk", "eventUrl": receiver.url, "eventList": []}).raise_for_status()
        result = invoke("replay", "booking-life", "--entity", account["id"], "--no-delays",
                        "--param", "canceller=HOTEL", "--server", server)
        assert result.exit_code == 0, result.output
        as_json = invoke("replay", "booking-life", "--entity", account["id"], "--no-delays", "--json",
                         "--server", server)
    second = json.loads(as_json.output)["runId"]
    runs = json.loads(invoke("bundle", "runs", "--json", "--server", server).output)  # both are stored
    assert [run["id"] for run in runs][0] == second and len(runs) == 2
    run_id = runs[1]["id"]
    path = str(tmp_path / "replayed.wsbundle.ndjson.gz")
    assert invoke("bundle", "export", "--run", run_id, "-o", path, "--server", server).exit_code == 0
    records = [json.loads(line) for line in gzip.open(path).read().splitlines()]
    scenario = records[1]
    assert scenario["type"] == "scenario" and scenario["fixture"] == "booking-life"
    assert scenario["params"]["params"] == {"canceller": "HOTEL"}
    assert [e["step"] for e in scenario["events"]] == ["created", "cancelled", "refund_requested", "refunded"]
    assert records[-1]["counts"]["event"] == 4 and records[-1]["counts"]["attempt"] == 4
