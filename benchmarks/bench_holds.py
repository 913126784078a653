"""Hold and release on a big queue: how long each operation takes, and whether the release comes in order.

    python benchmarks/bench_holds.py                  # 10,000 held deliveries
    python benchmarks/bench_holds.py --events 2000

In one run it:

1. starts a fast receiver (bare asyncio HTTP/1.1, its own process) on 127.0.0.1 that records the
   Wink-Delivery-Id of each request in arrival order;
2. serves the sandbox in this process on a temporary database, puts one webhook on hold and fires
   ``--events`` events at it (in calls of 1,000): every delivery is held;
3. times the hold routes over HTTP: the queue (its first 200, and all of it), moving the last delivery
   to the front (the queue is renumbered), moving one up, dropping one;
4. releases the whole queue in one call, times the answer, and the time until the receiver got every
   released delivery (deliveries per second), then checks that they arrived in the released order.

It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import serve_fast_receiver, timed  # benchmarks/, this script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_receiver() -> None:
    """Answer every POST 200 at once, recording Wink-Delivery-Ids in arrival order (GET /order)."""
    order: list[str] = []

    async def answer(method: str, path: str, headers: dict[str, str], now: float) -> bytes:
        if method == "GET" and path == "/order":
            return json.dumps(order).encode()
        order.append(headers.get("wink-delivery-id", ""))
        return b"ok"

    serve_fast_receiver(answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000, help="held deliveries (default 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per operation (default 5)")
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        serve_receiver()
        return

    import requests

    from sandbox import create_app
    from sandbox.server import Runner, quiet_werkzeug, tune_gc

    quiet_werkzeug()
    child = subprocess.Popen([sys.executable, __file__, "--receiver"], stdout=subprocess.PIPE, text=True)
    try:
        target = f"http://127.0.0.1:{int(child.stdout.readline())}"
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"DATABASE": str(Path(folder) / "bench.db")})
            with Runner(app, "127.0.0.1", 0) as runner:
                tune_gc(app.config["GC_YOUNG_THRESHOLD"])  # as `serve` does once started
                run(runner.url, target, args, requests.Session())
    finally:
        child.kill()
        child.wait(5)


def run(url: str, target: str, args, http) -> None:
    http.trust_env = False
    account = http.post(url + "/api/managing-entity", json={"name": "Bench", "type": "HOTEL"}).json()
    hook = http.post(f"{url}/api/managing-entity/{account['id']}/webhook", json={
        "name": "Held", "eventUrl": target + "/hook", "eventList": []}).json()["webhook"]
    base = f"{url}/api/webhooks/{hook['id']}"
    http.post(base + "/hold").raise_for_status()
    began = time.perf_counter()
    for start in range(0, args.events, 1000):
        count = min(1000, args.events - start)
        http.post(url + "/api/events", json={"event": "booking.create", "entity": account["id"],
                                             "count": count}).raise_for_status()
    fired = time.perf_counter() - began
    state = http.get(base + "/hold", params={"limit": 10_000}).json()
    print(f"fired {args.events} events while held in {fired:.1f} s; queued {state['count']}, "
          f"sent {len(http.get(target + '/order').json())}")

    ids = [item["id"] for item in state["queue"]]
    median, worst = timed(lambda: http.get(base + "/hold").raise_for_status(), args.repeat)
    print(f"GET hold (first 200)            median {median:7.1f} ms  slowest {worst:7.1f} ms")
    median, worst = timed(lambda: http.get(base + "/hold", params={"limit": 10_000}).raise_for_status(),
                          args.repeat)
    print(f"GET hold (limit 10,000)         median {median:7.1f} ms  slowest {worst:7.1f} ms")
    last = iter(reversed(ids))
    median, worst = timed(lambda: http.post(base + "/hold/move", json={
        "deliveryId": next(last), "position": 1}).raise_for_status(), args.repeat)
    print(f"move the last to position 1     median {median:7.1f} ms  slowest {worst:7.1f} ms")
    middle = ids[len(ids) // 2]
    median, worst = timed(lambda: http.post(base + "/hold/move", json={
        "deliveryId": middle, "direction": "up"}).raise_for_status(), args.repeat)
    print(f"move one up                     median {median:7.1f} ms  slowest {worst:7.1f} ms")
    drops = iter(ids[1:])
    median, worst = timed(lambda: http.post(base + "/hold/drop", json={
        "deliveryId": next(drops)}).raise_for_status(), args.repeat)
    print(f"drop one                        median {median:7.1f} ms  slowest {worst:7.1f} ms")

    expected = [item["id"] for item in http.get(base + "/hold", params={"limit": 10_000}).json()["queue"]]
    began = time.perf_counter()
    released = http.post(base + "/hold/release", json={"all": True}).json()["released"]
    answered = time.perf_counter() - began
    while len(http.get(target + "/order").json()) < len(expected):
        time.sleep(0.2)
    done = time.perf_counter() - began
    order = http.get(target + "/order").json()
    print(f"release all {len(released)}: answer in {answered * 1000:.0f} ms; every one received after "
          f"{done:.1f} s ({len(released) / done:.0f} deliveries/s, one at a time)")
    print(f"arrived in the released order: {order == expected}")


if __name__ == "__main__":
    main()
