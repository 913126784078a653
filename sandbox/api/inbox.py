"""Inbox API under /api/inbox: list inboxes, read and clear captures, configure the answer.

The receiver itself is ``/inbox/<name>`` (sandbox/inbox.py); captures also stream live on
``/ws/inbox/<name>`` (sandbox/live.py). Both are described here so the OpenAPI document shows them.
"""

from __future__ import annotations

import math
import re

from flask import current_app, jsonify, request

from sandbox import inbox as receiver
from sandbox.api import api, is_whole_number, json_object, query_int
from sandbox.db import get_db
from sandbox.errors import ValidationError
from sandbox.hub import get_hub
from sandbox.store import inbox as store
from sandbox.store.log import timestamp

MAX_HEADERS = 50
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}")
# Headers the server must own: the answer would be malformed (or misleading) with a chosen value.
RESERVED_HEADERS = {"content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
                    "upgrade", "te", "trailer", "proxy-connection"}
MAX_PAGE = 200


def _inbox_view(name: str) -> dict:
    db = get_db()
    view = store.get_inbox(db, name)
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    view["url"] = f"{base}/inbox/{name}"
    view["boundWebhooks"] = [{"id": h["id"], "name": h["name"]} for h in receiver.bound_webhooks(db, name)]
    return view


def _header_text(value: str) -> bool:
    """A header value the server can send as is: printable ASCII (spaces and tabs allowed)."""
    return all(" " <= c <= "~" or c == "\t" for c in value)


def _status(value: object, field: str, errors: list[dict]) -> int | None:
    if not is_whole_number(value, 100, 599):
        errors.append({"field": field, "message": "must be an HTTP status, an integer from 100 to 599"})
        return None
    return value


def _validate_response(body: dict) -> dict:
    """Check a PUT body: every field optional (missing ones take the default), nothing unknown."""
    errors: list[dict] = []
    unknown = sorted(set(body) - set(store.DEFAULT_RESPONSE))
    errors += [{"field": f, "message": "is not a setting of an inbox's answer"} for f in unknown]
    clean = dict(store.DEFAULT_RESPONSE, headers={})
    clean["status"] = _status(body.get("status", 200), "status", errors)
    clean["failStatus"] = _status(body.get("failStatus", 500), "failStatus", errors)

    text = body.get("body")
    if text is not None and not isinstance(text, str):
        errors.append({"field": "body", "message": "must be a string (or null for the default JSON answer)"})
    clean["body"] = text

    content_type = body.get("contentType")
    if content_type is not None and (not isinstance(content_type, str) or not content_type.strip()
                                     or len(content_type) > 200 or not _header_text(content_type)):
        errors.append({"field": "contentType", "message": "must be a media type such as text/plain, "
                       "at most 200 printable ASCII characters (or null)"})
    clean["contentType"] = content_type

    headers = body.get("headers", {})
    if headers is None:
        headers = {}
    if not isinstance(headers, dict):
        errors.append({"field": "headers", "message": "must be an object of header name to value"})
    elif len(headers) > MAX_HEADERS:
        errors.append({"field": "headers", "message": f"must have at most {MAX_HEADERS} headers"})
    else:
        for header, value in headers.items():
            field = f"headers.{header}"
            if not TOKEN.fullmatch(header):
                errors.append({"field": field, "message": "is not a valid header name"})
            elif header.lower() in RESERVED_HEADERS:
                errors.append({"field": field, "message": "is set by the server"
                               + (" (use contentType)" if header.lower() == "content-type" else "")})
            elif not isinstance(value, str) or len(value) > 4096 or not _header_text(value):
                errors.append({"field": field, "message": "must be a string of at most 4096 printable "
                               "ASCII characters"})
        clean["headers"] = headers

    delay = body.get("delay", 0)
    if (isinstance(delay, bool) or not isinstance(delay, int | float) or not math.isfinite(delay)
            or not 0 <= delay <= receiver.MAX_DELAY):
        errors.append({"field": "delay", "message": "must be a number of seconds from 0 to 30"})
    else:
        clean["delay"] = float(delay)

    fail_first = body.get("failFirst", 0)
    if not is_whole_number(fail_first, 0, 1_000_000):
        errors.append({"field": "failFirst", "message": "must be an integer from 0 to 1000000"})
    clean["failFirst"] = fail_first

    if errors:
        raise ValidationError(errors)
    return clean


@api.get("/inbox")
def list_inboxes():
    """Inboxes that were configured or received something, and those webhooks point at (unused yet)."""
    db = get_db()
    bound = receiver.webhooks_by_inbox(db)
    inboxes = {inbox["name"]: inbox for inbox in store.list_inboxes(db)}
    for name in bound.keys() - inboxes.keys():
        inboxes[name] = store.get_inbox(db, name)
    return jsonify([dict(inboxes[name], boundWebhooks=bound.get(name, [])) for name in sorted(inboxes)])


