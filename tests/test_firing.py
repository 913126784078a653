"""Firing under load: concurrent firings never meet "database is locked", and a firing built outside
the write lock still moves a linked record on from what the database holds when it is stored."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import requests

from sandbox import create_app
from sandbox import db as sandbox_db
from sandbox.delivery import firing as firing_module
from sandbox.server import Runner
from tests.receivers import Receiver

THREADS = 4
ROUNDS = 2
COUNT = 300
BUSY_MS = 2000   # a short busy timeout, so a firing that holds the write lock long shows as "locked"


@pytest.fixture
def busy_server(tmp_path, monkeypatch):
    """A live server on a real SQLite file whose connections wait at most BUSY_MS for the write lock."""
    monkeypatch.setattr(sandbox_db, "BUSY_TIMEOUT_MS", BUSY_MS)
    app = create_app({"DATABASE": str(tmp_path / "sandbox.db"), "TESTING": True})
    server = Runner(app, "127.0.0.1", 0)
    server.start()
    yield server, str(tmp_path / "sandbox.db")
    server.stop(timeout=5)


def test_concurrent_firings_while_deliveries_are_recorded_never_see_locked(busy_server):
    server, path = busy_server
    url = server.url
    with Receiver() as receiver:
        account = requests.post(url + "/api/managing-entity", json={"name": "Busy hotel", "type": "HOTEL"},
                                timeout=10).json()
        hook = requests.post(f"{url}/api/managing-entity/{account['id']}/webhook",
                             json={"name": "fast", "eventUrl": receiver.url + "/in"}, timeout=10)
        assert hook.status_code == 201
        answers: list[tuple[int, str]] = []
        lock = threading.Lock()

        def work() -> None:
            session = requests.Session()
            for _ in range(ROUNDS):
                response = session.post(url + "/api/events", json={
                    "event": "booking.create", "entity": account["id"], "count": COUNT}, timeout=120)
                with lock:
                    answers.append((response.status_code, response.text))

        threads = [threading.Thread(target=work) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        failed = [text[:300] for status, text in answers if status != 202]
        assert not failed, failed[:2]
        assert len(answers) == THREADS * ROUNDS
        total = THREADS * ROUNDS * COUNT
        received = receiver.wait_for(total, timeout=120)
    ids = [item.json()["id"] for item in received]
    assert len(set(ids)) == total                                  # each letter delivered once
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("select count(*) from events").fetchone()[0] == total
        assert conn.execute("select count(*) from deliveries").fetchone()[0] == total
        assert conn.execute("select count(*) from log where type = 'event.created'").fetchone()[0] == total
    finally:
        conn.close()


def test_a_firing_built_before_another_stores_on_top_of_it(client, app):
    """Built outside the lock from the booking as it was, a firing stored after another event moved
    the booking on is rebuilt from the stored record: no step of the booking's life is lost."""
    hotel = client.post("/api/managing-entity", json={"name": "Hotel Faro", "type": "HOTEL"}).get_json()
    created = client.post("/api/events", json={"event": "booking.create", "entity": hotel["id"], "seed": 3})
    event_id = created.get_json()["events"][0]["id"]
    booking_id = client.get(f"/api/events/{event_id}").get_json()["envelope"]["object"]["bookingIdentifier"]
    with app.test_request_context("/api/events"):
        db = sandbox_db.connect(app.config["DATABASE"])
        try:
            late = firing_module.Firing(key="booking.refund.full", account=hotel,
                                        assignments=[f'bookingIdentifier="{booking_id}"'])
            prepared = firing_module.prepare(db, late)          # built now, from the created booking
            moved = client.post("/api/events", json={"event": "booking.cancelled", "entity": hotel["id"],
                                                     "set": {"bookingIdentifier": booking_id}})
            assert moved.status_code == 202
            answer = firing_module.store(app, db, prepared)
        finally:
            db.close()
    assert len(answer["events"]) == 1
    record = client.get(f"/api/managing-entity/{hotel['id']}/extranet/booking/{booking_id}").get_json()
    assert [step["toStatus"] for step in record["statusHistory"]] == [
        "INITIALIZED", "PAYMENT_SUCCEEDED", "CANCELLED", "FULLY_REFUNDED"]
    assert record["version"] == 4
