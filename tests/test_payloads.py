"""Wink's property, account and inventory-item payloads: each summary follows its schema, agrees with
the full record behind it, writes an edit back into it, and the record moves on with later events."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from sandbox import catalog, payloads
from sandbox.generate import FORMATS, generate_data
from sandbox.generate.context import slug
from sandbox.generate.parts import ENTITY_TYPES
from sandbox.payloads import inventory, managing_entity
from sandbox.payloads import property as property_shape
from sandbox.payloads.common import Resource
from sandbox.payloads.links import SEGMENTS, SINGLETONS
from sandbox.payloads.schemas import ENTITY_STATUSES, ITEM_TYPES, payload_schema
from sandbox.payloads.schemas import ENTITY_TYPES as WINK_TYPES

MODULES = {
    "PropertyWebhookPayload": property_shape,
    "ManagingEntityWebhookPayload": managing_entity,
    "InventoryItemWebhookPayload": inventory,
}
KEYS = sorted(key for key in catalog.keys() if payloads.payload_name(key) in MODULES)
PROPERTY_KEYS = [key for key in KEYS if payloads.payload_name(key) == "PropertyWebhookPayload"]
ACCOUNT_KEYS = [key for key in KEYS if payloads.payload_name(key) == "ManagingEntityWebhookPayload"]
ITEM_KEYS = [key for key in KEYS if payloads.payload_name(key) == "InventoryItemWebhookPayload"]
SEEDS = (1, 2, 3)
LOCALES = ("en_US", "pt_PT", "th_TH", "de_DE")
BASE = "http://127.0.0.1:5000"
HOTEL = {"id": "6f1c2a52-2b1e-4d43-9a43-0c4c3b8d9a10", "name": "The Siam Residences, Bangkok",
         "type": "HOTEL"}
OTHER_HOTEL = {"id": "0d2b6c1e-7f3a-4b5c-8d9e-1a2b3c4d5e6f", "name": "Hotel Lisboa", "type": "HOTEL"}
UUID = "3c6b1a5d-8e2f-4a0b-9c7d-6e4f0a8b2c51"


def module(key: str):
    return MODULES[payloads.payload_name(key)]


def summarize(key: str, record: dict) -> dict:
    return module(key).summarize(key, record, BASE)


def schema_errors(key: str, obj: dict) -> list[str]:
    validator = Draft202012Validator(payload_schema(payloads.payload_name(key), strict=True),
                                     format_checker=FORMATS)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]


def expected_link(kind: str, identifier: str, hotel: str) -> str:
    path = f"{BASE}/api/managing-entity/{hotel}/extranet/{SEGMENTS[kind]}"
    return path if kind in SINGLETONS else f"{path}/{identifier}"


# ---- the catalog --------------------------------------------------------------------------------

def test_the_catalog_gives_each_shape_its_keys():
    delivered = {name: [k for k in KEYS if payloads.payload_name(k) == name and catalog.is_delivered(k)]
                 for name in MODULES}
    assert {name: len(keys) for name, keys in delivered.items()} == {
        "PropertyWebhookPayload": 12, "ManagingEntityWebhookPayload": 18, "InventoryItemWebhookPayload": 30}
    assert "account.managers.update" in delivered["ManagingEntityWebhookPayload"]
    assert "property.updated" in PROPERTY_KEYS and not catalog.is_delivered("property.updated")
    assert {inventory.item_type(key) for key in ITEM_KEYS} == set(ITEM_TYPES)


# ---- record -> summary --------------------------------------------------------------------------

def agrees_with_property(summary: dict, record: dict) -> None:
    assert summary["hotelIdentifier"] == record["id"] == record["managingEntityIdentifier"]
    assert summary["name"] == record["name"]
    assert summary["status"] == record["status"] in ENTITY_STATUSES
    assert summary["currencyCode"] == record["currencyCode"]
    address = record["address"]
    assert summary["address"]["addressLine1"] == address["line1"]
    for field in ("city", "state", "postalCode", "countryCode"):
        assert summary["address"].get(field) == address.get(field), field
    assert summary["location"] == record["geolocation"]
    assert summary["urlName"] == record["urlName"]
    assert summary["lastUpdatedAt"] == record["lastUpdate"] + "Z"
    assert summary["links"]["self"] == expected_link("property", record["id"], record["id"])


def agrees_with_account(summary: dict, record: dict) -> None:
    assert summary["managingEntityIdentifier"] == record["id"]
    assert summary["name"] == record["name"]
    assert summary["status"] == record["status"] in ENTITY_STATUSES
    assert summary["type"] == managing_entity.TYPES.get(record["type"], record["type"])
    assert summary["countryCode"] == record["address"]["countryCode"]
    assert summary["urlName"] == record["urlName"]
    assert summary["lastUpdatedAt"] == record["lastUpdate"] + "Z"
    assert summary["links"]["self"] == expected_link("managing-entity", record["id"], record["id"])


def agrees_with_item(key: str, summary: dict, record: dict) -> None:
    family = key.split(".")[0]
    assert summary["itemType"] == family.upper()
    assert summary["itemIdentifier"] == record["id"]
    if family == "sales_channel":
        assert summary["hotelIdentifier"] == record["supplier"]["identifier"]
        assert summary["name"] == record["affiliate"]["name"]
        assert summary["counterpartyIdentifier"] == record["affiliate"]["identifier"]
    else:
        assert summary["hotelIdentifier"] == record["propertyIdentifier"]
        assert summary["name"] == record["name"]
        assert "counterpartyIdentifier" not in summary
    assert summary["active"] is (record["status"] == "ACTIVE")
    if key.endswith(".deleted"):
        assert summary["active"] is False
    assert summary["lastUpdatedAt"] == record["lastUpdate"] + "Z"
    assert summary["links"]["self"] == expected_link(summary["itemType"], record["id"],
                                                     summary["hotelIdentifier"])


def agrees(key: str, summary: dict, record: dict) -> None:
    if key in PROPERTY_KEYS:
        agrees_with_property(summary, record)
    elif key in ACCOUNT_KEYS:
        agrees_with_account(summary, record)
    else:
        agrees_with_item(key, summary, record)


@pytest.mark.parametrize("key", KEYS)
def test_summary_follows_wink_schema_and_agrees_with_the_record(key):
    for seed in SEEDS:
        for locale in LOCALES:
            record = generate_data(key, seed=seed, locale=locale)
            before = copy.deepcopy(record)
            summary = summarize(key, record)
            assert record == before, "summarize must not touch the record"
            assert schema_errors(key, summary) == [], (key, seed, locale, summary)
            payloads.validate(key, summary)
            agrees(key, summary, record)
            if key in PROPERTY_KEYS:   # the generator names a property's URL after it, as an account's
                assert record["urlName"] == (slug(record["name"]) or f"property-{record['id'][:8]}")
            found = module(key).resource(key, summary)
            assert found == module(key).record_resource(key, record)
            assert found.path() == summary["links"]["self"].removeprefix(BASE)


@pytest.mark.parametrize("key", KEYS)
def test_the_pipeline_summarizes_and_stores_the_record(key):
    record = generate_data(key, seed=5, account=HOTEL, locale="pt_PT")
    made = payloads.make(key, record, base_url=BASE)
    assert made.object == summarize(key, record)
    assert made.record == record
    assert made.resource == module(key).record_resource(key, record)


def test_item_type_follows_the_key_family_and_only_sales_channels_have_a_counterparty():
    for key in ITEM_KEYS:
        summary = summarize(key, generate_data(key, seed=1, account=HOTEL))
        assert summary["itemType"] == {
            "room_type": "ROOM_TYPE", "rate_plan": "RATE_PLAN", "master_rate": "MASTER_RATE",
            "add_on": "ADD_ON", "meeting_room": "MEETING_ROOM", "restaurant": "RESTAURANT", "spa": "SPA",
            "activity": "ACTIVITY", "sales_channel": "SALES_CHANNEL", "special_rate": "SPECIAL_RATE",
        }[key.split(".")[0]]
        assert summary["hotelIdentifier"] == HOTEL["id"]
        assert ("counterpartyIdentifier" in summary) is key.startswith("sales_channel.")


@pytest.mark.parametrize("kind", ENTITY_TYPES)
def test_every_account_type_reads_as_one_of_winks(kind):
    account = {"id": UUID, "name": "Cool Account", "type": kind}
    record = generate_data("managing_entity.created", account=account, seed=1)
    summary = summarize("managing_entity.created", record)
    assert summary["type"] in WINK_TYPES
    expected = {"AFFILIATE": "OTHER", "TOUR_OPERATOR": "OTHER", "COMPANY": "OTHER", "SUPPLIER": "HOTEL",
                "WINK": "TRIP_PAY"}.get(kind, kind)
    assert summary["type"] == expected
    # written back unchanged, the sandbox's own type stays
    assert managing_entity.apply("managing_entity.created", record, summary)["type"] == record["type"]


def test_generators_speak_winks_statuses():
    assert generate_data("property.created", seed=1)["status"] == "PENDING_APPROVAL"
    assert generate_data("property.deleted", seed=1)["status"] == "REMOVED"
    assert generate_data("managing_entity.created", seed=1)["status"] == "PENDING_APPROVAL"
    assert generate_data("managing_entity.deleted", seed=1)["status"] == "REMOVED"
    for seed in range(10):
        data = generate_data("property.status.updated", seed=seed)
        assert {data["status"], data["previousStatus"]} <= set(ENTITY_STATUSES)


@pytest.mark.parametrize(("key", "stored", "wink"), [
    ("property.created", "PENDING", "PENDING_APPROVAL"), ("property.deleted", "DELETED", "REMOVED"),
    ("managing_entity.deleted", "DELETED", "REMOVED"),
    ("managing_entity.created", "PENDING", "PENDING_APPROVAL"),
])
def test_a_record_stored_with_an_older_status_reads_as_winks(key, stored, wink):
    record = {**generate_data(key, seed=1), "status": stored}
    summary = summarize(key, record)
    assert summary["status"] == wink
    assert schema_errors(key, summary) == []


# ---- summary -> record --------------------------------------------------------------------------

def edits(key: str, summary: dict) -> dict:
    """Return the summary with every field the record shares changed."""
    edited = copy.deepcopy(summary)
    if key in PROPERTY_KEYS:
        edited.update(name="Hotel Edited", status="SUSPENDED", currencyCode="EUR", urlName="hotel-edited",
                      hotelIdentifier=UUID, lastUpdatedAt="2026-02-01T10:00:00Z")
        edited["address"].update(addressLine1="Rua Augusta 1", addressLine2="2.º andar", city="Lisboa",
                                 postalCode="1100-048", countryCode="PT")
        edited["location"] = {"latitude": 38.7, "longitude": -9.14}
    elif key in ACCOUNT_KEYS:
        edited.update(name="Edited Account", status="UNDER_REVIEW", type="BLOGGER", countryCode="PT",
                      urlName="edited-account", managingEntityIdentifier=UUID,
                      lastUpdatedAt="2026-02-01T10:00:00Z")
    else:
        edited.update(name="Edited Item", active=not summary["active"], hotelIdentifier=UUID,
                      itemIdentifier="9c7d6e4f-0a8b-2c51-3c6b-1a5d8e2f4a0b",
                      lastUpdatedAt="2026-02-01T10:00:00Z")
        if key.startswith("sales_channel."):
            edited["counterpartyIdentifier"] = "1a5d8e2f-4a0b-9c7d-6e4f-0a8b2c513c6b"
    edited["links"] = {"self": expected_link(*resource_of(key, edited))}
    return edited


def resource_of(key: str, summary: dict) -> tuple[str, str, str]:
    found = module(key).resource(key, summary)
    return found.kind, found.id, found.hotel


def edit_is_in_the_record(key: str, edited: dict, record: dict) -> None:
    if key in PROPERTY_KEYS:
        assert (record["id"], record["managingEntityIdentifier"]) == (UUID, UUID)
        assert (record["name"], record["status"]) == ("Hotel Edited", "SUSPENDED")
        assert record["currencyCode"] == "EUR"
        assert record["address"]["line1"] == "Rua Augusta 1" and record["address"]["line2"] == "2.º andar"
        assert (record["address"]["city"], record["address"]["countryCode"]) == ("Lisboa", "PT")
        assert record["geolocation"] == {"latitude": 38.7, "longitude": -9.14}
        assert record["urlName"] == "hotel-edited"
    elif key in ACCOUNT_KEYS:
        assert (record["id"], record["name"], record["status"]) == (UUID, "Edited Account", "UNDER_REVIEW")
        assert (record["type"], record["address"]["countryCode"]) == ("BLOGGER", "PT")
        assert record["urlName"] == "edited-account"
    else:
        assert record["id"] == edited["itemIdentifier"]
        if key.startswith("sales_channel."):
            assert record["supplier"]["identifier"] == UUID
            assert record["affiliate"] == {"identifier": edited["counterpartyIdentifier"],
                                           "name": "Edited Item"}
        else:
            assert (record["propertyIdentifier"], record["name"]) == (UUID, "Edited Item")
        assert (record["status"] == "ACTIVE") is edited["active"]
    assert record["lastUpdate"] == "2026-02-01T10:00:00"


@pytest.mark.parametrize("key", KEYS)
def test_an_edited_summary_is_written_into_the_record_and_round_trips(key):
    for seed, locale in zip(SEEDS, LOCALES, strict=False):
        record = generate_data(key, seed=seed, locale=locale)
        before = copy.deepcopy(record)
        summary = summarize(key, record)
        assert module(key).apply(key, record, summary) == record, "an unedited summary changes nothing"
        edited = edits(key, summary)
        assert schema_errors(key, edited) == []
        applied = module(key).apply(key, record, edited)
        assert record == before, "apply must work on a copy"
        edit_is_in_the_record(key, edited, applied)
        assert summarize(key, applied) == edited


def test_an_edited_name_reaches_the_change_entries():
    record = generate_data("property.name.updated", seed=1)
    applied = property_shape.apply("property.name.updated", record, {
        **summarize("property.name.updated", record), "name": "Hotel Renamed"})
    assert applied["changes"][0]["newValue"] == "Hotel Renamed"
    record = generate_data("managing_entity.url_name.updated", seed=1)
    applied = managing_entity.apply("managing_entity.url_name.updated", record, {
        **summarize("managing_entity.url_name.updated", record), "urlName": "renamed"})
    assert applied["changes"][0]["newValue"] == "renamed"


def test_an_item_switched_off_by_an_edit_is_inactive_or_paused():
    room = generate_data("room_type.updated", seed=1)
    off = inventory.apply("room_type.updated", room,
                          {**summarize("room_type.updated", room), "active": False})
    assert off["status"] == "INACTIVE"
    channel = {**generate_data("sales_channel.updated", seed=1), "status": "ACTIVE"}
    off = inventory.apply("sales_channel.updated", channel,
                          {**summarize("sales_channel.updated", channel), "active": False})
    assert off["status"] == "PAUSED"


# ---- a stored record moved on by one event ------------------------------------------------------

def moved_on(key: str, old: dict) -> dict:
    new = generate_data(key, seed=99, account=OTHER_HOTEL, locale="de_DE")
    before = copy.deepcopy(old)
    record = module(key).evolve(key, old, new)
    assert old == before, "evolve must work on a copy"
    assert record["version"] == old["version"] + 1
    assert record["lastUpdate"] == new["lastUpdate"]
    summary = summarize(key, record)
    assert schema_errors(key, summary) == []
    agrees(key, summary, record)
    return record, new


@pytest.mark.parametrize("key", PROPERTY_KEYS)
def test_a_stored_property_keeps_its_identity_and_takes_the_change(key):
    old = generate_data("property.registered", seed=1, account=HOTEL)
    record, new = moved_on(key, old)
    for field in ("id", "managingEntityIdentifier", "urlName", "createdDate", "type", "email", "timeZone"):
        assert record[field] == old[field], field
    changed = {
        "property.created": ("status",), "property.deleted": ("status", "deletedDate"),
        "property.registered": ("status", "registeredDate"), "property.status.updated": ("status",),
        "property.name.updated": ("name",), "property.address.updated": ("address",),
        "property.geolocation.updated": ("geolocation",), "property.services.updated": ("services",),
        "property.welcome_text.updated": ("welcomeText",), "property.updated": ("telephone", "website"),
        "property.profile.updated": ("starRating", "checkInTime", "checkOutTime"),
    }.get(key, ())
    for field in changed:
        assert record[field] == new[field], field
    for field in {"name", "status", "address", "geolocation", "services", "welcomeText"} - set(changed):
        assert record[field] == old[field], field
    if key == "property.status.updated":
        assert record["previousStatus"] == old["status"]
    if key == "property.deleted":
        assert summarize(key, record)["status"] == "REMOVED"
    if key == "property.policy.created":
        assert record["policies"] == [*old["policies"], new["policy"]] and record["policy"] == new["policy"]
    if key == "property.policy.updated":
        assert len(record["policies"]) == len(old["policies"])
        assert record["policies"][-1]["identifier"] == old["policies"][-1]["identifier"]
        assert record["policies"][-1]["description"] == new["policy"]["description"]
    starts_at = {"property.name.updated": (old["name"], record["name"]),
                 "property.address.updated": (old["address"]["line1"], record["address"]["line1"]),
                 "property.welcome_text.updated": (old["welcomeText"], record["welcomeText"]),
                 "property.services.updated": (", ".join(old["services"]), ", ".join(record["services"]))}
    if key in starts_at:   # the change entry goes from the stored value to the new one
        assert (record["changes"][0]["previousValue"], record["changes"][0]["newValue"]) == starts_at[key]


@pytest.mark.parametrize("key", ACCOUNT_KEYS)
def test_a_stored_account_keeps_its_identity_and_takes_the_change(key):
    old = generate_data("managing_entity.subscription.provisioned", seed=1, account=HOTEL)
    record, new = moved_on(key, old)
    for field in ("id", "type", "createdDate", "currencyCode"):
        assert record[field] == old[field], field
    assert record["managers"][0]["userIdentifier"] == old["managers"][0]["userIdentifier"]
    taken = {
        "managing_entity.status.updated": "status", "managing_entity.deleted": "status",
        "account.under_review": "status", "managing_entity.name.updated": "name",
        "managing_entity.url_name.updated": "urlName", "managing_entity.unique_id.updated": "uniqueId",
        "managing_entity.logo.updated": "logoUrl", "managing_entity.place_id.updated": "placeId",
        "managing_entity.managed_by.updated": "managedBy",
        "managing_entity.subscription.provisioned": "subscription",
        "managing_entity.subscription.changed": "subscription",
        "managing_entity.subscription.invoice.changed": "invoice",
        "managing_entity.profile_picture.updated": "profilePictureUrl",
    }.get(key)
    if taken:
        assert record[taken] == new[taken], taken
    for field in {"name", "urlName", "uniqueId", "logoUrl", "subscription"} - {taken}:
        assert record.get(field) == old.get(field), field
    if key == "managing_entity.city.updated":
        assert record["address"]["city"] == new["address"]["city"]
        assert record["address"]["line1"] == old["address"]["line1"]
        assert record["changes"][0]["previousValue"] == old["address"]["city"]
    if key == "managing_entity.status.updated":
        assert record["previousStatus"] == old["status"]
    if key == "managing_entity.subscription.changed":
        assert record["previousPlan"] == old["subscription"]["plan"]
    emails = [m["email"] for m in old["managers"]]
    if key in ("managing_entity.manager.added", "managing_entity.manager.accepted",
               "managing_entity.manager.owner.set", "account.managers.update"):
        assert [m["email"] for m in record["managers"]][:-1] == emails
        assert len(record["managers"]) == len(old["managers"]) + 1
    if key == "managing_entity.manager.owner.set":
        owners = [m for m in record["managers"] if m["role"] == "OWNER"]
        assert owners == [record["manager"]] and owners[0]["email"] == new["manager"]["email"]
    if key == "managing_entity.manager.removed":
        assert record["manager"]["status"] == "REMOVED"
        assert record["manager"]["email"] not in [m["email"] for m in record["managers"]]
        assert len(record["managers"]) == len(old["managers"]) - (len(old["managers"]) > 1)
    if key == "managing_entity.agent.updated":
        assert record["agent"] == new["agent"]   # a hotel has no agent block of its own to keep
    if key in ("managing_entity.name.updated", "managing_entity.url_name.updated",
               "managing_entity.unique_id.updated", "managing_entity.logo.updated"):
        change = record["changes"][0]
        assert (change["previousValue"], change["newValue"]) == (old[taken], record[taken])


def test_a_stored_agents_commission_moves_on_from_its_own():
    agent = {"id": UUID, "name": "Agent Porto", "type": "TRAVEL_AGENT"}
    old = generate_data("managing_entity.created", seed=1, account=agent)
    new = generate_data("managing_entity.agent.updated", seed=2, account=agent)
    record = managing_entity.evolve("managing_entity.agent.updated", old, new)
    assert record["agent"]["iataNumber"] == old["agent"]["iataNumber"]
    assert record["agent"]["commissionPercentage"] == old["agent"]["commissionPercentage"] + 2
    assert record["changes"][0]["previousValue"] == str(old["agent"]["commissionPercentage"])


@pytest.mark.parametrize("key", ITEM_KEYS)
def test_a_stored_item_keeps_its_identity_and_takes_the_change(key):
    family = key.split(".")[0]
    old = generate_data(f"{family}.updated", seed=1, account=HOTEL)
    old["status"] = "ACTIVE"
    record, new = moved_on(key, old)
    kept = {"id", "createdDate", "name", "propertyIdentifier", "propertyName", "supplier", "affiliate",
            "roomTypeIdentifier", "ratePlanIdentifier", "code", "type", "breakfast", "mealPlan",
            "refundable", "pricingType", "cancellationDeadlineDays"}
    for field in kept & set(old) - {"cancellationDeadlineDays"}:
        assert record[field] == old[field], field
    summary = summarize(key, record)
    assert (summary["itemIdentifier"], summary["hotelIdentifier"]) == (old["id"], HOTEL["id"])
    if key.endswith(".deleted"):
        assert record["status"] == "DELETED" and summary["active"] is False
        assert record["deletedDate"] == new["deletedDate"]
        moved = ("status", "deletedDate", "lastUpdate", "version")
        assert {k: v for k, v in record.items() if k not in moved} == {
            k: v for k, v in old.items() if k not in moved}
    else:
        assert record["status"] == new["status"]
        for field in set(new) - kept - {"lastUpdate", "version"}:
            assert record[field] == new[field], field
        if family == "rate_plan":   # a deadline goes with the stored plan's refundability
            expected = new if new["refundable"] == old["refundable"] else old
            assert record["cancellationDeadlineDays"] == expected["cancellationDeadlineDays"]


def test_the_pipeline_moves_a_stored_record_on_and_edits_still_win():
    stored = generate_data("property.created", seed=1, account=HOTEL)
    seen = []

    def lookup(resource: Resource):
        seen.append(resource)
        return stored if resource == Resource("property", HOTEL["id"], HOTEL["id"]) else None

    generated = generate_data("property.status.updated", seed=7, account=HOTEL)
    made = payloads.make("property.status.updated", generated, base_url=BASE, lookup=lookup,
                         edit=lambda obj: {**obj, "status": "REJECTED"})
    assert seen == [Resource("property", HOTEL["id"], HOTEL["id"])]
    assert made.object["status"] == made.record["status"] == "REJECTED"
    assert made.record["previousStatus"] == "PENDING_APPROVAL"
    assert made.record["createdDate"] == stored["createdDate"]
    assert made.record["version"] == stored["version"] + 1
