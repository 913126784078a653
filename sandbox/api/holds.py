"""Hold and release API: a webhook's hold, its queue, moving, dropping and releasing held deliveries.

The sandbox's own routes (Wink has no hold): thin views over ``sandbox.holds``, which the CLI and the
UI call through these same routes.
"""

from __future__ import annotations

from flask import current_app, jsonify

from sandbox import holds
from sandbox.api import api, json_object, query_int
from sandbox.db import get_db
from sandbox.errors import ValidationError


def _body(allowed: tuple[str, ...], *, required: bool = True) -> dict:
    body = json_object(required=required)
    errors = [{"field": name, "message": f"is not a field ({', '.join(allowed)})"}
              for name in sorted(set(body) - set(allowed))]
    if errors:
        raise ValidationError(errors)
    return body


def _delivery_id(body: dict) -> str:
    value = body.get("deliveryId")
    if not isinstance(value, str) or not value:
        raise ValidationError([{"field": "deliveryId", "message": "is required: the id of a held delivery"}])
    return value


@api.get("/webhooks/<webhook_id>/hold")
def get_hold(webhook_id: str):
    limit = query_int("limit", holds.QUEUE_SHOWN, minimum=1, maximum=holds.QUEUE_SHOWN_MAX)
    return jsonify(holds.state(get_db(), webhook_id, limit))


@api.post("/webhooks/<webhook_id>/hold")
def hold_webhook(webhook_id: str):
    _body((), required=False)
    return jsonify(holds.hold(current_app._get_current_object(), get_db(), webhook_id))


@api.post("/webhooks/<webhook_id>/hold/move")
def move_held(webhook_id: str):
    body = _body(("deliveryId", "position", "direction"))
    return jsonify(holds.move(current_app._get_current_object(), get_db(), webhook_id, _delivery_id(body),
                              position=body.get("position"), direction=body.get("direction")))


@api.post("/webhooks/<webhook_id>/hold/drop")
def drop_held(webhook_id: str):
    body = _body(("deliveryId",))
    return jsonify(holds.drop(current_app._get_current_object(), get_db(), webhook_id, _delivery_id(body)))


@api.post("/webhooks/<webhook_id>/hold/release")
def release_held(webhook_id: str):
    body = _body(("deliveryIds", "count", "all"))
    everything = body.get("all", False)
    if not isinstance(everything, bool):
        raise ValidationError([{"field": "all", "message": "must be true or false"}])
    return jsonify(holds.release(current_app._get_current_object(), get_db(), webhook_id,
                                 ids=body.get("deliveryIds"), count=body.get("count"), everything=everything))


@api.post("/webhooks/<webhook_id>/resume")
def resume_webhook(webhook_id: str):
    _body((), required=False)
    return jsonify(holds.resume(current_app._get_current_object(), get_db(), webhook_id))


# ---- OpenAPI --------------------------------------------------------------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


_WEBHOOK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "The webhook id."}
_HOLD = {"description": "The webhook's hold and its queue, in release order", "content": {
    "application/json": {"schema": _ref("schemas/Hold")}}}
_RELEASED = {"description": "The hold after the release, with the released deliveries in sending order",
             "content": {"application/json": {"schema": _ref("schemas/HoldRelease")}}}
_ERRORS = {"400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
           "409": _ref("responses/Conflict"), "413": _ref("responses/TooLarge"),
           "415": _ref("responses/UnsupportedMediaType")}
_DELIVERY_ID_BODY = {"deliveryId": {"type": "string", "description": "A delivery in the webhook's queue."}}


def _post(summary: str, operation_id: str, description: str, body: dict | None, answer: dict) -> dict:
    operation = {"tags": ["Hold and release"], "summary": summary, "description": description,
                 "operationId": operation_id, "responses": {"200": answer, **_ERRORS}}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


