"""Fixtures API: list fixtures and scenarios, run one, and record a stored event as a fixture.

``POST /api/fixtures/{name}/run`` builds the fixture's events (``sandbox.fixtures``) and fires them
in order through the delivery engine, with the same chaos plan as ``replay`` (``sandbox.chaos``).
It answers once every event is fired; the deliveries' outcomes follow in the live log. A recorded
fixture speaks the envelope's names: the key in ``type``, the payload in ``object``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from flask import current_app, jsonify

from sandbox import fixtures
from sandbox.api import api, is_whole_number, json_object
from sandbox.chaos import Chaos, Send
from sandbox.db import get_db
from sandbox.errors import APIError, NotFoundError, ValidationError
from sandbox.generate import MAX_SEED
from sandbox.store import NotFound, accounts, webhooks
from sandbox.store import deliveries as delivery_store
from sandbox.store import events as event_store
from sandbox.store.log import timestamp
from sandbox.store.runs import record_run

RUN_FIELDS = ("entity", "webhookId", "params", "set", "seed", "delays", "chaos", "undelivered")
CHAOS_FIELDS = ("duplicates", "shuffle", "jitterMs", "stale")
MAX_JITTER_MS = 10_000
DUPLICATE_WAIT_SECONDS = 10.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def fixtures_dir() -> Path | None:
    """The user's fixtures directory (setting FIXTURES_DIR); recorded fixtures go in its recorded/."""
    configured = current_app.config.get("FIXTURES_DIR", "fixtures")
    return Path(configured) if configured else None


def _search_dirs() -> list[Path]:
    return fixtures.search_dirs(fixtures_dir())


@api.get("/fixtures")
def list_fixtures():
    found, errors = fixtures.discover(_search_dirs())
    return jsonify({
        "items": [f.summary() for f in found],
        "invalid": [{"file": e.file, "errors": [p.as_dict() for p in e.problems]} for e in errors],
    })


def _load(name: str) -> fixtures.Fixture:
    if not _NAME.match(name):
        raise NotFoundError(f"No fixture named {name!r}")
    found, errors = fixtures.discover(_search_dirs())
    for fixture in found:
        if fixture.name == name:
            return fixture
    for error in errors:  # the file of that name exists but does not load: say why, not "no fixture"
        if Path(error.file).name.removesuffix(".json") == name:
            raise ValidationError(error.api_errors(), detail=f"Fixture file {error.file} cannot be loaded: "
                                  + "; ".join(p.render() for p in error.problems))
    raise NotFoundError(f"No fixture named {name!r}; GET /api/fixtures lists them")


# -- running ------------------------------------------------------------------------------------

def _read_run(body: dict) -> dict:
    errors = [{"field": name, "message": "is not a field of a run (" + ", ".join(RUN_FIELDS) + ")"}
              for name in sorted(set(body) - set(RUN_FIELDS))]
    for name in ("entity", "webhookId"):
        if body.get(name) is not None and (not isinstance(body[name], str) or not body[name]):
            errors.append({"field": name, "message": "must be an id"})
    params = body.get("params", {})
    if not isinstance(params, dict) or not all(
            isinstance(v, (str, int, float, bool)) for v in params.values()):
        errors.append({"field": "params", "message": "must be an object of param values, e.g. "
                                                     '{"payment_outcome": "failed"}'})
        params = {}
    sets = body.get("set", [])
    if isinstance(sets, dict):
        sets = [f"{path}={json.dumps(value)}" for path, value in sets.items()]
    if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
        errors.append({"field": "set", "message": 'must be a list of "path=value" strings or an object'})
        sets = []
    seed = body.get("seed")
    if seed is not None and not is_whole_number(seed, 0, MAX_SEED):
        errors.append({"field": "seed", "message": f"must be a whole number from 0 to {MAX_SEED}"})
    delays = body.get("delays", True)
    if not isinstance(delays, bool):
        errors.append({"field": "delays", "message": "must be true or false"})
    chaos = _read_chaos(body.get("chaos"), errors)
    undelivered = body.get("undelivered", False)
    if not isinstance(undelivered, bool):
        errors.append({"field": "undelivered", "message": "must be true or false: true fires the steps "
                                                          "whose keys Wink never delivers"})
    if errors:
        raise ValidationError(errors)
    return {"entity": body.get("entity"), "webhook_id": body.get("webhookId"), "params": params,
            "sets": sets, "seed": seed, "delays": delays, "chaos": chaos, "undelivered": undelivered}


