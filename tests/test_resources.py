"""Wink's payloads end to end: every delivered key's object follows its spec schema, and links.self
answers the full record it summarizes, moved on by later events about the same resource."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from sandbox import catalog, payloads
from sandbox.generate import FORMATS
from sandbox.payloads.schemas import payload_schema
from tests.conftest import assert_problem

DELIVERED = sorted({catalog.wire_key(item["key"]) for item in catalog.event_types() if item["delivered"]})
BASE = "http://localhost/"


@pytest.fixture
def hotel(client):
    return client.post("/api/managing-entity", json={"name": "Hotel Lisboa", "type": "HOTEL"}).get_json()


@pytest.fixture
def agent(client):
    body = {"name": "Agent Porto", "type": "TRAVEL_AGENT"}
    return client.post("/api/managing-entity", json=body).get_json()


def fire(client, key, account, **fields) -> dict:
    response = client.post("/api/events", json={"event": key, "entity": account["id"], **fields})
    assert response.status_code == 202, (key, response.get_json())
    return response.get_json()


def letter(client, answer, number=0) -> dict:
    event_id = answer["events"][number]["id"]
    return client.get(f"/api/events/{event_id}").get_json()["envelope"]


def fetch(client, obj) -> dict:
    url = obj["links"]["self"]
    assert url.startswith(BASE + "api/managing-entity/"), url
    response = client.get("/" + url.removeprefix(BASE))
    assert response.status_code == 200, (url, response.get_json())
    return response.get_json()


def test_wink_delivers_seventy_keys_in_six_shapes():
    assert len(DELIVERED) == 70
    assert {payloads.payload_name(key) for key in DELIVERED} == {
        "BookingWebhookPayload", "ReviewWebhookPayload", "ReviewResponseWebhookPayload",
        "PropertyWebhookPayload", "ManagingEntityWebhookPayload", "InventoryItemWebhookPayload"}


@pytest.mark.parametrize("key", DELIVERED)
def test_every_delivered_key_follows_its_schema_and_its_link_answers_the_record(client, hotel, key):
    validator = Draft202012Validator(payload_schema(payloads.payload_name(key), strict=True),
                                     format_checker=FORMATS)
    for seed, locale in ((1, "en_US"), (2, "pt_PT"), (3, "th_TH"), (4, "de_DE")):
        obj = letter(client, fire(client, key, hotel, seed=seed, locale=locale))["object"]
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]
        assert errors == [], (key, seed, locale, errors)
        record = fetch(client, obj)
        if key.startswith("booking.review."):
            # links.self is the review; the booking that holds it summarizes to the same object.
            assert record["id"] == obj["reviewIdentifier"] and record["bookingIdentifier"] == obj[
                "bookingIdentifier"]
            assert record["responded"] is (key == "booking.review.responded")
            record = client.get(f"/api/managing-entity/{hotel['id']}/extranet/booking/"
                                f"{obj['bookingIdentifier']}").get_json()
        # The summary is exactly what the record says.
        assert payloads.summarize(key, record, BASE) == obj, (key, seed)


def test_a_booking_summary_agrees_with_its_full_record(client, hotel, agent):
    obj = letter(client, fire(client, "booking.create", hotel, reseller=agent["id"], seed=8))["object"]
    record = fetch(client, obj)
    assert obj["bookingIdentifier"] == record["id"] and obj["bookingCode"] == record["bookingCode"]
    assert obj["status"] == record["bookingStatus"] == "PAYMENT_SUCCEEDED" and obj["refundState"] == "NONE"
    assert obj["hotel"]["hotelIdentifier"] == hotel["id"] == record["hotel"]["hotelIdentifier"]
    assert obj["reseller"] == {"managingEntityIdentifier": agent["id"], "name": "Agent Porto"}
    stay = obj["stay"]
    room_stay = record["roomStay"]
    assert (stay["checkIn"], stay["checkOut"]) == (room_stay["startDate"], room_stay["endDate"])
    from datetime import date

    nights = (date.fromisoformat(stay["checkOut"]) - date.fromisoformat(stay["checkIn"])).days
    assert stay["nights"] == nights and record["roomStay"]["roomNights"] == nights * stay["quantity"]
    assert obj["total"] == record["sourceTotal"]
    assert "cancellation" not in obj and "refund" not in obj


@pytest.mark.parametrize(("key", "status", "state"), [
    ("booking.cancelled", "CANCELLED", "NONE"),
    ("booking.refund.partial", "PAYMENT_SUCCEEDED", "PARTIAL"),     # Wink: status stays, refundState says
    ("booking.refund.full", "FULLY_REFUNDED", "FULL"),
    ("booking.refund.request", "CANCELLED", "NONE"),                 # a pending refund is not settled
])
def test_booking_variants_carry_their_blocks(client, hotel, key, status, state):
    obj = letter(client, fire(client, key, hotel, seed=4))["object"]
    assert obj["status"] == status and obj["refundState"] == state
    if key == "booking.cancelled":
        assert set(obj["cancellation"]) == {"cancellationType", "cancelledOn", "cancellerType", "reason"}
    if "refund" in key:
        assert isinstance(obj["refund"], dict) and obj["refund"]["refundIdentifier"]


def test_a_bookings_life_leaves_a_coherent_record(client, hotel, agent):
    created = letter(client, fire(client, "booking.create", hotel, reseller=agent["id"], seed=21))["object"]
    booking_id = created["bookingIdentifier"]
    seen = [created]
    for key in ("booking.cancelled", "booking.refund.request", "booking.refund.full"):
        answer = fire(client, key, hotel, reseller=agent["id"], set={"bookingIdentifier": booking_id})
        hotel_letter, agent_letter = letter(client, answer, 0), letter(client, answer, 1)
        assert hotel_letter["object"] == agent_letter["object"]        # the same object to both parties
        seen.append(hotel_letter["object"])
    for obj in seen:
        for field in ("bookingIdentifier", "bookingCode", "hotel", "booker", "stay", "total", "reseller"):
            assert obj[field] == created[field], field
    statuses = [obj["status"] for obj in seen]
    assert statuses == ["PAYMENT_SUCCEEDED", "CANCELLED", "CANCELLED", "FULLY_REFUNDED"]
    assert [obj["refundState"] for obj in seen] == ["NONE", "NONE", "NONE", "FULL"]
    assert seen[-1]["refund"]["amount"] == created["total"]
    record = fetch(client, seen[-1])
    assert [step["toStatus"] for step in record["statusHistory"]] == [
        "INITIALIZED", "PAYMENT_SUCCEEDED", "CANCELLED", "FULLY_REFUNDED"]
    steps = record["statusHistory"]
    assert all(later["fromStatus"] == earlier["toStatus"]
               for earlier, later in zip(steps, steps[1:], strict=False))
    assert [refund["status"] for refund in record["refunds"]] == ["PENDING", "SUCCEEDED"]
    assert record["cancellation"]["cancelReason"] == seen[1]["cancellation"]["reason"]
    assert record["version"] == 5 and payloads.summarize("booking.refund.full", record, BASE) == seen[-1]


def test_an_edited_summary_is_written_into_the_record(client, hotel):
    obj = letter(client, fire(client, "booking.create", hotel, seed=2,
                              set=["stay.adults=3", 'status="TEST_PAYMENT_SUCCEEDED"',
                                   'booker.firstName="Zoë"']))["object"]
    assert obj["stay"]["adults"] == 3 and obj["status"] == "TEST_PAYMENT_SUCCEEDED"
    record = fetch(client, obj)
    assert record["roomStay"]["adults"] == 3 and record["bookingStatus"] == "TEST_PAYMENT_SUCCEEDED"
    assert record["booker"]["firstName"] == "Zoë"


@pytest.mark.parametrize(("edit", "field", "rule"), [
    (["stay.adutls=3"], "object.stay.adutls", "additionalProperties"),
    (['status="SHREDDED"'], "object.status", "enum"),
    (['refundState="SOME"'], "object.refundState", "enum"),
    (['bookingIdentifier="not-a-uuid"'], "object.bookingIdentifier", "format"),
    (['stay.checkIn="soon"'], "object.stay.checkIn", "format"),
    (["total.amount=\"lots\""], "object.total.amount", "type"),
])
def test_an_edit_that_breaks_the_schema_is_a_400_naming_path_and_rule(client, hotel, edit, field, rule):
    body = assert_problem(client.post("/api/events", json={"event": "booking.create", "entity": hotel["id"],
                                                            "set": edit}), 400, field=field)
    assert any(f"rule: {rule}" in e["message"] for e in body["errors"] if e["field"] == field), body


def test_a_review_links_to_its_review_record(client, hotel):
    obj = letter(client, fire(client, "booking.review.created", hotel, seed=6))["object"]
    assert obj["links"]["self"].endswith(f"/extranet/review/{obj['reviewIdentifier']}")
    review = fetch(client, obj)
    assert review["bookingIdentifier"] == obj["bookingIdentifier"] and review["text"] == obj["text"]
    booking = client.get(f"/api/managing-entity/{hotel['id']}/extranet/booking/{obj['bookingIdentifier']}")
    assert booking.get_json()["review"]["identifier"] == obj["reviewIdentifier"]


def test_unknown_records_are_a_404_problem(client, hotel):
    base = f"/api/managing-entity/{hotel['id']}/extranet"
    assert_problem(client.get(f"{base}/booking/nope"), 404)
    assert_problem(client.get(f"{base}/spaceship/1"), 404)
    assert_problem(client.get(f"{base}/property"), 404)
    obj = letter(client, fire(client, "booking.create", hotel, seed=1))["object"]
    elsewhere = f"/api/managing-entity/someone-else/extranet/booking/{obj['bookingIdentifier']}"
    assert_problem(client.get(elsewhere), 404)


def test_links_honour_the_api_token(tmp_path):
    from sandbox import create_app

    app = create_app({"DATABASE": str(tmp_path / "t.db"), "TESTING": True, "TOKEN": "s3cret"})
    client = app.test_client()
    auth = {"Authorization": "Bearer s3cret"}
    hotel = client.post("/api/managing-entity", json={"name": "H", "type": "HOTEL"}, headers=auth).get_json()
    answer = client.post("/api/events", json={"event": "booking.create", "entity": hotel["id"]}, headers=auth)
    event_id = answer.get_json()["events"][0]["id"]
    obj = client.get(f"/api/events/{event_id}", headers=auth).get_json()["envelope"]["object"]
    path = "/" + obj["links"]["self"].removeprefix(BASE)
    assert_problem(client.get(path), 401)
    assert client.get(path, headers=auth).status_code == 200


@pytest.mark.parametrize(("edit", "field", "moved"), [
    (["roomStay.adults=3"], "object.roomStay", "roomStay is now stay"),
    (['bookingStatus="CANCELLED"'], "object.bookingStatus", "bookingStatus is now status"),
    (["statusHistory=[]"], "object.statusHistory", "the full record behind links.self has it"),
])
def test_an_old_data_path_is_told_where_it_went(client, hotel, edit, field, moved):
    body = assert_problem(client.post("/api/events", json={"event": "booking.create", "entity": hotel["id"],
                                                            "set": edit}), 400, field=field)
    assert moved in body["detail"] and moved in body["errors"][0]["message"]


def test_a_new_booking_id_set_on_a_fresh_booking_moves_its_link_too(client, hotel):
    new_id = "0b7c2f6e-1d3a-4c5b-9e8f-7a6b5c4d3e2f"
    obj = letter(client, fire(client, "booking.create", hotel, set={"bookingIdentifier": new_id,
                                                                     "stay.checkOut": "2031-01-09",
                                                                     "stay.checkIn": "2031-01-02"}))["object"]
    assert obj["links"]["self"].endswith(f"/extranet/booking/{new_id}")
    assert obj["stay"]["nights"] == 7                    # follows the edited dates
    assert fetch(client, obj)["id"] == new_id


def test_two_letters_stored_without_webhooks_are_said_so(client, hotel, agent):
    answer = fire(client, "booking.create", hotel, reseller=agent["id"])
    assert "Stored 1 event (2 letters, one per recipient) with no deliveries" in answer["message"]
