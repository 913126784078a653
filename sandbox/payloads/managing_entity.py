"""Accounts (managing entities): ``ManagingEntityWebhookPayload`` for the account keys.

Wink delivers 18 of them (``managing_entity.*`` and ``account.managers.update``); the account keys it
lists but never delivers (``account.under_review``, ``managing_entity.name.updated``, the tasks...) go
out in the same shape. The full record is the generator's managing entity
(``sandbox.generate.managing_entity``); the payload is Wink's summary of it: ``managingEntityIdentifier``
<- ``id``, ``name``, ``type``, ``status`` (Wink's seven values; a stored ``DELETED`` reads as
``REMOVED``), ``countryCode`` <- ``address.countryCode``, ``urlName``, ``lastUpdatedAt`` <- ``lastUpdate``.

The sandbox's account types are not all Wink's. Five are Wink's own (``HOTEL``, ``TRAVEL_AGENT``,
``INFLUENCER``, ``CHANNEL_MANAGER``, ``CORPORATE``); the others read as:

===============  ===========  ==============================================================
sandbox type     Wink type    why
===============  ===========  ==============================================================
AFFILIATE        OTHER        Wink has no generic reseller type; its resellers are specific
TOUR_OPERATOR    OTHER        no tour-operator type in Wink's enum
COMPANY          OTHER        the sandbox's catch-all
SUPPLIER         HOTEL        the sandbox's suppliers are properties
WINK             TRIP_PAY     Wink's own platform account
===============  ===========  ==============================================================

An edited payload's ``type`` is written back as it is, unless the record's type already reads as it
(an ``AFFILIATE`` account stays ``AFFILIATE`` under ``type: OTHER``). The record lives at
``/api/managing-entity/{id}/extranet/managing-entity`` (see ``sandbox.payloads.links``).
"""

from __future__ import annotations

from sandbox.jsoncopy import copy_json
from sandbox.payloads.common import Resource, compact, link, unzoned, zoned

KIND = "managing-entity"
TYPES = {"AFFILIATE": "OTHER", "TOUR_OPERATOR": "OTHER", "COMPANY": "OTHER", "SUPPLIER": "HOTEL",
         "WINK": "TRIP_PAY"}
_LEGACY_STATUSES = {"PENDING": "PENDING_APPROVAL", "DELETED": "REMOVED"}
_MANAGER_KEYS = {
    # key: (the manager joins the list, the manager becomes the owner)
    "managing_entity.manager.added": (True, False),
    "managing_entity.manager.accepted": (True, False),
    "managing_entity.manager.owner.set": (True, True),
    "managing_entity.manager.invited": (False, False),
    "managing_entity.manager.rejected": (False, False),
    "managing_entity.manager.removed": (False, False),
}
# What each key changes in a stored account: the record's fields (dotted) it takes from the new one.
_CHANGES: dict[str, tuple[str, ...]] = {
    "managing_entity.created": ("status",),
    "account.created": ("status",),
    "managing_entity.deleted": ("status", "deletedDate"),
    "managing_entity.status.updated": ("status",),
    "account.under_review": ("status",),
    "managing_entity.subscription.provisioned": ("subscription",),
    "managing_entity.subscription.changed": ("subscription",),
    "managing_entity.subscription.invoice.changed": ("invoice",),
    "managing_entity.information.updated": ("telephone", "website"),
    "managing_entity.city.updated": ("address.city",),
    "managing_entity.name.updated": ("name",),
    "managing_entity.url_name.updated": ("urlName",),
    "managing_entity.unique_id.updated": ("uniqueId",),
    "managing_entity.managed_by.updated": ("managedBy",),
    "managing_entity.place_id.updated": ("placeId",),
    "managing_entity.account_representative.updated": ("accountRepresentative",),
    "managing_entity.profile_picture.updated": ("profilePictureUrl",),
    "managing_entity.logo.updated": ("logoUrl",),
    "account.details.updated": ("legalName", "accountEmail"),
    "managing_entity.agent.email.notification": ("notification",),
    "managing_entity.manager.email.notification": ("notification",),
    "account.task.create": ("task",),
    "account.task.update": ("task",),
    "account.task.remove": ("task",),
    "account.task.complete": ("task",),
    "account.task.tax_id.complete": ("task",),
}
# What the last event said rather than what the account is: dropped when the next event comes.
_EVENT_BLOCKS = ("changes", "previousStatus", "previousPlan", "manager", "notification", "task")


def resource(key: str, summary: dict) -> Resource | None:
    """Return the account a payload is about, or None when it names none."""
    identifier = summary.get("managingEntityIdentifier")
    return Resource(KIND, identifier, identifier) if isinstance(identifier, str) else None


def record_resource(key: str, record: dict) -> Resource:
    """Return the account a full record is."""
    return Resource(KIND, record["id"], record["id"])


# ---- record -> summary ------------------------------------------------------------------------

def wink_type(kind: str | None) -> str | None:
    """Return Wink's managing-entity type for a record's type (see the table above)."""
    return TYPES.get(kind, kind) if isinstance(kind, str) else None


def wink_status(status: str | None) -> str | None:
    """Return Wink's status for a record's status."""
    return _LEGACY_STATUSES.get(status, status) if isinstance(status, str) else None


