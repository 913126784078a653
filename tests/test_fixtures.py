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
                  "internal.payment.failed", "managing_entity.created", "property.name.updated",
                  "room_type.created"]
SHIPPED_SCENARIOS = ["booking-life", "payment-failed", "partial-refund-funds", "property-onboarding"]
# The shipped examples of keys Wink never delivers: marked `undelivered`, the rest use delivered keys.
SHIPPED_UNDELIVERED = {"booking.payout.complete", "internal.payment.failed"}
LIFE = ["booking.create", "booking.cancelled", "booking.refund.request", "booking.refund.full"]


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
    assert [s.event for s in life.steps] == LIFE
    assert all(f.warnings == () for f in found)


def test_shipped_fixtures_use_keys_wink_delivers_but_the_marked_examples():
    """Scenarios tell a life in the keys Wink sends; the two that it never sends say so, and are marked."""
    from sandbox import catalog

    found, _ = fixtures.discover([fixtures.SHIPPED_DIR])
    for fixture in found:
        for step in fixture.steps:
            marked = fixture.name in SHIPPED_UNDELIVERED
            assert step.undelivered is marked and catalog.is_delivered(step.event) is not marked, fixture.name
            if marked:
                assert "Wink never sends" in fixture.description


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


IDENTITY = ("bookingIdentifier", "bookingCode", "hotel", "booker", "guest", "stay", "total", "reseller",
            "createdAt", "links")


AGENT = {"id": "3ad8ddf0-4239-42b2-b3ad-9ad48060b905", "name": "Cool Account", "type": "TRAVEL_AGENT"}


@pytest.mark.parametrize("account", [None, AGENT])
def test_booking_life_keeps_one_booking_through_every_step(account):
    """Each later step names the created booking, so its object is that booking moved on by the event."""
    fixture = fixtures.find("booking-life", [fixtures.SHIPPED_DIR])
    built = fixtures.build(fixture, local_make(account))
    assert [b.event for b in built] == LIFE
    created, cancelled, requested, refunded = (b.data for b in built)
    for later in (cancelled, requested, refunded):
        assert {f: later.get(f) for f in IDENTITY} == {f: created.get(f) for f in IDENTITY}
    assert [o["status"] for o in (created, cancelled, requested, refunded)] == [
        "PAYMENT_SUCCEEDED", "CANCELLED", "CANCELLED", "FULLY_REFUNDED"]
    assert [o["refundState"] for o in (created, cancelled, requested, refunded)] == [
        "NONE", "NONE", "NONE", "FULL"]
    assert cancelled["cancellation"]["cancellerType"] == "GUEST"
    assert cancelled["cancellation"]["reason"] == "Flight cancelled"
    # cancelled once: later events keep the first cancellation
    assert requested["cancellation"] == refunded["cancellation"] == cancelled["cancellation"]
    assert requested["refund"]["status"] == "PENDING" and requested["refund"]["amount"]["amount"] < \
        created["total"]["amount"]
    assert refunded["refund"]["status"] == "SUCCEEDED" and refunded["refund"]["amount"] == created["total"]
    assert refunded["refund"]["refundIdentifier"] != requested["refund"]["refundIdentifier"]


def test_a_later_step_on_an_inventory_item_moves_it_on_and_links_follow_an_edited_id():
    fixture = fixtures.find("property-onboarding", [fixtures.SHIPPED_DIR])
    account, prop, room, rate, renamed = (b.data for b in fixtures.build(fixture, local_make()))
    hotel = account["managingEntityIdentifier"]
    assert prop["hotelIdentifier"] == room["hotelIdentifier"] == rate["hotelIdentifier"] == hotel
    assert prop["links"]["self"].endswith(f"/api/managing-entity/{hotel}/extranet/property")
    assert room["links"]["self"].endswith(f"/api/managing-entity/{hotel}/extranet/facility/room-type/"
                                          f"{room['itemIdentifier']}")
    assert (renamed["itemIdentifier"], renamed["links"]) == (room["itemIdentifier"], room["links"])
    assert room["name"] != renamed["name"] == "Deluxe Sea View Room"


