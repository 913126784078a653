"""Properties (hotels): the ``data`` of ``property.*`` events."""

from __future__ import annotations

from sandbox.generate import parts
from sandbox.generate import schemas as s
from sandbox.generate.context import TIME_ZONES, Ctx, EventSpec, slug

# Wink's property statuses (the enum of PropertyWebhookPayload.status).
STATUSES = ("PENDING_APPROVAL", "ACTIVE", "INACTIVE", "UNDER_REVIEW", "SUSPENDED", "REJECTED", "REMOVED")
TYPES = ("HOTEL", "RESORT", "BOUTIQUE_HOTEL", "HOSTEL", "APARTMENT", "VILLA", "GUEST_HOUSE")
SERVICES = ("WIFI", "POOL", "SPA", "GYM", "RESTAURANT", "BAR", "PARKING", "AIRPORT_SHUTTLE",
            "ROOM_SERVICE", "LAUNDRY", "CONCIERGE", "KIDS_CLUB", "EV_CHARGING", "PET_FRIENDLY")
_POLICIES = (("CANCELLATION", "Free cancellation", "Free cancellation up to 48 hours before arrival."),
             ("CHILDREN", "Children stay free", "Children under 12 stay free using existing beds."),
             ("PETS", "Pets", "Small pets are welcome on request."),
             ("CHECK_IN", "Check-in", "Photo ID and a credit card are required at check-in."),
             ("SMOKING", "Non-smoking", "All rooms are non-smoking."))
# Rough latitude/longitude boxes, so a property's map pin lands in its country.
_BOXES = {"US": (30.0, 45.0, -120.0, -75.0), "PT": (37.0, 42.0, -9.4, -7.0),
          "BR": (-30.0, -3.0, -55.0, -35.0), "TH": (7.0, 19.0, 98.5, 104.0),
          "DE": (47.5, 54.5, 6.5, 14.5), "GB": (50.5, 56.0, -4.5, 1.0), "FR": (43.5, 49.5, -1.0, 7.0),
          "ES": (36.5, 43.0, -8.0, 3.0), "IT": (38.0, 46.0, 8.0, 16.0), "JP": (33.0, 43.0, 131.0, 141.0)}


def geolocation(ctx: Ctx) -> dict:
    """Return a point inside the locale's country (anywhere on land-ish latitudes otherwise)."""
    south, north, west, east = _BOXES.get(ctx.country, (-40.0, 60.0, -120.0, 150.0))
    return {"latitude": round(south + ctx.rng.random() * (north - south), 6),
            "longitude": round(west + ctx.rng.random() * (east - west), 6)}


def policy(ctx: Ctx) -> dict:
    """Return one property policy."""
    kind, name, text = ctx.pick(_POLICIES)
    return {"identifier": ctx.uuid(), "type": kind, "name": name, "description": text}


def property_(ctx: Ctx) -> dict:
    """Return the property the event is about (the account when it is a property)."""
    identifier, name = parts.property_ref(ctx)
    handle = slug(name) or f"property-{identifier[:8]}"
    services = sorted({ctx.pick(SERVICES) for _ in range(ctx.between(3, 8))})
    return {
        "id": identifier,
        "name": name,
        "urlName": handle,
        "managingEntityIdentifier": identifier,   # a property is a managing entity of its own in Wink
        "type": ctx.pick(TYPES[:4]),
        "status": "ACTIVE",
        "starRating": ctx.pick((3, 4, 4, 5)),
        "currencyCode": ctx.currency,
        "address": parts.address(ctx),
        "geolocation": geolocation(ctx),
        "timeZone": TIME_ZONES.get(ctx.country, "UTC"),
        "telephone": parts.phone(ctx),
        "email": f"reservations@{handle}.example",
        "website": f"https://www.{handle}.example",
        "checkInTime": ctx.pick(("14:00", "15:00", "16:00")),
        "checkOutTime": ctx.pick(("11:00", "12:00")),
        "welcomeText": f"Welcome to {name}! We look forward to your stay.",
        "services": services,
        "policies": [policy(ctx) for _ in range(ctx.between(1, 3))],
        **parts.stamps(ctx),
    }


def _change(field: str, previous, new) -> dict:
    return {"field": field, "previousValue": previous, "newValue": new}


def _created(ctx: Ctx, data: dict) -> None:
    data.update(parts.fresh_stamps(ctx), status="PENDING_APPROVAL")


