"""Fixtures: the schema, loading errors that name file/step/field, references, params, building."""

from __future__ import annotations

import json

import jsonschema
import pytest

from sandbox import fixtures
from sandbox.envelope import to_json
from sandbox.replay import local_make

SHIPPED_EVENTS = ["booking.created", "booking.cancelled", "booking.refund.partial", "booking.payout.complete",
                  "internal.payment.succeeded", "internal.payment.failed", "managing_entity.created",
                  "property.updated", "room_type.created"]
SHIPPED_SCENARIOS = ["booking-life", "payment-failed", "partial-refund-payout", "property-onboarding"]


def write(tmp_path, doc, name="f.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def load_error(tmp_path, doc) -> fixtures.FixtureError:
    path = write(tmp_path, doc)
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.load(path)
    assert str(info.value).startswith(path + ": ")
    return info.value


def scenario(*steps, **extra):
    return {"kind": "scenario", "steps": list(steps), **extra}


def test_schema_is_valid_and_every_shipped_fixture_matches_it():
    schema = fixtures.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    files = sorted(fixtures.SHIPPED_DIR.glob("*/*.json"))
    for path in files:
        if path.parent.name != "schema":
            jsonschema.validate(json.loads(path.read_text()), schema)


def test_every_required_fixture_is_shipped():
    found, errors = fixtures.discover([fixtures.SHIPPED_DIR])
    assert errors == []
    kinds = {f.name: f.kind for f in found}
    assert {name: kinds.get(name) for name in SHIPPED_EVENTS} == {name: "event" for name in SHIPPED_EVENTS}
    assert {name: kinds.get(name) for name in SHIPPED_SCENARIOS} == {n: "scenario" for n in SHIPPED_SCENARIOS}
    life = next(f for f in found if f.name == "booking-life")
    assert [s.event for s in life.steps][:2] == ["booking.created", "internal.payment.processing"]


@pytest.mark.parametrize("name", SHIPPED_EVENTS + SHIPPED_SCENARIOS)
def test_every_shipped_fixture_builds_the_same_bytes_from_its_seed(name):
    fixture = fixtures.find(name, [fixtures.SHIPPED_DIR])
    first = fixtures.build(fixture, local_make())
    second = fixtures.build(fixture, local_make())
    assert first and [to_json(b.data) for b in first] == [to_json(b.data) for b in second]
    steps = {s.name: s for s in fixture.steps}
    assert all(b.event == steps[b.step].event or "${" in steps[b.step].event for b in first)


def test_booking_life_keeps_one_booking_through_every_step():
    fixture = fixtures.find("booking-life", [fixtures.SHIPPED_DIR])
    built = fixtures.build(fixture, local_make())
    assert [b.event for b in built] == [
        "booking.created", "internal.payment.processing", "internal.payment.succeeded", "booking.cancelled",
        "booking.refund.full"]
    booking = built[0].data
    assert built[1].data["bookingIdentifier"] == booking["id"] == built[2].data["bookingIdentifier"]
    assert built[2].data["id"] == built[1].data["id"]  # one payment, processing then succeeded
    for later in (built[3].data, built[4].data):
        assert (later["id"], later["bookingCode"], later["hotel"], later["roomStay"]) == \
            (booking["id"], booking["bookingCode"], booking["hotel"], booking["roomStay"])
    assert built[4].data["refunds"][0]["sourceAmount"] == booking["sourceTotal"]


def test_params_from_the_command_line_change_the_path():
    fixture = fixtures.find("booking-life", [fixtures.SHIPPED_DIR])
    built = fixtures.build(fixture, local_make(), params={"payment_outcome": "failed"})
    assert [b.step for b in built] == ["created", "processing", "payment", "booking_failed"]
    assert built[2].event == "internal.payment.failed"
    refund = fixtures.find("partial-refund-payout", [fixtures.SHIPPED_DIR])
    built = fixtures.build(refund, local_make(), params={"refund_amount": "75.5"})
    assert built[1].data["refunds"][0]["sourceAmount"]["amount"] == 75.5


def test_seed_option_wins_and_changes_the_data():
    fixture = fixtures.find("booking.created", [fixtures.SHIPPED_DIR])
    default = fixtures.build(fixture, local_make())[0].data
    seeded = fixtures.build(fixture, local_make(), seed=99)[0].data
    assert seeded != default and seeded == fixtures.build(fixture, local_make(), seed=99)[0].data
    assert default["roomStay"]["adults"] == 2  # the fixture's own `set`


def test_command_line_set_applies_after_the_fixture():
    fixture = fixtures.find("booking.created", [fixtures.SHIPPED_DIR])
    built = fixtures.build(fixture, local_make(), assignments=["roomStay.adults=3", "bookingCode=WNKTEST1"])
    assert built[0].data["roomStay"]["adults"] == 3 and built[0].data["bookingCode"] == "WNKTEST1"


def test_literal_data_is_kept_byte_for_byte(tmp_path):
    data = {"id": "x", "name": "Hôtel ☀", "price": 1.10, "n": 10**20, "nested": {"b": 1, "a": [1.0, None]}}
    path = write(tmp_path, {"kind": "event", "event": "property.updated", "data": data})
    built = fixtures.build(fixtures.load(path), local_make())
    assert built[0].literal and to_json(built[0].data) == to_json(data)
    assert list(built[0].data["nested"]) == ["b", "a"]


def test_interpolation_keeps_types_and_formats_strings():
    data = {"id": "B1", "h": {"k": 1}}
    scope = {"params": {"n": 3, "who": "Ann"}, "steps": {"a": {"event": "x", "data": data}}}
    assert fixtures.interpolate("${params.n}", scope) == 3
    assert fixtures.interpolate("${steps.a.data.h}", scope) == {"k": 1}
    assert fixtures.interpolate("room ${params.n} for ${params.who}", scope) == "room 3 for Ann"
    assert fixtures.interpolate("cost $${params.n}", scope) == "cost ${params.n}"
    assert fixtures.interpolate({"x": ["${steps.a.data.id}"]}, scope) == {"x": ["B1"]}


@pytest.mark.parametrize("doc, step, field, message", [
    ("{not json", None, None, "is not valid JSON"),
    ([], None, None, "must be a JSON object"),
    ({}, None, "kind", "is required"),
    ({"kind": "nope"}, None, "kind", "is not one of"),
    ({"kind": "event"}, None, "event", "is required"),
    ({"kind": "event", "event": "booking.creatd"}, "1 'f'", "event", "did you mean booking.created"),
    ({"kind": "event", "event": "booking.created", "colour": 1}, None, "colour", "is not a fixture field"),
    ({"kind": "event", "event": "booking.created", "data": {}, "seed": 1}, None, "seed",
     "cannot be combined with 'data'"),
    ({"kind": "event", "event": "booking.created", "seed": -1}, None, "seed", "less than the minimum"),
    (scenario({"name": "a", "event": "booking.created", "delayMs": -5}), "1 'a'", "delayMs", "minimum"),
    (scenario({"name": "a", "event": "booking.created"}, {"event": "booking.created"}), "2", "name",
     "is required"),
    (scenario({"name": "a", "event": "booking.created"}, {"name": "a", "event": "booking.cancelled"}),
     "2 'a'", "name", "already used by step 1"),
    (scenario({"name": "a", "event": "booking.created", "set": {"id": "${steps.b.data.id}"}},
              {"name": "b", "event": "booking.created"}), "1 'a'", "set.id", "no earlier step is named 'b'"),
    (scenario({"name": "a", "event": "booking.created", "overrides": {"x": "${params.nope}"}}),
     "1 'a'", "overrides.x", "no param 'nope'"),
    (scenario({"name": "a", "event": "booking.created", "set": {"id": "${bogus.x}"}}), "1 'a'", "set.id",
     "starts with params. or steps."),
    (scenario({"name": "a", "event": "booking.created", "when": {"params.x": 1}}), "1 'a'", "when.params.x",
     "no param 'x'"),
    (scenario({"name": "a", "event": "booking.created"}, params={"x": {"type": "integer", "default": "1"}}),
     None, "params.x.default", "is not of type integer"),
    (scenario({"name": "a", "event": "booking.created"},
              params={"x": {"default": "c", "enum": ["a", "b"]}}), None, "params.x.default", "is not one of"),
])
def test_loading_errors_name_the_file_step_and_field(tmp_path, doc, step, field, message):
    error = load_error(tmp_path, doc if isinstance(doc, str) else json.dumps(doc))
    problem = next((p for p in error.problems if p.field == field and p.step == step), None)
    assert problem is not None, (step, field, error.problems)
    assert message in problem.message
    assert (f"step {step}" in str(error)) == (step is not None)


def test_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(fixtures.FixtureError, match="no such file"):
        fixtures.load(tmp_path / "absent.json")
    with pytest.raises(fixtures.FixtureError, match="did you mean booking-life"):
        fixtures.find("booking-lif", [fixtures.SHIPPED_DIR])


def test_build_errors_name_the_step_and_field(tmp_path):
    path = write(tmp_path, scenario(
        {"name": "made", "event": "booking.created"},
        {"name": "bad", "event": "booking.cancelled", "set": {"id": "${steps.made.data.nope}"}}))
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixtures.load(path), local_make())
    assert info.value.problems[0].step == "2 'bad'" and info.value.problems[0].field == "set.id"
    assert "has no key 'nope'" in str(info.value)

    path = write(tmp_path, {"kind": "event", "event": "booking.created", "set": {"roomStay.adults": "many"}})
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixtures.load(path), local_make())
    assert info.value.problems[0].field == "data.roomStay.adults"

    fixture = fixtures.find("booking.created", [fixtures.SHIPPED_DIR])
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixture, local_make(), assignments=["roomStay[=1"])
    assert info.value.problems[0].field == "--set roomStay[=1"


