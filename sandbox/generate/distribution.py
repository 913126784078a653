"""Distribution: sales channels (``sales_channel.*``), special rates and rate modifiers
(``special_rate.*``, ``rate_modifier.updated``), channel-manager pushes (``channel-manager.*``) and
outgoing email (``email.correspondence``)."""

from __future__ import annotations

from datetime import timedelta

from sandbox.generate import parts
from sandbox.generate import schemas as s
from sandbox.generate.context import Ctx, EventSpec, local_datetime

_CHANNEL_MANAGERS = ("SiteMinder", "Cloudbeds", "RateGain", "D-EDGE", "STAAH", "Mews")


# --- sales channels ------------------------------------------------------------------------------
def sales_channel(ctx: Ctx, action: str) -> dict:
    """Return the link between a supplier (property) and an affiliate that sells it."""
    supplier = parts.ref(*parts.property_ref(ctx))
    affiliate = parts.ref(*parts.affiliate_ref(ctx))
    data = {
        "id": ctx.uuid(),
        "supplier": supplier,
        "affiliate": affiliate,
        "status": {"created": "PENDING", "deleted": "DELETED"}.get(
            action, ctx.pick(("ACTIVE", "ACTIVE", "PAUSED"))),
        "commissionPercentage": ctx.pick((8, 10, 12, 15, 18)),
        "ratePlanIdentifiers": [ctx.uuid() for _ in range(ctx.between(1, 3))],
        **(parts.fresh_stamps(ctx) if action == "created" else parts.stamps(ctx)),
    }
    if action == "deleted":
        data["deletedDate"] = data["lastUpdate"]   # as every inventory item deleted says when
    return data


_SALES_CHANNEL = s.obj({
    "id": s.UUID, "supplier": s.ENTITY_REF, "affiliate": s.ENTITY_REF,
    "status": s.enum("PENDING", "ACTIVE", "PAUSED", "DELETED"), "commissionPercentage": s.PERCENT,
    "ratePlanIdentifiers": s.arr(s.UUID), **s.STAMPS,
})


# --- special rates -------------------------------------------------------------------------------
def special_rate(ctx: Ctx, action: str) -> dict:
    """Return a promotional or negotiated rate of the property."""
    property_id, property_name = parts.property_ref(ctx)
    kind, name = ctx.pick((("PROMOTION", "Early Bird"), ("PROMOTION", "Stay 3 Pay 2"),
                           ("NEGOTIATED", "Corporate Rate"), ("PACKAGE", "Honeymoon Package"),
                           ("MEMBER", "Members Only")))
    start = ctx.day(ctx.between(-10, 60))
    data = {
        "id": ctx.uuid(),
        "propertyIdentifier": property_id,
        "propertyName": property_name,
        "name": name,
        "code": ctx.code(8),
        "type": kind,
        "discountPercentage": ctx.pick((5, 10, 15, 20, 25, 30)),
        "validFrom": start.isoformat(),
        "validTo": (start + timedelta(days=ctx.between(7, 120))).isoformat(),
        "ratePlanIdentifiers": [ctx.uuid() for _ in range(ctx.between(1, 3))],
        "status": "DELETED" if action == "deleted" else "ACTIVE",
        **(parts.fresh_stamps(ctx) if action == "created" else parts.stamps(ctx)),
    }
    if action == "deleted":
        data["deletedDate"] = data["lastUpdate"]
    return data


_SPECIAL_RATE = s.obj({
    "id": s.UUID, "propertyIdentifier": s.UUID, "propertyName": s.TEXT, "name": s.TEXT,
    "code": s.string(r"^[A-Z0-9]{3,20}$"),
    "type": s.enum("PROMOTION", "NEGOTIATED", "PACKAGE", "MEMBER"),
    "discountPercentage": s.PERCENT, "validFrom": s.DATE, "validTo": s.DATE,
    "ratePlanIdentifiers": s.arr(s.UUID), "status": s.enum("ACTIVE", "INACTIVE", "DELETED"),
    **s.STAMPS,
})


def rate_modifier(ctx: Ctx) -> dict:
    """Return a rule that raises or lowers the property's rates over a period."""
    property_id, property_name = parts.property_ref(ctx)
    start = ctx.day(ctx.between(0, 60))
    percentage = ctx.chance(0.7)
    return {
        "id": ctx.uuid(),
        "propertyIdentifier": property_id,
        "propertyName": property_name,
        "name": ctx.pick(("High season", "Weekend uplift", "Last-minute discount", "Festival")),
        "modifierType": "PERCENTAGE" if percentage else "FIXED_AMOUNT",
        "value": ctx.pick((-20, -10, 5, 10, 15, 25)) if percentage else None,
        "amount": None if percentage else parts.money(parts.price_in(ctx, 5, 60, ctx.currency),
                                                      ctx.currency),
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(days=ctx.between(1, 90))).isoformat(),
        **parts.stamps(ctx),
    }


_RATE_MODIFIER = s.obj({
    "id": s.UUID, "propertyIdentifier": s.UUID, "propertyName": s.TEXT, "name": s.TEXT,
    "modifierType": s.enum("PERCENTAGE", "FIXED_AMOUNT"),
    "value": s.nullable({"type": "number", "minimum": -100, "maximum": 1000}),
    "amount": s.nullable(s.MONEY), "startDate": s.DATE, "endDate": s.DATE, **s.STAMPS,
})


