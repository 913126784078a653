"""Inventory items: ``InventoryItemWebhookPayload`` for the 30 ``{family}.{created,updated,deleted}`` keys.

The families are room types, rate plans, master rates, add-ons, meeting rooms, restaurants, spas,
activities (``sandbox.generate.inventory``), sales channels and special rates
(``sandbox.generate.distribution``). The payload is Wink's summary of the item:

======================  ==================================================================
payload                 record
======================  ==================================================================
itemType                the key's family: ``room_type.*`` is ``ROOM_TYPE``, ``add_on.*`` is
                        ``ADD_ON``, ``sales_channel.*`` is ``SALES_CHANNEL``...
itemIdentifier          ``id``
hotelIdentifier         ``propertyIdentifier``; a sales channel's ``supplier.identifier``
name                    ``name``; a sales channel's ``affiliate.name`` (a channel has no name
                        of its own; the hotel knows it by the reseller that sells through it)
active                  ``status == "ACTIVE"`` (a ``PENDING`` or ``PAUSED`` channel and a
                        deleted item are not on sale)
counterpartyIdentifier  sales channels only: ``affiliate.identifier``, the reseller
lastUpdatedAt           ``lastUpdate`` with its ``Z``
======================  ==================================================================

An item lives at ``/api/managing-entity/{hotel}/extranet/{path}/{itemIdentifier}``, on its family's
Wink path (``facility/room-type``, ``rate-plan``, ``sales/account``, ``promotion``...: see
``sandbox.payloads.links``), whatever an edited payload's ``itemType`` says.
"""

from __future__ import annotations

from sandbox.jsoncopy import copy_json
from sandbox.payloads.common import Resource, compact, link, unzoned, zoned

FAMILIES = ("room_type", "rate_plan", "master_rate", "add_on", "meeting_room", "restaurant", "spa",
            "activity", "sales_channel", "special_rate")
SALES_CHANNEL = "SALES_CHANNEL"
# What an item is, beyond its id, hotel and name: kept when an update or deletion comes for it (a
# rate plan's name goes with its code, meal plan and refundability, an add-on's with its pricing...).
_IDENTITY = {
    "rate_plan": ("code", "breakfast", "mealPlan", "refundable"),
    "master_rate": ("roomTypeIdentifier", "ratePlanIdentifier"),
    "add_on": ("pricingType",),
    "special_rate": ("code", "type"),
    "sales_channel": ("supplier", "affiliate"),
}
_KEPT = ("id", "propertyIdentifier", "propertyName", "name", "createdDate")
# What an inactive item's status is, when an edited payload turns ``active`` off.
_INACTIVE = {"sales_channel": "PAUSED"}


def family(key: str) -> str:
    """Return a key's family (``room_type.created`` -> ``room_type``)."""
    return key.split(".", 1)[0]


def item_type(key: str) -> str:
    """Return Wink's ``itemType`` of a key's family (``room_type.created`` -> ``ROOM_TYPE``)."""
    return family(key).upper()


def _is_channel(key: str) -> bool:
    return item_type(key) == SALES_CHANNEL


def resource(key: str, summary: dict) -> Resource | None:
    """Return the item a payload is about (at its key's family's path), or None when it names none."""
    item, hotel = summary.get("itemIdentifier"), summary.get("hotelIdentifier")
    if not isinstance(item, str) or not isinstance(hotel, str):
        return None
    return Resource(item_type(key), item, hotel)


def _hotel(key: str, record: dict) -> str | None:
    if _is_channel(key):
        return (record.get("supplier") or {}).get("identifier")
    return record.get("propertyIdentifier")


def record_resource(key: str, record: dict) -> Resource:
    """Return the item a full record is."""
    return Resource(item_type(key), record["id"], _hotel(key, record))


# ---- record -> summary ------------------------------------------------------------------------

def _active(record: dict) -> bool:
    if isinstance(record.get("active"), bool):
        return record["active"]
    return record.get("status") == "ACTIVE"


def summarize(key: str, record: dict, base_url: str) -> dict:
    """Return Wink's ``InventoryItemWebhookPayload`` of a full item record."""
    channel = _is_channel(key)
    affiliate = record.get("affiliate") or {}
    return compact({
        "itemType": item_type(key),
        "itemIdentifier": record.get("id"),
        "hotelIdentifier": _hotel(key, record),
        "name": affiliate.get("name") if channel else record.get("name"),
        "active": _active(record),
        "counterpartyIdentifier": affiliate.get("identifier") if channel else None,
        "lastUpdatedAt": zoned(record.get("lastUpdate")),
        "links": link(record_resource(key, record), base_url),
    })


# ---- summary -> record ------------------------------------------------------------------------

def _put(target: dict, name: str, value) -> None:
    if value is not None:
        target[name] = value


def apply(key: str, record: dict, summary: dict) -> dict:
    """Return ``record`` with the summary's values written in (the fields both have).

    ``itemType`` is the key's and is not written back; ``active`` sets the status (``ACTIVE``, or
    ``INACTIVE``/``PAUSED`` for an item that was on sale).
    """
    record = copy_json(record)
    _put(record, "id", summary.get("itemIdentifier"))
    if _is_channel(key):
        _put(record.setdefault("supplier", {}), "identifier", summary.get("hotelIdentifier"))
        _put(record.setdefault("affiliate", {}), "name", summary.get("name"))
        _put(record["affiliate"], "identifier", summary.get("counterpartyIdentifier"))
    else:
        _put(record, "propertyIdentifier", summary.get("hotelIdentifier"))
        _put(record, "name", summary.get("name"))
    active = summary.get("active")
    if isinstance(active, bool) and active != _active(record):
        if isinstance(record.get("active"), bool):
            record["active"] = active
        else:
            record["status"] = "ACTIVE" if active else _INACTIVE.get(family(key), "INACTIVE")
    _put(record, "lastUpdate", unzoned(summary.get("lastUpdatedAt")))
    return record


# ---- a stored item, moved on by one event -----------------------------------------------------

def evolve(key: str, old: dict, new: dict) -> dict:
    """Return the stored item ``old`` after event ``key``, whose freshly generated item is ``new``.

    The item keeps its identity (id, hotel, name, creation; a master rate's room type and rate plan,
    a special rate's code, a sales channel's two parties). A creation or update takes the new
    record's attributes (prices, capacity, status...); a deletion only makes the item ``DELETED``
    (so no longer ``active``).
    """
    if key.endswith(".deleted"):
        record = copy_json(old)
        record["status"] = "DELETED"
        if isinstance(record.get("active"), bool):
            record["active"] = False
        record["deletedDate"] = new.get("deletedDate") or new.get("lastUpdate") or old.get("lastUpdate")
    else:
        record = copy_json(new)
        for field in (*_KEPT, *_IDENTITY.get(family(key), ())):
            if field in old:
                record[field] = copy_json(old[field])
        if record.get("refundable") != new.get("refundable"):
            # a deadline belongs to a refundable plan: the stored plan keeps its own
            record["cancellationDeadlineDays"] = old.get("cancellationDeadlineDays")
        if record.get("status") != "DELETED":
            record.pop("deletedDate", None)
    record["lastUpdate"] = new.get("lastUpdate") or old.get("lastUpdate")
    record["version"] = int(old.get("version") or 0) + 1
    return record
