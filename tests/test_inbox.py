"""The inbox: /inbox/<name> captures every request, answers as configured, verifies signatures."""

from __future__ import annotations

import base64
import threading
import time

import pytest
import requests

from sandbox import create_app, signing
from sandbox.db import connect
from sandbox.seed import seed_demo_data
from tests.conftest import assert_problem
from tests.receivers import wait_until


def captures(client, name="demo", **params):
    response = client.get(f"/api/inbox/{name}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["captures"]


def test_any_method_suffix_query_and_body_are_captured(client):
    answer = client.post("/inbox/demo/some/path?a=1&b=two", data=b'{"hello": "world"}',
                         headers={"Content-Type": "application/json", "X-Custom": "yes"})
    assert answer.status_code == 200
    assert answer.get_json() == {"inbox": "demo", "captureId": 1, "status": 200, "reason": "configured"}
    for method in ("GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND"):
        assert client.open("/inbox/demo", method=method).status_code == 200, method
    assert client.post("/inbox/demo/", data=b"").status_code == 200

    listed = captures(client)
    first = listed[-1]
    assert first["method"] == "POST"
    assert first["path"] == "/inbox/demo/some/path"
    assert first["query"] == "a=1&b=two"
    assert first["headers"]["X-Custom"] == "yes"
    assert first["body"] == '{"hello": "world"}' and first["bodyEncoding"] == "utf-8"
    assert first["bodySize"] == 18 and first["refused"] is False
    assert first["client"] == "127.0.0.1"
    assert first["received"].endswith("Z")
    assert first["response"] == {"status": 200, "reason": "configured", "delay": 0.0}
    assert first["signature"]["verified"] is None
    assert [c["method"] for c in listed] == ["POST", "PROPFIND", "OPTIONS", "HEAD", "DELETE", "PATCH",
                                             "PUT", "GET", "POST"]
    assert client.get(f"/api/inbox/demo/{first['id']}").get_json() == first


def test_binary_bodies_come_back_as_base64(client):
    raw = bytes(range(256))
    client.post("/inbox/bin", data=raw, content_type="application/octet-stream")
    (capture,) = captures(client, "bin")
    assert capture["bodyEncoding"] == "base64"
    assert base64.b64decode(capture["body"]) == raw


def test_pages_newest_first_and_lists_inboxes_with_counts(client):
    for i in range(5):
        client.post(f"/inbox/pages?n={i}")
    client.post("/inbox/other")
    page = client.get("/api/inbox/pages?limit=2").get_json()
    assert [c["query"] for c in page["captures"]] == ["n=4", "n=3"]
    page2 = client.get(f"/api/inbox/pages?limit=2&before={page['nextBefore']}").get_json()
    assert [c["query"] for c in page2["captures"]] == ["n=2", "n=1"]
    page3 = client.get(f"/api/inbox/pages?limit=2&before={page2['nextBefore']}").get_json()
    assert [c["query"] for c in page3["captures"]] == ["n=0"] and page3["nextBefore"] is None
    assert page["inbox"]["captureCount"] == 5
    listed = {inbox["name"]: inbox for inbox in client.get("/api/inbox").get_json()}
    assert listed["pages"]["captureCount"] == 5 and listed["other"]["captureCount"] == 1
    # a name nobody used is an empty inbox, not an error
    empty = client.get("/api/inbox/unused").get_json()
    assert empty["captures"] == [] and empty["inbox"]["captureCount"] == 0


def test_clear_deletes_captures_and_keeps_the_answer(client):
    client.put("/api/inbox/c", json={"status": 202})
    client.post("/inbox/c")
    client.post("/inbox/c")
    assert client.delete("/api/inbox/c").get_json() == {"name": "c", "deleted": 2}
    assert captures(client, "c") == []
    assert client.post("/inbox/c").status_code == 202


def test_one_capture_must_belong_to_the_inbox(client):
    client.post("/inbox/a")
    (capture,) = captures(client, "a")
    assert_problem(client.get(f"/api/inbox/b/{capture['id']}"), 404)
    assert_problem(client.get("/api/inbox/a/999"), 404)
    assert_problem(client.get("/api/inbox/a/not-a-number"), 404)
    assert_problem(client.get("/api/inbox/a/99999999999999999999999"), 404)  # beyond SQLite's integers


@pytest.mark.parametrize("name", ["a.b", "x" * 65, "sp ace", "ü"])
def test_bad_inbox_names_are_refused(client, name):
    assert_problem(client.post(f"/inbox/{name}"), 400, field="name")
    assert_problem(client.get(f"/api/inbox/{name}"), 400, field="name")
    assert_problem(client.put(f"/api/inbox/{name}", json={}), 400, field="name")
    assert_problem(client.delete(f"/api/inbox/{name}"), 400, field="name")
    assert client.get("/api/inbox").get_json() == []


def test_a_name_of_64_characters_is_fine(client):
    name = "A-z_9" * 12 + "abcd"
    assert client.post(f"/inbox/{name}").status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=x", "limit"), ("before=0", "before"),
    ("before=abc", "before"), ("before=99999999999999999999999", "before"),
])
def test_bad_paging_is_refused(client, query, field):
    assert_problem(client.get(f"/api/inbox/demo?{query}"), 400, field=field)


