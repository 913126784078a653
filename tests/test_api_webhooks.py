"""Webhooks API: Wink's operations, the sandbox's secret routes, and every failure path.

Secrets, rotation and signing profiles have their own module, test_api_secrets.py.
"""

from __future__ import annotations

import pytest

from sandbox import catalog
from tests.conftest import assert_problem


def base(account):
    return f"/api/managing-entity/{account['id']}/webhook"


def hook_body(account, **changes):
    body = {
        "name": "Wink Stalker",
        "entity": {"identifier": account["id"], "name": account["name"]},
        "enabled": True,
        "eventUrl": "https://my.system.com/webhook/wink",
        "eventList": ["booking.created"],
    }
    body.update(changes)
    return body


WEBHOOK_FIELDS = {"id", "createdDate", "lastUpdate", "version", "name", "enabled", "eventUrl", "eventList",
                  "ownerIdentifier", "ownerName", "userIdentifier", "secretHint", "previousSecretExpiresAt"}


@pytest.fixture
def created(client, account):
    response = client.post(base(account), json=hook_body(account))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def hook(created):
    return created["webhook"]


def test_create_answers_wink_create_webhook_response(created, hook, account):
    assert set(created) == {"secret", "webhook"}
    assert created["secret"].startswith("whsec_")
    assert set(hook) == WEBHOOK_FIELDS
    assert hook["secretHint"] == created["secret"][-4:]
    assert hook["previousSecretExpiresAt"] is None
    assert hook["version"] == 1
    assert hook["ownerIdentifier"] == account["id"]
    assert hook["ownerName"] == "Cool Account"
    assert hook["eventList"] == ["booking.created"]
    assert hook["enabled"] is True
    assert "T" in hook["createdDate"] and "+" not in hook["createdDate"] and "Z" not in hook["createdDate"]


def test_create_defaults_enabled_and_all_events(client, account):
    created = client.post(base(account), json={"name": "All", "eventUrl": "http://127.0.0.1:9/x"})
    assert created.status_code == 201
    assert created.get_json()["webhook"]["enabled"] is True
    assert created.get_json()["webhook"]["eventList"] == []


def test_list_show_update_delete(client, account, hook):
    assert client.get(base(account) + "/list").get_json() == [hook]
    assert client.get(base(account) + f"/{hook['id']}").get_json() == hook
    updated = client.patch(base(account) + f"/{hook['id']}", json=hook_body(
        account, enabled=False, eventList=["booking.cancelled", "booking.create"],
        eventUrl="http://127.0.0.1:9000/hook", name="Renamed"))
    assert updated.status_code == 200, updated.get_json()
    body = updated.get_json()
    assert body["version"] == 2
    assert body["enabled"] is False
    assert body["name"] == "Renamed"
    assert body["eventList"] == ["booking.cancelled", "booking.create"]
    assert body["createdDate"] == hook["createdDate"]
    deleted = client.delete(base(account) + f"/{hook['id']}")
    assert deleted.get_json() == {"id": hook["id"], "message": "Webhook 'Renamed' deleted", "success": True}
    assert_problem(client.get(base(account) + f"/{hook['id']}"), 404)
    assert client.get(base(account) + "/list").get_json() == []


def test_event_list_is_winks_seventy_delivered_keys(client, account):
    items = client.get(base(account) + "/event/list").get_json()
    assert [i["value"] for i in items] == catalog.delivered_keys()
    assert len(items) == 70
    assert {"label": "Booking created", "value": "booking.create"} in items
    assert "booking.created" not in [i["value"] for i in items]     # an alias, still accepted in eventList


def test_version_rises_and_stale_if_match_conflicts(client, account, hook):
    url = base(account) + f"/{hook['id']}"
    first = client.patch(url, json=hook_body(account, name="v2"), headers={"If-Match": "1"})
    assert first.get_json()["version"] == 2
    stale = client.patch(url, json=hook_body(account, name="v3"), headers={"If-Match": "1"})
    body = assert_problem(stale, 409)
    assert body["currentVersion"] == 2
    assert client.get(url).get_json()["name"] == "v2"
    assert_problem(client.patch(url, json=hook_body(account), headers={"If-Match": "abc"}), 400,
                   field="If-Match")
    assert client.patch(url, json=hook_body(account), headers={"If-Match": '"2"'}).status_code == 200


