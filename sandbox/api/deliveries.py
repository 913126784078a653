"""Deliveries API: list and inspect deliveries with every attempt, send them again; webhooks' delivery
settings (the sandbox's own routes: Wink's webhook bodies stay exactly Wink's)."""

from __future__ import annotations

import datetime as dt
import time

from flask import current_app, jsonify, request

from sandbox import holds
from sandbox.api import (
    PAGE_DEFAULT,
    PAGE_MAX,
    api,
    json_object,
    page,
    page_params,
    page_schema,
    query_event_key,
)
from sandbox.db import get_db
from sandbox.delivery import ENGINE_KEY, schedule, timeline
from sandbox.errors import ValidationError
from sandbox.hub import get_hub
from sandbox.store import deliveries as delivery_store
from sandbox.store import log, webhooks
from sandbox.store.log import timestamp

LISTED_STATUSES = delivery_store.STATUSES


def _since(raw: object, field: str = "since") -> str | None:
    """Parse an ISO 8601 instant (naive means UTC) into the stored form, or raise a 400 naming ``field``."""
    if raw in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError([{"field": field, "message": "must be an ISO 8601 date-time such as "
                                                           "2026-01-15T09:30:00Z"}]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return timestamp(moment.astimezone(dt.UTC))
    except (OverflowError, ValueError):
        raise ValidationError([{"field": field, "message": "is out of range"}]) from None


def _status(raw: object, field: str = "status") -> str | None:
    if raw in (None, ""):
        return None
    if raw not in LISTED_STATUSES:
        raise ValidationError([{"field": field, "message": "must be one of " + ", ".join(LISTED_STATUSES)}])
    return raw


def _wake_engine() -> None:
    engine = current_app.extensions.get(ENGINE_KEY)
    if engine is not None:
        engine.notify()


@api.get("/deliveries")
def list_deliveries():
    cursor, limit = page_params()
    args = request.args
    key = query_event_key("event")
    text = _search_text(args.get("q"))
    filters = dict(
        status=_status(args.get("status")),
        webhook_id=args.get("webhookId") or None, event_id=args.get("eventId") or None, event_key=key,
        account_id=args.get("entity") or None, **_range(args),
    )
    if text is None:
        items, next_cursor = delivery_store.list_deliveries(get_db(), before=cursor, limit=limit, **filters)
        return jsonify(page(items, next_cursor))
    items, next_cursor, searched = delivery_store.search_deliveries(
        get_db(), text, before=cursor, limit=limit, **filters)
    return jsonify({**page(items, next_cursor), "search": {"q": text, **searched}})


def _search_text(raw: object) -> str | None:
    """``?q=``: the text to search for, trimmed (blank is no search), or a 400 naming ``q``."""
    text = str(raw or "").strip()
    if not text:
        return None
    if len(text) > delivery_store.SEARCH_MAX:
        raise ValidationError([{"field": "q", "message": f"must be at most {delivery_store.SEARCH_MAX} "
                                                         f"characters"}])
    if any(ord(char) < 32 for char in text):
        raise ValidationError([{"field": "q", "message": "must be text on one line"}])
    return text


def _latest(*instants: str | None) -> str | None:
    """The later of ``since`` and ``from`` (the same bound under two names), or None."""
    given = [instant for instant in instants if instant is not None]
    return max(given) if given else None


def _range(args) -> dict:
    """``since``/``from`` and ``to`` as the store's bounds; an end before the start is a 400 naming ``to``.

    An empty range is a mistake (Until typed before From), not a question with no answer: saying so
    beats an empty list the user cannot tell from "nothing happened then".
    """
    since = _latest(_since(args.get("since")), _since(args.get("from"), "from"))
    until = _since(args.get("to"), "to")
    if since is not None and until is not None and until < since:
        start = "from" if args.get("from") else "since"
        raise ValidationError([{"field": "to", "message": f"must not be before {start}"}])
    return {"since": since, "until": until}


@api.get("/deliveries/<delivery_id>")
def get_delivery(delivery_id: str):
    db = get_db()
    delivery = delivery_store.get_delivery(db, delivery_id)
    own = delivery_store.retry_schedule_of(db, delivery["webhookId"])
    in_force = own if own is not None else schedule.server_schedule(current_app.config)
    return jsonify(timeline.annotate(delivery, in_force))


@api.post("/deliveries/<delivery_id>/retry")
def retry_delivery(delivery_id: str):
    held: list[dict] = []

    def hold_if_held(db, found: dict) -> None:   # a held webhook's queue takes it
        held.extend(log.append(db, holds.hold_new(db, [(found["id"], found["webhookId"])])))

    delivery = delivery_store.request_retry(get_db(), delivery_id, time.time(), then=hold_if_held)
    get_hub(current_app).publish(held)
    _wake_engine()
    return jsonify(delivery_store.get_delivery(get_db(), delivery_id, with_attempts=False) if held
                   else delivery), 202


RETRY_FILTERS = ("status", "webhookId", "since")


@api.post("/deliveries/retry")
def retry_deliveries():
    body = json_object()
    errors = [{"field": name, "message": "is not a filter (" + ", ".join(RETRY_FILTERS) + ")"}
              for name in sorted(set(body) - set(RETRY_FILTERS))]
    if errors:
        raise ValidationError(errors)
    if not any(body.get(name) not in (None, "") for name in RETRY_FILTERS):
        raise ValidationError([{"field": "status", "message": "give at least one filter: status, webhookId "
                                                             "or since"}])
    webhook_id = body.get("webhookId")
    if webhook_id is not None and not isinstance(webhook_id, str):
        raise ValidationError([{"field": "webhookId", "message": "must be a webhook id"}])
    result = delivery_store.retry_matching(
        get_db(), time.time(), status=_status(body.get("status")), webhook_id=webhook_id or None,
        since=_since(body.get("since")),
    )
    _wake_engine()
    return jsonify(result), 202


# ---- webhooks, as the delivery engine sees them -------------------------------------------------

@api.get("/webhooks")
def list_all_webhooks():
    db = get_db()
    last = delivery_store.last_delivery_by_webhook(db)
    return jsonify([{**hook, "lastDelivery": last.get(hook["id"])} for hook in webhooks.list_webhooks(db)])


def _schedule_view(webhook_id: str) -> dict:
    db = get_db()
    webhooks.get_webhook(db, None, webhook_id)  # 404 for an unknown webhook
    own = delivery_store.retry_schedule_of(db, webhook_id)
    effective = own if own is not None else schedule.server_schedule(current_app.config)
    return {"webhookId": webhook_id, "source": "webhook" if own is not None else "server",
            "schedule": effective, "attempts": len(effective) + 1}


@api.get("/webhooks/<webhook_id>/retry-schedule")
def get_retry_schedule(webhook_id: str):
    return jsonify(_schedule_view(webhook_id))


@api.put("/webhooks/<webhook_id>/retry-schedule")
def put_retry_schedule(webhook_id: str):
    webhooks.get_webhook(get_db(), None, webhook_id)
    body = json_object()
    errors = [{"field": name, "message": "is not a field (schedule, or preset with timeFactor)"}
              for name in sorted(set(body) - {"schedule", "preset", "timeFactor"})]
    if "schedule" in body and "preset" in body:
        errors.append({"field": "preset", "message": "give either schedule or preset, not both"})
    elif "schedule" not in body and "preset" not in body:
        errors.append({"field": "schedule", "message": "is required: seconds before each retry, e.g. "
                                                       "[1, 5, 30] (or give a preset)"})
    factor = body.get("timeFactor", 1)
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 < factor <= 1000:
        errors.append({"field": "timeFactor", "message": "must be a number above 0 and at most 1000"})
    steps = None
    if "preset" in body and "schedule" not in body:
        if not isinstance(body["preset"], str) or body["preset"] not in schedule.PRESETS:
            errors.append({"field": "preset", "message": "must be one of " + ", ".join(schedule.PRESETS)})
        elif not errors:
            steps = schedule.scaled(schedule.PRESETS[body["preset"]], factor)
    elif "schedule" in body:
        problem = schedule.problem(body["schedule"])
        if problem:
            errors.append({"field": "schedule", "message": problem})
        elif not errors:
            steps = schedule.scaled(body["schedule"], factor)
    if errors:
        raise ValidationError(errors)
    delivery_store.set_retry_schedule(get_db(), webhook_id, steps)
    return jsonify(_schedule_view(webhook_id))


@api.delete("/webhooks/<webhook_id>/retry-schedule")
def delete_retry_schedule(webhook_id: str):
    webhooks.get_webhook(get_db(), None, webhook_id)
    delivery_store.set_retry_schedule(get_db(), webhook_id, None)
    return jsonify(_schedule_view(webhook_id))


# ---- OpenAPI --------------------------------------------------------------------------------------

_SEARCH_PAGE = {**page_schema("Delivery"), "properties": {
    **page_schema("Delivery")["properties"],
    "search": {"type": "object", "description": "Only with `q`: what this call searched.",
               "required": ["q", "scanned", "complete"], "properties": {
                   "q": {"type": "string", "description": "The text searched for, trimmed."},
                   "scanned": {"type": "integer", "description": "Deliveries read by this call."},
                   "complete": {"type": "boolean",
                                "description": "True when nothing older is left to search."}}}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


_DELIVERY_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                "description": "The delivery id."}
_WEBHOOK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "The webhook id."}
_SCHEDULE_RESPONSE = {"200": {"description": "The retry schedule in force", "content": {
    "application/json": {"schema": _ref("schemas/RetrySchedule")}}}, "404": _ref("responses/NotFound")}
_STATUS_SCHEMA = {"type": "string", "enum": list(LISTED_STATUSES)}

OPENAPI_PATHS = {
    "/api/deliveries": {
        "get": {
            "tags": ["Deliveries"], "summary": "List deliveries, newest first",
            "description": "The sandbox's delivery log, across accounts, with cursor paging and the "
                           "sandbox's lower-case statuses (`failed` is Wink's DEAD). Wink's own: "
                           "`search-deliveries` (POST .../webhook/delivery/grid), one account's "
                           "deliveries paged by a State.",
            "operationId": "listDeliveries",
            "parameters": [
                {"name": "status", "in": "query", "required": False, "schema": _STATUS_SCHEMA},
                {"name": "webhookId", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "eventId", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "event", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "Only this event key."},
                {"name": "entity", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "Only deliveries of this account id."},
                {"name": "since", "in": "query", "required": False,
                 "schema": {"type": "string", "format": "date-time"},
                 "description": "Only deliveries made at or after this instant (ISO 8601; no zone = UTC)."},
                {"name": "from", "in": "query", "required": False,
                 "schema": {"type": "string", "format": "date-time"},
                 "description": "The same as since (the later of the two counts)."},
                {"name": "to", "in": "query", "required": False,
                 "schema": {"type": "string", "format": "date-time"},
                 "description": "Only deliveries made at or before this instant (ISO 8601; no zone = UTC). "
                                "Before `from` (or `since`) is a 400 naming `to`."},
                {"name": "q", "in": "query", "required": False,
                 "schema": {"type": "string", "maxLength": delivery_store.SEARCH_MAX},
                 "description": "Free-text search, ignoring case, within the other filters. A delivery's "
                                "or an event's id finds it whatever its age. Any other text is looked for "
                                "in the delivery's id, event id, event key, webhook name, URL, last error "
                                "and the exact body it sends (a booking code, a guest's name...), reading "
                                f"at most {delivery_store.SEARCH_SCAN:,} deliveries per call, newest first: "
                                "the answer's `search.complete` says whether that reached the oldest, and "
                                "`nextCursor` goes on from where the call stopped (so a page may hold "
                                "fewer than `limit` matches and still have a next one)."},
                {"name": "cursor", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": "^[0-9]+$"}},
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": PAGE_DEFAULT}},
            ],
            "responses": {"200": {"description": "A page of deliveries; with `q`, also what was searched",
                                  "content": {"application/json": {"schema": _SEARCH_PAGE}}},
                          "400": _ref("responses/BadRequest")},
        },
    },
    "/api/deliveries/{id}": {
        "parameters": [_DELIVERY_ID],
        "get": {
            "tags": ["Deliveries"], "summary": "Show a delivery with every attempt",
            "description": "Every attempt in full (request headers and body, the answer up to 64 KiB). "
                           "Wink's own: `load-delivery` (GET .../webhook/delivery/{deliveryId}), the same "
                           "delivery in Wink's shape (attempts with a 4 KB responseSnippet).",
            "operationId": "getDelivery",
            "responses": {"200": {"description": "The delivery", "content": {"application/json": {
                "schema": _ref("schemas/DeliveryDetail")}}}, "404": _ref("responses/NotFound")},
        },
    },
    "/api/deliveries/{id}/retry": {
        "parameters": [_DELIVERY_ID],
        "post": {
            "tags": ["Deliveries"], "summary": "Send a delivery again now (also after success)",
            "description": "One manual attempt with the same event id (Wink-Event-Id), whatever the "
                           "delivery's status, also after success. 409 while an attempt is in "
                           "flight, when the webhook is disabled, or when it was deleted. Wink's own: "
                           "`redeliver` (POST .../webhook/delivery/{deliveryId}/redeliver) takes only DEAD "
                           "or CANCELLED deliveries and starts their retry schedule over; `cancel` (POST "
                           ".../webhook/delivery/{deliveryId}/cancel) stops one.",
            "operationId": "retryDelivery",
            "responses": {"202": {"description": "Queued", "content": {"application/json": {
                "schema": _ref("schemas/Delivery")}}}, "404": _ref("responses/NotFound"),
                "409": _ref("responses/Conflict")},
        },
    },
    "/api/deliveries/retry": {
        "post": {
            "tags": ["Deliveries"], "summary": "Send every matching delivery again now",
            "description": "Skips deliveries in flight, cancelled ones and those of disabled webhooks. "
                           "Wink's own: `redeliver-dead` (POST .../webhook/{id}/redeliver-dead), every DEAD "
                           "delivery of one webhook.",
            "operationId": "retryDeliveries",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False, "minProperties": 1,
                "properties": {"status": _STATUS_SCHEMA, "webhookId": {"type": "string"},
                               "since": {"type": "string", "format": "date-time"}}}}}},
            "responses": {"202": {"description": "How many were queued", "content": {"application/json": {
                "schema": {"type": "object", "required": ["matched", "retried", "skipped"], "properties": {
                    "matched": {"type": "integer"}, "retried": {"type": "integer"},
                    "skipped": {"type": "integer"}}}}}},
                "400": _ref("responses/BadRequest"), "413": _ref("responses/TooLarge"),
                "415": _ref("responses/UnsupportedMediaType")},
        },
    },
    "/api/webhooks": {
        "get": {
            "tags": ["Deliveries"], "summary": "Every webhook of every account, with its last delivery",
            "operationId": "listAllWebhooks",
            "responses": {"200": {"description": "Webhooks, oldest first", "content": {"application/json": {
                "schema": {"type": "array", "items": {"allOf": [_ref("schemas/Webhook"), {
                    "type": "object", "required": ["lastDelivery"], "properties": {"lastDelivery": {
                        "oneOf": [{"type": "null"}, {"type": "object"}]}}}]}}}}}},
        },
    },
    "/api/webhooks/{id}/retry-schedule": {
        "parameters": [_WEBHOOK_ID],
        "get": {"tags": ["Deliveries"], "summary": "Show a webhook's retry schedule",
                "operationId": "getRetrySchedule", "responses": _SCHEDULE_RESPONSE},
        "put": {
            "tags": ["Deliveries"], "summary": "Give a webhook its own retry schedule",
            "description": "`schedule`: seconds before each retry (`[]`: no retries), or `preset` "
                           "(local, svix); either scaled by `timeFactor`.",
            "operationId": "putRetrySchedule",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False, "properties": {
                    "schedule": {"type": "array", "maxItems": schedule.MAX_RETRIES, "items": {
                        "type": "number", "minimum": 0, "maximum": schedule.MAX_DELAY}},
                    "preset": {"type": "string", "enum": list(schedule.PRESETS)},
                    "timeFactor": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000}}}}}},
            "responses": {**_SCHEDULE_RESPONSE, "400": _ref("responses/BadRequest"),
                          "413": _ref("responses/TooLarge"), "415": _ref("responses/UnsupportedMediaType")},
        },
        "delete": {"tags": ["Deliveries"], "summary": "Go back to the server's retry schedule",
                   "operationId": "deleteRetrySchedule", "responses": _SCHEDULE_RESPONSE},
    },
}