def _read_chaos(value: object, errors: list[dict]) -> Chaos:
    if value is None:
        return Chaos()
    if not isinstance(value, dict):
        errors.append({"field": "chaos", "message": 'must be an object such as {"duplicates": 0.2, '
                                                    '"shuffle": true, "jitterMs": 200, "stale": false}'})
        return Chaos()
    known = ", ".join(CHAOS_FIELDS)
    errors += [{"field": f"chaos.{name}", "message": f"is not a chaos option ({known})"}
               for name in sorted(set(value) - set(CHAOS_FIELDS))]
    duplicates = value.get("duplicates", 0)
    if isinstance(duplicates, bool) or not isinstance(duplicates, (int, float)) or not 0 <= duplicates <= 1:
        errors.append({"field": "chaos.duplicates", "message": "must be a fraction from 0 to 1"})
        duplicates = 0
    jitter = value.get("jitterMs", 0)
    if not is_whole_number(jitter, 0, MAX_JITTER_MS):
        errors.append({"field": "chaos.jitterMs",
                       "message": f"must be whole milliseconds from 0 to {MAX_JITTER_MS}"})
        jitter = 0
    flags = {}
    for name in ("shuffle", "stale"):
        flags[name] = value.get(name, False)
        if not isinstance(flags[name], bool):
            errors.append({"field": f"chaos.{name}", "message": "must be true or false"})
            flags[name] = False
    return Chaos(duplicates=float(duplicates), shuffle=flags["shuffle"], jitter_ms=jitter,
                 stale=flags["stale"])


class _Accounts:
    """The account each event is for: ``entity``, the webhook's owner, or the fixture's own account."""

    def __init__(self, db, entity: str | None, webhook_id: str | None):
        self.db = db
        self.fixed = None
        if entity:
            try:
                self.fixed = accounts.get_account(db, entity)
            except NotFound:
                raise ValidationError([{"field": "entity",
                                        "message": f"no account has id {entity!r}"}]) from None
        if webhook_id:
            try:
                hook = webhooks.get_webhook(db, self.fixed["id"] if self.fixed else None, webhook_id)
            except NotFound:
                owner = f" of account {self.fixed['name']!r}" if self.fixed else ""
                raise ValidationError([{"field": "webhookId",
                                        "message": f"no webhook{owner} has id {webhook_id!r}"}]) from None
            self.fixed = self.fixed or accounts.get_account(db, hook["ownerIdentifier"])

    def resolve(self, spec: dict | None) -> dict:
        if self.fixed:
            return self.fixed
        if spec and spec.get("id"):
            try:
                return accounts.get_account(self.db, spec["id"])
            except NotFound:
                pass
        if spec and spec.get("name"):
            found = accounts.find_account_by_name(self.db, spec["name"])
            if found:
                return found
        raise ValidationError([{"field": "entity", "message": "is required: the account id to fire for (or "
                                                               "webhookId)"}])

    def make(self, key: str, spec: dict | None, *, data: dict | None = None, **options) -> dict:
        """``fixtures.Make``: the envelope of ``key`` for the resolved account, around ``data`` if given.

        A generated event for an account that does not receive the key is refused here, before any
        step is fired; the firing decides every recipient of what is fired.
        """
        from sandbox.envelope import build_envelope, make_event, role_for

        account = self.resolve(spec)
        if data is not None:
            return build_envelope(key, account["id"], role_for(key, account) or "SUPPLIER", data)
        return make_event(key, account, **options)


