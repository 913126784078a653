"""Realistic fake ``data`` for every event key, and the JSON Schema each key's ``data`` satisfies.

Generators live in one module per object family and share the parts in ``parts``; this module joins
them into one table keyed by event key and is the only entry point others use.

Determinism: a payload is drawn from one seeded ``random.Random`` (Faker's). With a seed and no ``now``
every date is relative to ``REFERENCE_NOW`` (2026-01-15T09:30:00 UTC), so the same seed, key, account,
locale and overrides give byte-identical JSON in any process on any day. With ``now`` given, dates are
relative to it. Without a seed, a fresh seed is drawn and dates are relative to the current time.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from functools import cache

from jsonschema import Draft202012Validator, FormatChecker

from sandbox import catalog
from sandbox.errors import NotFoundError, ValidationError
from sandbox.generate import booking, distribution, inventory, legacy, managing_entity, payments
from sandbox.generate import property as property_family
from sandbox.generate.context import (
    ISO_4217,
    REFERENCE_NOW,
    Ctx,
    EventSpec,
    faker_for,
    new_seed,
    normalize_locale,
    to_utc_naive,
)
from sandbox.generate.schemas import top

__all__ = ["REFERENCE_NOW", "generate", "generate_data", "schema_for", "validate_data"]

_SPECS: dict[str, EventSpec] = {
    **booking.EVENTS,
    **managing_entity.EVENTS,
    **property_family.EVENTS,
    **inventory.EVENTS,
    **payments.EVENTS,
    **distribution.EVENTS,
    **legacy.EVENTS,
}

_FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    _FORMATS.checkers[_name] = _check
FORMATS = _FORMATS   # the format checks every payload validation uses (iso-4217 added below)


# The largest seed the API and CLI take: `count` events use seed + i, and seeds are stored in
# SQLite, whose integers stop at 2**63 - 1.
MAX_SEED = 2**62


@_FORMATS.checks("iso-4217")
def _is_currency(value: object) -> bool:
    return not isinstance(value, str) or value in ISO_4217


def _spec(key: str) -> EventSpec:
    spec = _SPECS.get(key)
    if spec is None or not catalog.is_known(key):
        suggestions = catalog.suggest(key)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise NotFoundError(f"Unknown event type {key!r}{hint}",
                            extra={"suggestions": suggestions})
    return spec


def generate(key: str, *, account: dict | None = None, seed: int | None = None,
             locale: str | None = None, now: datetime | None = None, hotel: dict | None = None,
             reseller: dict | None = None) -> tuple[dict, dict]:
    """Generate ``data`` for ``key``; return it with the account it was generated for.

    ``hotel`` (when the account is a reseller) or ``reseller`` (when it is a hotel) names the other
    party, so the payload's property or selling affiliate is that account instead of a made-up one.
    """
    spec = _spec(key)
    locale = normalize_locale(locale)
    if seed is None:
        seed = new_seed()
        moment = now or datetime.now(UTC)
    else:
        moment = now or REFERENCE_NOW
    if not REFERENCE_NOW.replace(year=1900) <= to_utc_naive(moment) <= REFERENCE_NOW.replace(year=9000):
        raise ValidationError([{"field": "now", "message": "must be between the years 1900 and 9000"}])
    if account is not None:
        account = {"id": str(account["id"]), "name": str(account["name"]),
                   "type": str(account.get("type") or "")}
    ctx = Ctx(fake=faker_for(locale, seed), locale=locale, now=to_utc_naive(moment),
              account=account)
    if hotel is not None:
        ctx.memo["property"] = (str(hotel["id"]), str(hotel["name"]))
    if reseller is not None:
        ctx.memo["affiliate"] = (str(reseller["id"]), str(reseller["name"]))
    data = spec.generate(ctx)
    return data, ctx.account


def generate_data(key: str, *, account: dict | None = None, seed: int | None = None,
                  locale: str = "en_US", now: datetime | None = None) -> dict:
    """Generate realistic ``data`` for event ``key`` (a made-up hotel account when none is given)."""
    return generate(key, account=account, seed=seed, locale=locale, now=now)[0]


@cache
def _schema(key: str) -> dict:
    entry = catalog.get(key)
    return top(key, entry["description"], _spec(key).schema)


@cache
def _validator(key: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(key), format_checker=_FORMATS)


def schema_for(key: str) -> dict:
    """Return the JSON Schema (draft 2020-12) of ``key``'s ``data``."""
    _spec(key)
    return copy.deepcopy(_schema(key))


def _path(parts) -> str:
    text = "object"   # the envelope's field the payload travels in
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _message(error) -> str:
    if error.validator == "format" and error.validator_value == "iso-4217":
        text = f"{error.instance!r} is not an ISO 4217 currency code"
    elif error.validator == "const":
        text = f"must be {error.validator_value!r} for this event, not {error.instance!r}"
    else:
        text = error.message
    return f"{text} (rule: {error.validator})"


def _problems(error) -> list[dict]:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        return [{"field": _path([*error.absolute_path, name]),
                 "message": "is not a field of this event's object (rule: additionalProperties)"}
                for name in error.instance if name not in allowed]
    return [{"field": _path(error.absolute_path), "message": _message(error)}]


def validate_data(key: str, data: dict) -> None:
    """Check ``data`` against ``key``'s schema; raise ValidationError naming each path and rule broken."""
    raise_problems(key, _validator(_known(key)).iter_errors(data))


def raise_problems(key: str, found) -> None:
    """Raise a ValidationError naming the path and rule of each schema error in ``found``, if any."""
    errors = sorted(found, key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    if errors:
        problems = [p for e in errors for p in _problems(e)][:20]
        first = problems[0]
        raise ValidationError(
            problems,
            detail=f"The {key} object does not match its schema: {first['field']} {first['message']}",
        )


def _known(key: str) -> str:
    _spec(key)
    return key


def missing_generators() -> list[str]:
    """Return catalog keys that have no generator (empty when the catalog is fully covered)."""
    return [key for key in catalog.keys() if key not in _SPECS]