@api.get("/inbox/<name>")
def list_captures(name: str):
    receiver.check_name(name)
    limit = query_int("limit", 50, minimum=1, maximum=MAX_PAGE)
    before = query_int("before", 0, minimum=1) or None
    captures = store.list_captures(get_db(), name, limit=limit, before=before)
    next_before = captures[-1]["id"] if len(captures) == limit else None
    return jsonify({"inbox": _inbox_view(name), "captures": captures, "nextBefore": next_before})


@api.put("/inbox/<name>")
def configure_inbox(name: str):
    receiver.check_name(name)
    store.configure(get_db(), name, _validate_response(json_object()))
    return jsonify(_inbox_view(name))


@api.delete("/inbox/<name>")
def clear_inbox(name: str):
    receiver.check_name(name)
    db = get_db()
    deleted = store.clear(db, name)
    # The cursor is the newest capture id, so a viewer resuming after this message misses nothing.
    get_hub(current_app, "inbox").publish([{"type": "inbox.cleared", "cursor": store.last_capture_id(db),
                                            "at": timestamp(), "inbox": name, "deleted": deleted}])
    return jsonify({"name": name, "deleted": deleted})


@api.get("/inbox/<name>/<int:capture_id>")
def get_capture(name: str, capture_id: int):
    receiver.check_name(name)
    return jsonify(store.get_capture(get_db(), name, capture_id))


# OpenAPI ------------------------------------------------------------------------------------------

_NAME_PARAM = {"name": "name", "in": "path", "required": True,
               "description": "The inbox: " + receiver.NAME_RULE,
               "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}
_ERRORS = {"400": {"$ref": "#/components/responses/BadRequest"}}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


OPENAPI_SCHEMAS = {
    "InboxResponse": {
        "type": "object",
        "description": ("How an inbox answers. Every field is optional in a PUT; a missing one takes "
                        "its default."),
        "additionalProperties": False,
        "properties": {
            "status": {"type": "integer", "minimum": 100, "maximum": 599, "default": 200},
            "body": {"type": ["string", "null"], "description": "The answer's body; null: a small JSON "
                     "acknowledgement {inbox, captureId, status, reason}"},
            "contentType": {"type": ["string", "null"], "maxLength": 200,
                            "description": "null: application/json for the default body, else text/plain"},
            "headers": {"type": ["object", "null"], "maxProperties": MAX_HEADERS,
                        "additionalProperties": {"type": "string", "maxLength": 4096}},
            "delay": {"type": "number", "minimum": 0, "maximum": 30, "default": 0,
                      "description": "Seconds to wait before answering"},
            "failFirst": {"type": "integer", "minimum": 0, "maximum": 1000000, "default": 0,
                          "description": "Answer the next N requests with failStatus, then as configured"},
            "failStatus": {"type": "integer", "minimum": 100, "maximum": 599, "default": 500},
        },
    },
    "Inbox": {
        "type": "object",
        "required": ["name", "captureCount", "received", "lastReceived", "response", "failuresLeft"],
        "properties": {
            "name": {"type": "string"},
            "captureCount": {"type": "integer", "description": "Captures kept now"},
            "received": {"type": "integer", "description": "Requests ever received"},
            "lastReceived": {"type": ["string", "null"]},
            "response": {"$ref": "#/components/schemas/InboxResponse"},
            "failuresLeft": {"type": "integer", "description": "Requests still to fail under failFirst"},
            "url": {"type": "string", "description": "Where to send requests"},
            "boundWebhooks": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "name": {"type": "string"}}},
                "description": "Webhooks delivering here; their secrets verify the captures' signatures"},
        },
    },
    "Capture": {
        "type": "object",
        "required": ["id", "inbox", "received", "method", "path", "query", "headers", "body",
                     "bodyEncoding", "bodySize", "refused", "client", "response", "signature"],
        "properties": {
            "id": {"type": "integer"},
            "inbox": {"type": "string"},
            "received": {"type": "string", "description": "UTC, ISO 8601 with milliseconds"},
            "method": {"type": "string"},
            "path": {"type": "string", "description": "The whole path, /inbox/<name> and any suffix"},
            "query": {"type": "string", "description": "The raw query string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "body": {"type": ["string", "null"], "description": "null when refused"},
            "bodyEncoding": {"enum": ["utf-8", "base64", None]},
            "bodySize": {"type": "integer"},
            "refused": {"type": "boolean", "description": "The body was over the limit: answered 413"},
            "client": {"type": ["string", "null"]},
            "response": {"type": "object", "properties": {
                "status": {"type": "integer"}, "delay": {"type": "number"},
                "reason": {"enum": ["configured", "fail-first", "query", "refused", "invalid"]}}},
            "signature": {"type": "object", "properties": {
                "verified": {"type": ["boolean", "null"], "description": "null: no webhook is bound"},
                "reason": {"type": ["string", "null"]},
                "webhookId": {"type": ["string", "null"]}}},
        },
    },
}