class InProcessTarget:
    """Fire through the delivery engine in this process (``replay``'s SandboxTarget, without HTTP)."""

    def __init__(self, app, db, *, chaos: Chaos, webhook_id: str | None,
                 undelivered: set[str] | frozenset[str] = frozenset()):
        self.app = app
        self.db = db
        self.chaos = chaos
        self.webhook_id = webhook_id
        self.undelivered = undelivered  # steps allowed to fire a key Wink never delivers
        self.fired: dict[int, dict] = {}
        self.events: list[dict] = []
        self.duplicates: list[dict] = []

    def fire(self, position: int, item: fixtures.Built, send: Send, label: str | None) -> None:
        from sandbox.delivery.firing import Firing, fire

        chaos = {}
        if label:
            chaos["label"] = label
        if self.chaos.stale:
            chaos["staleSeconds"] = self.chaos.stale_seconds
        account = accounts.get_account(self.db, item.owner)
        answer = fire(self.app, self.db, Firing(key=item.event, account=account, data=item.data,
                                                webhook_id=self.webhook_id, chaos=chaos or None,
                                                undelivered=item.step in self.undelivered))
        event = answer["events"][0]
        self.fired[send.item] = event
        self.events.append({"step": item.step, "chaos": list(send.labels), **event})

    def duplicate(self, position: int, item: fixtures.Built, send: Send) -> None:
        """Resend the event's deliveries once each has been attempted (a manual retry keeps the id)."""
        event = self.fired.get(send.item)
        for delivery in (event or {}).get("deliveries", []):
            done = self._wait_attempted(delivery["id"])
            if done:
                delivery_store.request_retry(self.db, delivery["id"], time.time())
                engine = self.app.extensions.get("sandbox.delivery")
                if engine is not None:
                    engine.notify()
            self.duplicates.append({"step": item.step, "eventId": event["id"], "deliveryId": delivery["id"],
                                    "sent": done})

    def _wait_attempted(self, delivery_id: str) -> bool:
        deadline = time.monotonic() + DUPLICATE_WAIT_SECONDS
        while time.monotonic() < deadline:
            delivery = delivery_store.get_delivery(self.db, delivery_id, with_attempts=False)
            if delivery["attemptCount"] >= 1 and not delivery["inFlight"]:
                return True
            time.sleep(0.05)
        return False

    def finish(self) -> None:
        pass


def build_run(name: str, options: dict):
    """Load fixture ``name`` and build its steps for ``options`` without firing anything (a 400 for a
    fixture that cannot be built or fires keys Wink never delivers): shared by run and build."""
    fixture = _load(name)
    db = get_db()
    resolver = _Accounts(db, options["entity"], options["webhook_id"])
    for step in fixture.steps:  # say "entity is required" before anything is built
        if "${" not in json.dumps(step.account):
            resolver.resolve(step.account)
    start = fixtures.base_seed(fixture, options["seed"])
    try:
        built = fixtures.build(fixture, resolver.make, params=options["params"], seed=options["seed"],
                               assignments=options["sets"] or None, start=start)
    except fixtures.FixtureError as exc:
        raise ValidationError(exc.api_errors(), detail=f"Fixture {name!r} cannot be built: "
                              + "; ".join(p.render() for p in exc.problems)) from None
    from sandbox.delivery.firing import undelivered_problem

    allowed = {step.name for step in fixture.steps if options["undelivered"] or step.undelivered}
    refused = [{**problem, "field": f"step {item.index + 1} '{item.step}' type"} for item in built
               if (problem := undelivered_problem(item.event, item.step in allowed))]
    if refused:  # before anything is fired
        raise ValidationError(refused, detail=f"Fixture {name!r} fires keys Wink never delivers: "
                              + "; ".join(f"{e['field']}: {e['message']}" for e in refused))
    return fixture, built, allowed, start


@api.post("/fixtures/<name>/build")
def build_fixture(name: str):
    """Build a fixture's steps as a run would, and fire nothing: the presenter's rehearsal and its
    live steps, each then sent by ``POST /api/events`` with the step's ``object``."""
    options = _read_run(json_object(required=False))
    fixture, built, allowed, start = build_run(name, options)
    narration = {step.name: step.narration or {} for step in fixture.steps}
    return jsonify({"fixture": fixture.name, "kind": fixture.kind, "seed": start, "steps": [
        {"step": item.step, "index": item.index, "type": item.event, "entity": item.owner,
         "delayMs": item.delay_ms, "undelivered": item.step in allowed, "narration": narration[item.step],
         "envelope": item.envelope} for item in built]})


