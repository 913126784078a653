"""Wink's published signing profile (``schemas/webhooks.json``, security scheme ``winkWebhookSignature``).

``Wink-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(key, t + "." + raw body)>``; during
a secret rotation's overlap one ``v1`` per secret, the newest first: ``t=...,v1=<new>,v1=<old>``.

The spec does not say which bytes of ``whsec_...`` key the HMAC. The sandbox uses the **whole secret
string, ``whsec_`` prefix included, as UTF-8 bytes**: the spec's formula reads ``hmac(secret, ...)``,
and Stripe, whose ``t=,v1=`` scheme this copies, keys its ``whsec_`` secrets the same way, so Stripe's
own verification code (``stripe.WebhookSignature.verify_header``) verifies these deliveries.
"""

from __future__ import annotations

import hashlib
import hmac

from sandbox.signing.common import DEFAULT_TOLERANCE, SignatureError, check_timestamp

NAME = "wink"
SIGNATURE_HEADER = "Wink-Signature"
EVENT_ID_HEADER = "Wink-Event-Id"
DELIVERY_ID_HEADER = "Wink-Delivery-Id"
EVENT_TYPE_HEADER = "Wink-Event-Type"
ATTEMPT_HEADER = "Wink-Delivery-Attempt"
VERSION_HEADER = "Wink-Version"
WIRE_VERSION = "2.0"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the lower-case hex HMAC-SHA256 of ``t.body`` under the whole secret string."""
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """Return the ``Wink-Signature`` value: ``t=<unix>`` and one ``v1=`` per secret, in order."""
    return ",".join([f"t={timestamp}", *(f"v1={sign(secret, timestamp, body)}" for secret in secrets)])


def headers(*, secrets: list[str], event_id: str, delivery_id: str, event_key: str, attempt: int,
            body: bytes, timestamp: int) -> dict:
    """Return Wink's six headers of one attempt."""
    return {
        SIGNATURE_HEADER: signature_header(secrets, timestamp, body),
        EVENT_ID_HEADER: event_id,
        DELIVERY_ID_HEADER: delivery_id,
        EVENT_TYPE_HEADER: event_key,
        ATTEMPT_HEADER: str(attempt),
        VERSION_HEADER: WIRE_VERSION,
    }


def parse(value: str) -> tuple[int, list[str]]:
    """Split a ``Wink-Signature`` value into its timestamp and its ``v1`` signatures."""
    timestamp, signatures = None, []
    for part in value.split(","):
        name, sep, item = part.strip().partition("=")
        if not sep:
            continue
        if name == "t":
            try:
                timestamp = int(item)
            except ValueError:
                raise SignatureError(f"{SIGNATURE_HEADER} t={item!r} is not unix seconds") from None
        elif name == "v1":
            signatures.append(item)
    if timestamp is None:
        raise SignatureError(f"{SIGNATURE_HEADER} has no t=<unix seconds>")
    if not signatures:
        raise SignatureError(f"{SIGNATURE_HEADER} has no v1=<signature>")
    return timestamp, signatures


def verify(secret: str, request_headers: dict, body: bytes, *, tolerance: int = DEFAULT_TOLERANCE,
           now: float | None = None) -> None:
    """Check one request against one secret; raise SignatureError saying why it fails.

    ``request_headers`` has lower-case names. Timestamps more than ``tolerance`` seconds old are
    refused, as Wink tells receivers to; so are those as far in the future (a forged clock).
    """
    value = request_headers.get(SIGNATURE_HEADER.lower())
    if not value:
        raise SignatureError(f"missing header {SIGNATURE_HEADER}")
    timestamp, signatures = parse(value)
    check_timestamp(timestamp, tolerance, now)
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(candidate.lower(), expected) for candidate in signatures):
        raise SignatureError("no v1 signature matches the secret (wrong secret or altered body)")
