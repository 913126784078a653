"""Resend API: ``POST /api/events/{id}/resend``, a stored event sent again with edits (issue 15)."""

from __future__ import annotations

import json

from flask import current_app, jsonify

from sandbox.api import api, json_object
from sandbox.catalog import ROLES
from sandbox.db import get_db
from sandbox.errors import ValidationError
from sandbox.resend import MODES, Resend, resend

FIELDS = ("patch", "set", "mode", "webhookId", "dryRun", "validate")


def _assignments(value: object, errors: list[dict]) -> list[str] | None:
    """Accept ``set`` as ["path=value", ...] or {"path": value, ...}; return path=value strings."""
    if value is None:
        return None
    if isinstance(value, dict):
        return [f"{path}={json.dumps(item)}" for path, item in value.items()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    errors.append({"field": "set", "message": 'must be a list of "path=value" strings (stay.adults=3) or an '
                                              "object {path: value}"})
    return None


def read_resend(body: dict) -> Resend:
    """Check a resend body field by field; return the request or raise a 400 naming each bad field."""
    errors: list[dict] = []
    for name in sorted(set(body) - set(FIELDS)):
        errors.append({"field": name, "message": "is not a field of a resend (" + ", ".join(FIELDS) + ")"})
    mode = body.get("mode", "fresh")
    if mode not in MODES:
        errors.append({"field": "mode", "message": "must be keep (same id and occurredAt: a duplicate) or "
                                                   "fresh (a new id and time)"})
    for name in ("dryRun", "validate"):
        if name in body and not isinstance(body[name], bool):
            errors.append({"field": name, "message": "must be true or false"})
    webhook_id = body.get("webhookId")
    if webhook_id is not None and (not isinstance(webhook_id, str) or not webhook_id):
        errors.append({"field": "webhookId", "message": "must be the id of one of the account's webhooks"})
    assignments = _assignments(body.get("set"), errors)
    if errors:
        raise ValidationError(errors)
    return Resend(patch=body.get("patch"), assignments=assignments, mode=mode, webhook_id=webhook_id,
                  dry_run=body.get("dryRun", False), validate=body.get("validate", True))


@api.post("/events/<event_id>/resend")
def resend_event(event_id: str):
    answer, status = resend(current_app._get_current_object(), get_db(), event_id,
                            read_resend(json_object(required=False)))
    return jsonify(answer), status


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


_PROBLEM = {"type": "object", "required": ["field", "message", "rule"], "properties": {
    "field": {"type": "string", "description": "The path in the envelope, e.g. object.stay.adults"},
    "message": {"type": "string"},
    "rule": {"type": ["string", "null"], "description": "The JSON Schema keyword broken (type, minimum...)"}}}
_PROBLEMS = {"type": "array", "items": _PROBLEM}

OPENAPI_PATHS = {
    "/api/events/{id}/resend": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "The stored event (letter) to resend."}],
        "post": {
            "tags": ["Events"], "summary": "Resend a stored event with edits",
            "description": "Edits the event's `object` with an RFC 6902 `patch` and/or `set` assignments "
                           "(paths inside the object: `/stay/adults`, `stay.adults=3`; a value is JSON when "
                           "it reads as JSON, else a string), then sends it to `webhookId` or to every "
                           "enabled webhook of the account subscribed to its key. `mode` `keep` sends the "
                           "same letter again (same id and occurredAt: a duplicate for idempotency tests); "
                           "`fresh` (default) a new letter with a new id and time. Either way each attempt "
                           "is signed when sent, with the webhook's current secret(s). The answer holds the "
                           "diff against the original (`diff.patch` from jsonpatch.make_patch, `diff.text` "
                           "a unified diff). `dryRun` stores and sends nothing (200). An edit that breaks "
                           "the event's Wink schema is a 422 naming each path and rule, unless `validate` "
                           "is false: then it is sent and its deliveries are marked `outsideContract`. A "
                           "malformed patch or set is a 400, a path not in the object a 422 "
                           "(patch-path-not-found), a failing `test` a 409 (patch-test-failed).",
            "operationId": "resendEvent",
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": _ref("schemas/ResendEvent")}}},
            "responses": {
                "200": {"description": "Dry run: what would be sent", "content": {"application/json": {
                    "schema": _ref("schemas/Resent")}}},
                "202": {"description": "Stored; deliveries are being sent", "content": {"application/json": {
                    "schema": _ref("schemas/Resent")}}},
                "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
                "409": _ref("responses/Conflict"),
                "413": _ref("responses/TooLarge"), "415": _ref("responses/UnsupportedMediaType"),
                "422": {"description": "The edit breaks the event's Wink schema (errors name each path and "
                                       "rule), or a patch path is not in the object", "content": {
                    "application/problem+json": {"schema": _ref("schemas/Problem")}}},
            },
        },
    },
}

