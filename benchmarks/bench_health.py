"""A webhook's health on a 1,000,000-delivery database (issues 14 and 15): how long the figures take.

    python benchmarks/bench_health.py                          # builds a 1,000,000-delivery database
    python benchmarks/bench_health.py --db /tmp/queries.db     # keep (and reuse) the database
    python benchmarks/bench_health.py --deliveries 200000 --hot 100000 --repeat 10

The database is ``bench_queries.build``'s (nine webhooks over 30 days, one attempt per attempted
delivery). Then the newest ``--hot`` attempts of one webhook are moved into the last hour with latencies
from 1 ms to 15 s, so that webhook has a busy hour; another webhook keeps its ordinary trickle, and the
quiet one has none. For each it times ``GET /api/webhooks/{id}/health`` through a real server on
127.0.0.1 (median and slowest of ``--repeat``), and ``--window 86400`` for the busy one. Nothing is
asserted: tests/test_query_plans.py checks the plan (one range of attempts_by_webhook, no sort).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_queries  # noqa: E402
from _common import timed  # noqa: E402

from sandbox.db import connect  # noqa: E402


def heat(path: str, hot: int) -> tuple[str, str, str]:
    """Move one webhook's newest ``hot`` attempts into the last hour; return (busy, ordinary, quiet) ids."""
    db = connect(path)
    conn = db.conn
    hooks = [row[0] for row in conn.execute(
        "select webhook_id from deliveries group by webhook_id order by count(*) desc")]
    quiet = conn.execute("select id from webhooks where name = 'Quiet hook'").fetchone()[0]
    busy, ordinary = hooks[0], hooks[1]
    conn.execute("BEGIN")
    conn.execute("""
        update attempts set
            started = strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
                               '-' || ((abs(random()) % 3500000) / 1000.0) || ' seconds'),
            duration_ms = 1 + (abs(random()) % 15000000) / 1000.0,
            response_status = case when abs(random()) % 20 = 0 then 500 else 200 end
        where id in (select id from attempts where webhook_id = ? order by id desc limit ?)
    """, [busy, hot])
    conn.execute("COMMIT")
    conn.execute("analyze")
    db.close()
    return busy, ordinary, quiet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database file to build (or reuse when it exists)")
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--hot", type=int, default=100_000, help="attempts moved into the busy hour")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    path = args.db or os.path.join(tempfile.mkdtemp(), "health.db")
    if not os.path.exists(path):
        print(f"building {args.deliveries:,} deliveries in {path} ...", flush=True)
        bench_queries.build(path, args.deliveries)
    busy, ordinary, quiet = heat(path, args.hot)
    server = bench_queries.Server(path)
    session = requests.Session()
    try:
        cases = [
            (f"busy webhook, last hour ({args.hot:,} attempts)", busy, 3600),
            ("busy webhook, last day", busy, 86400),
            ("ordinary webhook, last hour", ordinary, 3600),
            ("ordinary webhook, last day", ordinary, 86400),
            ("quiet webhook (none), last hour", quiet, 3600),
        ]
        for label, hook, window in cases:
            url = f"{server.url}/api/webhooks/{hook}/health?window={window}"
            answer = session.get(url, timeout=60).json()
            median, slowest = timed(lambda u=url: session.get(u, timeout=60).raise_for_status(), args.repeat)
            print(f"{label:<46} attempts {answer['attempts']['total']:>7,}  "
                  f"median {median:8.1f} ms  slowest {slowest:8.1f} ms  "
                  f"(p95 {answer['latencyMs']['p95']} ms, over Wink's 10 s: "
                  f"{answer['winkDeadline']['overDeadline']})")
    finally:
        server.close()


if __name__ == "__main__":
    main()
