"""The optional API token: with TOKEN set, /api and /ws calls need a bearer token.

REST calls send it in the ``Authorization`` header only. A websocket may also send it as
``?token=``, since browsers cannot set headers on a websocket handshake; REST calls may not, so
tokens do not end up in the URLs (and access logs) of REST calls.
"""

from __future__ import annotations

import hmac

from flask import Flask, current_app, request

from sandbox.errors import APIError


def _check_token() -> None:
    token = current_app.config.get("TOKEN")
    if not token:
        return
    websocket = request.path.startswith("/ws")
    if not (websocket or request.path.startswith("/api")):
        return
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        given = header[7:]
    else:
        given = request.args.get("token", "") if websocket else ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        detail = "This sandbox needs an API token: send `Authorization: Bearer <token>`"
        if not websocket and "token" in request.args:
            detail += " (`?token=` is accepted on websockets only)"
        raise APIError(
            401,
            detail,
            headers={"WWW-Authenticate": 'Bearer realm="webhook-sandbox"'},
        )


def init_app(app: Flask) -> None:
    app.before_request(_check_token)
