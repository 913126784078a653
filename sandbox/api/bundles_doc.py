"""The OpenAPI description of the session bundle and scenario run routes (``sandbox.api.bundles``)."""

from __future__ import annotations


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": _ref(f"schemas/{schema}")}}


_BUNDLE = {"name": "bundleId", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "An imported bundle's id, as GET /api/bundles lists it."}
_PAGE = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
     "description": "The nextCursor of the previous page."},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
]
_READ_ONLY = {
    "tags": ["Bundles"], "summary": "Refused: an imported bundle is read-only",
    "description": "Any write to an imported bundle's records (events, deliveries, attempts, captures) is "
                   "refused with 405 and `type` ending in `read-only-bundle`; replay the bundle or delete "
                   "the whole import instead.",
    "parameters": [_BUNDLE, {"name": "part", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"404": _ref("responses/NotFound"), "405": _ref("responses/MethodNotAllowed"),
                  "400": _ref("responses/BadRequest")},
}

OPENAPI_PATHS = {
    "/api/runs": {"post": {
        "tags": ["Bundles"], "summary": "Record a scenario run made step by step", "operationId": "recordRun",
        "description": "`python run.py replay` through the sandbox fires each step with POST /api/events, "
                       "then records the run here, so it can be exported like a fixture run.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False, "required": ["fixture", "kind", "events"],
            "properties": {
                "fixture": {"type": "string", "minLength": 1, "maxLength": 200},
                "kind": {"type": "string", "minLength": 1, "maxLength": 200},
                "params": {"type": "object"}, "startedAt": {"type": "string"},
                "events": {"type": "array", "minItems": 1, "maxItems": 10000, "items": {
                    "type": "object", "required": ["step", "eventId"],
                    "properties": {"step": {"type": "string"}, "eventId": {"type": "string"}}}}}}}}},
        "responses": {"201": {"description": "The run", "content": _json("ScenarioRun")},
                      "400": _ref("responses/BadRequest"), "413": _ref("responses/TooLarge"),
                      "415": _ref("responses/UnsupportedMediaType")}},
        "get": {
        "tags": ["Bundles"], "summary": "List scenario runs, newest first", "operationId": "listRuns",
        "description": "Every POST /api/fixtures/{name}/run is stored with its options and the letters it "
                       "fired, so it can be exported as a bundle (GET /api/bundles/export?run=ID).",
        "parameters": [_PAGE[1]],
        "responses": {"200": {"description": "Runs", "content": {"application/json": {"schema": {
            "type": "object", "required": ["items"], "properties": {
                "items": {"type": "array", "items": _ref("schemas/ScenarioRun")}}}}}},
            "400": _ref("responses/BadRequest")}}},
    "/api/runs/{runId}": {"get": {
        "tags": ["Bundles"], "summary": "One scenario run with its letters", "operationId": "getRun",
        "parameters": [{"name": "runId", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The run", "content": _json("ScenarioRun")},
                      "404": _ref("responses/NotFound")}}},
    "/api/bundles/export": {"get": {
        "tags": ["Bundles"], "summary": "Download a session bundle: a time range or a scenario run",
        "operationId": "exportBundle",
        "description": "A gzip-compressed NDJSON file (*.wsbundle.ndjson.gz), one record a line, as "
                       "docs/bundle.schema.json describes: the accounts and webhooks involved, every letter "
                       "with its exact body, its deliveries, every attempt with request headers and "
                       "response, the inbox captures of the same time, and the scenario with its "
                       "parameters. Without `run`, `from` and `to`: everything.",
        "parameters": [
            {"name": "from", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "ISO 8601 time: letters created at or after it (UTC unless an offset is given)."},
            {"name": "to", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "ISO 8601 time: letters created before it."},
            {"name": "run", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "A scenario run's id (GET /api/runs) instead of a time range."},
            {"name": "secrets", "in": "query", "required": False,
             "schema": {"type": "boolean", "default": False},
             "description": "Put the webhooks' signing secrets in the bundle (left out by default)."},
            {"name": "captures", "in": "query", "required": False,
             "schema": {"type": "boolean", "default": True}, "description": "Include inbox captures."},
        ],
        "responses": {"200": {"description": "The bundle file", "content": {"application/gzip": {
            "schema": {"type": "string", "format": "binary"}}}},
            "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound")}}},
    "/api/bundles": {
        "get": {"tags": ["Bundles"], "summary": "List imported bundles, newest import first",
                "operationId": "listBundles",
                "responses": {"200": {"description": "Imported bundles", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["items"], "properties": {
                        "items": {"type": "array", "items": _ref("schemas/Bundle")}}}}}}}},
        "post": {"tags": ["Bundles"], "summary": "Import a bundle file (read-only copy)",
                 "operationId": "importBundle",
                 "description": "The body is the bundle file itself, read as a stream in one transaction: a "
                                "corrupt, truncated or newer-major bundle is a 400 saying what is wrong "
                                "(and on which line), and nothing is stored. Up to MAX_BUNDLE_BYTES.",
                 "parameters": [{"name": "name", "in": "query", "required": False,
                                 "schema": {"type": "string", "minLength": 1, "maxLength": 200}}],
                 "requestBody": {"required": True, "content": {"application/octet-stream": {
                     "schema": {"type": "string", "format": "binary"}}}},
                 "responses": {"201": {"description": "Imported", "content": _json("Bundle")},
                               "400": _ref("responses/BadRequest"), "413": _ref("responses/TooLarge")}}},
    "/api/bundles/{bundleId}": {
        "parameters": [_BUNDLE],
        "get": {"tags": ["Bundles"], "summary": "An imported bundle: its scenario, accounts and webhooks",
                "operationId": "getBundle",
                "responses": {"200": {"description": "The bundle", "content": _json("BundleDetail")},
                              "404": _ref("responses/NotFound")}},
        "delete": {"tags": ["Bundles"], "summary": "Delete an imported bundle", "operationId": "deleteBundle",
                   "responses": {"204": {"description": "Deleted"}, "404": _ref("responses/NotFound")}}},
    "/api/bundles/{bundleId}/{part}": {
        "get": {"tags": ["Bundles"], "summary": "A page of an imported bundle's records, in the file's order",
                "operationId": "listBundleRecords",
                "parameters": [_BUNDLE, {"name": "part", "in": "path", "required": True, "schema": {
                    "enum": ["events", "deliveries", "attempts", "captures"]}}, *_PAGE],
                "responses": {"200": {"description": "Records as the bundle holds them", "content": {
                    "application/json": {"schema": {"type": "object", "required": ["items", "nextCursor"],
                                                    "properties": {
                        "items": {"type": "array", "items": {"type": "object"}},
                        "nextCursor": {"type": ["string", "null"]}}}}}},
                    "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
                    "405": _ref("responses/MethodNotAllowed")}},
        "post": {**_READ_ONLY, "operationId": "bundleWritePost"},
        "put": {**_READ_ONLY, "operationId": "bundleWritePut"},
        "patch": {**_READ_ONLY, "operationId": "bundleWritePatch"},
        "delete": {**_READ_ONLY, "operationId": "bundleWriteDelete"},
    },
    "/api/bundles/{bundleId}/events/{eventId}": {
        "parameters": [_BUNDLE, {"name": "eventId", "in": "path", "required": True,
                                 "schema": {"type": "string"}}],
        "get": {"tags": ["Bundles"], "summary": "An imported letter with its exact body and its deliveries",
                "operationId": "getBundleEvent",
                "responses": {"200": {"description": "The event record, with `deliveries`",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": _ref("responses/NotFound")}}},
    "/api/bundles/{bundleId}/deliveries/{deliveryId}": {
        "parameters": [_BUNDLE, {"name": "deliveryId", "in": "path", "required": True,
                                 "schema": {"type": "string"}}],
        "get": {"tags": ["Bundles"], "summary": "An imported delivery with every attempt",
                "operationId": "getBundleDelivery",
                "responses": {"200": {"description": "The delivery record, with `attempts`",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": _ref("responses/NotFound")}}},
    "/api/bundles/{bundleId}/replay": {
        "parameters": [_BUNDLE],
        "post": {"tags": ["Bundles"], "summary": "Replay an imported bundle: every attempt again, in order",
                 "operationId": "replayBundle",
                 "description": "Sends each recorded attempt again, in the order it was first made, with the "
                                "exact body bytes. `signatures`: `recorded` sends the recorded headers "
                                "(signature included) unchanged; `resign` signs again now with `secret` (or "
                                "the bundle's own, when exported with secrets). `timing`: `none` back to "
                                "back, `original` the recorded spacing divided by `factor`. Answers when "
                                "done, with the first 1000 outcomes.",
                 "requestBody": {"required": False, "content": _json("BundleReplay")},
                 "responses": {"200": {"description": "Replayed", "content": _json("BundleReplayResult")},
                               "400": _ref("responses/BadRequest"), "404": _ref("responses/NotFound"),
                               "413": _ref("responses/TooLarge"),
                               "415": _ref("responses/UnsupportedMediaType")}}},
}

OPENAPI_SCHEMAS = {
    "ScenarioRun": {"type": "object",
                    "required": ["id", "fixture", "kind", "params", "startedAt", "finishedAt"],
                    "properties": {
        "id": {"type": "string"}, "fixture": {"type": "string"}, "kind": {"type": "string"},
        "params": {"type": "object"}, "startedAt": {"type": "string"}, "finishedAt": {"type": "string"},
        "events": {"type": "array", "items": {"type": "object", "properties": {
            "position": {"type": "integer"}, "step": {"type": "string"}, "eventId": {"type": "string"}}}}}},
    "Bundle": {"type": "object", "required": ["id", "name", "importedAt", "formatVersion", "counts"],
               "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "importedAt": {"type": "string"},
        "formatVersion": {"type": "string"}, "createdAt": {"type": ["string", "null"]},
        "generator": {"type": ["string", "null"]}, "selection": {"type": ["object", "null"]},
        "secrets": {"type": "boolean"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}},
    "BundleDetail": {"allOf": [_ref("schemas/Bundle"), {"type": "object", "properties": {
        "scenario": {"type": ["object", "null"]},
        "accounts": {"type": "array", "items": {"type": "object"}},
        "webhooks": {"type": "array", "items": {"type": "object"},
                     "description": "Never with their secrets, even when the bundle holds them"}}}]},
    "BundleReplay": {"type": "object", "additionalProperties": False, "properties": {
        "to": {"type": "string", "description": "Send every attempt to this URL"},
        "urlMap": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Recorded URL (or prefix) to the URL to use instead"},
        "signatures": {"enum": ["recorded", "resign"], "default": "recorded"},
        "secret": {"type": "string", "description": "whsec_ secret to re-sign with"},
        "timing": {"enum": ["none", "original"], "default": "none"},
        "factor": {"type": "number", "minimum": 0.001, "maximum": 1000000, "default": 1},
        "timeout": {"type": "number", "minimum": 0.1, "maximum": 120}}},
    "BundleReplayResult": {"type": "object",
                           "required": ["bundleId", "sent", "succeeded", "failed", "outcomes"],
                           "properties": {
        "bundleId": {"type": "string"}, "sent": {"type": "integer"}, "succeeded": {"type": "integer"},
        "failed": {"type": "integer"}, "signatures": {"type": "string"}, "timing": {"type": "string"},
        "factor": {"type": "number"}, "startedAt": {"type": "string"}, "finishedAt": {"type": "string"},
        "outcomes": {"type": "array", "items": {"type": "object", "properties": {
            "position": {"type": "integer"}, "deliveryId": {"type": "string"},
            "eventId": {"type": ["string", "null"]}, "attempt": {"type": "integer"},
            "recordedAt": {"type": "string"}, "url": {"type": ["string", "null"]},
            "statusCode": {"type": ["integer", "null"]}, "error": {"type": ["string", "null"]},
            "ok": {"type": "boolean"}, "durationMs": {"type": "number"}}}}}},
}