@pytest.mark.parametrize("given, message", [
    ({"payment_outcome": "maybe"}, "is not one of"),
    ({"colour": "red"}, "has no param 'colour'"),
])
def test_bad_params_are_refused(given, message):
    fixture = fixtures.find("booking-life", [fixtures.SHIPPED_DIR])
    with pytest.raises(fixtures.FixtureError, match=message) as info:
        fixtures.resolve_params(fixture, given)
    assert info.value.problems[0].field == f"params.{next(iter(given))}"


def test_invalid_files_are_reported_not_fatal_when_listing(tmp_path):
    write(tmp_path, {"kind": "event", "event": "booking.created", "seed": 1, "name": "mine"}, "mine.json")
    write(tmp_path, {"kind": "event"}, "broken.json")
    found, errors = fixtures.discover(fixtures.search_dirs(tmp_path))
    assert "mine" in [f.name for f in found] and "booking-life" in [f.name for f in found]
    assert [e.file.endswith("broken.json") for e in errors] == [True]


@pytest.mark.parametrize("name", SHIPPED_SCENARIOS + SHIPPED_EVENTS)
def test_shipped_fixtures_build_for_any_seed_and_param_choice(name):
    """Generated data varies with the seed (agent bookings have no card, ...): every seed must work."""
    fixture = fixtures.find(name, [fixtures.SHIPPED_DIR])
    choices = [{}] + [{p.name: value} for p in fixture.params.values() for value in (p.enum or ())]
    account = {"id": "3ad8ddf0-4239-42b2-b3ad-9ad48060b905", "name": "Cool Account", "type": "TRAVEL_AGENT"}
    for seed in range(12):
        for params in choices:
            built = fixtures.build(fixture, local_make(account if seed % 2 else None), seed=seed * 7919,
                                   params=params)
            assert built
