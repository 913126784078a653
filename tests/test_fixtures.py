"""Fixtures: the schema, loading errors that name file/step/field, references, params, building.

Fixtures are built with ``make`` below, on the envelope's own calls, so these tests need neither a
server nor ``sandbox.replay``.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from sandbox import fixtures
from sandbox.envelope import FIELDS, build_envelope, make_event, role_for, to_json

SHIPPED_EVENTS = ["booking.created", "booking.cancelled", "booking.refund.partial", "booking.payout.complete",
                  "internal.payment.succeeded", "internal.payment.failed", "managing_entity.created",
                  "property.updated", "room_type.created"]
SHIPPED_SCENARIOS = ["booking-life", "payment-failed", "partial-refund-payout", "property-onboarding"]


def local_make(account: dict | None = None):
    """A ``fixtures.Make`` with no server: the given account, else the fixture's, else a made-up hotel."""

    def make(key: str, spec: dict | None, *, data: dict | None = None, **options) -> dict:
        owner = account or ({"id": "acc-" + (spec.get("id") or spec["name"]), "name": spec.get("name", ""),
                             "type": spec.get("type", "HOTEL")} if spec else None)
        if data is not None:
            owner = owner or {"id": "acc-literal", "name": "Literal", "type": "HOTEL"}
            return build_envelope(key, owner["id"], role_for(key, owner) or "SUPPLIER", data)
        return make_event(key, owner, **options)

    return make


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
    assert [s.event for s in life.steps][:2] == ["booking.create", "internal.payment.processing"]
    assert all(f.warnings == () for f in found)


def test_shipped_fixtures_speak_the_envelope_names():
    """No shipped file uses the deprecated names: `type`/`object`, and ${steps.X.object...} references."""
    for path in sorted(fixtures.SHIPPED_DIR.glob("*/*.json")):
        if path.parent.name == "schema":
            continue
        doc = json.loads(path.read_text())
        holders = [doc] if doc["kind"] == "event" else doc["steps"]
        assert all("type" in h and "event" not in h and "data" not in h for h in holders), path
        assert ".data." not in path.read_text() and ".event}" not in path.read_text(), path


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
        "booking.create", "internal.payment.processing", "internal.payment.succeeded", "booking.cancelled",
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


def test_literal_object_is_kept_byte_for_byte(tmp_path):
    data = {"id": "x", "name": "Hôtel ☀", "price": 1.10, "n": 10**20, "nested": {"b": 1, "a": [1.0, None]}}
    path = write(tmp_path, {"kind": "event", "type": "property.updated", "object": data})
    built = fixtures.build(fixtures.load(path), local_make())
    assert built[0].literal and to_json(built[0].data) == to_json(data)
    assert list(built[0].data["nested"]) == ["b", "a"]
    assert built[0].envelope["object"] is built[0].data


def test_built_events_are_wink_envelopes_with_the_wire_key(tmp_path):
    """A `booking.created` fixture makes an envelope of type booking.create; the item keeps the key given."""
    account = {"id": "3ad8ddf0-4239-42b2-b3ad-9ad48060b905", "name": "Cool Account", "type": "TRAVEL_AGENT"}
    path = write(tmp_path, {"kind": "event", "type": "booking.created", "seed": 5})
    [item] = fixtures.build(fixtures.load(path), local_make(account))
    assert tuple(item.envelope) == FIELDS
    assert item.envelope["type"] == "booking.create" and item.envelope["schemaVersion"] == 2
    assert item.event == "booking.created" and item.data == item.envelope["object"]
    assert (item.owner, item.role) == (account["id"], "AGENT") == (item.envelope["ownerIdentifier"],
                                                                   item.envelope["recipientRole"])
    assert item.entity == {"identifier": account["id"]}
    shipped = fixtures.build(fixtures.find("booking.created", [fixtures.SHIPPED_DIR]), local_make())
    assert shipped[0].event == shipped[0].envelope["type"] == "booking.create"


def test_interpolation_keeps_types_and_formats_strings():
    data = {"id": "B1", "h": {"k": 1}}
    scope = {"params": {"n": 3, "who": "Ann"}, "steps": {"a": {"type": "x", "object": data}}}
    assert fixtures.interpolate("${params.n}", scope) == 3
    assert fixtures.interpolate("${steps.a.object.h}", scope) == {"k": 1}
    assert fixtures.interpolate("room ${params.n} for ${params.who}", scope) == "room 3 for Ann"
    assert fixtures.interpolate("cost $${params.n}", scope) == "cost ${params.n}"
    assert fixtures.interpolate({"x": ["${steps.a.object.id}"]}, scope) == {"x": ["B1"]}


