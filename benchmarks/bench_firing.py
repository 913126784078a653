"""How long a big firing holds the write lock, and how long another writer waits meanwhile (issue 13).

    python benchmarks/bench_firing.py                   # 10,000 events, in chunks and in one transaction
    python benchmarks/bench_firing.py --events 2000 --modes chunked

Fires ``--events`` occurrences of ``booking.create`` at one webhook, in-process through the project's
own ``prepare``/``store`` (no HTTP, no engine), on a fresh SQLite file. Meanwhile a second connection
plays the delivery engine: every 20 ms it records one small write under ``immediate`` and notes how
long it waited for its turn. For each mode it prints the firing's time, its transactions, the longest
and the total time it held the write lock, and the recorder's median and worst wait:

- ``chunked``: today's firing, ``firing.CHUNK`` occurrences a transaction, rows made before the lock;
- ``single``: the whole firing in one transaction (``CHUNK`` set above ``--events``), as it was before;
  the rows are still made before the lock (the old code also built the objects inside it, so it held
  the lock longer still).

Nothing is asserted; tests/test_firing.py checks the behaviour (no "database is locked").
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import create_app  # noqa: E402
from sandbox.db import connect, immediate  # noqa: E402
from sandbox.delivery import firing  # noqa: E402

TICK = 0.02


def run(mode: str, events: int, workdir: str) -> dict:
    """Fire ``events`` in ``mode`` on a fresh database; return the figures."""
    path = f"{workdir}/{mode}.db"
    app = create_app({"DATABASE": path, "TESTING": True})
    client = app.test_client()
    account = client.post("/api/managing-entity", json={"name": "Bench Hotel", "type": "HOTEL"}).get_json()
    client.post(f"/api/managing-entity/{account['id']}/webhook",
                json={"name": "bench", "eventUrl": "http://127.0.0.1:9/in"})
    holds: list[float] = []

    @contextlib.contextmanager
    def timed_immediate(db):
        with immediate(db):
            begun = time.perf_counter()
            yield db
        holds.append(time.perf_counter() - begun)

    waits: list[float] = []
    stop = threading.Event()

    def recorder() -> None:
        db = connect(path)
        db.execute("create table if not exists bench_ticks (at real)")
        try:
            while not stop.is_set():
                asked = time.perf_counter()
                with immediate(db):
                    waits.append(time.perf_counter() - asked)
                    db.execute("insert into bench_ticks values (?)", [time.time()])
                stop.wait(TICK)
        finally:
            db.close()

    chunk = firing.CHUNK
    firing.immediate = timed_immediate
    if mode == "single":
        firing.CHUNK = events + 1
    thread = threading.Thread(target=recorder)
    try:
        with app.test_request_context("/api/events"):
            db = connect(path)
            thread.start()
            begun = time.perf_counter()
            answer = firing.fire(app, db, firing.Firing(key="booking.create", account=account, count=events,
                                                        seed=1))
            took = time.perf_counter() - begun
            db.close()
    finally:
        stop.set()
        thread.join(60)
        firing.immediate = immediate
        firing.CHUNK = chunk
    assert len(answer["events"]) == events
    return {"mode": mode, "took": took, "transactions": len(holds), "longest": max(holds),
            "median": statistics.median(holds),
            "held": sum(holds), "wait_p50": statistics.median(waits) if waits else 0.0,
            "wait_max": max(waits) if waits else 0.0, "ticks": len(waits)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--modes", default="chunked,single", help="comma-separated: chunked, single")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        print(f"firing {args.events:,} booking.create at one webhook; chunk = {firing.CHUNK} occurrences")
        print(f"{'mode':8} {'firing s':>9} {'txns':>5} {'hold p50 / max ms':>18} {'total hold ms':>14} "
              f"{'other writer wait p50 / max ms':>31}")
        for mode in args.modes.split(","):
            got = run(mode.strip(), args.events, workdir)
            print(f"{got['mode']:8} {got['took']:9.2f} {got['transactions']:5d} "
                  f"{got['median'] * 1000:10.0f} / {got['longest'] * 1000:<5.0f} {got['held'] * 1000:14.0f} "
                  f"{got['wait_p50'] * 1000:14.1f} / {got['wait_max'] * 1000:.0f}"
                  f" ({got['ticks']} writes)")


if __name__ == "__main__":
    main()
