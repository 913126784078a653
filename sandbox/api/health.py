"""``GET /api/webhooks/{id}/health``: a webhook's success rate, answers, latency and timeout budget over a
recent window (``sandbox.health.report`` makes the figures; the CLI and the UI show this answer)."""

from __future__ import annotations

from flask import current_app, jsonify

from sandbox import health
from sandbox.api import api, query_int
from sandbox.db import get_db
from sandbox.store import webhooks


@api.get("/webhooks/<webhook_id>/health")
def webhook_health(webhook_id: str):
    db = get_db()
    hook = webhooks.get_webhook(db, None, webhook_id)   # 404 before 400
    window = query_int("window", health.DEFAULT_WINDOW, minimum=health.MIN_WINDOW, maximum=health.MAX_WINDOW)
    return jsonify(health.report(db, hook, window=window,
                                 request_timeout=float(current_app.config["REQUEST_TIMEOUT"])))


# ---- OpenAPI --------------------------------------------------------------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


_MS = {"type": ["number", "null"], "minimum": 0}
_COUNT = {"type": "integer", "minimum": 0}
_COUNT_OR_NULL = {"type": ["integer", "null"], "minimum": 0}

OPENAPI_PATHS = {
    "/api/webhooks/{id}/health": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "The webhook id."}],
        "get": {
            "tags": ["Webhook health"], "summary": "A webhook's health and timeout budget",
            "operationId": "getWebhookHealth",
            "description": "The webhook's attempts of the last `window` seconds (default 3600): how many, "
                           "by answer (2xx, 3xx, 4xx, 5xx, none: a timeout or no connection), the success "
                           "rate (2xx share), exact p50/p95/p99/max latency in ms, and a series of 60 "
                           "equal buckets for a chart. `deadlines` counts the attempts slower than Wink's "
                           "10 s deadline and each other sender's published one (Zoom 3 s, Shopify 5 s, "
                           "GitHub 10 s, Svix 15 s; Stripe publishes none: its counts are null), and how "
                           "many of those the receiver answered 2xx (a success here, a failure there). "
                           "A deadline longer than the sandbox's REQUEST_TIMEOUT is not `measurable`: "
                           "attempts are cut at the timeout, so its count is a lower bound. `deliveries` "
                           "counts the webhook's deliveries by status, all time.",
            "parameters": [{"name": "window", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": health.MIN_WINDOW,
                                       "maximum": health.MAX_WINDOW, "default": health.DEFAULT_WINDOW},
                            "description": "Seconds back from now (60 to 604800)."}],
            "responses": {"200": {"description": "The webhook's health", "content": {"application/json": {
                "schema": _ref("schemas/WebhookHealth")}}},
                "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound")},
        },
    },
}

_DEADLINE = {
    "type": "object",
    "required": ["sender", "seconds", "source", "note", "measurable", "overDeadline", "answeredOkButLate"],
    "properties": {
        "sender": {"type": "string"}, "seconds": {"type": ["number", "null"]},
        "source": {"type": "string", "description": "Where the figure is published."},
        "note": {"type": "string"}, "measurable": {"type": "boolean"},
        "overDeadline": _COUNT_OR_NULL, "answeredOkButLate": _COUNT_OR_NULL,
    },
}

OPENAPI_SCHEMAS = {
    "WebhookHealth": {
        "type": "object",
        "required": ["webhookId", "webhookName", "window", "requestTimeoutSeconds", "attempts", "successRate",
                     "latencyMs", "series", "deliveries", "winkDeadline", "deadlines"],
        "properties": {
            "webhookId": {"type": "string"}, "webhookName": {"type": "string"},
            "window": {"type": "object", "required": ["seconds", "from", "to", "bucketSeconds"],
                       "properties": {"seconds": {"type": "integer"},
                                      "from": {"type": "string", "format": "date-time"},
                                      "to": {"type": "string", "format": "date-time"},
                                      "bucketSeconds": {"type": "number"}}},
            "requestTimeoutSeconds": {"type": "number"},
            "attempts": {"type": "object", "required": ["total", "succeeded", "failed", "byAnswer"],
                         "properties": {"total": _COUNT, "succeeded": _COUNT, "failed": _COUNT,
                                        "byAnswer": {"type": "object", "additionalProperties": _COUNT}}},
            "successRate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "latencyMs": {"type": "object", "required": ["p50", "p95", "p99", "max"],
                          "properties": {"p50": _MS, "p95": _MS, "p99": _MS, "max": _MS}},
            "series": {"type": "array", "items": {
                "type": "object", "required": ["from", "attempts", "p50Ms", "p95Ms", "maxMs"],
                "properties": {"from": {"type": "string", "format": "date-time"}, "attempts": _COUNT,
                               "p50Ms": _MS, "p95Ms": _MS, "maxMs": _MS}}},
            "deliveries": {"type": "object", "additionalProperties": _COUNT,
                           "description": "The webhook's deliveries by status, all time."},
            "winkDeadline": _DEADLINE,
            "deadlines": {"type": "array", "items": _DEADLINE},
        },
    },
}
