"""Inventory items of a property: room types, rate plans, master rates, add-ons, meeting rooms,
restaurants, spas and activities, each with ``.created``, ``.updated`` and ``.deleted`` events."""

from __future__ import annotations

from sandbox.generate import parts
from sandbox.generate import schemas as s
from sandbox.generate.context import Ctx, EventSpec

_OPENING = s.string(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def _room_type(ctx: Ctx) -> dict:
    adults = ctx.between(1, 4)
    return {
        "name": ctx.pick(("Deluxe King Room", "Superior Twin Room", "Junior Suite",
                          "Family Room", "Ocean View Room", "Garden Villa")),
        "maxOccupancy": adults + 1,
        "maxAdults": adults,
        "maxChildren": 1,
        "bedType": ctx.pick(("KING", "QUEEN", "TWIN", "DOUBLE")),
        "sizeSqm": ctx.between(18, 90),
        "quantity": ctx.between(2, 60),
    }


def _rate_plan(ctx: Ctx) -> dict:
    name, breakfast, refundable = ctx.pick((("Best Available Rate", True, True),
                                            ("Room Only", False, True),
                                            ("Non-Refundable Saver", False, False),
                                            ("Bed & Breakfast", True, True)))
    return {
        "name": name,
        "code": "".join(word[0] for word in name.replace("&", "").split()).upper() + "1",
        "breakfast": breakfast,
        "refundable": refundable,
        "mealPlan": "BREAKFAST" if breakfast else "ROOM_ONLY",
        "cancellationDeadlineDays": ctx.pick((1, 2, 3, 7)) if refundable else None,
    }


def _master_rate(ctx: Ctx) -> dict:
    room = _room_type(ctx)["name"]
    plan = _rate_plan(ctx)["name"]
    return {
        "name": f"{room} - {plan}",
        "roomTypeIdentifier": ctx.uuid(),
        "ratePlanIdentifier": ctx.uuid(),
        "baseRate": parts.money(parts.price_in(ctx, 60, 420, ctx.currency), ctx.currency),
    }


def _add_on(ctx: Ctx) -> dict:
    name, pricing = ctx.pick((("Airport transfer", "PER_STAY"), ("Breakfast buffet", "PER_PERSON"),
                              ("Late check-out", "PER_STAY"), ("Parking", "PER_NIGHT"),
                              ("Champagne on arrival", "PER_STAY")))
    return {"name": name, "pricingType": pricing,
            "price": parts.money(parts.price_in(ctx, 10, 90, ctx.currency), ctx.currency)}


def _meeting_room(ctx: Ctx) -> dict:
    return {"name": ctx.pick(("Orchid Room", "Board Room", "Grand Ballroom", "Studio 1")),
            "capacity": ctx.between(8, 300), "sizeSqm": ctx.between(20, 600),
            "layouts": sorted({ctx.pick(("THEATRE", "CLASSROOM", "BOARDROOM", "U_SHAPE",
                                         "BANQUET")) for _ in range(3)}),
            "pricePerHour": parts.money(parts.price_in(ctx, 40, 400, ctx.currency), ctx.currency)}


def _restaurant(ctx: Ctx) -> dict:
    return {"name": ctx.pick(("The Terrace", "Saffron", "Blue Elephant", "Harbour Grill")),
            "cuisine": ctx.pick(("THAI", "ITALIAN", "PORTUGUESE", "BRAZILIAN", "GERMAN",
                                 "INTERNATIONAL", "JAPANESE")),
            "seats": ctx.between(20, 180), "openingHours": ctx.pick(("06:30-10:30", "12:00-22:00",
                                                                    "18:00-23:00"))}


def _spa(ctx: Ctx) -> dict:
    treatments = []
    for name in ("Traditional massage", "Hot stone therapy", "Facial")[: ctx.between(1, 3)]:
        treatments.append({"name": name, "durationMinutes": ctx.pick((30, 60, 90)),
                           "price": parts.money(parts.price_in(ctx, 30, 200, ctx.currency),
                                                ctx.currency)})
    return {"name": ctx.pick(("Lotus Spa", "Serenity Spa", "The Wellness Centre")),
            "openingHours": "09:00-21:00", "treatments": treatments}


def _activity(ctx: Ctx) -> dict:
    return {"name": ctx.pick(("Cooking class", "City walking tour", "Sunset cruise", "Yoga")),
            "durationMinutes": ctx.pick((60, 90, 120, 240)),
            "maxParticipants": ctx.between(4, 30),
            "price": parts.money(parts.price_in(ctx, 15, 150, ctx.currency), ctx.currency)}


_TREATMENT = s.obj({"name": s.TEXT, "durationMinutes": s.integer(5), "price": s.MONEY})
KINDS = {
    # kind: (generator of the kind's own fields, their schema properties)
    "room_type": (_room_type, {
        "maxOccupancy": s.integer(1), "maxAdults": s.integer(1), "maxChildren": s.integer(0),
        "bedType": s.enum("KING", "QUEEN", "TWIN", "DOUBLE", "SINGLE"),
        "sizeSqm": s.integer(1), "quantity": s.integer(0)}),
    "rate_plan": (_rate_plan, {
        "code": s.TEXT, "breakfast": s.BOOLEAN, "refundable": s.BOOLEAN,
        "mealPlan": s.enum("ROOM_ONLY", "BREAKFAST", "HALF_BOARD", "FULL_BOARD", "ALL_INCLUSIVE"),
        "cancellationDeadlineDays": s.nullable(s.integer(0))}),
    "master_rate": (_master_rate, {
        "roomTypeIdentifier": s.UUID, "ratePlanIdentifier": s.UUID, "baseRate": s.MONEY}),
    "add_on": (_add_on, {
        "pricingType": s.enum("PER_STAY", "PER_NIGHT", "PER_PERSON", "PER_PERSON_PER_NIGHT"),
        "price": s.MONEY}),
    "meeting_room": (_meeting_room, {
        "capacity": s.integer(1), "sizeSqm": s.integer(1),
        "layouts": s.arr(s.enum("THEATRE", "CLASSROOM", "BOARDROOM", "U_SHAPE", "BANQUET")),
        "pricePerHour": s.MONEY}),
    "restaurant": (_restaurant, {
        "cuisine": s.TEXT, "seats": s.integer(1), "openingHours": _OPENING}),
    "spa": (_spa, {"openingHours": _OPENING, "treatments": s.arr(_TREATMENT)}),
    "activity": (_activity, {
        "durationMinutes": s.integer(5), "maxParticipants": s.integer(1), "price": s.MONEY}),
}
_COMMON = {
    "id": s.UUID,
    "propertyIdentifier": s.UUID,
    "propertyName": s.TEXT,
    "name": s.TEXT,
    "status": s.enum("ACTIVE", "INACTIVE", "DELETED"),
    **s.STAMPS,
}


def item(ctx: Ctx, kind: str, action: str) -> dict:
    """Return an inventory item of ``kind`` as it is after ``action`` (created/updated/deleted)."""
    property_id, property_name = parts.property_ref(ctx)
    own = KINDS[kind][0](ctx)
    data = {"id": ctx.uuid(), "propertyIdentifier": property_id, "propertyName": property_name,
            "name": own.pop("name"), "status": "ACTIVE", **own}
    if action == "created":
        data.update(parts.fresh_stamps(ctx))
    else:
        data.update(parts.stamps(ctx))
    if action == "deleted":
        data.update(status="DELETED", deletedDate=data["lastUpdate"])
    return data


def item_schema(kind: str, action: str) -> dict:
    """Return the schema of an inventory item of ``kind`` after ``action``."""
    schema = s.obj({**_COMMON, **KINDS[kind][1]})
    if action == "created":
        return s.extend(schema, {"version": s.const(1), "status": s.const("ACTIVE")})
    if action == "deleted":
        return s.extend(schema, {"status": s.const("DELETED"), "deletedDate": s.DATETIME})
    return schema


def _spec(kind: str, action: str) -> EventSpec:
    return EventSpec(lambda ctx: item(ctx, kind, action), item_schema(kind, action))


EVENTS = {f"{kind}.{action}": _spec(kind, action)
          for kind in KINDS for action in ("created", "updated", "deleted")}