_ANY_METHOD = {
    "tags": ["Inbox"],
    "summary": "The sandbox's own receiver: any method, path suffix, query and body is captured",
    "description": "Captures the request (body up to 1 MiB; larger is answered 413 and captured as "
                   "refused) and answers as the inbox is configured. `?status=` and `?delay=` set the "
                   "answer of this one request. Needs no API token. Any path suffix after the name "
                   "(`/inbox/<name>/anything`) and any HTTP method are accepted too. Captures stream "
                   "live on the websocket `/ws/inbox/{name}`.",
    "security": [],
    "parameters": [
        _NAME_PARAM,
        {"name": "status", "in": "query", "schema": {"type": "integer", "minimum": 100, "maximum": 599},
         "description": "Answer this request with this status"},
        {"name": "delay", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 30},
         "description": "Wait this many seconds before answering"},
    ],
    "responses": {
        "default": {"description": "The configured answer (200 with a JSON acknowledgement by default)"},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "413": {"$ref": "#/components/responses/TooLarge"},
    },
}

OPENAPI_PATHS = {
    "/api/inbox": {
        "get": {
            "tags": ["Inbox"], "summary": "Every inbox with its counts and configured answer",
            "description": ("Inboxes that were configured or received a request, and those a webhook "
                            "points at even before their first delivery, by name; each with the "
                            "`boundWebhooks` that deliver to it."),
            "operationId": "listInboxes",
            "responses": {"200": {"description": "Inboxes by name", "content": {"application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Inbox"}}}}}},
        },
    },
    "/api/inbox/{name}": {
        "get": {
            "tags": ["Inbox"], "summary": "An inbox and its captures, newest first",
            "operationId": "listCaptures",
            "description": "Pages back with `before` (the `nextBefore` of the previous page). Live "
                           "captures: websocket `/ws/inbox/{name}` (see docs/live.md).",
            "parameters": [
                _NAME_PARAM,
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                             "maximum": MAX_PAGE, "default": 50}},
                {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 1},
                 "description": "Only captures with a smaller id"},
            ],
            "responses": {"200": {"description": "The page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["inbox", "captures", "nextBefore"],
                "properties": {"inbox": {"$ref": "#/components/schemas/Inbox"},
                               "captures": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Capture"}},
                               "nextBefore": {"type": ["integer", "null"]}}}}}},
                          **_ERRORS},
        },
        "put": {
            "tags": ["Inbox"], "summary": "Set how an inbox answers (and restart its fail-first count)",
            "operationId": "configureInbox",
            "parameters": [_NAME_PARAM],
            "requestBody": {"required": True, "content": _json("InboxResponse")},
            "responses": {"200": {"description": "The inbox", "content": _json("Inbox")}, **_ERRORS,
                          "413": {"$ref": "#/components/responses/TooLarge"},
                          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}},
        },
        "delete": {
            "tags": ["Inbox"], "summary": "Delete an inbox's captures (its configured answer stays)",
            "operationId": "clearInbox",
            "parameters": [_NAME_PARAM],
            "responses": {"200": {"description": "How many captures went", "content": {"application/json": {
                "schema": {"type": "object", "required": ["name", "deleted"], "properties": {
                    "name": {"type": "string"}, "deleted": {"type": "integer"}}}}}}, **_ERRORS},
        },
    },
    "/api/inbox/{name}/{captureId}": {
        "get": {
            "tags": ["Inbox"], "summary": "One capture", "operationId": "getCapture",
            "parameters": [_NAME_PARAM, {"name": "captureId", "in": "path", "required": True,
                                         "schema": {"type": "integer", "minimum": 0}}],
            "responses": {"200": {"description": "The capture", "content": _json("Capture")}, **_ERRORS,
                          "404": {"$ref": "#/components/responses/NotFound"}},
        },
    },
    "/inbox/{name}": {method: dict(_ANY_METHOD, operationId=f"inbox{method.title()}")
                      for method in ("get", "post", "put", "patch", "delete")},
    "/ws/deliveries": {
        "description": "Websocket (not plain HTTP): the live delivery log. Query: backlog (0-1000, "
                       "default 50), since (a cursor), entity, webhookId, event, status "
                       "(comma-separated lists). Every message type is described in docs/live.md.",
    },
    "/ws/inbox/{name}": {
        "description": "Websocket (not plain HTTP): an inbox's captures, live. Query: backlog "
                       "(0-1000, default 50), since (a capture id: at most 1,000 after it, then a "
                       "gap). Messages: inbox.captured, "
                       "inbox.cleared, ready, gap.",
    },
}
