"""What each index costs the delivery hot path: a store micro-benchmark (issue 13).

    python benchmarks/bench_indexes.py                       # 4,000 deliveries, every index of the path
    python benchmarks/bench_indexes.py --deliveries 2000 --only deliveries_listed_by_status
    python benchmarks/bench_indexes.py --only log_by_status+log_by_type     # two indexes together

On a fresh database migrated with the project's schema, it runs each delivery's life through the
project's own store functions, in batches of 100 as the engine does: firing (``insert_events``,
``insert_deliveries``, one ``event.created`` log row), claiming (``claim_due``), recording the attempt
(``record_attempts``, a ``delivery.attempted`` and a ``delivery.succeeded`` log row). It does that with
every index, then once without each index of ``deliveries``, ``events`` and ``log`` (one at a time, on
a fresh database), and prints the CPU microseconds per
delivery (this process's CPU time, so other processes on a shared machine count little) and what the
index adds. The runs alternate (``--rounds``) and medians are compared.

Nothing is asserted: tests/test_query_plans.py checks that the queries still search an index.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import schema  # noqa: E402, F401  (registers the migrations)
from sandbox.db import connect, immediate, migrate  # noqa: E402
from sandbox.store import deliveries as delivery_store  # noqa: E402
from sandbox.store import events as event_store  # noqa: E402
from sandbox.store import log, new_id  # noqa: E402

BATCH = 100


def _body() -> bytes:
    """A real booking.create letter (its size matters: the outbox's event indexes parse it)."""
    from sandbox.envelope import build_envelope, to_json
    from sandbox.generate import generate
    from sandbox.payloads import summarize

    record = generate("booking.create", account={"id": "acct", "name": "Bench"}, seed=1)[0]
    return to_json(build_envelope("booking.create", "acct", "SUPPLIER",
                                  summarize("booking.create", record, "http://127.0.0.1:8000/")))


BODY = _body()


def indexes(path: str) -> list[str]:
    """The indexes a delivery's life writes to (deliveries, events, log), by name."""
    db = connect(path)
    try:
        return [row[0] for row in db.conn.execute(
            "select name from sqlite_master where type = 'index' and sql is not null "
            "and tbl_name in ('deliveries', 'events', 'log') order by tbl_name, name")]
    finally:
        db.close()


def life(path: str, count: int, dropped: str | None = None) -> float:
    """Run ``count`` deliveries through firing, claim and record (without the indexes ``dropped``
    names, "+"-separated); return CPU microseconds per delivery."""
    db = connect(path)
    for name in (dropped or "").split("+"):
        if name:
            db.conn.execute(f"drop index {name}")
    account = {"id": "acct", "name": "Bench"}
    begun = time.process_time()   # CPU time: other processes on a shared machine do not count
    for start in range(0, count, BATCH):
        n = min(BATCH, count - start)
        created = log.timestamp()
        ids = [new_id() for _ in range(n)]
        with immediate(db):
            first = event_store.insert_events(db, [event_store.event_row(
                event_id=event_id, key="booking.create", account=account, created=created, body=BODY,
                delivery_count=1, seed=None, locale=None, chaos=None, target_webhook_id=None,
                recipient_role="SUPPLIER", occurrence_id=event_id, undelivered=False) for event_id in ids])
            delivery_store.insert_deliveries(db, [
                ("d" + event_id, first + number, event_id, "booking.create", "acct", f"hook{number % 9}",
                 "Hook", "http://127.0.0.1:9/in", 0.0, created, created, None, 0)
                for number, event_id in enumerate(ids)])
            log.append(db, [log.message("event.created", eventId=event_id, event="booking.create",
                                        entity="acct") for event_id in ids])
        jobs = delivery_store.claim_due(db, time.time() + 1, n)
        with immediate(db):
            delivery_store.record_attempts(db, [(
                {"id": job["id"], "status": "succeeded", "next_at": None, "trigger": "initial",
                 "attempts": 1, "schedule_step": 1, "url": "http://127.0.0.1:9/in"},
                {"attempt": 1, "trigger": "initial", "started": created,
                 "request_url": "http://127.0.0.1:9/in", "request_headers": {}, "response_status": 200,
                 "response_headers": {}, "response_body": b"ok", "response_truncated": False,
                 "duration_ms": 1.0, "error": None},
            ) for job in jobs])
            messages = []
            for job in jobs:
                fields = {"eventId": job["event_id"], "event": "booking.create", "entity": "acct",
                          "deliveryId": job["id"], "webhookId": job["webhook_id"], "status": "succeeded"}
                messages += [log.message("delivery.attempted", **fields),
                             log.message("delivery.succeeded", **fields)]
            log.append(db, messages)
    took = time.process_time() - begun
    db.close()
    return took / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per index; medians compared")
    parser.add_argument("--only", help="comma-separated index names (default: every index of the path); "
                                       "a+b+c drops those together")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        template = f"{folder}/template.db"
        migrate(template)
        names = args.only.split(",") if args.only else indexes(template)
        runs = 0

        def fresh() -> str:
            nonlocal runs
            runs += 1
            path = f"{folder}/run{runs}.db"
            Path(path).write_bytes(Path(template).read_bytes())
            return path

        print(f"{args.deliveries:,} deliveries (fire, claim, record: 3 log rows each), batches of {BATCH}, "
              f"median of {args.rounds}; CPU microseconds per delivery")
        print(f"{'without':<60} {'us/delivery':>12} {'all indexes':>12} {'the index costs':>16}")
        for name in names:
            alls, withouts = [], []
            for _ in range(args.rounds):
                alls.append(life(fresh(), args.deliveries))
                withouts.append(life(fresh(), args.deliveries, dropped=name))
            full, less = statistics.median(alls), statistics.median(withouts)
            share = (full - less) / full
            print(f"{name[:60]:<60} {less:12.0f} {full:12.0f} {full - less:+13.0f} us ({share:+.0%})")


if __name__ == "__main__":
    main()
