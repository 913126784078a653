"""Memory with live viewers: does the server's RSS stay flat while deliveries are fired?

    python benchmarks/bench_memory.py                    # 200,000 deliveries per case
    python benchmarks/bench_memory.py --events 50000 --cases 0,1

For each case it starts a fresh sandbox (``run.py serve`` in a subprocess, on 127.0.0.1, a new
database), a fast receiver (bare asyncio HTTP/1.1, in its own process) and one webhook pointing at it;
connects the case's viewers to ``/ws/deliveries``: 0, 1 or 50 that read everything, or one that
stops reading (a tiny receive buffer, never read); then fires ``--events`` events in rounds of
10,000 (the API's most per call) and waits for each round to reach the receiver. The server's RSS
(VmRSS of /proc/<pid>/status) is sampled after the warm-up (the first ``--warmup`` events, which
fill the hub's ring, SQLite's cache and the allocator's arenas) and after each round.

Goal (issue 13): RSS after warm-up stays within 10% to the end. It prints figures; nothing is asserted.
Viewers run in a child process (``bench_live.py``'s minimal reader), so they cost the server nothing
but their sockets.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from bench_live import Viewers, serve_receiver, stalled_viewer  # benchmarks/, this script's folder

ROOT = Path(__file__).resolve().parent.parent
ROUND = 10_000  # the most events one POST /api/events fires
GOAL = 0.10


def rss_mb(pid: int) -> float:
    """The process's resident set size in MB, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Sandbox:
    """``run.py serve`` on a free port and a fresh database, in a subprocess."""

    def __init__(self, folder: str):
        # A long ping interval: the benchmark's viewers do not answer pings, and the stalled one
        # must stay connected for the whole run (by default it is closed after one ping interval).
        env = {**os.environ, "SANDBOX_LIVE_PING_SECONDS": "3600"}
        self.child = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "serve", "--port", "0", "--no-seed",
             "--db", os.path.join(folder, "bench.db")],
            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        for line in self.child.stdout:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise SystemExit("the sandbox did not start")
        self.port = int(self.url.rsplit(":", 1)[1])

    @property
    def rss(self) -> float:
        return rss_mb(self.child.pid)

    def stop(self) -> None:
        self.child.terminate()
        self.child.wait(30)


def run_case(name: str, viewers: int, stalled: bool, events: int, warmup: int, receiver: str) -> dict:
    """Fire ``events`` with the case's viewers connected; return the RSS samples."""
    probe = requests.Session()
    probe.trust_env = False
    with tempfile.TemporaryDirectory() as folder:
        sandbox = Sandbox(folder)
        watchers = stalled_socket = None
        try:
            api = requests.Session()
            api.trust_env = False
            account = api.post(sandbox.url + "/api/managing-entity", json={"name": "Bench Account"}).json()
            api.post(f"{sandbox.url}/api/managing-entity/{account['id']}/webhook",
                     json={"name": "Bench", "eventUrl": receiver + "/hook", "eventList": []}
                     ).raise_for_status()
            if viewers:
                watchers = Viewers(sandbox.port, viewers, 10**12, parse=False)  # read until stopped
            if stalled:
                stalled_socket = stalled_viewer(sandbox.port)
            start = int(probe.get(receiver + "/count").text)
            fired = 0
            samples: list[tuple[int, float]] = []
            began = time.monotonic()
            warm = None
            while fired < events:
                count = min(ROUND, events - fired, warmup - fired if fired < warmup else ROUND)
                answer = api.post(sandbox.url + "/api/events", json={
                    "event": "booking.create", "entity": account["id"], "count": count, "seed": fired})
                if answer.status_code != 202:
                    raise SystemExit(f"firing failed: {answer.status_code} {answer.text[:300]}")
                fired += count
                deadline = time.monotonic() + 600
                while int(probe.get(receiver + "/count").text) - start < fired:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{name}: the receiver got fewer than {fired} deliveries")
                    time.sleep(0.05)
                samples.append((fired, sandbox.rss))
                if fired == warmup:
                    warm = samples[-1][1]
            seconds = time.monotonic() - began
            time.sleep(1)  # the last live messages reach the viewers
            end = sandbox.rss
        finally:
            if watchers is not None:
                watchers.child.stdin.close()
                watchers.child.wait(30)
            if stalled_socket is not None:
                stalled_socket.close()
            sandbox.stop()
    return {"warm": warm if warm is not None else samples[0][1], "end": end,
            "peak": max(rss for _n, rss in samples), "samples": samples, "rate": events / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000,
                        help="deliveries fired per case (default 200000)")
    parser.add_argument("--warmup", type=int, default=40_000,
                        help="deliveries fired before the RSS the goal is measured from (default 40000; "
                             "at most half of --events)")
    parser.add_argument("--cases", default="0,1,50,stalled",
                        help="comma-separated: a number of reading viewers, or 'stalled' "
                             "(default 0,1,50,stalled)")
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        serve_receiver()
        return
    # The first rounds grow the heap (SQLite's cache, the WAL, a 10,000-event request's objects): in runs
    # of 40,000 the RSS still rose ~50 MB from 10k to 20k deliveries with no viewer at all.
    warmup = min(args.warmup, args.events // 2)

    receiver = subprocess.Popen([sys.executable, __file__, "--receiver"], stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{int(receiver.stdout.readline())}"
    print(f"cpus {os.cpu_count()}, python {sys.version.split()[0]}, {args.events} deliveries per case, "
          f"warm-up {warmup}; goal: RSS after warm-up within {GOAL:.0%} to the end")
    try:
        for case in args.cases.split(","):
            stalled = case == "stalled"
            name = "1 stalled viewer" if stalled else f"{case} viewer(s)"
            result = run_case(name, 0 if stalled else int(case), stalled, args.events, warmup, base)
            growth = result["end"] / result["warm"] - 1
            trail = ", ".join(f"{n // 1000}k {rss:.0f}" for n, rss in result["samples"])
            print(f"{name:>17}: RSS {result['warm']:6.1f} MB after warm-up, "
                  f"{result['end']:6.1f} MB at the end "
                  f"(peak {result['peak']:.1f}), {growth:+6.1%} "
                  f"{'OK' if growth <= GOAL else 'OVER the goal'}; {result['rate']:.0f} deliveries/s",
                  flush=True)
            print(f"{'':>19}MB by deliveries: {trail}", flush=True)
    finally:
        receiver.terminate()
        receiver.wait(5)


if __name__ == "__main__":
    main()
