"""The body the sandbox delivers for an event: Wink's ``WebhookEnvelope``, and the calls that make one.

Wink's published contract (``schemas/webhooks.json``, ``WebhookEnvelope``), all seven fields required::

    {"id": "<event uuid>", "type": "booking.create", "occurredAt": "2026-01-15T09:30:00Z",
     "ownerIdentifier": "<addressed account id>", "recipientRole": "SUPPLIER",
     "schemaVersion": 2, "object": {...}}

``type`` is always the key on the wire (``booking.create`` when ``booking.created`` was fired).
``occurredAt`` has whole seconds, as in the spec's only example (the spec does not say whether Wink
ever sends milliseconds). Each recipient of one platform event gets its own letter: its own ``id``,
``ownerIdentifier`` and ``recipientRole``, around the same ``object``.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sandbox import catalog, payloads
from sandbox.errors import ValidationError
from sandbox.generate import generate
from sandbox.generate.parts import is_property_account
from sandbox.overrides import apply_overrides

SCHEMA_VERSION = 2
# links.self outside a request (replay --to, check): where `python run.py serve` listens by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
FIELDS = ("id", "type", "occurredAt", "ownerIdentifier", "recipientRole", "schemaVersion", "object")


def occurred_at(moment: datetime | None = None) -> str:
    """Format an ``occurredAt``: UTC, whole seconds, ``Z`` (e.g. 2026-01-15T09:30:00Z)."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def role_for(key: str, account: dict) -> str | None:
    """Return the role in which ``account`` receives ``key``, or None when it is not a recipient.

    Account-level keys go to the account itself (``SELF``). Otherwise a hotel (property) account is
    the ``SUPPLIER``; any other account is a reseller: ``AGENT`` when it is a ``TRAVEL_AGENT`` and the
    key goes to agents (booking keys), else ``AFFILIATE``.
    """
    roles = catalog.roles(key)
    if roles == ("SELF",):
        return "SELF"
    if is_property_account(account):
        return "SUPPLIER" if "SUPPLIER" in roles else None
    if "AGENT" in roles and str(account.get("type", "")).upper() == "TRAVEL_AGENT":
        return "AGENT"
    return "AFFILIATE" if "AFFILIATE" in roles else None


def build_envelope(key: str, owner_id: str, role: str, obj: dict, *, event_id: str | None = None,
                   occurred: datetime | str | None = None) -> dict:
    """Wrap ``obj`` in the envelope of one letter of event ``key`` addressed to ``owner_id`` as ``role``."""
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": catalog.wire_key(key),
        "occurredAt": occurred if isinstance(occurred, str) else occurred_at(occurred),
        "ownerIdentifier": owner_id,
        "recipientRole": role,
        "schemaVersion": SCHEMA_VERSION,
        "object": obj,
    }


def base_url() -> str:
    """Return the base URL ``links.self`` points at: the one this request reached, else the default."""
    from flask import has_request_context, request

    if has_request_context():
        return request.url_root
    return DEFAULT_BASE_URL


def editor(overrides: dict | None, assignments: list[str] | None):
    """Return the function that applies a caller's overrides and ``set`` assignments to an object."""
    if not overrides and not assignments:
        return None
    return lambda obj: apply_overrides(obj, overrides, assignments)


def make(key: str, account: dict | None, *, seed: int | None = None, locale: str | None = None,
         overrides: dict | None = None, assignments: list[str] | None = None, validate: bool = True,
         now: datetime | None = None, hotel: dict | None = None, reseller: dict | None = None,
         lookup=None, given: dict | None = None, base: str | None = None) -> tuple[payloads.Made, dict]:
    """Generate ``key``'s full record for ``account`` and make its object; return both and the owner.

    ``hotel`` or ``reseller`` names the other party of a booking (or the seller of a property), so the
    record speaks of both accounts. ``lookup`` finds a stored record the object is about (which then
    moves on by this event). ``given`` is a whole object sent as it is.
    """
    record, owner = generate(key, account=account, seed=seed, locale=locale, now=now, hotel=hotel,
                             reseller=reseller)
    made = payloads.make(key, record, base_url=base or base_url(), edit=editor(overrides, assignments),
                         lookup=lookup, given=given, check=validate)
    return made, owner


def make_object(key: str, account: dict | None, **options) -> tuple[dict, dict]:
    """Make ``key``'s object (Wink's summary) for ``account``; return it and the owner. See ``make``."""
    made, owner = make(key, account, **options)
    return made.object, owner


