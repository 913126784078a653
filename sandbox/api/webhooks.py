"""Webhooks API: Wink's operations under /api/managing-entity/{id}/webhook (create, list, show,
update, delete, event list, rotate-secret), plus the sandbox's own: show the secret, rotate with a
chosen grace (signing profiles are in sandbox.api.profiles)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, jsonify, request

from sandbox import catalog
from sandbox.api import api, json_body, json_object, name_problem, query_int
from sandbox.db import get_db
from sandbox.errors import APIError, ValidationError
from sandbox.store import NotFound, accounts, webhooks

BASE = "/managing-entity/<account_id>/webhook"
MAX_NAME = 200
MAX_URL = 2048
FIELDS = ("name", "entity", "enabled", "eventUrl", "eventList")
MAX_GRACE = 30 * 24 * 3600


def url_problem(url: object) -> str | None:
    """Say what is wrong with a webhook URL, or None when it is a usable http(s) URL."""
    if not isinstance(url, str) or not url.strip():
        return "is required and must be an absolute http or https URL"
    if len(url) > MAX_URL:
        return f"must be at most {MAX_URL} characters"
    if url != url.strip() or any(c.isspace() or ord(c) < 32 for c in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"must use http or https, not {parts.scheme or 'no scheme'!r}"
    if not parts.hostname:
        return "must name a host, as in http://127.0.0.1:9000/webhook"
    if port == 0:
        return "must not use port 0"
    return None


def _validate(body: dict, account_id: str, *, replace: bool) -> dict:
    """Check a create (``replace=False``) or full-replace body; return clean fields."""
    errors: list[dict] = []
    db = get_db()
    if replace:
        for field in FIELDS:
            if field not in body:
                errors.append({"field": field, "message": "is required (PATCH replaces every field)"})
    unknown = sorted(set(body) - set(FIELDS))
    errors += [{"field": f, "message": "is not a field of a webhook"} for f in unknown]

    name = body.get("name")
    if "name" in body or not replace:
        problem = name_problem(name, MAX_NAME)
        if problem:
            errors.append({"field": "name", "message": problem})

    owner_id = account_id
    entity = body.get("entity")
    if "entity" in body:
        if not isinstance(entity, dict):
            errors.append({"field": "entity", "message": "must be an object {identifier, name}"})
        elif not isinstance(entity.get("identifier"), str) or not entity["identifier"]:
            errors.append({"field": "entity.identifier", "message": "is required (an account id)"})
        elif "name" in entity and not isinstance(entity["name"], str):
            errors.append({"field": "entity.name", "message": "must be a string"})
        else:
            try:
                accounts.get_account(db, entity["identifier"])
            except NotFound:
                errors.append({"field": "entity.identifier",
                               "message": f"no account has id {entity['identifier']!r}"})
            else:
                if not replace and entity["identifier"] != account_id:
                    errors.append({"field": "entity.identifier",
                                   "message": "must be the account in the path"})
                owner_id = entity["identifier"]

    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append({"field": "enabled", "message": "must be true or false"})

    url = body.get("eventUrl")
    if "eventUrl" in body or not replace:
        problem_text = url_problem(url)
        if problem_text:
            errors.append({"field": "eventUrl", "message": problem_text})

    event_list = body.get("eventList", [])
    if not isinstance(event_list, list) or not all(isinstance(k, str) for k in event_list):
        errors.append({"field": "eventList", "message": "must be an array of event keys"})
    else:
        unknown_keys = [k for k in event_list if not catalog.is_known(k)]
        if unknown_keys:
            hints = [f"{k!r} (did you mean {', '.join(catalog.suggest(k))}?)" if catalog.suggest(k)
                     else repr(k) for k in unknown_keys]
            errors.append({"field": "eventList", "message": "unknown event keys: " + ", ".join(hints)})
        event_list = list(dict.fromkeys(event_list))  # keep order, drop repeats

    if errors:
        raise ValidationError(errors)
    return {
        "name": name.strip(),
        "owner_id": owner_id,
        "enabled": enabled,
        "event_url": url,
        "event_list": event_list,
    }


def _if_match() -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    cleaned = raw.strip().removeprefix("W/").strip('"')
    try:
        return int(cleaned)
    except ValueError:
        raise ValidationError(
            [{"field": "If-Match", "message": f"must be the webhook's version number, not {raw!r}"}]
        ) from None


def _account(account_id: str) -> dict:
    return accounts.get_account(get_db(), account_id)


@api.post(BASE)
def create_webhook(account_id: str):
    _account(account_id)
    fields = _validate(json_object(), account_id, replace=False)
    created = webhooks.create_webhook(
        get_db(),
        account_id,
        name=fields["name"],
        event_url=fields["event_url"],
        event_list=fields["event_list"],
        enabled=fields["enabled"],
    )
    return jsonify(created), 201


@api.get(BASE + "/list")
def list_webhooks(account_id: str):
    _account(account_id)
    return jsonify(webhooks.list_webhooks(get_db(), account_id))


@api.get(BASE + "/event/list")
def list_event_keys(account_id: str):
    _account(account_id)
    return jsonify([{"label": catalog.label(key), "value": key} for key in catalog.delivered_keys()])


@api.get(BASE + "/<webhook_id>")
def get_webhook(account_id: str, webhook_id: str):
    _account(account_id)
    return jsonify(webhooks.get_webhook(get_db(), account_id, webhook_id))


@api.patch(BASE + "/<webhook_id>")
def replace_webhook(account_id: str, webhook_id: str):
    _account(account_id)
    if_match = _if_match()
    webhooks.get_webhook(get_db(), account_id, webhook_id)  # 404 before 400
    fields = _validate(json_object(), account_id, replace=True)
    hook = webhooks.replace_webhook(get_db(), account_id, webhook_id, if_match=if_match, **fields)
    return jsonify(hook)


@api.delete(BASE + "/<webhook_id>")
def delete_webhook(account_id: str, webhook_id: str):
    _account(account_id)
    hook = webhooks.delete_webhook(get_db(), account_id, webhook_id)
    return jsonify({"id": hook["id"], "message": f"Webhook {hook['name']!r} deleted", "success": True})


@api.get(BASE + "/<webhook_id>/secret")
def get_secret(account_id: str, webhook_id: str):
    _account(account_id)
    return jsonify(webhooks.get_secret(get_db(), account_id, webhook_id))


def _refuse_body(operation: str) -> None:
    """Refuse a body on an operation that takes none; an empty body, ``{}`` or ``null`` is fine.

    Refused rather than ignored, so that e.g. ``{"graceSeconds": 0}`` is not silently dropped.
    """
    body = json_body(required=False, default=None)
    if body is None or body == {}:
        return
    if isinstance(body, dict):
        raise ValidationError([{"field": name, "message": f"is not accepted: {operation} takes no body"}
                               for name in sorted(body)])
    raise APIError(400, f"{operation} takes no body: send none (or {{}})")


@api.post(BASE + "/<webhook_id>/rotate-secret")
def rotate_secret(account_id: str, webhook_id: str):
    _account(account_id)
    webhooks.get_webhook(get_db(), account_id, webhook_id)  # 404 before 400
    _refuse_body("rotate-secret")
    grace = current_app.config["SECRET_GRACE_SECONDS"]
    return jsonify(webhooks.rotate_secret(get_db(), account_id, webhook_id, grace))


@api.post(BASE + "/<webhook_id>/secret/rotate")
def rotate_secret_with_grace(account_id: str, webhook_id: str):
    """rotate-secret with a chosen grace period (a sandbox addition): the same answer."""
    _account(account_id)
    webhooks.get_webhook(get_db(), account_id, webhook_id)
    grace = query_int("graceSeconds", current_app.config["SECRET_GRACE_SECONDS"],
                      minimum=0, maximum=MAX_GRACE)
    _refuse_body("secret/rotate")
    return jsonify(webhooks.rotate_secret(get_db(), account_id, webhook_id, grace))


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


_ACCOUNT = {"name": "managingEntityIdentifier", "in": "path", "required": True,
            "schema": {"type": "string"}, "description": "The owning account's id (uuid)."}
_HOOK = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "The webhook's id (uuid)."}
_WINK_VERSION = {"name": "Wink-Version", "in": "header", "required": False,
                 "schema": {"type": "string", "enum": ["2.0"]},
                 "description": "Accepted for compatibility with Wink; any other value gets 400."}
_WEBHOOK_JSON = {"application/json": {"schema": _ref("schemas/Webhook")}}
_CREATED_JSON = {"application/json": {"schema": _ref("schemas/CreateWebhookResponse")}}
_ERRORS = {"400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound")}
_BODY_ERRORS = {**_ERRORS, "413": _ref("responses/TooLarge"),
                "415": _ref("responses/UnsupportedMediaType")}
_WH = "/api/managing-entity/{managingEntityIdentifier}/webhook"

OPENAPI_PATHS = {
    _WH: {
        "parameters": [_ACCOUNT, _WINK_VERSION],
        "post": {
            "tags": ["Webhooks"], "summary": "Create a webhook", "operationId": "createWebhook",
            "description": "Wink's `create-webhook`. Answers Wink's `CreateWebhookResponse`: the new "
                           "webhook and its signing secret, which Wink shows only here and on "
                           "rotate-secret.",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("schemas/WebhookCreate")}}},
            "responses": {"201": {"description": "The new webhook and its secret",
                                  "content": _CREATED_JSON}, **_BODY_ERRORS},
        },
    },
    _WH + "/list": {
        "parameters": [_ACCOUNT, _WINK_VERSION],
        "get": {
            "tags": ["Webhooks"], "summary": "List an account's webhooks",
            "operationId": "listWebhooks",
            "responses": {"200": {"description": "The webhooks, oldest first", "content": {
                "application/json": {"schema": {"type": "array", "items": _ref("schemas/Webhook")}}}},
                **_ERRORS},
        },
    },
    _WH + "/event/list": {
        "parameters": [_ACCOUNT, _WINK_VERSION],
        "get": {
            "tags": ["Webhooks"], "summary": "Every event key a webhook can subscribe to",
            "description": "Wink's show-webhook-events: the 70 keys Wink delivers, each as a KeyValuePair "
                           "with Wink's summary as `label` (\"Booking created\") and the key as `value` "
                           "(booking.create), in catalog order. That is Wink's answer, so the sandbox's "
                           "other keys are not in it: the 35 Wink lists but never delivers, the legacy and "
                           "example-only keys, and the alias booking.created. `eventList` still accepts "
                           "every key of GET /api/event-types and its aliases; firing one Wink never "
                           "delivers needs `\"undelivered\": true`.",
            "operationId": "listWebhookEventKeys",
            "responses": {"200": {"description": "label/value pairs", "content": {
                "application/json": {"schema": {"type": "array", "items": {
                    "type": "object", "required": ["label", "value"], "additionalProperties": False,
                    "properties": {"label": {"type": "string", "description": "Wink's summary"},
                                   "value": {"type": "string", "enum": catalog.delivered_keys(),
                                             "description": "The event key"}}}}}}},
                **_ERRORS},
        },
    },
    _WH + "/{id}": {
        "parameters": [_ACCOUNT, _HOOK, _WINK_VERSION],
        "get": {
            "tags": ["Webhooks"], "summary": "Show a webhook", "operationId": "getWebhook",
            "responses": {"200": {"description": "The webhook", "content": _WEBHOOK_JSON}, **_ERRORS},
        },
        "patch": {
            "tags": ["Webhooks"], "summary": "Replace a webhook (every field required)",
            "description": "A full replace. `entity.identifier` may name another existing account: "
                           "the webhook then moves there. With `If-Match: <version>`, a stale "
                           "version gets 409.",
            "operationId": "replaceWebhook",
            "parameters": [{"name": "If-Match", "in": "header", "required": False,
                            "schema": {"type": "string"},
                            "description": "The version you read; 409 if it changed since."}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("schemas/WebhookReplace")}}},
            "responses": {"200": {"description": "The updated webhook", "content": _WEBHOOK_JSON},
                          **_BODY_ERRORS, "409": _ref("responses/Conflict")},
        },
        "delete": {
            "tags": ["Webhooks"], "summary": "Delete a webhook", "operationId": "deleteWebhook",
            "responses": {"200": {"description": "Deleted", "content": {"application/json": {
                "schema": _ref("schemas/DeleteResult")}}}, **_ERRORS},
        },
    },
    _WH + "/{id}/rotate-secret": {
        "parameters": [_ACCOUNT, _HOOK, _WINK_VERSION],
        "post": {
            "tags": ["Webhooks"], "summary": "Rotate the signing secret", "operationId": "rotateSecret",
            "description": "Wink's `rotate-secret`. Makes a new secret and answers it once, with the "
                           "webhook. The previous secret keeps signing deliveries alongside the new one "
                           "for the setting SECRET_GRACE_SECONDS (24 h, as Wink); the webhook's "
                           "`previousSecretExpiresAt` says until when. Takes no body: an empty one or "
                           "`{}` is fine, anything else gets 400.",
            "responses": {"200": {"description": "The new secret (shown once) and the webhook",
                                  "content": _CREATED_JSON}, **_BODY_ERRORS},
        },
    },
    _WH + "/{id}/secret": {
        "parameters": [_ACCOUNT, _HOOK],
        "get": {
            "tags": ["Webhooks"], "summary": "Show the signing secret (sandbox addition)",
            "description": "A sandbox addition, not in Wink's API (Wink shows a secret only on create "
                           "and rotate): a local tool may read the secret again, with the previous one "
                           "while it still signs.",
            "x-sandbox-addition": True,
            "operationId": "getWebhookSecret",
            "responses": {"200": {"description": "The secret", "content": {"application/json": {
                "schema": _ref("schemas/WebhookSecret")}}}, **_ERRORS},
        },
    },
    _WH + "/{id}/secret/rotate": {
        "parameters": [_ACCOUNT, _HOOK],
        "post": {
            "tags": ["Webhooks"],
            "summary": "Rotate the signing secret, choosing the grace (sandbox addition)",
            "description": "A sandbox addition, not in Wink's API: rotate-secret with a chosen grace "
                           "period for the old secret (`graceSeconds`, 0 drops it at once). Same answer "
                           "as rotate-secret; takes no body either.",
            "x-sandbox-addition": True,
            "operationId": "rotateWebhookSecret",
            "parameters": [{"name": "graceSeconds", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_GRACE},
                            "description": "Grace period for the old secret (default: setting "
                                           "SECRET_GRACE_SECONDS, 24 h)."}],
            "responses": {"200": {"description": "The new secret (shown once) and the webhook",
                                  "content": _CREATED_JSON}, **_BODY_ERRORS},
        },
    },
}

_INPUT_PROPERTIES = {
    "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME, "pattern": "\\S"},
    "entity": {"type": "object", "required": ["identifier"], "properties": {
        "identifier": {"type": "string", "description": "An existing account id"},
        "name": {"type": "string"}}},
    "enabled": {"type": "boolean", "default": True},
    "eventUrl": {"type": "string", "format": "uri", "maxLength": MAX_URL,
                 "description": "Absolute http or https URL"},
    "eventList": {"type": "array", "items": {"type": "string", "enum": catalog.keys()},
                  "description": "Event keys; empty means all events"},
}

OPENAPI_SCHEMAS = {
    "Webhook": {
        "type": "object",
        "required": ["id", "createdDate", "lastUpdate", "version", "name", "enabled", "eventUrl",
                     "eventList", "ownerIdentifier", "ownerName", "userIdentifier", "secretHint",
                     "previousSecretExpiresAt"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "createdDate": {"type": "string"},
            "lastUpdate": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "name": {"type": "string"},
            "enabled": {"type": "boolean"},
            "eventUrl": {"type": "string"},
            "eventList": {"type": "array", "items": {"type": "string"}},
            "ownerIdentifier": {"type": "string"},
            "ownerName": {"type": "string"},
            "userIdentifier": {"type": "string"},
            "secretHint": {"type": "string", "minLength": 4, "maxLength": 4,
                           "description": "Last four characters of the signing secret. The secret "
                                          "itself is returned only once, on create and rotate."},
            "previousSecretExpiresAt": {
                "type": ["string", "null"], "format": "date-time",
                "description": "Until when the previous secret is still accepted after a rotation "
                               "(UTC, ending in Z); null outside a rotation's overlap."},
        },
    },
    "CreateWebhookResponse": {
        "type": "object",
        "description": "Returned on create and on secret rotation: the webhook and its plaintext "
                       "signing secret. Wink shows the secret only here; the sandbox can show it again "
                       "(GET .../secret, a sandbox addition).",
        "required": ["secret", "webhook"],
        "properties": {
            "secret": {"type": "string", "pattern": "^whsec_",
                       "description": "Plaintext signing secret (`whsec_…`)."},
            "webhook": _ref("schemas/Webhook"),
        },
    },
    "WebhookCreate": {"type": "object", "required": ["name", "eventUrl"],
                      "additionalProperties": False, "properties": _INPUT_PROPERTIES},
    "WebhookReplace": {"type": "object", "required": list(FIELDS), "additionalProperties": False,
                       "properties": _INPUT_PROPERTIES},
    "WebhookSecret": {
        "type": "object", "required": ["webhookId", "secret", "previous"],
        "properties": {
            "webhookId": {"type": "string"},
            "secret": {"type": "string", "pattern": "^whsec_"},
            "previous": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
                "secret": {"type": "string"}, "expires": {"type": "string"}}}]},
        },
    },
}