def summarize(key: str, record: dict, base_url: str) -> dict:
    """Return Wink's ``ManagingEntityWebhookPayload`` of a full account record."""
    return compact({
        "managingEntityIdentifier": record.get("id"),
        "name": record.get("name"),
        "type": wink_type(record.get("type")),
        "status": wink_status(record.get("status")),
        "countryCode": (record.get("address") or {}).get("countryCode"),
        "urlName": record.get("urlName"),
        "lastUpdatedAt": zoned(record.get("lastUpdate")),
        "links": link(record_resource(key, record), base_url),
    })


# ---- summary -> record ------------------------------------------------------------------------

def _put(target: dict, name: str, value) -> None:
    if value is not None:
        target[name] = value


def _get(record: dict, field: str):
    value = record
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _shown(value) -> str | None:
    """Return a value as a change entry shows it (a reference or person by its name)."""
    if isinstance(value, dict):
        return value.get("name") or value.get("fullName")
    if isinstance(value, list):
        return ", ".join(item.get("email", "") if isinstance(item, dict) else str(item) for item in value)
    return value if isinstance(value, str) or value is None else str(value)


_SUMMARIZED = frozenset({"name", "urlName", "status", "type", "address.countryCode"})


def _refresh_changes(record: dict, fields=_SUMMARIZED) -> None:
    """Make the record's change entries (on ``fields``) end at its current values."""
    for change in record.get("changes") or []:
        if isinstance(change, dict) and change.get("field") in fields:
            change["newValue"] = _shown(_get(record, change["field"]))


def apply(key: str, record: dict, summary: dict) -> dict:
    """Return ``record`` with the summary's values written in (the fields both have)."""
    record = copy_json(record)
    _put(record, "id", summary.get("managingEntityIdentifier"))
    for field in ("name", "status", "urlName"):
        _put(record, field, summary.get(field))
    kind = summary.get("type")
    if kind is not None and wink_type(record.get("type")) != kind:
        record["type"] = kind
    _put(record.setdefault("address", {}), "countryCode", summary.get("countryCode"))
    _put(record, "lastUpdate", unzoned(summary.get("lastUpdatedAt")))
    _refresh_changes(record)
    return record


# ---- a stored account, moved on by one event --------------------------------------------------

def _take(record: dict, new: dict, field: str) -> None:
    *parents, name = field.split(".")
    source, target = new, record
    for parent in parents:
        source = source.get(parent) if isinstance(source, dict) else None
        target = target.setdefault(parent, {})
    if isinstance(source, dict) and name in source:
        target[name] = copy_json(source[name])


def _managers(key: str, record: dict, new: dict) -> None:
    managers = record.setdefault("managers", [])
    if key == "account.managers.update":
        if new.get("managers"):
            managers.append(copy_json(new["managers"][-1]))
        return
    manager = new.get("manager")
    if key not in _MANAGER_KEYS or not isinstance(manager, dict):
        return
    manager = copy_json(manager)
    joins, owner = _MANAGER_KEYS[key]
    if key == "managing_entity.manager.removed":
        # the account's own latest manager leaves, rather than a stranger the generator made up
        leaving = next((m for m in reversed(managers) if m.get("role") != "OWNER"), None)
        if leaving is not None:
            managers.remove(leaving)
            manager = {**leaving, "status": "REMOVED"}
    if owner:
        for other in managers:
            other["role"] = "MANAGER"
    if joins:
        managers.append(dict(manager))
    record["manager"] = manager


def evolve(key: str, old: dict, new: dict) -> dict:
    """Return the stored account ``old`` after event ``key``, whose freshly generated account is ``new``.

    The account keeps its identity (id, type, and every field the key does not change); it takes from
    ``new`` what the key changes (status, name, url name, unique id, city, managers, logo, managed-by,
    place id, subscription, invoice, a task or notification...), with change entries that start at
    the stored values.
    """
    record = copy_json(old)
    for block in _EVENT_BLOCKS:
        record.pop(block, None)
    for field in _CHANGES.get(key, ()):
        _take(record, new, field)
    if key == "managing_entity.status.updated":
        record["previousStatus"] = old.get("status")
    if key == "managing_entity.subscription.changed":
        plan = (old.get("subscription") or {}).get("plan") or new.get("previousPlan")
        _put(record, "previousPlan", plan)
    if key == "managing_entity.agent.updated":
        agent = copy_json(old.get("agent"))
        if isinstance(agent, dict) and isinstance(agent.get("commissionPercentage"), int | float):
            agent["commissionPercentage"] = min(100, agent["commissionPercentage"] + 2)
        record["agent"] = agent if agent else copy_json(new.get("agent"))
    _managers(key, record, new)
    if new.get("changes"):
        record["changes"] = [{**change, "previousValue": _shown(_get(old, change.get("field", "")))}
                             for change in copy_json(new["changes"])]
        _refresh_changes(record, {change.get("field") for change in record["changes"]})
    record["lastUpdate"] = new.get("lastUpdate") or record.get("lastUpdate")
    record["version"] = int(record.get("version") or 0) + 1
    return record
