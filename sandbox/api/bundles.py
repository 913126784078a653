"""Session bundles API: export a range or a scenario run as one file, import one, read it, replay it.

An imported bundle is read-only: its events, deliveries, attempts and captures can be read, and the
whole import replayed or deleted, but a write to any of its records is refused (405, saying so).
"""

from __future__ import annotations

import tempfile

from flask import current_app, jsonify, request, send_file

from sandbox import bundles
from sandbox.api import api, json_object, query_bool, query_int
from sandbox.db import get_db
from sandbox.errors import APIError, ValidationError
from sandbox.store import bundles as store
from sandbox.store import runs
from sandbox.store.log import timestamp

KINDS = {"events": "event", "deliveries": "delivery", "captures": "capture", "attempts": "attempt",
         "webhooks": "webhook", "accounts": "account"}
SECRET_FIELDS = ("secret", "previousSecret")  # never shown by the API, even when the bundle holds them
SPOOL_BYTES = 8 * 1024 * 1024
RUN_FIELDS = ("fixture", "kind", "params", "startedAt", "events")
REPLAY_FIELDS = ("to", "urlMap", "signatures", "secret", "timing", "factor", "timeout")


def _bundle_error(exc: bundles.BundleError) -> APIError:
    return APIError(400, f"The bundle cannot be imported, nothing was stored: {exc}", kind=exc.kind,
                    title="Invalid bundle", extra={"line": exc.line})


@api.get("/runs")
def list_scenario_runs():
    return jsonify({"items": runs.list_runs(get_db(), query_int("limit", 50, minimum=1, maximum=500))})


@api.post("/runs")
def record_scenario_run():
    """Record a run made outside the engine's fixture runner (``replay`` through the API, step by step)."""
    body = json_object()
    errors = [{"field": n, "message": "is not a field of a run (" + ", ".join(RUN_FIELDS) + ")"}
              for n in sorted(set(body) - set(RUN_FIELDS))]
    for name in ("fixture", "kind"):
        if not isinstance(body.get(name), str) or not body[name] or len(body[name]) > 200:
            errors.append({"field": name, "message": "is required: 1 to 200 characters"})
    if not isinstance(body.get("params", {}), dict):
        errors.append({"field": "params", "message": "must be an object"})
    started = body.get("startedAt")
    try:
        started = bundles.normalise_time(started, "startedAt") if started is not None else timestamp()
    except (ValueError, AttributeError):
        errors.append({"field": "startedAt", "message": "must be an ISO 8601 time"})
    events = body.get("events")
    if not isinstance(events, list) or not events or len(events) > 10_000 or not all(
            isinstance(e, dict) and isinstance(e.get("step"), str) and isinstance(e.get("eventId"), str)
            for e in events):
        errors.append({"field": "events", "message": "must list 1 to 10000 {step, eventId} in firing order"})
    if errors:
        raise ValidationError(errors)
    db = get_db()
    unknown = runs.unknown_events(db, [e["eventId"] for e in events])
    if unknown:
        raise ValidationError([{"field": "events", "message": f"no stored event has id {unknown[0]!r}"}])
    run_id = runs.record_run(db, fixture=body["fixture"], kind=body["kind"], params=body.get("params", {}),
                             started=started, finished=timestamp(),
                             events=[{"step": e["step"], "id": e["eventId"]} for e in events])
    return jsonify(runs.get_run(db, run_id)), 201


@api.get("/runs/<run_id>")
def get_scenario_run(run_id: str):
    return jsonify(runs.get_run(get_db(), run_id))


@api.get("/bundles/export")
def export_bundle():
    args = request.args
    errors, times = [], {}
    for name in ("from", "to"):
        if args.get(name):
            try:
                times[name] = bundles.normalise_time(args[name], name)
            except ValueError as exc:
                errors.append({"field": name, "message": str(exc).split(": ", 1)[1]})
    run_id = args.get("run") or None
    if run_id and times:
        errors.append({"field": "run", "message": "export either a run or a time range (from/to), not both"})
    if errors:
        raise ValidationError(errors)
    secrets, captures = query_bool("secrets", False), query_bool("captures", True)
    db = get_db()
    if run_id:
        runs.get_run(db, run_id)  # 404 before anything is written
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    bundles.export(db, spool, start=times.get("from"), end=times.get("to"), run_id=run_id, secrets=secrets,
                   captures=captures)
    spool.seek(0)
    name = f"sandbox-{timestamp().replace(':', '').replace('.', '')[:15]}{bundles.SUFFIX}"
    return send_file(spool, mimetype=bundles.MEDIA_TYPE, as_attachment=True, download_name=name)


