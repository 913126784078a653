"""``GET /api/deliveries?q=``: free-text search of the delivery log (issue 14), on a real server and a
real SQLite file; every delivery is made by firing events through the API at a real receiver."""

from __future__ import annotations

import pytest
import requests

from sandbox import create_app
from sandbox.server import Runner
from sandbox.store import deliveries as delivery_store
from tests.receivers import wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path_factory.mktemp("search") / "s.db")})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def call(server, method, path, expect=None, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    if expect is None:
        assert response.status_code < 300, response.text
    else:
        assert response.status_code == expect, response.text
    return response.json()


@pytest.fixture(scope="module")
def hotel(server):
    """An account with one webhook (an inbox that answers 200) and 30 deliveries, two of them with a
    booking code to find and one with a guest's name in Portuguese."""
    account = call(server, "POST", "/api/managing-entity", json={"name": "Search API Hotel", "type": "HOTEL"})
    call(server, "PUT", "/api/inbox/search-api", json={"status": 200})
    call(server, "POST", f"/api/managing-entity/{account['id']}/webhook",
         json={"name": "Search hook", "eventUrl": f"{server.url}/inbox/search-api", "eventList": []})

    def fire(n, **fields):
        body = call(server, "POST", "/api/events", expect=202,
                    json={"event": "booking.created", "entity": account["id"], "count": n, **fields})
        return [d["id"] for event in body["events"] for d in event["deliveries"]]

    first = fire(1, set=['bookingCode="CODE-0001"'])
    plain = fire(27)
    second = fire(1, set=['bookingCode="code-0001b"'])
    named = fire(1, set=['guest.firstName="João"'])

    def done():
        page = call(server, "GET", f"/api/deliveries?entity={account['id']}&status=succeeded&limit=500")
        return len(page["items"]) == 30
    wait_until(done, timeout=60, message="30 deliveries succeeded")
    return {"account": account, "first": first, "second": second, "plain": plain, "named": named}


def search(server, hotel, q, **params):
    return call(server, "GET", "/api/deliveries", params={"entity": hotel["account"]["id"], "q": q, **params})


def ids(page):
    return [item["id"] for item in page["items"]]


def test_text_in_the_payload_is_found_newest_first_ignoring_case(server, hotel):
    page = search(server, hotel, "code-0001")
    assert ids(page) == hotel["second"] + hotel["first"]
    assert page["nextCursor"] is None
    assert page["search"] == {"q": "code-0001", "scanned": 30, "complete": True}
    # Not ASCII: the body is UTF-8 as sent, not \\u escapes.
    assert ids(search(server, hotel, "joão")) == hotel["named"]


def test_an_id_is_found_through_the_index(server, hotel):
    delivery = call(server, "GET", f"/api/deliveries/{hotel['plain'][5]}")
    assert ids(search(server, hotel, delivery["id"])) == [delivery["id"]]
    by_event = search(server, hotel, f"  {delivery['eventId']} ")   # trimmed
    assert ids(by_event) == [delivery["id"]]
    assert by_event["search"]["q"] == delivery["eventId"]
    # The other filters still apply: another account's filter finds nothing.
    other = call(server, "POST", "/api/managing-entity", json={"name": "Other", "type": "HOTEL"})
    assert call(server, "GET", "/api/deliveries",
                params={"entity": other["id"], "q": delivery["id"]})["items"] == []


def test_the_other_filters_apply_to_a_search(server, hotel):
    assert ids(search(server, hotel, "code-0001", status="failed")) == []
    found = search(server, hotel, "CODE-0001", event="booking.created")
    assert ids(found) == hotel["second"] + hotel["first"]
    assert ids(search(server, hotel, "Search hook", limit=500)) == ids(
        call(server, "GET", "/api/deliveries", params={"entity": hotel["account"]["id"], "limit": 500}))


def test_a_full_page_goes_on_from_its_last_match(server, hotel):
    page = search(server, hotel, "booking.create", limit=20)
    assert len(page["items"]) == 20 and page["nextCursor"] is not None
    assert page["search"] == {"q": "booking.create", "scanned": 20, "complete": False}
    rest = search(server, hotel, "booking.create", limit=20, cursor=page["nextCursor"])
    assert len(rest["items"]) == 10 and rest["nextCursor"] is None and rest["search"]["complete"] is True
    assert not set(ids(page)) & set(ids(rest))


def test_a_search_reads_a_bounded_slice_and_says_where_to_go_on(server, hotel, monkeypatch):
    # The scan bound, made small here: a call reads at most that many deliveries and hands back the
    # cursor after the last one it read, even with no match, until the oldest is reached.
    monkeypatch.setattr(delivery_store, "SEARCH_SCAN", 10)
    found, cursor, calls, scanned = [], None, 0, 0
    while True:
        page = search(server, hotel, "code-0001", **({"cursor": cursor} if cursor else {}))
        calls += 1
        scanned += page["search"]["scanned"]
        found += ids(page)
        assert page["search"]["scanned"] <= 10
        cursor = page["nextCursor"]
        if cursor is None:
            assert page["search"]["complete"] is True
            break
        assert page["search"]["complete"] is False
    assert found == hotel["second"] + hotel["first"]
    assert calls == 3 and scanned == 30


@pytest.mark.parametrize(("q", "message"), [
    ("x" * 201, "must be at most 200 characters"),
    ("two\nlines", "must be text on one line"),
])
def test_bad_search_text_gets_a_400_naming_q(server, hotel, q, message):
    body = call(server, "GET", "/api/deliveries", expect=400, params={"q": q})
    assert {"field": "q", "message": message} in body["errors"]


def test_a_blank_search_is_the_plain_list(server, hotel):
    page = call(server, "GET", "/api/deliveries", params={"entity": hotel["account"]["id"], "q": "   "})
    assert "search" not in page and len(page["items"]) == 30