@api.post("/fixtures/<name>/run")
def run_fixture(name: str):
    from sandbox.replay import run

    options = _read_run(json_object(required=False))
    fixture, built, allowed, start = build_run(name, options)
    db = get_db()
    target = InProcessTarget(current_app._get_current_object(), db, chaos=options["chaos"],
                             webhook_id=options["webhook_id"], undelivered=allowed)
    started = timestamp()
    run(built, target, chaos=options["chaos"], seed=start, delays=options["delays"], stop=threading.Event())
    run_id = record_run(db, fixture=fixture.name, kind=fixture.kind, started=started, finished=timestamp(),
                        events=target.events, params=_run_params(options, start))
    return jsonify({"fixture": fixture.name, "kind": fixture.kind, "seed": start, "runId": run_id,
                    "chaos": options["chaos"].as_dict(), "events": target.events,
                    "duplicates": target.duplicates,
                    "warnings": [w.as_dict() for w in fixture.warnings]}), 202


def _run_params(options: dict, seed: int) -> dict:
    """A run's options as a bundle's scenario record keeps them (the seed it used, not None)."""
    return {"entity": options["entity"], "webhookId": options["webhook_id"], "params": options["params"],
            "set": options["sets"], "seed": seed, "delays": options["delays"],
            "chaos": options["chaos"].as_dict(),
            "undelivered": options["undelivered"]}


# -- recording ----------------------------------------------------------------------------------

def record(event: dict, name: str) -> dict:
    """Return an event fixture holding a stored event's exact ``object``, under its envelope's ``type``.

    The object is the one parsed from the delivered bytes, so a replay serializes it to the same bytes.
    A letter of a key Wink never delivers keeps its ``undelivered`` mark, so it replays as it was fired.
    """
    envelope = event["envelope"]
    fixture = {
        "kind": "event",
        "name": name,
        "description": f"Recorded from event {event['id']} ({envelope['type']} for {event['entityName']}, "
                       f"{envelope['occurredAt']}).",
        "type": envelope["type"],
        "account": {"id": envelope["ownerIdentifier"], "name": event["entityName"]},
    }
    if event.get("undelivered"):
        fixture["undelivered"] = True
    return {**fixture, "object": envelope["object"],
            "source": {"eventId": event["id"], "occurredAt": envelope["occurredAt"]}}


