"""What every payload shape shares: the resource a payload is about, dates with a zone, and links."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    """The full record a payload summarizes: its kind, its id, and the hotel whose extranet serves it."""

    kind: str
    id: str
    hotel: str

    def path(self) -> str:
        """Return the record's SUPPLIER-side canonical path (``links.self`` without the base URL)."""
        from sandbox.payloads.links import path_of

        return path_of(self)


def zoned(value: str | None) -> str | None:
    """Give a record's UTC date-time without zone (``2026-01-15T09:30:00``) the ``Z`` of Wink's payloads."""
    if not isinstance(value, str) or not value:
        return None
    return value if value.endswith("Z") or "+" in value[10:] else value + "Z"


def unzoned(value: str | None) -> str | None:
    """Turn a payload date-time back into the record's form (UTC, no zone)."""
    if not isinstance(value, str):
        return value
    return value[:-1] if value.endswith("Z") else value


def link(resource: Resource, base_url: str) -> dict:
    """Return ``links`` for a payload: the absolute URL of its full record on this sandbox."""
    return {"self": base_url.rstrip("/") + resource.path()}


def compact(mapping: dict) -> dict:
    """Drop the keys whose value is None (Wink leaves absent what it does not know)."""
    return {key: value for key, value in mapping.items() if value is not None}
