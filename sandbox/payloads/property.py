"""Properties (hotels): ``PropertyWebhookPayload`` for the 12 ``property.*`` keys Wink delivers.

``property.updated`` (listed, never delivered) goes out in the same shape. The full record is the
generator's property (``sandbox.generate.property``); the payload is Wink's summary of it:

=================  ==========================================================================
payload            record
=================  ==========================================================================
hotelIdentifier    ``id`` (a property is its own managing entity: ``managingEntityIdentifier``)
name, urlName      ``name``, ``urlName``
status             ``status`` (Wink's seven values; a record's older ``PENDING``/``DELETED`` read
                   as ``PENDING_APPROVAL``/``REMOVED``)
currencyCode       ``currencyCode``
address            ``address``: ``addressLine1``/``addressLine2`` <- ``line1``/``line2``, ``city``,
                   ``state``, ``postalCode``, ``countryCode``
location           ``geolocation`` (``latitude``, ``longitude``)
lastUpdatedAt      ``lastUpdate`` with its ``Z``
=================  ==========================================================================

The record lives at ``/api/managing-entity/{hotel}/extranet/property`` (Wink's ``showHotelByManager``).
"""

from __future__ import annotations

from sandbox.jsoncopy import copy_json
from sandbox.payloads.common import Resource, compact, link, unzoned, zoned

KIND = "property"
# Statuses a stored record may carry from before the generator spoke Wink's enum.
_LEGACY_STATUSES = {"PENDING": "PENDING_APPROVAL", "DELETED": "REMOVED"}
_ADDRESS = (("addressLine1", "line1"), ("addressLine2", "line2"), ("city", "city"), ("state", "state"),
            ("postalCode", "postalCode"), ("countryCode", "countryCode"))
# What each key changes in a stored property: the record's fields it takes from the new record.
_CHANGES: dict[str, tuple[str, ...]] = {
    "property.created": ("status",),
    "property.updated": ("telephone", "website"),
    "property.deleted": ("status", "deletedDate"),
    "property.registered": ("status", "registeredDate"),
    "property.status.updated": ("status",),
    "property.name.updated": ("name",),
    "property.address.updated": ("address",),
    "property.geolocation.updated": ("geolocation",),
    "property.profile.updated": ("starRating", "checkInTime", "checkOutTime"),
    "property.services.updated": ("services",),
    "property.welcome_text.updated": ("welcomeText",),
    "property.policy.created": (),
    "property.policy.updated": (),
}
_EVENT_BLOCKS = ("changes", "previousStatus", "policy")   # what the last event said, not the property


def resource(key: str, summary: dict) -> Resource | None:
    """Return the property a payload is about, or None when it names none."""
    hotel = summary.get("hotelIdentifier")
    return Resource(KIND, hotel, hotel) if isinstance(hotel, str) else None


def record_resource(key: str, record: dict) -> Resource:
    """Return the property a full record is."""
    return Resource(KIND, record["id"], record["id"])


# ---- record -> summary ------------------------------------------------------------------------

def wink_status(status: str | None) -> str | None:
    """Return Wink's status for a record's status."""
    return _LEGACY_STATUSES.get(status, status) if isinstance(status, str) else None


def _address(address) -> dict | None:
    if not isinstance(address, dict):
        return None
    return compact({wink: address.get(field) for wink, field in _ADDRESS})


def _location(point) -> dict | None:
    if not isinstance(point, dict):
        return None
    return compact({"latitude": point.get("latitude"), "longitude": point.get("longitude")})


def summarize(key: str, record: dict, base_url: str) -> dict:
    """Return Wink's ``PropertyWebhookPayload`` of a full property record."""
    return compact({
        "hotelIdentifier": record.get("id"),
        "name": record.get("name"),
        "status": wink_status(record.get("status")),
        "currencyCode": record.get("currencyCode"),
        "address": _address(record.get("address")),
        "location": _location(record.get("geolocation")),
        "urlName": record.get("urlName"),
        "lastUpdatedAt": zoned(record.get("lastUpdate")),
        "links": link(record_resource(key, record), base_url),
    })


# ---- summary -> record ------------------------------------------------------------------------

def _put(target: dict, name: str, value) -> None:
    if value is not None:
        target[name] = value


def _shown(record: dict, field: str) -> str | None:
    """Return a field as a change entry shows it (``changes[].newValue``)."""
    if field == "geolocation":
        point = record.get("geolocation") or {}
        return f"{point.get('latitude')},{point.get('longitude')}"
    value = record
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value if isinstance(value, str) or value is None else str(value)


_SUMMARIZED = ("name", "urlName", "status", "currencyCode", "geolocation",
               *(f"address.{field}" for _, field in _ADDRESS))


def _refresh_changes(record: dict, fields=_SUMMARIZED) -> None:
    """Make the record's change entries (on ``fields``) end at its current values."""
    for change in record.get("changes") or []:
        if isinstance(change, dict) and change.get("field") in fields:
            change["newValue"] = _shown(record, change["field"])


def apply(key: str, record: dict, summary: dict) -> dict:
    """Return ``record`` with the summary's values written in (the fields both have)."""
    record = copy_json(record)
    hotel = summary.get("hotelIdentifier")
    _put(record, "id", hotel)
    _put(record, "managingEntityIdentifier", hotel)
    for field in ("name", "status", "currencyCode", "urlName"):
        _put(record, field, summary.get(field))
    address = summary.get("address")
    if isinstance(address, dict):
        target = record.setdefault("address", {})
        for wink, field in _ADDRESS:
            _put(target, field, address.get(wink))
    location = summary.get("location")
    if isinstance(location, dict):
        target = record.setdefault("geolocation", {})
        for field in ("latitude", "longitude"):
            _put(target, field, location.get(field))
    _put(record, "lastUpdate", unzoned(summary.get("lastUpdatedAt")))
    _refresh_changes(record)
    return record


# ---- a stored property, moved on by one event -------------------------------------------------

def _policies(key: str, record: dict, new: dict) -> None:
    policy = new.get("policy")
    if not isinstance(policy, dict):
        return
    policies = record.setdefault("policies", [])
    if key == "property.policy.updated" and policies:
        # the stored property's latest policy is the one updated: it keeps its identifier
        policy = {**copy_json(policy), "identifier": policies[-1].get("identifier")}
        policies[-1] = policy
    else:
        policy = copy_json(policy)
        policies.append(policy)
    record["policy"] = dict(policy)


def evolve(key: str, old: dict, new: dict) -> dict:
    """Return the stored property ``old`` after event ``key``, whose freshly generated property is ``new``.

    The property keeps its identity (id, managing entity, and every field the key does not change);
    it takes from ``new`` what the key changes (its status, name, address, pin, services, welcome text,
    a policy...), with change entries that start at the stored values.
    """
    record = copy_json(old)
    for block in _EVENT_BLOCKS:
        record.pop(block, None)
    fields = _CHANGES.get(key, ())
    for field in fields:
        if field in new:
            record[field] = copy_json(new[field])
    if key == "property.status.updated":
        record["previousStatus"] = old.get("status")
    if new.get("changes"):
        record["changes"] = [{**change, "previousValue": _shown(old, change.get("field", ""))}
                             for change in copy_json(new["changes"])]
        _refresh_changes(record, {change.get("field") for change in record["changes"]})
    _policies(key, record, new)
    record["lastUpdate"] = new.get("lastUpdate") or record.get("lastUpdate")
    record["version"] = int(record.get("version") or 0) + 1
    return record