# --- channel managers ----------------------------------------------------------------------------
def channel_manager_update(ctx: Ctx, kind: str) -> dict:
    """Return a push from a channel manager: rates, availability, or a general update."""
    property_id, property_name = parts.property_ref(ctx)
    start = ctx.day(ctx.between(0, 30))
    days = ctx.between(3, 14)
    data = {
        "id": ctx.uuid(),
        "channelManager": parts.ref(ctx.uuid(), ctx.pick(_CHANNEL_MANAGERS)),
        "propertyIdentifier": property_id,
        "propertyName": property_name,
        "roomTypeIdentifier": ctx.uuid(),
        "ratePlanIdentifier": ctx.uuid(),
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(days=days - 1)).isoformat(),
        "receivedDate": local_datetime(ctx.ago(0, 30)),
    }
    dates = [(start + timedelta(days=n)).isoformat() for n in range(days)]
    if kind == "rate":
        base = parts.price_in(ctx, 60, 420, ctx.currency)
        data["rates"] = [{"date": d, "amount": parts.money(base, ctx.currency)} for d in dates]
    elif kind == "availability":
        data["availability"] = [{"date": d, "available": ctx.between(0, 12),
                                 "closed": ctx.chance(0.05), "minStay": ctx.pick((1, 1, 2, 3))}
                                for d in dates]
    else:
        data["updateType"] = ctx.pick(("RESTRICTIONS", "ROOM_MAPPING", "FULL_SYNC"))
        data["message"] = "Channel manager synchronisation finished"
    return data


_CM = s.obj({
    "id": s.UUID, "channelManager": s.ENTITY_REF, "propertyIdentifier": s.UUID,
    "propertyName": s.TEXT, "roomTypeIdentifier": s.UUID, "ratePlanIdentifier": s.UUID,
    "startDate": s.DATE, "endDate": s.DATE, "receivedDate": s.DATETIME,
})
_CM_EXTRA = {
    "rate": {"rates": s.arr(s.obj({"date": s.DATE, "amount": s.MONEY}), min_items=1)},
    "availability": {"availability": s.arr(s.obj({
        "date": s.DATE, "available": s.integer(0), "closed": s.BOOLEAN, "minStay": s.integer(1),
    }), min_items=1)},
    "general": {"updateType": s.enum("RESTRICTIONS", "ROOM_MAPPING", "FULL_SYNC"),
                "message": s.TEXT},
}


# --- email ---------------------------------------------------------------------------------------
def email(ctx: Ctx) -> dict:
    """Return an email Wink sent on behalf of the account."""
    owner = parts.account(ctx)
    guest = parts.person(ctx)
    code = "WNK" + ctx.code(5)
    template, subject = ctx.pick((("BOOKING_CONFIRMATION", f"Your booking {code} is confirmed"),
                                  ("BOOKING_CANCELLATION", f"Your booking {code} was cancelled"),
                                  ("PRE_ARRIVAL", f"Getting ready for your stay ({code})"),
                                  ("REVIEW_REQUEST", "How was your stay?")))
    return {
        "id": ctx.uuid(),
        "accountIdentifier": owner["id"],
        "accountName": owner["name"],
        "from": "no-reply@wink.travel",
        "to": [guest["email"]],
        "recipientName": guest["fullName"],
        "subject": subject,
        "template": template,
        "locale": ctx.locale,
        "status": ctx.pick(("SENT", "DELIVERED", "DELIVERED")),
        "bookingCode": code,
        "sentDate": local_datetime(ctx.ago(0, 60)),
    }


_EMAIL = s.obj({
    "id": s.UUID, "accountIdentifier": s.UUID, "accountName": s.TEXT, "from": s.EMAIL,
    "to": s.arr(s.EMAIL, min_items=1), "recipientName": s.TEXT, "subject": s.TEXT,
    "template": s.TEXT, "locale": s.TEXT, "status": s.enum("QUEUED", "SENT", "DELIVERED", "BOUNCED"),
    "bookingCode": s.nullable(s.string(r"^[A-Z0-9]{4,16}$")), "sentDate": s.DATETIME,
})


def _sales_spec(action: str) -> EventSpec:
    extra = {"status": s.const({"created": "PENDING", "deleted": "DELETED"}[action])} if action in (
        "created", "deleted") else {}
    if action == "created":
        extra["version"] = s.const(1)
    if action == "deleted":
        extra["deletedDate"] = s.DATETIME
    return EventSpec(lambda ctx: sales_channel(ctx, action), s.extend(_SALES_CHANNEL, extra))


def _special_spec(action: str) -> EventSpec:
    extra = {"status": s.const("DELETED"), "deletedDate": s.DATETIME} if action == "deleted" else {
        "status": s.const("ACTIVE")}
    if action == "created":
        extra["version"] = s.const(1)
    return EventSpec(lambda ctx: special_rate(ctx, action), s.extend(_SPECIAL_RATE, extra))


def _cm_spec(kind: str) -> EventSpec:
    return EventSpec(lambda ctx: channel_manager_update(ctx, kind), s.extend(_CM, _CM_EXTRA[kind]))


EVENTS = {
    **{f"sales_channel.{a}": _sales_spec(a) for a in ("created", "updated", "deleted")},
    **{f"special_rate.{a}": _special_spec(a) for a in ("created", "updated", "deleted")},
    "rate_modifier.updated": EventSpec(rate_modifier, _RATE_MODIFIER),
    "channel-manager.update.rate": _cm_spec("rate"),
    "channel-manager.update.availability": _cm_spec("availability"),
    "channel-manager.update": _cm_spec("general"),
    "email.correspondence": EventSpec(email, _EMAIL),
}
