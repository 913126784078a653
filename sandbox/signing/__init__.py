"""Signing profiles: how a delivery's headers are signed, and how a signed request is verified.

A webhook has one signing *profile*, a dialect of headers and signature. Each profile is one module
with the same small interface (``NAME``, ``SIGNATURE_HEADER``, ``headers()``, ``verify()``), so a
further provider's dialect is one more module added to ``PROFILES``:

- ``wink`` (the default): Wink's published contract. ``Wink-Signature: t=<unix>,v1=<hex>`` over
  ``t + "." + raw body``, plus ``Wink-Event-Id``, ``Wink-Delivery-Id``, ``Wink-Event-Type``,
  ``Wink-Delivery-Attempt`` and ``Wink-Version``.
- ``standard-webhooks``: the Standard Webhooks trio (``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature``) with the sandbox's older ``X-Wink-*`` headers, for receivers built on Svix or
  the ``standardwebhooks`` libraries.

Secrets are ``whsec_`` plus base64. Wink's own example (``whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M``)
is unpadded; the sandbox accepts standard or URL-safe base64, padded or not, wherever a secret is given.
"""

from __future__ import annotations

import base64
import binascii
import secrets as _random
import time
from collections.abc import Iterable
from types import ModuleType

from sandbox.signing import standard_webhooks, wink
from sandbox.signing.common import DEFAULT_TOLERANCE, SECRET_PREFIX, SignatureError

__all__ = ["DEFAULT_PROFILE", "DEFAULT_TOLERANCE", "PROFILES", "SECRET_PREFIX", "SignatureError",
           "check_secret", "delivery_headers", "detect", "get", "new_secret", "secret_bytes", "verify"]

PROFILES: dict[str, ModuleType] = {wink.NAME: wink, standard_webhooks.NAME: standard_webhooks}
DEFAULT_PROFILE = wink.NAME


def get(name: str | None) -> ModuleType:
    """Return the profile module called ``name`` (the default for None); ValueError naming the choices."""
    if name is None:
        return PROFILES[DEFAULT_PROFILE]
    found = PROFILES.get(name) if isinstance(name, str) else None
    if found is None:
        raise ValueError(f"must be one of {', '.join(PROFILES)}, not {name!r}")
    return found


def secret_bytes(secret: str) -> bytes:
    """Decode the base64 part of a ``whsec_...`` secret; ValueError saying what is wrong.

    Standard or URL-safe alphabet, with or without ``=`` padding (Wink's example has none).
    """
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise ValueError("a signing secret starts with whsec_")
    tail = secret[len(SECRET_PREFIX):]
    if not tail:
        raise ValueError("a signing secret has base64 after whsec_")
    if len(tail) > 512:
        raise ValueError("a signing secret is at most 512 characters of base64 after whsec_")
    stripped = tail.rstrip("=")
    if len(tail) - len(stripped) > 2 or len(stripped) % 4 == 1:
        raise ValueError("the part after whsec_ is not valid base64")
    padded = stripped + "=" * (-len(stripped) % 4)
    alphabet = "-_" if ("-" in padded or "_" in padded) else "+/"
    try:
        return base64.b64decode(padded, altchars=alphabet.encode(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the part after whsec_ is not valid base64") from None


def check_secret(secret: str) -> str:
    """Return ``secret`` when it is a usable ``whsec_`` secret; ValueError saying why not."""
    secret_bytes(secret)
    return secret


def new_secret() -> str:
    """Return a fresh secret: ``whsec_`` + 44 characters of base64 (33 random bytes).

    33 bytes encode to base64 without ``=`` padding, so the same secret reads the same padded or
    unpadded: Wink's form and the one the ``standardwebhooks`` libraries decode.
    """
    return SECRET_PREFIX + base64.b64encode(_random.token_bytes(33)).decode()


def delivery_headers(profile: str | None, *, secrets: list[str], event_id: str, delivery_id: str,
                     event_key: str, attempt: int, body: bytes, timestamp: int | None = None) -> dict:
    """Return the profile's headers of one attempt (signature and identifiers, no Content-Type)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return get(profile).headers(secrets=secrets, event_id=event_id, delivery_id=delivery_id,
                                event_key=event_key, attempt=attempt, body=body, timestamp=timestamp)


def detect(request_headers) -> str | None:
    """Return the name of the profile whose signature header a request carries, or None."""
    lowered = {k.lower() for k in request_headers}
    for name, module in PROFILES.items():
        if module.SIGNATURE_HEADER.lower() in lowered:
            return name
    return None


def verify(secrets: str | Iterable[str], request_headers, body: bytes, *, profile: str | None = None,
           tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> str:
    """Check a request's signature against one secret or several; return the profile that verified.

    With no ``profile`` the request's own signature header picks it. Raise SignatureError saying why
    the request fails (the reason of the first secret when none verifies).
    """
    secret_list = [secrets] if isinstance(secrets, str) else list(secrets)
    headers = {str(k).lower(): v for k, v in dict(request_headers).items()}
    name = profile or detect(headers)
    if name is None:
        expected = " or ".join(module.SIGNATURE_HEADER for module in PROFILES.values())
        raise SignatureError(f"missing header {expected}")
    module = get(name)
    first: SignatureError | None = None
    for secret in secret_list:
        try:
            module.verify(secret, headers, body, tolerance=tolerance, now=now)
            return name
        except SignatureError as exc:
            first = first or exc
    raise first or SignatureError("no secret to verify with")
