"""The one error shape of the API: RFC 9457 problem+json, built in one place."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE_BASE = "https://webhook-sandbox.dev/problems/"


class APIError(Exception):
    """An error the API answers with problem+json; raise it from anywhere below a view."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict] | None = None,
        title: str | None = None,
        kind: str | None = None,
        extra: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.title = title or HTTPStatus(status).phrase
        self.kind = kind or self.title.lower().replace(" ", "-")
        self.extra = extra or {}
        self.headers = headers or {}


class ValidationError(APIError):
    """400 with one ``{field, message}`` per problem found in the input."""

    def __init__(self, errors: list[dict], detail: str | None = None):
        detail = detail or "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        super().__init__(400, detail, errors=errors, title="Invalid input", kind="validation")


class NotFoundError(APIError):
    """404 for an unknown id."""

    def __init__(self, detail: str, **kwargs):
        super().__init__(404, detail, **kwargs)


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    kind: str | None = None,
    errors: list[dict] | None = None,
    extra: dict | None = None,
    headers: dict | None = None,
):
    """Build a problem+json response."""
    title = title or HTTPStatus(status).phrase
    body = {
        "type": PROBLEM_TYPE_BASE + (kind or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_api_error(error: APIError):
    return problem(
        error.status,
        error.detail,
        title=error.title,
        kind=error.kind,
        errors=error.errors,
        extra=error.extra,
        headers=error.headers,
    )


def _from_http_exception(error: HTTPException):
    status = error.code or 500
    detail = error.description or HTTPStatus(status).phrase
    if status == 404:
        detail = f"No such route: {request.method} {request.path}"
    elif status == 405:
        allowed = ", ".join(sorted(error.valid_methods or [])) if hasattr(error, "valid_methods") else ""
        detail = f"Method {request.method} is not allowed on {request.path}" + (
            f"; allowed: {allowed}" if allowed else ""
        )
    elif status == 413:
        from flask import current_app

        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        detail = (f"The request body is larger than the limit of {limit} bytes (SANDBOX_MAX_BODY_BYTES)"
                  if limit else "The request body is too large")
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, detail, headers=headers)


def _from_unexpected(error: Exception):
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return problem(500, "The sandbox hit an internal error; it was logged on the server")


def init_app(app: Flask) -> None:
    """Answer every error under /api (and every unknown route) with problem+json."""
    app.register_error_handler(APIError, _from_api_error)
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(Exception, _from_unexpected)
