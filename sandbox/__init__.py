"""Webhook Sandbox: a local webhook testing sandbox and event simulator for Wink."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, storage, error shape, then each audience's blueprint."""
    from sandbox import api, auth, db, errors, openapi, settings

    app = Flask(__name__)
    settings.load(app, config)
    db.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    openapi.init_app(app)
    _init_optional(app)
    return app


def _init_optional(app: Flask) -> None:
    """Register the parts that live in their own modules (delivery, websocket, inbox, UI)."""
    import importlib

    for name in ("sandbox.delivery", "sandbox.live", "sandbox.inbox", "sandbox.ui"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.init_app(app)
