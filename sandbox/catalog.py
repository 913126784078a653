"""The catalog of Wink event types: every key the sandbox knows, loaded from data/events.json."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources


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
    return key in _by_key()


def get(key: str) -> dict | None:
    """Return the catalog entry for ``key``, or None."""
    return _by_key().get(key)


def suggest(key: str, n: int = 3) -> list[str]:
    """Return up to ``n`` known keys closest to a mistyped ``key``."""
    return difflib.get_close_matches(key, keys(), n=n, cutoff=0.6)
