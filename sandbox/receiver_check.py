"""The receiver check: a battery of signed (and wrongly signed) requests against a running receiver.

Each check sends one request and expects a class of answer: the valid, duplicate, unknown-type and
large requests must get 2xx; the forged, unsigned, tampered, stale and future ones must get 4xx.
A failed check carries the reason (what came back) and a fix (what to change in the receiver).
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from sandbox import signing

VALID_TIMEOUT = 5.0  # a receiver must acknowledge a valid event within this many seconds
OTHER_TIMEOUT = 10.0
SKEW_SECONDS = 10 * 60
LARGE_BYTES = 500 * 1024
CHECK_SEED = 20260115
UNKNOWN_EVENT = "sandbox.check.unknown_event_type"
# Another valid secret, so "wrong signature" is a well-formed signature under the wrong key.
WRONG_SECRET = "whsec_" + "d3Jvbmctc2VjcmV0LWZvci10aGUtcmVjZWl2ZXItY2hlY2s="


@dataclass
class Request:
    headers: dict
    body: bytes
    note: str = ""


@dataclass
class Check:
    """One check: how to build its request, what answer it needs, and how to fix a failure."""

    id: str
    title: str
    expect: str  # "2xx" or "4xx"
    build: Callable[[Battery], Request]
    timeout: float = OTHER_TIMEOUT
    why: str = ""
    fix_accepted: str = ""  # fix when a 4xx was expected and 2xx came
    fix_rejected: str = ""  # fix when a 2xx was expected and 4xx came


@dataclass
class Result:
    """The verdict of one check."""

    id: str
    title: str
    expected: str
    passed: bool
    status: int | None
    elapsed_ms: float
    reason: str
    fix: str = ""
    why: str = ""
    sent: dict = field(default_factory=dict)
    response: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _envelope(key: str, seed: int) -> dict:
    """A realistic event envelope for ``key``, as the sandbox would deliver it."""
    from sandbox.envelope import make_event

    return make_event(key, None, seed=seed)


def body_bytes(envelope: dict) -> bytes:
    """Serialize an envelope the way the sandbox does."""
    from sandbox.envelope import to_json

    return to_json(envelope)


class Battery:
    """The requests of one run: one valid event (and its id) that several checks derive from."""

    def __init__(self, url: str, secret: str, *, seed: int = CHECK_SEED):
        signing.secret_bytes(secret)  # ValueError now, before any request
        self.url = url
        self.secret = secret
        self.seed = seed
        self.envelope = _envelope("booking.created", seed)
        self.body = body_bytes(self.envelope)
        self.msg_id = f"msg_check_{uuid.uuid4().hex}"

    def new_id(self) -> str:
        return f"msg_check_{uuid.uuid4().hex}"

    def signed(self, body: bytes, *, msg_id: str | None = None, timestamp: int | None = None,
               secret: str | None = None) -> dict:
        return {"Content-Type": "application/json",
                **signing.headers([secret or self.secret], msg_id or self.new_id(), body, timestamp)}


def _valid(b: Battery) -> Request:
    return Request(b.signed(b.body, msg_id=b.msg_id), b.body, "booking.created, correctly signed")


def _duplicate(b: Battery) -> Request:
    return Request(b.signed(b.body, msg_id=b.msg_id), b.body,
                   f"the same event again with the same webhook-id {b.msg_id} (a sender's retry)")


def _wrong_signature(b: Battery) -> Request:
    return Request(b.signed(b.body, secret=WRONG_SECRET), b.body, "signed with a different secret")


def _missing_signature(b: Battery) -> Request:
    headers = b.signed(b.body)
    del headers["webhook-signature"]
    return Request(headers, b.body, "no webhook-signature header")


def _tampered(b: Battery) -> Request:
    headers = b.signed(b.body)
    altered = copy.deepcopy(b.envelope)
    altered["event"] = "booking.cancelled"
    return Request(headers, body_bytes(altered),
                   "body changed after signing (event booking.created -> booking.cancelled)")


def _stale(b: Battery) -> Request:
    stamp = int(time.time()) - SKEW_SECONDS
    return Request(b.signed(b.body, timestamp=stamp), b.body,
                   "correctly signed, webhook-timestamp 10 minutes old (a replayed request)")


def _future(b: Battery) -> Request:
    stamp = int(time.time()) + SKEW_SECONDS
    return Request(b.signed(b.body, timestamp=stamp), b.body,
                   "correctly signed, webhook-timestamp 10 minutes in the future")


def _unknown_event(b: Battery) -> Request:
    envelope = {**copy.deepcopy(b.envelope), "event": UNKNOWN_EVENT,
                "data": {"id": str(uuid.UUID(int=b.seed)), "note": "an event type the receiver never saw"}}
    body = body_bytes(envelope)
    return Request(b.signed(body), body, f"correctly signed, event type {UNKNOWN_EVENT!r}")


def _large(b: Battery) -> Request:
    envelope = copy.deepcopy(b.envelope)
    envelope["id"] = str(uuid.uuid4())
    line = ("Guest asked for a quiet room away from the lift, a late check-out, an extra pillow and "
            "airport transfer on arrival; confirmed by the front desk. ")
    note = {"author": "front-desk", "text": line * 4}
    per_note = len(body_bytes(note)) + 1
    envelope["data"]["notes"] = [note] * (LARGE_BYTES // per_note)
    body = body_bytes(envelope)
    while len(body) < LARGE_BYTES:
        envelope["data"]["notes"].append(note)
        body = body_bytes(envelope)
    return Request(b.signed(body), body, f"correctly signed booking.created of {len(body) // 1024} KB")


_REJECT_FIX = ("verify the signature on the raw body before doing anything (standardwebhooks: "
               "Webhook(secret).verify(body, headers)) and answer 400 or 401 when it fails")

CHECKS: tuple[Check, ...] = (
    Check("valid", "valid signed booking.created", "2xx", _valid, timeout=VALID_TIMEOUT,
          why="a correct delivery must be acknowledged with 2xx within 5 s",
          fix_rejected="it rejected a correctly signed event: verify the raw request body bytes (not "
                       "re-serialized JSON) with the full whsec_ secret, reading the webhook-id, "
                       "webhook-timestamp and webhook-signature headers"),
    Check("duplicate", "duplicate webhook-id", "2xx", _duplicate,
          why="senders retry with the same webhook-id; the receiver must be idempotent",
          fix_rejected="answer 2xx to a webhook-id you already processed and skip the work (store "
                       "processed ids); rejecting retries makes the sender keep retrying"),
    Check("wrong-signature", "signature made with another secret", "4xx", _wrong_signature,
          why="anyone can POST to your URL; only the signature proves the sender knows the secret",
          fix_accepted="it accepted a forged request: " + _REJECT_FIX),
    Check("missing-signature", "no webhook-signature header", "4xx", _missing_signature,
          why="an unsigned request is not from the sender",
          fix_accepted="it accepted an unsigned request: require the webhook-signature header; "
                       + _REJECT_FIX),
    Check("tampered-body", "body altered after signing", "4xx", _tampered,
          why="the signature covers the body; a changed body must not verify",
          fix_accepted="it accepted a body that does not match its signature: compute the signature "
                       "over the exact raw bytes received (not parsed and re-serialized JSON) and answer "
                       "400 or 401 on a mismatch"),
    Check("stale-timestamp", "timestamp 10 minutes old", "4xx", _stale,
          why="an old timestamp means a captured request being replayed",
          fix_accepted="it accepted a timestamp 10 minutes old: reject webhook-timestamp more than 5 "
                       "minutes from now (standardwebhooks does this in verify)"),
    Check("future-timestamp", "timestamp 10 minutes in the future", "4xx", _future,
          why="a timestamp far in the future is forged or from a broken clock",
          fix_accepted="it accepted a timestamp 10 minutes ahead: reject webhook-timestamp more than 5 "
                       "minutes from now in either direction"),
    Check("unknown-event", "unknown event type", "2xx", _unknown_event,
          why="new event types appear without notice",
          fix_rejected="acknowledge (2xx) and ignore event types you do not handle; an error makes "
                       "the sender retry and finally disable the webhook"),
    Check("large-payload", "large valid payload (500 KB)", "2xx", _large,
          why="real events can be large (long histories, many nights)",
          fix_rejected="accept bodies of at least 1 MB (raise the body size limit of your framework "
                       "or proxy) and answer 2xx"),
)


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _judge(check: Check, status: int, elapsed: float) -> tuple[bool, str, str]:
    """Return (passed, reason, fix) for an answer."""
    got = _status_class(status)
    if got == check.expect:
        return True, f"got {status} in {elapsed * 1000:.0f} ms", ""
    reason = f"got {status}"
    if status >= 500:
        fix = ("it crashed (5xx): " + (check.fix_rejected or "catch the verification error and answer 400 "
                                        "or 401; a 5xx makes senders retry")) \
            if check.expect == "2xx" else ("it answered 5xx instead of rejecting: catch the verification "
                                           "error and answer 400 or 401 (a 5xx makes senders retry)")
    elif 300 <= status < 400:
        fix = "it redirected: point the webhook at the final URL (senders do not follow redirects)"
    elif check.expect == "4xx":
        fix = check.fix_accepted
    else:
        fix = check.fix_rejected
        if status == 413:
            fix = "it refused the size (413): accept bodies of at least 1 MB"
    return False, reason, fix


def run(url: str, secret: str, *, checks: tuple[Check, ...] = CHECKS,
        on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run every check against ``url`` in order; return the verdicts."""
    battery = Battery(url, secret)
    session = requests.Session()
    session.trust_env = False  # only ever 127.0.0.1 or the URL given; skip proxy lookups
    results: list[Result] = []
    unreachable: str | None = None
    try:
        for check in checks:
            request = check.build(battery)
            sent = {"note": request.note, "bytes": len(request.body),
                    "headers": {k: v for k, v in request.headers.items() if k.startswith("webhook-")}}
            if unreachable:
                result = Result(check.id, check.title, check.expect, False, None, 0.0, unreachable,
                                "start the receiver, or check the URL", "", sent)
            else:
                result = _send(session, url, check, request, sent)
                if result.status is None and "could not connect" in result.reason:
                    unreachable = result.reason
            results.append(result)
            if on_result:
                on_result(result)
    finally:
        session.close()
    return results


def _send(session: requests.Session, url: str, check: Check, request: Request, sent: dict) -> Result:
    started = time.perf_counter()
    try:
        response = session.post(url, data=request.body, headers=request.headers, timeout=check.timeout,
                                allow_redirects=False)
    except requests.Timeout:
        elapsed = time.perf_counter() - started
        fix = ("acknowledge first and do the work afterwards (a queue or background job): senders "
               "give up after a few seconds and retry")
        return Result(check.id, check.title, check.expect, False, None, elapsed * 1000,
                      f"no answer within {check.timeout:.0f} s", fix, check.why, sent)
    except requests.ConnectionError as exc:
        elapsed = time.perf_counter() - started
        return Result(check.id, check.title, check.expect, False, None, elapsed * 1000,
                      f"could not connect to {url}: {_short(exc)}", "start the receiver, or check the URL",
                      "", sent)
    elapsed = time.perf_counter() - started
    passed, reason, fix = _judge(check, response.status_code, elapsed)
    snippet = response.text[:200] if response.content else ""
    return Result(check.id, check.title, check.expect, passed, response.status_code, elapsed * 1000,
                  reason, fix, "" if passed else check.why, sent, snippet)


def _short(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset"):
        if marker in text:
            return marker.lower()
    return text[:160]
