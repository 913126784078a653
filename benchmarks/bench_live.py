"""Live log speed: how fast messages reach websocket viewers, and what viewers cost the deliveries.

    python benchmarks/bench_live.py                     # bursts of 2000 events, 200 for latency
    python benchmarks/bench_live.py --events 3000 --rounds 3

In one run on this machine it:

1. starts a fast receiver (bare asyncio HTTP/1.1, in its own process) that records when each
   ``Wink-Event-Id`` arrives, and serves the sandbox in this process with one webhook pointing at it;
2. measures deliveries per second of a burst with no viewer, then with 50 viewers connected to
   ``/ws/deliveries`` (alternating, ``--rounds`` times each, as figures drift between runs);
3. measures a burst of 1,000 deliveries with and without one stalled viewer (it never reads);
4. fires single events 10 ms apart with 1 viewer, then with 50, and reports the latency from the
   attempt finishing (the request reaching the receiver, which answers at once) to the
   ``delivery.attempted`` message reaching each viewer; then the same latency inside a burst.

Viewers run in a child process on plain sockets with a minimal websocket reader (asyncio, one thread),
so the figures measure the sandbox, not a heavy client. It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import socket
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


# ---- the receiver (child process) ---------------------------------------------------------------

def serve_receiver() -> None:
    """Answer every POST with 200 at once; GET /count, /reset, /arrivals ({Wink-Event-Id: monotonic})."""
    arrivals: dict[str, float] = {}

    async def answer(method: str, path: str, headers: dict[str, str], now: float) -> bytes:
        body = b"ok"
        if method == "GET" and path == "/count":
            body = str(len(arrivals)).encode()
        elif method == "GET" and path == "/reset":
            arrivals.clear()
        elif method == "GET" and path == "/arrivals":
            body = json.dumps(arrivals).encode()
        elif headers.get("wink-event-id"):
            arrivals.setdefault(headers["wink-event-id"], now)
        return body

    serve_fast_receiver(answer)


# ---- the viewers (child process) ----------------------------------------------------------------

async def _open(port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                 .encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise SystemExit(f"handshake refused: {head[:200]!r}")
    return reader, writer


GAP = b'{"type":"gap",'
ATTEMPTED = b'{"type":"delivery.attempted"'
EVENT_ID = b'"eventId":"'


def serve_viewers(port: int, count: int, expect: int, parse: bool) -> None:
    """Connect ``count`` viewers; print "connected"; read until each has ``expect`` messages after
    ``ready`` (or stdin closes); print {"counts", "gaps", "latencies": {eventId: [arrival, ...]}}.

    The viewers walk frame headers only and look into a payload with ``startswith`` (in C): 50
    viewers of a burst receive 300,000 messages, and a heavy client on this 2-core machine would
    take CPU from the server it measures. The benchmark sets a long ping interval, so no pings come.
    """

    async def main() -> None:
        counts = [-1] * count  # the ready message is not counted
        gaps = [0] * count
        seen: dict[str, list[float]] = {}
        done_at: list[float] = []
        connections = [await _open(port, "/ws/deliveries?backlog=0") for _ in range(count)]

        async def view(index: int, reader: asyncio.StreamReader) -> None:
            data = b""
            while counts[index] < expect:
                chunk = await reader.read(1 << 20)
                if not chunk:
                    return
                arrived = time.monotonic()
                data = data + chunk if data else chunk
                offset, end = 0, len(data)
                while end - offset >= 2:
                    size, head = data[offset + 1] & 0x7F, 2
                    if size == 126:
                        size, head = int.from_bytes(data[offset + 2:offset + 4], "big"), 4
                    elif size == 127:
                        size, head = int.from_bytes(data[offset + 2:offset + 10], "big"), 10
                    if end - offset < head + size:
                        break
                    start = offset + head
                    offset = start + size
                    if data.startswith(GAP, start):
                        gaps[index] += 1
                        counts[index] += json.loads(data[start:offset])["dropped"]
                        continue
                    counts[index] += 1
                    if parse and data.startswith(ATTEMPTED, start):
                        at = data.find(EVENT_ID, start) + len(EVENT_ID)
                        seen.setdefault(data[at:at + 36].decode(), []).append(arrived)
                data = data[offset:]
            done_at.append(time.monotonic())

        tasks = [asyncio.create_task(view(i, reader)) for i, (reader, _writer) in enumerate(connections)]
        print("connected", flush=True)
        stdin_closed = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await asyncio.wait([asyncio.gather(*tasks), stdin_closed], return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for _reader, writer in connections:
            writer.close()
        used = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"counts": counts, "gaps": gaps, "latencies": seen,
                          "doneAt": max(done_at, default=None),
                          "cpu": used.ru_utime + used.ru_stime}), flush=True)
        os._exit(0)  # the stdin reader thread may still block

    asyncio.run(main())


class Viewers:
    """A child process holding ``count`` websocket viewers."""

    def __init__(self, port: int, count: int, expect: int, parse: bool):
        self.child = subprocess.Popen(
            [sys.executable, __file__, "--viewers", str(port), str(count), str(expect), str(int(parse))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.child.stdout.readline().strip()
        if line != "connected":
            raise SystemExit(f"the viewers did not connect: {line!r}")

    def result(self, timeout: float = 120) -> dict:
        """Wait for every viewer to have its messages (or ``timeout``); return what they saw."""
        give_up = threading.Timer(timeout, self.child.stdin.close)  # closing stdin stops the viewers
        give_up.start()
        out = self.child.stdout.read()
        give_up.cancel()
        self.child.wait(10)
        return json.loads(out.strip().splitlines()[-1])


def stalled_viewer(port: int) -> socket.socket:
    """A viewer that completes the handshake and then never reads (a tiny receive buffer)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /ws/deliveries?backlog=0 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 b"Sec-WebSocket-Version: 13\r\n\r\n")
    if not sock.recv(4096).startswith(b"HTTP/1.1 101"):
        raise SystemExit("the stalled viewer was refused")
    return sock


