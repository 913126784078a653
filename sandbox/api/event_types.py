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
    errors = []
    for name, allowed in (("status", catalog.STATUSES), ("kind", catalog.KINDS),
                          ("category", catalog.categories())):
        value = request.args.get(name) or None
        if value and value.strip().lower() not in [item.lower() for item in allowed]:
            errors.append({"field": name, "message": "must be one of " + ", ".join(allowed)})
    if errors:
        raise ValidationError(errors)
    return jsonify(catalog.list_event_types(request.args.get("category") or None,
                                            request.args.get("status") or None, request.args.get("q"),
                                            kind=request.args.get("kind") or None))


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
        "description": "An event key, spelled as in the catalog (e.g. booking.create; its "
                       "alias booking.created works too)."}
_ERRORS = {"400": {"$ref": "#/components/responses/BadRequest"}}
_NOT_FOUND = {"404": {"description": "Unknown event key; `suggestions` lists the closest known keys",
                      "content": {"application/problem+json": {"schema": {
                          "allOf": [{"$ref": "#/components/schemas/Problem"}, {
                              "type": "object", "properties": {
                                  "suggestions": {"type": "array", "items": {"type": "string"}}}}]}}}}}

OPENAPI_SCHEMAS = {
    "EventType": {
        "type": "object",
        "required": ["key", "label", "category", "status", "kind", "description", "delivered", "roles",
                     "payload", "closest", "aliases"],
        "properties": {
            "key": {"type": "string"},
            "label": {"type": "string", "description": "A readable name: Wink's summary for the 70 "
                      "delivered keys (\"Booking created\"), the sandbox's for the others (legacy keys "
                      "end in \"(TripPay)\", the guides' example names in \"(guide example)\")"},
            "category": {"type": "string"},
            "status": {"enum": list(catalog.STATUSES), "description": "Where the name comes from: "
                       "Wink's catalog (current), the older TripPay catalog (legacy), or only Wink's "
                       "guides and examples (example-only)"},
            "kind": {"enum": list(catalog.KINDS), "description": "What Wink does with it: `delivered` "
                     "(one of the 70 keys Wink POSTs to webhooks), `listed` (in Wink's "
                     "x-wink-event-types with delivered: false: never POSTed), `legacy` (older TripPay "
                     "catalog) or `example-only` (a name from Wink's guides). Firing a key that is not "
                     "`delivered` needs `\"undelivered\": true`"},
            "description": {"type": "string"},
            "delivered": {"type": "boolean", "description": "Wink POSTs this key to webhooks (one of the "
                          "70 keys of its spec's `webhooks` section): kind is `delivered`"},
            "roles": {"type": "array", "items": {"enum": list(catalog.ROLES)},
                      "description": "Who receives it: Wink's recipient roles for delivered keys, the "
                                     "sandbox's choice by family for the others"},
            "payload": {"type": ["string", "null"], "description": "The Wink schema the `object` "
                        "follows (e.g. BookingWebhookPayload); null: the sandbox's own record"},
            "closest": {"type": ["string", "null"], "description": "For a key Wink never delivers: the "
                        "delivered key it is obviously nearest to, if there is one"},
            "aliases": {"type": "array", "items": {"type": "string"},
                        "description": "Other names of the same event, accepted wherever a key is "
                                       "(booking.create's alias booking.created, the guides' name)"},
            "aliasOf": {"type": "string", "description": "Only on an alias (GET "
                        "/api/event-types/booking.created): the key on the wire"},
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
            "description": "One entry per event, in catalog order: Wink's 70 delivered keys, the 35 "
                           "it lists but never delivers, 24 legacy and 2 example-only keys. "
                           "`booking.created` is not an entry of its own but an alias in "
                           "booking.create's `aliases`; it is still accepted wherever a key is.",
            "operationId": "listEventTypes",
            "parameters": [
                {"name": "category", "in": "query", "schema": {"type": "string"},
                 "description": "Only this category (case-insensitive), e.g. Booking"},
                {"name": "status", "in": "query", "schema": {"enum": list(catalog.STATUSES)},
                 "description": "Only current, legacy or example-only keys"},
                {"name": "kind", "in": "query", "schema": {"enum": list(catalog.KINDS)},
                 "description": "Only keys Wink delivers, lists without delivering, legacy or "
                                "example-only keys"},
                {"name": "q", "in": "query", "schema": {"type": "string"},
                 "description": "Substring of the key, an alias, the label or the description "
                                "(case-insensitive)"},
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
            "description": "Previews any known key, also one Wink never delivers (kind `listed`, "
                           "`legacy` or `example-only`): the preview sends nothing, so it needs no "
                           "`undelivered` flag. Firing such a key (POST /api/events) does.",
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
