"""Webhook Sandbox: a local webhook testing sandbox and event simulator for Wink."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, storage, error shape, then each concern in turn."""
    from sandbox import api, auth, db, delivery, errors, i18n, inbox, live, openapi, settings, ui

    app = Flask(__name__)
    settings.load(app, config)
    db.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    api.init_app(app)  # JSON under /api
    openapi.init_app(app)  # GET /openapi.json
    delivery.init_app(app)  # the delivery engine (a worker the server starts)
    live.init_app(app)  # websockets: /ws/deliveries, /ws/inbox/<name>
    inbox.init_app(app)  # the built-in receiver: /inbox/<name>
    i18n.init_app(app)  # English and Portuguese (Flask-Babel), /language/<tag>
    ui.init_app(app)  # HTML pages
    return app
