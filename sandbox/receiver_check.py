"""The receiver check: a battery of signed (and wrongly signed) requests against a running receiver.

Each check sends one request, a Wink envelope signed in one profile (Wink's by default, or Standard
Webhooks), and expects a class of answer. A valid delivery, a retry of it, the two halves of a secret
rotation (the receiver's signature second, then first), an unknown event type, a large body and a
body of multi-byte UTF-8 must get 2xx; a request signed with another secret, unsigned, with a
signature header but no ``v1``, tampered, re-dated onto an old signature, stale or from the future
must get 4xx. A failed check carries the reason (what came back) and a fix (what to change in the
receiver), in the words of the profile checked.
"""

from __future__ import annotations

import copy
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from sandbox import __version__, signing
from sandbox.envelope import make_event, to_json

VALID_TIMEOUT = 5.0  # Wink waits 10 s; a receiver should acknowledge well within that
OTHER_TIMEOUT = 10.0
SKEW_SECONDS = 10 * 60
LARGE_BYTES = 500 * 1024
MULTIBYTE_BYTES = 100 * 1024
CHECK_SEED = 20260115
CHECK_KEY = "booking.created"  # goes out as booking.create, its key on the wire
UNKNOWN_EVENT = "sandbox.check.unknown_event_type"
USER_AGENT = f"WebhookSandbox/{__version__} (receiver check)"
# Guests write in every script; a receiver that decodes the body chunk by chunk splits characters.
MULTIBYTE_LINES = (
    ("th", "แขกขอห้องเงียบ ๆ ห่างจากลิฟต์ เช็คเอาท์ช้า และรถรับส่งจากสนามบินสุวรรณภูมิ ขอบคุณมากค่ะ 🙏🏽"),
    ("pt", "Chegaremos às 23h30; é possível fazer o check-in tardio? Não precisamos de café da manhã. "
           "Obrigado pela atenção — São Paulo ✈️ Bangkok."),
    ("emoji", "🛏️🌴☀️🍜🚕✈️🙏🏽👨‍👩‍👧‍👦🏝️🎉"),
)


@dataclass(frozen=True)
class Dialect:
    """How one signing profile is spoken of in the fixes, and how its requests are forged."""

    signature: str  # the signature header
    event_id: str  # the idempotency header
    timestamp: str  # where the signed timestamp travels
    signed: str  # what the signature covers
    verify: str  # how to verify, as advice
    compute: str  # what the signature is, for a receiver that rejects good requests
    retime: Callable[[dict, int], None]  # put another timestamp on signed headers, keeping the signature
    strip: Callable[[dict], None]  # keep the signature header but drop every v1 signature


def _wink_retime(headers: dict, stamp: int) -> None:
    headers["Wink-Signature"] = re.sub(r"^t=\d+", f"t={stamp}", headers["Wink-Signature"])


def _wink_strip(headers: dict) -> None:
    headers["Wink-Signature"] = headers["Wink-Signature"].split(",", 1)[0]  # t=... alone


def _standard_retime(headers: dict, stamp: int) -> None:
    headers["webhook-timestamp"] = str(stamp)


def _standard_strip(headers: dict) -> None:
    headers["webhook-signature"] = "v1,"


DIALECTS: dict[str, Dialect] = {
    "wink": Dialect(
        signature="Wink-Signature", event_id="Wink-Event-Id", timestamp="t= (in Wink-Signature)",
        signed="t + '.' + raw body",
        verify="verify Wink-Signature on the raw body before anything else: HMAC-SHA256 of t + '.' + raw "
               "body keyed by the whole whsec_ secret string, hex, compared in constant time with each v1= "
               "(Stripe's stripe.WebhookSignature.verify_header(body, header, secret, 300) works)",
        compute="the signature is the hex HMAC-SHA256 of t + '.' + the raw body bytes (not re-serialized "
                "JSON), keyed by the whole whsec_ secret string as UTF-8 (prefix included, not its "
                "base64-decoded bytes); compare it with every v1= of Wink-Signature",
        retime=_wink_retime, strip=_wink_strip),
    "standard-webhooks": Dialect(
        signature="webhook-signature", event_id="webhook-id", timestamp="webhook-timestamp",
        signed="webhook-id + '.' + webhook-timestamp + '.' + raw body",
        verify="verify the signature on the raw body before anything else (standardwebhooks: "
               "Webhook(secret).verify(body, headers))",
        compute="verify the raw request body bytes (not re-serialized JSON) with the full whsec_ secret, "
                "reading the webhook-id, webhook-timestamp and webhook-signature headers",
        retime=_standard_retime, strip=_standard_strip),
}