def test_a_body_over_one_mib_is_refused_with_413_and_recorded(client):
    big = b"x" * (1024 * 1024 + 1)
    body = assert_problem(client.post("/inbox/big", data=big), 413)
    (capture,) = captures(client, "big")
    assert body["captureId"] == capture["id"]
    assert capture["refused"] is True and capture["body"] is None
    assert capture["bodySize"] == len(big)
    assert capture["response"]["status"] == 413 and capture["response"]["reason"] == "refused"
    exactly = b"y" * (1024 * 1024)
    assert client.post("/inbox/big", data=exactly).status_code == 200
    assert captures(client, "big")[0]["bodySize"] == len(exactly)


def test_the_client_sees_the_413_over_a_real_connection(live_server):
    answer = requests.post(f"{live_server.url}/inbox/big", data=b"x" * (2 * 1024 * 1024), timeout=10)
    assert_problem(answer, 413)
    # and the same keep-alive session goes on working
    with requests.Session() as session:
        assert session.post(f"{live_server.url}/inbox/big", data=b"z" * (1024 * 1024 + 5),
                            timeout=10).status_code == 413
        assert session.post(f"{live_server.url}/inbox/big", data=b"ok", timeout=10).status_code == 200


def test_configured_answer(client):
    configured = client.put("/api/inbox/conf", json={
        "status": 418, "body": "<teapot/>", "contentType": "application/xml",
        "headers": {"X-Reason": "rehearsal", "Retry-After": "3"}, "delay": 0})
    assert configured.status_code == 200
    inbox = configured.get_json()
    assert inbox["response"] == {"status": 418, "body": "<teapot/>", "contentType": "application/xml",
                                 "headers": {"X-Reason": "rehearsal", "Retry-After": "3"}, "delay": 0.0,
                                 "failFirst": 0, "failStatus": 500}
    answer = client.post("/inbox/conf", data="x")
    assert answer.status_code == 418
    assert answer.get_data() == b"<teapot/>"
    assert answer.headers["Content-Type"] == "application/xml"
    assert answer.headers["X-Reason"] == "rehearsal" and answer.headers["Retry-After"] == "3"
    # PUT replaces: what is left out goes back to its default
    client.put("/api/inbox/conf", json={"body": "plain"})
    answer = client.post("/inbox/conf")
    assert answer.status_code == 200 and answer.get_data() == b"plain"
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert "X-Reason" not in answer.headers


