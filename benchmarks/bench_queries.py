"""Every list route, filter and websocket subscription on a 1,000,000-delivery database (issue 13, item 3).

    python benchmarks/bench_queries.py                       # builds a 1,000,000-delivery database
    python benchmarks/bench_queries.py --db /tmp/queries.db  # keep (and reuse) the database
    python benchmarks/bench_queries.py --deliveries 200000 --repeat 20

The deliveries and letters are ``bench_outbox.build``'s (bulk SQL in the project's schema: two accounts,
nine webhooks, 88 % succeeded, 5 % failed, 2 % pending, 2 % retrying, 3 % cancelled, 30 days); this adds
one attempt per delivery that was attempted, and the live log: an ``event.created`` per letter and a
``delivery.<status>`` per delivery, in firing order, numbered from 500,001 as if the first 500,000 had
been pruned. Then it times, through a real server on 127.0.0.1 (the app's own server, no engine):

- every list route of the API and each filter of ``GET /api/deliveries`` (plain HTTP, keep-alive);
- every websocket subscription, from the handshake to its ``ready`` message: backlog 50 and 1,000 with
  each filter, ``since`` the newest cursor, 500 and 5,000 back, and pruned ones with a filter
  (``--replays`` adds unfiltered resumes that replay 50,000 messages and the whole log: their time is
  that of the messages sent, not of finding them);
- start-up: ``create_app`` on the database (migrations checked, hub primed) and the engine's release of
  claims, which runs when it starts;

and prints the median and the slowest of ``--repeat`` calls against the goal (50 ms / 200 ms; start-up
1 s). Nothing is asserted: tests/test_query_plans.py checks the plans instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_outbox  # noqa: E402
from _common import timed  # noqa: E402

from sandbox import create_app, schema  # noqa: E402, F401  (schema registers the migrations)
from sandbox.db import connect  # noqa: E402

MEDIAN_GOAL, WORST_GOAL, START_GOAL = 50.0, 200.0, 1000.0
PRUNED = 500_000  # log ids below this were "pruned"


def build(path: str, deliveries: int) -> None:
    """Build ``bench_outbox``'s database, then add its attempts and its live log."""
    bench_outbox.build(path, deliveries)
    db = connect(path)
    conn = db.conn
    indexes = conn.execute("select name, sql from sqlite_master where type = 'index' and sql is not null "
                           "and tbl_name in ('attempts', 'log')").fetchall()
    for name, _sql in indexes:
        conn.execute(f"drop index {name}")
    conn.execute("BEGIN")
    conn.execute("""
        insert into attempts (delivery_id, attempt, trigger, started, request_url, request_headers,
                              response_status, response_headers, response_body, duration_ms, error, status,
                              webhook_id)
        select id, 1, 'initial', created, event_url, '{"content-type":"application/json"}', last_status_code,
               '{}', cast('ok' as blob), 3.5, null, status, webhook_id
        from deliveries where attempts > 0 order by seq
    """)
    conn.execute("insert or replace into sqlite_sequence (name, seq) values ('log', ?)", [PRUNED])
    conn.execute("""
        insert into log (type, created, account_id, webhook_id, event_key, event_id, delivery_id, status,
                         message)
        select type, created, account_id, webhook_id, event_key, event_id, delivery_id, status,
               json_object('entity', account_id, 'webhookId', webhook_id, 'event', event_key,
                           'eventId', event_id, 'deliveryId', delivery_id, 'status', status)
        from (
            select 0 as o, seq as s, 'event.created' as type, created, account_id, null as webhook_id,
                   event_key, id as event_id, null as delivery_id, null as status
            from events
            union all
            select 1, event_seq, 'delivery.' || case status when 'retrying' then 'attempted'
                                                           when 'pending' then 'attempted' else status end,
                   created, account_id, webhook_id, event_key, event_id, id, status
            from deliveries
            order by 2, 1
        )
    """)
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    db.close()


def verdict(median: float, worst: float, goal: tuple[float, float] = (MEDIAN_GOAL, WORST_GOAL)) -> str:
    return "ok" if median < goal[0] and worst < goal[1] else "SLOW"


class Server:
    """The app on 127.0.0.1 in a thread (Werkzeug, threaded: websockets need it), without the engine."""

    def __init__(self, path: str):
        from werkzeug.serving import make_server

        from sandbox.server import _QuietHandler

        self.app = create_app({"DATABASE": path})
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
    def start_broadcasters(self) -> None:
        from sandbox.live import Broadcaster
        from sandbox.server import WORKERS_KEY

        for worker in self.app.extensions.get(WORKERS_KEY, []):
            if isinstance(worker, Broadcaster):
                worker.start()


def ready(url: str) -> None:
    """Connect a websocket and read until its ``ready`` message.

    After the handshake the bytes are read raw (a server's frames are unmasked, so the JSON shows as
    is): parsing a thousand frames in Python would time the client, not the server.
    """
    client = websocket.create_connection(url, timeout=60)
    try:
        tail = b""
        while b'"type":"ready"' not in tail:
            chunk = client.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed before ready")
            tail = tail[-32:] + chunk
    finally:
        client.close()