# ---- the measurements -----------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000, help="events in each burst (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="bursts with and without viewers (default 3)")
    parser.add_argument("--latency-events", type=int, default=200, help="single events fired for latency")
    parser.add_argument("--viewers", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        serve_receiver()
        return
    if args.viewers:
        port, count, expect, parse = map(int, args.viewers)
        serve_viewers(port, count, expect, bool(parse))
        return

    import requests

    from sandbox import create_app
    from sandbox.hub import get_hub
    from sandbox.live import get_broadcaster
    from sandbox.server import Runner, quiet_werkzeug, tune_gc

    receiver = subprocess.Popen([sys.executable, __file__, "--receiver"], stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{int(receiver.stdout.readline())}"
    probe = requests.Session()
    probe.trust_env = False
    quiet_werkzeug()
    tmp = tempfile.TemporaryDirectory()
    try:
        # A long ping interval: the benchmark's minimal viewers do not answer pings.
        app = create_app({"DATABASE": os.path.join(tmp.name, "bench.db"), "LIVE_PING_SECONDS": 600})
        hub = get_hub(app)
        broadcaster = get_broadcaster(app, "log")
        fanouts: list[float] = []  # ms of the broadcaster's CPU per delivery, per burst
        with Runner(app, "127.0.0.1", 0) as runner:
            tune_gc(app.config["GC_YOUNG_THRESHOLD"])  # as `serve` does once started
            api = requests.Session()
            api.trust_env = False
            account = api.post(runner.url + "/api/managing-entity", json={"name": "Bench Account"}).json()
            api.post(f"{runner.url}/api/managing-entity/{account['id']}/webhook",
                     json={"name": "Bench", "eventUrl": base + "/hook", "eventList": []}).raise_for_status()
            print(f"cpus {os.cpu_count()}, python {sys.version.split()[0]}, "
                  f"batch {app.config['LIVE_BATCH_MS']} ms, queue {app.config['LIVE_QUEUE_SIZE']}")

            def fire(count: int) -> tuple[float, list[str]]:
                answer = api.post(runner.url + "/api/events", json={
                    "event": "booking.create", "entity": account["id"], "count": count, "seed": 0})
                assert answer.status_code == 202, answer.text
                return time.monotonic(), [event["id"] for event in answer.json()["events"]]

            def wait_count(count: int, timeout: float = 300) -> None:
                deadline = time.monotonic() + timeout
                while int(probe.get(base + "/count").text) < count:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"the receiver got fewer than {count} requests")
                    time.sleep(0.005)

            def burst(count: int) -> tuple[float, dict[str, float], float, float]:
                """Fire ``count`` events at once; return (deliveries/s, arrivals, 202 time, server CPU
                ms per delivery)."""
                probe.get(base + "/reset")
                cpu = resource.getrusage(resource.RUSAGE_SELF)
                fanout = broadcaster.cpu_seconds
                answered, _ids = fire(count)
                wait_count(count)
                used = resource.getrusage(resource.RUSAGE_SELF)
                arrivals = probe.get(base + "/arrivals").json()
                ms = 1000 * (used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime) / count
                fanouts.append(1000 * (broadcaster.cpu_seconds - fanout) / count)
                return count / (max(arrivals.values()) - answered), arrivals, answered, ms

            def wait_subscribers(count: int) -> None:
                deadline = time.monotonic() + 30
                while hub.subscriber_count != count:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{hub.subscriber_count} viewers subscribed, not {count}")
                    time.sleep(0.01)

            burst(50)  # warm up: generator, connections, caches

            # 1. Throughput with no viewer and with 50 viewers, alternating.
            alone, watched, cpu_alone, cpu_watched = [], [], [], []
            for _ in range(args.rounds):
                rate, _arrivals, _answered, cpu = burst(args.events)
                alone.append(rate)
                cpu_alone.append(cpu)
                viewers = Viewers(runner.port, 50, 3 * args.events, parse=False)
                wait_subscribers(50)
                rate, _arrivals, answered, cpu = burst(args.events)
                watched.append(rate)
                cpu_watched.append(cpu)
                result = viewers.result()
                wait_subscribers(0)
                complete = sum(1 for n in result["counts"] if n >= 3 * args.events)
                done = f"{result['doneAt'] - answered:.2f} s" if result["doneAt"] else "never"
                print(f"burst of {args.events}: {alone[-1]:6.0f} deliveries/s ({cpu_alone[-1]:.2f} ms CPU "
                      f"each) with no viewer, {rate:6.0f}/s ({cpu:.2f} ms, of which writing to viewers "
                      f"{fanouts[-1]:.2f} ms) with 50 viewers; {complete}/50 got all {3 * args.events} "
                      f"messages, {sum(result['gaps'])} gaps, the last {done} after the 202; the viewers' "
                      f"own process used {result['cpu']:.2f} s CPU")
            median = statistics.median
            cost = 1 - median(watched) / median(alone)
            print(f"50 viewers cost {100 * cost:.1f}% of delivery throughput (median {median(alone):.0f}/s "
                  f"alone, {median(watched):.0f}/s watched); server CPU per delivery "
                  f"{median(cpu_alone):.2f} ms alone, {median(cpu_watched):.2f} ms watched")

            # 2. A stalled viewer during a burst of 1,000.
            free = statistics.median(burst(1000)[0] for _ in range(args.rounds))
            stalled = stalled_viewer(runner.port)
            wait_subscribers(1)
            held = statistics.median(burst(1000)[0] for _ in range(args.rounds))
            print(f"burst of 1000: {free:7.0f} deliveries/s with no viewer, {held:7.0f}/s with one stalled "
                  f"viewer ({100 * (1 - held / free):+.1f}% slower)")
            stalled.close()
            wait_subscribers(0)

            # 3. Latency: attempt done (request at the receiver) -> delivery.attempted at each viewer.
            for count in (1, 50):
                viewers = Viewers(runner.port, count, 3 * args.latency_events, parse=True)
                wait_subscribers(count)
                probe.get(base + "/reset")
                for _ in range(args.latency_events):
                    fire(1)
                    time.sleep(0.01)
                wait_count(args.latency_events)
                arrivals = probe.get(base + "/arrivals").json()
                result = viewers.result(60)
                wait_subscribers(0)
                lags = [1000 * (t - arrivals[event]) for event, times in result["latencies"].items()
                        for t in times if event in arrivals]
                print(f"latency attempt -> viewer, {count:2d} viewer(s), single events 10 ms apart: "
                      f"p50 {percentile(lags, 50):6.2f} ms, p99 {percentile(lags, 99):6.2f} ms "
                      f"({len(lags)} samples)")
            for count in (1, 50):
                viewers = Viewers(runner.port, count, 3 * args.events, parse=True)
                wait_subscribers(count)
                rate, arrivals, _answered, _cpu = burst(args.events)
                result = viewers.result()
                wait_subscribers(0)
                lags = [1000 * (t - arrivals[event]) for event, times in result["latencies"].items()
                        for t in times if event in arrivals]
                print(f"latency attempt -> viewer, {count:2d} viewer(s), inside a burst of {args.events} "
                      f"({rate:.0f}/s): p50 {percentile(lags, 50):6.2f} ms, "
                      f"p99 {percentile(lags, 99):6.2f} ms")
    finally:
        receiver.terminate()
        receiver.wait(5)
        tmp.cleanup()


if __name__ == "__main__":
    main()
