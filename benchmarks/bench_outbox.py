"""Wink's outbox grids on a big database: page and count times with 1,000,000 stored deliveries.

    python benchmarks/bench_outbox.py                        # builds a 1,000,000-delivery database
    python benchmarks/bench_outbox.py --deliveries 200000 --repeat 20
    python benchmarks/bench_outbox.py --db /tmp/outbox.db   # keep (and reuse) the database

It builds the database with bulk SQL inserts (no HTTP, no generators): one account holding 98 % of the
letters and another holding the rest, four webhooks each, one letter per event and one delivery per
letter and webhook, statuses spread as a busy integration's are (88 % SUCCEEDED, 5 % DEAD, 2 %
PENDING, 2 % RETRYING, 3 % CANCELLED), ten delivered event keys and 30 days of creation times. Then it
answers ``POST .../webhook/delivery/grid`` and ``.../event/grid`` through the app (Flask's test
client: routing, the State parser, SQL, shaping and JSON, no sockets) for the common filters, and
prints the median and the slowest of ``--repeat`` calls for each: the whole page answer (content and
``totalElements``), and the ``totalElements`` count alone. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import timed  # noqa: E402  (benchmarks/, this script's folder)

from sandbox import create_app, schema  # noqa: E402, F401  (schema registers the migrations)
from sandbox.db import connect, migrate  # noqa: E402

WEBHOOKS_PER_ACCOUNT = 4
QUIET = 1000      # deliveries of a fifth, quiet webhook of the big account (a test webhook, say)
KEYS = ("booking.create", "booking.create", "booking.create", "booking.cancelled", "booking.failed",
        "property.status.updated", "room_type.created", "room_type.updated", "rate_plan.updated",
        "account.managers.update")
DAYS = 30
BIG = "6f1c2a52-2b1e-4d43-9a43-0c4c3b8d9a10"
SMALL = "0b7e8a54-61d2-4c4f-b2f8-3d0a6e1c9f27"

# A uuid v4 made in SQL, so a million rows need no Python loop.
UUID = ("printf('%s-%s-4%s-%s%s-%s', lower(hex(randomblob(4))), lower(hex(randomblob(2))), "
        "substr(lower(hex(randomblob(2))), 2), substr('89ab', 1 + abs(random()) % 4, 1), "
        "substr(lower(hex(randomblob(2))), 2), lower(hex(randomblob(6))))")


def build(path: str, deliveries: int) -> None:
    """Create a database at ``path`` holding ``deliveries`` deliveries (a multiple of 4) and their letters."""
    migrate(path)
    db = connect(path)
    conn = db.conn
    # Bulk inserts go faster into bare tables: drop the indexes, make them again afterwards.
    indexes = conn.execute("select name, sql from sqlite_master where type = 'index' and sql is not null "
                           "and tbl_name in ('events', 'deliveries')").fetchall()
    for name, _sql in indexes:
        conn.execute(f"drop index {name}")
    events = (deliveries - min(QUIET, deliveries // 1000)) // WEBHOOKS_PER_ACCOUNT
    quiet = deliveries - events * WEBHOOKS_PER_ACCOUNT
    start = time.time() - DAYS * 86400
    step = DAYS * 86400 / max(events, 1)
    conn.execute("BEGIN")
    for account, name in ((BIG, "Cool Account"), (SMALL, "The Siam Residences, Bangkok")):
        conn.execute("insert into accounts (id, name, type, created_date) values (?, ?, 'HOTEL', "
                     "'2026-01-01T00:00:00')", [account, name])
        for number in range(WEBHOOKS_PER_ACCOUNT):
            conn.execute(
                "insert into webhooks (id, account_id, name, enabled, event_url, event_list, version, "
                "created_date, last_update, secret) values "
                f"({UUID}, ?, ?, 0, 'http://127.0.0.1:9/hook', '[]', 1, '2026-01-01T00:00:00', "
                "'2026-01-01T00:00:00', 'whsec_benchmark')", [account, f"Hook {number + 1}"])
    conn.execute("insert into webhooks (id, account_id, name, enabled, event_url, event_list, version, "
                 "created_date, last_update, secret) values "
                 f"({UUID}, ?, 'Quiet hook', 0, 'http://127.0.0.1:9/quiet', '[]', 1, '2026-01-01T00:00:00', "
                 "'2026-01-01T00:00:00', 'whsec_benchmark')", [BIG])
    keys = ", ".join(f"('{key}')" for key in KEYS)
    conn.execute("create temp table bench_keys (n integer primary key, key text)")
    conn.execute(f"insert into bench_keys (key) values {keys}")
    conn.execute(f"""
        insert into events (seq, id, event_key, account_id, account_name, created, delivery_count, body,
                            recipient_role, occurrence_id)
        with recursive n(i) as (select 1 union all select i + 1 from n where i < {events}),
        made as materialized (
            select i, {UUID} as id,
                   (select key from bench_keys where bench_keys.n = 1 + i % {len(KEYS)}) as key,
                   case when i % 50 = 0 then '{SMALL}' else '{BIG}' end as account,
                   {start} + i * {step} as at
            from n
        )
        select i, id, key, account,
               case when account = '{BIG}' then 'Cool Account' else 'The Siam Residences, Bangkok' end,
               strftime('%Y-%m-%dT%H:%M:%S', at, 'unixepoch') || printf('.%03dZ', (at * 1000) % 1000),
               {WEBHOOKS_PER_ACCOUNT},
               cast(json_object('id', id, 'type', key,
                                'occurredAt', strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch'),
                                'ownerIdentifier', account, 'recipientRole', 'SUPPLIER', 'schemaVersion', 2,
                                'object', json_object('bookingIdentifier', {UUID}, 'hotelIdentifier', account,
                                                      'status', 'CONFIRMED',
                                                      'links', json_object('self', 'http://127.0.0.1/x')))
                    as blob),
               'SUPPLIER', id
        from made
    """)
    conn.execute(f"""
        insert into deliveries (id, event_seq, event_id, event_key, account_id, webhook_id, webhook_name,
                                event_url, status, next_at, attempts, last_status_code, created, updated)
        select {UUID}, e.seq, e.id, e.event_key, e.account_id, w.id, w.name, w.event_url,
               case when r < 88 then 'succeeded' when r < 93 then 'failed' when r < 95 then 'pending'
                    when r < 97 then 'retrying' else 'cancelled' end,
               case when r >= 93 and r < 97 then {time.time() + 86400 * 365} end,
               case when r < 88 then 1 when r < 93 then 11 when r < 95 then 0 when r < 97 then 3 else 1 end,
               case when r < 88 then 200 when r < 93 then 500 when r < 95 then null when r < 97 then 503
                    else 500 end,
               e.created, e.created
        from (select e.*, w.rowid as hook, (e.seq * 7919 + w.rowid * 104729) % 100 as r
              from events e join webhooks w on w.account_id = e.account_id and w.name != 'Quiet hook'
              union all
              select * from (select e.*, w.rowid, (e.seq * 7919) % 100 from events e
                             join webhooks w on w.name = 'Quiet hook'
                             where e.account_id = '{BIG}' and e.seq % 199 = 1 limit {quiet})) e
        join webhooks w on w.rowid = e.hook
        order by e.seq, e.hook
    """)
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000, help="deliveries to store")
    parser.add_argument("--repeat", type=int, default=10, help="calls per figure")
    parser.add_argument("--db", help="database file to build (or reuse when it exists); default: a "
                                     "temporary file, deleted afterwards")
    args = parser.parse_args()
    folder = None
    path = args.db
    if path is None:
        folder = tempfile.TemporaryDirectory(prefix="bench-outbox-")
        path = os.path.join(folder.name, "outbox.db")
    try:
        if not os.path.exists(path):
            begun = time.perf_counter()
            build(path, args.deliveries)
            print(f"Built {path} in {time.perf_counter() - begun:.1f} s "
                  f"({os.path.getsize(path) / 2**20:.0f} MiB)")
        report(path, args.repeat)
    finally:
        if folder is not None:
            folder.cleanup()


def _filter(*filters: dict, logic: str = "and") -> dict:
    return {"filter": {"logic": logic, "filters": list(filters)}}


def report(path: str, repeat: int) -> None:
    """Time the grids' answers for the common filters (each figure: median / slowest of ``repeat``)."""
    from sandbox.outbox.grids import DELIVERIES, EVENTS
    from sandbox.outbox.state import read_state
    from sandbox.store import outbox as store

    app = create_app({"DATABASE": path, "TESTING": True})
    client = app.test_client()
    db = connect(path)
    hook = db.execute("select id from webhooks where account_id = ? order by rowid", [BIG]).fetchone()[0]
    quiet = db.execute("select id from webhooks where name = 'Quiet hook'").fetchone()[0]
    recent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
    early = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - (DAYS - 2) * 86400))
    dead = {"field": "status", "operator": "eq", "value": "DEAD"}
    cancelled = {"field": "type", "operator": "eq", "value": "booking.cancelled"}
    deliveries = [
        ("no filter (newest first)", {}, None),
        ("status eq DEAD", _filter(dead), None),
        ("status in [PENDING, RETRYING]",
         _filter({"field": "status", "operator": "in", "value": ["PENDING", "RETRYING"]}), None),
        ("?webhookId= (one of 4 webhooks)", {}, hook),
        ("?webhookId= and status eq DEAD", _filter(dead), hook),
        ("?webhookId= of the quiet webhook", {}, quiet),
        ("?webhookId= of the quiet webhook, status eq DEAD", _filter(dead), quiet),
        ("type eq booking.cancelled", _filter(cancelled), None),
        ("createdDate gte a day ago",
         _filter({"field": "createdDate", "operator": "gte", "value": recent}), None),
        ("createdDate lt the 3rd day (oldest)",
         _filter({"field": "createdDate", "operator": "lt", "value": early}), None),
        ("status DEAD or type account.managers.update",
         _filter(dead, {"field": "type", "operator": "eq", "value": "account.managers.update"}, logic="or"),
         None),
        ("sort status asc, no filter", {"sort": [{"field": "status", "dir": "asc"}]}, None),
        ("skip 900,000 (page 30,001)", {"skip": 900_000}, None),
        ("take 180", {"take": 180}, None),
    ]
    events = [
        ("no filter (newest first)", {}),
        ("type eq booking.cancelled", _filter(cancelled)),
        ("status eq NO_SUBSCRIBERS (none match)", _filter({"field": "status", "operator": "eq",
                                                           "value": "NO_SUBSCRIBERS"})),
        ("occurredAt gte a day ago", _filter({"field": "occurredAt", "operator": "gte", "value": recent})),
        ("skip 200,000", {"skip": 200_000}),
    ]
    total = db.execute("select count(*) from deliveries").fetchone()[0]
    mine = db.execute("select count(*) from deliveries where account_id = ?", [BIG]).fetchone()[0]
    print(f"{total:,} deliveries, {mine:,} of them the account's; "
          f"{db.execute('select count(*) from events').fetchone()[0]:,} letters. "
          f"Median / slowest of {repeat} calls, in ms.")
    base = f"/api/managing-entity/{BIG}/webhook"
    print(f"\nPOST .../delivery/grid{'':<34} {'answer':>15} {'count alone':>15} {'totalElements':>14}")
    for label, body, webhook_id in deliveries:
        url = base + "/delivery/grid" + (f"?webhookId={webhook_id}" if webhook_id else "")
        answer = client.post(url, json=body).get_json()
        query = read_state(body, DELIVERIES)
        page = timed(lambda url=url, body=body: client.post(url, json=body), repeat)
        counted = timed(lambda query=query, webhook_id=webhook_id: store.count(
            db, "deliveries", BIG, query, webhook_id), repeat)
        print(f"  {label:<52} {page[0]:6.1f} / {page[1]:6.1f} {counted[0]:6.2f} / {counted[1]:6.2f} "
              f"{answer['totalElements']:>14,}")
    print(f"\nPOST .../event/grid{'':<37} {'answer':>15} {'count alone':>15} {'totalElements':>14}")
    for label, body in events:
        url = base + "/event/grid"
        answer = client.post(url, json=body).get_json()
        query = read_state(body, EVENTS)
        page = timed(lambda url=url, body=body: client.post(url, json=body), repeat)
        counted = timed(lambda query=query: store.count(db, "events", BIG, query), repeat)
        print(f"  {label:<52} {page[0]:6.1f} / {page[1]:6.1f} {counted[0]:6.2f} / {counted[1]:6.2f} "
              f"{answer['totalElements']:>14,}")
    delivery_id = db.execute("select id from deliveries where account_id = ? order by seq desc limit 1",
                             [BIG]).fetchone()[0]
    shown = timed(lambda: client.get(f"{base}/delivery/{delivery_id}"), repeat)
    print(f"\nGET .../delivery/{{id}}{'':<36} {shown[0]:6.1f} / {shown[1]:6.1f}")
    db.close()


if __name__ == "__main__":
    main()
