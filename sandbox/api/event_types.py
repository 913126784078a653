"""Event catalog API: /api/event-types (list, details with schema and example, sample envelopes)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from flask import Response, jsonify, request

from sandbox import catalog, payloads
from sandbox.api import api, is_whole_number, json_object
from sandbox.db import get_db
from sandbox.envelope import base_url, build_envelope, make_object, recipients, to_json
from sandbox.errors import NotFoundError, ValidationError
from sandbox.generate import MAX_SEED, generate_data, schema_for
from sandbox.generate.context import normalize_locale
from sandbox.schemas import wink_schema
from sandbox.store import resources

EXAMPLE_SEED = 1
_SAMPLE_FIELDS = ("entity", "reseller", "hotel", "seed", "locale", "overrides", "set", "validate", "now")


def _known(key: str) -> dict:
    entry = catalog.get(key)
    if entry is None:
        suggestions = catalog.suggest(key)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise NotFoundError(f"Unknown event type {key!r}{hint}", extra={"suggestions": suggestions})
    return entry


@cache
def _record_example(key: str) -> dict:
    return generate_data(key, seed=EXAMPLE_SEED)


def _example(key: str) -> dict:
    return payloads.summarize(key, _record_example(key), base_url())


@api.get("/event-types")
def list_event_types():
    category = request.args.get("category") or None
    status = request.args.get("status") or None
    errors = []
    if status and status.strip().lower() not in catalog.STATUSES:
        errors.append({"field": "status", "message": "must be one of " + ", ".join(catalog.STATUSES)})
    known_categories = [c.lower() for c in catalog.categories()]
    if category and category.strip().lower() not in known_categories:
        errors.append({"field": "category",
                       "message": "must be one of " + ", ".join(catalog.categories())})
    if errors:
        raise ValidationError(errors)
    return jsonify(catalog.list_event_types(category, status, request.args.get("q")))


@api.get("/event-types/<key>")
def get_event_type(key: str):
    entry = _known(key)
    return jsonify({**entry, "aliases": catalog.aliases(key),
                    "schema": payloads.schema_for(key) or schema_for(key),
                    "example": _example(key), "recordSchema": schema_for(key),
                    "recordExample": _record_example(key)})


def _account(entity) -> dict | None:
    if entity is None:
        return None
    if isinstance(entity, dict):
        entity = entity.get("identifier")
    if not isinstance(entity, str) or not entity.strip():
        raise ValidationError([{"field": "entity",
                                "message": "must be an account id (or {\"identifier\": id})"}])
    from sandbox.api.events import find_party

    errors: list[dict] = []
    found = find_party(entity.strip(), "entity", errors, "the account the event is for")
    if errors:
        raise ValidationError(errors)
    return found


def _sample_options(body: dict) -> dict:
    errors = [{"field": name, "message": "is not an option of a sample"}
              for name in body if name not in _SAMPLE_FIELDS]
    seed = body.get("seed")
    if seed is not None and not is_whole_number(seed, 0, MAX_SEED):
        errors.append({"field": "seed", "message": f"must be an integer from 0 to {MAX_SEED}"})
    overrides = body.get("overrides")
    if overrides is not None and not isinstance(overrides, dict):
        errors.append({"field": "overrides", "message": "must be a JSON object merged into data"})
    assignments = body.get("set")
    if isinstance(assignments, str):
        assignments = [assignments]
    if assignments is not None and not (
        isinstance(assignments, list) and all(isinstance(a, str) for a in assignments)
    ):
        errors.append({"field": "set", "message": "must be a list of path=value strings"})
    validate = body.get("validate", True)
    if not isinstance(validate, bool):
        errors.append({"field": "validate", "message": "must be true or false"})
    now = body.get("now")
    if now is not None:
        try:
            now = datetime.fromisoformat(now) if isinstance(now, str) else None
        except ValueError:
            now = None
        if now is None:
            errors.append({"field": "now", "message": "must be an ISO 8601 date-time"})
    locale = body.get("locale")
    if locale is not None:
        try:
            locale = normalize_locale(locale)
        except ValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors)
    return {"seed": seed, "locale": locale, "overrides": overrides, "assignments": assignments,
            "validate": validate, "now": now}


@api.post("/event-types/<key>/sample")
def sample_event(key: str):
    _known(key)
    body = json_object(required=False)
    options = _sample_options(body)
    account = _account(body.get("entity"))
    from sandbox.api.events import find_party

    errors: list[dict] = []
    reseller = find_party(body.get("reseller"), "reseller", errors, "the reseller of the booking")
    hotel = find_party(body.get("hotel"), "hotel", errors, "the hotel of the event")
    if account is None and (reseller or hotel):
        errors.append({"field": "entity", "message": "is required with reseller or hotel"})
    if errors:
        raise ValidationError(errors)
    if account is not None:
        recipients(key, account, hotel=hotel, reseller=reseller)   # a 400 before generating
    obj, owner = make_object(key, account, hotel=hotel, reseller=reseller,
                             lookup=resources.lookup(get_db()), **options)
    owner, role = recipients(key, owner, hotel=hotel, reseller=reseller)[0]
    return Response(to_json(build_envelope(key, owner["id"], role, obj)), mimetype="application/json")


# --- OpenAPI -------------------------------------------------------------------------------------
_KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "An event key, spelled as in the catalog (e.g. booking.created)."}
_ERRORS = {"400": {"$ref": "#/components/responses/BadRequest"}}
_NOT_FOUND = {"404": {"description": "Unknown event key; `suggestions` lists the closest known keys",
                      "content": {"application/problem+json": {"schema": {
                          "allOf": [{"$ref": "#/components/schemas/Problem"}, {
                              "type": "object", "properties": {
                                  "suggestions": {"type": "array", "items": {"type": "string"}}}}]}}}}}

OPENAPI_SCHEMAS = {
    "EventType": {
        "type": "object",
        "required": ["key", "category", "status", "description", "delivered", "roles"],
        "properties": {
            "key": {"type": "string"},
            "category": {"type": "string"},
            "status": {"enum": list(catalog.STATUSES)},
            "description": {"type": "string"},
            "delivered": {"type": "boolean", "description": "Wink POSTs this key to webhooks (one of the "
                          "70 keys of its spec's `webhooks` section)"},
            "roles": {"type": "array", "items": {"enum": list(catalog.ROLES)},
                      "description": "Who receives it: Wink's recipient roles for delivered keys, the "
                                     "sandbox's choice by family for the others"},
        },
    },
    "EventTypeDetails": {
        "allOf": [{"$ref": "#/components/schemas/EventType"}, {
            "type": "object",
            "required": ["aliases", "schema", "example", "recordSchema", "recordExample"],
            "properties": {
                "aliases": {"type": "array", "items": {"type": "string"},
                            "description": "Other keys for the same event"},
                "schema": {"type": "object", "description": "JSON Schema (2020-12) of the delivered "
                           "`object`: Wink's payload schema for the key"},
                "example": {"type": "object", "description": "A generated `object` (seed 1)"},
                "recordSchema": {"type": "object", "description": "JSON Schema of the full record "
                                 "behind `links.self`"},
                "recordExample": {"type": "object", "description": "The full record of the example"},
            },
        }],
    },
    "SampleRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "entity": {"type": "string", "description": "Id or exact name of the account the event "
                       "is for (the letter shown is addressed to it); default: a made-up hotel"},
            "reseller": {"type": "string", "description": "Id or exact name of the reseller a hotel's "
                         "booking was made through (it appears in the object)"},
            "hotel": {"type": "string", "description": "Id or exact name of the hotel, when `entity` "
                      "is the reseller"},
            "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED,
                     "description": "Same seed, key, account, locale and overrides: same data"},
            "locale": {"type": "string", "default": "en_US", "description": "A Faker locale"},
            "overrides": {"type": "object", "description": "Deep-merged into data"},
            "set": {"type": "array", "items": {"type": "string"},
                    "description": "Dotted assignments, e.g. roomStay.adults=3"},
            "validate": {"type": "boolean", "default": True,
                         "description": "Refuse a result that breaks the event's schema"},
            "now": {"type": "string", "format": "date-time",
                    "description": "Date the data relative to this instant"},
        },
    },
    # Wink's WebhookEnvelope, verbatim from its spec (sandbox/data/wink-schemas.json), with `object`
    # typed as the object it always is in the sandbox.
    "EventEnvelope": {
        **wink_schema("WebhookEnvelope"),
        "properties": {**wink_schema("WebhookEnvelope")["properties"],
                       "object": {**wink_schema("WebhookEnvelope")["properties"]["object"],
                                  "type": "object"}},
    },
}

OPENAPI_PATHS = {
    "/api/event-types": {
        "get": {
            "tags": ["Events"],
            "summary": "List event types",
            "operationId": "listEventTypes",
            "parameters": [
                {"name": "category", "in": "query", "schema": {"type": "string"},
                 "description": "Only this category (case-insensitive), e.g. Booking"},
                {"name": "status", "in": "query", "schema": {"enum": list(catalog.STATUSES)},
                 "description": "Only current, legacy or example-only keys"},
                {"name": "q", "in": "query", "schema": {"type": "string"},
                 "description": "Substring of the key or description (case-insensitive)"},
            ],
            "responses": {
                "200": {"description": "Matching event types, in catalog order", "content": {
                    "application/json": {"schema": {
                        "type": "array", "items": {"$ref": "#/components/schemas/EventType"}}}}},
                **_ERRORS,
            },
        },
    },
    "/api/event-types/{key}": {
        "parameters": [_KEY],
        "get": {
            "tags": ["Events"],
            "summary": "Show an event type with the schema of its data and an example",
            "operationId": "getEventType",
            "responses": {
                "200": {"description": "The event type", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/EventTypeDetails"}}}},
                **_NOT_FOUND,
            },
        },
    },
    "/api/event-types/{key}/sample": {
        "parameters": [_KEY],
        "post": {
            "tags": ["Events"],
            "summary": "Preview the envelope this event would be delivered in (sends nothing)",
            "operationId": "sampleEvent",
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/SampleRequest"}}}},
            "responses": {
                "200": {"description": "The envelope", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/EventEnvelope"}}}},
                **_ERRORS,
                **_NOT_FOUND,
                "413": {"$ref": "#/components/responses/TooLarge"},
                "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
            },
        },
    },
}
