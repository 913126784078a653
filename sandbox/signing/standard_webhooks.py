"""The Standard Webhooks profile (https://www.standardwebhooks.com), opt-in per webhook.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the signature is ``v1,`` plus
base64 of its HMAC-SHA256 under the secret's bytes (the base64 part after ``whsec_``), one per
secret, space-separated. The sandbox's older ``X-Wink-Event``, ``X-Wink-Attempt`` and
``X-Wink-Delivery`` headers travel with it, as they did before Wink published its contract.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from sandbox.signing.common import DEFAULT_TOLERANCE, SignatureError, check_timestamp

NAME = "standard-webhooks"
SIGNATURE_HEADER = "webhook-signature"
EVENT_HEADER = "X-Wink-Event"
ATTEMPT_HEADER = "X-Wink-Attempt"
DELIVERY_HEADER = "X-Wink-Delivery"


def _key(secret: str) -> bytes:
    from sandbox.signing import secret_bytes

    return secret_bytes(secret)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return one ``v1,<base64>`` signature."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``webhook-signature`` value: one signature per secret, space-separated."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets)


def headers(*, secrets: list[str], event_id: str, delivery_id: str, event_key: str, attempt: int,
            body: bytes, timestamp: int) -> dict:
    """Return the Standard Webhooks trio with the sandbox's X-Wink-* headers."""
    return {
        EVENT_HEADER: event_key,
        ATTEMPT_HEADER: str(attempt),
        DELIVERY_HEADER: delivery_id,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        SIGNATURE_HEADER: signature_header(secrets, event_id, timestamp, body),
    }


def verify(secret: str, request_headers: dict, body: bytes, *, tolerance: int = DEFAULT_TOLERANCE,
           now: float | None = None) -> None:
    """Check one request against one secret (lower-case header names); raise SignatureError saying why."""
    msg_id = request_headers.get("webhook-id")
    timestamp = request_headers.get("webhook-timestamp")
    signatures = request_headers.get("webhook-signature")
    missing = [name for name, value in (("webhook-id", msg_id), ("webhook-timestamp", timestamp),
                                        ("webhook-signature", signatures)) if not value]
    if missing:
        raise SignatureError("missing header " + ", ".join(missing))
    try:
        ts = int(timestamp)
    except ValueError:
        raise SignatureError(f"webhook-timestamp {timestamp!r} is not unix seconds") from None
    check_timestamp(ts, tolerance, now)
    expected = sign(secret, msg_id, ts, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise SignatureError("no v1 signature matches the secret (wrong secret or altered body)")
