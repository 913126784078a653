"""Assertions on deliveries and receivers that fail with the attempt, not a bare ``assert``.

Each raises ``AssertionError`` whose message shows what the receiver did: every attempt's status,
latency and the start of its answer, so a failing test says why without a debugger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

WINK_TIMEOUT = 10.0  # seconds Wink waits for an answer (WEBHOOKS-SPEC.md, retries)
SNIPPET = 160


def describe(delivery: dict) -> str:
    """A delivery and each of its attempts, one line each, for a failure message."""
    lines = [f"delivery {delivery.get('id')} of {delivery.get('event')} to {delivery.get('eventUrl')}: "
             f"{str(delivery.get('status', '?')).upper()} after {delivery.get('attemptCount', 0)} attempt(s)"]
    for attempt in delivery.get("attempts") or []:
        lines.append("  " + describe_attempt(attempt))
    return "\n".join(lines)


def describe_attempt(attempt: dict) -> str:
    """One attempt: its number, answer (or error), latency and the start of the body."""
    response = attempt.get("response") or {}
    took = attempt.get("durationMs")
    latency = f"{took:.0f} ms" if isinstance(took, int | float) else "?"
    if response:
        body = (response.get("body") or "").replace("\n", " ")
        if len(body) > SNIPPET:
            body = body[:SNIPPET] + "..."
        return f"attempt {attempt.get('attempt')}: HTTP {response.get('status')} in {latency}: {body!r}"
    error = attempt.get("error") or "unknown error"
    return f"attempt {attempt.get('attempt')}: no answer after {latency}: {error}"


def assert_delivered(delivery: dict, *, within: float = WINK_TIMEOUT) -> dict:
    """Assert the delivery SUCCEEDED and its successful answer came within ``within`` seconds."""
    __tracebackhide__ = True  # pytest shows the test line, not ours
    if str(delivery.get("status")).upper() != "SUCCEEDED":
        raise AssertionError(f"the receiver did not acknowledge the delivery with 2xx\n{describe(delivery)}")
    last = (delivery.get("attempts") or [{}])[-1]
    took = last.get("durationMs")
    if isinstance(took, int | float) and took > within * 1000:
        raise AssertionError(
            f"the receiver answered 2xx after {took / 1000:.1f} s, over the {within:g} s Wink waits "
            f"(Wink would have timed out and retried)\n{describe(delivery)}")
    return delivery


def assert_all_succeeded(deliveries: Iterable[dict]) -> list[dict]:
    """Assert every delivery SUCCEEDED; the message lists each one that did not."""
    __tracebackhide__ = True  # pytest shows the test line, not ours
    deliveries = list(deliveries)
    failed = [d for d in deliveries if str(d.get("status")).upper() != "SUCCEEDED"]
    if not deliveries:
        raise AssertionError("no deliveries were made: is a webhook subscribed to these events?")
    if failed:
        raise AssertionError(f"{len(failed)} of {len(deliveries)} deliveries did not succeed\n"
                             + "\n".join(describe(d) for d in failed))
    return deliveries


def assert_check(check: Callable[[], object], when: str, delivery: dict) -> None:
    """Run the test's own check (a callable that asserts or returns falsy on failure)."""
    __tracebackhide__ = True  # pytest shows the test line, not ours
    try:
        ok = check()
    except AssertionError as exc:
        raise AssertionError(f"the check failed {when}: {exc}\n{describe(delivery)}") from None
    if ok is False:
        raise AssertionError(f"the check returned False {when}\n{describe(delivery)}")


def assert_rejects_forged(url: str, secret: str, *, profile: str | None = None) -> list:
    """Assert the receiver refuses (4xx) requests signed with another secret, unsigned or tampered."""
    __tracebackhide__ = True  # pytest shows the test line, not ours
    return _battery(url, secret, profile, ("wrong-signature", "missing-signature", "no-v1-signature",
                                           "tampered-body"))


def assert_rejects_stale(url: str, secret: str, *, profile: str | None = None) -> list:
    """Assert the receiver refuses (4xx) a timestamp 10 minutes old or ahead, or re-dated."""
    __tracebackhide__ = True  # pytest shows the test line, not ours
    return _battery(url, secret, profile, ("stale-timestamp", "future-timestamp", "swapped-timestamp"))


def assert_receiver_checks(url: str, secret: str, *, profile: str | None = None) -> list:
    """Assert the receiver passes every check of ``run.py check`` (docs/qa.md)."""
    __tracebackhide__ = True  # pytest shows the test line, not ours
    from sandbox import receiver_check

    return _battery(url, secret, profile, tuple(c.id for c in receiver_check.CHECKS))


def _battery(url: str, secret: str, profile: str | None, ids: tuple[str, ...]) -> list:
    __tracebackhide__ = True  # pytest shows the test line, not ours
    from sandbox import receiver_check

    checks = tuple(c for c in receiver_check.CHECKS if c.id in ids)
    results = receiver_check.run(url, secret, profile=profile, checks=checks)
    failed = [r for r in results if not r.passed]
    if failed:
        lines = []
        for r in failed:
            answer = f"HTTP {r.status}" if r.status is not None else "no answer"
            lines.append(f"  {r.title}: expected {r.expected}, got {answer} in {r.elapsed_ms:.0f} ms"
                         + (f": {r.response[:SNIPPET]!r}" if r.response else "")
                         + (f"\n    fix: {r.fix}" if r.fix else ""))
        raise AssertionError(f"the receiver at {url} failed {len(failed)} of {len(results)} signature "
                             "checks\n" + "\n".join(lines))
    return results
