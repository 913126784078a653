"""Keys Wink never delivers: refused unless the firing says ``undelivered``, then sent and marked so
(the event, its list entry, the live log, the CLI, fixture runs, an old database, the Send page)."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from sandbox import catalog, cli, create_app
from sandbox.db import connect, migrate
from sandbox.server import Runner
from sandbox.store import log
from tests.browser import browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.conftest import assert_problem
from tests.receivers import Receiver

NEVER = [  # (key, kind, the closest delivered key or None)
    ("payee.update", "listed", None),
    ("internal.payment.failed", "listed", None),
    ("ledger.entry.create", "listed", None),
    ("account.details.updated", "listed", "managing_entity.information.updated"),
    ("account.create", "legacy", "managing_entity.created"),
    ("booking.contract.cancelled", "legacy", "booking.cancelled"),
    ("account.created", "example-only", "managing_entity.created"),
    ("payment.completed", "example-only", None),
]


@pytest.fixture
def hotel(client):
    return client.post("/api/managing-entity", json={"name": "Hotel Sol", "type": "HOTEL"}).get_json()


def hook(client, account, url="http://127.0.0.1:9/unused") -> dict:
    body = {"name": "Everything", "eventUrl": url, "eventList": []}
    return client.post(f"/api/managing-entity/{account['id']}/webhook", json=body).get_json()["webhook"]


def fire(client, account, event, **fields):
    return client.post("/api/events", json={"event": event, "entity": account["id"], **fields})


@pytest.mark.parametrize("key, kind, closest", NEVER)
def test_a_key_wink_never_delivers_is_refused_without_the_flag(client, hotel, key, kind, closest):
    assert catalog.kind(key) == kind
    hook(client, hotel)
    body = assert_problem(fire(client, hotel, key), 400, field="event",
                          detail=f"Wink never delivers {key}")
    assert '"undelivered": true' in body["detail"]
    if closest:
        assert f"the closest key Wink delivers is {closest}" in body["detail"]
    else:
        assert "closest" not in body["detail"]
    assert client.get("/api/events").get_json()["items"] == []   # nothing stored


@pytest.mark.parametrize("key", ["booking.create", "booking.created", "room_type.created",
                                 "managing_entity.created", "property.status.updated"])
@pytest.mark.parametrize("flag", [{}, {"undelivered": False}, {"undelivered": True}])
def test_keys_wink_delivers_go_out_unmarked_with_or_without_the_flag(client, hotel, key, flag):
    answer = fire(client, hotel, key, **flag)
    assert answer.status_code == 202, answer.get_json()
    (event,) = answer.get_json()["events"]
    assert event["undelivered"] is False and event["event"] == catalog.wire_key(key)
    assert client.get(f"/api/events/{event['id']}").get_json()["undelivered"] is False


@pytest.mark.parametrize("key, kind, closest", NEVER)
def test_with_the_flag_it_goes_out_marked_undelivered(client, hotel, key, kind, closest):
    webhook = hook(client, hotel)
    answer = fire(client, hotel, key, undelivered=True, count=2)
    assert answer.status_code == 202, answer.get_json()
    events = answer.get_json()["events"]
    assert len(events) == 2
    for event in events:
        assert event["undelivered"] is True and event["event"] == key
        assert [d["webhookId"] for d in event["deliveries"]] == [webhook["id"]]
        detail = client.get(f"/api/events/{event['id']}").get_json()
        assert detail["undelivered"] is True and detail["envelope"]["type"] == key
        assert [d["id"] for d in detail["deliveries"]] == [event["deliveries"][0]["id"]]
    listed = client.get("/api/events").get_json()["items"]
    assert [item["undelivered"] for item in listed] == [True, True]


def test_the_object_is_wink_shaped_where_the_catalog_names_a_payload(client, hotel):
    assert catalog.get("property.updated")["payload"] == "PropertyWebhookPayload"
    (event,) = fire(client, hotel, "property.updated", undelivered=True).get_json()["events"]
    obj = client.get(f"/api/events/{event['id']}").get_json()["envelope"]["object"]
    assert obj["hotelIdentifier"] and obj["links"]["self"].startswith("http")
    assert catalog.get("payee.update")["payload"] is None   # the sandbox's own record
    (event,) = fire(client, hotel, "payee.update", undelivered=True).get_json()["events"]
    obj = client.get(f"/api/events/{event['id']}").get_json()["envelope"]["object"]
    assert "links" not in obj and obj


def test_the_live_log_says_which_letters_are_not_winks(app, client, hotel):
    hook(client, hotel)
    fire(client, hotel, "payee.update", undelivered=True)
    fire(client, hotel, "booking.create")
    with app.app_context():
        messages = log.since(connect(app.config["DATABASE"]), 0, {"type": "event.created"})
    assert [(m["event"], m["undelivered"]) for m in messages] == [
        ("payee.update", True), ("booking.create", False)]


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, None, [], {}])
def test_undelivered_must_be_a_boolean(client, hotel, value):
    body = assert_problem(fire(client, hotel, "payee.update", undelivered=value), 400, field="undelivered")
    assert [e["field"] for e in body["errors"]] == ["undelivered"]


def test_every_problem_is_named_at_once(client):
    response = client.post("/api/events", json={"event": "payee.update", "undelivered": "x"})
    body = assert_problem(response, 400)
    assert {e["field"] for e in body["errors"]} == {"undelivered", "entity"}
    response = client.post("/api/events", json={"event": "ledger.entry.create"})
    assert {e["field"] for e in assert_problem(response, 400)["errors"]} == {"event", "entity"}


def test_a_sample_previews_any_key_without_the_flag(client, hotel):
    for key, *_ in NEVER:
        response = client.post(f"/api/event-types/{key}/sample", json={"entity": hotel["id"]})
        assert response.status_code == 200, (key, response.get_json())
        assert response.get_json()["type"] == key


def test_it_really_reaches_a_receiver(app, client, hotel):
    server = Runner(app, "127.0.0.1", 0)
    server.start()
    try:
        with Receiver() as receiver:
            hook(client, hotel, receiver.url + "/hook")
            fire(client, hotel, "internal.payment.failed", undelivered=True)
            (got,) = receiver.wait_for(1)
    finally:
        server.stop(timeout=5)
    assert got.json()["type"] == "internal.payment.failed"


# -- fixture runs -----------------------------------------------------------------------------------

@pytest.fixture
def fixtures_dir(tmp_path):
    return tmp_path / "mine"


@pytest.fixture
def fixtures_app(db_path, fixtures_dir):
    fixtures_dir.mkdir()
    (fixtures_dir / "payee-life.json").write_text(json.dumps({
        "kind": "scenario", "name": "payee-life",
        "steps": [{"name": "created", "type": "booking.create"}, {"name": "payee", "type": "payee.update"}],
    }))
    return create_app({"DATABASE": db_path, "TESTING": True, "FIXTURES_DIR": str(fixtures_dir)})


def test_a_fixture_run_refuses_before_firing_unless_it_says_undelivered(fixtures_app):
    client = fixtures_app.test_client()
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Sol", "type": "HOTEL"}).get_json()
    hook(client, hotel)
    refused = client.post("/api/fixtures/payee-life/run", json={"entity": hotel["id"]})
    body = assert_problem(refused, 400, field="step 2 'payee' type",
                          detail="Wink never delivers payee.update")
    assert client.get("/api/events").get_json()["items"] == []   # not even the first step went out

    assert_problem(client.post("/api/fixtures/payee-life/run",
                               json={"entity": hotel["id"], "undelivered": "yes"}), 400, field="undelivered")
    answer = client.post("/api/fixtures/payee-life/run",
                         json={"entity": hotel["id"], "undelivered": True, "delays": False})
    assert answer.status_code == 202, answer.get_json()
    events = answer.get_json()["events"]
    assert [(e["event"], e["undelivered"]) for e in events] == [("booking.create", False),
                                                                 ("payee.update", True)]
    assert body["detail"].startswith("Fixture 'payee-life' fires keys Wink never delivers")


# -- the command line -------------------------------------------------------------------------------

@pytest.fixture
def live_app(db_path):
    return create_app({"DATABASE": db_path, "TESTING": True, "RETRY_SCHEDULE": []})


def test_trigger_needs_undelivered_for_a_key_wink_never_delivers(live_app):
    cli._load_commands()
    client = live_app.test_client()
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Sol", "type": "HOTEL"}).get_json()
    server = Runner(live_app, "127.0.0.1", 0)
    server.start()
    try:
        with Receiver() as receiver:
            hook(client, hotel, receiver.url + "/hook")
            args = ["trigger", "payee.update", "--server", server.url, "--entity", hotel["id"]]
            refused = CliRunner().invoke(cli.cli, args, catch_exceptions=False)
            assert refused.exit_code == 1
            assert "Wink never delivers payee.update" in refused.output and "undelivered" in refused.output
            sent = CliRunner().invoke(cli.cli, [*args, "--undelivered"], catch_exceptions=False)
            (got,) = receiver.wait_for(1)
    finally:
        server.stop(timeout=5)
    assert sent.exit_code == 0, sent.output
    assert "Fired 1 payee.update letter(s)" in sent.output and "marked undelivered" in sent.output
    assert got.json()["type"] == "payee.update"
    (event,) = client.get("/api/events").get_json()["items"]
    assert event["undelivered"] is True


# -- an old database --------------------------------------------------------------------------------

def test_events_stored_before_the_mark_are_marked_by_their_key(db_path):
    migrate(db_path)
    db = sqlite3.connect(db_path)
    db.execute("delete from _sqlite_migrations where name = 'm032_events_undelivered'")
    db.execute("alter table events drop column undelivered")
    for seq, key in enumerate(("booking.create", "payee.update", "account.create"), 1):
        db.execute("insert into events (seq, id, event_key, account_id, account_name, created, "
                   "delivery_count, body) values (?, ?, ?, 'a', 'A', '2026-11-20T10:11:12.345Z', 0, '{}')",
                   [seq, f"e{seq}", key])
    db.commit()
    db.close()
    migrate(db_path)
    rows = connect(db_path).execute("select event_key, undelivered from events order by seq").fetchall()
    assert rows == [("booking.create", 0), ("payee.update", 1), ("account.create", 1)]


# -- the Send page ----------------------------------------------------------------------------------

@pytest.fixture
def ui_server(app):
    server = Runner(app, "127.0.0.1", 0)
    server.start()
    yield server
    server.stop(timeout=5)


def test_the_send_page_groups_keys_and_sends_an_undelivered_one_marked(browser, ui_server, client):  # noqa: F811
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Sol", "type": "HOTEL"}).get_json()
    with Receiver() as receiver:
        hook(client, hotel, receiver.url + "/hook")
        page = new_page(browser, ui_server.url)
        try:
            page.goto(f"/send?account={hotel['id']}")
            listbox = page.get_by_role("listbox", name="Event")
            expect(page.get_by_role("option", name="booking.create", exact=True)).to_have_attribute(
                "aria-selected", "true")   # the list is drawn, booking.create chosen by default
            groups = listbox.get_by_role("group")
            titles = [groups.nth(i).get_attribute("aria-label") for i in range(groups.count())]
            assert titles[-3:] == ["Listed by Wink, never delivered", "Legacy", "Example-only"]
            assert "Booking" in titles[:-3] and len(titles) > 4
            delivered = sum(groups.nth(i).get_by_role("option").count() for i in range(len(titles) - 3))
            assert delivered == 70
            assert listbox.get_by_role("option", name="booking.created").count() == 0   # an alias
            expect(page.locator("#undelivered-note")).to_be_hidden()

            page.get_by_role("searchbox", name="Search events").fill("payee upd")
            page.get_by_role("option", name="payee.update", exact=True).click()
            note = page.locator("#undelivered-note")
            expect(note).to_be_visible()
            expect(note).to_contain_text("Wink lists this event in its catalog but never sends it")
            expect(page.locator("#event-about")).to_contain_text("Wink never sends this")
            expect(page.locator("#event-about")).to_contain_text("Payee updated")
            expect(page.locator("#payload")).to_have_value(re.compile('"type": "payee.update"'))
            screenshot(page, "send-undelivered")
            page.get_by_role("button", name="Send", exact=True).click()
            sent = page.locator("#sent tr").first
            expect(sent).to_have_attribute("data-outcome", "succeeded", timeout=5_000)
            (got,) = receiver.wait_for(1)
            assert page.js_errors == []
        finally:
            page.context.close()
    assert got.json()["type"] == "payee.update"
    (event,) = client.get("/api/events").get_json()["items"]
    assert event["undelivered"] is True


def test_the_webhook_form_groups_keys_and_checks_an_alias_as_its_key(browser, ui_server, client):  # noqa: F811
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Sol", "type": "HOTEL"}).get_json()
    body = {"name": "Old names", "eventUrl": "http://127.0.0.1:9/x", "eventList": ["booking.created"]}
    webhook = client.post(f"/api/managing-entity/{hotel['id']}/webhook", json=body).get_json()["webhook"]
    page = new_page(browser, ui_server.url)
    try:
        page.goto(f"/accounts/{hotel['id']}/webhooks/{webhook['id']}/edit")
        legends = page.locator("#events-list .picker-group-title")
        expect(legends.first).to_be_visible()
        titles = [re.sub(r" \(\d+\)$", "", text) for text in legends.all_text_contents()]
        assert titles[-3:] == ["Listed by Wink, never delivered", "Legacy", "Example-only"]
        assert page.locator("#events-list").get_by_role("option").count() == 131
        expect(page.get_by_role("option", name=re.compile(r"^booking\.create\b"))).to_have_attribute(
            "aria-selected", "true")
        page.get_by_label("Search events").fill("booking.created")   # found by its alias
        expect(page.locator("#events-list").get_by_role("option")).to_have_count(1)
        screenshot(page, "webhook-form-groups")
        assert page.js_errors == []
    finally:
        page.context.close()