def routes(db, *, hook: str, quiet: str, delivery_id: str, event_id: str) -> list[tuple[str, str]]:
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
    recent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
    old = "2000-01-01T00:00:00Z"
    big, small = bench_outbox.BIG, bench_outbox.SMALL
    # The middle delivery's cursor (half a million on the full database; any size works).
    cursor = db.execute("select seq from deliveries order by seq limit 1 offset "
                        "(select count(*) / 2 from deliveries)").fetchone()[0]
    # A booking code from a recent letter's payload, for the free-text search (found in the bounded scan).
    row = db.execute("select json_extract(cast(body as text), '$.object.bookingCode') from events "
                     "where json_extract(cast(body as text), '$.object.bookingCode') is not null "
                     "order by seq desc limit 1").fetchone()
    code = row[0] if row else "no-such-code"
    paths = [("/api/deliveries", "")]
    for status in ("pending", "retrying", "succeeded", "failed", "cancelled"):
        paths.append(("/api/deliveries", f"?status={status}"))
    paths += [
        ("/api/deliveries", f"?webhookId={hook}"),
        ("/api/deliveries", f"?webhookId={quiet}"),
        ("/api/deliveries", f"?webhookId={hook}&status=cancelled"),
        ("/api/deliveries", f"?webhookId={hook}&status=pending"),
        ("/api/deliveries", f"?webhookId={quiet}&status=failed"),
        ("/api/deliveries", f"?eventId={event_id}"),
        ("/api/deliveries", "?event=booking.cancelled"),
        ("/api/deliveries", "?event=account.managers.update&status=pending"),
        ("/api/deliveries", f"?entity={small}&status=pending&event=booking.create"),
        ("/api/deliveries", f"?entity={big}"),
        ("/api/deliveries", f"?entity={small}"),
        ("/api/deliveries", f"?entity={small}&status=cancelled"),
        ("/api/deliveries", f"?since={future}"),
        ("/api/deliveries", f"?since={recent}"),
        ("/api/deliveries", f"?since={old}"),
        ("/api/deliveries", f"?since={recent}&status=cancelled"),
        ("/api/deliveries", f"?since={future}&webhookId={hook}"),
        ("/api/deliveries", f"?before={cursor}"),
        ("/api/deliveries", f"?before={cursor}&status=pending"),
        ("/api/deliveries", "?limit=200"),
        ("/api/deliveries", f"?q={delivery_id}"),
        ("/api/deliveries", f"?q={event_id}"),
        ("/api/deliveries", f"?q={code}"),
        ("/api/deliveries", "?q=no-such-text"),
        ("/api/deliveries", "?q=booking.cancelled"),
        ("/api/deliveries", f"?q=no-such-text&entity={small}"),
        (f"/api/deliveries/{delivery_id}", ""),
        ("/api/webhooks", ""),
        ("/api/events", ""),
        ("/api/events", "?event=booking.cancelled"),
        ("/api/events", f"?entity={small}"),
        ("/api/managing-entity", ""),
        (f"/api/managing-entity/{big}/webhook/list", ""),
        (f"/api/managing-entity/{big}/webhook/event/list", ""),
        (f"/api/events/{event_id}", ""),
        ("/api/inbox", ""),
        ("/api/event-types", ""),
        ("/api/fixtures", ""),
        ("/api/health", ""),
        (f"/api/webhooks/{hook}/health", ""),
        (f"/api/webhooks/{hook}/hold", ""),
        ("/api/bundles", ""),
        # The UI's pages (each then reads the API routes above).
        ("/", ""),
        (f"/accounts/{big}", ""),
        (f"/accounts/{big}/webhooks/new", ""),
        (f"/accounts/{big}/webhooks/{hook}/edit", ""),
        (f"/webhooks/{hook}/hold", ""),
        ("/send", ""),
        ("/present", ""),
        ("/log", ""),
        (f"/deliveries/{delivery_id}", ""),
        ("/reference", ""),
        ("/inboxes", ""),
        ("/bundles", ""),
    ]
    return paths


