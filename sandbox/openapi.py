"""The OpenAPI 3.1 document, merged from each route module's OPENAPI_PATHS and OPENAPI_SCHEMAS."""

from __future__ import annotations

from flask import Flask, jsonify

from sandbox import __version__

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; every API error has this shape.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _problem_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


RESPONSES = {
    "BadRequest": _problem_response("Bad input: malformed JSON or a field that fails validation"),
    "Unauthorized": _problem_response("An API token is set and the request lacks it"),
    "NotFound": _problem_response("No such id or route"),
    "MethodNotAllowed": _problem_response("The route does not take this method"),
    "Conflict": _problem_response("A conflict with the stored state (stale version, owned rows)"),
    "TooLarge": _problem_response("The body is over 1 MiB"),
    "UnsupportedMediaType": _problem_response("The body is not JSON"),
}


def build_document() -> dict:
    """Return the whole OpenAPI document for every route module."""
    from sandbox.api import route_modules

    paths: dict = {}
    schemas: dict = {"Problem": PROBLEM}
    for module in route_modules():
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    for item in paths.values():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                operation.setdefault("responses", {}).setdefault(
                    "401", {"$ref": "#/components/responses/Unauthorized"}
                )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Webhook Sandbox API",
            "version": __version__,
            "description": "A local sandbox for Wink webhooks. The webhook routes mirror Wink's "
            "own API; the rest are the sandbox's additions. Every error is application/problem+json.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": RESPONSES,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Only when the sandbox runs with --token; in "
                                                          "the Authorization header (a ?token= query is "
                                                          "refused with 401 on these routes: it is for "
                                                          "websockets only)"}},
        },
    }


def init_app(app: Flask) -> None:
    document = build_document()

    @app.get("/openapi.json")
    def openapi_json():
        return jsonify(document)
