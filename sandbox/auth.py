"""The optional API token: with TOKEN set, /api and /ws calls need a bearer token."""

from __future__ import annotations

import hmac

from flask import Flask, current_app, request

from sandbox.errors import APIError


def _check_token() -> None:
    token = current_app.config.get("TOKEN")
    if not token:
        return
    if not (request.path.startswith("/api") or request.path.startswith("/ws")):
        return
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.lower().startswith("bearer ") else request.args.get("token", "")
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise APIError(
            401,
            "This sandbox needs an API token: send `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": 'Bearer realm="webhook-sandbox"'},
        )


def init_app(app: Flask) -> None:
    app.before_request(_check_token)
