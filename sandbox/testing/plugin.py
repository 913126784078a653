"""The pytest plugin (entry point ``webhook_sandbox``): a running sandbox for a receiver's own tests.

Fixtures:

- ``webhook_sandbox``: a ``Sandbox`` (``sandbox.testing.Sandbox``), reset before each test; the server
  behind it starts once per session on a free port of 127.0.0.1 with a temporary database.
- ``webhook_sandbox_session``: the same sandbox without the per-test reset.
- ``webhook_sandbox_config``: override it in a ``conftest.py`` to change the server's settings
  (``{"REQUEST_TIMEOUT": 3}``, ``{"RETRY_PRESET": "wink"}``...); ``{"demo": True}`` seeds the demo data.
- ``serve_receiver``: serves a WSGI app (a Flask app, say) on a free port in a thread for the test;
  returns its base URL.

Disable it like any plugin: ``pytest -p no:webhook_sandbox``. Nothing starts unless a test asks for a
fixture, so the plugin costs nothing to suites that do not use it.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def webhook_sandbox_config() -> dict:
    """Server settings for the session's sandbox; override to change them (``demo`` seeds demo data)."""
    return {}


@pytest.fixture(scope="session")
def webhook_sandbox_session(webhook_sandbox_config):
    """One running sandbox for the whole session (no reset between tests)."""
    from sandbox.testing.runner import Sandbox

    config = dict(webhook_sandbox_config)
    demo = bool(config.pop("demo", False))
    with Sandbox(demo=demo, config=config) as sb:
        yield sb


@pytest.fixture
def webhook_sandbox(webhook_sandbox_session):
    """The session's sandbox, emptied of accounts, webhooks, events and deliveries for this test."""
    webhook_sandbox_session.reset()
    return webhook_sandbox_session


@pytest.fixture
def serve_receiver():
    """Serve WSGI apps on free ports of 127.0.0.1 for this test: ``url = serve_receiver(app)``."""
    from sandbox.testing.receivers import ServedApp

    served: list[ServedApp] = []

    def serve(app, host: str = "127.0.0.1") -> str:
        server = ServedApp(app, host)
        served.append(server)
        return server.url

    yield serve
    for server in served:
        server.stop()
