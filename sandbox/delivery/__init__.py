"""Delivering events to webhooks: firing, the engine that sends, retries and records, and schedules.

``init_app`` checks the delivery settings, makes the app's ``Engine`` (kept in
``app.extensions["sandbox.delivery"]`` and started and stopped by the server with the other
workers) and makes deleting a webhook cancel its queued deliveries.
"""

from __future__ import annotations

from flask import Flask, after_this_request, current_app, has_app_context, has_request_context

from sandbox import holds
from sandbox.delivery.engine import Engine
from sandbox.delivery.schedule import check_settings
from sandbox.hub import get_hub
from sandbox.server import register_worker
from sandbox.store import deliveries as delivery_store
from sandbox.store import log, webhooks

ENGINE_KEY = "sandbox.delivery"

__all__ = ["ENGINE_KEY", "Engine", "get_engine", "init_app"]


def get_engine(app: Flask) -> Engine:
    """Return the app's delivery engine."""
    return app.extensions[ENGINE_KEY]


def cancel_deliveries_of_deleted_webhook(db, webhook_id: str) -> None:
    """Cancel a webhook's queued deliveries inside its delete transaction, and log each one.

    The log messages are published once the request's transaction is known to be committed.
    """
    holds.forget(db, webhook_id)
    cancelled = delivery_store.cancel_for_webhook(db, webhook_id)
    if not cancelled:
        return
    messages = log.append(db, [
        log.message(
            "delivery.cancelled", eventId=row["event_id"], event=row["event_key"], entity=row["account_id"],
            deliveryId=row["id"], webhookId=webhook_id, webhookName=row["webhook_name"],
            eventUrl=row["event_url"], reason="webhook deleted", status="cancelled",
        )
        for row in cancelled
    ])
    if not has_app_context():
        return
    app = current_app._get_current_object()
    if not has_request_context():
        get_hub(app).publish(messages)
        return

    @after_this_request
    def publish(response):
        from sandbox.db import get_db

        if log.exists(get_db(), messages[-1]["cursor"]):
            get_hub(app).publish(messages)
        return response


def init_app(app: Flask) -> None:
    """Check the delivery settings and give the app its engine."""
    check_settings(app.config)
    engine = app.extensions[ENGINE_KEY] = Engine(app)
    register_worker(app, engine)
    if cancel_deliveries_of_deleted_webhook not in webhooks.on_delete:
        webhooks.on_delete.append(cancel_deliveries_of_deleted_webhook)
