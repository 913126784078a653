"""What every signing profile shares: the secret prefix, the clock tolerance, the error and its check."""

from __future__ import annotations

import time

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 5 * 60


class SignatureError(ValueError):
    """A request whose signature does not verify; the message says why."""


def check_timestamp(ts: int, tolerance: int, now: float | None) -> None:
    """Refuse a timestamp more than ``tolerance`` seconds old or in the future."""
    now = time.time() if now is None else now
    if ts < now - tolerance:
        raise SignatureError(f"timestamp is {int(now - ts)} s old (tolerance {tolerance} s)")
    if ts > now + tolerance:
        raise SignatureError(f"timestamp is {int(ts - now)} s in the future (tolerance {tolerance} s)")
