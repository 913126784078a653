"""Per-webhook health and Wink's timeout budget: the figures (on stored attempts of known latency), the
API route with real deliveries to real receivers, its bad input, the CLI, and the migration that lets the
figures read one index range."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
import requests
from click.testing import CliRunner

from sandbox import cli, create_app, health
from sandbox.db import connect, migrate
from sandbox.store.log import timestamp
from tests.conftest import assert_problem
from tests.receivers import Receiver, wait_until

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def _hook(client, account, url="http://127.0.0.1:9/hook", name="Front desk") -> dict:
    answer = client.post(f"/api/managing-entity/{account['id']}/webhook",
                         json={"name": name, "eventUrl": url, "eventList": []})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["webhook"]


def _store_attempts(db, webhook_id: str, attempts: list[tuple[float, float, int | None]]) -> None:
    """Store attempts ``(seconds before NOW, duration ms, answer status)`` of one delivery of the webhook."""
    conn = db.conn
    conn.execute(
        "insert into deliveries (id, event_seq, event_id, event_key, account_id, webhook_id, webhook_name, "
        "event_url, created, updated) values (?, 1, 'e', 'booking.create', 'a', ?, 'n', 'u', 'c', 'u')",
        [f"d-{webhook_id}", webhook_id])
    for number, (ago, duration, status) in enumerate(attempts, 1):
        conn.execute(
            "insert into attempts (delivery_id, attempt, trigger, started, request_url, request_headers, "
            "response_status, duration_ms, status, webhook_id) values (?, ?, 'retry', ?, 'u', '{}', ?, ?, "
            "'retrying', ?)",
            [f"d-{webhook_id}", number, timestamp(NOW - dt.timedelta(seconds=ago)), status, duration,
             webhook_id])
    conn.commit()


def test_figures_count_answers_percentiles_and_each_senders_deadline(app, client, account):
    hook = _hook(client, account)
    other = _hook(client, account, name="Other")
    db = connect(app.config["DATABASE"])
    _store_attempts(db, hook["id"], [
        (3500, 100, 200), (3000, 2500, 200), (2000, 4000, 200), (1500, 6000, 204),
        (1000, 11000, 200), (900, 10000.4, None), (500, 16000, 200), (100, 50, 500), (30, 80, 404),
        (20, 30, 302),
        (3700, 99999, 200),   # before the window: not counted
    ])
    _store_attempts(db, other["id"], [(10, 12000, 200)])   # another webhook's: not counted
    report = health.report(db, hook, request_timeout=20, now=NOW)
    db.close()

    assert report["attempts"] == {"total": 10, "succeeded": 6, "failed": 4,
                                  "byAnswer": {"2xx": 6, "3xx": 1, "4xx": 1, "5xx": 1, "none": 1}}
    assert report["successRate"] == 0.6
    # Nearest rank over 30, 50, 80, 100, 2500, 4000, 6000, 10000.4, 11000, 16000.
    assert report["latencyMs"] == {"p50": 2500, "p95": 16000, "p99": 16000, "max": 16000}
    by_sender = {d["sender"]: d for d in report["deadlines"]}
    assert list(by_sender) == ["Wink", "Zoom", "Shopify", "GitHub", "Svix", "Stripe"]
    assert report["winkDeadline"] == by_sender["Wink"]
    counts = {name: (d["seconds"], d["overDeadline"], d["answeredOkButLate"])
              for name, d in by_sender.items()}
    assert counts == {
        "Wink": (10, 3, 2),        # 10000.4 (the timeout), 11000 and 16000; two of them answered 2xx
        "Zoom": (3, 5, 4),
        "Shopify": (5, 4, 3),
        "GitHub": (10, 3, 2),
        "Svix": (15, 1, 1),
        "Stripe": (None, None, None),   # no published figure: no count rather than a guess
    }
    assert all(d["measurable"] for d in report["deadlines"] if d["seconds"])
    assert by_sender["Stripe"]["measurable"] is False and "publishes no number" in by_sender["Stripe"]["note"]
    assert all(d["source"] for d in report["deadlines"])

    series = report["series"]
    assert len(series) == 60 and report["window"]["bucketSeconds"] == 60
    assert series[0]["from"] == "2026-12-02T11:00:00.000Z"
    assert report["window"]["to"] == "2026-12-02T12:00:00.000Z"
    assert sum(b["attempts"] for b in series) == 10
    assert series[1] == {"from": "2026-12-02T11:01:00.000Z", "attempts": 1, "p50Ms": 100, "p95Ms": 100,
                         "maxMs": 100}   # 3500 s before noon is 11:01:40
    assert series[59]["attempts"] == 2 and series[59]["maxMs"] == 80
    assert series[2]["attempts"] == 0 and series[2]["p50Ms"] is None


def test_a_deadline_past_the_sandbox_timeout_is_a_lower_bound(app, client, account):
    hook = _hook(client, account)
    db = connect(app.config["DATABASE"])
    report = health.report(db, hook, request_timeout=10, now=NOW)
    db.close()
    measurable = {d["sender"]: d["measurable"] for d in report["deadlines"]}
    assert measurable == {"Wink": True, "Zoom": True, "Shopify": True, "GitHub": True, "Svix": False,
                          "Stripe": False}
    assert report["attempts"]["total"] == 0 and report["successRate"] is None
    assert report["latencyMs"] == {"p50": None, "p95": None, "p99": None, "max": None}


def test_the_api_reports_real_deliveries(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "h.db"), "TESTING": True, "REQUEST_TIMEOUT": 0.5,
                      "RETRY_SCHEDULE": []})
    from sandbox.server import Runner

    server = Runner(app, "127.0.0.1", 0)
    server.start()
    try:
        base = server.url
        account = requests.post(f"{base}/api/managing-entity", json={"name": "Hotel", "type": "HOTEL"},
                                timeout=10).json()
        answers = iter([200, 200, 503])
        with Receiver(lambda r: (next(answers, 200), {}, b"")) as quick, Receiver(delay=1.0) as hanging:
            fast = requests.post(f"{base}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
                "name": "Quick", "eventUrl": quick.url, "eventList": []}).json()["webhook"]
            slow = requests.post(f"{base}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
                "name": "Hanging", "eventUrl": hanging.url, "eventList": []}).json()["webhook"]
            requests.post(f"{base}/api/events", json={"event": "booking.create", "entity": account["id"],
                                                      "count": 3}, timeout=10)

            def settled(hook_id, total):
                report = requests.get(f"{base}/api/webhooks/{hook_id}/health", timeout=10).json()
                return report if report["attempts"]["total"] == total and not (
                    report["deliveries"]["pending"] or report["deliveries"]["retrying"]) else None

            quick_report = wait_until(lambda: settled(fast["id"], 3), message="three quick attempts")
            hanging_report = wait_until(lambda: settled(slow["id"], 3), message="three cut attempts")
    finally:
        server.stop(timeout=5)
    assert quick_report["attempts"]["byAnswer"] == {"2xx": 2, "3xx": 0, "4xx": 0, "5xx": 1, "none": 0}
    assert quick_report["successRate"] == round(2 / 3, 4)
    counted = {status: n for status, n in quick_report["deliveries"].items() if n}
    assert counted == {"succeeded": 2, "failed": 1}
    assert 0 < quick_report["latencyMs"]["p50"] <= quick_report["latencyMs"]["p95"] < 500
    assert hanging_report["attempts"]["byAnswer"]["none"] == 3 and hanging_report["successRate"] == 0
    assert hanging_report["latencyMs"]["p50"] >= 500            # cut at REQUEST_TIMEOUT
    assert hanging_report["requestTimeoutSeconds"] == 0.5
    assert not any(d["measurable"] for d in hanging_report["deadlines"])   # every deadline is past 0.5 s
    assert sum(b["attempts"] for b in hanging_report["series"]) == 3


@pytest.mark.parametrize(("query", "field", "detail"), [
    ("window=abc", "window", "must be an integer"),
    ("window=59", "window", "between 60 and 604800"),
    ("window=604801", "window", "between 60 and 604800"),
    ("window=-1", "window", "between 60 and 604800"),
])
def test_bad_window_is_a_clear_400(client, account, query, field, detail):
    hook = _hook(client, account)
    body = assert_problem(client.get(f"/api/webhooks/{hook['id']}/health?{query}"), 400, field=field)
    assert detail in body["errors"][0]["message"]


def test_unknown_webhook_is_404_even_with_a_bad_window(client):
    assert_problem(client.get("/api/webhooks/nope/health?window=1"), 404, detail="no webhook with id 'nope'")


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


def test_cli_health_prints_the_figures(live_server, account):
    server = live_server.url
    with Receiver() as receiver:
        hook = requests.post(f"{server}/api/managing-entity/{account['id']}/webhook", timeout=10, json={
            "name": "Front desk", "eventUrl": receiver.url, "eventList": []}).json()["webhook"]
        empty = invoke("health", hook["id"], "--server", server)
        assert empty.exit_code == 0, empty.output
        assert "No attempts in this window" in empty.output
        requests.post(f"{server}/api/events", json={"event": "booking.create", "entity": account["id"],
                                                    "count": 2}, timeout=10)
        receiver.wait_for(2)
        wait_until(lambda: "2 succeeded" in invoke("health", hook["id"], "--server", server).output)
    shown = invoke("health", hook["id"], "--server", server)
    assert "Front desk" in shown.output and "the last hour" in shown.output
    assert "Attempts  2  (2 2xx" in shown.output and "Success   100.0 %" in shown.output
    assert "p50 " in shown.output and "p99 " in shown.output
    assert "Wink      10 s       0 slower" in shown.output
    assert "Stripe     no published deadline" in shown.output
    as_json = json.loads(invoke("health", hook["id"], "--window", "600", "--json", "--server", server).output)
    assert as_json["window"]["seconds"] == 600 and as_json["attempts"]["total"] == 2


def test_cli_health_errors_are_clear(live_server):
    missing = CliRunner().invoke(cli.cli, ["health", "nope", "--server", live_server.url])
    assert missing.exit_code == 1 and "No webhook with id 'nope'" in missing.output
    narrow = CliRunner().invoke(cli.cli, ["health", "x", "--window", "5", "--server", live_server.url])
    assert narrow.exit_code == 2 and "--window" in narrow.output
    helped = invoke("health", "--help")
    assert "Example:" in helped.output and "python run.py health" in helped.output


def test_migration_names_the_webhook_of_every_stored_attempt(tmp_path):
    path = str(tmp_path / "old.db")
    migrate(path)
    db = sqlite3.connect(path)
    db.execute("delete from _sqlite_migrations where name = 'm085_attempts_by_webhook'")
    db.execute("drop index attempts_by_webhook")
    db.execute("alter table attempts drop column webhook_id")
    db.execute("insert into deliveries (id, event_seq, event_id, event_key, account_id, webhook_id, "
               "webhook_name, event_url, created, updated) values ('d1', 1, 'e', 'k', 'a', 'h1', 'n', 'u', "
               "'c', 'u')")
    db.execute("insert into attempts (delivery_id, attempt, trigger, started, request_url, request_headers, "
               "duration_ms, status) values ('d1', 1, 'initial', '2026-12-02T11:59:00.000Z', 'u', '{}', "
               "12.5, 'succeeded')")
    db.commit()
    db.close()
    migrate(path)
    db = connect(path)
    assert db.conn.execute("select webhook_id from attempts").fetchall() == [("h1",)]
    report = health.report(db, {"id": "h1", "name": "n"}, request_timeout=10, now=NOW)
    db.close()
    assert report["attempts"]["total"] == 1 and report["latencyMs"]["p50"] == 12.5