@api.post("/events/<event_id>/fixture")
def save_event_fixture(event_id: str):
    body = json_object(required=False)
    errors = [{"field": n, "message": "is not an option (name, save, overwrite)"}
              for n in sorted(set(body) - {"name", "save", "overwrite"})]
    event = event_store.get_event(get_db(), event_id)
    name = body["name"] if "name" in body else f"{event['envelope']['type']}-{event['id'][:8]}"
    if not isinstance(name, str) or not _NAME.match(name):
        errors.append({"field": "name", "message": "must be 1-100 letters, digits, _ . or -, starting with a "
                                                   "letter or digit"})
    for flag in ("save", "overwrite"):
        if not isinstance(body.get(flag, False), bool):
            errors.append({"field": flag, "message": "must be true or false"})
    if errors:
        raise ValidationError(errors)
    fixture = record(event, name)
    fixtures.from_dict(fixture, file=f"recorded/{name}.json")  # it must load back as it is
    if not body.get("save", True):
        return jsonify({"name": name, "path": None, "fixture": fixture})
    directory = fixtures_dir()
    if directory is None:
        raise APIError(409, "No fixtures directory is set (setting FIXTURES_DIR): cannot save",
                       title="Not saved")
    path = directory / "recorded" / f"{name}.json"
    if path.exists() and not body.get("overwrite", False):
        raise APIError(409, f"A recorded fixture named {name!r} exists; pass overwrite: true or another name",
                       extra={"path": str(path)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fixture, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return jsonify({"name": name, "path": str(path), "fixture": fixture}), 201


# -- OpenAPI ------------------------------------------------------------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


_NAME_PARAM = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "The fixture's name, as GET /api/fixtures lists it (e.g. booking-life)."}

OPENAPI_PATHS = {
    "/api/fixtures": {
        "get": {
            "tags": ["Fixtures"], "summary": "List fixtures and scenarios (shipped and your own)",
            "operationId": "listFixtures",
            "responses": {"200": {"description": "Fixtures, scenarios first; files that fail to load are in "
                                                 "`invalid` with the step and field at fault; a fixture "
                                                 "still written with the old field names (`event`, "
                                                 "`data`) loads and lists them under `warnings`",
                                  "content": {"application/json": {"schema": _ref("schemas/FixtureList")}}}},
        },
    },
    "/api/fixtures/{name}/run": {
        "parameters": [_NAME_PARAM],
        "post": {
            "tags": ["Fixtures"], "summary": "Run a fixture or scenario through the delivery engine",
            "description": "Builds the events (references between steps resolved, params applied) and fires "
                           "them in order, waiting each step's delay unless `delays` is false; answers 202 "
                           "once all are fired. Each delivery is a Wink envelope whose `type` is the wire "
                           "key (`booking.create` for a step of type `booking.created`) and whose `object` "
                           "is the step's payload. Chaos options work as `replay`'s. A fixture file that "
                           "does not load (e.g. a step giving both `type` and its old name `event`) is a "
                           "400 naming the file, step and field.",
            "operationId": "runFixture",
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": _ref("schemas/FixtureRun")}}},
            "responses": {"202": {"description": "Every event fired", "content": {"application/json": {
                "schema": _ref("schemas/FixtureRunResult")}}},
                "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
                "409": _ref("responses/Conflict"), "413": _ref("responses/TooLarge"),
                "415": _ref("responses/UnsupportedMediaType")},
        },
    },
    "/api/fixtures/{name}/build": {
        "parameters": [_NAME_PARAM],
        "post": {
            "tags": ["Fixtures"], "summary": "Build a fixture's steps without sending them",
            "description": "Takes a run's options and builds the steps exactly as `run` does (the same "
                           "code), but fires nothing: each step's envelope, account and narration. The "
                           "presenter (/present) rehearses with it, and sends a step live by posting the "
                           "step's `type`, `entity` and `envelope.object` to POST /api/events.",
            "operationId": "buildFixture",
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": _ref("schemas/FixtureRun")}}},
            "responses": {"200": {"description": "The built steps, in order",
                                  "content": {"application/json": {
                "schema": {"type": "object", "required": ["fixture", "kind", "seed", "steps"], "properties": {
                    "fixture": {"type": "string"}, "kind": {"type": "string"}, "seed": {"type": "integer"},
                    "steps": {"type": "array", "items": {"type": "object", "properties": {
                        "step": {"type": "string"}, "index": {"type": "integer"}, "type": {"type": "string"},
                        "entity": {"type": "string"}, "delayMs": {"type": "integer"},
                        "undelivered": {"type": "boolean"},
                        "narration": {"type": "object", "additionalProperties": {"type": "string"}},
                        "envelope": {"type": "object"}}}}}}}}},
                "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
                "409": _ref("responses/Conflict"), "413": _ref("responses/TooLarge"),
                "415": _ref("responses/UnsupportedMediaType")},
        },
    },
    "/api/events/{id}/fixture": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "A stored event's id."}],
        "post": {
            "tags": ["Fixtures"], "summary": "Record a stored event as an event fixture",
            "description": "The fixture holds the event's `type` and its exact `object`: replaying it sends "
                           "the same `object` bytes in a new envelope. Saved in the FIXTURES_DIR's recorded/ "
                           "folder unless `save` is false.",
            "operationId": "recordEventFixture",
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False, "properties": {
                    "name": {"type": "string", "pattern": _NAME.pattern},
                    "save": {"type": "boolean", "default": True},
                    "overwrite": {"type": "boolean", "default": False}}}}}},
            "responses": {
                "200": {"description": "The fixture (not saved)", "content": {"application/json": {
                    "schema": _ref("schemas/RecordedFixture")}}},
                "201": {"description": "The fixture, saved", "content": {"application/json": {
                    "schema": _ref("schemas/RecordedFixture")}}},
                "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
                "409": _ref("responses/Conflict"), "413": _ref("responses/TooLarge"),
                "415": _ref("responses/UnsupportedMediaType")},
        },
    },
}