def test_references_to_object_and_type_of_earlier_steps_resolve(tmp_path):
    path = write(tmp_path, scenario(
        {"name": "made", "type": "booking.created"},
        {"name": "cancel", "type": "booking.cancelled", "when": {"steps.made.type": "booking.create"},
         "overrides": {"id": "${steps.made.object.id}", "hotel": "${steps.made.object.hotel}"},
         "set": {"bookingCode": "${steps.made.object.bookingCode}"}},
        {"name": "never", "type": "booking.failed", "when": {"steps.made.type": "booking.created"}}))
    made, cancel = fixtures.build(fixtures.load(path), local_make())
    assert (cancel.data["id"], cancel.data["hotel"], cancel.data["bookingCode"]) == \
        (made.data["id"], made.data["hotel"], made.data["bookingCode"])


@pytest.mark.parametrize("doc, step, field, message", [
    ("{not json", None, None, "is not valid JSON"),
    ([], None, None, "must be a JSON object"),
    ({}, None, "kind", "is required"),
    ({"kind": "nope"}, None, "kind", "is not one of"),
    ({"kind": "event"}, None, "type", "is required"),
    ({"kind": "event", "type": "booking.creatd"}, "1 'f'", "type", "did you mean booking.create"),
    ({"kind": "event", "type": 5}, None, "type", "is not of type 'string'"),
    ({"kind": "event", "type": "booking.create", "colour": 1}, None, "colour", "is not a fixture field"),
    ({"kind": "event", "type": "booking.create", "object": {}, "seed": 1}, None, "seed",
     "cannot be combined with 'object'"),
    ({"kind": "event", "type": "booking.create", "seed": -1}, None, "seed", "less than the minimum"),
    ({"kind": "event", "type": "booking.create", "account": {"type": "HOTEL"}}, None, "account",
     "needs one of 'id', 'name'"),
    (scenario({"name": "a", "type": "booking.create", "delayMs": -5}), "1 'a'", "delayMs", "minimum"),
    (scenario({"name": "a", "type": "booking.create"}, {"type": "booking.create"}), "2", "name",
     "is required"),
    (scenario({"name": "a"}), "1 'a'", "type", "is required"),
    (scenario({"name": "a", "type": "booking.create"}, {"name": "a", "type": "booking.cancelled"}),
     "2 'a'", "name", "already used by step 1"),
    (scenario({"name": "a", "type": "booking.create", "set": {"id": "${steps.b.object.id}"}},
              {"name": "b", "type": "booking.create"}), "1 'a'", "set.id", "no earlier step is named 'b'"),
    (scenario({"name": "a", "type": "booking.create"},
              {"name": "b", "type": "booking.cancelled", "set": {"id": "${steps.a.payload.id}"}}),
     "2 'b'", "set.id", "write ${steps.STEP.object.PATH} or ${steps.STEP.type}"),
    (scenario({"name": "a", "type": "booking.create", "overrides": {"x": "${params.nope}"}}),
     "1 'a'", "overrides.x", "no param 'nope'"),
    (scenario({"name": "a", "type": "booking.create", "set": {"id": "${bogus.x}"}}), "1 'a'", "set.id",
     "starts with params. or steps."),
    (scenario({"name": "a", "type": "booking.create", "when": {"params.x": 1}}), "1 'a'", "when.params.x",
     "no param 'x'"),
    (scenario({"name": "a", "type": "booking.create"}, params={"x": {"type": "integer", "default": "1"}}),
     None, "params.x.default", "is not of type integer"),
    (scenario({"name": "a", "type": "booking.create"},
              params={"x": {"default": "c", "enum": ["a", "b"]}}), None, "params.x.default", "is not one of"),
    # The old names (before Wink's envelope): errors name the field as the file wrote it.
    ({"kind": "event", "event": "booking.creatd"}, "1 'f'", "event", "did you mean booking.create"),
    ({"kind": "event", "event": 5}, None, "event", "is not of type 'string'"),
    ({"kind": "event", "event": "booking.created", "data": {}, "seed": 1}, None, "seed",
     "cannot be combined with 'data'"),
    (scenario({"name": "a", "event": "booking.created", "set": {"id": "${params.nope}"}}), "1 'a'", "set.id",
     "no param 'nope'"),
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
        {"name": "made", "type": "booking.create"},
        {"name": "bad", "type": "booking.cancelled", "set": {"id": "${steps.made.object.nope}"}}))
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixtures.load(path), local_make())
    assert info.value.problems[0].step == "2 'bad'" and info.value.problems[0].field == "set.id"
    assert "has no key 'nope'" in str(info.value)

    path = write(tmp_path, {"kind": "event", "type": "booking.create", "set": {"roomStay.adults": "many"}})
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixtures.load(path), local_make())
    assert info.value.problems[0].field == "object.roomStay.adults"

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
    write(tmp_path, {"kind": "event", "type": "booking.create", "seed": 1, "name": "mine"}, "mine.json")
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


