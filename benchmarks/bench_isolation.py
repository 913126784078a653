"""Isolation: a healthy webhook's throughput and latency alone, then beside receivers that hang or trickle.

    python benchmarks/bench_isolation.py                      # 100 hanging + 100 trickling, both designs
    python benchmarks/bench_isolation.py --hanging 20 --trickling 0 --modes 64

For each design (``--modes``: SLOW_THREADS values; 0 is the single shared pool of WORKER_THREADS
senders the engine had before the slow pool) it serves the sandbox in this process on a temporary
database and, against one receiver process on 127.0.0.1 (bare asyncio, so it does not compete for
this process's GIL):

1. *alone*: fires ``--events`` events in one call at a healthy webhook (rate from the first arrival to
   the last; ``--rounds`` such bursts, the median round kept) and ``--latency-events`` single events
   10 ms apart (latency from the 202 to the receiver);
2. *loaded*: fires one event at each of ``--hanging`` webhooks whose receivers read the request and never
   answer and ``--trickling`` whose receivers answer a byte a second (for at most ``--trickle-seconds``),
   waits ``--settle`` seconds so they hold their senders, then measures the healthy webhook the same way,
   each wait bounded by ``--deadline`` seconds (a design that starves the healthy webhook shows how many
   of its deliveries arrived by then); then again once the first hanging attempts have timed out and
   their retries are due (*retrying*);
3. measures it alone once more after the slow receivers are released (they answer everything from
   then on), so that *alone* is the median of the rounds before and after the load (A-B-A: a run's
   drift, such as its database growing by some 50,000 deliveries, weighs on both sides);
4. prints the ratio loaded/alone of throughput (the worse of the two loaded runs), both for bursts
   fired as they are sent (which include making the events, most of this process's work) and for the
   same bursts fired while the healthy webhook is on hold and then released (sending alone), the p50
   latencies, this process's CPU time per delivery (server and client: more of it when loaded is work
   the slow receivers add; the same CPU at a lower rate is time lost waiting), its threads and RSS,
   and the attempts that timed out (a hanging or trickling
   attempt ends at REQUEST_TIMEOUT).

It prints figures; nothing is asserted. The goals (issue 13): ratio >= 0.90, loaded p50 < 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

from _common import percentile  # benchmarks/, this script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# ---- the receiver (runs in a child process) -----------------------------------------------------

def serve_receiver(trickle_seconds: int) -> None:
    """POST /fast answers 200 at once, recording when each Wink-Event-Id arrived; POST /hang/N never
    answers; POST /trickle/N sends its answer's head a byte a second, then ends it. GET /stats, GET
    /wait/N/S (answers once N fast requests arrived, or after S seconds), GET /reset."""
    arrivals: dict[str, float] = {}
    counter = {"fast": 0, "hang": 0, "trickle": 0}
    waiters: list[tuple[int, asyncio.Future]] = []
    released = asyncio.Event()  # GET /release: the slow receivers answer at once from then on

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                now = time.monotonic()
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                if path.startswith("/hang") and not released.is_set():
                    counter["hang"] += 1
                    closed = asyncio.ensure_future(reader.read())  # until the sender gives up
                    freed = asyncio.ensure_future(released.wait())
                    await asyncio.wait({closed, freed}, return_when=asyncio.FIRST_COMPLETED)
                    if closed.done():
                        freed.cancel()
                        return
                    closed.cancel()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                    await writer.drain()
                    return
                if path.startswith("/trickle") and not released.is_set():
                    counter["trickle"] += 1
                    writer.write(b"HTTP/1.1 200 OK\r\nX-Trickle: ")
                    for _ in range(trickle_seconds):
                        if released.is_set():
                            break
                        await asyncio.sleep(1)
                        writer.write(b"a")
                        await writer.drain()
                    writer.write(b"\r\nContent-Length: 2\r\n\r\nok")
                    await writer.drain()
                    continue
                if path.startswith(("/hang", "/trickle")):   # released: answered at once
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    await writer.drain()
                    continue
                body = b"ok"
                if method == "GET" and path == "/stats":
                    body = json.dumps({**counter, "arrivals": arrivals}).encode()
                elif method == "GET" and path.startswith("/wait/"):
                    wanted, seconds = map(float, path.split("/")[2:4])
                    if counter["fast"] < wanted:
                        future = asyncio.get_running_loop().create_future()
                        waiters.append((int(wanted), future))
                        try:
                            await asyncio.wait_for(future, seconds)
                        except TimeoutError:
                            pass
                    body = str(counter["fast"]).encode()
                elif method == "GET" and path == "/release":
                    released.set()
                elif method == "GET" and path == "/unrelease":
                    released.clear()
                elif method == "GET" and path == "/reset":
                    arrivals.clear()
                    counter["fast"] = 0
                else:
                    counter["fast"] += 1
                    arrivals.setdefault(headers.get("wink-event-id", ""), now)
                    for wanted, future in list(waiters):
                        if counter["fast"] >= wanted and not future.done():
                            future.set_result(None)
                            waiters.remove((wanted, future))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# ---- the measurements -----------------------------------------------------------------------------

def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(api, probe, runner_url: str, base: str, entity: str, hook: str, args, seed: int) -> dict:
    """``args.rounds`` bursts, each fired as it is sent and then fired on hold and released, then
    single events, at the healthy webhook; each burst figure is the median round's rate (one burst is a
    few seconds: a single one varies by a fifth on a quiet machine)."""
    rounds, sends = [], []
    for n in range(args.rounds):
        rounds.append(burst(api, probe, runner_url, base, entity, args, seed + 2 * n * args.events))
        sends.append(burst(api, probe, runner_url, base, entity, args, seed + (2 * n + 1) * args.events,
                           hold=hook))
    rounds.sort(key=lambda r: (r["delivered"], r["rate"]))
    sends.sort(key=lambda r: (r["delivered"], r["rate"]))
    middle = rounds[len(rounds) // 2]
    cpu = median(r["cpu_ms"] for r in rounds)
    send_cpu = median(r["cpu_ms"] for r in sends)
    return {**middle, **singles(api, probe, runner_url, base, entity, args),
            "rates": [r["rate"] for r in rounds], "delivered": min(r["delivered"] for r in rounds),
            "send_rate": sends[len(sends) // 2]["rate"], "send_rates": [r["rate"] for r in sends],
            "send_delivered": min(r["delivered"] for r in sends), "cpu_ms": cpu, "send_cpu_ms": send_cpu}


def burst(api, probe, runner_url: str, base: str, entity: str, args, seed: int,
          hold: str | None = None) -> dict:
    """One burst of ``args.events`` events in one call; its rate from the first arrival to the last.

    With ``hold`` (the webhook's id) the events are fired while it is on hold and then released, so
    the rate is sending's alone: a burst fired as it is sent overlaps making the later events (firing
    stores in chunks), and making them is most of this process's work.
    """
    probe.get(base + "/reset")
    cpu = time.process_time()
    if hold:
        api.post(f"{runner_url}/api/webhooks/{hold}/hold").raise_for_status()
    answer = api.post(runner_url + "/api/events", json={
        "event": args.key, "entity": entity, "count": args.events, "seed": seed})
    assert answer.status_code == 202, answer.text
    if hold:
        api.post(f"{runner_url}/api/webhooks/{hold}/resume").raise_for_status()
    answered = time.monotonic()
    got = int(probe.get(f"{base}/wait/{args.events}/{args.deadline}", timeout=args.deadline + 10).text)
    arrived = sorted(probe.get(base + "/stats").json()["arrivals"].values())
    rate = (len(arrived) - 1) / (arrived[-1] - arrived[0]) if len(arrived) > 1 else 0.0
    cpu_ms = 1000 * (time.process_time() - cpu) / max(1, got)  # this process's CPU (server and client)
    return {"delivered": got, "rate": rate, "all_in": time.monotonic() - answered, "cpu_ms": cpu_ms}


def singles(api, probe, runner_url: str, base: str, entity: str, args) -> dict:
    """``args.latency_events`` single events 10 ms apart; latency from each 202 to its arrival."""
    probe.get(base + "/reset")
    fired: dict[str, float] = {}
    stop_at = time.monotonic() + args.deadline
    for _ in range(args.latency_events):
        if time.monotonic() > stop_at:
            break
        response = api.post(runner_url + "/api/events", json={"event": args.key, "entity": entity})
        fired[response.json()["events"][0]["id"]] = time.monotonic()
        time.sleep(0.01)
    left = max(1.0, stop_at - time.monotonic())
    probe.get(f"{base}/wait/{len(fired)}/{left}", timeout=left + 10)
    arrivals = probe.get(base + "/stats").json()["arrivals"]
    latencies = [1000 * (arrivals[i] - got_at) for i, got_at in fired.items() if i in arrivals]
    return {"singles": len(fired), "singles_arrived": len(latencies),
            "p50": percentile(latencies, 50) if latencies else float("nan"),
            "p99": percentile(latencies, 99) if latencies else float("nan")}


def run_mode(slow_threads: int, base: str, args) -> dict:
    import requests

    from sandbox import create_app
    from sandbox.server import Runner, tune_gc

    probe0 = requests.Session()
    probe0.trust_env = False
    probe0.get(base + "/unrelease")   # the receiver's slow paths hang and trickle again
    tmp = tempfile.TemporaryDirectory()
    db_path = os.path.join(tmp.name, "bench.db")
    app = create_app({"DATABASE": db_path, "SLOW_THREADS": slow_threads})
    probe = requests.Session()
    probe.trust_env = False
    out: dict = {"slow_threads": slow_threads, "threads_before": threading.active_count()}
    try:
        with Runner(app, "127.0.0.1", 0) as runner:
            tune_gc(app.config["GC_YOUNG_THRESHOLD"])  # as `serve` does once started
            api = requests.Session()
            api.trust_env = False

            def account(name: str) -> str:
                return api.post(runner.url + "/api/managing-entity", json={"name": name}).json()["id"]

            def webhook(entity: str, name: str, url: str) -> str:
                made = api.post(f"{runner.url}/api/managing-entity/{entity}/webhook",
                                json={"name": name, "eventUrl": url, "eventList": []})
                made.raise_for_status()
                return made.json()["webhook"]["id"]

            healthy = account("Healthy")
            hook = webhook(healthy, "Healthy", base + "/fast")
            api.post(runner.url + "/api/events", json={"event": args.key, "entity": healthy})
            probe.get(f"{base}/wait/1/10")
            out["alone"] = measure(api, probe, runner.url, base, healthy, hook, args, 0)
            out["rss_alone"] = rss_mb()

            for kind, count in (("hang", args.hanging), ("trickle", args.trickling)):
                if not count:
                    continue
                entity = account(kind)
                for n in range(count):
                    webhook(entity, f"{kind} {n}", f"{base}/{kind}/{n}")
                api.post(runner.url + "/api/events", json={"event": args.key, "entity": entity})
            loaded_at = time.monotonic()
            time.sleep(args.settle)
            out["loaded"] = measure(api, probe, runner.url, base, healthy, hook, args,
                                    2 * args.rounds * args.events)
            # Again once the first hanging attempts have timed out and their retries are due.
            time.sleep(max(0.0, loaded_at + app.config["REQUEST_TIMEOUT"] + 3 - time.monotonic()))
            out["retrying"] = measure(api, probe, runner.url, base, healthy, hook, args,
                                      4 * args.rounds * args.events)
            stats = probe.get(base + "/stats").json()
            out["hang_requests"], out["trickle_requests"] = stats["hang"], stats["trickle"]
            out["threads_loaded"] = threading.active_count()
            out["rss_loaded"] = rss_mb()
            # Alone again (A-B-A): the slow receivers answer everything from now on, so the healthy
            # webhook is measured once more without them, on the database as it has grown; the
            # ratios compare the loaded runs with both alone runs' rounds, which cancels the drift
            # of a run (its database grows by some 50,000 deliveries).
            probe.get(base + "/release")
            time.sleep(args.settle)
            out["alone_after"] = measure(api, probe, runner.url, base, healthy, hook, args,
                                         6 * args.rounds * args.events)
        db = sqlite3.connect(db_path)
        out["timeouts"] = db.execute(
            "select count(*), min(duration_ms) / 1000, max(duration_ms) / 1000 from attempts "
            "where error like 'timeout%'").fetchone()
        db.close()
    finally:
        tmp.cleanup()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hanging", type=int, default=100, help="webhooks whose receivers never answer")
    parser.add_argument("--trickling", type=int, default=100, help="webhooks whose receivers trickle")
    parser.add_argument("--trickle-seconds", type=int, default=30, help="how long a trickled answer lasts")
    parser.add_argument("--events", type=int, default=1000, help="events in the healthy burst")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per measure (the median is kept)")
    parser.add_argument("--latency-events", type=int, default=100, help="single events for latency")
    parser.add_argument("--deadline", type=float, default=20.0, help="longest wait for each measure (s)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between loading and measuring")
    parser.add_argument("--modes", default="0,64", help="SLOW_THREADS values to compare (0: before)")
    parser.add_argument("--key", default="booking.create")
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        serve_receiver(args.trickle_seconds)
        return

    from sandbox.server import quiet_werkzeug

    quiet_werkzeug()
    child = subprocess.Popen([sys.executable, __file__, "--receiver", "--trickle-seconds",
                              str(args.trickle_seconds)], stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{int(child.stdout.readline())}"
    print(f"{args.hanging} hanging + {args.trickling} trickling ({args.trickle_seconds} s) receivers; "
          f"healthy: {args.events}-event burst + {args.latency_events} singles; "
          f"deadline {args.deadline:g} s; "
          f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    try:
        for mode in (int(m) for m in args.modes.split(",")):
            r = run_mode(mode, base, args)
            before, after = r["alone"], r["alone_after"]
            # Alone: the median of both alone runs' rounds (before the slow receivers and after them).
            alone = {"rate": median(before["rates"] + after["rates"]),
                     "send_rate": median(before["send_rates"] + after["send_rates"])}
            name = "before: one shared pool" if mode == 0 else f"slow pool, SLOW_THREADS={mode}"
            print(f"\n[{name}]")
            for label, m in (("alone   ", before), ("loaded  ", r["loaded"]), ("retrying", r["retrying"]),
                             ("alone   ", after)):
                print(f"  {label} burst {m['delivered']:5d}/{args.events} delivered, {m['rate']:7.0f}/s, "
                      f"all in {m['all_in']:.2f} s (rounds {'/'.join(f'{x:.0f}' for x in m['rates'])}); "
                      f"singles {m['singles_arrived']}/{m['singles']} arrived, "
                      f"p50 {m['p50']:.2f} ms, p99 {m['p99']:.2f} ms (from the 202); "
                      f"CPU {m['cpu_ms']:.2f} ms per delivery")
                print(f"  {label} held  {m['send_delivered']:5d}/{args.events} delivered, "
                      f"{m['send_rate']:7.0f}/s sending only (rounds "
                      f"{'/'.join(f'{x:.0f}' for x in m['send_rates'])}); "
                      f"CPU {m['send_cpu_ms']:.2f} ms per delivery")
            print(f"  alone (both runs' rounds): {alone['rate']:.0f}/s fired and sent, "
                  f"{alone['send_rate']:.0f}/s sending only")
            loaded = min((r["loaded"], r["retrying"]), key=lambda m: (m["delivered"], m["rate"]))
            ratio = loaded["rate"] / alone["rate"] if alone["rate"] else 0.0
            if loaded["delivered"] < args.events:
                ratio = 0.0
            sending = min((r["loaded"], r["retrying"]), key=lambda m: (m["send_delivered"], m["send_rate"]))
            send_ratio = sending["send_rate"] / alone["send_rate"] if alone["send_rate"] else 0.0
            if sending["send_delivered"] < args.events:
                send_ratio = 0.0
            p50 = max(r["loaded"]["p50"], r["retrying"]["p50"])
            print(f"  throughput loaded/alone {ratio:.2f} fired and sent, {send_ratio:.2f} sending only "
                  f"(goal >= 0.90); loaded p50 {p50:.2f} ms (goal < 5)")
            count, shortest, longest = r["timeouts"]
            print(f"  receivers got {r['hang_requests']} hanging and {r['trickle_requests']} trickling "
                  f"requests; threads {r['threads_before']} -> {r['threads_loaded']}; RSS "
                  f"{r['rss_alone']:.0f} -> {r['rss_loaded']:.0f} MB; {count} attempts timed out, "
                  f"after {shortest or 0:.2f} to {longest or 0:.2f} s")
    finally:
        child.terminate()
        child.wait(5)


if __name__ == "__main__":
    main()
