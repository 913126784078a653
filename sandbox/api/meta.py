"""Meta routes: health and the sandbox's version."""

from __future__ import annotations

from flask import jsonify

from sandbox import __version__
from sandbox.api import api


@api.get("/health")
def health():
    return jsonify({"status": "ok", "version": __version__})


OPENAPI_PATHS = {
    "/api/health": {
        "get": {
            "tags": ["Meta"], "summary": "Is the sandbox up?", "operationId": "health",
            "responses": {"200": {"description": "Up", "content": {"application/json": {"schema": {
                "type": "object", "required": ["status", "version"],
                "properties": {"status": {"const": "ok"}, "version": {"type": "string"}}}}}}},
        },
    },
}
