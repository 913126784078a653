"""Signing profiles API: a webhook's signing profile under /api/webhooks/{id}/profile.

The sandbox's own route (Wink has no profiles), beside the retry schedule and shaped like it: GET shows
the profile in force and where it comes from, PUT gives the webhook its own, DELETE goes back to the
server's setting PROFILE.
"""

from __future__ import annotations

from flask import current_app, jsonify

from sandbox import signing
from sandbox.api import api, json_object
from sandbox.db import get_db
from sandbox.errors import ValidationError
from sandbox.store import webhooks


def server_profile() -> str:
    """Return the signing profile of webhooks that have none of their own (setting PROFILE)."""
    return current_app.config.get("PROFILE") or signing.DEFAULT_PROFILE


def _profile_view(webhook_id: str) -> dict:
    db = get_db()
    webhooks.get_webhook(db, None, webhook_id)  # 404 for an unknown webhook
    own = webhooks.profile_of(db, webhook_id)
    server = server_profile()
    return {"webhookId": webhook_id, "source": "webhook" if own is not None else "server",
            "profile": own if own is not None else server, "serverProfile": server}


def _chosen_profile(body: dict) -> str:
    """Return the body's profile name, or raise a 400 naming each wrong field."""
    choices = ", ".join(signing.PROFILES)
    errors = [{"field": name, "message": "is not a field (profile)"}
              for name in sorted(set(body) - {"profile"})]
    if "profile" not in body:
        errors.append({"field": "profile", "message": f"is required: one of {choices}"})
    elif body["profile"] is None:
        errors.append({"field": "profile", "message": f"must be one of {choices}, not null "
                                                      "(DELETE the profile to follow the server's setting)"})
    else:
        try:
            signing.get(body["profile"])
        except ValueError as exc:
            errors.append({"field": "profile", "message": str(exc)})
    if errors:
        raise ValidationError(errors)
    return body["profile"]


@api.get("/webhooks/<webhook_id>/profile")
def get_profile(webhook_id: str):
    return jsonify(_profile_view(webhook_id))


@api.put("/webhooks/<webhook_id>/profile")
def put_profile(webhook_id: str):
    webhooks.get_webhook(get_db(), None, webhook_id)  # 404 before 400
    profile = _chosen_profile(json_object())
    webhooks.set_profile(get_db(), webhook_id, profile)
    return jsonify(_profile_view(webhook_id))


@api.delete("/webhooks/<webhook_id>/profile")
def delete_profile(webhook_id: str):
    webhooks.get_webhook(get_db(), None, webhook_id)
    webhooks.set_profile(get_db(), webhook_id, None)
    return jsonify(_profile_view(webhook_id))


# ---- OpenAPI --------------------------------------------------------------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


_WEBHOOK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "The webhook id."}
_PROFILE_NAME = {"type": "string", "enum": list(signing.PROFILES)}
_ABOUT = ("A sandbox addition, not in Wink's API. A signing profile is the dialect of a webhook's "
          "delivery headers: `wink` (Wink's `Wink-Signature` and `Wink-*` headers) or `standard-webhooks` "
          "(`webhook-id`, `webhook-timestamp`, `webhook-signature`, for receivers built on Svix or the "
          "`standardwebhooks` libraries). The body is Wink's envelope under both. A webhook without a "
          "profile of its own follows the setting PROFILE.")
_RESPONSE = {"200": {"description": "The signing profile in force", "content": {
    "application/json": {"schema": _ref("schemas/SigningProfile")}}}, "404": _ref("responses/NotFound")}

OPENAPI_PATHS = {
    "/api/webhooks/{id}/profile": {
        "parameters": [_WEBHOOK_ID],
        "get": {"tags": ["Deliveries"], "summary": "Show a webhook's signing profile (sandbox addition)",
                "description": _ABOUT, "x-sandbox-addition": True,
                "operationId": "getSigningProfile", "responses": _RESPONSE},
        "put": {
            "tags": ["Deliveries"], "summary": "Give a webhook its own signing profile (sandbox addition)",
            "description": _ABOUT, "x-sandbox-addition": True, "operationId": "putSigningProfile",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["profile"], "additionalProperties": False,
                "properties": {"profile": _PROFILE_NAME}}}}},
            "responses": {**_RESPONSE, "400": _ref("responses/BadRequest"),
                          "413": _ref("responses/TooLarge"), "415": _ref("responses/UnsupportedMediaType")},
        },
        "delete": {"tags": ["Deliveries"],
                   "summary": "Go back to the server's signing profile (sandbox addition)",
                   "description": _ABOUT, "x-sandbox-addition": True,
                   "operationId": "deleteSigningProfile", "responses": _RESPONSE},
    },
}

OPENAPI_SCHEMAS = {
    "SigningProfile": {
        "type": "object", "required": ["webhookId", "source", "profile", "serverProfile"],
        "properties": {
            "webhookId": {"type": "string"},
            "source": {"type": "string", "enum": ["webhook", "server"],
                       "description": "webhook: its own profile; server: the setting PROFILE"},
            "profile": {**_PROFILE_NAME, "description": "The profile in force"},
            "serverProfile": {**_PROFILE_NAME, "description": "The setting PROFILE"},
        },
    },
}
