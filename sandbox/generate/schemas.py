"""JSON Schema (draft 2020-12) building blocks for event ``data``, written once and reused.

Objects are closed (``additionalProperties: false``) so a mistyped override such as
``roomStay.adutls=3`` is refused instead of silently adding a field; ``validate=false`` lifts that.
"""

from __future__ import annotations

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def obj(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    """Return a closed object schema; every property is required unless listed in ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def extend(schema: dict, required: dict | None = None, *, optional: dict | None = None) -> dict:
    """Return a copy of an object schema with properties added or replaced (``required`` ones required)."""
    properties = {**schema["properties"], **(required or {}), **(optional or {})}
    was_required = set(schema["required"]) - set(optional or {})
    needed = was_required | set(required or {})
    return {**schema, "properties": properties, "required": [n for n in properties if n in needed]}


def arr(items: dict, *, min_items: int = 0, max_items: int | None = None) -> dict:
    """Return an array schema."""
    schema = {"type": "array", "items": items, "minItems": min_items}
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


def enum(*values) -> dict:
    """Return a schema allowing exactly the given values."""
    return {"enum": list(values)}


def const(value) -> dict:
    """Return a schema allowing one value."""
    return {"const": value}


def nullable(schema: dict) -> dict:
    """Return ``schema`` that also allows null."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def integer(minimum: int | None = None, maximum: int | None = None) -> dict:
    """Return an integer schema with optional bounds."""
    schema: dict = {"type": "integer"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def string(pattern: str | None = None, *, min_length: int = 0, max_length: int | None = None) -> dict:
    """Return a string schema."""
    schema: dict = {"type": "string"}
    if min_length:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    if pattern:
        schema["pattern"] = pattern
    return schema


def top(key: str, description: str, schema: dict) -> dict:
    """Return the schema of one event's ``data``, with its dialect and title."""
    return {"$schema": DRAFT, "title": f"{key} data", "description": description, **schema}


STRING = string()
TEXT = string(min_length=1)
BOOLEAN = {"type": "boolean"}
NUMBER = {"type": "number"}
UUID = {"type": "string", "format": "uuid"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
# Wink writes date-times without a zone (Java LocalDateTime); the sandbox's are UTC.
DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$"}
TIME = string(r"^([01]\d|2[0-3]):[0-5]\d$")
EMAIL = {"type": "string", "format": "email", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}
URL = {"type": "string", "format": "uri", "pattern": r"^https?://"}
PHONE = string(r"^[0-9+()\-. x]{6,}$")
# Checked against ISO_4217 by the sandbox's format checker (see sandbox.generate.validate).
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "format": "iso-4217"}
COUNTRY = string(r"^[A-Z]{2}$")
VERSION = integer(1)
PERCENT = {"type": "number", "minimum": 0, "maximum": 100}

MONEY = obj({"amount": {"type": "number", "minimum": 0}, "currency": CURRENCY})
ADDRESS = obj(
    {
        "line1": TEXT,
        "city": TEXT,
        "state": nullable(STRING),
        "postalCode": nullable(STRING),
        "countryCode": COUNTRY,
    }
)
PERSON = obj(
    {
        "userIdentifier": UUID,
        "firstName": TEXT,
        "lastName": TEXT,
        "fullName": TEXT,
        "email": EMAIL,
        "telephone": nullable(PHONE),
    }
)
ENTITY_REF = obj({"identifier": UUID, "name": TEXT})
HOTEL = obj(
    {
        "hotelIdentifier": UUID,
        "name": TEXT,
        "address": ADDRESS,
        "currencyCode": CURRENCY,
        "starRating": integer(1, 5),
    }
)
GEOLOCATION = obj(
    {
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
    }
)
CHANGES = arr(
    obj({"field": TEXT, "previousValue": nullable(STRING), "newValue": nullable(STRING)}),
    min_items=1,
)
FAILURE = obj({"code": TEXT, "message": TEXT})
STAMPS = {"createdDate": DATETIME, "lastUpdate": DATETIME, "version": VERSION}