OPENAPI_PATHS = {
    "/api/webhooks/{id}/hold": {
        "parameters": [_WEBHOOK_ID],
        "get": {"tags": ["Hold and release"], "summary": "Show a webhook's hold and its queue",
                "description": "`queue` lists the first `limit` deliveries (200 unless given); `count` is "
                               "how many the queue holds.",
                "operationId": "getHold",
                "parameters": [{"name": "limit", "in": "query", "required": False, "schema": {
                    "type": "integer", "minimum": 1, "maximum": holds.QUEUE_SHOWN_MAX,
                    "default": holds.QUEUE_SHOWN}}],
                "responses": {"200": _HOLD, "400": _ref("responses/BadRequest"),
                              "404": _ref("responses/NotFound")}},
        "post": _post(
            "Put a webhook on hold", "holdWebhook",
            "Nothing more is sent to the webhook: its waiting deliveries (pending or retrying) and every new "
            "one queue in order with status `held` (Wink's routes show `PENDING`). An attempt already "
            "under way finishes. Holding a held webhook changes nothing. Stored in SQLite: a restart "
            "keeps the queue and its order.", None, _HOLD),
    },
    "/api/webhooks/{id}/hold/move": {
        "parameters": [_WEBHOOK_ID],
        "post": _post(
            "Move a held delivery", "moveHeld",
            "To `position` (1 is released first), or one place `up` or `down` (at either end it "
            "stays). 409 when the webhook is not on hold or the delivery is not in its queue.",
            {"type": "object", "additionalProperties": False, "required": ["deliveryId"], "properties": {
                **_DELIVERY_ID_BODY, "position": {"type": "integer", "minimum": 1},
                "direction": {"type": "string", "enum": list(holds.DIRECTIONS)}}}, _HOLD),
    },
    "/api/webhooks/{id}/hold/drop": {
        "parameters": [_WEBHOOK_ID],
        "post": _post(
            "Drop a held delivery", "dropHeld",
            "It leaves the queue as `cancelled` and is never sent (Wink's redeliver can send it again).",
            {"type": "object", "additionalProperties": False, "required": ["deliveryId"],
             "properties": _DELIVERY_ID_BODY}, _HOLD),
    },
    "/api/webhooks/{id}/hold/release": {
        "parameters": [_WEBHOOK_ID],
        "post": _post(
            "Release held deliveries", "releaseHeld",
            "Exactly one of: `deliveryIds` (released in that order), `count` (the first N of the queue) "
            "or `all: true` (the whole queue, in order). Released deliveries are `pending`, due now, and "
            "are sent in the order released, after those released before. The webhook stays on hold.",
            {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
             "properties": {
                 "deliveryIds": {"type": "array", "minItems": 1, "uniqueItems": True,
                                 "items": {"type": "string", "minLength": 1}},
                 "count": {"type": "integer", "minimum": 1},
                 "all": {"type": "boolean", "const": True}}}, _RELEASED),
    },
    "/api/webhooks/{id}/resume": {
        "parameters": [_WEBHOOK_ID],
        "post": _post(
            "End a hold", "resumeWebhook",
            "Releases whatever is still queued, in queue order, then sends new deliveries as they come. "
            "409 when the webhook is not on hold.", None, _RELEASED),
    },
}

_HOLD_PROPERTIES = {
    "webhookId": {"type": "string"}, "webhookName": {"type": "string"},
    "entity": {"type": "string", "description": "The webhook's account id"},
    "held": {"type": "boolean"},
    "since": {"type": ["string", "null"], "description": "When the hold began (ISO 8601 UTC)"},
    "count": {"type": "integer", "description": "Deliveries in the queue"},
    "queue": {"type": "array", "items": _ref("schemas/HeldDelivery"),
              "description": "The first of them in release order (200; GET takes ?limit=)"},
}

OPENAPI_SCHEMAS = {
    "Hold": {"type": "object", "required": list(_HOLD_PROPERTIES), "properties": _HOLD_PROPERTIES},
    "HoldRelease": {"type": "object", "required": [*_HOLD_PROPERTIES, "released"], "properties": {
        **_HOLD_PROPERTIES, "released": {"type": "array", "items": _ref("schemas/Delivery")}}},
    "HeldDelivery": {"allOf": [_ref("schemas/Delivery"), {
        "type": "object", "required": ["position"],
        "properties": {"position": {"type": "integer", "minimum": 1}}}]},
}
