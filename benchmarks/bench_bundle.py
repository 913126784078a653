"""Session bundles at size: export and import a bundle of 100,000 deliveries, with times and memory.

    python benchmarks/bench_bundle.py                      # 100,000 letters, deliveries and attempts
    python benchmarks/bench_bundle.py --deliveries 20000   # smaller
    python benchmarks/bench_bundle.py --keep /tmp/bundles  # keep the databases and the file there

It builds a source database with bulk inserts (no HTTP, no engine): one account, one webhook, and per
letter one real Wink envelope (a booking.create made by the generator, ~1.3 KB, each with its own id),
one delivery and one attempt with the request headers the engine records and a small response. Then
it exports everything to a bundle file (``sandbox.bundles.export``, as ``GET /api/bundles/export``
does) and imports that file into a second, empty database (``sandbox.bundles.import_bundle``, as
``POST /api/bundles`` does), and prints each step's time, the file's size, and the process's resident
memory (RSS, from /proc) sampled every 50 ms: before, the highest during each step, and where it stood
at each quarter of the step's time, so a step whose memory grew with the bundle shows it. Nothing
is asserted; the issue's bar is under 30 s each with memory flat.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import bundles, schema  # noqa: E402, F401  (schema registers the migrations)
from sandbox.db import connect, migrate  # noqa: E402
from sandbox.envelope import make_event, to_json  # noqa: E402

ACCOUNT = {"id": "6f1c2a52-2b1e-4d43-9a43-0c4c3b8d9a10", "name": "Bench Hotel", "type": "HOTEL"}
HOOK = "0b7e8a54-61d2-4c4f-b2f8-3d0a6e1c9f27"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """RSS every 50 ms in a thread: the highest seen, and where it stood at each quarter of the time."""

    def __init__(self):
        self.peak = rss_mb()
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        begun = time.perf_counter()
        while not self._stop.wait(0.05):
            now = rss_mb()
            self.peak = max(self.peak, now)
            self.samples.append((time.perf_counter() - begun, now))

    @property
    def marks(self) -> list[float]:
        """RSS at 25, 50, 75 and 100 % of the step's time (MB)."""
        if not self.samples:
            return []
        end = self.samples[-1][0]
        return [round(next(r for t, r in self.samples if t >= end * q / 4), 1) for q in (1, 2, 3, 4)]

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())



def build(path: str, count: int) -> None:
    """A source database holding ``count`` letters, each with one delivery and one attempt."""
    migrate(path)
    db = connect(path)
    template = make_event("booking.create", ACCOUNT, seed=1)
    body = to_json(template)
    old_id = template["id"].encode()
    headers = json.dumps({"Content-Type": "application/json", "User-Agent": "WebhookSandbox/0.1.0",
                          "Accept": "*/*", "Accept-Encoding": "gzip, deflate", "Connection": "keep-alive",
                          "Wink-Signature": "t=1796212848,v1=" + "ab" * 32, "Wink-Event-Id": "x",
                          "Wink-Delivery-Id": "y", "Wink-Event-Type": "booking.create",
                          "Wink-Delivery-Attempt": "1", "Wink-Version": "2.0"})
    with db.atomic():
        db.conn.execute("insert into accounts values (?, ?, ?, '2026-12-01T00:00:00')",
                        [ACCOUNT["id"], ACCOUNT["name"], ACCOUNT["type"]])
        db.conn.execute("insert into webhooks (id, account_id, name, enabled, event_url, event_list, "
                        "version, created_date, last_update, user_identifier, secret) "
                        "values (?, ?, 'Bench', 1, 'http://127.0.0.1:9/bench', '[]', 1, "
                        "'2026-12-01T00:00:00', '2026-12-01T00:00:00', 'u', ?)",
                        [HOOK, ACCOUNT["id"], "whsec_" + "A" * 43 + "="])
        step = 10_000
        for start in range(0, count, step):
            ids = [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(start, min(start + step, count))]
            stamp = [f"2026-12-01T{(n // 3600) % 24:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z"
                     for n in range(start, start + len(ids))]
            db.conn.executemany(
                "insert into events (id, event_key, account_id, account_name, created, delivery_count, body, "
                "recipient_role, occurrence_id) values (?, 'booking.create', ?, ?, ?, 1, ?, 'SUPPLIER', ?)",
                [(i, ACCOUNT["id"], ACCOUNT["name"], s, body.replace(old_id, i.encode()), i)
                 for i, s in zip(ids, stamp, strict=True)])
            db.conn.executemany(
                "insert into deliveries (id, event_seq, event_id, event_key, account_id, webhook_id, "
                "webhook_name, event_url, status, attempts, last_status_code, created, updated) "
                "values (?, 0, ?, 'booking.create', ?, ?, 'Bench', 'http://127.0.0.1:9/bench', 'succeeded', "
                "1, 200, ?, ?)",
                [("d" + i[1:], i, ACCOUNT["id"], HOOK, s, s) for i, s in zip(ids, stamp, strict=True)])
            db.conn.executemany(
                "insert into attempts (delivery_id, attempt, trigger, started, request_url, request_headers, "
                "response_status, response_headers, response_body, duration_ms, status) values (?, 1, "
                "'initial', ?, 'http://127.0.0.1:9/bench', ?, 200, '{\"Content-Length\": \"2\"}', x'6f6b', "
                "3.2, 'succeeded')", [("d" + i[1:], s, headers) for i, s in zip(ids, stamp, strict=True)])
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=100_000, help="letters, deliveries and attempts")
    parser.add_argument("--keep", metavar="DIR", help="keep the databases and the bundle in DIR")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-bundle-"))
    folder.mkdir(parents=True, exist_ok=True)
    source, target, file = folder / "source.db", folder / "target.db", folder / f"bench{bundles.SUFFIX}"
    for path in (source, target, file):
        path.unlink(missing_ok=True)
    begun = time.perf_counter()
    build(str(source), args.deliveries)
    took = time.perf_counter() - begun
    print(f"built {args.deliveries:,} letters, deliveries and attempts in {took:.1f} s; "
          f"RSS {rss_mb():.0f} MB")

    db = connect(str(source))
    before = rss_mb()
    with Sampler() as sampler, file.open("wb") as out:
        begun = time.perf_counter()
        counts = bundles.export(db, out)
        took = time.perf_counter() - begun
    db.close()
    size = file.stat().st_size
    print(f"export: {took:.1f} s, {size / 1e6:.1f} MB file ({counts}); RSS before {before:.0f} MB, "
          f"peak {sampler.peak:.0f} MB, at each quarter {sampler.marks} MB")

    migrate(str(target))
    db = connect(str(target))
    before = rss_mb()
    with Sampler() as sampler, file.open("rb") as raw:
        begun = time.perf_counter()
        imported = bundles.import_bundle(db, raw)
        took = time.perf_counter() - begun
    db.close()
    print(f"import: {took:.1f} s ({imported['counts']}); RSS before {before:.0f} MB, "
          f"peak {sampler.peak:.0f} MB, "
          f"at each quarter {sampler.marks} MB")
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