OPENAPI_SCHEMAS = {
    "ResendEvent": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "patch": {"type": "array", "description": "RFC 6902 operations on the object",
                      "items": {"type": "object", "required": ["op", "path"], "properties": {
                          "op": {"enum": ["add", "remove", "replace", "move", "copy", "test"]},
                          "path": {"type": "string"}, "from": {"type": "string"}, "value": {}}}},
            "set": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
                    "description": "path=value assignments (stay.adults=3), or {path: value}; after `patch`"},
            "mode": {"enum": list(MODES), "default": "fresh"},
            "webhookId": {"type": "string", "description": "Only this webhook of the event's account"},
            "dryRun": {"type": "boolean", "default": False,
                       "description": "Only answer the diff and targets"},
            "validate": {"type": "boolean", "default": True,
                         "description": "false: send an edit that breaks the schema, marked outsideContract"},
        },
    },
    "Resent": {
        "type": "object",
        "required": ["dryRun", "mode", "resentFrom", "eventId", "occurredAt", "event", "entity", "entityName",
                     "recipientRole", "webhooks", "deliveries", "changed", "diff", "validated",
                     "outsideContract", "problems", "envelope"],
        "properties": {
            "dryRun": {"type": "boolean"}, "mode": {"enum": list(MODES)},
            "resentFrom": {"type": "string", "description": "The event resent"},
            "eventId": {"type": ["string", "null"], "description": "The letter's id (Wink-Event-Id): the "
                        "original's when keep; a new one when fresh (null in a fresh dry run)"},
            "occurredAt": {"type": ["string", "null"]},
            "event": {"type": "string"}, "entity": {"type": "string"}, "entityName": {"type": "string"},
            "recipientRole": {"enum": list(ROLES)},
            "webhooks": {"type": "array", "items": {"type": "object", "required": ["id", "name", "eventUrl"],
                                                    "properties": {"id": {"type": "string"},
                                                                   "name": {"type": "string"},
                                                                   "eventUrl": {"type": "string"}}}},
            "deliveries": {"type": "array", "items": {
                "type": "object", "required": ["id", "webhookId", "eventUrl"], "properties": {
                    "id": {"type": "string"}, "webhookId": {"type": "string"},
                    "eventUrl": {"type": "string"}}}},
            "changed": {"type": "boolean", "description": "The edits changed the object"},
            "diff": {"type": "object", "required": ["patch", "text"], "properties": {
                "patch": {"type": "array", "items": {"type": "object"},
                          "description": "RFC 6902 patch from the original object to the edited one"},
                "text": {"type": "string", "description": "Unified diff of the two, pretty-printed"}}},
            "validated": {"type": "boolean"},
            "outsideContract": {"type": "boolean", "description": "Forced past a schema violation"},
            "problems": _PROBLEMS,
            "envelope": {"type": "object", "description": "The body sent (id and occurredAt null in a fresh "
                         "dry run)"},
            "message": {"type": "string", "description": "Dry run: why nothing would be sent"},
        },
    },
}