def test_params_from_the_command_line_change_the_path():
    fixture = fixtures.find("payment-failed", [fixtures.SHIPPED_DIR])
    assert [b.step for b in fixtures.build(fixture, local_make())] == ["failed"]
    failed, retried = fixtures.build(fixture, local_make(), params={"retry": "true"})
    assert (failed.event, retried.event) == ("booking.failed", "booking.create")
    assert failed.data["status"] == "PAYMENT_FAILED" and retried.data["status"] == "PAYMENT_SUCCEEDED"
    assert retried.data["bookingIdentifier"] != failed.data["bookingIdentifier"]
    assert all(retried.data[f] == failed.data[f] for f in ("hotel", "guest", "stay", "total"))
    life = fixtures.find("booking-life", [fixtures.SHIPPED_DIR])
    built = fixtures.build(life, local_make(), params={"canceller": "HOTEL"})
    assert {b.data["cancellation"]["cancellerType"] for b in built[1:]} == {"HOTEL"}
    refund = fixtures.find("partial-refund-funds", [fixtures.SHIPPED_DIR])
    created, partial, funds = fixtures.build(refund, local_make(), params={"refund_amount": "75.5"})
    assert partial.data["refund"]["amount"] == {"amount": 75.5, "currency": created.data["total"]["currency"]}
    assert partial.data["refundState"] == funds.data["refundState"] == "PARTIAL"
    assert funds.data["bookingCode"] == created.data["bookingCode"]


def test_seed_option_wins_and_changes_the_data():
    fixture = fixtures.find("booking.created", [fixtures.SHIPPED_DIR])
    default = fixtures.build(fixture, local_make())[0].data
    seeded = fixtures.build(fixture, local_make(), seed=99)[0].data
    assert seeded != default and seeded == fixtures.build(fixture, local_make(), seed=99)[0].data
    assert default["stay"]["adults"] == 2  # the fixture's own `set`


def test_command_line_set_applies_after_the_fixture():
    fixture = fixtures.find("booking.created", [fixtures.SHIPPED_DIR])
    built = fixtures.build(fixture, local_make(), assignments=["stay.adults=3", "bookingCode=WNKTEST1"])
    assert built[0].data["stay"]["adults"] == 3 and built[0].data["bookingCode"] == "WNKTEST1"


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
         "overrides": {"stay": {"adults": "${steps.made.object.stay.children}"}},
         "set": {"bookingIdentifier": "${steps.made.object.bookingIdentifier}"}},
        {"name": "never", "type": "booking.failed", "when": {"steps.made.type": "booking.created"}}))
    made, cancel = fixtures.build(fixtures.load(path), local_make())
    assert (cancel.data["bookingIdentifier"], cancel.data["hotel"], cancel.data["bookingCode"]) == \
        (made.data["bookingIdentifier"], made.data["hotel"], made.data["bookingCode"])
    assert cancel.data["stay"]["adults"] == made.data["stay"]["children"]  # the step's own edit wins


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
        {"name": "bad", "type": "booking.cancelled",
         "set": {"bookingIdentifier": "${steps.made.object.nope}"}}))
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixtures.load(path), local_make())
    [problem] = info.value.problems
    assert (problem.step, problem.field) == ("2 'bad'", "set.bookingIdentifier")
    assert "has no key 'nope'" in str(info.value)

    path = write(tmp_path, {"kind": "event", "type": "booking.create", "set": {"stay.adults": "many"}})
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixtures.load(path), local_make())
    assert info.value.problems[0].field == "object.stay.adults"

    fixture = fixtures.find("booking.created", [fixtures.SHIPPED_DIR])
    with pytest.raises(fixtures.FixtureError) as info:
        fixtures.build(fixture, local_make(), assignments=["stay[=1"])
    assert info.value.problems[0].field == "--set stay[=1"
    with pytest.raises(fixtures.FixtureError) as info:  # an old path given on the command line
        fixtures.build(fixture, local_make(), assignments=["roomStay.adults=3"])
    assert info.value.problems[0].field == "object.roomStay"
    assert "roomStay is now stay" in info.value.problems[0].message