def test_wink_version_header(client, account, hook):
    assert client.get(base(account) + "/list", headers={"Wink-Version": "2.0"}).status_code == 200
    assert_problem(client.get(base(account) + "/list", headers={"Wink-Version": "1.0"}), 400,
                   field="Wink-Version")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"name": None}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": "bad\u0000name"}, "name"),
        ({"name": "evil\u202etxt.exe"}, "name"),
        ({"entity": "nope"}, "entity"),
        ({"entity": {}}, "entity.identifier"),
        ({"entity": {"identifier": "no-such-account"}}, "entity.identifier"),
        ({"enabled": "yes"}, "enabled"),
        ({"eventUrl": "ftp://example.com/x"}, "eventUrl"),
        ({"eventUrl": "/relative/path"}, "eventUrl"),
        ({"eventUrl": "http://"}, "eventUrl"),
        ({"eventUrl": "http://user:pass@"}, "eventUrl"),
        ({"eventUrl": "javascript:alert(1)"}, "eventUrl"),
        ({"eventUrl": "http://exa mple.com/"}, "eventUrl"),
        ({"eventUrl": "http://example.com:99999/"}, "eventUrl"),
        ({"eventUrl": "http://example.com/" + "a" * 2048}, "eventUrl"),
        ({"eventUrl": 42}, "eventUrl"),
        ({"eventList": "booking.created"}, "eventList"),
        ({"eventList": [1]}, "eventList"),
        ({"eventList": ["booking.cretaed"]}, "eventList"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_refuses_bad_fields(client, account, changes, field):
    body = assert_problem(client.post(base(account), json=hook_body(account, **changes)), 400, field=field)
    assert client.get(base(account) + "/list").get_json() == []
    if changes.get("eventList") == ["booking.cretaed"]:
        assert "booking.created" in body["errors"][0]["message"]


def test_patch_requires_every_field(client, account, hook):
    body = hook_body(account)
    del body["eventList"]
    assert_problem(client.patch(base(account) + f"/{hook['id']}", json=body), 400, field="eventList")
    assert client.get(base(account) + f"/{hook['id']}").get_json() == hook


def test_patch_can_move_webhook_to_another_account(client, account, hook):
    other = client.post("/api/managing-entity", json={"name": "Other"}).get_json()
    moved = client.patch(base(account) + f"/{hook['id']}", json=hook_body(
        account, entity={"identifier": other["id"], "name": "Other"}))
    assert moved.status_code == 200
    assert moved.get_json()["ownerName"] == "Other"
    assert_problem(client.get(base(account) + f"/{hook['id']}"), 404)
    assert client.get(base(other) + f"/{hook['id']}").status_code == 200


def test_create_refuses_entity_other_than_path(client, account):
    other = client.post("/api/managing-entity", json={"name": "Other"}).get_json()
    assert_problem(client.post(base(account), json=hook_body(
        account, entity={"identifier": other["id"]})), 400, field="entity.identifier")


def test_webhook_under_wrong_account_is_404(client, account, hook):
    other = client.post("/api/managing-entity", json={"name": "Other"}).get_json()
    url = base(other) + f"/{hook['id']}"
    assert_problem(client.get(url), 404)
    assert_problem(client.patch(url, json=hook_body(other)), 404)
    assert_problem(client.delete(url), 404)
    assert_problem(client.get(f"/api/managing-entity/nope/webhook/{hook['id']}"), 404)
    assert_problem(client.get("/api/managing-entity/nope/webhook/list"), 404)
    assert_problem(client.post("/api/managing-entity/nope/webhook", json=hook_body(account)), 404)


def test_bad_bodies(client, account, hook):
    assert_problem(client.post(base(account), data="{", content_type="application/json"), 400)
    assert_problem(client.post(base(account), data="x", content_type="text/plain"), 415)
    assert_problem(client.patch(base(account) + f"/{hook['id']}", json=[1, 2]), 400)
    assert_problem(client.put(base(account) + f"/{hook['id']}", json={}), 405)


def test_secret_and_rotation_with_a_chosen_grace(client, account, hook):
    url = base(account) + f"/{hook['id']}/secret"
    secret = client.get(url).get_json()
    assert secret["secret"].startswith("whsec_")
    assert len(secret["secret"]) >= len("whsec_") + 32
    assert secret["previous"] is None
    rotated = client.post(url + "/rotate").get_json()
    assert set(rotated) == {"secret", "webhook"}
    assert rotated["secret"] != secret["secret"]
    assert rotated["webhook"]["secretHint"] == rotated["secret"][-4:]
    shown = client.get(url).get_json()
    assert shown["secret"] == rotated["secret"]
    assert shown["previous"]["secret"] == secret["secret"]
    no_grace = client.post(url + "/rotate?graceSeconds=0").get_json()
    assert no_grace["webhook"]["previousSecretExpiresAt"] is None
    assert client.get(url).get_json()["previous"] is None
    assert_problem(client.post(url + "/rotate?graceSeconds=-5"), 400, field="graceSeconds")
    assert_problem(client.post(url + "/rotate", json={"graceSeconds": 0}), 400, field="graceSeconds")
    assert_problem(client.get(base(account) + "/nope/secret"), 404)
    assert_problem(client.post(base(account) + "/nope/secret/rotate"), 404, detail="'nope'")
