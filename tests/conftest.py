"""Shared fixtures: an app on a temporary SQLite file, its test client, a live server."""

from __future__ import annotations

import pytest

from sandbox import create_app
from sandbox.server import Runner


def assert_problem(response, status: int, *, field: str | None = None, detail: str | None = None):
    """Assert an RFC 9457 problem+json answer; optionally that it names ``field``/``detail``."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)
                                            if hasattr(response, "get_data") else response.text)
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.get_json() if hasattr(response, "get_json") else response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body), body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, (field, body)
    if detail is not None:
        assert detail.lower() in body["detail"].lower(), body
    return body


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "sandbox.db")


@pytest.fixture
def app(db_path):
    app = create_app({"DATABASE": db_path, "TESTING": True})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 with its background workers running."""
    server = Runner(app, "127.0.0.1", 0)
    server.start()
    yield server
    server.stop(timeout=5)


@pytest.fixture
def account(client):
    response = client.post("/api/managing-entity", json={"name": "Cool Account", "type": "TRAVEL_AGENT"})
    assert response.status_code == 201
    return response.get_json()