def _deleted(ctx: Ctx, data: dict) -> None:
    data.update(status="REMOVED", deletedDate=data["lastUpdate"])


def _registered(ctx: Ctx, data: dict) -> None:
    data.update(status="ACTIVE", registeredDate=data["lastUpdate"])


def _status(ctx: Ctx, data: dict) -> None:
    data["status"] = ctx.pick(("ACTIVE", "INACTIVE", "SUSPENDED"))
    data["previousStatus"] = ctx.pick([x for x in STATUSES[:5] if x != data["status"]])


def _renamed(ctx: Ctx, data: dict) -> None:
    data["changes"] = [_change("name", parts.hotel_name(ctx), data["name"])]


def _moved(ctx: Ctx, data: dict) -> None:
    data["changes"] = [_change("address.line1", ctx.fake.street_address(), data["address"]["line1"])]


def _pinned(ctx: Ctx, data: dict) -> None:
    old = geolocation(ctx)
    new = data["geolocation"]
    data["changes"] = [_change("geolocation", f"{old['latitude']},{old['longitude']}",
                               f"{new['latitude']},{new['longitude']}")]


def _fields(*fields: str):
    def change(ctx: Ctx, data: dict) -> None:
        data["changes"] = [_change(f, None, data[f] if isinstance(data[f], str) else None)
                           for f in fields]
    return change


def _services(ctx: Ctx, data: dict) -> None:
    data["changes"] = [_change("services", ", ".join(data["services"][:-1]) or None,
                               ", ".join(data["services"]))]


def _policy(ctx: Ctx, data: dict) -> None:
    data["policy"] = dict(data["policies"][-1])


_POLICY = s.obj({"identifier": s.UUID, "type": s.TEXT, "name": s.TEXT, "description": s.TEXT})
_STATUS = s.enum(*STATUSES)
PROPERTY = s.obj({
    "id": s.UUID,
    "name": s.TEXT,
    "urlName": s.string(r"^[a-z0-9][a-z0-9-]*$"),
    "managingEntityIdentifier": s.UUID,
    "type": s.enum(*TYPES),
    "status": _STATUS,
    "starRating": s.integer(1, 5),
    "currencyCode": s.CURRENCY,
    "address": s.ADDRESS,
    "geolocation": s.GEOLOCATION,
    "timeZone": s.TEXT,
    "telephone": s.nullable(s.PHONE),
    "email": s.EMAIL,
    "website": s.nullable(s.URL),
    "checkInTime": s.TIME,
    "checkOutTime": s.TIME,
    "welcomeText": s.nullable(s.STRING),
    "services": s.arr(s.enum(*SERVICES)),
    "policies": s.arr(_POLICY),
    **s.STAMPS,
})

_TABLE = {
    "property.created": (_created, {"status": s.const("PENDING_APPROVAL"), "version": s.const(1)}),
    "property.updated": (_fields("telephone", "website"), {"changes": s.CHANGES}),
    "property.deleted": (_deleted, {"status": s.const("REMOVED"), "deletedDate": s.DATETIME}),
    "property.registered": (_registered, {"status": s.const("ACTIVE"),
                                          "registeredDate": s.DATETIME}),
    "property.status.updated": (_status, {"previousStatus": _STATUS}),
    "property.name.updated": (_renamed, {"changes": s.CHANGES}),
    "property.address.updated": (_moved, {"changes": s.CHANGES}),
    "property.geolocation.updated": (_pinned, {"changes": s.CHANGES}),
    "property.profile.updated": (_fields("starRating", "checkInTime", "checkOutTime"),
                                 {"changes": s.CHANGES}),
    "property.services.updated": (_services, {"changes": s.CHANGES}),
    "property.welcome_text.updated": (_fields("welcomeText"), {"changes": s.CHANGES}),
    "property.policy.created": (_policy, {"policy": _POLICY, "policies": s.arr(_POLICY, min_items=1)}),
    "property.policy.updated": (_policy, {"policy": _POLICY, "policies": s.arr(_POLICY, min_items=1)}),
}


def _spec(change, extra: dict) -> EventSpec:
    def generate(ctx: Ctx) -> dict:
        data = property_(ctx)
        change(ctx, data)
        return data
    return EventSpec(generate, s.extend(PROPERTY, extra))


EVENTS = {key: _spec(change, extra) for key, (change, extra) in _TABLE.items()}
