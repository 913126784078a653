"""Wink's outbox operations under /api/managing-entity/{id}/webhook: send a test event, search and show
letters and deliveries, redeliver, cancel, redeliver every dead delivery (``sandbox.outbox`` does the
work). Only the account's own letters and deliveries are found; another account's ids are 404."""

from __future__ import annotations

from flask import current_app, jsonify, request

from sandbox.api import api, json_body, json_object
from sandbox.db import get_db
from sandbox.errors import APIError, ValidationError
from sandbox.outbox import actions, shapes
from sandbox.outbox.grids import DELIVERIES, DELIVERY_STATUSES, EVENT_STATUSES, EVENTS
from sandbox.outbox.state import MAX_DEPTH, OPERATORS, TAKE_DEFAULT, TAKE_MAX, read_state
from sandbox.schemas import wink_schema
from sandbox.store import accounts, webhooks
from sandbox.store import outbox as store

BASE = "/managing-entity/<account_id>/webhook"


def _account(account_id: str) -> dict:
    return accounts.get_account(get_db(), account_id)


def _no_body(operation: str) -> None:
    """Refuse a body on an operation Wink gives none (an empty body, ``{}`` or ``null`` is fine)."""
    body = json_body(required=False, default=None)
    if body is None or body == {}:
        return
    if isinstance(body, dict):
        raise ValidationError([{"field": name, "message": f"is not accepted: {operation} takes no body"}
                               for name in sorted(body)])
    raise APIError(400, f"{operation} takes no body: send none (or {{}})")


def _app():
    return current_app._get_current_object()


@api.post(BASE + "/<webhook_id>/test")
def send_test_event(account_id: str, webhook_id: str):
    account = _account(account_id)
    hook = webhooks.get_webhook(get_db(), account_id, webhook_id)
    _no_body("send-test-event")
    return jsonify(actions.send_test_event(_app(), get_db(), account, hook)), 201


@api.post(BASE + "/event/grid")
def search_events(account_id: str):
    _account(account_id)
    query = read_state(json_object(), EVENTS)
    rows, total = store.search(get_db(), "events", account_id, query)
    content = [shapes.event(row, with_body=False) for row in rows]
    return jsonify(shapes.page(content, total, query.skip, query.take))


@api.get(BASE + "/event/<event_id>")
def load_event(account_id: str, event_id: str):
    _account(account_id)
    return jsonify(shapes.event(store.get_letter(get_db(), account_id, event_id), with_body=True))


@api.post(BASE + "/delivery/grid")
def search_deliveries(account_id: str):
    _account(account_id)
    query = read_state(json_object(), DELIVERIES)
    rows, total = store.search(get_db(), "deliveries", account_id, query,
                               webhook_id=request.args.get("webhookId") or None)
    return jsonify(shapes.page([shapes.delivery(row) for row in rows], total, query.skip, query.take))


@api.get(BASE + "/delivery/<delivery_id>")
def load_delivery(account_id: str, delivery_id: str):
    _account(account_id)
    return jsonify(actions.load_delivery(get_db(), account_id, delivery_id))


@api.post(BASE + "/delivery/<delivery_id>/redeliver")
def redeliver(account_id: str, delivery_id: str):
    _account(account_id)
    store.get_delivery(get_db(), account_id, delivery_id)   # 404 before 400
    _no_body("redeliver")
    return jsonify(actions.redeliver(_app(), get_db(), account_id, delivery_id))


@api.post(BASE + "/delivery/<delivery_id>/cancel")
def cancel(account_id: str, delivery_id: str):
    _account(account_id)
    store.get_delivery(get_db(), account_id, delivery_id)
    _no_body("cancel")
    return jsonify(actions.cancel(_app(), get_db(), account_id, delivery_id))


@api.post(BASE + "/<webhook_id>/redeliver-dead")
def redeliver_dead(account_id: str, webhook_id: str):
    _account(account_id)
    hook = webhooks.get_webhook(get_db(), account_id, webhook_id)
    _no_body("redeliver-dead")
    return jsonify(actions.redeliver_dead(_app(), get_db(), account_id, hook))