@pytest.mark.parametrize("given, message", [
    ({"canceller": "maybe"}, "is not one of"),
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
    literal = {"hotelIdentifier": "P1", "name": "Old Inn"}
    path = write(tmp_path, {"kind": "event", "event": "property.name.updated", "data": literal})
    fixture = fixtures.load(path)
    assert [(w.field, w.step) for w in fixture.warnings] == [("event", None), ("data", None)]
    assert "old name of 'type'" in fixture.warnings[0].message and "deprecated" in fixture.warnings[0].message
    [item] = fixtures.build(fixture, local_make())
    assert item.literal and item.data == literal and item.envelope["type"] == "property.name.updated"

    path = write(tmp_path, scenario(
        {"name": "made", "event": "booking.created"},
        {"name": "cancel", "event": "booking.cancelled", "when": {"steps.made.event": "booking.created"},
         "overrides": {"bookingIdentifier": "${steps.made.data.bookingIdentifier}",
                       "hotel": "${steps.made.data.hotel}"}}), "old.json")
    fixture = fixtures.load(path)
    assert [(w.step, w.field) for w in fixture.warnings] == [
        ("1 'made'", "event"), ("2 'cancel'", "event"), ("2 'cancel'", "overrides.bookingIdentifier")]
    assert "3 reference(s)" in fixture.warnings[2].message  # one warning for the step, `when` counted
    assert fixture.summary()["warnings"][0] == {"step": "1 'made'", "field": "event",
                                                "message": fixture.warnings[0].message}
    made, cancel = fixtures.build(fixture, local_make())
    assert made.envelope["type"] == "booking.create" and made.event == "booking.created"
    assert (cancel.data["bookingIdentifier"], cancel.data["hotel"]) == (made.data["bookingIdentifier"],
                                                                        made.data["hotel"])


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


# -- the sandbox's old data paths ----------------------------------------------------------------

@pytest.mark.parametrize("step, field, moved", [
    ({"type": "booking.create", "set": {"roomStay.adults": 3}}, "set.roomStay.adults",
     "roomStay is now stay.adults"),
    ({"type": "booking.create", "overrides": {"roomStay": {"adults": 3}}}, "overrides.roomStay",
     "roomStay is now stay"),
    ({"type": "booking.create", "overrides": {"hotel": {"name": "Inn"}, "guestUser": {"firstName": "Ann"}}},
     "overrides.guestUser", "guestUser is now guest"),
    ({"type": "booking.cancelled", "set": {"cancellation.cancelReason": "late"}},
     "set.cancellation.cancelReason", "cancellation.cancelReason is now cancellation.reason"),
    ({"type": "booking.created", "set": {"bookingStatus": "CANCELLED"}}, "set.bookingStatus",
     "bookingStatus is now status"),
    ({"type": "property.created", "set": {"geolocation.latitude": 1.5}}, "set.geolocation.latitude",
     "geolocation is now location.latitude"),
    ({"type": "room_type.created", "set": {"propertyIdentifier": "H"}}, "set.propertyIdentifier",
     "propertyIdentifier is now hotelIdentifier"),
])
def test_old_data_paths_are_refused_saying_where_the_field_went(tmp_path, step, field, moved):
    error = load_error(tmp_path, json.dumps(scenario({"name": "a", **step})))
    [problem] = error.problems
    assert (problem.step, problem.field) == ("1 'a'", field)
    assert "a path of the sandbox's old data" in problem.message and moved in problem.message
    assert f"step 1 'a': field '{field}'" in str(error)


@pytest.mark.parametrize("step, field, moved", [
    ({"set": {"bookingIdentifier": "${steps.made.object.id}"}}, "set.bookingIdentifier",
     "id is now bookingIdentifier"),
    ({"overrides": {"stay": "${steps.made.data.roomStay}"}}, "overrides.stay", "roomStay is now stay"),
    ({"when": {"steps.made.object.bookingStatus": "PAYMENT_SUCCEEDED"}},
     "when.steps.made.object.bookingStatus", "bookingStatus is now status"),
])
def test_references_to_old_data_paths_are_refused(tmp_path, step, field, moved):
    error = load_error(tmp_path, json.dumps(scenario({"name": "made", "type": "booking.create"},
                                                     {"name": "b", "type": "booking.cancelled", **step})))
    problem = next(p for p in error.problems if "old data" in p.message)
    assert (problem.step, problem.field) == ("2 'b'", field) and moved in problem.message


def test_paths_wink_has_and_keys_with_no_wink_payload_load(tmp_path):
    path = write(tmp_path, scenario(
        {"name": "a", "type": "booking.create", "set": {"stay.adults": 3, "refund.amount.amount": 5},
         "overrides": {"hotel": {"name": "Inn"}, "extra": 1}},
        {"name": "b", "type": "internal.payment.failed", "undelivered": True, "set": {"failure.code": "x"}}))
    assert fixtures.load(path).warnings == ()  # `extra` is no old path: the schema check names it when built
    templated = fixtures.load(write(tmp_path, scenario(
        {"name": "c", "type": "booking.${params.k}", "set": {"roomStay.adults": 1}},
        params={"k": {"default": "cancelled"}}), "t.json"))
    with pytest.raises(fixtures.FixtureError, match="roomStay is now stay") as info:  # its key: at build
        fixtures.build(templated, local_make())
    assert info.value.problems[0].step == "1 'c'"


def test_a_literal_object_in_the_old_shape_loads_with_a_warning(tmp_path):
    old = {"id": "B1", "bookingStatus": "CANCELLED", "hotel": {"hotelIdentifier": "H"}}
    fixture = fixtures.load(write(tmp_path, {"kind": "event", "type": "booking.cancelled", "object": old}))
    [warning] = fixture.warnings
    assert warning.field == "object" and "old shape" in warning.message
    assert "id is now bookingIdentifier" in warning.message
    assert "bookingStatus is now status" in warning.message
    [item] = fixtures.build(fixture, local_make())
    assert to_json(item.data) == to_json(old)  # still sent as written


def test_undelivered_is_read_from_event_fixtures_and_steps(tmp_path):
    event = fixtures.load(write(tmp_path, {"kind": "event", "type": "booking.payout.complete",
                                           "undelivered": True, "seed": 1}))
    assert event.steps[0].undelivered is True
    assert fixtures.build(event, local_make())[0].undelivered is True
    steps = ({"name": "a", "type": "booking.create"}, {"name": "b", "type": "booking.processing",
                                                       "undelivered": True})
    fixture = fixtures.load(write(tmp_path, scenario(*steps), "s.json"))
    assert [s.undelivered for s in fixture.steps] == [False, True]
    assert [b.undelivered for b in fixtures.build(fixture, local_make())] == [False, True]
    error = load_error(tmp_path, json.dumps({"kind": "event", "type": "booking.create",
                                             "undelivered": "yes"}))
    assert error.problems[0].field == "undelivered"


def test_a_changed_fixture_file_is_read_again_and_a_caller_cannot_change_the_kept_one(tmp_path):
    # Validated fixtures are kept by the file's identity on disk; any change to the file is read again.
    path = tmp_path / "kept.json"
    shipped = json.loads((fixtures.SHIPPED_DIR / "events" / "booking.created.json").read_text())
    path.write_text(json.dumps({**shipped, "name": "first-name"}))
    first = fixtures.load(path)
    assert first.name == "first-name"
    path.write_text(json.dumps({**shipped, "name": "other-name"}))   # the same size, a moment later
    assert fixtures.load(path).name == "other-name"
    # What a caller does to its copy does not reach the next caller's.
    again = fixtures.load(path)
    again.params["added"] = "by a caller"
    assert "added" not in fixtures.load(path).params
    # A file that no longer loads says so, though it loaded before.
    path.write_text("{not json")
    with pytest.raises(fixtures.FixtureError, match="not valid JSON"):
        fixtures.load(path)
