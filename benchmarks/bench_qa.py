"""QA toolkit speed: building scenarios, direct replay throughput, and one receiver check.

    python benchmarks/bench_qa.py                  # 200 scenario builds, 1000 direct sends
    python benchmarks/bench_qa.py --builds 500 --sends 3000

It measures, in this process, on 127.0.0.1 only:

1. ``fixtures.build`` of the ``booking-life`` scenario (5 generated, cross-referenced events) with a new
   seed each time: scenarios and events built per second;
2. ``replay --to``'s sending path (``DirectTarget``: sign + POST with keep-alive) to a fast threaded
   receiver: events per second and p50/p99 send latency;
3. the whole ``check`` battery (9 requests, one of 500 KB) against ``examples/good_receiver.py`` served
   by Werkzeug: seconds per run.

It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def bench_build(builds: int) -> None:
    from sandbox import fixtures
    from sandbox.replay import local_make

    fixture = fixtures.find("booking-life", [fixtures.SHIPPED_DIR])
    make = local_make()
    fixtures.build(fixture, make, seed=0)  # warm the Faker cache
    started = time.perf_counter()
    events = 0
    for seed in range(builds):
        events += len(fixtures.build(fixture, make, seed=seed))
    elapsed = time.perf_counter() - started
    print(f"build booking-life: {builds / elapsed:,.0f} scenarios/s, {events / elapsed:,.0f} events/s "
          f"({elapsed * 1000 / builds:.2f} ms per scenario)")


def bench_direct(sends: int) -> None:
    from sandbox import fixtures
    from sandbox.chaos import Chaos, Send
    from sandbox.replay import DirectTarget, local_make
    from tests.receivers import Receiver

    fixture = fixtures.find("booking.created", [fixtures.SHIPPED_DIR])
    item = fixtures.build(fixture, local_make())[0]
    latencies: list[float] = []
    with Receiver() as receiver:
        target = DirectTarget(receiver.url, SECRET, chaos=Chaos(),
                              report=lambda outcome: latencies.append(outcome.duration_ms))
        for i in range(50):  # warm up the connection
            target.fire(i, item, Send(i), None)
        latencies.clear()
        started = time.perf_counter()
        for i in range(sends):
            target.fire(i, item, Send(i), None)
        elapsed = time.perf_counter() - started
        target.finish()
    ordered = sorted(latencies)
    print(f"replay --to (sign + POST, keep-alive): {sends / elapsed:,.0f} events/s, "
          f"p50 {statistics.median(ordered):.2f} ms, p99 {ordered[int(len(ordered) * 0.99) - 1]:.2f} ms "
          f"({sends} events)")


def bench_check(runs: int) -> None:
    import logging

    from werkzeug.serving import make_server

    from sandbox import receiver_check

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    spec = importlib.util.spec_from_file_location("good_receiver", ROOT / "examples" / "good_receiver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = make_server("127.0.0.1", 0, module.create_app(SECRET), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/webhook"
    try:
        receiver_check.run(url, SECRET)  # warm up
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            results = receiver_check.run(url, SECRET)
            timings.append(time.perf_counter() - started)
            assert all(r.passed for r in results)
    finally:
        server.shutdown()
        thread.join(5)
    print(f"check battery (9 requests) vs good_receiver: median {statistics.median(timings) * 1000:.0f} ms "
          f"per run over {runs} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--builds", type=int, default=200)
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--checks", type=int, default=5)
    args = parser.parse_args()
    bench_build(min(args.builds, 10_000))
    bench_direct(min(args.sends, 20_000))
    bench_check(min(args.checks, 50))


if __name__ == "__main__":
    main()
