"""Accounts API: every route and every failure path."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem


def test_create_list_get_delete(client):
    created = client.post("/api/managing-entity", json={"name": "The Siam Residences, Bangkok"})
    assert created.status_code == 201
    account = created.get_json()
    assert account["type"] == "HOTEL"
    assert set(account) == {"id", "name", "type", "createdDate"}
    assert client.get(f"/api/managing-entity/{account['id']}").get_json() == account
    assert account in client.get("/api/managing-entity").get_json()
    deleted = client.delete(f"/api/managing-entity/{account['id']}")
    assert deleted.status_code == 200
    assert deleted.get_json()["success"] is True
    assert_problem(client.get(f"/api/managing-entity/{account['id']}"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 5}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "bad\u0000name"}, "name"),
        ({"name": "evil\u202etxt.exe"}, "name"),
        ({"name": "ok", "type": "CASTLE"}, "type"),
        ({"name": "ok", "colour": "red"}, "colour"),
    ],
)
def test_create_refuses_bad_fields(client, body, field):
    assert_problem(client.post("/api/managing-entity", json=body), 400, field=field)


def test_create_refuses_bad_bodies(client):
    assert_problem(client.post("/api/managing-entity", data="{nope", content_type="application/json"), 400)
    assert_problem(client.post("/api/managing-entity", data="", content_type="application/json"), 400)
    assert_problem(client.post("/api/managing-entity", json=["a"]), 400)
    assert_problem(client.post("/api/managing-entity", data="name=x",
                               content_type="application/x-www-form-urlencoded"), 415)
    big = '{"name": "' + "x" * (1024 * 1024 + 10) + '"}'
    assert_problem(client.post("/api/managing-entity", data=big, content_type="application/json"), 413)


def test_delete_refused_while_webhooks_exist_unless_cascade(client, account):
    hook = client.post(f"/api/managing-entity/{account['id']}/webhook", json={
        "name": "Hook", "eventUrl": "http://127.0.0.1:9/x", "eventList": []}).get_json()["webhook"]
    body = assert_problem(client.delete(f"/api/managing-entity/{account['id']}"), 409)
    assert body["webhookCount"] == 1
    assert client.get(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}").status_code == 200
    assert_problem(client.delete(f"/api/managing-entity/{account['id']}?cascade=maybe"), 400,
                   field="cascade")
    assert client.delete(f"/api/managing-entity/{account['id']}?cascade=true").status_code == 200
    assert_problem(client.get(f"/api/managing-entity/{account['id']}/webhook/{hook['id']}"), 404)


def test_unknown_route_and_method(client, account):
    assert_problem(client.get("/api/nope"), 404)
    assert_problem(client.put(f"/api/managing-entity/{account['id']}", json={}), 405)


def test_token_required_when_set(db_path):
    from sandbox import create_app

    app = create_app({"DATABASE": db_path, "TOKEN": "s3cret"})
    client = app.test_client()
    assert_problem(client.get("/api/managing-entity"), 401)
    assert_problem(client.get("/api/managing-entity", headers={"Authorization": "Bearer wrong"}), 401)
    ok = client.get("/api/managing-entity", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200


def test_token_in_the_query_is_refused_on_rest_routes(db_path):
    """``?token=`` is for websockets only (browsers cannot set their headers): REST calls use the header,
    so tokens stay out of REST calls' URLs and access logs."""
    from sandbox import create_app

    app = create_app({"DATABASE": db_path, "TOKEN": "s3cret"})
    client = app.test_client()
    assert_problem(client.get("/api/managing-entity?token=s3cret"), 401, detail="websockets only")
    assert_problem(client.post("/api/managing-entity?token=s3cret", json={"name": "H", "type": "HOTEL"}), 401)
    assert client.get("/api/managing-entity?token=wrong",
                      headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_deeply_nested_body_is_400_not_500(client):
    body = "[" * 100_000 + "]" * 100_000
    assert_problem(client.post("/api/managing-entity", data=body, content_type="application/json"), 400)


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\udfff"', '"\\udc00\\ud83d"'])
def test_lone_surrogate_in_body_is_400_not_500(client, text):
    """JSON may escape a lone UTF-16 surrogate; it cannot be stored or sent as UTF-8, so refuse it."""
    body = '{"name": ' + text + "}"
    problem = assert_problem(client.post("/api/managing-entity", data=body, content_type="application/json"),
                             400, detail="surrogate")
    assert problem["type"].endswith("/malformed-json")
    assert client.get("/api/managing-entity").get_json() == []


def test_paired_surrogates_are_one_character(client):
    body = '{"name": "Hotel \\ud83c\\udfe8"}'
    created = client.post("/api/managing-entity", data=body, content_type="application/json")
    assert created.status_code == 201
    assert created.get_json()["name"] == "Hotel \U0001f3e8"


def test_raw_surrogate_bytes_in_body_are_400_not_500(client):
    body = b'{"name": "a\xed\xa0\x80"}'
    assert_problem(client.post("/api/managing-entity", data=body, content_type="application/json"), 400)
    assert client.get("/api/managing-entity").get_json() == []


def test_body_limit_in_the_413_is_the_configured_one(db_path):
    from sandbox import create_app

    client = create_app({"DATABASE": db_path, "TESTING": True, "MAX_BODY_BYTES": 2048}).test_client()
    body = '{"name": "' + "x" * 3000 + '"}'
    problem = assert_problem(client.post("/api/managing-entity", data=body, content_type="application/json"),
                             413, detail="2048 bytes")
    assert "1 MiB" not in problem["detail"]
    assert "SANDBOX_MAX_BODY_BYTES" in problem["detail"]


@pytest.mark.parametrize(("name", "message"), [
    (None, "is required"), ("", "is required"), ("   ", "is required"),
    (42, 'must be text, such as "Wink Stalker"'),
])
def test_a_bad_name_is_told_in_plain_words(client, account, name, message):
    """No "must be a non-empty string": the account and webhook forms show these after the field's name."""
    body = {"type": "HOTEL"} if name is None else {"name": name, "type": "HOTEL"}
    problem = assert_problem(client.post("/api/managing-entity", json=body), 400, field="name")
    assert [e["message"] for e in problem["errors"] if e["field"] == "name"] == [message]
    hook = {"eventUrl": "http://127.0.0.1:9/x"} if name is None else {"name": name, "eventUrl": "http://127.0.0.1:9/x"}
    problem = assert_problem(client.post(f"/api/managing-entity/{account['id']}/webhook", json=hook), 400,
                             field="name")
    assert [e["message"] for e in problem["errors"] if e["field"] == "name"] == [message]