# ---- OpenAPI --------------------------------------------------------------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": _ref(f"schemas/{schema}")}}


_WH = "/api/managing-entity/{managingEntityIdentifier}/webhook"
_ACCOUNT = {"name": "managingEntityIdentifier", "in": "path", "required": True,
            "schema": {"type": "string"}, "description": "The managing entity (account) id."}
_WEBHOOK = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "The webhook's id."}
_EVENT = {"name": "eventId", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "The event (letter) id: the body's `id`, sent as Wink-Event-Id."}
_DELIVERY = {"name": "deliveryId", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "The delivery id, sent as Wink-Delivery-Id."}
_WINK_VERSION = {"name": "Wink-Version", "in": "header", "required": False,
                 "schema": {"type": "string", "enum": ["2.0"]},
                 "description": "Accepted for compatibility with Wink; any other value gets 400."}
_ERRORS = {"400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound")}
_BODY_ERRORS = {**_ERRORS, "413": _ref("responses/TooLarge"), "415": _ref("responses/UnsupportedMediaType")}
_CONFLICT = {"409": _ref("responses/Conflict")}
_STATE_BODY = {"required": True, "content": _json("State")}
_GRID_NOTE = (
    " Body: Wink's `State`. `take` is 1 to 180 (default 30), `skip` at least 0; `sort` is `[{field, dir}]` "
    "(`dir` asc unless given; ties go by the order rows were written); `filter` is `{logic: and|or, "
    "filters: [...]}` whose items are `{field, operator, value, ignoreCase}` or further composites (up to "
    f"{MAX_DEPTH} deep). Text fields take eq, neq, in, nin, contains, doesnotcontain, startswith, endswith, "
    "isnull, isnotnull, isempty, isnotempty; date-time fields take eq, neq, in, nin, gte, lte, gt, lt, "
    "isnull, isnotnull (ISO 8601 values, no zone means UTC). `ignoreCase` is false unless given. `group` is "
    "accepted and has no effect. An unknown field, operator or status value is a 400 naming its path, "
    "e.g. `filter.filters[0].field`.")


def _operation(operation_id: str, tag: str, summary: str, description: str, ok: str, answer: str,
               errors: dict, **extra) -> dict:
    return {"tags": [tag], "operationId": operation_id, "summary": summary, "description": description,
            "responses": {ok: {"description": answer, "content": _json(extra.pop("schema"))}, **errors},
            **extra}