# -- the names from before Wink's envelope --------------------------------------------------------

def test_old_names_still_load_and_build_with_warnings(tmp_path):
    literal = {"id": "P1", "name": "Old Inn"}
    path = write(tmp_path, {"kind": "event", "event": "property.updated", "data": literal})
    fixture = fixtures.load(path)
    assert [(w.field, w.step) for w in fixture.warnings] == [("event", None), ("data", None)]
    assert "old name of 'type'" in fixture.warnings[0].message and "deprecated" in fixture.warnings[0].message
    [item] = fixtures.build(fixture, local_make())
    assert item.literal and item.data == literal and item.envelope["type"] == "property.updated"

    path = write(tmp_path, scenario(
        {"name": "made", "event": "booking.created"},
        {"name": "cancel", "event": "booking.cancelled", "when": {"steps.made.event": "booking.created"},
         "overrides": {"id": "${steps.made.data.id}", "hotel": "${steps.made.data.hotel}"}}), "old.json")
    fixture = fixtures.load(path)
    assert [(w.step, w.field) for w in fixture.warnings] == [
        ("1 'made'", "event"), ("2 'cancel'", "event"), ("2 'cancel'", "overrides.id")]
    assert "3 reference(s)" in fixture.warnings[2].message  # one warning for the step, `when` counted
    assert fixture.summary()["warnings"][0] == {"step": "1 'made'", "field": "event",
                                                "message": fixture.warnings[0].message}
    made, cancel = fixtures.build(fixture, local_make())
    assert made.envelope["type"] == "booking.create" and made.event == "booking.created"
    assert (cancel.data["id"], cancel.data["hotel"]) == (made.data["id"], made.data["hotel"])


@pytest.mark.parametrize("doc, step, field", [
    ({"kind": "event", "type": "booking.create", "event": "booking.created"}, None, "event"),
    ({"kind": "event", "type": "property.updated", "object": {}, "data": {}}, None, "data"),
    (scenario({"name": "a", "type": "booking.create"},
              {"name": "b", "type": "booking.cancelled", "event": "booking.cancelled"}), "2 'b'", "event"),
    (scenario({"name": "a", "type": "property.updated", "object": {}, "data": {}}), "1 'a'", "data"),
])
def test_a_field_and_its_old_name_together_are_refused(tmp_path, doc, step, field):
    error = load_error(tmp_path, json.dumps(doc))
    [problem] = error.problems
    assert (problem.step, problem.field) == (step, field)
    new = {"event": "type", "data": "object"}[field]
    assert f"gives both '{new}' and its old name '{field}'" in problem.message
    assert f"field '{field}'" in str(error) and str(error).startswith(str(tmp_path / "f.json"))


def test_the_schema_reads_old_names_for_editors_and_refuses_both():
    schema = fixtures.schema()
    jsonschema.validate({"kind": "event", "event": "booking.created", "seed": 1}, schema)
    jsonschema.validate(scenario({"name": "a", "event": "property.updated", "data": {}}), schema)
    for doc in ({"kind": "event", "event": "booking.created", "type": "booking.create"},
                {"kind": "event", "type": "property.updated", "object": {}, "data": {}},
                scenario({"name": "a", "type": "booking.create", "event": "booking.create"}),
                {"kind": "event", "type": "booking.create", "object": {}, "set": {"x": 1}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(doc, schema)
