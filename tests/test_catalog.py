"""The event catalog: 132 keys spelled as Wink spells them, filters, aliases and typo suggestions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sandbox import catalog

SHARED = Path("/work/shared/wink/events.json")


def test_counts_by_status_and_category():
    statuses = Counter(item["status"] for item in catalog.event_types())
    assert statuses == {"current": 105, "legacy": 24, "example-only": 3}
    current = Counter(i["category"] for i in catalog.event_types() if i["status"] == "current")
    assert current == {"Managing entity": 33, "Inventory": 24, "Booking": 16, "Property": 13,
                       "Special rate": 4, "Payee": 4, "Sales channel": 3, "Payment": 3,
                       "Channel manager": 3, "Ledger": 1, "Email": 1}
    assert len(set(catalog.keys())) == 132


@pytest.mark.skipif(not SHARED.exists(), reason="the shared reference file is not on this machine")
def test_keys_match_the_reference_file_exactly():
    reference = json.loads(SHARED.read_text("utf-8"))
    assert catalog.keys() == [item["key"] for item in reference]


@pytest.mark.parametrize("key", ["booking.create", "booking.created", "payee.update",
                                 "ledger.entry.create", "channel-manager.update.rate",
                                 "internal.payment.failed", "account.url-name.update"])
def test_odd_spellings_are_kept(key):
    assert catalog.is_known(key)
    assert catalog.get(key)["key"] == key


def test_unknown_keys():
    assert not catalog.is_known("booking.cretaed")
    assert catalog.get("nope") is None
    assert not catalog.is_known(None)


def test_booking_created_and_booking_create_are_aliases():
    assert catalog.aliases("booking.created") == ["booking.create"]
    assert catalog.aliases("booking.create") == ["booking.created"]
    assert catalog.same_event("booking.created") == {"booking.create", "booking.created"}
    assert catalog.aliases("payee.update") == []


@pytest.mark.parametrize("category, status, q, expected", [
    ("Booking", None, None, 17),
    ("booking", "current", None, 16),
    (None, "legacy", None, 24),
    (None, "example-only", None, 3),
    (None, None, "refund", 8),
    (None, None, "REVIEW", 3),
    ("Inventory", None, "spa", 3),
    (None, None, "zzz", 0),
])
def test_list_event_types_filters(category, status, q, expected):
    found = catalog.list_event_types(category, status, q)
    assert len(found) == expected
    for item in found:
        assert set(item) == {"key", "category", "status", "description", "delivered", "roles"}


def test_delivered_keys_and_roles_follow_winks_spec():
    delivered = [item for item in catalog.event_types() if item["delivered"]]
    assert len(delivered) == 71     # Wink's 70, plus booking.created, the alias of booking.create
    assert catalog.roles("booking.create") == catalog.roles("booking.created") == (
        "AFFILIATE", "AGENT", "SUPPLIER")
    assert catalog.roles("booking.review.created") == ("SUPPLIER",)
    assert catalog.roles("room_type.created") == ("AFFILIATE", "SUPPLIER")
    assert catalog.roles("managing_entity.status.updated") == ("SELF",)
    assert catalog.get("ledger.entry.create")["delivered"] is False
    assert catalog.wire_key("booking.created") == "booking.create"
    assert catalog.wire_key("payee.update") == "payee.update"


@pytest.mark.parametrize("typo, first", [
    ("booking.cretaed", "booking.created"),
    ("booking.craeted", "booking.created"),
    ("bookng.create", "booking.create"),
    ("BOOKING.CREATED", "booking.created"),
    ("payee.updated", "payee.update"),
    ("channel_manager.update", "channel-manager.update"),
    ("room_type.create", "room_type.created"),
    ("ledger.entry.created", "ledger.entry.create"),
    ("internal.payment.fail", "internal.payment.failed"),
])
def test_suggest_puts_the_intended_key_first(typo, first):
    assert catalog.suggest(typo)[0] == first


def test_suggest_nothing_for_noise():
    assert catalog.suggest("") == []
    assert catalog.suggest("x" * 10_000) == []
