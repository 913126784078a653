"""The OpenAPI document stays true: schemathesis calls every documented route with generated input.

It proves that no input, however odd, produces a 500, and that every answer (status code, content
type, body) matches what the document promises.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi import checks as openapi_checks

from sandbox import create_app

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("openapi") / "s.db"), "TESTING": True})
    client = app.test_client()
    account = client.post("/api/managing-entity", json={"name": "Schema Account"}).get_json()
    client.post(f"/api/managing-entity/{account['id']}/webhook",
                json={"name": "h", "eventUrl": "http://127.0.0.1:9/x"})
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


# /inbox/{name} answers with whatever status it is told to (?status=500, PUT /api/inbox): not an error.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/inbox/{name}")


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_api_matches_its_openapi_document(case):
    case.call_and_validate(checks=CHECKS)


def test_document_is_openapi_31_and_lists_every_api_route(client, app):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            # path parameter names may differ; compare the shape
            shape = _shape(path)
            assert any(m == method and _shape(p) == shape for m, p in documented), (method, path)


def _shape(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "{}", re.sub(r"\{[^}:]+:", "{", path))
