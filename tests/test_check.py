"""`check` against real receivers: the two examples (exact verdicts), broken ones, and bad input."""

from __future__ import annotations

import importlib.util
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from sandbox import cli
from tests.receivers import Receiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHECK_IDS = ["valid", "duplicate", "wrong-signature", "missing-signature", "tampered-body",
             "stale-timestamp", "future-timestamp", "unknown-event", "large-payload"]
SECURITY = {"wrong-signature", "missing-signature", "tampered-body", "stale-timestamp", "future-timestamp"}


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Served:
    """A WSGI app served for real on 127.0.0.1 with a free port."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()
    import sandbox.commands.check  # noqa: F401  (registered in COMMAND_MODULES too)


def run_check(*args: str):
    result = CliRunner().invoke(cli.cli, ["check", *args], catch_exceptions=False)
    return result


def verdicts(output: str) -> dict[str, bool]:
    document = json.loads(output)
    return {c["id"]: c["passed"] for c in document["checks"]}


def test_good_receiver_passes_every_check(tmp_path):
    module = _example("good_receiver")
    with Served(module.create_app(SECRET)) as served:
        junit = tmp_path / "check.xml"
        result = run_check(served.url, "--secret", SECRET, "--json", "--junit", str(junit))
    assert result.exit_code == 0, result.output
    assert verdicts(result.output) == {check: True for check in CHECK_IDS}
    # Idempotent: the duplicate was acknowledged but handled once; the unknown type was ignored.
    handled = served.app.extensions["received"]
    assert [e["event"] for e in handled] == ["booking.created", "booking.created"]
    xml = junit.read_text()
    assert 'tests="9" failures="0"' in xml


def test_naive_receiver_fails_exactly_the_security_checks(tmp_path):
    module = _example("naive_receiver")
    with Served(module.create_app()) as served:
        junit = tmp_path / "naive.xml"
        result = run_check(served.url, "--secret", SECRET, "--json", "--junit", str(junit))
    assert result.exit_code == 1
    assert verdicts(result.output) == {check: check not in SECURITY for check in CHECK_IDS}
    document = json.loads(result.output)
    assert document["ok"] is False and document["failed"] == 5
    for check in document["checks"]:
        if check["id"] in SECURITY:
            assert check["status"] == 200 and check["reason"] == "got 200"
            assert check["fix"] and check["why"]
    xml = junit.read_text()
    assert 'tests="9" failures="5"' in xml and "wrong-signature" in xml and "Fix:" in xml


def test_report_card_names_each_check_and_the_fix():
    module = _example("naive_receiver")
    with Served(module.create_app()) as served:
        result = run_check(served.url, "--secret", SECRET)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    card = {line.split()[1]: line.split()[0] for line in lines if line.startswith((" PASS", " FAIL"))}
    assert card == {check: "FAIL" if check in SECURITY else "PASS" for check in CHECK_IDS}
    assert "fix: it accepted a forged request" in result.output
    assert "4 of 9 checks passed" in result.output


def test_crashing_receiver_gets_told_to_answer_4xx_not_5xx():
    with Receiver(respond=lambda r: (500, {}, b"boom")) as receiver:
        result = run_check(receiver.url + "/hook", "--secret", SECRET, "--json")
    assert result.exit_code == 1
    checks = {c["id"]: c for c in json.loads(result.output)["checks"]}
    assert not any(c["passed"] for c in checks.values())
    assert checks["valid"]["fix"].startswith("it crashed (5xx)")
    assert "instead of rejecting" in checks["wrong-signature"]["fix"]


def test_receiver_refusing_everything_fails_the_2xx_checks_with_size_hint():
    with Receiver(respond=lambda r: (413 if len(r.body) > 100_000 else 401, {}, b"no")) as receiver:
        result = run_check(receiver.url, "--secret", SECRET, "--json")
    checks = {c["id"]: c for c in json.loads(result.output)["checks"]}
    assert {k for k, c in checks.items() if c["passed"]} == SECURITY
    assert "413" in checks["large-payload"]["fix"]
    assert "idempotent" in checks["duplicate"]["why"]


def test_nothing_listening_fails_every_check_without_waiting():
    with Receiver() as receiver:
        url = receiver.url
    result = run_check(url, "--secret", SECRET, "--json")
    assert result.exit_code == 1
    checks = json.loads(result.output)["checks"]
    assert len(checks) == 9 and not any(c["passed"] for c in checks)
    assert all("could not connect" in c["reason"] for c in checks)


@pytest.mark.parametrize("args, message", [
    (["http://127.0.0.1:9/x", "--secret", "nope"], "starts with whsec_"),
    (["http://127.0.0.1:9/x", "--secret", "whsec_***"], "not valid base64"),
    (["ftp://127.0.0.1/x", "--secret", SECRET], "must use http or https"),
    (["http://127.0.0.1:9/x"], "Missing option '--secret'"),
    (["http://127.0.0.1:9/x", "--secret", SECRET, "--junit", "/no/such/folder/report.xml"],
     "the folder /no/such/folder does not exist"),
])
def test_bad_input_is_a_usage_error(args, message):
    result = run_check(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_good_receiver_without_standardwebhooks_says_what_to_install(tmp_path):
    """The README's install has no test extras: the example must say so, not print a traceback."""
    import subprocess
    import sys

    fake = tmp_path / "standardwebhooks"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'standardwebhooks'\", name='standardwebhooks')\n")
    result = subprocess.run([sys.executable, str(EXAMPLES / "good_receiver.py"), "--port", "0"],
                            capture_output=True, text=True, timeout=30, env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "pip install standardwebhooks" in result.stderr