def test_the_answer_survives_a_restart(db_path):
    first = create_app({"DATABASE": db_path, "TESTING": True})
    first.test_client().put("/api/inbox/keep", json={"status": 503, "failFirst": 2})
    first.test_client().post("/inbox/keep")
    second = create_app({"DATABASE": db_path, "TESTING": True}).test_client()
    inbox = second.get("/api/inbox/keep").get_json()["inbox"]
    assert inbox["response"]["status"] == 503 and inbox["failuresLeft"] == 1


def test_per_request_status_and_delay_override_the_configuration(client):
    client.put("/api/inbox/q", json={"status": 201})
    assert client.post("/inbox/q?status=500").status_code == 500
    assert client.post("/inbox/q?status=204").status_code == 204
    assert client.post("/inbox/q?delay=0").status_code == 201
    latest = captures(client, "q")
    assert [c["response"]["reason"] for c in latest] == ["configured", "query", "query"]


@pytest.mark.parametrize(("query", "field"), [
    ("status=99", "status"), ("status=600", "status"), ("status=abc", "status"), ("status=-1", "status"),
    ("delay=31", "delay"), ("delay=-1", "delay"), ("delay=nan", "delay"), ("delay=soon", "delay"),
    ("status=%C2%B2", "status"), ("status=%D9%A5%D9%A0%D9%A0", "status"), ("delay=%D9%A1", "delay"),
])
def test_bad_per_request_options_get_400_and_are_still_captured(client, query, field):
    assert_problem(client.post(f"/inbox/bad?{query}", data="x"), 400, field=field)
    (capture,) = captures(client, "bad")
    assert capture["response"] == {"status": 400, "reason": "invalid", "delay": 0.0}
    assert capture["body"] == "x"


