"""Overrides: deep merge and dotted-path assignments on generated data."""

from __future__ import annotations

import pytest

from sandbox.errors import ValidationError
from sandbox.overrides import apply_overrides, deep_merge, parse_assignment, parse_path

DATA = {
    "bookingCode": "WNK2345X",
    "roomStay": {"adults": 2, "room": {"id": "r1", "name": "Suite"}},
    "statusHistory": [{"reason": "Booking started"}, {"reason": "Payment captured"}],
}


@pytest.mark.parametrize("path, steps", [
    ("bookingCode", ["bookingCode"]),
    ("roomStay.adults", ["roomStay", "adults"]),
    ("statusHistory[0].reason", ["statusHistory", 0, "reason"]),
    ("statusHistory[-1]", ["statusHistory", -1]),
    ("a[1][2].b", ["a", 1, 2, "b"]),
    ('meta["odd.key"].x', ["meta", "odd.key", "x"]),
    ("channel-manager_x.y", ["channel-manager_x", "y"]),
    ("  roomStay.adults ", ["roomStay", "adults"]),
])
def test_parse_path(path, steps):
    assert parse_path(path) == steps


@pytest.mark.parametrize("path", ["", "a..b", ".a", "a.", "a[0", "a[x]", "a b", "a]", 'a["x]'])
def test_parse_path_refuses_malformed(path):
    with pytest.raises(ValueError):
        parse_path(path)


@pytest.mark.parametrize("text, value", [
    ("roomStay.adults=3", 3),
    ('bookingCode="ABC123"', "ABC123"),
    ("bookingCode=ABC123", "ABC123"),
    ("statusHistory[0].reason=late", "late"),
    ("x=true", True),
    ("x=null", None),
    ("x=1.5", 1.5),
    ('x={"a": [1, 2]}', {"a": [1, 2]}),
    ("x=", ""),
    ("x=a=b", "a=b"),
    ('x="  spaced  "', "  spaced  "),
])
def test_parse_assignment_values(text, value):
    assert parse_assignment(text)[1] == value


def test_deep_merge_merges_objects_and_replaces_the_rest():
    merged = deep_merge(DATA, {"roomStay": {"adults": 3, "room": {"name": "Villa"}},
                               "statusHistory": [], "new": {"a": 1}})
    assert merged["roomStay"] == {"adults": 3, "room": {"id": "r1", "name": "Villa"}}
    assert merged["statusHistory"] == []
    assert merged["new"] == {"a": 1}
    assert DATA["roomStay"]["adults"] == 2


def test_apply_overrides_then_assignments_in_order_without_touching_the_input():
    overrides = {"roomStay": {"adults": 4}}
    result = apply_overrides(DATA, overrides, [
        "roomStay.adults=3", 'bookingCode="ABC123"', 'statusHistory[0].reason="late"',
        "statusHistory[2]={\"reason\": \"appended\"}", "roomStay.children=1", "extra.deep.field=x",
    ])
    assert result["roomStay"]["adults"] == 3
    assert result["bookingCode"] == "ABC123"
    assert result["statusHistory"][0]["reason"] == "late"
    assert result["statusHistory"][2] == {"reason": "appended"}
    assert result["roomStay"]["children"] == 1
    assert result["extra"] == {"deep": {"field": "x"}}
    assert DATA["statusHistory"][0]["reason"] == "Booking started"
    assert overrides == {"roomStay": {"adults": 4}}
    assert apply_overrides(DATA) == DATA and apply_overrides(DATA) is not DATA


def test_shared_objects_are_not_changed_together():
    person = {"name": "Ann"}
    result = apply_overrides({"booker": person, "guest": person}, None, ["booker.name=Bo"])
    assert result["guest"]["name"] == "Ann"


@pytest.mark.parametrize("assignment, words", [
    ("nope", "no '='"),
    ("=3", "empty"),
    ("bookingCode.x=1", "not an object"),
    ("roomStay[0]=1", "not a list"),
    ("statusHistory[5].reason=x", "out of range"),
    ("statusHistory.reason=x", "not an object"),
    ("a..b=1", "cannot read"),
])
def test_bad_assignments_name_their_position(assignment, words):
    with pytest.raises(ValidationError) as caught:
        apply_overrides(DATA, None, ["roomStay.adults=1", assignment])
    assert caught.value.status == 400
    [error] = caught.value.errors
    assert error["field"] == "set[1]"
    assert words in error["message"]


def test_every_bad_assignment_is_reported():
    with pytest.raises(ValidationError) as caught:
        apply_overrides(DATA, None, ["x", "y", "roomStay.adults=2"])
    assert [e["field"] for e in caught.value.errors] == ["set[0]", "set[1]"]


@pytest.mark.parametrize("overrides, assignments, field", [
    ([1], None, "overrides"),
    ("x", None, "overrides"),
    (None, "a=1", "set"),
    (None, [3], "set[0]"),
])
def test_wrong_types_are_refused(overrides, assignments, field):
    with pytest.raises(ValidationError) as caught:
        apply_overrides(DATA, overrides, assignments)
    assert caught.value.errors[0]["field"] == field
