"""Generated event data: every key validates, payloads are consistent, seeds are deterministic."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator

from sandbox import catalog
from sandbox.errors import NotFoundError, ValidationError
from sandbox.generate import (
    REFERENCE_NOW,
    generate,
    generate_data,
    missing_generators,
    schema_for,
    validate_data,
)
from sandbox.generate.context import ISO_4217
from sandbox.generate.parts import ENTITY_TYPES

LOCALES = ["en_US", "pt_PT", "pt_BR", "th_TH", "de_DE"]
HOTEL = {"id": "6f1c2a52-2b1e-4d43-9a43-0c4c3b8d9a10", "name": "The Siam Residences, Bangkok",
         "type": "HOTEL"}
AGENT = {"id": "0b7f3a4e-8c1d-4f5e-9a6b-2c3d4e5f6a7b", "name": "Cool Account", "type": "TRAVEL_AGENT"}
ACCOUNTS = [None, HOTEL, AGENT]
SEEDS = range(20)


def _moneys(value, path="data"):
    """Yield (path, money) for every {amount, currency} object inside ``value``."""
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"}:
            yield path, value
        for key, item in value.items():
            yield from _moneys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _moneys(item, f"{path}[{index}]")


def _dec(money: dict) -> Decimal:
    return Decimal(str(money["amount"]))


def test_every_catalog_key_has_a_generator():
    assert missing_generators() == []
    assert len(catalog.keys()) == 132


def test_store_account_types_are_entity_types():
    from sandbox.store.accounts import ENTITY_TYPES as STORE_TYPES

    assert set(STORE_TYPES) <= set(ENTITY_TYPES)


@pytest.mark.parametrize("key", catalog.keys())
def test_schema_is_valid_draft_2020_12(key):
    schema = schema_for(key)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("key", catalog.keys())
def test_generated_data_validates_for_many_seeds(key):
    for seed in SEEDS:
        account = ACCOUNTS[seed % len(ACCOUNTS)]
        data = generate_data(key, account=account, seed=seed, locale=LOCALES[seed % len(LOCALES)])
        validate_data(key, data)
        for path, money in _moneys(data):
            assert money["currency"] in ISO_4217, (key, path, money)
            assert money["amount"] >= 0, (key, path, money)


def test_unknown_key_is_404_with_suggestions():
    with pytest.raises(NotFoundError) as caught:
        generate_data("booking.cretaed")
    assert caught.value.status == 404
    assert caught.value.extra["suggestions"][0] == "booking.created"
    with pytest.raises(NotFoundError):
        schema_for("nope")


# --- consistency --------------------------------------------------------------------------------
BOOKING_KEYS = [k for k in catalog.keys() if k.startswith("booking.") and ".contract." not in k]


@pytest.mark.parametrize("key", BOOKING_KEYS)
def test_booking_is_internally_consistent(key):
    for seed in SEEDS:
        data = generate_data(key, seed=seed, account=ACCOUNTS[seed % 3], locale=LOCALES[seed % 5])
        stay = data["roomStay"]
        start, end = date.fromisoformat(stay["startDate"]), date.fromisoformat(stay["endDate"])
        nights = (end - start).days
        assert nights >= 1
        assert stay["roomNights"] == nights * stay["quantity"]
        assert stay["adults"] >= stay["quantity"]
        price = stay["price"]
        nightly = price["list"]
        assert [n["date"] for n in nightly] == [
            (start + timedelta(days=i)).isoformat() for i in range(nights)]
        for total, part in (("sourceTotal", "sourceAmount"), ("internalTotal", "internalAmount"),
                            ("userSpecifiedCurrencyTotal", "userSpecifiedCurrencyAmount")):
            assert sum(_dec(n[part]) for n in nightly) == _dec(price[total]), (key, seed, total)
            assert {n[part]["currency"] for n in nightly} == {price[total]["currency"]}
        assert price["sourceTotal"]["currency"] == data["sourceCurrency"] == data["hotel"]["currencyCode"]
        assert price["userSpecifiedCurrencyTotal"]["currency"] == data["displayCurrency"]
        assert price["internalTotal"]["currency"] == "USD"
        assert data["sourceTotal"] == price["sourceTotal"]
        assert data["displayTotal"] == price["userSpecifiedCurrencyTotal"]
        history = data["statusHistory"]
        assert history[0]["fromStatus"] is None
        for before, after in zip(history, history[1:], strict=False):
            assert after["fromStatus"] == before["toStatus"]
            assert after["timestamp"] >= before["timestamp"]
        assert history[-1]["toStatus"] == data["bookingStatus"]
        assert data["createdDate"] == history[0]["timestamp"] <= data["lastUpdate"]
        assert data["createdDate"][:10] <= stay["startDate"]
        assert data["lastUpdate"] <= REFERENCE_NOW.isoformat()


def test_booking_states_match_their_events():
    for seed in SEEDS:
        cancelled = generate_data("booking.cancelled", seed=seed)
        assert cancelled["bookingStatus"] == "CANCELLED" and cancelled["cancellation"]["cancelledOn"]
        partial = generate_data("booking.refund.partial", seed=seed)
        # Wink: a refunded booking that was not cancelled still reports PAYMENT_SUCCEEDED (refundState says)
        assert partial["bookingStatus"] == "PAYMENT_SUCCEEDED"
        refund = partial["refunds"][0]
        assert refund["status"] == "SUCCEEDED"
        assert 0 < _dec(refund["sourceAmount"]) < _dec(partial["sourceTotal"])
        full = generate_data("booking.refund.full", seed=seed)
        assert full["bookingStatus"] == "FULLY_REFUNDED"
        assert full["refunds"][0]["sourceAmount"] == full["sourceTotal"]
        payout = generate_data("booking.payout.complete", seed=seed)
        assert {p["status"] for p in payout["payouts"]} == {"COMPLETED"}
        assert sum(_dec(p["sourceAmount"]) for p in payout["payouts"]) == _dec(payout["sourceTotal"])
        assert payout["roomStay"]["endDate"] < REFERENCE_NOW.date().isoformat()
        failed = generate_data("internal.payment.failed", seed=seed)
        assert failed["status"] == "FAILED" and failed["failure"]["code"]
        assert failed["chargeIdentifier"] is None
        booking_failed = generate_data("booking.failed", seed=seed)
        assert booking_failed["bookingStatus"] in ("PAYMENT_FAILED", "FAILED")
        assert booking_failed["paymentDetails"]["chargeIdentifier"] is None
        created = generate_data("booking.created", seed=seed)
        assert created["bookingStatus"] == "PAYMENT_SUCCEEDED"
        assert "cancellation" not in created and "refunds" not in created
        responded = generate_data("booking.review.responded", seed=seed)
        assert responded["review"]["response"]["comment"]


def test_legacy_contracts_add_up():
    for seed in SEEDS:
        data = generate_data("booking.contract.refund.partial", seed=seed)
        items = data["lineItems"]
        for item in items:
            assert _dec(item["unitPrice"]) * item["quantity"] == _dec(item["total"])
        assert sum(_dec(i["total"]) for i in items) == _dec(data["total"])
        assert _dec(data["refund"]["amount"]) < _dec(data["total"])


def test_names_come_from_the_account():
    booking = generate_data("booking.created", account=HOTEL, seed=1)
    assert booking["hotel"]["hotelIdentifier"] == HOTEL["id"]
    assert booking["hotel"]["name"] == HOTEL["name"]
    sold = generate_data("booking.created", account=AGENT, seed=1)
    assert sold["affiliate"] == {"identifier": AGENT["id"], "name": AGENT["name"]}
    entity = generate_data("managing_entity.name.updated", account=AGENT, seed=1)
    assert (entity["id"], entity["name"], entity["type"]) == (AGENT["id"], AGENT["name"], "TRAVEL_AGENT")
    assert entity["changes"][0]["newValue"] == AGENT["name"]
    prop = generate_data("property.updated", account=HOTEL, seed=1)
    assert (prop["id"], prop["name"]) == (HOTEL["id"], HOTEL["name"])
    room = generate_data("room_type.created", account=HOTEL, seed=1)
    assert (room["propertyIdentifier"], room["propertyName"]) == (HOTEL["id"], HOTEL["name"])
    ledger = generate_data("ledger.entry.create", account=AGENT, seed=1)
    assert (ledger["accountIdentifier"], ledger["accountName"]) == (AGENT["id"], AGENT["name"])
    channel = generate_data("sales_channel.created", account=HOTEL, seed=1)
    assert channel["supplier"] == {"identifier": HOTEL["id"], "name": HOTEL["name"]}
    legacy = generate_data("account.create", account=HOTEL, seed=1)
    assert (legacy["id"], legacy["name"], legacy["type"]) == (HOTEL["id"], HOTEL["name"], "MERCHANT")


def test_without_an_account_a_made_up_hotel_is_used_throughout():
    data, account = generate("booking.created", seed=3)
    assert account["type"] == "HOTEL"
    assert data["hotel"]["hotelIdentifier"] == account["id"]
    assert data["hotel"]["name"] == account["name"]


# --- determinism --------------------------------------------------------------------------------
def _digest(keys, seeds, locales) -> str:
    digest = hashlib.sha256()
    for key in keys:
        for seed in seeds:
            for locale in locales:
                data = generate_data(key, seed=seed, locale=locale, account=HOTEL)
                digest.update(json.dumps(data, ensure_ascii=False).encode())
    return digest.hexdigest()


def test_same_seed_gives_identical_bytes_and_other_seeds_differ():
    one = json.dumps(generate_data("booking.created", seed=42, account=HOTEL))
    assert one == json.dumps(generate_data("booking.created", seed=42, account=HOTEL))
    assert one != json.dumps(generate_data("booking.created", seed=43, account=HOTEL))
    assert one != json.dumps(generate_data("booking.created", seed=42, account=AGENT))
    fresh = {json.dumps(generate_data("booking.created")) for _ in range(3)}
    assert len(fresh) == 3


def test_seeded_data_is_identical_in_another_process_with_other_hash_seed():
    keys = ["booking.created", "managing_entity.created", "property.services.updated",
            "meeting_room.created", "channel-manager.update.availability", "account.acquirer.created"]
    expected = _digest(keys, range(3), LOCALES)
    code = (
        "import sys, json; sys.path.insert(0, '.');"
        "from tests.test_generate import _digest, LOCALES;"
        f"print(_digest({keys!r}, range(3), LOCALES))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=120, check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.stdout.strip() == expected


def test_seeded_dates_use_the_reference_clock_or_the_given_now():
    data = generate_data("booking.created", seed=7)
    assert data["createdDate"][:10] == REFERENCE_NOW.date().isoformat()
    now = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
    later = generate_data("booking.created", seed=7, now=now)
    assert later["createdDate"][:10] == "2031-06-01"
    assert later["roomStay"]["startDate"] > "2031-06-01"
    unseeded = generate_data("booking.created")
    today = datetime.now(UTC).date()
    assert abs(date.fromisoformat(unseeded["createdDate"][:10]) - today) <= timedelta(days=1)


def test_threads_generate_independently():
    expected = json.dumps(generate_data("booking.created", seed=9))
    results = []

    def work():
        results.extend(json.dumps(generate_data("booking.created", seed=9)) for _ in range(30))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == [expected] * 90


# --- locales ------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale, country, currency, script", [
    ("en_US", "US", "USD", r"[A-Za-z]"),
    ("pt_PT", "PT", "EUR", r"[A-Za-z]"),
    ("pt_BR", "BR", "BRL", r"[A-Za-z]"),
    ("th_TH", "TH", "THB", r"[\u0E00-\u0E7F]"),
    ("de_DE", "DE", "EUR", r"[A-Za-z]"),
])
def test_locale_sets_names_addresses_and_currency(locale, country, currency, script):
    data = generate_data("booking.created", seed=1, locale=locale)
    assert data["hotel"]["address"]["countryCode"] == country
    assert data["sourceCurrency"] == currency
    assert re.search(script, data["booker"]["lastName"])
    assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+", data["booker"]["email"])


def test_locale_spellings_and_unknown_locale():
    assert generate_data("booking.created", seed=1, locale="pt-BR") == generate_data(
        "booking.created", seed=1, locale="pt_BR")
    with pytest.raises(ValidationError) as caught:
        generate_data("booking.created", locale="xx_YY")
    assert caught.value.errors[0]["field"] == "locale"


# --- validation messages ------------------------------------------------------------------------
def test_validate_data_names_path_and_rule():
    data = generate_data("booking.cancelled", seed=1)
    data["roomStay"]["adults"] = 0
    data["bookingStatus"] = "PAYMENT_SUCCEEDED"
    data["hotel"]["currencyCode"] = "XYZ"
    data["booker"]["nickname"] = "x"
    with pytest.raises(ValidationError) as caught:
        validate_data("booking.cancelled", data)
    problems = {e["field"]: e["message"] for e in caught.value.errors}
    assert "(rule: minimum)" in problems["object.roomStay.adults"]
    assert "(rule: const)" in problems["object.bookingStatus"]
    assert "ISO 4217" in problems["object.hotel.currencyCode"]
    assert "(rule: additionalProperties)" in problems["object.booker.nickname"]