OPENAPI_PATHS = {
    _WH + "/{id}/test": {
        "parameters": [_ACCOUNT, _WEBHOOK, _WINK_VERSION],
        "post": _operation(
            "send-test-event", "Webhook deliveries", "Send test event",
            "Wink's `send-test-event`: writes an already-DISPATCHED letter addressed to the account and one "
            "PENDING delivery to this webhook only (no fan-out). Wink does not say what a test event is; "
            "the sandbox sends a realistic event of the first key in the webhook's `eventList` that Wink "
            "delivers (`booking.created` reads as `booking.create`), else `booking.create`, generated as "
            "any fired event is. Takes no body. 409 when the webhook is disabled.",
            "201", "The test event, with the exact body its delivery sends", {**_BODY_ERRORS, **_CONFLICT},
            schema="WebhookEventLightweight"),
    },
    _WH + "/event/grid": {
        "parameters": [_ACCOUNT, _WINK_VERSION],
        "post": _operation(
            "search-events", "Webhook events", "Search events",
            "Wink's `search-events`: pages through the letters addressed to this account (all webhooks), "
            "newest `occurredAt` first. Fields: `type`, `status` (NEW, DISPATCHED, NO_SUBSCRIBERS; the "
            "sandbox fans out as it stores a letter, so none is ever NEW), `occurredAt`. Items leave out "
            "`body` (GET the event for it)." + _GRID_NOTE,
            "200", "A page of events", _BODY_ERRORS, schema="PageResponseWebhookEventLightweight",
            requestBody=_STATE_BODY),
    },
    _WH + "/event/{eventId}": {
        "parameters": [_ACCOUNT, _EVENT, _WINK_VERSION],
        "get": _operation(
            "load-event", "Webhook events", "Show event",
            "Wink's `load-event`: one letter, with `body`, the exact JSON its deliveries send.",
            "200", "The event", _ERRORS, schema="WebhookEventLightweight"),
    },
    _WH + "/delivery/grid": {
        "parameters": [_ACCOUNT, _WINK_VERSION],
        "post": _operation(
            "search-deliveries", "Webhook deliveries", "Search deliveries",
            "Wink's `search-deliveries`: pages through the deliveries of this account's letters, newest "
            "first, optionally of one webhook (`webhookId`). Fields: `status` (PENDING, RETRYING, "
            "SUCCEEDED, DEAD, CANCELLED), `type`, `webhookId`, `createdDate`. Items leave out `attempts` "
            "(GET the delivery for them)." + _GRID_NOTE,
            "200", "A page of deliveries", _BODY_ERRORS, schema="PageResponseWebhookDeliveryLightweight",
            requestBody=_STATE_BODY,
            parameters=[{"name": "webhookId", "in": "query", "required": False, "schema": {"type": "string"},
                         "description": "Restrict to deliveries for this webhook."}]),
    },
    _WH + "/delivery/{deliveryId}": {
        "parameters": [_ACCOUNT, _DELIVERY, _WINK_VERSION],
        "get": _operation(
            "load-delivery", "Webhook deliveries", "Show delivery",
            "Wink's `load-delivery`: one delivery with every attempt, oldest first (`responseSnippet`: "
            "at most the first 4 KB of the answer's body).",
            "200", "The delivery", _ERRORS, schema="WebhookDeliveryLightweight"),
    },
    _WH + "/delivery/{deliveryId}/redeliver": {
        "parameters": [_ACCOUNT, _DELIVERY, _WINK_VERSION],
        "post": _operation(
            "redeliver", "Webhook deliveries", "Redeliver",
            "Wink's `redeliver`: a DEAD or CANCELLED delivery goes back to PENDING, due now, its retry "
            "schedule started over (same Wink-Event-Id and Wink-Delivery-Id; Wink-Delivery-Attempt counts "
            "on). 409 for PENDING or RETRYING (already scheduled) and SUCCEEDED, while an attempt is in "
            "flight, and when the webhook is disabled or deleted. Takes no body.",
            "200", "The delivery, now PENDING", {**_BODY_ERRORS, **_CONFLICT},
            schema="WebhookDeliveryLightweight"),
    },
    _WH + "/delivery/{deliveryId}/cancel": {
        "parameters": [_ACCOUNT, _DELIVERY, _WINK_VERSION],
        "post": _operation(
            "cancel", "Webhook deliveries", "Cancel",
            "Wink's `cancel`: no further attempt starts, also when the delivery is queued or being sent "
            "right now (that attempt finishes and is recorded; the delivery stays CANCELLED). 409 for a "
            "SUCCEEDED delivery; a CANCELLED one is answered unchanged. Redeliver undoes it. Takes no body.",
            "200", "The delivery, now CANCELLED", {**_BODY_ERRORS, **_CONFLICT},
            schema="WebhookDeliveryLightweight"),
    },
    _WH + "/{id}/redeliver-dead": {
        "parameters": [_ACCOUNT, _WEBHOOK, _WINK_VERSION],
        "post": _operation(
            "redeliver-dead", "Webhook deliveries", "Redeliver dead",
            "Wink's `redeliver-dead`: every DEAD delivery of this webhook (of this account's letters) back "
            "to PENDING, due now. The answer is a KeyValuePair whose `value` is the count as a decimal "
            "string (Wink's spec does not show the encoding) and whose `label` says it in words. 409 when "
            "the webhook is disabled. Takes no body.",
            "200", "How many deliveries were reset", {**_BODY_ERRORS, **_CONFLICT}, schema="KeyValuePair"),
    },
}


def _nullable(schema: dict, *names: str) -> dict:
    """Wink's schema with every property required and ``names`` allowed to be null, as the sandbox
    answers (Wink says httpStatus is null when the request never completed, but types it integer)."""
    for name in names:
        prop = schema["properties"][name]
        prop["type"] = [prop["type"], "null"]
    schema["required"] = list(schema["properties"])
    schema.pop("example", None)
    return schema