@api.post("/bundles")
def import_bundle_file():
    request.max_content_length = current_app.config["MAX_BUNDLE_BYTES"]
    name = request.args.get("name") or None
    if name is not None and (len(name) > 200 or not name.strip()):
        raise ValidationError([{"field": "name", "message": "must be 1 to 200 characters"}])
    try:
        bundle = bundles.import_bundle(get_db(), request.stream, name=name)
    except bundles.BundleError as exc:
        raise _bundle_error(exc) from None
    return jsonify(bundle), 201


@api.get("/bundles")
def list_imported_bundles():
    return jsonify({"items": store.list_bundles(get_db())})


@api.get("/bundles/<bundle_id>")
def get_imported_bundle(bundle_id: str):
    db = get_db()
    bundle = store.get_bundle(db, bundle_id)
    bundle["scenario"] = next(iter(store.items(db, bundle_id, "scenario", limit=1)[0]), None)
    bundle["accounts"] = store.items(db, bundle_id, "account", limit=500)[0]
    bundle["webhooks"] = [{k: v for k, v in hook.items() if k not in SECRET_FIELDS}
                          for hook in store.items(db, bundle_id, "webhook", limit=500)[0]]
    return jsonify(bundle)


@api.delete("/bundles/<bundle_id>")
def delete_imported_bundle(bundle_id: str):
    store.delete_bundle(get_db(), bundle_id)
    return "", 204


@api.get("/bundles/<bundle_id>/<any(events, deliveries, captures, attempts):kind>")
def list_bundle_items(bundle_id: str, kind: str):
    db = get_db()
    store.get_bundle(db, bundle_id)
    items, cursor = store.items(db, bundle_id, KINDS[kind], after=query_int("cursor", 0),
                                limit=query_int("limit", 50, minimum=1, maximum=500))
    return jsonify({"items": items, "nextCursor": str(cursor) if cursor is not None else None})


@api.get("/bundles/<bundle_id>/events/<event_id>")
def get_bundle_event(bundle_id: str, event_id: str):
    db = get_db()
    store.get_bundle(db, bundle_id)
    event = store.item(db, bundle_id, "event", event_id)
    event["deliveries"] = store.children(db, bundle_id, "delivery", event_id)
    return jsonify(event)


@api.get("/bundles/<bundle_id>/deliveries/<delivery_id>")
def get_bundle_delivery(bundle_id: str, delivery_id: str):
    db = get_db()
    store.get_bundle(db, bundle_id)
    delivery = store.item(db, bundle_id, "delivery", delivery_id)
    delivery["attempts"] = store.children(db, bundle_id, "attempt", delivery_id)
    return jsonify(delivery)


@api.route("/bundles/<bundle_id>/<path:rest>", methods=["POST", "PUT", "PATCH", "DELETE"])
def refuse_bundle_write(bundle_id: str, rest: str):
    store.get_bundle(get_db(), bundle_id)
    raise APIError(405, f"Bundle {bundle_id} is an imported copy and read-only: its records cannot be "
                   f"changed ({request.method} /api/bundles/{bundle_id}/{rest}). Replay it with POST "
                   f"/api/bundles/{bundle_id}/replay, or delete the whole import with DELETE "
                   f"/api/bundles/{bundle_id}.", kind="read-only-bundle", title="Read-only bundle",
                   headers={"Allow": "GET, HEAD"})


@api.post("/bundles/<bundle_id>/replay")
def replay_bundle(bundle_id: str):
    body = json_object(required=False)
    errors = [{"field": n, "message": "is not a replay option (" + ", ".join(REPLAY_FIELDS) + ")"}
              for n in sorted(set(body) - set(REPLAY_FIELDS))]
    url_map = body.get("urlMap", {})
    if not isinstance(url_map, dict):
        errors.append({"field": "urlMap", "message": 'must be an object such as {"http://old/": "http://new/"}'})
        url_map = {}
    timeout = body.get("timeout", current_app.config["REQUEST_TIMEOUT"])
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0.1 <= timeout <= 120:
        errors.append({"field": "timeout", "message": "must be seconds from 0.1 to 120"})
        timeout = 10.0
    options = bundles.Options(url_map=url_map, to=body.get("to"),
                              signatures=body.get("signatures", "recorded"),
                              secret=body.get("secret"), timing=body.get("timing", "none"),
                              factor=body.get("factor", 1.0), timeout=timeout)
    errors += options.problems()
    if errors:
        raise ValidationError(errors)
    db = get_db()
    store.get_bundle(db, bundle_id)
    try:
        summary = bundles.replay(db, bundle_id, options)
    except bundles.ReplayError as exc:
        raise ValidationError([{"field": "secret", "message": str(exc)}], detail=str(exc)) from None
    return jsonify(summary)


from sandbox.api.bundles_doc import OPENAPI_PATHS, OPENAPI_SCHEMAS  # noqa: E402, F401  (collected by openapi)
