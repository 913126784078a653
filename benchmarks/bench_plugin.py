"""Print what the pytest plugin's fixtures cost: starting the sandbox, and the per-test reset.

Example:
    python benchmarks/bench_plugin.py                 # 5 start-ups, 50 resets after 20 events each
    python benchmarks/bench_plugin.py --starts 10 --resets 200 --events 100

Issue 16's goals: the session fixture starts in under 1 s; the per-test reset takes under 50 ms.
A start is the first test's cost (a new temporary database, its migrations, the server and workers on
a free port, until the API answers); a reset is every later test's (the rows a test leaves: accounts,
webhooks, events, deliveries with their attempts and log rows, deleted in one transaction).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.testing import Sandbox  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="sandboxes started and stopped (1-50)")
    parser.add_argument("--resets", type=int, default=50, help="resets timed (1-1000)")
    parser.add_argument("--events", type=int, default=20, help="events fired before each reset (0-1000)")
    args = parser.parse_args()
    starts, resets, events = min(max(args.starts, 1), 50), min(max(args.resets, 1), 1000), \
        min(max(args.events, 0), 1000)

    start_times, stop_times = [], []
    for _ in range(starts):
        began = time.perf_counter()
        sb = Sandbox().start()
        sb.api.health()
        start_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        sb.stop()
        stop_times.append(time.perf_counter() - began)

    reset_times = []
    with Sandbox() as sb:
        for _ in range(resets):
            account = sb.account()
            sb.webhook(account, sb.url + "/inbox/bench", events=["booking.create"])
            if events:
                sb.fire("booking.create", account, count=events)
            began = time.perf_counter()
            sb.reset()
            reset_times.append(time.perf_counter() - began)

    def line(name: str, values: list[float], goal: float) -> str:
        median, worst = statistics.median(values), max(values)
        verdict = "met" if median < goal else "MISSED"
        return (f"{name:<28} median {median * 1000:7.1f} ms  worst {worst * 1000:7.1f} ms  "
                f"goal < {goal * 1000:.0f} ms: {verdict}  (n={len(values)})")

    print(line("fixture start (first test)", start_times, 1.0))
    print(line("stop", stop_times, 5.0))
    print(line(f"reset after {events} events", reset_times, 0.050))


if __name__ == "__main__":
    main()
