"""The event catalog: 132 names spelled as Wink spells them (131 keys and the alias booking.created),
what Wink does with each (kind), readable labels, filters, aliases and typo suggestions."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from sandbox import catalog

SHARED = Path("/work/shared/wink/events.json")
SPEC = Path("/work/shared/wink/WEBHOOKS-SPEC.md")


def test_counts_by_status_and_category():
    statuses = Counter(item["status"] for item in catalog.event_types())
    assert statuses == {"current": 105, "legacy": 24, "example-only": 3}   # names, booking.created too
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


def test_counts_by_kind_with_the_alias_folded_into_its_key():
    listed = catalog.list_event_types()
    assert len(listed) == 131 and "booking.created" not in [item["key"] for item in listed]
    assert Counter(item["kind"] for item in listed) == {"delivered": 70, "listed": 35, "legacy": 24,
                                                        "example-only": 2}
    # booking.created is Wink's guides' name for booking.create: delivered, as booking.create.
    assert catalog.kind("booking.created") == "delivered" and catalog.get("booking.created")["aliasOf"] == (
        "booking.create")
    assert Counter(item["kind"] for item in catalog.event_types()) == {
        "delivered": 71, "listed": 35, "legacy": 24, "example-only": 2}
    assert len(catalog.delivered_keys()) == len(set(catalog.delivered_keys())) == 70
    assert "booking.created" not in catalog.delivered_keys() and "booking.create" in catalog.delivered_keys()


def test_kind_agrees_with_status_and_delivered():
    for item in catalog.event_types():
        expected = ("delivered" if item["delivered"] else
                    "listed" if item["status"] == "current" else item["status"])
        assert item["kind"] == expected, item["key"]
        assert item["kind"] in catalog.KINDS
        assert (item["closest"] is None) or (item["kind"] != "delivered" and catalog.is_delivered(
            item["closest"]) and not catalog.get(item["closest"]).get("aliasOf")), item["key"]


def test_the_alias_stays_known_everywhere_a_key_is():
    assert catalog.is_known("booking.created") and "booking.created" in catalog.keys()
    assert len(catalog.keys()) == len(set(catalog.keys())) == 132
    assert catalog.is_delivered("booking.created") and catalog.label("booking.created") == "Booking created"
    (create,) = catalog.list_event_types(q="booking.created")   # found by its alias
    assert create["key"] == "booking.create" and create["aliases"] == ["booking.created"]


@pytest.mark.parametrize("key, label, kind", [
    ("booking.create", "Booking created", "delivered"),
    ("booking.refund.full", "Booking fully refunded", "delivered"),
    ("property.status.updated", "Property status updated", "delivered"),
    ("managing_entity.city.updated", "Account address updated", "delivered"),
    ("special_rate.created", "Promotion created", "delivered"),
    ("account.managers.update", "Managers updated", "delivered"),
    ("payee.update", "Payee updated", "listed"),
    ("internal.payment.failed", "Payment failed (internal)", "listed"),
    ("ledger.entry.create", "Ledger entry created", "listed"),
    ("account.create", "Account created (TripPay)", "legacy"),
    ("booking.contract.refund.full", "Booking contract fully refunded (TripPay)", "legacy"),
    ("payment.completed", "Payment completed (guide example)", "example-only"),
])
def test_labels_and_kinds_of_known_keys(key, label, kind):
    assert catalog.label(key) == label and catalog.kind(key) == kind
    assert catalog.get(key)["label"] == label


def test_labels_are_readable_and_unique():
    labels = [item["label"] for item in catalog.list_event_types()]
    assert len(labels) == len(set(labels))
    assert all(label and label[0].isupper() and "." not in label for label in labels)


@pytest.mark.skipif(not SPEC.exists(), reason="the shared spec is not on this machine")
def test_delivered_labels_are_winks_summaries():
    section = SPEC.read_text("utf-8").split("### 3.1", 1)[1].split("### 3.2", 1)[0]
    summaries = dict(re.findall(r"^\| \d+ \| `([^`]+)` \| [^|]+ \| ([^|]+?) \|", section, re.M))
    assert len(summaries) == 70
    assert {key: catalog.label(key) for key in catalog.delivered_keys()} == summaries
    listed = SPEC.read_text("utf-8").split("### 3.2", 1)[1].split("### 3.3", 1)[0]
    not_delivered = set(re.findall(r"^\| `([^`]+)` \| `[A-Z_]+` \|", listed, re.M))
    assert {item["key"] for item in catalog.list_event_types(kind="listed")} == not_delivered & set(
        catalog.keys())


@pytest.mark.parametrize("category, status, q, kind, expected", [
    ("Booking", None, None, None, 16),
    ("booking", "current", None, None, 16),
    (None, "legacy", None, None, 24),
    (None, "example-only", None, None, 2),
    (None, None, "refund", None, 8),
    (None, None, "REVIEW", None, 3),
    ("Inventory", None, "spa", None, 3),
    (None, None, "zzz", None, 0),
    (None, None, None, "delivered", 70),
    (None, None, None, "LISTED", 35),
    ("Booking", None, None, "listed", 6),
    (None, None, "fully refunded", None, 2),   # labels are searched
])
def test_list_event_types_filters(category, status, q, kind, expected):
    found = catalog.list_event_types(category, status, q, kind=kind)
    assert len(found) == expected
    for item in found:
        assert set(item) == {"key", "label", "category", "status", "kind", "description", "delivered",
                             "roles", "payload", "closest", "aliases"}


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
