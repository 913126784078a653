"""Wink's payloads: the summary ``object`` each key is delivered with, and the full record behind it.

Wink does not send full records: six summary schemas cover the 70 keys it delivers, each with a
required ``links.self`` to fetch the full record. The generators (``sandbox.generate``) make full
records; this package turns one into the payload of its key (``summarize``), writes an edited payload
back into the record (``apply``) so the two agree, and moves a stored record on by one event
(``evolve``). One module per family of shapes, each with the same functions:

- ``booking``: ``BookingWebhookPayload``, ``ReviewWebhookPayload``, ``ReviewResponseWebhookPayload``
- ``property``: ``PropertyWebhookPayload``
- ``managing_entity``: ``ManagingEntityWebhookPayload``
- ``inventory``: ``InventoryItemWebhookPayload``

Keys Wink lists but never delivers go out in the closest shape of their family; those with none (payee,
ledger, payment, channel-manager and the legacy keys) keep the sandbox's own record as ``object``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

from jsonschema import Draft202012Validator

from sandbox import catalog
from sandbox.errors import ValidationError
from sandbox.payloads import booking, inventory, managing_entity
from sandbox.payloads import property as property_shape
from sandbox.payloads.common import Resource
from sandbox.payloads.moved import hint
from sandbox.payloads.schemas import payload_schema

__all__ = ["Made", "Resource", "make", "payload_name", "schema_for", "summarize", "validate"]

_MODULES: dict[str, ModuleType] = {
    "BookingWebhookPayload": booking,
    "ReviewWebhookPayload": booking,
    "ReviewResponseWebhookPayload": booking,
    "PropertyWebhookPayload": property_shape,
    "ManagingEntityWebhookPayload": managing_entity,
    "InventoryItemWebhookPayload": inventory,
}


def payload_name(key: str) -> str | None:
    """Return the name of Wink's payload schema ``key`` is delivered with, or None (the sandbox's record)."""
    entry = catalog.get(key)
    return entry.get("payload") if entry else None


def _module(key: str) -> ModuleType | None:
    name = payload_name(key)
    return _MODULES[name] if name else None


def summarize(key: str, record: dict, base_url: str) -> dict:
    """Return the ``object`` of ``key`` for a full record (the record itself when Wink has no shape)."""
    module = _module(key)
    return module.summarize(key, record, base_url) if module else record


def schema_for(key: str, *, strict: bool = False) -> dict | None:
    """Return the JSON Schema of ``key``'s object, or None when it is the sandbox's own record."""
    name = payload_name(key)
    return payload_schema(name, strict=strict) if name else None


@cache
def _validator(name: str) -> Draft202012Validator:
    from sandbox.generate import FORMATS

    return Draft202012Validator(payload_schema(name, strict=True), format_checker=FORMATS)


def validate(key: str, obj: dict) -> None:
    """Check an object against its Wink schema; raise ValidationError naming each path and rule broken."""
    from sandbox.generate import raise_problems, validate_data

    name = payload_name(key)
    if name is None:
        validate_data(key, obj)
        return
    try:
        raise_problems(key, _validator(name).iter_errors(obj))
    except ValidationError as exc:
        # Say where a field of the sandbox's old `data` went (roomStay -> stay) next to the refusal.
        first = hint(name, exc.errors[0]["field"])
        for problem in exc.errors:
            moved = hint(name, problem["field"])
            if moved:
                problem["message"] += f"; {moved}"
        raise ValidationError(exc.errors, detail=exc.detail + (f"; {first}" if first else "")) from None


@dataclass
class Made:
    """One event's object, and the full record it summarizes (None when it is about no stored resource)."""

    object: dict
    record: dict | None
    resource: Resource | None
    also: list[tuple[Resource, dict]] = field(default_factory=list)   # records held inside it (a review)


Lookup = Callable[[Resource], dict | None]


def make(key: str, generated: dict, *, base_url: str, edit: Callable[[dict], dict] | None = None,
         lookup: Lookup | None = None, given: dict | None = None, check: bool = True) -> Made:
    """Make ``key``'s object from a freshly generated record, and the record to store.

    ``edit`` applies the caller's overrides to an object. ``apply`` copies the record it writes into,
    so the generated record passed in is never changed. When the object names a resource already
    stored (``lookup``), that record moves on by this event instead of the generated one standing in,
    and the edits apply again on top, so what the caller set always wins. ``given`` is a whole object
    sent as it is (no edits, no check). ``check`` validates the edited object against Wink's schema.
    """
    module = _module(key)
    if module is None:
        obj = given if given is not None else (edit(generated) if edit else generated)
        if given is None and edit and check:
            validate(key, obj)
        return Made(obj, None, None)
    obj = given if given is not None else summarize(key, generated, base_url)
    if edit is not None and given is None:
        obj = edit(obj)
    found = module.resource(key, obj) if isinstance(obj, dict) else None
    stored = lookup(found) if (found is not None and lookup is not None) else None
    record = generated
    if stored is not None:
        record = module.evolve(key, stored, generated)
        if given is None:
            obj = summarize(key, record, base_url)
            if edit is not None:
                obj = edit(obj)
    if given is None and check and edit is not None:
        validate(key, obj)   # generated objects match their schema by construction (a test checks every key)
    if not isinstance(obj, dict):
        return Made(obj, None, None)
    if found is None and given is not None:
        return Made(obj, None, None)          # a hand-made object about no record: nothing to store
    record = module.apply(key, record, obj)
    if edit is not None and given is None and stored is None:
        # Summarize the edited record once more, so what follows from an edit follows it too (links.self
        # after a new bookingIdentifier, nights after new dates); the edits still have the last word.
        obj = edit(summarize(key, record, base_url))
        record = module.apply(key, record, obj)
    found = module.record_resource(key, record) if found is None else module.resource(key, obj) or found
    held = module.also(key, record) if hasattr(module, "also") else []
    return Made(obj, record, found, held)