OPENAPI_SCHEMAS = {
    "FixtureList": {"type": "object", "required": ["items", "invalid"], "properties": {
        "items": {"type": "array", "items": {"type": "object",
                                             "required": ["name", "kind", "steps", "params"],
                                             "properties": {
            "name": {"type": "string"}, "kind": {"enum": ["event", "scenario"]},
            "description": {"type": "string"}, "file": {"type": "string"},
            "params": {"type": "array", "items": {"type": "object"}},
            "steps": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"},
                "type": {"type": "string", "description": "The step's event key, as the fixture gives it"},
                "delayMs": {"type": "integer"}, "description": {"type": "string"},
                "narration": {"type": "object", "additionalProperties": {"type": "string"},
                              "description": "The presenter's line per language (en, pt-PT); {} if none"}}}},
            "warnings": {"type": "array", "items": _ref("schemas/FixtureProblem"),
                         "description": "Deprecated names the file still uses (`event`, `data`, "
                                        "`${steps.STEP.data...}`): it loads, but should be updated"}}}},
        "invalid": {"type": "array", "items": {"type": "object", "properties": {
            "file": {"type": "string"},
            "errors": {"type": "array", "items": _ref("schemas/FixtureProblem")}}}}}},
    "FixtureProblem": {"type": "object", "required": ["step", "field", "message"], "properties": {
        "step": {"type": ["string", "null"], "description": "e.g. 1 'created'; null for the whole fixture"},
        "field": {"type": ["string", "null"], "description": "The field as the file names it, e.g. type"},
        "message": {"type": "string"}}},
    "FixtureRun": {"type": "object", "additionalProperties": False, "properties": {
        "entity": {"type": "string", "description": "The account to fire for (default: the fixture's)"},
        "webhookId": {"type": "string", "description": "Deliver to this webhook only"},
        "params": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "set": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
        "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
        "delays": {"type": "boolean", "default": True},
        "undelivered": {"type": "boolean", "default": False,
                        "description": "Fire the steps whose keys Wink never delivers (a step can say "
                                       "so itself with `undelivered`); without it such a step is a 400 "
                                       "before anything is fired"},
        "chaos": {"type": "object", "additionalProperties": False, "properties": {
            "duplicates": {"type": "number", "minimum": 0, "maximum": 1},
            "shuffle": {"type": "boolean"},
            "jitterMs": {"type": "integer", "minimum": 0, "maximum": MAX_JITTER_MS},
            "stale": {"type": "boolean"}}}}},
    "FixtureRunResult": {"type": "object", "required": ["fixture", "kind", "seed", "events"], "properties": {
        "fixture": {"type": "string"}, "kind": {"type": "string"}, "seed": {"type": "integer"},
        "runId": {"type": "string", "description": "The stored run: GET /api/runs/{runId}; a bundle of it: "
                  "GET /api/bundles/export?run={runId}"},
        "chaos": {"type": "object"},
        "events": {"type": "array", "items": {"type": "object", "required": ["step", "id", "event"],
                                              "properties": {
            "step": {"type": "string"}, "id": {"type": "string"}, "event": {"type": "string"},
            "chaos": {"type": "array", "items": {"type": "string"}},
            "deliveries": {"type": "array", "items": {"type": "object"}}}}},
        "duplicates": {"type": "array", "items": {"type": "object"}},
        "warnings": {"type": "array", "items": _ref("schemas/FixtureProblem"),
                     "description": "Deprecated names the fixture file still uses"}}},
    "RecordedFixture": {"type": "object", "required": ["name", "path", "fixture"], "properties": {
        "name": {"type": "string"}, "path": {"type": ["string", "null"]},
        "fixture": {"type": "object",
                    "description": "An event fixture (fixtures/schema/fixture.schema.json): `type`, "
                                   "`account`, `undelivered` when the letter was of a key Wink never "
                                   "delivers, the literal `object` (replayed byte for byte), and `source` "
                                   "{eventId, occurredAt}"}}},
}
