"""Delivery speed: the sandbox against a bare requests.Session loop, to the same fast receiver.

    python benchmarks/bench_delivery.py                 # 3000 events, 200 for latency
    python benchmarks/bench_delivery.py --events 5000 --key payee.update

In one run on this machine it:

1. starts a fast receiver (bare asyncio HTTP/1.1 with keep-alive, in its own process, so it does not
   compete for this process's GIL) on 127.0.0.1, recording when each Wink-Event-Id arrives;
2. measures a plain ``requests.Session`` loop (``trust_env`` off, keep-alive) posting the same kind of
   bodies to it: the limit for this HTTP client;
3. serves the sandbox in this process (temporary database, every attempt and log row written, one live
   viewer subscribed to the hub), fires N events in one call at one webhook on that receiver, and measures
   delivered events per second from the first arrival to the last;
4. fires the same burst again while the webhook is on hold and then releases it, so the window holds
   sending, recording and broadcasting only (since firing stores in chunks, the burst of step 3 also
   overlaps making the later events: its ratio is "fire and deliver", this one "deliver only");
5. alternates raw loops and sandbox bursts for ``--rounds`` rounds (figures drift with the machine's
   load; the ratios compare the medians);
6. fires single events at low load and reports the latency from the 202 answer to the receiver.

It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import percentile, serve_fast_receiver  # benchmarks/, this script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# ---- the receiver (runs in a child process) -----------------------------------------------------

def serve_receiver() -> None:
    """Answer every POST with 200 at once, recording when each Wink-Event-Id first arrived.

    GET /stats gives {count, arrivals{Wink-Event-Id: monotonic seconds}}; GET /wait/N answers once N
    requests arrived (so the benchmark waits without polling); GET /reset forgets everything.
    """
    arrivals: dict[str, float] = {}
    counter = {"n": 0}
    waiters: list[tuple[int, asyncio.Future]] = []

    async def answer(method: str, path: str, headers: dict[str, str], now: float) -> bytes:
        if method == "GET" and path == "/stats":
            return json.dumps({"count": counter["n"], "arrivals": arrivals}).encode()
        if method == "GET" and path.startswith("/wait/"):
            wanted = int(path.rsplit("/", 1)[1])
            if counter["n"] < wanted:
                future = asyncio.get_running_loop().create_future()
                waiters.append((wanted, future))
                try:
                    await asyncio.wait_for(future, 120)
                except TimeoutError:
                    pass
            return str(counter["n"]).encode()
        if method == "GET" and path == "/reset":
            arrivals.clear()
            counter["n"] = 0
            return b"ok"
        counter["n"] += 1
        webhook_id = headers.get("wink-event-id")
        if webhook_id:
            arrivals.setdefault(webhook_id, now)
        for wanted, future in list(waiters):
            if counter["n"] >= wanted and not future.done():
                future.set_result(None)
                waiters.remove((wanted, future))
        return b"ok"

    serve_fast_receiver(answer)


# ---- the measurements -----------------------------------------------------------------------------

def raw_loop(url: str, bodies: list[bytes]) -> tuple[float, float]:
    """Post every body with one keep-alive Session; return (posts per second, CPU ms per post)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    headers = {"Content-Type": "application/json"}
    session.post(url, data=bodies[0], headers=headers).close()
    cpu = time.process_time()
    started = time.perf_counter()
    for body in bodies:
        response = session.post(url, data=body, headers=headers)
        response.content  # noqa: B018  (read the answer, as the sandbox does)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    session.close()
    return len(bodies) / elapsed, 1000 * cpu / len(bodies)


