"""The catalog of Wink event types: every key the sandbox knows, loaded from data/events.json.

132 keys: 105 ``current`` (Wink's events catalog), 24 ``legacy`` (the older TripPay catalog) and 3
``example-only`` names from Wink's guides. ``booking.created`` (the guides' name) and ``booking.create``
(the catalog's) are the same event; ``aliases()`` tells which keys name the same event, and
``wire_key()`` which one goes out on the wire (``booking.create``, as in Wink's published spec).

Each entry also says whether Wink delivers the key to webhooks (``delivered``: the 70 keys of the
spec's ``webhooks`` section) and to which recipient roles (``roles``). For delivered keys the roles are
Wink's; for the others (Wink lists them with no roles) they are the sandbox's choice by family:
account-level keys go to the account itself (``SELF``), booking and payment keys to the hotel and the
reseller (``SUPPLIER``, ``AFFILIATE``/``AGENT``), everything else to the hotel and its sellers.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources

STATUSES = ("current", "legacy", "example-only")

# Keys that name the same event: the wire's (Wink's spec) name first, then the guides' name.
_ALIASES = (("booking.create", "booking.created"),)
ROLES = ("SUPPLIER", "AFFILIATE", "AGENT", "SELF")


@cache
def event_types() -> tuple[dict, ...]:
    """Return every event type as ``{key, category, status, description}``, in catalog order."""
    text = resources.files("sandbox").joinpath("data/events.json").read_text("utf-8")
    return tuple(json.loads(text))


@cache
def _by_key() -> dict[str, dict]:
    return {item["key"]: item for item in event_types()}


def keys() -> list[str]:
    """Return every known event key, in catalog order."""
    return [item["key"] for item in event_types()]


def is_known(key: str) -> bool:
    """Tell whether ``key`` is a known event key."""
    return isinstance(key, str) and key in _by_key()


def get(key: str) -> dict | None:
    """Return the catalog entry for ``key``, or None."""
    return _by_key().get(key) if isinstance(key, str) else None


def categories() -> list[str]:
    """Return the categories, in catalog order."""
    return list(dict.fromkeys(item["category"] for item in event_types()))


def aliases(key: str) -> list[str]:
    """Return the other keys naming the same event as ``key`` (booking.create <-> booking.created)."""
    for group in _ALIASES:
        if key in group:
            return [other for other in group if other != key]
    return []


def wire_key(key: str) -> str:
    """Return the key that goes out on the wire for ``key``: ``booking.create`` for ``booking.created``."""
    for group in _ALIASES:
        if key in group:
            return group[0]
    return key


def roles(key: str) -> tuple[str, ...]:
    """Return the recipient roles of ``key`` (empty for an unknown key)."""
    entry = get(key)
    return tuple(entry["roles"]) if entry else ()


def same_event(key: str) -> set[str]:
    """Return ``key`` and its aliases: a webhook listening to any of them receives the event."""
    return {key, *aliases(key)}


def list_event_types(category: str | None = None, status: str | None = None,
                     q: str | None = None) -> list[dict]:
    """Return catalog entries filtered by category and status (case-insensitive) and by a substring
    ``q`` of the key or description."""
    wanted_category = category.strip().lower() if category else None
    wanted_status = status.strip().lower() if status else None
    needle = q.strip().lower() if q else None
    found = []
    for item in event_types():
        if wanted_category and item["category"].lower() != wanted_category:
            continue
        if wanted_status and item["status"] != wanted_status:
            continue
        if needle and needle not in item["key"].lower() and needle not in item["description"].lower():
            continue
        found.append(dict(item))
    return found


def _distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: edits, counting a swap of neighbours as one."""
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous_previous[j - 2] + 1)
            current.append(value)
        previous_previous, previous = previous, current
    return previous[-1]


def suggest(key: str, n: int = 3) -> list[str]:
    """Return up to ``n`` known keys closest to a mistyped ``key``, closest first."""
    if not isinstance(key, str) or not key:
        return []
    key = key.strip().lower()[:100]  # bounds the work a very long bad key can cause
    candidates = set(difflib.get_close_matches(key, keys(), n=10, cutoff=0.6))
    limit = max(2, len(key) // 5)
    scored = []
    for order, known in enumerate(keys()):
        if known not in candidates and abs(len(known) - len(key)) > limit:
            continue
        distance = _distance(key, known)
        if known in candidates or distance <= limit:
            ratio = difflib.SequenceMatcher(None, key, known).ratio()
            scored.append((distance, -ratio, order, known))
    return [known for *_, known in sorted(scored)[:n]]
