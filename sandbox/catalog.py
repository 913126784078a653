"""The catalog of Wink event types: every key the sandbox knows, loaded from data/events.json.

Each entry is ``{key, label, category, status, kind, description, delivered, roles, payload,
closest}``:

- ``label``: a readable name. For the 70 keys Wink delivers it is Wink's own ``summary`` ("Booking
  created"); for the others the sandbox's, made from the key and description (legacy keys end in
  "(TripPay)", the guides' example names in "(guide example)").
- ``kind``: what Wink does with the key (``KINDS``):
  ``delivered`` (one of the 70 keys Wink POSTs to webhooks, its spec's ``webhooks`` section),
  ``listed`` (35: in Wink's ``x-wink-event-types`` with ``delivered: false``, never POSTed),
  ``legacy`` (24: the older TripPay catalog) or ``example-only`` (2: names seen only in Wink's guides).
  ``status`` is where the name comes from (``current``: Wink's catalog; ``legacy``; ``example-only``).
- ``delivered``: the same fact as a boolean; ``roles``: who receives it. For delivered keys the roles
  are Wink's; for the others (Wink lists them with no roles) the sandbox's choice by family:
  account-level keys to the account itself (``SELF``), booking and payment keys to the hotel and the
  reseller, everything else to the hotel and its sellers.
- ``payload``: the Wink schema its ``object`` follows (null: the sandbox's own record);
  ``closest``: for a key Wink never delivers, the delivered key it is obviously nearest to, if any.

``booking.created`` (the name Wink's guides and API examples use) is an *alias* of ``booking.create``
(the key on the wire), not a key of its own: its entry says ``aliasOf``, ``list_event_types`` folds it
into booking.create's ``aliases``, and ``delivered_keys`` leaves it out; it is still known
(``is_known``, ``keys``, ``get``) and accepted wherever a key is, and ``wire_key`` turns it into
booking.create.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources

STATUSES = ("current", "legacy", "example-only")
KINDS = ("delivered", "listed", "legacy", "example-only")
ROLES = ("SUPPLIER", "AFFILIATE", "AGENT", "SELF")


@cache
def event_types() -> tuple[dict, ...]:
    """Return every catalog entry, aliases included, in catalog order."""
    text = resources.files("sandbox").joinpath("data/events.json").read_text("utf-8")
    return tuple(json.loads(text))


@cache
def _by_key() -> dict[str, dict]:
    return {item["key"]: item for item in event_types()}


@cache
def _aliases_of() -> dict[str, tuple[str, ...]]:
    """Each wire key with aliases -> its aliases, in catalog order."""
    found: dict[str, tuple[str, ...]] = {}
    for item in event_types():
        if item.get("aliasOf"):
            found[item["aliasOf"]] = (*found.get(item["aliasOf"], ()), item["key"])
    return found


def keys() -> list[str]:
    """Return every known event key, aliases included (every name accepted), in catalog order."""
    return [item["key"] for item in event_types()]


def delivered_keys() -> list[str]:
    """Return the 70 keys Wink delivers to webhooks (no aliases), in catalog order."""
    return [item["key"] for item in event_types() if item["kind"] == "delivered" and not item.get("aliasOf")]


def is_known(key: str) -> bool:
    """Tell whether ``key`` is a known event key (an alias such as booking.created included)."""
    return isinstance(key, str) and key in _by_key()


def get(key: str) -> dict | None:
    """Return the catalog entry for ``key``, or None."""
    return _by_key().get(key) if isinstance(key, str) else None


def is_delivered(key: str) -> bool:
    """Tell whether Wink delivers ``key`` to webhooks (booking.created: yes, as booking.create)."""
    entry = get(key)
    return bool(entry) and entry["kind"] == "delivered"


def kind(key: str) -> str | None:
    """Return what Wink does with ``key`` (one of ``KINDS``), or None for an unknown key."""
    entry = get(key)
    return entry["kind"] if entry else None


def label(key: str) -> str | None:
    """Return the readable name of ``key`` (Wink's summary for a delivered key), or None."""
    entry = get(key)
    return entry["label"] if entry else None


def closest(key: str) -> str | None:
    """Return the delivered key a key Wink never delivers is obviously nearest to, or None."""
    entry = get(key)
    return entry["closest"] if entry else None


def categories() -> list[str]:
    """Return the categories, in catalog order."""
    return list(dict.fromkeys(item["category"] for item in event_types()))


def aliases(key: str) -> list[str]:
    """Return the other keys naming the same event as ``key`` (booking.create <-> booking.created)."""
    wire = wire_key(key)
    return [other for other in (wire, *_aliases_of().get(wire, ())) if other != key]


def wire_key(key: str) -> str:
    """Return the key that goes out on the wire for ``key``: ``booking.create`` for ``booking.created``."""
    entry = get(key)
    return (entry.get("aliasOf") or key) if entry else key


def roles(key: str) -> tuple[str, ...]:
    """Return the recipient roles of ``key`` (empty for an unknown key)."""
    entry = get(key)
    return tuple(entry["roles"]) if entry else ()


def same_event(key: str) -> set[str]:
    """Return ``key`` and its aliases: a webhook listening to any of them receives the event."""
    return {key, *aliases(key)}


def list_event_types(category: str | None = None, status: str | None = None, q: str | None = None,
                     kind: str | None = None) -> list[dict]:
    """Return the catalog's event types, one per event: aliases are not entries of their own but
    named in their key's ``aliases`` (booking.create lists booking.created). Filter by category,
    status and kind (case-insensitive) and by a substring ``q`` of the key, an alias, the label or
    the description."""
    wanted_category = category.strip().lower() if category else None
    wanted_status = status.strip().lower() if status else None
    wanted_kind = kind.strip().lower() if kind else None
    needle = q.strip().lower() if q else None
    found = []
    for item in event_types():
        if item.get("aliasOf"):
            continue
        if wanted_category and item["category"].lower() != wanted_category:
            continue
        if wanted_status and item["status"] != wanted_status:
            continue
        if wanted_kind and item["kind"] != wanted_kind:
            continue
        names = [item["key"], *_aliases_of().get(item["key"], ())]
        text = " ".join([*names, item["label"], item["description"]]).lower()
        if needle and needle not in text:
            continue
        found.append({**item, "aliases": names[1:]})
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
