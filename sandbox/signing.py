"""Standard Webhooks signing and verification (https://www.standardwebhooks.com).

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the signature is ``v1,`` plus
base64 of its HMAC-SHA256 under the secret's bytes (the base64 part after ``whsec_``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 5 * 60


class SignatureError(ValueError):
    """A request whose signature does not verify; the message says why."""


def secret_bytes(secret: str) -> bytes:
    """Decode a ``whsec_...`` secret to the key bytes; ValueError if it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a signing secret starts with whsec_")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the part after whsec_ is not valid base64") from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return one ``v1,<base64>`` signature."""
    key = secret_bytes(secret)
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``webhook-signature`` value: one signature per secret, space-separated."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets)


def headers(secrets: Iterable[str], msg_id: str, body: bytes, timestamp: int | None = None) -> dict:
    """Return the Standard Webhooks trio for one attempt."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, msg_id, timestamp, body),
    }


def verify(secret: str, request_headers: dict, body: bytes, *, tolerance: int = DEFAULT_TOLERANCE,
           now: float | None = None) -> None:
    """Check a request's signature; raise SignatureError saying why it fails."""
    lowered = {k.lower(): v for k, v in request_headers.items()}
    msg_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    missing = [name for name, value in (("webhook-id", msg_id), ("webhook-timestamp", timestamp),
                                        ("webhook-signature", signatures)) if not value]
    if missing:
        raise SignatureError("missing header " + ", ".join(missing))
    try:
        ts = int(timestamp)
    except ValueError:
        raise SignatureError(f"webhook-timestamp {timestamp!r} is not unix seconds") from None
    now = time.time() if now is None else now
    if ts < now - tolerance:
        raise SignatureError(f"timestamp is {int(now - ts)} s old (tolerance {tolerance} s)")
    if ts > now + tolerance:
        raise SignatureError(f"timestamp is {int(ts - now)} s in the future (tolerance {tolerance} s)")
    expected = sign(secret, msg_id, ts, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise SignatureError("no v1 signature matches the secret (wrong secret or altered body)")