def wait_for_count(session, base: str, count: int) -> float:
    """Block until the receiver has ``count`` requests; return the monotonic time that was seen."""
    got = int(session.get(f"{base}/wait/{count}", timeout=130).text)
    if got < count:
        raise SystemExit(f"the receiver got {got} of {count} requests within 120 s")
    return time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=3000, help="events in the burst (default 3000)")
    parser.add_argument("--latency-events", type=int, default=200, help="single events fired for latency")
    parser.add_argument("--key", default="booking.create", help="event key to fire (default booking.create)")
    parser.add_argument("--rounds", type=int, default=3, help="raw/sandbox rounds; medians are compared")
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        serve_receiver()
        return

    import requests

    from sandbox import create_app
    from sandbox.envelope import make_event, to_json
    from sandbox.hub import get_hub
    from sandbox.server import Runner, quiet_werkzeug, tune_gc

    child = subprocess.Popen([sys.executable, __file__, "--receiver"], stdout=subprocess.PIPE, text=True)
    port = int(child.stdout.readline())
    base = f"http://127.0.0.1:{port}"
    hook_url = base + "/hook"
    probe = requests.Session()
    probe.trust_env = False
    quiet_werkzeug()
    tmp = tempfile.TemporaryDirectory()
    db_path = os.path.join(tmp.name, "bench.db")
    try:
        account = {"id": "bench-account", "name": "Bench Account"}
        bodies = [to_json(make_event(args.key, account, seed=i)) for i in range(args.events)]
        print(f"{args.events} x {args.key}, mean body {statistics.mean(map(len, bodies)):.0f} bytes, "
              f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}, python {sys.version.split()[0]}")

        raws: list[tuple[float, float]] = []
        bursts: list[tuple[float, float]] = []
        sends: list[float] = []

        def measure_raw() -> None:
            rate, cpu_ms = raw_loop(hook_url, bodies)
            raws.append((rate, cpu_ms))
            print(f"raw requests.Session loop      {rate:8.0f} posts/s       ({cpu_ms:.2f} ms CPU each)")

        measure_raw()
        app = create_app({"DATABASE": db_path})
        viewer = get_hub(app).subscribe()
        seen = {"n": 0}
        stop_viewer = threading.Event()

        def read_viewer():
            while not stop_viewer.is_set():
                seen["n"] += len(viewer.get(0.1)[0])

        threading.Thread(target=read_viewer, daemon=True).start()
        with Runner(app, "127.0.0.1", 0) as runner:
            tune_gc(app.config["GC_YOUNG_THRESHOLD"])  # as `serve` does once started
            api = requests.Session()
            api.trust_env = False
            created = api.post(runner.url + "/api/managing-entity", json={"name": "Bench Account"}).json()
            hook = api.post(f"{runner.url}/api/managing-entity/{created['id']}/webhook",
                            json={"name": "Bench", "eventUrl": hook_url, "eventList": []})
            hook.raise_for_status()
            hook_id = hook.json()["webhook"]["id"]
            # Warm up: the first event builds the generator and opens the connection.
            api.post(runner.url + "/api/events", json={"event": args.key, "entity": created["id"]})
            wait_for_count(probe, base, 1)

            for round_ in range(args.rounds):
                probe.get(base + "/reset")
                answer = api.post(runner.url + "/api/events", json={
                    "event": args.key, "entity": created["id"], "count": args.events,
                    "seed": round_ * args.events})
                answered = time.monotonic()
                cpu = time.process_time()
                assert answer.status_code == 202, answer.text
                done = wait_for_count(probe, base, args.events)
                cpu = time.process_time() - cpu
                arrived = probe.get(base + "/stats").json()["arrivals"].values()
                first, last = min(arrived), max(arrived)
                # The engine starts sending as soon as the events are committed, while the (large) 202
                # answer is still being written: the rate is taken from the first arrival to the last.
                rate = (args.events - 1) / (last - first)
                bursts.append((rate, 1000 * cpu / args.events))
                print(f"sandbox burst                  {rate:8.0f} deliveries/s  "
                      f"(~{1000 * cpu / args.events:.2f} ms CPU each; first arrival "
                      f"{1000 * (first - answered):+.0f} ms from the 202, "
                      f"all in {done - answered:.2f} s after it)")
                measure_raw()
                # The same burst fired while the webhook is on hold, then released: the window holds
                # sending, recording and broadcasting only, not making the events (firing stores in
                # chunks since issue 13, so the burst above overlaps the making of later chunks).
                probe.get(base + "/reset")
                api.post(f"{runner.url}/api/webhooks/{hook_id}/hold").raise_for_status()
                api.post(runner.url + "/api/events", json={
                    "event": args.key, "entity": created["id"], "count": args.events,
                    "seed": (args.rounds + round_) * args.events}).raise_for_status()
                released_at = time.monotonic()
                api.post(f"{runner.url}/api/webhooks/{hook_id}/resume").raise_for_status()
                wait_for_count(probe, base, args.events)
                arrived = probe.get(base + "/stats").json()["arrivals"].values()
                rate = (args.events - 1) / (max(arrived) - min(arrived))
                sends.append(rate)
                print(f"sandbox sending (held, released) {rate:6.0f} deliveries/s  "
                      f"(first arrival {1000 * (min(arrived) - released_at):+.0f} ms after the release call)")
                measure_raw()

            # Low load: one event at a time, 10 ms apart.
            probe.get(base + "/reset")
            fired: dict[str, tuple[float, float]] = {}
            for _ in range(args.latency_events):
                sent = time.monotonic()
                response = api.post(runner.url + "/api/events",
                                    json={"event": args.key, "entity": created["id"]})
                fired[response.json()["events"][0]["id"]] = (sent, time.monotonic())
                time.sleep(0.01)
            wait_for_count(probe, base, args.latency_events)
            arrivals = probe.get(base + "/stats").json()["arrivals"]
            from_202 = [1000 * (arrivals[i] - got) for i, (_sent, got) in fired.items()]
            from_post = [1000 * (arrivals[i] - sent) for i, (sent, _got) in fired.items()]
            time.sleep(0.3)  # let the recorder and the viewer catch up before counting rows
        stop_viewer.set()

        db = sqlite3.connect(db_path)
        attempts = db.execute("select count(*) from attempts").fetchone()[0]
        log_rows = db.execute("select count(*) from log").fetchone()[0]
        db.close()

        raw = statistics.median(rate for rate, _cpu in raws)
        burst = statistics.median(rate for rate, _cpu in bursts)
        print(f"median raw {raw:.0f} posts/s, median sandbox {burst:.0f} deliveries/s")
        send = statistics.median(sends)
        print(f"median sandbox sending (fired while held, then released) {send:.0f} deliveries/s")
        print(f"ratio sandbox/raw              {burst / raw:8.2f}  (fire and deliver: making the events too)")
        print(f"ratio sending/raw              {send / raw:8.2f}  (deliver only: what the ratio measured "
              "before firing was chunked)")
        print(f"latency 202 -> receiver        p50 {percentile(from_202, 50):.2f} ms, "
              f"p99 {percentile(from_202, 99):.2f} ms  ({args.latency_events} single events, 10 ms apart; "
              "negative: the delivery arrived before the client had read the 202)")
        print(f"latency POST sent -> receiver  p50 {percentile(from_post, 50):.2f} ms, "
              f"p99 {percentile(from_post, 99):.2f} ms")
        print(f"recorded: {attempts} attempts, {log_rows} log rows, "
              f"{seen['n']} messages read by a live viewer")
    finally:
        child.terminate()
        child.wait(5)
        tmp.cleanup()


if __name__ == "__main__":
    main()
