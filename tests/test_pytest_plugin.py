"""The pytest plugin (sandbox/testing): a user's suite needs nothing but the install.

Throwaway test files run through ``pytester`` in a subprocess, as a receiver's own suite would; the
context manager is used directly, as a script or a unittest would.
"""

from __future__ import annotations

import pytest

from sandbox.client import APIProblem
from sandbox.testing import Sandbox, assert_all_succeeded, assert_delivered

pytest_plugins = ["pytester"]

USER_SUITE = '''
from flask import Flask

def make_receiver(answer):
    app = Flask("receiver")
    app.extensions["got"] = []

    @app.post("/hook")
    def hook():
        from flask import request
        app.extensions["got"].append(request.get_json())
        return answer
    return app

def test_acknowledged(webhook_sandbox, serve_receiver):
    app = make_receiver(("ok", 200))
    account = webhook_sandbox.account("Hotel", "HOTEL")
    webhook_sandbox.webhook(account, serve_receiver(app) + "/hook")
    [delivery] = webhook_sandbox.fire("booking.created", account, seed=3)
    webhook_sandbox.assert_delivered(delivery)
    assert app.extensions["got"][0]["type"] == "booking.create"

def test_reset_between_tests(webhook_sandbox):
    assert webhook_sandbox.api.get("/api/managing-entity") == []

def test_failing_receiver(webhook_sandbox, serve_receiver):
    account = webhook_sandbox.account("Hotel", "HOTEL")
    webhook_sandbox.webhook(account, serve_receiver(make_receiver(("boom: database down", 500))) + "/hook")
    [delivery] = webhook_sandbox.fire("booking.create", account)
    webhook_sandbox.assert_delivered(delivery)
'''


def test_a_users_suite_works_with_nothing_but_the_install(pytester):
    pytester.makepyfile(test_receiver=USER_SUITE)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")

    result.assert_outcomes(passed=2, failed=1)
    # The failure shows each attempt (status, latency, the start of the answer), not a bare assert.
    result.stdout.fnmatch_lines([
        "*the receiver did not acknowledge the delivery with 2xx*",
        "*FAILED after 6 attempt(s)*",
        "*attempt 1: HTTP 500 in * ms: 'boom: database down'*",
    ])


def test_the_plugin_is_disabled_like_any_plugin(pytester):
    pytester.makepyfile(test_receiver="def test_it(webhook_sandbox):\n    pass\n")

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:webhook_sandbox", "-q")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'webhook_sandbox' not found*"])


def test_settings_and_demo_data_come_from_webhook_sandbox_config(pytester):
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def webhook_sandbox_config():
    return {"demo": True, "REQUEST_TIMEOUT": 3}
''')
    pytester.makepyfile(test_demo='''
def test_demo_data_after_each_reset(webhook_sandbox):
    names = sorted(a["name"] for a in webhook_sandbox.api.get("/api/managing-entity"))
    assert names == ["Cool Account", "The Siam Residences, Bangkok"]
    assert webhook_sandbox.app.config["REQUEST_TIMEOUT"] == 3
    webhook_sandbox.account("Extra")

def test_again(webhook_sandbox):
    assert len(webhook_sandbox.api.get("/api/managing-entity")) == 2
''')

    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q").assert_outcomes(passed=2)


def test_the_context_manager_outside_pytest(tmp_path):
    with Sandbox(database=str(tmp_path / "mine.db")) as sb:
        assert sb.url.startswith("http://127.0.0.1:")
        account = sb.account("Agency", "TRAVEL_AGENT")
        inbox = sb.url + "/inbox/script"
        sb.webhook(account, inbox, events=["booking.create"])
        answer = sb.run("booking-life", account, set=["stay.adults=2"])
        assert_all_succeeded(sb.wait(d) for d in answer["events"][0]["deliveries"])
        sb.reset()
        assert sb.api.get("/api/managing-entity") == []
        assert sb.deliveries() == []
        url = sb.url
    assert (tmp_path / "mine.db").exists()  # a database it was given is the caller's to keep
    with pytest.raises(OSError):
        import socket
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1)


def test_bad_input_gets_clear_errors():
    with Sandbox() as sb:
        account = sb.account()
        with pytest.raises(ValueError, match="whsec_"):
            sb.webhook(account, sb.url + "/inbox/x", secret="not-a-secret")
        with pytest.raises(APIProblem, match="booking.create"):
            sb.fire("booking.creat", account)
        with pytest.raises(APIProblem) as unknown:
            sb.run("no-such-scenario", account)
        assert unknown.value.status == 404
        with pytest.raises(AssertionError, match="no deliveries were made"):
            assert_all_succeeded([])
        with pytest.raises(AssertionError, match="still PENDING|still RETRYING"):
            sb.webhook(account, "http://127.0.0.1:9/unreachable")
            [delivery] = sb.fire("booking.create", account, webhook=sb.api.get(
                f"/api/managing-entity/{account['id']}/webhook/list")[-1])
            sb.wait(delivery, timeout=0.2, until=("SUCCEEDED",))


def test_a_slow_answer_fails_against_winks_deadline():
    delivery = {"id": "d1", "event": "booking.create", "eventUrl": "http://127.0.0.1:1/h",
                "status": "succeeded", "attemptCount": 1,
                "attempts": [{"attempt": 1, "durationMs": 10_400, "response": {"status": 200, "body": "ok"}}]}
    with pytest.raises(AssertionError, match=r"after 10.4 s, over the 10 s Wink waits"):
        assert_delivered(delivery)
    assert assert_delivered(delivery, within=11) is delivery
