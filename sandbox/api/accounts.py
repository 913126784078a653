"""Accounts API: /api/managing-entity (Wink's name for an account)."""

from __future__ import annotations

from flask import jsonify

from sandbox.api import api, json_object, name_problem, query_bool
from sandbox.db import get_db
from sandbox.errors import ValidationError
from sandbox.store import accounts


def _validate_account(body: dict) -> tuple[str, str]:
    errors = []
    name = body.get("name")
    problem = name_problem(name)
    if problem:
        errors.append({"field": "name", "message": problem})
    type_ = body.get("type", "HOTEL")
    if type_ not in accounts.ENTITY_TYPES:
        errors.append(
            {"field": "type", "message": "must be one of " + ", ".join(accounts.ENTITY_TYPES)}
        )
    unknown = sorted(set(body) - {"name", "type"})
    if unknown:
        errors.append({"field": unknown[0], "message": "is not a field of an account"})
    if errors:
        raise ValidationError(errors)
    return name.strip(), type_


@api.get("/managing-entity")
def list_accounts():
    return jsonify(accounts.list_accounts(get_db()))


@api.post("/managing-entity")
def create_account():
    name, type_ = _validate_account(json_object())
    return jsonify(accounts.create_account(get_db(), name, type_)), 201


@api.get("/managing-entity/<account_id>")
def get_account(account_id: str):
    return jsonify(accounts.get_account(get_db(), account_id))


@api.delete("/managing-entity/<account_id>")
def delete_account(account_id: str):
    cascade = query_bool("cascade", False)
    account = accounts.delete_account(get_db(), account_id, cascade=cascade)
    return jsonify(
        {"id": account["id"], "message": f"Account {account['name']!r} deleted", "success": True}
    )


_ACCOUNT_ID = {
    "name": "id", "in": "path", "required": True, "schema": {"type": "string"},
    "description": "The account's id (uuid).",
}

OPENAPI_PATHS = {
    "/api/managing-entity": {
        "get": {
            "tags": ["Accounts"],
            "summary": "List accounts (managing entities)",
            "operationId": "listAccounts",
            "responses": {
                "200": {"description": "Every account, oldest first", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Account"}}}}},
            },
        },
        "post": {
            "tags": ["Accounts"],
            "summary": "Create an account",
            "operationId": "createAccount",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/AccountInput"}}}},
            "responses": {
                "201": {"description": "The new account", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Account"}}}},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "413": {"$ref": "#/components/responses/TooLarge"},
                "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
            },
        },
    },
    "/api/managing-entity/{id}": {
        "parameters": [_ACCOUNT_ID],
        "get": {
            "tags": ["Accounts"],
            "summary": "Show one account",
            "operationId": "getAccount",
            "responses": {
                "200": {"description": "The account", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Account"}}}},
                "404": {"$ref": "#/components/responses/NotFound"},
            },
        },
        "delete": {
            "tags": ["Accounts"],
            "summary": "Delete an account",
            "description": "Refused with 409 while the account owns webhooks, unless cascade=true.",
            "operationId": "deleteAccount",
            "parameters": [{"name": "cascade", "in": "query", "required": False,
                            "schema": {"type": "boolean", "default": False},
                            "description": "Also delete the account's webhooks."}],
            "responses": {
                "200": {"description": "Deleted", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/DeleteResult"}}}},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "404": {"$ref": "#/components/responses/NotFound"},
                "409": {"$ref": "#/components/responses/Conflict"},
            },
        },
    },
}

OPENAPI_SCHEMAS = {
    "Account": {
        "type": "object",
        "required": ["id", "name", "type", "createdDate"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "type": {"type": "string", "enum": list(accounts.ENTITY_TYPES)},
            "createdDate": {"type": "string", "description": "ISO 8601, UTC, no zone"},
        },
    },
    "AccountInput": {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
            "type": {"type": "string", "enum": list(accounts.ENTITY_TYPES), "default": "HOTEL"},
        },
    },
    "DeleteResult": {
        "type": "object",
        "required": ["id", "message", "success"],
        "properties": {"id": {"type": "string"}, "message": {"type": "string"},
                       "success": {"type": "boolean"}},
    },
}