@dataclass
class Request:
    headers: dict
    body: bytes
    note: str = ""


@dataclass
class Check:
    """One check: how to build its request, what answer it needs, and how to fix a failure.

    Titles, whys and fixes may name ``{signature}``, ``{event_id}``, ``{timestamp}``, ``{signed}``,
    ``{verify}`` and ``{compute}``: the profile's own words (``Dialect``).
    """

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


class Battery:
    """The requests of one run: one valid delivery that the other checks derive from, in one profile."""

    def __init__(self, url: str, secret: str, *, profile: str | None = None, seed: int = CHECK_SEED):
        signing.check_secret(secret)  # ValueError now, before any request
        self.profile = signing.get(profile).NAME  # ValueError naming the profiles
        self.dialect = DIALECTS[self.profile]
        self.url = url
        self.secret = secret
        self.other_secret = signing.new_secret()  # a well-formed secret that is not the receiver's
        self.seed = seed
        self.envelope = make_event(CHECK_KEY, None, seed=seed)
        self.body = to_json(self.envelope)
        self.delivery_id = str(uuid.uuid4())

    def say(self, text: str) -> str:
        """Write the profile's words into a check's text."""
        d = self.dialect
        return text.format(signature=d.signature, event_id=d.event_id, timestamp=d.timestamp,
                           signed=d.signed, verify=d.verify, compute=d.compute)

    def letter(self, **changes) -> tuple[dict, bytes]:
        """A new delivery (new event id) of the check's event, with top-level fields changed."""
        envelope = {**copy.deepcopy(self.envelope), "id": str(uuid.uuid4()), **changes}
        return envelope, to_json(envelope)

    def signed(self, envelope: dict, body: bytes, *, secrets: list[str] | None = None,
               timestamp: int | None = None, attempt: int = 1, delivery_id: str | None = None) -> dict:
        """The headers the sandbox would send with ``body``, signed with ``secrets`` (the receiver's)."""
        signed = signing.delivery_headers(
            self.profile, secrets=secrets or [self.secret], event_id=envelope["id"],
            delivery_id=delivery_id or str(uuid.uuid4()), event_key=envelope["type"], attempt=attempt,
            body=body, timestamp=timestamp)
        return {"Content-Type": "application/json", "User-Agent": USER_AGENT, **signed}


def _valid(b: Battery) -> Request:
    headers = b.signed(b.envelope, b.body, delivery_id=b.delivery_id)
    return Request(headers, b.body, f"{b.envelope['type']}, correctly signed")


def _duplicate(b: Battery) -> Request:
    headers = b.signed(b.envelope, b.body, delivery_id=b.delivery_id, attempt=2)
    return Request(headers, b.body, f"the same delivery again, attempt 2, same {b.dialect.event_id} "
                                    f"{b.envelope['id']} (a sender's retry)")


def _rotation_old(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body, secrets=[b.other_secret, b.secret])
    return Request(headers, body, "signed during a secret rotation: the new secret's v1 first, "
                                  "then the receiver's")


def _rotation_new(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body, secrets=[b.secret, b.other_secret])
    return Request(headers, body, "signed during a secret rotation: the receiver's v1 first, "
                                  "then the previous secret's")


def _wrong_signature(b: Battery) -> Request:
    envelope, body = b.letter()
    return Request(b.signed(envelope, body, secrets=[b.other_secret]), body, "signed with another secret")


def _missing_signature(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body)
    del headers[b.dialect.signature]
    return Request(headers, body, f"no {b.dialect.signature} header")


def _no_v1(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body)
    b.dialect.strip(headers)
    return Request(headers, body, f"{b.dialect.signature}: {headers[b.dialect.signature]!r}, no v1 signature")


def _tampered(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body)
    altered = {**envelope, "type": "booking.cancelled"}
    return Request(headers, to_json(altered),
                   f"body changed after signing (type {envelope['type']} -> booking.cancelled)")


def _swapped_timestamp(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body, timestamp=int(time.time()) - SKEW_SECONDS)
    b.dialect.retime(headers, int(time.time()))
    return Request(headers, body, "the signature of a request 10 minutes old, with the timestamp set to now "
                                  "(a replay passing a clock check that is not signed)")


def _stale(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body, timestamp=int(time.time()) - SKEW_SECONDS)
    return Request(headers, body, "correctly signed 10 minutes ago (a replayed request)")