def subscriptions(db, *, hook: str, delivery_id: str, event_id: str, replays: bool) -> list[str]:
    newest = db.execute("select max(id) from log").fetchone()[0]
    big, small = bench_outbox.BIG, bench_outbox.SMALL
    queries = ["", "backlog=1000", "backlog=0"]
    for name, value in (("entity", small), ("webhookId", hook), ("event", "booking.cancelled"),
                        ("eventId", event_id), ("deliveryId", delivery_id), ("status", "cancelled"),
                        ("status", "pending"), ("type", "delivery.failed"), ("type", "event.created"),
                        ("status", "disabled"), ("type", "webhook.disabled"), ("entity", big)):
        queries += [f"{name}={value}", f"{name}={value}&backlog=1000"]
    queries += [
        f"webhookId={hook}&status=cancelled&backlog=1000",
        f"since={newest}", f"since={newest - 500}", f"since={newest - 5000}",
        f"since={newest - 5000}&deliveryId={delivery_id}", f"since={newest - 5000}&status=disabled",
        f"since=1&deliveryId={delivery_id}", "since=1&status=disabled", f"since=1000&webhookId={hook}",
        "since=1&type=webhook.disabled",
    ]
    if replays:
        # A resume replays every stored message after its cursor: from a pruned one, the whole log.
        queries += [f"since={newest - 50_000}", "since=1"]
    return queries


def report(path: str, repeat: int, replays: bool = False) -> None:
    from sandbox.store import deliveries

    db = connect(path)
    total = db.execute("select count(*) from deliveries").fetchone()[0]
    logged = db.execute("select count(*) from log").fetchone()[0]
    attempts = db.execute("select count(*) from attempts").fetchone()[0]
    hook = db.execute("select id from webhooks where account_id = ? order by rowid",
                      [bench_outbox.BIG]).fetchone()[0]
    quiet = db.execute("select id from webhooks where name = 'Quiet hook'").fetchone()[0]
    delivery_id, event_id = db.execute("select id, event_id from deliveries where seq = "
                                       "(select max(seq) / 2 from deliveries)").fetchone()
    print(f"{total:,} deliveries, {attempts:,} attempts, {logged:,} log rows. Median / slowest of {repeat} "
          f"calls, in ms; goal {MEDIAN_GOAL:.0f} / {WORST_GOAL:.0f}.")

    begun = time.perf_counter()
    server = Server(path)
    started = (time.perf_counter() - begun) * 1000
    released = timed(lambda: deliveries.release_claims(db), 3)
    print(f"\nStart-up: create_app {started:.0f} ms, release of claims {released[0]:.1f} / {released[1]:.1f} "
          f"ms ({'ok' if started + released[1] < START_GOAL else 'SLOW'}; goal {START_GOAL:.0f} ms)")
    server.start_broadcasters()
    session = requests.Session()
    session.trust_env = False
    slow = 0
    try:
        print(f"\n{'GET':<100} {'median / worst':>16}")
        for route, query in routes(db, hook=hook, quiet=quiet, delivery_id=delivery_id, event_id=event_id):
            url = server.url + route + query
            answer = session.get(url, timeout=60)
            answer.raise_for_status()
            median, worst = timed(lambda url=url: session.get(url, timeout=60).content, repeat)
            slow += verdict(median, worst) != "ok"
            label = (route + query).replace(bench_outbox.BIG, "<big>").replace(bench_outbox.SMALL, "<small>")
            label = label.replace(hook, "<hook>").replace(quiet, "<quiet>").replace(delivery_id, "<delivery>")
            label = label.replace(event_id, "<event>")
            print(f"  {label[:98]:<98} {median:7.1f} / {worst:7.1f} {verdict(median, worst)}")
        print(f"\n{'websocket /ws/deliveries?..., handshake to ready':<100} {'median / worst':>16}")
        base = server.url.replace("http://", "ws://") + "/ws/deliveries?"
        for query in subscriptions(db, hook=hook, delivery_id=delivery_id, event_id=event_id,
                                   replays=replays):
            median, worst = timed(lambda query=query: ready(base + query), repeat)
            slow += verdict(median, worst) != "ok"
            label = query.replace(bench_outbox.BIG, "<big>").replace(bench_outbox.SMALL, "<small>")
            label = label.replace(hook, "<hook>").replace(delivery_id, "<delivery>")
            label = label.replace(event_id, "<event>")
            print(f"  {label or '(backlog 50)':<98} {median:7.1f} / {worst:7.1f} {verdict(median, worst)}")
    finally:
        server.close()
        db.close()
    print(f"\n{slow} figure(s) over the goal.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000, help="deliveries to store")
    parser.add_argument("--repeat", type=int, default=10, help="calls per figure")
    parser.add_argument("--replays", action="store_true",
                        help="also time unfiltered resumes that replay 50,000 messages and the whole log")
    parser.add_argument("--db", help="database file to build (or reuse when it exists); default: a "
                                     "temporary file, deleted afterwards")
    args = parser.parse_args()
    folder = None
    path = args.db
    if path is None:
        folder = tempfile.TemporaryDirectory(prefix="bench-queries-")
        path = os.path.join(folder.name, "queries.db")
    try:
        if not os.path.exists(path):
            begun = time.perf_counter()
            build(path, args.deliveries)
            print(f"Built {path} in {time.perf_counter() - begun:.1f} s "
                  f"({os.path.getsize(path) / 2**20:.0f} MiB)")
        report(path, args.repeat, args.replays)
    finally:
        if folder is not None:
            folder.cleanup()


if __name__ == "__main__":
    main()
