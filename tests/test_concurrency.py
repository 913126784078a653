"""Concurrent API use against a live server never surfaces "database is locked"."""

from __future__ import annotations

import threading

import requests

from tests.receivers import wait_until


def test_concurrent_writers_never_see_locked(live_server):
    url = live_server.url
    account = requests.post(url + "/api/managing-entity", json={"name": "Busy"}, timeout=10).json()
    base = f"{url}/api/managing-entity/{account['id']}/webhook"
    hook = requests.post(base, json={"name": "h", "eventUrl": "http://127.0.0.1:9/x"},
                         timeout=10).json()["webhook"]
    failures: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        session = requests.Session()
        for i in range(15):
            responses = [
                session.post(url + "/api/managing-entity", json={"name": f"a{n}-{i}"}, timeout=30),
                session.post(base, json={"name": f"h{n}-{i}", "eventUrl": "http://127.0.0.1:9/y"},
                             timeout=30),
                session.patch(f"{base}/{hook['id']}", json={
                    "name": f"p{n}-{i}", "entity": {"identifier": account["id"]}, "enabled": True,
                    "eventUrl": "http://127.0.0.1:9/z", "eventList": []}, timeout=30),
                session.post(f"{base}/{hook['id']}/rotate-secret", timeout=30),
                session.get(base + "/list", timeout=30),
            ]
            with lock:
                for response in responses:
                    statuses.append(response.status_code)
                    if response.status_code >= 500 or "locked" in response.text:
                        failures.append(response.text)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    assert len(statuses) == 6 * 15 * 5
    assert set(statuses) <= {200, 201}
    final = requests.get(f"{base}/{hook['id']}", timeout=10).json()
    assert final["version"] == 1 + 6 * 15


def test_writers_of_one_file_take_turns_longest_waiting_first(tmp_path):
    """The process's writer queue lets writers in one at a time, in the order they came."""
    from sandbox.db import connect, immediate

    path = str(tmp_path / "queue.db")
    first = connect(path)
    first.execute("create table turns (who integer)")
    order: list[int] = []

    def writer(who: int) -> None:
        db = connect(path)
        try:
            with immediate(db):
                db.execute("insert into turns values (?)", [who])
                order.append(who)
        finally:
            db.close()

    queue = first.writer_queue
    with immediate(first):
        threads = []
        for who in range(5):
            thread = threading.Thread(target=writer, args=(who,))
            thread.start()
            threads.append(thread)
            wait_until(lambda n=who: len(queue._waiters) == n + 1, message=f"writer {who} to queue")
        assert order == []                                  # all wait while the first holds the lock
    for thread in threads:
        thread.join(30)
    assert order == [0, 1, 2, 3, 4]
    assert [row[0] for row in first.execute("select who from turns order by rowid")] == order
    first.close()
