"""Events API: fire events at an account's webhooks, list and show fired events."""

from __future__ import annotations

import json

from flask import current_app, jsonify, request

from sandbox import catalog
from sandbox.api import (
    PAGE_PARAMETERS,
    api,
    check_event_key,
    is_whole_number,
    json_object,
    page,
    page_params,
    page_schema,
    query_event_key,
)
from sandbox.catalog import ROLES
from sandbox.db import get_db
from sandbox.delivery.firing import (
    CHAOS_LABELS,
    DEFAULT_STALE_SECONDS,
    MAX_COUNT,
    Firing,
    fire,
    letters_of,
    undelivered_problem,
)
from sandbox.errors import ValidationError
from sandbox.generate import MAX_SEED
from sandbox.store import NotFound, accounts
from sandbox.store import deliveries as delivery_store
from sandbox.store import events as event_store

FIELDS = ("event", "entity", "reseller", "hotel", "overrides", "set", "seed", "locale", "count", "object",
          "data", "webhookId", "chaos", "undelivered")
MAX_STALE_SECONDS = 30 * 24 * 3600


def _assignments(value: object, errors: list[dict]) -> list[str] | None:
    """Accept ``set`` as ["path=value", ...] or {"path": value, ...}; return path=value strings."""
    if value is None:
        return None
    if isinstance(value, dict):
        return [f"{path}={json.dumps(item)}" for path, item in value.items()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    errors.append({"field": "set", "message": 'must be a list of "path=value" strings or an object '
                                              "{path: value}"})
    return None


def _chaos(value: object, errors: list[dict]) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append({"field": "chaos", "message": 'must be an object such as {"label": "stale", '
                                                    '"staleSeconds": 600}'})
        return None
    for name in sorted(set(value) - {"label", "staleSeconds"}):
        errors.append({"field": f"chaos.{name}", "message": "is not a chaos field (label, staleSeconds)"})
    label = value.get("label")
    if label is not None and label not in CHAOS_LABELS:
        errors.append({"field": "chaos.label", "message": f"must be one of {', '.join(CHAOS_LABELS)}"})
    stale = value.get("staleSeconds")
    if stale is not None and not is_whole_number(stale, 0, MAX_STALE_SECONDS):
        errors.append({"field": "chaos.staleSeconds",
                       "message": f"must be a whole number of seconds from 0 to {MAX_STALE_SECONDS}"})
        return None
    chaos = {key: item for key, item in value.items() if item is not None}
    if label == "stale" and stale is None:
        chaos["staleSeconds"] = DEFAULT_STALE_SECONDS
    return chaos or None


def find_party(value: object, field: str, errors: list[dict], what: str) -> dict | None:
    """Look up an account named by id or exact name in ``field``; add an error naming it when absent."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        errors.append({"field": field, "message": f"must be {what}: an account id or its exact name"})
        return None
    db = get_db()
    try:
        return accounts.get_account(db, value)
    except NotFound:
        # An exact account name works too, so the demo needs no id: "entity": "Cool Account".
        found = accounts.find_account_by_name(db, value)
        if found is None:
            errors.append({"field": field, "message": f"no account has id or name {value!r}"})
        return found


def read_firing(body: dict) -> Firing:
    """Check a POST /api/events body field by field; return what to fire or raise a 400 naming each field."""
    errors: list[dict] = []
    for name in sorted(set(body) - set(FIELDS)):
        errors.append({"field": name,
                       "message": "is not a field of a fired event (" + ", ".join(FIELDS) + ")"})
    key = body.get("event")
    check_event_key(key, "event", errors)
    undelivered = body.get("undelivered", False)
    if not isinstance(undelivered, bool):
        errors.append({"field": "undelivered", "message": "must be true or false: true fires a key Wink "
                                                          "never delivers"})
    elif problem := undelivered_problem(key, undelivered):
        errors.append(problem)

    account = None
    entity = body.get("entity")
    if not isinstance(entity, str) or not entity:
        errors.append({"field": "entity", "message": "is required: the id of the account the event is for"})
    else:
        account = find_party(entity, "entity", errors, "the account the event is for")
    reseller = find_party(body.get("reseller"), "reseller", errors, "the reseller of the booking")
    hotel = find_party(body.get("hotel"), "hotel", errors, "the hotel of the event")

    count = body.get("count", 1)
    if not is_whole_number(count, 1, MAX_COUNT):
        errors.append({"field": "count", "message": f"must be a whole number from 1 to {MAX_COUNT}"})
    seed = body.get("seed")
    if seed is not None and not is_whole_number(seed, 0, MAX_SEED):
        errors.append({"field": "seed", "message": f"must be a whole number from 0 to {MAX_SEED}"})
    locale = body.get("locale")
    if locale is not None and (not isinstance(locale, str) or not 2 <= len(locale) <= 20):
        errors.append({"field": "locale", "message": "must be a locale such as en_US or pt-BR"})
    overrides = body.get("overrides")
    if overrides is not None and not isinstance(overrides, dict):
        errors.append({"field": "overrides", "message": "must be an object deep-merged into the data"})
    assignments = _assignments(body.get("set"), errors)
    # `object` is the envelope's name; `data` (its name before Wink published the envelope) still works.
    field = "object" if "object" in body or "data" not in body else "data"
    data = body.get(field)
    if body.get("object") is not None and body.get("data") is not None:
        errors.append({"field": "data", "message": "is the old name of object: give one of them"})
    if data is not None:
        if not isinstance(data, dict):
            errors.append({"field": field, "message": "must be an object: the whole object of the event"})
        clash = [name for name in ("overrides", "set", "seed", "locale") if body.get(name) is not None]
        if clash:
            errors.append({"field": field, "message": "replaces generation, so it cannot be combined "
                                                      "with " + ", ".join(clash)})
    webhook_id = body.get("webhookId")
    if webhook_id is not None and (not isinstance(webhook_id, str) or not webhook_id):
        errors.append({"field": "webhookId", "message": "must be the id of one of the account's webhooks"})
    chaos = _chaos(body.get("chaos"), errors)
    if errors:
        raise ValidationError(errors)
    firing = Firing(key=key, account=account, count=count, seed=seed, locale=locale, overrides=overrides,
                    assignments=assignments, data=data, webhook_id=webhook_id, chaos=chaos, hotel=hotel,
                    reseller=reseller, undelivered=undelivered)
    letters_of(firing)   # a 400 naming reseller, hotel or entity when the parties do not fit
    return firing


@api.post("/events")
def fire_events():
    firing = read_firing(json_object())
    return jsonify(fire(current_app._get_current_object(), get_db(), firing)), 202


@api.get("/events")
def list_events():
    cursor, limit = page_params()
    items, next_cursor = event_store.list_events(
        get_db(), key=query_event_key("event"), account_id=request.args.get("entity") or None,
        before=cursor, limit=limit,
    )
    return jsonify(page(items, next_cursor))


@api.get("/events/<event_id>")
def get_event(event_id: str):
    event = event_store.get_event(get_db(), event_id)
    event["deliveries"] = delivery_store.deliveries_of_event(get_db(), event_id)
    return jsonify(event)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


OPENAPI_PATHS = {
    "/api/events": {
        "post": {
            "tags": ["Events"], "summary": "Fire events at an account's webhooks",
            "description": "Makes `count` occurrences (generated, or around the given `object`). Each "
                           "recipient gets its own letter (Wink's envelope with its own id, "
                           "`ownerIdentifier` and `recipientRole`): the `entity`, and the other party named "
                           "by `reseller` or `hotel`. Booking keys go to the hotel (SUPPLIER) and the "
                           "reseller (AGENT for a travel agent, AFFILIATE otherwise), except "
                           "booking.review.created (hotel only); property and inventory keys to the hotel "
                           "and its sellers (AFFILIATE); account keys to the account itself (SELF). Every "
                           "letter and one delivery per enabled subscribed webhook of its account (or only "
                           "`webhookId`) are stored in one transaction; the answer is 202 once stored, and "
                           "sending happens in the background. `booking.created` is accepted for "
                           "`booking.create`, the key on the wire. A key Wink never delivers (kind "
                           "`listed`, `legacy` or `example-only` in GET /api/event-types) is refused "
                           "with a 400 naming `event` (and the closest delivered key, if there is an "
                           "obvious one) unless `undelivered` is true; then it goes out (its object in "
                           "the closest Wink shape where the catalog's `payload` names one, else the "
                           "sandbox's own record) and its letters are marked `undelivered`.",
            "operationId": "fireEvents",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("schemas/FireEvents")}}},
            "responses": {
                "202": {"description": "Stored; deliveries are being sent", "content": {
                    "application/json": {"schema": _ref("schemas/FiredEvents")}}},
                "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
                "409": _ref("responses/Conflict"), "413": _ref("responses/TooLarge"),
                "415": _ref("responses/UnsupportedMediaType"),
            },
        },
        "get": {
            "tags": ["Events"], "summary": "List fired events, newest first", "operationId": "listEvents",
            "parameters": [
                {"name": "event", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "Only this event key."},
                {"name": "entity", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "Only events of this account id."},
                *PAGE_PARAMETERS,
            ],
            "responses": {"200": {"description": "A page of events", "content": {"application/json": {
                "schema": page_schema("Event")}}}, "400": _ref("responses/BadRequest")},
        },
    },
    "/api/events/{id}": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "The event id (the Wink-Event-Id header of its deliveries)."}],
        "get": {
            "tags": ["Events"], "summary": "Show an event: its envelope and its deliveries",
            "operationId": "getEvent",
            "responses": {"200": {"description": "The event", "content": {"application/json": {
                "schema": _ref("schemas/EventDetail")}}}, "404": _ref("responses/NotFound")},
        },
    },
}

_EVENT_PROPERTIES = {
    "id": {"type": "string"},
    "event": {"type": "string"},
    "entity": {"type": "string", "description": "The account id"},
    "entityName": {"type": "string"},
    "recipientRole": {"enum": list(ROLES),
                      "description": "Why the account receives this letter"},
    "occurrenceId": {"type": "string", "description": "Shared by the letters of one fired event (one per "
                     "recipient)"},
    "createdDate": {"type": "string"},
    "deliveryCount": {"type": "integer", "minimum": 0},
    "webhookId": {"type": ["string", "null"], "description": "Set when fired at one webhook only"},
    "seed": {"type": ["integer", "null"]},
    "locale": {"type": ["string", "null"]},
    "chaos": {"type": ["object", "null"]},
    "undelivered": {"type": "boolean", "description": "A key Wink never delivers, fired with "
                    "`\"undelivered\": true`: not a letter Wink would send"},
}

OPENAPI_SCHEMAS = {
    "FireEvents": {
        "type": "object", "required": ["event", "entity"], "additionalProperties": False,
        "properties": {
            "event": {"type": "string", "enum": catalog.keys(), "description": "The event key"},
            "entity": {"type": "string", "description": "The account (managing entity) id, or its name"},
            "count": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT, "default": 1,
                      "description": "How many events, each with its own id and payload"},
            "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED,
                     "description": "Fixes the generated data; event i uses seed + i"},
            "locale": {"type": "string", "minLength": 2, "maxLength": 20},
            "overrides": {"type": "object", "description": "Deep-merged into the generated data"},
            "set": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
                    "description": "path=value assignments, or {path: value}"},
            "object": {"type": "object", "description": "The whole object (payload) instead of generated "
                       "data; the same object goes to every recipient"},
            "data": {"type": "object", "deprecated": True,
                     "description": "The old name of `object`, still accepted (not both)"},
            "reseller": {"type": "string", "description": "When `entity` is a hotel: the reseller (id or "
                         "exact name) the booking was made through, or that sells the property. It gets its "
                         "own letter as AGENT (a TRAVEL_AGENT) or AFFILIATE, and appears in the object"},
            "hotel": {"type": "string", "description": "When `entity` is a reseller: the hotel (id or exact "
                      "name). It gets its own letter as SUPPLIER"},
            "webhookId": {"type": "string", "description": "Deliver only to this webhook of the account"},
            "chaos": {"type": "object", "additionalProperties": False, "properties": {
                "label": {"type": "string", "enum": list(CHAOS_LABELS)},
                "staleSeconds": {"type": "integer", "minimum": 0, "maximum": MAX_STALE_SECONDS}}},
            "undelivered": {"type": "boolean", "default": False,
                            "description": "Fire a key Wink never delivers (kind listed, legacy or "
                                           "example-only) anyway; its letters are marked `undelivered`. "
                                           "Without it such a key is a 400. No effect on a key Wink "
                                           "delivers"},
        },
    },
    "FiredEvents": {
        "type": "object", "required": ["events"],
        "properties": {
            "events": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "event", "entity", "entityName", "recipientRole", "undelivered",
                             "deliveries"],
                "properties": {
                    "id": {"type": "string", "description": "The letter's id (Wink-Event-Id)"},
                    "event": {"type": "string", "description": "The key on the wire"},
                    "entity": {"type": "string", "description": "The addressed account (ownerIdentifier)"},
                    "entityName": {"type": "string"},
                    "recipientRole": {"enum": list(ROLES)},
                    "undelivered": {"type": "boolean", "description": "Not a letter Wink would send "
                                    "(a key it never delivers, fired with `undelivered`)"},
                    "deliveries": {"type": "array", "items": {
                        "type": "object", "required": ["id", "webhookId", "eventUrl"],
                        "properties": {"id": {"type": "string"}, "webhookId": {"type": "string"},
                                       "eventUrl": {"type": "string"}}}}}}},
            "recipients": {"type": "array", "description": "Who receives each occurrence, in order",
                           "items": {"type": "object",
                                     "required": ["entity", "entityName", "recipientRole", "webhookCount"],
                                     "properties": {
                                         "entity": {"type": "string"}, "entityName": {"type": "string"},
                                         "recipientRole": {"enum": list(ROLES)},
                                         "webhookCount": {"type": "integer", "minimum": 0}}}},
            "message": {"type": "string", "description": "Present when no webhook got the events"},
        },
    },
    "Event": {"type": "object", "required": list(_EVENT_PROPERTIES), "properties": _EVENT_PROPERTIES},
    "EventDetail": {
        "type": "object", "required": [*_EVENT_PROPERTIES, "envelope", "deliveries"],
        "properties": {**_EVENT_PROPERTIES,
                       "envelope": {"type": "object", "description": "The exact body every attempt sends"},
                       "deliveries": {"type": "array", "items": _ref("schemas/Delivery")}},
    },
}
