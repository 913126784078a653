"""Print how many event payloads per second the generators make, and what Wink's summary costs.

Example:
    python benchmarks/bench_generate.py            # booking.create, the summaries and the slowest key
    python benchmarks/bench_generate.py --n 5000 --locale th_TH

The issue's goal for the summary (record -> Wink's object, links.self included) is under 1 ms per event.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox import catalog, payloads  # noqa: E402
from sandbox.envelope import make_event  # noqa: E402
from sandbox.generate import generate_data, validate_data  # noqa: E402


def rate(function, n: int) -> float:
    """Return calls per CPU second of ``function(seed)`` over ``n`` seeds (after one warm-up call).

    CPU time of this process, not wall time, so other work on a shared machine skews it less.
    """
    function(0)
    start = time.process_time()
    for seed in range(n):
        function(seed)
    return n / (time.process_time() - start)


def line(label: str, per_second: float) -> str:
    return f"{label:<58} {per_second:>8,.0f}/s {1e6 / per_second:>7.0f} us each"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="payloads per measurement")
    parser.add_argument("--locale", default="en_US", help="Faker locale to generate in")
    args = parser.parse_args()
    account = {"id": "6f1c2a52-2b1e-4d43-9a43-0c4c3b8d9a10", "name": "Cool Account", "type": "HOTEL"}

    def booking(seed):
        return generate_data("booking.created", seed=seed, locale=args.locale, account=account)

    print(f"Python {sys.version.split()[0]}, locale {args.locale}, {args.n} payloads per figure")
    print(line("booking.created data", rate(booking, args.n)))
    data = booking(1)
    print(line("booking.created schema validation", rate(
        lambda _seed: validate_data("booking.created", data), max(200, args.n // 10))))
    base = "http://127.0.0.1:8000/"
    records = {key: generate_data(key, seed=1, locale=args.locale, account=account)
               for key in catalog.keys() if catalog.get(key)["delivered"]}
    print(line("booking.create summary (record -> Wink's object)", rate(
        lambda _seed: payloads.summarize("booking.create", data, base), args.n)))
    print(line("booking.create summary + Wink schema validation", rate(
        lambda _seed: payloads.validate("booking.create", payloads.summarize("booking.create", data, base)),
        max(200, args.n // 10))))
    summaries = {key: rate(lambda _seed, key=key: payloads.summarize(key, records[key], base),
                           max(200, args.n // 10)) for key in records}
    slowest_summary = min(summaries, key=summaries.get)
    print(line(f"slowest summary: {slowest_summary}", summaries[slowest_summary]))
    print(line("booking.create make (record, summary, apply: what firing does)", rate(
        lambda seed: payloads.make("booking.create", booking(seed), base_url=base), args.n)))
    print(line("booking.created make_event (envelope, no overrides)", rate(
        lambda seed: make_event("booking.created", account, seed=seed, locale=args.locale), args.n)))
    print(line("booking.created make_event + 1 assignment + validation", rate(
        lambda seed: make_event("booking.created", account, seed=seed, locale=args.locale,
                                assignments=["stay.adults=3"]), max(200, args.n // 10))))
    sample = max(200, args.n // 10)
    rates = {key: rate(lambda seed, key=key: generate_data(key, seed=seed, locale=args.locale,
                                                          account=account), sample)
             for key in catalog.keys()}
    slowest = min(rates, key=rates.get)
    print(line(f"slowest key: {slowest} data", rate(
        lambda seed: generate_data(slowest, seed=seed, locale=args.locale, account=account), args.n)))
    print(line("all 132 keys, mean", len(rates) / sum(1 / r for r in rates.values())))


if __name__ == "__main__":
    main()