def _event_schema() -> dict:
    schema = _nullable(wink_schema("WebhookEventLightweight"), "sourceEntityIdentifier", "schemaVersion")
    schema["properties"]["status"]["enum"] = list(EVENT_STATUSES)
    schema["required"].remove("body")
    schema["description"] += (" `body` is in the answers of load-event and send-test-event, not in "
                               "search-events' items.")
    return schema


def _delivery_schema() -> dict:
    schema = _nullable(wink_schema("WebhookDeliveryLightweight"), "lastHttpStatus", "nextAttemptAt")
    schema["properties"]["attempts"]["items"] = _ref("schemas/WebhookDeliveryAttempt")
    schema["properties"]["status"]["enum"] = list(DELIVERY_STATUSES.values())
    schema["required"].remove("attempts")
    schema["description"] += " `attempts` is in every answer but search-deliveries' items."
    return schema


def _page(item: str) -> dict:
    return {
        "type": "object",
        "description": "Owned pagination envelope: a page of content plus flat page metadata.",
        "required": ["content", "first", "last", "number", "numberOfElements", "size", "totalElements",
                     "totalPages"],
        "properties": {
            "content": {"type": "array", "items": _ref(f"schemas/{item}")},
            "first": {"type": "boolean"}, "last": {"type": "boolean"},
            "number": {"type": "integer", "minimum": 0,
                       "description": "Zero-based page index (skip // take)."},
            "numberOfElements": {"type": "integer", "minimum": 0},
            "size": {"type": "integer", "minimum": 1, "maximum": TAKE_MAX},
            "totalElements": {"type": "integer", "minimum": 0},
            "totalPages": {"type": "integer", "minimum": 0},
        },
    }


OPENAPI_SCHEMAS = {
    "WebhookEventLightweight": _event_schema(),
    "WebhookDeliveryLightweight": _delivery_schema(),
    "WebhookDeliveryAttempt": _nullable(wink_schema("WebhookDeliveryAttempt"), "httpStatus", "error",
                                        "responseSnippet"),
    "PageResponseWebhookEventLightweight": _page("WebhookEventLightweight"),
    "PageResponseWebhookDeliveryLightweight": _page("WebhookDeliveryLightweight"),
    "KeyValuePair": {
        "type": "object", "required": ["label", "value"],
        "properties": {"label": {"type": "string", "minLength": 1,
                                 "description": "English readable text of the value."},
                       "value": {"type": "string", "minLength": 1,
                                 "description": "The value that should be persisted."}},
    },
    "State": {
        "type": "object", "additionalProperties": False,
        "description": "Pagination, sorting and filters of a grid.",
        "properties": {
            "skip": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1, "default": 0},
            "take": {"type": "integer", "minimum": 1, "maximum": TAKE_MAX, "default": TAKE_DEFAULT},
            "sort": {"type": "array", "items": _ref("schemas/SortDescriptor")},
            "filter": _ref("schemas/CompositeFilterDescriptor"),
            "group": {"type": "array", "items": {"type": "object"},
                      "description": "Accepted and has no effect: the page has no place for groups."},
        },
    },
    "SortDescriptor": {
        "type": "object", "required": ["field"], "additionalProperties": False,
        "properties": {"field": {"type": "string"}, "dir": {"type": "string", "enum": ["asc", "desc"]}},
    },
    "CompositeFilterDescriptor": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "logic": {"type": "string", "enum": ["and", "or"]},
            "filters": {"type": "array", "items": {"anyOf": [
                _ref("schemas/FilterDescriptor"), _ref("schemas/CompositeFilterDescriptor")]}},
        },
    },
    "FilterDescriptor": {
        "type": "object", "required": ["field", "operator"], "additionalProperties": False,
        "properties": {
            "field": {"type": "string", "minLength": 1},
            "operator": {"type": "string", "enum": list(OPERATORS)},
            "value": {},
            "ignoreCase": {"type": "boolean"},
        },
    },
}
