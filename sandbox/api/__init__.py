"""The JSON API under /api: the blueprint, input helpers shared by every route module."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Flask, request

from sandbox import catalog
from sandbox.errors import APIError, ValidationError

api = Blueprint("api", __name__, url_prefix="/api")


@api.before_request
def _check_wink_version() -> None:
    version = request.headers.get("Wink-Version")
    if version is not None and version.strip() != "2.0":
        raise APIError(
            400,
            f"Unsupported Wink-Version {version!r}: the sandbox speaks version 2.0",
            errors=[{"field": "Wink-Version", "message": "must be 2.0"}],
        )


def json_body(*, required: bool = True, default: Any = None) -> Any:
    """Parse the request body as JSON, with clear 400/415 errors (413 comes from Flask)."""
    data = request.get_data(cache=True)
    if not data.strip():
        if required:
            raise APIError(400, "The request body is empty; send a JSON object")
        return default
    mimetype = request.mimetype or ""
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise APIError(415, f"The body must be JSON (Content-Type: application/json), not {mimetype}")
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise APIError(400, f"The body is not valid JSON: {exc}", kind="malformed-json") from None
    except RecursionError:
        raise APIError(400, "The body is nested too deeply to be a sensible JSON document",
                       kind="malformed-json") from None
    if _MAYBE_SURROGATE.search(data):
        _refuse_lone_surrogates(value)
    return value


# A \uD800-\uDFFF escape, or those code points' raw bytes (json.loads lets both through).
_MAYBE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def _refuse_lone_surrogates(value: Any) -> None:
    """Refuse a lone UTF-16 surrogate: it is not a character, so it cannot be stored or sent as UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end].encode("unicode_escape").decode("ascii")
        raise APIError(400, f"The body holds a lone UTF-16 surrogate ({bad}), which is not a character; "
                       "escape a character outside the BMP as a surrogate pair, e.g. \\ud83c\\udfe8",
                       kind="malformed-json") from None
    except RecursionError:
        raise APIError(400, "The body is nested too deeply to be a sensible JSON document",
                       kind="malformed-json") from None


def json_object(*, required: bool = True) -> dict:
    """Parse the body as a JSON object (a list or scalar gets 400)."""
    body = json_body(required=required, default={})
    if not isinstance(body, dict):
        raise APIError(400, f"The body must be a JSON object, not {type(body).__name__}")
    return body


# The largest integer SQLite stores: ids and cursors above it cannot name a row (and would not bind).
MAX_ID = 2**63 - 1


# Control characters and bidirectional overrides: a name holding them prints scrambled (or not at
# all) in a terminal, a log line or a page.
_UNPRINTABLE_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def name_problem(value: object, max_length: int = 200) -> str | None:
    """Say what is wrong with a display name (account, webhook), or None when it is fine."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "is required"
    if not isinstance(value, str):
        return 'must be text, such as "Wink Stalker"'
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    if _UNPRINTABLE_NAME.search(value):
        return "must not contain control characters or bidirectional overrides"
    return None


def is_whole_number(value: object, minimum: int, maximum: int) -> bool:
    """Tell whether a JSON value is an integer from ``minimum`` to ``maximum`` (true and false are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def query_int(name: str, default: int, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """Read an integer query parameter within bounds, or raise a 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError([{"field": name, "message": f"must be an integer, not {raw!r}"}]) from None
    if not minimum <= value <= maximum:
        raise ValidationError([{"field": name, "message": f"must be between {minimum} and {maximum}"}])
    return value


def query_bool(name: str, default: bool) -> bool:
    """Read a boolean query parameter (true/false/1/0), or raise a 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise ValidationError([{"field": name, "message": f"must be true or false, not {raw!r}"}])


def check_event_key(key: object, field: str, errors: list[dict]) -> None:
    """Add an error naming ``field`` unless ``key`` is a known event key (with close matches as hints)."""
    if not isinstance(key, str) or not key:
        errors.append({"field": field, "message": "is required: an event key such as booking.create"})
    elif not catalog.is_known(key):
        hints = catalog.suggest(key)
        errors.append({"field": field, "message": f"unknown event key {key!r}"
                       + (f"; did you mean {', '.join(hints)}?" if hints else "")})


def query_event_key(name: str) -> str | None:
    """Read an optional event key query parameter as its wire key (``booking.created`` reads as
    ``booking.create``, the key stored and sent), or raise a 400 naming it when it is unknown."""
    key = request.args.get(name) or None
    if key is not None:
        errors: list[dict] = []
        check_event_key(key, name, errors)
        if errors:
            raise ValidationError(errors)
        key = catalog.wire_key(key)
    return key


# ---- paging: newest first, a cursor from the previous page's nextCursor ---------------------------

PAGE_DEFAULT = 50
PAGE_MAX = 500


def page_params() -> tuple[int | None, int]:
    """Read ``cursor`` (from a previous page's ``nextCursor``) and ``limit``, or raise a 400 naming them."""
    raw = request.args.get("cursor")
    cursor = None
    if raw not in (None, ""):
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
            raise ValidationError([{"field": "cursor",
                                    "message": "must be a nextCursor from a previous page"}])
        cursor = int(raw)
    return cursor, query_int("limit", PAGE_DEFAULT, minimum=1, maximum=PAGE_MAX)


def page(items: list[dict], next_cursor: int | None) -> dict:
    """Shape a page of items and the cursor of the next one (None on the last page)."""
    return {"items": items, "nextCursor": str(next_cursor) if next_cursor is not None else None}


PAGE_PARAMETERS = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[0-9]+$"},
     "description": "The nextCursor of the previous page."},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": PAGE_DEFAULT}},
]


def page_schema(item: str) -> dict:
    """The OpenAPI schema of a page of ``item`` (a components/schemas name)."""
    return {"type": "object", "required": ["items", "nextCursor"], "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        "nextCursor": {"type": ["string", "null"], "description": "Pass as cursor for the next page"}}}


# Route modules register their views on `api` when imported.
ROUTE_MODULES = [
    "sandbox.api.accounts",
    "sandbox.api.webhooks",
    "sandbox.api.profiles",
    "sandbox.api.meta",
    "sandbox.api.event_types",
    "sandbox.api.fixtures",
    "sandbox.api.events",
    "sandbox.api.resend",
    "sandbox.api.deliveries",
    "sandbox.api.outbox",
    "sandbox.api.resources",
    "sandbox.api.inbox",
    "sandbox.api.holds",
    "sandbox.api.bundles",
    "sandbox.api.health",
]


def route_modules() -> list:
    """Import every route module (each adds its views and OPENAPI_PATHS)."""
    import importlib

    return [importlib.import_module(name) for name in ROUTE_MODULES]


def init_app(app: Flask) -> None:
    route_modules()
    app.register_blueprint(api)