def _future(b: Battery) -> Request:
    envelope, body = b.letter()
    headers = b.signed(envelope, body, timestamp=int(time.time()) + SKEW_SECONDS)
    return Request(headers, body, "correctly signed, timestamp 10 minutes in the future")


def _unknown_event(b: Battery) -> Request:
    envelope, body = b.letter(type=UNKNOWN_EVENT, object={
        "id": str(uuid.UUID(int=b.seed)), "note": "an event type the receiver never saw"})
    return Request(b.signed(envelope, body), body, f"correctly signed, event type {UNKNOWN_EVENT!r}")


def _padded(b: Battery, notes: list[dict], size: int) -> tuple[dict, bytes]:
    """A new delivery whose object carries ``notes`` (cycled) until the body is ``size`` bytes or more."""
    envelope, body = b.letter()
    envelope["object"]["notes"] = added = []
    per_round = len(to_json(notes))
    for _ in range(max(size // per_round, 1)):
        added.extend(notes)
    body = to_json(envelope)
    while len(body) < size:
        added.extend(notes)
        body = to_json(envelope)
    return envelope, body


def _large(b: Battery) -> Request:
    line = ("Guest asked for a quiet room away from the lift, a late check-out, an extra pillow and "
            "airport transfer on arrival; confirmed by the front desk. ")
    envelope, body = _padded(b, [{"author": "front-desk", "text": line * 4}], LARGE_BYTES)
    return Request(b.signed(envelope, body), body, f"correctly signed {envelope['type']} of "
                                                   f"{len(body) // 1024} KB")


def _multibyte(b: Battery) -> Request:
    notes = [{"author": f"guest ({language})", "text": text} for language, text in MULTIBYTE_LINES]
    envelope, body = _padded(b, notes, MULTIBYTE_BYTES)
    return Request(b.signed(envelope, body), body,
                   f"correctly signed {envelope['type']} of {len(body) // 1024} KB, "
                   f"{len(body) - len(body.decode('utf-8'))} bytes more than characters: Thai, "
                   "Portuguese and emoji text")


_REJECT = " and answer 400 or 401 when it fails"
_TIMESTAMP_FIX = ("it accepted a timestamp 10 minutes {when}: once the signature (which covers it) "
                  "verifies, reject {timestamp} more than 5 minutes {bound}")

CHECKS: tuple[Check, ...] = (
    Check("valid", "valid signed booking.create", "2xx", _valid, timeout=VALID_TIMEOUT,
          why="Wink gives a receiver 10 s; a correct delivery must be acknowledged with 2xx well within "
              "that (5 s here)",
          fix_rejected="it rejected a correctly signed delivery: {compute}"),
    Check("duplicate", "duplicate {event_id}", "2xx", _duplicate,
          why="senders retry with the same {event_id}; the receiver must be idempotent",
          fix_rejected="answer 2xx to an {event_id} you already processed and skip the work (store "
                       "processed ids); rejecting retries makes the sender keep retrying"),
    Check("rotation-old-secret", "rotation: your v1 second", "2xx", _rotation_old,
          why="for 24 h after a secret rotation the header carries two v1 signatures, the new secret's "
              "first; a receiver still on the old secret must accept its own, wherever it stands",
          fix_rejected="it rejected a delivery signed during a rotation: compare your signature with "
                       "every v1 of {signature}, not only the first or the last"),
    Check("rotation-new-secret", "rotation: your v1 first", "2xx", _rotation_new,
          why="once you hold the new secret, its v1 comes first and the old secret's follows",
          fix_rejected="it rejected a delivery signed during a rotation: compare your signature with "
                       "every v1 of {signature} and accept when any one matches"),
    Check("wrong-signature", "signature made with another secret", "4xx", _wrong_signature,
          why="anyone can POST to your URL; only the signature proves the sender knows the secret",
          fix_accepted="it accepted a forged request: {verify}" + _REJECT),
    Check("missing-signature", "no {signature} header", "4xx", _missing_signature,
          why="an unsigned request is not from the sender",
          fix_accepted="it accepted an unsigned request: require the {signature} header; {verify}" + _REJECT),
    Check("no-v1-signature", "{signature} without a v1", "4xx", _no_v1,
          why="a header with no v1 signature proves nothing; code that checks 'every v1 matches' "
              "passes it vacuously",
          fix_accepted="it accepted a header with no v1 signature: accept only when at least one v1 "
                       "matches (any(...), not all(...) over the signatures)" + _REJECT),
    Check("tampered-body", "body altered after signing", "4xx", _tampered,
          why="the signature covers the body; a changed body must not verify",
          fix_accepted="it accepted a body that does not match its signature: compute the signature "
                       "over the exact raw bytes received (not parsed and re-serialized JSON)" + _REJECT),
    Check("swapped-timestamp", "old signature, timestamp set to now", "4xx", _swapped_timestamp,
          why="the timestamp is signed too; otherwise a captured request replays forever with a fresh one",
          fix_accepted="it accepted a signature made for another timestamp: compute the HMAC over "
                       "{signed} with the timestamp as received, so a re-dated request does not "
                       "verify," + _REJECT),
    Check("stale-timestamp", "timestamp 10 minutes old", "4xx", _stale,
          why="an old timestamp means a captured request being replayed; Wink tells receivers to reject "
              "timestamps older than 5 minutes",
          fix_accepted=_TIMESTAMP_FIX.replace("{when}", "old").replace("{bound}", "old")),
    Check("future-timestamp", "timestamp 10 minutes in the future", "4xx", _future,
          why="a timestamp far in the future is forged or from a broken clock, and stays replayable "
              "for longer",
          fix_accepted=_TIMESTAMP_FIX.replace("{when}", "ahead").replace(
              "{bound}", "ahead too (Stripe's verify_header only checks the past)")),
    Check("unknown-event", "unknown event type", "2xx", _unknown_event,
          why="new event types appear without notice",
          fix_rejected="acknowledge (2xx) and ignore event types you do not handle: Wink treats a 4xx "
                       "as final (the event is lost to you) and retries a 5xx for days"),
    Check("large-payload", "large valid payload (500 KB)", "2xx", _large,
          why="real events can be large (long histories, many nights)",
          fix_rejected="accept bodies of at least 1 MB (raise the body size limit of your framework "
                       "or proxy) and answer 2xx"),
    Check("multibyte-payload", "100 KB of Thai, Portuguese, emoji", "2xx", _multibyte,
          why="guests write in every script; the signature covers the raw bytes, so decoding the body "
              "piece by piece (splitting a character) breaks it",
          fix_rejected="it rejected a correctly signed body of multi-byte UTF-8: verify the raw bytes, "
                       "read whole; never decode chunks separately and re-encode them"),
)


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _judge(check: Check, status: int, elapsed: float) -> tuple[bool, str, str]:
    """Return (passed, reason, fix template) for an answer."""
    got = _status_class(status)
    if got == check.expect:
        return True, f"got {status} in {elapsed * 1000:.0f} ms", ""
    reason = f"got {status}"
    if status >= 500:
        fix = ("it crashed (5xx): " + (check.fix_rejected or "catch the verification error and answer 400 "
                                        "or 401; a 5xx makes senders retry")) \
            if check.expect == "2xx" else ("it answered 5xx instead of rejecting: catch the verification "
                                           "error and answer 400 or 401 (Wink retries a 5xx for days; a "
                                           "4xx other than 408 and 429 is final)")
    elif 300 <= status < 400:
        fix = "it redirected: point the webhook at the final URL (senders do not follow redirects)"
    elif check.expect == "4xx":
        fix = check.fix_accepted
    else:
        fix = check.fix_rejected
        if status == 413:
            fix = "it refused the size (413): accept bodies of at least 1 MB"
    return False, reason, fix


def run(url: str, secret: str, *, profile: str | None = None, checks: tuple[Check, ...] = CHECKS,
        on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run every check against ``url`` in order, signed in ``profile`` (default wink); return the verdicts."""
    battery = Battery(url, secret, profile=profile)
    session = requests.Session()
    session.trust_env = False  # only ever 127.0.0.1 or the URL given; skip proxy lookups
    results: list[Result] = []
    unreachable: str | None = None
    try:
        for check in checks:
            request = check.build(battery)
            sent = {"note": request.note, "bytes": len(request.body),
                    "headers": {k: v for k, v in request.headers.items()
                                if k not in ("Content-Type", "User-Agent")}}
            title = battery.say(check.title)
            if unreachable:
                result = Result(check.id, title, check.expect, False, None, 0.0, unreachable,
                                "start the receiver, or check the URL", "", sent)
            else:
                result = _send(session, url, check, request, sent)
                result.title, result.fix, result.why = title, battery.say(result.fix), battery.say(result.why)
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
        fix = ("acknowledge first and do the work afterwards (a queue or background job): Wink gives up "
               "after 10 s and retries")
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
