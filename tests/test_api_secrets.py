"""Secrets as Wink hands them out (create and rotate-secret answer {secret, webhook}; webhooks show only
secretHint and previousSecretExpiresAt) and the sandbox's signing-profile route."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest

from sandbox import create_app, signing
from sandbox.db import connect
from sandbox.store import webhooks
from tests.conftest import assert_problem

DAY = 24 * 3600


def base(account):
    return f"/api/managing-entity/{account['id']}/webhook"


@pytest.fixture
def created(client, account):
    response = client.post(base(account), json={"name": "Signed", "eventUrl": "http://127.0.0.1:9/x"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def hook(created):
    return created["webhook"]


@contextlib.contextmanager
def database(app):
    db = connect(app.config["DATABASE"])
    try:
        yield db
    finally:
        db.close()


def secret_of(client, account, hook) -> dict:
    return client.get(base(account) + f"/{hook['id']}/secret").get_json()


def parse_z(value: str) -> dt.datetime:
    assert value.endswith("Z"), value
    return dt.datetime.fromisoformat(value.removesuffix("Z")).replace(tzinfo=dt.UTC)


# ---- create ---------------------------------------------------------------------------------------

def test_create_answers_the_secret_once_beside_the_webhook(client, account, created, hook):
    assert set(created) == {"secret", "webhook"}
    assert created["secret"] == secret_of(client, account, hook)["secret"]
    signing.check_secret(created["secret"])
    assert hook["secretHint"] == created["secret"][-4:]
    assert hook["previousSecretExpiresAt"] is None
    assert hook["ownerIdentifier"] == account["id"]


def test_secret_hint_is_the_last_four_characters_of_the_secret(client, account, hook):
    secret = secret_of(client, account, hook)["secret"]
    assert hook["secretHint"] == secret[-4:]
    assert len(hook["secretHint"]) == 4


def test_new_secrets_come_from_the_signing_package(client, account, created):
    # signing.new_secret: 33 random bytes, so 44 base64 characters without padding.
    assert len(created["secret"]) == len("whsec_") + 44
    assert not created["secret"].endswith("=")
    assert webhooks.new_secret().startswith("whsec_")


def test_no_webhook_shape_carries_a_secret(client, account, created, hook):
    url = base(account) + f"/{hook['id']}"
    rotated = client.post(url + "/rotate-secret").get_json()
    shapes = {
        "create": created["webhook"],
        "rotate": rotated["webhook"],
        "list": client.get(base(account) + "/list").get_json(),
        "show": client.get(url).get_json(),
        "update": client.patch(url, json={"name": "Renamed", "entity": {"identifier": account["id"]},
                                          "enabled": True, "eventUrl": "http://127.0.0.1:9/y",
                                          "eventList": []}).get_json(),
        "every webhook": client.get("/api/webhooks").get_json(),
    }
    for where, shape in shapes.items():
        text = json.dumps(shape)
        for secret in (created["secret"], rotated["secret"]):
            assert secret not in text, where
            assert secret.removeprefix("whsec_") not in text, where
        for item in shape if isinstance(shape, list) else [shape]:
            assert "secret" not in item and "previousSecret" not in item, where
            assert {"secretHint", "previousSecretExpiresAt"} <= set(item), where
            current = created["secret"] if where == "create" else rotated["secret"]
            assert item["secretHint"] == current[-4:], where


# ---- rotate-secret --------------------------------------------------------------------------------

def test_rotate_secret_answers_a_new_secret_and_keeps_the_old_one_signing(app, client, account, created,
                                                                          hook):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    response = client.post(base(account) + f"/{hook['id']}/rotate-secret")
    assert response.status_code == 200, response.get_json()
    rotated = response.get_json()
    assert set(rotated) == {"secret", "webhook"}
    new, old = rotated["secret"], created["secret"]
    assert new != old and new.startswith("whsec_")
    assert rotated["webhook"]["id"] == hook["id"]
    assert rotated["webhook"]["secretHint"] == new[-4:]
    assert rotated["webhook"]["version"] == hook["version"]  # the secret is not part of the record
    expires = parse_z(rotated["webhook"]["previousSecretExpiresAt"])
    assert before + dt.timedelta(seconds=DAY) <= expires <= before + dt.timedelta(seconds=DAY + 5)
    shown = client.get(base(account) + f"/{hook['id']}").get_json()
    assert shown["previousSecretExpiresAt"] == rotated["webhook"]["previousSecretExpiresAt"]
    assert secret_of(client, account, hook)["previous"] == {
        "secret": old, "expires": rotated["webhook"]["previousSecretExpiresAt"]}   # both in UTC with Z
    with database(app) as db:
        assert webhooks.active_secrets(db, hook["id"]) == [new, old]


def test_rotating_again_keeps_only_the_latest_previous_secret(app, client, account, hook):
    url = base(account) + f"/{hook['id']}/rotate-secret"
    first = client.post(url).get_json()["secret"]
    second = client.post(url).get_json()["secret"]
    with database(app) as db:
        assert webhooks.active_secrets(db, hook["id"]) == [second, first]


def test_rotate_secret_follows_the_grace_setting(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "g.db"), "TESTING": True, "SECRET_GRACE_SECONDS": 0})
    client = app.test_client()
    account = client.post("/api/managing-entity", json={"name": "No grace"}).get_json()
    hook = client.post(base(account), json={"name": "h", "eventUrl": "http://127.0.0.1:9/x"}).get_json()
    rotated = client.post(base(account) + f"/{hook['webhook']['id']}/rotate-secret").get_json()
    assert rotated["webhook"]["previousSecretExpiresAt"] is None
    with database(app) as db:
        assert webhooks.active_secrets(db, hook["webhook"]["id"]) == [rotated["secret"]]


def test_previous_secret_expires_at_is_null_once_the_overlap_is_over(app, client, account, hook):
    old = secret_of(client, account, hook)["secret"]
    rotated = client.post(base(account) + f"/{hook['id']}/rotate-secret").get_json()
    with database(app) as db:
        db.execute("update webhooks set previous_secret_expires = '2000-01-01T00:00:00' where id = ?",
                   [hook["id"]])
        db.conn.commit()
        assert webhooks.active_secrets(db, hook["id"]) == [rotated["secret"]]
    shown = client.get(base(account) + f"/{hook['id']}").get_json()
    assert shown["previousSecretExpiresAt"] is None
    assert secret_of(client, account, hook)["previous"] is None
    assert old not in json.dumps(secret_of(client, account, hook))


@pytest.mark.parametrize("body", [None, b"", b"  ", b"{}", b"null"])
def test_rotate_secret_takes_no_body(client, account, hook, body):
    kwargs = {} if body is None else {"data": body, "content_type": "application/json"}
    response = client.post(base(account) + f"/{hook['id']}/rotate-secret", **kwargs)
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        (b'{"graceSeconds": 0}', "application/json", 400, "graceSeconds"),
        (b'{"secret": "whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M"}', "application/json", 400, "secret"),
        (b"[1]", "application/json", 400, None),
        (b'"x"', "application/json", 400, None),
        (b"{", "application/json", 400, None),
        (b"rotate please", "text/plain", 415, None),
    ],
)
def test_rotate_secret_refuses_a_body(client, account, created, hook, body, content_type, status, field):
    response = client.post(base(account) + f"/{hook['id']}/rotate-secret", data=body,
                           content_type=content_type)
    assert_problem(response, status, field=field)
    assert secret_of(client, account, hook)["secret"] == created["secret"]


def test_rotate_secret_on_an_unknown_webhook_is_a_404_naming_it(client, account, hook):
    body = assert_problem(client.post(base(account) + "/no-such-hook/rotate-secret"), 404)
    assert "no-such-hook" in body["detail"]
    # 404 before 400: a body does not hide the unknown id.
    assert_problem(client.post(base(account) + "/no-such-hook/rotate-secret", json={"x": 1}), 404,
                   detail="no-such-hook")
    other = client.post("/api/managing-entity", json={"name": "Other"}).get_json()
    assert_problem(client.post(base(other) + f"/{hook['id']}/rotate-secret"), 404, detail=hook["id"])
    assert_problem(client.post(f"/api/managing-entity/nope/webhook/{hook['id']}/rotate-secret"), 404)
    assert_problem(client.get(base(account) + f"/{hook['id']}/rotate-secret"), 405)


def test_rotate_secret_accepts_wink_version(client, account, hook):
    url = base(account) + f"/{hook['id']}/rotate-secret"
    assert client.post(url, headers={"Wink-Version": "2.0"}).status_code == 200
    assert_problem(client.post(url, headers={"Wink-Version": "3"}), 400, field="Wink-Version")


# ---- signing profile ------------------------------------------------------------------------------

def profile_url(hook) -> str:
    return f"/api/webhooks/{hook['id']}/profile"


def test_profile_defaults_to_the_server_setting(client, hook):
    assert client.get(profile_url(hook)).get_json() == {
        "webhookId": hook["id"], "source": "server", "profile": "wink", "serverProfile": "wink"}


def test_profile_put_get_delete(app, client, hook):
    put = client.put(profile_url(hook), json={"profile": "standard-webhooks"})
    assert put.status_code == 200, put.get_json()
    expected = {"webhookId": hook["id"], "source": "webhook", "profile": "standard-webhooks",
                "serverProfile": "wink"}
    assert put.get_json() == expected
    assert client.get(profile_url(hook)).get_json() == expected
    with database(app) as db:
        assert webhooks.profile_of(db, hook["id"]) == "standard-webhooks"
    pinned = client.put(profile_url(hook), json={"profile": "wink"}).get_json()
    assert pinned["source"] == "webhook" and pinned["profile"] == "wink"
    deleted = client.delete(profile_url(hook))
    assert deleted.status_code == 200
    assert deleted.get_json()["source"] == "server"
    with database(app) as db:
        assert webhooks.profile_of(db, hook["id"]) is None
        assert webhooks.profile_of(db, "no-such-hook") is None


def test_profile_follows_the_server_setting_profile(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "p.db"), "TESTING": True, "PROFILE": "standard-webhooks"})
    client = app.test_client()
    account = client.post("/api/managing-entity", json={"name": "Svix shop"}).get_json()
    hook = client.post(base(account), json={"name": "h", "eventUrl": "http://127.0.0.1:9/x"}).get_json()
    url = profile_url(hook["webhook"])
    assert client.get(url).get_json()["profile"] == "standard-webhooks"
    assert client.put(url, json={"profile": "wink"}).get_json() == {
        "webhookId": hook["webhook"]["id"], "source": "webhook", "profile": "wink",
        "serverProfile": "standard-webhooks"}


def test_profile_does_not_change_the_webhook_record(client, account, hook):
    client.put(profile_url(hook), json={"profile": "standard-webhooks"})
    assert client.get(base(account) + f"/{hook['id']}").get_json() == hook


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "profile"),
        ({"profile": None}, "profile"),
        ({"profile": ""}, "profile"),
        ({"profile": "svix"}, "profile"),
        ({"profile": "Wink"}, "profile"),
        ({"profile": 1}, "profile"),
        ({"profile": True}, "profile"),
        ({"profile": ["wink"]}, "profile"),
        ({"profile": {"name": "wink"}}, "profile"),
        ({"profile": "wink", "schedule": [1]}, "schedule"),
        ({"name": "wink"}, "name"),
    ],
)
def test_profile_refuses_bad_input(app, client, hook, body, field):
    problem = assert_problem(client.put(profile_url(hook), json=body), 400, field=field)
    if field == "profile" and body.get("profile") not in (None,):
        assert "wink, standard-webhooks" in problem["detail"]
    with database(app) as db:
        assert webhooks.profile_of(db, hook["id"]) is None


def test_profile_refuses_bad_bodies(client, hook):
    assert_problem(client.put(profile_url(hook), json=["wink"]), 400)
    assert_problem(client.put(profile_url(hook), data="{", content_type="application/json"), 400)
    assert_problem(client.put(profile_url(hook)), 400)
    assert_problem(client.put(profile_url(hook), data="wink", content_type="text/plain"), 415)
    assert_problem(client.post(profile_url(hook), json={"profile": "wink"}), 405)


def test_profile_of_an_unknown_webhook_is_a_404_naming_it(client, account, hook):
    url = "/api/webhooks/no-such-hook/profile"
    assert_problem(client.get(url), 404, detail="no-such-hook")
    assert_problem(client.put(url, json={"profile": "wink"}), 404, detail="no-such-hook")
    assert_problem(client.put(url, json={"profile": "svix"}), 404, detail="no-such-hook")
    assert_problem(client.delete(url), 404, detail="no-such-hook")
    client.delete(base(account) + f"/{hook['id']}")
    assert_problem(client.get(profile_url(hook)), 404)


def test_store_refuses_an_unknown_profile(app, hook):
    with database(app) as db, pytest.raises(ValueError, match="must be one of wink, standard-webhooks"):
        webhooks.set_profile(db, hook["id"], "svix")


def test_openapi_describes_secrets_and_profiles(client):
    document = client.get("/openapi.json").get_json()
    schemas, paths = document["components"]["schemas"], document["paths"]
    assert schemas["CreateWebhookResponse"]["required"] == ["secret", "webhook"]
    assert {"secretHint", "previousSecretExpiresAt"} <= set(schemas["Webhook"]["required"])
    assert "secret" not in schemas["Webhook"]["properties"]
    wh = "/api/managing-entity/{managingEntityIdentifier}/webhook"
    created = paths[wh]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    rotated = paths[wh + "/{id}/rotate-secret"]["post"]["responses"]["200"]["content"]["application/json"]
    assert created == rotated["schema"] == {"$ref": "#/components/schemas/CreateWebhookResponse"}
    assert "x-sandbox-addition" not in paths[wh + "/{id}/rotate-secret"]["post"]
    additions = [paths[wh + "/{id}/secret"]["get"], paths[wh + "/{id}/secret/rotate"]["post"],
                 *(paths["/api/webhooks/{id}/profile"][m] for m in ("get", "put", "delete"))]
    for operation in additions:
        assert operation["x-sandbox-addition"] is True
        assert "sandbox addition" in operation["description"]
    put = paths["/api/webhooks/{id}/profile"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert put["properties"]["profile"]["enum"] == list(signing.PROFILES)
