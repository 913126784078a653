"""The hot queries' plans use an index: no list, filter, websocket history or start-up query walks every
row of deliveries, log or events (issue 13). Plans, not timings: benchmarks/bench_queries.py times them.

Each case runs the store function that serves a route or a subscription with SQLite's trace on, then
asks ``EXPLAIN QUERY PLAN`` for every statement it ran.
"""

from __future__ import annotations

import re

import pytest

from sandbox import health
from sandbox.db import connect
from sandbox.store import deliveries, events, log

BIG_TABLES = {"deliveries", "d", "log", "events", "e", "attempts"}
FUTURE = "2999-01-01T00:00:00.000Z"


@pytest.fixture
def db(app, client, account):
    """The app's migrated database with a webhook, a fired event and its delivery (plans need only the
    schema; a few rows make sure the functions run their real statements)."""
    client.post(f"/api/managing-entity/{account['id']}/webhook",
                json={"name": "r", "eventUrl": "http://127.0.0.1:9/hook", "eventList": []})
    fired = client.post("/api/events", json={"event": "booking.create", "entity": account["id"]})
    assert fired.status_code == 202, fired.get_json()
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


def plans(db, call) -> list[tuple[str, list[str]]]:
    """Run ``call(db)``; return each select/update/delete it ran with its plan's lines."""
    ran: list[str] = []
    db.conn.set_trace_callback(ran.append)
    try:
        call(db)
    finally:
        db.conn.set_trace_callback(None)
    found = []
    for sql in ran:
        if re.match(r"\s*(with|select|update|delete)\b", sql, re.IGNORECASE):
            found.append((sql, [row[3] for row in db.conn.execute("explain query plan " + sql)]))
    assert found, "the call ran no query"
    return found