_DELIVERY_PROPERTIES = {
    "id": {"type": "string"}, "eventId": {"type": "string"}, "event": {"type": "string"},
    "entity": {"type": "string"}, "webhookId": {"type": "string"}, "webhookName": {"type": "string"},
    "eventUrl": {"type": "string"}, "status": _STATUS_SCHEMA, "inFlight": {"type": "boolean"},
    "attemptCount": {"type": "integer"}, "nextAttemptAt": {"type": ["string", "null"]},
    "lastAttemptAt": {"type": ["string", "null"]}, "lastStatusCode": {"type": ["integer", "null"]},
    "lastError": {"type": ["string", "null"]}, "createdDate": {"type": "string"},
    "updatedDate": {"type": "string"}, "chaos": {"type": ["string", "null"]},
    "resend": {"type": ["object", "null"], "description": "Set on a delivery made by POST "
               "/api/events/{id}/resend: `of` (the event resent), `mode` (keep, fresh), `patch` (RFC 6902, "
               "original object to the one sent), `problems` (schema rules broken, when forced)"},
    "outsideContract": {"type": "boolean", "description": "A resend forced past an edit that breaks the "
                        "event's Wink schema: not something Wink would send"},
}

OPENAPI_SCHEMAS = {
    "Delivery": {"type": "object", "required": list(_DELIVERY_PROPERTIES),
                 "properties": _DELIVERY_PROPERTIES},
    "DeliveryDetail": {
        "type": "object", "required": [*_DELIVERY_PROPERTIES, "attempts", "maxAttempts", "wink"],
        "properties": {
            **_DELIVERY_PROPERTIES,
            "attempts": {"type": "array", "items": _ref("schemas/Attempt")},
            "maxAttempts": {"type": "integer", "minimum": 1, "description": "Attempts in all under the "
                            "retry schedule in force for its webhook (retries + 1)"},
            "wink": {"type": "object", "required": ["maxAttempts", "deadlineMs", "schedule"],
                     "description": "Wink's own rules, to compare with: 11 attempts, a 10 s deadline, its "
                                    "retry waits in seconds", "properties": {
                         "maxAttempts": {"type": "integer"}, "deadlineMs": {"type": "integer"},
                         "schedule": {"type": "array", "items": {"type": "number"}}}},
        },
    },
    "Attempt": {
        "type": "object",
        "required": ["attempt", "trigger", "startedAt", "request", "response", "durationMs", "error",
                     "status", "nextAttemptAt"],
        "properties": {
            "attempt": {"type": "integer", "minimum": 1},
            "trigger": {"type": "string", "enum": ["initial", "retry", "manual"]},
            "startedAt": {"type": "string"},
            "request": {"type": "object", "required": ["url", "headers", "body"], "properties": {
                "url": {"type": "string"}, "headers": {"type": "object"}, "body": {"type": "string"}}},
            "response": {"oneOf": [{"type": "null"}, {"type": "object", "required": [
                "status", "headers", "body", "truncated"], "properties": {
                "status": {"type": "integer"}, "headers": {"type": "object"}, "body": {"type": "string"},
                "truncated": {"type": "boolean", "description": "The body was cut at 64 KiB"}}}]},
            "durationMs": {"type": "number"},
            "error": {"type": ["string", "null"]},
            "status": _STATUS_SCHEMA,
            "nextAttemptAt": {"type": ["string", "null"]},
            "winkAt": {"type": ["string", "null"], "description": "In a delivery's detail: when this "
                       "attempt would have gone out under Wink's retry schedule (a first try or one sent "
                       "by hand: its own time; null: a retry past Wink's tenth)"},
        },
    },
    "RetrySchedule": {
        "type": "object", "required": ["webhookId", "source", "schedule", "attempts"],
        "properties": {"webhookId": {"type": "string"},
                       "source": {"type": "string", "enum": ["webhook", "server"]},
                       "schedule": {"type": "array", "items": {"type": "number"}},
                       "attempts": {"type": "integer", "description": "Attempts in all (retries + 1)"}},
    },
}