def make_event(key: str, account: dict | None, *, seed: int | None = None,
               locale: str | None = None, overrides: dict | None = None,
               assignments: list[str] | None = None, validate: bool = True,
               event_id: str | None = None, now: datetime | None = None,
               role: str | None = None) -> dict:
    """Make one letter of ``key`` addressed to ``account`` (a made-up hotel when None).

    ``now`` only dates the ``object``; the envelope always gets a fresh id (unless ``event_id``) and
    the current time. The role is the account's own for this key unless given.
    """
    obj, owner = make_object(key, account, seed=seed, locale=locale, overrides=overrides,
                             assignments=assignments, validate=validate, now=now)
    role = role or role_for(key, owner) or _refuse_recipient(key, owner)
    return build_envelope(key, owner["id"], role, obj, event_id=event_id)


def _refuse_recipient(key: str, account: dict) -> str:
    roles = ", ".join(catalog.roles(key))
    raise ValidationError([{"field": "entity", "message":
                            f"{account.get('name')!r} ({account.get('type') or 'account'}) does not receive "
                            f"{catalog.wire_key(key)}, which goes to {roles} only: fire it for the hotel, "
                            "or name the hotel with `hotel`"}])


def to_json(envelope: dict) -> bytes:
    """Serialize an envelope as the exact bytes delivered: compact UTF-8 JSON, keys in order."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def legacy_to_envelope(old: dict, role: str) -> dict:
    """Turn a stored pre-contract envelope ``{id, event, createdDate, entity, data}`` into Wink's."""
    created = str(old.get("createdDate") or "")
    occurred = created[:19] + "Z" if len(created) >= 19 else occurred_at()
    return build_envelope(old.get("event") or "", (old.get("entity") or {}).get("identifier") or "",
                          role, old.get("data") or {}, event_id=old.get("id"), occurred=occurred)


def recipients(key: str, account: dict, *, hotel: dict | None = None,
               reseller: dict | None = None) -> list[tuple[dict, str]]:
    """Return who receives one occurrence of ``key``: ``(account, role)``, the named account first.

    The rules of Wink's spec (each key's *Recipients*): account-level keys go to the account itself
    (``SELF``); booking keys to the hotel (``SUPPLIER``) and the reseller the booking was made through
    (``AGENT`` for a travel agent, ``AFFILIATE`` for other resellers), except ``booking.review.created``
    (hotel only); property and inventory keys to the hotel and the accounts that sell it
    (``AFFILIATE``). ``reseller`` names the other party when ``account`` is the hotel, ``hotel`` when
    it is the reseller; with neither, the named account is the only recipient. Raise a 400 naming
    the field when the parties do not fit.
    """
    wire = catalog.wire_key(key)
    errors: list[dict] = []
    if catalog.roles(key) == ("SELF",):
        for field, value in (("reseller", reseller), ("hotel", hotel)):
            if value is not None:
                errors.append({"field": field, "message": f"{wire} goes to the account itself (SELF) "
                                                          f"only, so it takes no {field}"})
    else:
        named_hotel = is_property_account(account)
        if reseller is not None:
            if not named_hotel:
                errors.append({"field": "reseller", "message": f"is the other party of a hotel's event, but "
                               f"entity {account['name']!r} is not a hotel: name the hotel with `hotel`"})
            elif is_property_account(reseller):
                errors.append({"field": "reseller", "message": f"{reseller['name']!r} is a hotel "
                               f"({reseller.get('type')}), not a reseller: name a travel agent, "
                               "affiliate or other selling account"})
            elif reseller["id"] == account["id"]:
                errors.append({"field": "reseller", "message": "is the entity itself"})
        if hotel is not None:
            if named_hotel:
                errors.append({"field": "hotel", "message": f"entity {account['name']!r} is already the "
                               "hotel: name the other party with `reseller`"})
            elif not is_property_account(hotel):
                errors.append({"field": "hotel", "message": f"{hotel['name']!r} is a "
                               f"{hotel.get('type') or 'non-hotel account'}, not a hotel"})
    if errors:
        raise ValidationError(errors)
    letters = []
    own = role_for(key, account)
    if own is not None:
        letters.append((account, own))
    other = reseller if reseller is not None else hotel
    if other is not None:
        role = role_for(key, other)
        if role is not None:
            letters.append((other, role))
    if not letters:
        _refuse_recipient(key, account)
    return letters