def full_scans(found) -> list[str]:
    """Plan lines that read a big table whole (a SCAN of it, with or without an index), except a SCAN
    of a partial index (``deliveries_in_flight``): it holds only the rows asked for."""
    return [f"{line}   <- {sql}" for sql, lines in found for line in lines
            if (match := re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", line))
            and match.group(1) in BIG_TABLES and match.group(2) not in PARTIAL]


PARTIAL = {"deliveries_in_flight", "deliveries_queue"}


def ids(db) -> dict:
    row = db.conn.execute("select id, event_id, webhook_id, account_id from deliveries limit 1").fetchone()
    return dict(zip(("delivery", "event", "webhook", "account"), row, strict=True))


LISTS = {
    "status pending": lambda db, i: deliveries.list_deliveries(db, status="pending"),
    "status cancelled": lambda db, i: deliveries.list_deliveries(db, status="cancelled"),
    "webhook": lambda db, i: deliveries.list_deliveries(db, webhook_id=i["webhook"]),
    "webhook and status": lambda db, i: deliveries.list_deliveries(db, webhook_id=i["webhook"],
                                                                   status="failed"),
    "event id": lambda db, i: deliveries.list_deliveries(db, event_id=i["event"]),
    "event key": lambda db, i: deliveries.list_deliveries(db, event_key="booking.create"),
    "event key and status": lambda db, i: deliveries.list_deliveries(db, event_key="booking.create",
                                                                     status="pending"),
    "account": lambda db, i: deliveries.list_deliveries(db, account_id=i["account"]),
    "account and status": lambda db, i: deliveries.list_deliveries(db, account_id=i["account"],
                                                                   status="cancelled"),
    "since a future instant": lambda db, i: deliveries.list_deliveries(db, since=FUTURE),
    "since and webhook": lambda db, i: deliveries.list_deliveries(db, since=FUTURE, webhook_id=i["webhook"]),
    "to an instant": lambda db, i: deliveries.list_deliveries(db, until="2000-01-01T00:00:00.000Z"),
    "from and to": lambda db, i: deliveries.list_deliveries(db, since="2000-01-01T00:00:00.000Z",
                                                            until=FUTURE),
    "to and a cursor": lambda db, i: deliveries.list_deliveries(db, until=FUTURE, before=10**9),
    "next page of a status": lambda db, i: deliveries.list_deliveries(db, status="pending", before=10**9),
    "search by a delivery id": lambda db, i: deliveries.search_deliveries(db, i["delivery"]),
    "search by an event id": lambda db, i: deliveries.search_deliveries(db, i["event"]),
    "search text in an account": lambda db, i: deliveries.search_deliveries(db, "text",
                                                                            account_id=i["account"]),
    "an event's deliveries": lambda db, i: deliveries.deliveries_of_event(db, i["event"]),
    "one delivery with attempts": lambda db, i: deliveries.get_delivery(db, i["delivery"]),
    "webhooks' last deliveries": lambda db, i: deliveries.last_delivery_by_webhook(db),
    "counts by status": lambda db, i: deliveries.count_by_status(db, i["webhook"]),
    "claims released at start-up": lambda db, i: deliveries.release_claims(db),
    "events of a key": lambda db, i: events.list_events(db, key="booking.create"),
    "events of an account": lambda db, i: events.list_events(db, account_id=i["account"]),
    "one event": lambda db, i: events.get_event(db, i["event"]),
    "a webhook's health": lambda db, i: health.report(db, {"id": i["webhook"], "name": "r"},
                                                      request_timeout=10),
}
LOG_FILTERS = {
    "deliveryId": lambda i: [i["delivery"]],
    "eventId": lambda i: [i["event"]],
    "webhookId": lambda i: [i["webhook"]],
    "entity": lambda i: [i["account"]],
    "event": lambda i: ["booking.create", "booking.created"],
    "status": lambda i: ["cancelled"],
    "type": lambda i: ["webhook.disabled"],
}


@pytest.mark.parametrize("name", LISTS)
def test_api_lists_and_lookups_search_an_index(db, name):
    i = ids(db)
    found = plans(db, lambda db: LISTS[name](db, i))
    assert not full_scans(found), "\n".join(full_scans(found))


@pytest.mark.parametrize("name", LOG_FILTERS)
@pytest.mark.parametrize("read", ["backlog", "resume"])
def test_websocket_history_searches_an_index(db, name, read):
    values = LOG_FILTERS[name](ids(db))
    if read == "backlog":
        found = plans(db, lambda db: log.recent(db, 1000, {name: values}))
    else:
        found = plans(db, lambda db: log.since(db, 0, {name: values}, 1000))
    assert not full_scans(found), "\n".join(full_scans(found))


def test_many_since_walks_newest_first_through_the_other_filters(db, monkeypatch):
    """When many deliveries were created since, the creation index steps aside: the other filters'
    indexes (or the newest-first walk, which finds the newest at once) choose."""
    monkeypatch.setattr(deliveries, "SINCE_SORTED", 0)
    i = ids(db)
    found = plans(db, lambda db: deliveries.list_deliveries(db, since="2000-01-01T00:00:00.000Z",
                                                            webhook_id=i["webhook"]))
    assert not full_scans(found), "\n".join(full_scans(found))
    assert deliveries.list_deliveries(db, since="2000-01-01T00:00:00.000Z")[0]


@pytest.mark.parametrize("call", [
    lambda db: deliveries.list_deliveries(db),
    lambda db: log.recent(db, 1000),
    lambda db: log.latest(db, 50),
    lambda db: events.list_events(db),
], ids=["deliveries", "log backlog", "log latest", "events"])
def test_unfiltered_pages_walk_in_order_without_sorting(db, call):
    """A page without filters reads the newest rows in order and stops at its limit: no sort of the table."""
    found = plans(db, call)
    assert not [line for _sql, lines in found for line in lines if "TEMP B-TREE" in line], found


@pytest.mark.parametrize("call", [log.first_cursor, log.last_cursor, lambda db: log.exists(db, 1)],
                         ids=["first cursor", "last cursor", "exists"])
def test_cursor_bounds_are_one_lookup(db, call):
    found = plans(db, call)
    assert not full_scans(found), found


def test_the_answers_are_the_same_whichever_path(db, client, account):
    """The chosen paths change how rows are read, not which: a since/status/account page matches a
    filter applied in Python to every delivery."""
    for _ in range(3):
        client.post("/api/events", json={"event": "booking.create", "entity": account["id"]})
    every = deliveries.list_deliveries(db, limit=1000)[0]
    first = min(d["createdDate"] for d in every)
    assert deliveries.list_deliveries(db, since=first, limit=1000)[0] == every
    assert deliveries.list_deliveries(db, since=FUTURE)[0] == []
    mine = [d for d in every if d["status"] == every[0]["status"]]
    assert deliveries.list_deliveries(db, account_id=account["id"], status=every[0]["status"],
                                      limit=1000)[0] == mine
    last = max(d["createdDate"] for d in every)
    assert deliveries.list_deliveries(db, until=last, limit=1000)[0] == every
    assert deliveries.list_deliveries(db, since=first, until=first, limit=1000)[0] == [
        d for d in every if d["createdDate"] == first]
    assert deliveries.list_deliveries(db, until="2000-01-01T00:00:00.000Z")[0] == []
    page, cursor = deliveries.list_deliveries(db, since=first, limit=2)
    assert page == every[:2] and cursor is not None
    assert deliveries.list_deliveries(db, since=first, before=cursor, limit=1000)[0] == every[2:]


def test_a_webhooks_health_reads_one_range_of_its_own_index(db):
    """The health figures read the webhook's attempts of the window from ``attempts_by_webhook`` alone (a
    covering index, in time order): each read of attempts (the rows, and each chart bucket's count) is a
    range of it, never the table, never another index, and nothing is sorted."""
    i = ids(db)
    found = plans(db, lambda db: health.report(db, {"id": i["webhook"], "name": "r"}, window=86400,
                                               request_timeout=10))
    mine = [(sql, lines) for sql, lines in found if "attempts" in sql]
    reads = [line for _sql, lines in mine for line in lines if re.search(r"\b(SCAN|SEARCH) attempts\b", line)]
    wanted = ("SEARCH attempts USING COVERING INDEX attempts_by_webhook "
              "(webhook_id=? AND started>? AND started<?)")
    assert reads and all(line == wanted for line in reads), reads
    assert not [line for _sql, lines in mine for line in lines if "TEMP B-TREE" in line], mine
    # (Its counts by status read delivery_counts: a few rows per webhook, whatever the webhook holds.)


def test_a_backlog_of_letters_reads_the_newest_through_the_type_index(db):
    """``?type=event.created&backlog=1000``: 1,000 rows read newest first through ``log_by_type``, no
    sort (it read 10,000, counting deliveries that letters do not have)."""
    found = plans(db, lambda db: log.recent(db, 1000, {"type": ["event.created"]}))
    assert not full_scans(found), "\n".join(full_scans(found))
    (sql, lines), = found
    assert re.search(r"limit 1000\b", sql, re.IGNORECASE), sql
    assert any("log_by_type" in line for line in lines), lines
    assert not any("TEMP B-TREE" in line for line in lines), lines


def test_a_keys_unfinished_deliveries_are_one_range_of_the_partial_index(db, client, account):
    """``?event=K&status=S`` (S not succeeded) reads one range of ``deliveries_unfinished_by_key``, in
    ``seq`` order (no sort), and answers what a filter in Python over every delivery answers."""
    found = plans(db, lambda db: deliveries.list_deliveries(db, event_key="booking.create", status="pending"))
    lines = [line for _sql, plan in found for line in plan]
    assert any("deliveries_unfinished_by_key (event_key=? AND status=?)" in line for line in lines), lines
    assert not [line for line in lines if "TEMP B-TREE" in line], lines
    client.post(f"/api/managing-entity/{account['id']}/webhook",
                json={"name": "dead", "eventUrl": "http://127.0.0.1:9/none", "eventList": []})
    for key in ("booking.create", "booking.cancelled", "booking.create"):
        client.post("/api/events", json={"event": key, "entity": account["id"]})
    every = deliveries.list_deliveries(db, limit=1000)[0]
    for status in ("pending", "retrying", "failed", "cancelled", "succeeded"):
        for key in ("booking.create", "booking.cancelled"):
            wanted = [d for d in every if d["status"] == status and d["event"] == key]
            assert deliveries.list_deliveries(db, event_key=key, status=status, limit=1000)[0] == wanted


@pytest.mark.parametrize("read", ["backlog", "resume"])
def test_a_webhooks_messages_in_one_status_are_one_range_of_its_index(db, read):
    """``webhookId=W&status=S``: one range of ``log_by_webhook_status``, in cursor order (no sort); it
    walked every message in S, of every webhook, through ``log_by_status``."""
    filters = {"webhookId": [ids(db)["webhook"]], "status": ["cancelled"]}
    if read == "backlog":
        found = plans(db, lambda db: log.recent(db, 1000, filters))
    else:
        found = plans(db, lambda db: log.since(db, 0, filters, 1000))
    lines = [line for _sql, plan in found for line in plan]
    assert any("log_by_webhook_status (webhook_id=? AND status=?" in line for line in lines), lines
    assert not [line for line in lines if "TEMP B-TREE" in line], lines