def test_fail_first_n_then_succeed(client):
    inbox = client.put("/api/inbox/flaky", json={"failFirst": 2, "failStatus": 503}).get_json()
    assert inbox["failuresLeft"] == 2
    statuses = [client.post("/inbox/flaky").status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert client.get("/api/inbox/flaky").get_json()["inbox"]["failuresLeft"] == 0
    assert [c["response"]["reason"] for c in captures(client, "flaky")] == [
        "configured", "configured", "fail-first", "fail-first"]
    # clearing (or configuring again) starts the count over
    client.delete("/api/inbox/flaky")
    assert client.post("/inbox/flaky").status_code == 503
    client.put("/api/inbox/flaky", json={"failFirst": 1})
    assert [client.post("/inbox/flaky").status_code for _ in range(2)] == [500, 200]


@pytest.mark.parametrize(("body", "field"), [
    ({"status": 99}, "status"), ({"status": 600}, "status"), ({"status": "200"}, "status"),
    ({"status": True}, "status"), ({"status": 200.5}, "status"),
    ({"body": 5}, "body"), ({"body": {"a": 1}}, "body"),
    ({"contentType": 5}, "contentType"), ({"contentType": "text/plain\r\nX: y"}, "contentType"),
    ({"contentType": ""}, "contentType"), ({"contentType": "text/plain; name=ü"}, "contentType"),
    ({"headers": {"X-A": "café"}}, "headers.X-A"), ({"headers": {"X-A": "🙂"}}, "headers.X-A"),
    ({"headers": []}, "headers"), ({"headers": {"X-A": 5}}, "headers.X-A"),
    ({"headers": {"Bad Name": "v"}}, "headers.Bad Name"), ({"headers": {"X-A": "a\nb"}}, "headers.X-A"),
    ({"headers": {"Content-Length": "5"}}, "headers.Content-Length"),
    ({"headers": {"content-type": "text/html"}}, "headers.content-type"),
    ({"headers": {f"X-{i}": "v" for i in range(51)}}, "headers"),
    ({"delay": 31}, "delay"), ({"delay": -0.1}, "delay"), ({"delay": "1"}, "delay"),
    ({"delay": True}, "delay"),
    ({"failFirst": -1}, "failFirst"), ({"failFirst": 1.5}, "failFirst"), ({"failFirst": 10**7}, "failFirst"),
    ({"failStatus": 0}, "failStatus"), ({"colour": "red"}, "colour"),
])
def test_bad_configurations_are_refused(client, body, field):
    assert_problem(client.put("/api/inbox/x", json=body), 400, field=field)
    assert client.get("/api/inbox").get_json() == []


def test_bad_configuration_bodies_are_refused(client):
    assert_problem(client.put("/api/inbox/x", data="{nope", content_type="application/json"), 400)
    assert_problem(client.put("/api/inbox/x", data="", content_type="application/json"), 400)
    assert_problem(client.put("/api/inbox/x", json=[1]), 400)
    assert_problem(client.put("/api/inbox/x", data="status=1", content_type="text/plain"), 415)


def test_keeps_at_most_the_configured_number_of_captures(db_path):
    app = create_app({"DATABASE": db_path, "TESTING": True, "INBOX_MAX_CAPTURES": 3})
    client = app.test_client()
    for i in range(7):
        client.post(f"/inbox/capped?n={i}")
    client.post("/inbox/other")
    assert [c["query"] for c in captures(client, "capped")] == ["n=6", "n=5", "n=4"]
    inbox = client.get("/api/inbox/capped").get_json()["inbox"]
    assert inbox["captureCount"] == 3 and inbox["received"] == 7
    assert len(captures(client, "other")) == 1


# Signatures -----------------------------------------------------------------------------------------

def _webhook(client, account, url, name="Hook"):
    created = client.post(f"/api/managing-entity/{account['id']}/webhook",
                          json={"name": name, "eventUrl": url, "eventList": []}).get_json()
    return created["webhook"], created["secret"]


def _headers(secrets, body=b'{"id":"evt_1"}', event_id="evt_1", profile="wink", timestamp=None):
    return signing.delivery_headers(profile, secrets=secrets, event_id=event_id, delivery_id="dlv_1",
                                    event_key="booking.create", attempt=1, body=body, timestamp=timestamp)


def _signed_post(client, path, secret, body=b'{"id":"evt_1"}', event_id="evt_1", profile="wink"):
    headers = _headers([secret], body, event_id, profile)
    return client.post(path, data=body, headers=headers, content_type="application/json")


def test_a_bound_inbox_verifies_signatures(client, account):
    hook, secret = _webhook(client, account, "http://localhost:8123/inbox/bound")
    view = client.get("/api/inbox/bound").get_json()["inbox"]
    assert view["boundWebhooks"] == [{"id": hook["id"], "name": "Hook"}]

    _signed_post(client, "/inbox/bound", secret)
    _signed_post(client, "/inbox/bound", "whsec_" + base64.b64encode(b"k" * 32).decode())
    client.post("/inbox/bound", data=b"{}")
    client.post("/inbox/bound", data=b'{"a":2}', headers=_headers([secret], b'{"a":1}', "evt_2"))
    client.post("/inbox/bound", data=b"{}", headers=_headers([secret], b"{}", "evt_3",
                                                             timestamp=int(time.time()) - 3600))
    client.post("/inbox/bound", data=b"{}", headers={"Wink-Signature": f"t={int(time.time())}"})
    _signed_post(client, "/inbox/bound", secret, profile="standard-webhooks")

    verdicts = [c["signature"] for c in reversed(captures(client, "bound"))]
    assert verdicts[0] == {"verified": True, "reason": None, "webhookId": hook["id"]}
    assert verdicts[1]["verified"] is False and "no v1 signature matches" in verdicts[1]["reason"]
    assert verdicts[2] == {"verified": False, "reason": "missing header Wink-Signature", "webhookId": None}
    assert verdicts[3]["verified"] is False and "altered body" in verdicts[3]["reason"]
    assert verdicts[4]["verified"] is False and "3600 s old" in verdicts[4]["reason"]
    assert verdicts[5]["verified"] is False and "has no v1=<signature>" in verdicts[5]["reason"]
    # A request signed in the other profile verifies too: its signature header says which.
    assert verdicts[6] == {"verified": True, "reason": None, "webhookId": hook["id"]}


def test_a_standard_webhooks_webhook_is_told_its_own_missing_headers(client, account):
    hook, secret = _webhook(client, account, "http://127.0.0.1:1/inbox/sw")
    answer = client.put(f"/api/webhooks/{hook['id']}/profile", json={"profile": "standard-webhooks"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    client.post("/inbox/sw", data=b"{}")
    _signed_post(client, "/inbox/sw", secret, profile="standard-webhooks")
    unsigned, signed = reversed(captures(client, "sw"))
    reason = unsigned["signature"]["reason"]
    assert reason == "missing header webhook-id, webhook-timestamp, webhook-signature"
    assert signed["signature"]["verified"] is True


def test_binding_compares_the_path_on_any_loopback_port(client, account):
    _webhook(client, account, "http://127.0.0.1:9999/inbox/demo2/extra?x=1", name="Suffix")
    _webhook(client, account, "https://example.com/inbox/far", name="Elsewhere")
    _webhook(client, account, "http://127.0.0.1:9999/inbox/demo22", name="Other name")
    assert [h["name"] for h in client.get("/api/inbox/demo2").get_json()["inbox"]["boundWebhooks"]] == [
        "Suffix"]
    assert client.get("/api/inbox/far").get_json()["inbox"]["boundWebhooks"] == []
    client.post("/inbox/far", data=b"{}")
    assert captures(client, "far")[0]["signature"]["verified"] is None


def test_any_bound_webhooks_secret_may_match(client, account):
    _first, _ = _webhook(client, account, "http://127.0.0.1:1/inbox/shared", name="First")
    second, secret = _webhook(client, account, "http://localhost:2/inbox/shared", name="Second")
    _signed_post(client, "/inbox/shared", secret)
    client.post("/inbox/shared", data=b"{}")
    good, bad = reversed(captures(client, "shared"))
    assert good["signature"] == {"verified": True, "reason": None, "webhookId": second["id"]}
    assert bad["signature"]["verified"] is False and "missing header" in bad["signature"]["reason"]


def test_either_secret_verifies_during_a_rotation(client, account):
    hook, old_secret = _webhook(client, account, "http://127.0.0.1:1/inbox/rot")
    rotated = client.post(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}/rotate-secret")
    new_secret = rotated.get_json()["secret"]
    _signed_post(client, "/inbox/rot", old_secret)
    _signed_post(client, "/inbox/rot", new_secret)
    both = _headers([new_secret, old_secret])
    client.post("/inbox/rot", data=b'{"id":"evt_1"}', headers=both)
    assert [c["signature"]["verified"] for c in captures(client, "rot")] == [True, True, True]


def test_the_seeded_demo_webhook_is_bound_to_the_demo_inbox(app, client):
    db = connect(app.config["DATABASE"])
    try:
        seed_demo_data(db, "http://127.0.0.1:8000")
    finally:
        db.close()
    (bound,) = client.get("/api/inbox/demo").get_json()["inbox"]["boundWebhooks"]
    assert bound["name"] == "Wink Stalker"


# Over a real server: delays ---------------------------------------------------------------------------

def test_a_delay_does_not_hold_up_other_requests_and_stop_ends_it(app):
    from sandbox.server import Runner

    server = Runner(app, "127.0.0.1", 0)
    server.start()
    stopped = False
    try:
        requests.put(f"{server.url}/api/inbox/slow", json={"delay": 30}, timeout=5).raise_for_status()
        outcome = {}

        def slow_call():
            try:
                outcome["status"] = requests.post(f"{server.url}/inbox/slow", timeout=40).status_code
            except requests.RequestException as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=slow_call)
        started = time.monotonic()
        thread.start()
        wait_until(lambda: requests.get(f"{server.url}/api/inbox/slow", timeout=5).json()["captures"],
                   message="the slow request to be captured")
        # the server keeps answering while that request waits
        assert requests.post(f"{server.url}/inbox/fast?delay=0.2", timeout=5).status_code == 200
        assert thread.is_alive()
        server.stop(timeout=5)
        stopped = True
        thread.join(10)
        assert not thread.is_alive()
        assert time.monotonic() - started < 20
        assert outcome.get("status") == 200
    finally:
        if not stopped:
            server.stop(timeout=5)


def test_a_per_request_delay_is_served(live_server):
    started = time.monotonic()
    answer = requests.post(f"{live_server.url}/inbox/wait?delay=0.3&status=503", timeout=10)
    assert answer.status_code == 503
    assert time.monotonic() - started >= 0.3
    (capture,) = requests.get(f"{live_server.url}/api/inbox/wait", timeout=5).json()["captures"]
    assert capture["response"] == {"status": 503, "reason": "query", "delay": 0.3}


def test_no_token_needed_for_the_inbox(db_path):
    app = create_app({"DATABASE": db_path, "TESTING": True, "TOKEN": "s3cret"})
    client = app.test_client()
    assert client.post("/inbox/open", data=b"x").status_code == 200
    assert_problem(client.get("/api/inbox/open"), 401)
    assert client.get("/api/inbox/open", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_the_demo_one_post_gives_a_signed_verified_delivery(live_server):
    db = connect(live_server.app.config["DATABASE"])
    try:
        seed_demo_data(db, live_server.url)
    finally:
        db.close()
    fired = requests.post(f"{live_server.url}/api/events",
                          json={"event": "booking.created", "entity": "Cool Account"}, timeout=10)
    assert fired.status_code == 202, fired.text
    (event,) = fired.json()["events"]
    inbox = f"{live_server.url}/api/inbox/demo"
    (capture,) = wait_until(lambda: requests.get(inbox, timeout=5).json()["captures"], message="the delivery")
    assert capture["headers"]["Wink-Event-Id"] == event["id"]
    assert capture["headers"]["Wink-Signature"].startswith("t=")
    assert capture["signature"] == {"verified": True, "reason": None,
                                    "webhookId": event["deliveries"][0]["webhookId"]}


def test_inboxes_webhooks_point_at_are_listed_before_their_first_delivery(client, account):
    """The seeded demo inbox case: a webhook at /inbox/<name> makes that inbox show, still empty."""
    def hook(name, url):
        body = {"name": name, "eventUrl": url, "eventList": []}
        response = client.post(f"/api/managing-entity/{account['id']}/webhook", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["webhook"]

    pointed = hook("Pointed", "http://localhost/inbox/pointed")
    also = hook("Also pointed", "http://127.0.0.1:8000/inbox/pointed/sub?x=1")
    hook("Elsewhere", "http://example.com/inbox/elsewhere")           # another host's inbox
    hook("Bad name", "http://127.0.0.1:8000/inbox/a.b")               # not an inbox name
    client.post("/inbox/used")                                        # received, no webhook
    listed = {inbox["name"]: inbox for inbox in client.get("/api/inbox").get_json()}
    assert sorted(listed) == ["pointed", "used"]
    assert listed["pointed"]["captureCount"] == 0 and listed["pointed"]["lastReceived"] is None
    assert listed["pointed"]["response"]["status"] == 200
    assert listed["pointed"]["boundWebhooks"] == [{"id": pointed["id"], "name": "Pointed"},
                                                  {"id": also["id"], "name": "Also pointed"}]
    assert listed["used"]["boundWebhooks"] == []

    client.delete(f"/api/managing-entity/{account['id']}/webhook/{pointed['id']}")
    client.delete(f"/api/managing-entity/{account['id']}/webhook/{also['id']}")
    assert [inbox["name"] for inbox in client.get("/api/inbox").get_json()] == ["used"]
