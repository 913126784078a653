"""Bookings: the ``data`` of every ``booking.*`` event (and the ``booking.created`` alias).

Each key is a variant of one booking generator: the variant fixes the booking status, where the stay
lies in time, and which extra blocks (cancellation, refunds, payouts, funds, review, failure) it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sandbox.generate import parts
from sandbox.generate import schemas as s
from sandbox.generate.context import INTERNAL_CURRENCY, Ctx, EventSpec, local_datetime

STATUSES = ("INITIALIZED", "PAYMENT_SUCCEEDED", "PAYMENT_FAILED", "FAILED", "CANCELLED",
            "PARTIALLY_REFUNDED", "FULLY_REFUNDED")
# The path a booking takes to reach each status.
_PATHS = {
    "INITIALIZED": ("INITIALIZED",),
    "PAYMENT_SUCCEEDED": ("INITIALIZED", "PAYMENT_SUCCEEDED"),
    "PAYMENT_FAILED": ("INITIALIZED", "PAYMENT_FAILED"),
    "FAILED": ("INITIALIZED", "FAILED"),
    "CANCELLED": ("INITIALIZED", "PAYMENT_SUCCEEDED", "CANCELLED"),
    "PARTIALLY_REFUNDED": ("INITIALIZED", "PAYMENT_SUCCEEDED", "PARTIALLY_REFUNDED"),
    "FULLY_REFUNDED": ("INITIALIZED", "PAYMENT_SUCCEEDED", "CANCELLED", "FULLY_REFUNDED"),
}
_REASONS = {
    "INITIALIZED": ("Booking started", "SYSTEM"),
    "PAYMENT_SUCCEEDED": ("Payment captured", "SYSTEM"),
    "PAYMENT_FAILED": ("Card payment declined", "SYSTEM"),
    "FAILED": ("Room no longer available", "SYSTEM"),
    "CANCELLED": ("Cancelled on request", "GUEST"),
    "PARTIALLY_REFUNDED": ("Partial refund issued", "HOTEL"),
    "FULLY_REFUNDED": ("Full refund issued", "ADMIN"),
}
_ROOMS = ("Deluxe King Room", "Superior Twin Room", "Junior Suite", "Standard Double Room",
          "Executive Suite", "Family Room", "Ocean View Room", "Garden Villa", "Studio")
_RATE_PLANS = (("Best Available Rate", True, True), ("Room Only", False, True),
               ("Non-Refundable Saver", False, False), ("Bed & Breakfast", True, True),
               ("Advance Purchase", True, False))
# Wink's refund reasons (BookingWebhookPayload.Refund.reason), the common ones first.
REFUND_REASONS = ("REQUESTED_BY_CUSTOMER", "REQUESTED_BY_CUSTOMER", "GUEST_BOOKED_INCORRECT_DATE",
                  "GUEST_SICK", "FLIGHT_CANCELLED", "GUEST_COMPLAINT", "DUPLICATE", "OVERBOOKING",
                  "EMERGENCY", "OTHER")
ALL_REFUND_REASONS = ("DUPLICATE", "FRAUDULENT", "REQUESTED_BY_CUSTOMER", "GUEST_COMPLAINT",
                      "GUEST_BOOKED_INCORRECT_DATE", "GUEST_SICK", "OVERBOOKING", "EMERGENCY",
                      "FLIGHT_CANCELLED", "DEATH_IN_FAMILY", "OTHER", "EXPIRED_UNCAPTURED_CHARGE",
                      "AVAILABILITY_CHECK_FAILED")
_CANCEL_REASONS = ("Change of travel plans", "Found a better rate", "Flight cancelled",
                   "Illness", "Duplicate booking", "Guest did not arrive")
_FAILURES = (("card_declined", "The card was declined.", "PAYMENT_FAILED"),
             ("insufficient_funds", "The card has insufficient funds.", "PAYMENT_FAILED"),
             ("expired_card", "The card has expired.", "PAYMENT_FAILED"),
             ("authentication_required", "3-D Secure authentication failed.", "PAYMENT_FAILED"),
             ("inventory_unavailable", "The room is no longer available.", "FAILED"))
_REVIEWS = ((9, "Wonderful stay", "Friendly staff, spotless room and a great breakfast."),
            (8, "Great location", "Close to everything; the room was a little small."),
            (10, "Perfect", "Everything was perfect, we will be back."),
            (6, "Okay for a night", "Noisy at night but the bed was comfortable."),
            (4, "Disappointing", "The room did not match the photos."))


@dataclass(frozen=True)
class Variant:
    """What one booking event looks like."""

    statuses: tuple[str, ...]
    stay: str = "future"  # "future" (booked just now or earlier) or "past" (guest has left)
    fresh: bool = False  # the booking was made moments ago
    paid: bool = True  # a charge exists
    cancellation: bool = False
    refund: str | None = None  # refund status, or None
    refund_full: bool = False
    payout: str | None = None  # payout status, or None
    funds: str | None = None  # AVAILABLE or LEDGERED
    review: int = 0  # 1: reviewed, 2: reviewed and answered
    failure: bool = False


VARIANTS = {
    "booking.create": Variant(("PAYMENT_SUCCEEDED",), fresh=True),
    "booking.created": Variant(("PAYMENT_SUCCEEDED",), fresh=True),
    "booking.initialize.request": Variant(("INITIALIZED",), fresh=True, paid=False),
    "booking.initialize.complete": Variant(("INITIALIZED",), fresh=True, paid=False),
    "booking.processing": Variant(("INITIALIZED",), fresh=True, paid=False),
    "booking.failed": Variant(("PAYMENT_FAILED", "FAILED"), fresh=True, paid=False, failure=True),
    "booking.cancelled": Variant(("CANCELLED",), cancellation=True),
    "booking.refund.request": Variant(("CANCELLED",), cancellation=True, refund="PENDING"),
    "booking.refund.error": Variant(("CANCELLED",), cancellation=True, refund="FAILED"),
    # Wink: "a refunded booking that was not cancelled reports PAYMENT_SUCCEEDED in `status`"; the
    # payload's refundState says PARTIAL.
    "booking.refund.partial": Variant(("PAYMENT_SUCCEEDED",), refund="SUCCEEDED"),
    "booking.refund.full": Variant(("FULLY_REFUNDED",), cancellation=True, refund="SUCCEEDED",
                                   refund_full=True),
    "booking.payout.create": Variant(("PAYMENT_SUCCEEDED",), stay="past", payout="PENDING"),
    "booking.payout.complete": Variant(("PAYMENT_SUCCEEDED",), stay="past", payout="COMPLETED"),
    "booking.funds.available": Variant(("PAYMENT_SUCCEEDED",), stay="past", funds="AVAILABLE"),
    "booking.funds.ledgered": Variant(("PAYMENT_SUCCEEDED",), stay="past", funds="LEDGERED"),
    "booking.review.created": Variant(("PAYMENT_SUCCEEDED",), stay="past", review=1),
    "booking.review.responded": Variant(("PAYMENT_SUCCEEDED",), stay="past", review=2),
}


# --- generation ----------------------------------------------------------------------------------
def _nightly_rates(ctx: Ctx, start, nights: int, rooms: int, currency: str) -> list[int]:
    base = parts.price_in(ctx, 60, 420, currency)
    rates = []
    for night in range(nights):
        weekend = (start + timedelta(days=night)).weekday() in (4, 5)  # Friday and Saturday nights
        rates.append((base + base * 15 // 100 if weekend else base) * rooms)
    return rates


def _room_stay(ctx: Ctx, start, nights: int, display: str) -> dict:
    rooms = 1 if ctx.chance(0.8) else ctx.between(2, 3)
    adults = ctx.between(1, 2) * rooms
    source = ctx.currency
    rates = _nightly_rates(ctx, start, nights, rooms, source)
    nightly = []
    for offset, minor in enumerate(rates):
        nightly.append({
            "date": (start + timedelta(days=offset)).isoformat(),
            "sourceAmount": parts.money(minor, source),
            "internalAmount": parts.money(parts.convert(minor, source, INTERNAL_CURRENCY),
                                          INTERNAL_CURRENCY),
            "userSpecifiedCurrencyAmount": parts.money(parts.convert(minor, source, display), display),
        })
    name, breakfast, refundable = ctx.pick(_RATE_PLANS)
    return {
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(days=nights)).isoformat(),
        "adults": adults,
        "children": 0 if ctx.chance(0.7) else ctx.between(1, 2),
        "quantity": rooms,
        "roomNights": nights * rooms,
        "room": {"id": ctx.uuid(), "name": ctx.pick(_ROOMS)},
        "ratePlan": {"identifier": ctx.uuid(), "name": name, "breakfast": breakfast,
                     "refundable": refundable},
        "price": {
            "sourceTotal": parts.money(sum(rates), source),
            "internalTotal": parts.money(
                sum(parts.convert(m, source, INTERNAL_CURRENCY) for m in rates), INTERNAL_CURRENCY),
            "userSpecifiedCurrencyTotal": parts.money(
                sum(parts.convert(m, source, display) for m in rates), display),
            "list": nightly,
        },
    }


def _history(ctx: Ctx, path: tuple[str, ...], moments: list) -> list[dict]:
    history, previous = [], None
    for status, moment in zip(path, moments, strict=True):
        reason, actor = _REASONS[status]
        history.append({"actor": actor, "fromStatus": previous, "toStatus": status,
                        "reason": reason, "timestamp": local_datetime(moment)})
        previous = status
    return history


def _timeline(ctx: Ctx, variant: Variant, steps: int):
    """Return check-in date, nights and one moment per status step, all consistent with now."""
    nights = ctx.between(1, 7) if ctx.chance(0.85) else ctx.between(8, 14)
    if variant.stay == "past":
        end = ctx.day(-ctx.between(1, 30))
        start = end - timedelta(days=nights)
        created = ctx.now - timedelta(days=(ctx.today - start).days + ctx.between(3, 90),
                                      seconds=ctx.between(0, 86_000))
    elif variant.fresh:
        start = ctx.day(ctx.between(1, 180))
        created = ctx.ago(15 + 20 * steps, 600)
    else:
        start = ctx.day(ctx.between(3, 180))
        created = ctx.ago(86_400, 30 * 86_400)
    moments = [created]
    for step in range(1, steps):
        if step == 1:  # payment follows booking within seconds
            moments.append(ctx.later(moments[-1], 3, 15))
        else:  # later steps (cancel, refund) happen shortly before the event
            low = (steps - step) * 60
            moments.append(max(ctx.ago(low, low + 50), moments[-1]))
    return start, nights, moments


def booking(ctx: Ctx, variant: Variant) -> dict:
    """Return a booking in the state ``variant`` describes."""
    status = ctx.pick(variant.statuses)
    failure = None
    if variant.failure:
        code, message, status = ctx.pick(_FAILURES)
        failure = {"code": code, "message": message}
    path = _PATHS[status]
    start, nights, moments = _timeline(ctx, variant, len(path))
    hotel = parts.hotel(ctx)
    display = parts.guest_currency(ctx, hotel["currencyCode"])
    booker = parts.person(ctx)
    guest = booker if ctx.chance(0.6) else parts.person(ctx)
    stay = _room_stay(ctx, start, nights, display)
    price = stay["price"]
    agent = not parts.is_property_account(parts.account(ctx)) and ctx.chance(0.3)
    data = {
        "id": ctx.uuid(),
        "bookingCode": "WNK" + ctx.code(5),
        "bookingStatus": status,
        "statusHistory": _history(ctx, path, moments),
        "hotel": hotel,
        "booker": booker,
        "guestUser": dict(guest),
        "roomStay": stay,
        "sourceCurrency": hotel["currencyCode"],
        "displayCurrency": display,
        "sourceTotal": dict(price["sourceTotal"]),
        "displayTotal": dict(price["userSpecifiedCurrencyTotal"]),
        "paymentType": "AGENT" if agent else "STRIPE",
        "paymentDetails": {
            "vendor": "AGENT_INVOICE" if agent else "STRIPE",
            "transactionIdentifier": None if agent else ctx.token("pi_"),
            "customerIdentifier": None if agent else ctx.token("cus_", 14),
            "chargeIdentifier": ctx.token("ch_") if variant.paid and not agent else None,
        },
        "affiliate": parts.ref(*parts.affiliate_ref(ctx)),
        # One multi-room transaction is delivered as one booking per room, correlated by this id.
        "groupIdentifier": ctx.uuid() if stay["quantity"] > 1 and ctx.chance(0.5) else None,
        "createdDate": local_datetime(moments[0]),
        "lastUpdate": local_datetime(moments[-1]),
        "version": len(path),
    }
    if failure:
        data["failure"] = failure
    total = price["sourceTotal"]
    source = hotel["currencyCode"]
    total_minor = round(total["amount"] * 10 ** parts.minor_units(source))
    if variant.cancellation:
        cancelled = next(m for p, m in zip(path, moments, strict=True) if p == "CANCELLED")
        reason = ctx.pick(_CANCEL_REASONS)
        data["cancellation"] = {
            "cancelledOn": local_datetime(cancelled),
            "cancellerType": ctx.pick(("GUEST", "GUEST", "HOTEL", "ADMIN", "AGENT", "SYSTEM")),
            "cancelReason": reason,
            "cancellationType": "DUPLICATE" if reason == "Duplicate booking" else "CANCELLATION",
        }
    if variant.refund:
        if variant.refund_full:
            refunded = total_minor
        else:
            refunded = max(1, total_minor * ctx.between(10, 70) // 100)
        requested = moments[-1]
        data["refunds"] = [{
            "identifier": ctx.uuid(),
            "sourceAmount": parts.money(refunded, source),
            "reason": ctx.pick(REFUND_REASONS),
            "requestor": ctx.pick(("GUEST", "HOTEL", "ADMIN", "AGENT")),
            "status": variant.refund,
            "createdDate": local_datetime(requested),
            "processedDate": None if variant.refund == "PENDING" else local_datetime(
                ctx.later(requested, 2, 40)),
        }]
    if variant.payout:
        commission = total_minor * ctx.between(8, 20) // 100
        affiliate_id, _ = parts.affiliate_ref(ctx)
        data["payouts"] = [
            {"identifier": ctx.token("po_"), "accountIdentifier": hotel["hotelIdentifier"],
             "beneficiaryType": "SALE", "sourceAmount": parts.money(total_minor - commission, source),
             "status": variant.payout},
            {"identifier": ctx.token("po_"), "accountIdentifier": affiliate_id,
             "beneficiaryType": "COMMISSION", "sourceAmount": parts.money(commission, source),
             "status": variant.payout},
        ]
    if variant.funds:
        data["funds"] = {
            "status": variant.funds,
            "sourceAmount": dict(total),
            "availableDate": local_datetime(ctx.ago(60, 3_600)),
            "ledgerEntryIdentifier": ctx.uuid() if variant.funds == "LEDGERED" else None,
        }
    if variant.review:
        rating, title, comment = ctx.pick(_REVIEWS)
        reviewed = ctx.ago(600, 3_600) if variant.review == 2 else ctx.ago(0, 120)
        data["review"] = {
            "identifier": ctx.uuid(),
            "rating": rating,
            "title": title,
            "comment": comment,
            "createdDate": local_datetime(reviewed),
            "response": {
                "comment": "Thank you for staying with us, we hope to welcome you again soon.",
                "respondedBy": parts.person(ctx)["fullName"],
                "respondedDate": local_datetime(ctx.ago(0, 120)),
            } if variant.review == 2 else None,
        }
    return data


# --- schema --------------------------------------------------------------------------------------
_STATUS = s.enum(*STATUSES)
_NIGHT = s.obj({"date": s.DATE, "sourceAmount": s.MONEY, "internalAmount": s.MONEY,
                "userSpecifiedCurrencyAmount": s.MONEY})
_ROOM_STAY = s.obj({
    "startDate": s.DATE,
    "endDate": s.DATE,
    "adults": s.integer(1, 20),
    "children": s.integer(0, 20),
    "quantity": s.integer(1, 20),
    "roomNights": s.integer(1),
    "room": s.obj({"id": s.UUID, "name": s.TEXT}),
    "ratePlan": s.obj({"identifier": s.UUID, "name": s.TEXT, "breakfast": s.BOOLEAN,
                       "refundable": s.BOOLEAN}),
    "price": s.obj({"sourceTotal": s.MONEY, "internalTotal": s.MONEY,
                    "userSpecifiedCurrencyTotal": s.MONEY, "list": s.arr(_NIGHT, min_items=1)}),
})
BOOKING = s.obj({
    "id": s.UUID,
    "bookingCode": s.string(r"^[A-Z0-9]{4,16}$"),
    "bookingStatus": _STATUS,
    "statusHistory": s.arr(s.obj({"actor": s.enum("SYSTEM", "GUEST", "HOTEL", "ADMIN", "AGENT"),
                                  "fromStatus": s.nullable(_STATUS), "toStatus": _STATUS,
                                  "reason": s.nullable(s.STRING), "timestamp": s.DATETIME}),
                           min_items=1),
    "hotel": s.HOTEL,
    "booker": s.PERSON,
    "guestUser": s.PERSON,
    "roomStay": _ROOM_STAY,
    "sourceCurrency": s.CURRENCY,
    "displayCurrency": s.CURRENCY,
    "sourceTotal": s.MONEY,
    "displayTotal": s.MONEY,
    "paymentType": s.enum("STRIPE", "AGENT"),
    "paymentDetails": s.obj({
        "vendor": s.TEXT,
        "transactionIdentifier": s.nullable(s.string("^pi_")),
        "customerIdentifier": s.nullable(s.string("^cus_")),
        "chargeIdentifier": s.nullable(s.string("^ch_")),
    }),
    "affiliate": s.ENTITY_REF,
    "groupIdentifier": s.nullable(s.UUID),
    **s.STAMPS,
})
_CANCELLATION = s.obj({
    "cancelledOn": s.DATETIME,
    "cancellerType": s.enum("HOTEL", "GUEST", "ADMIN", "AGENT", "SYSTEM", "CHANNEL_MANAGER"),
    "cancelReason": s.nullable(s.STRING),
    "cancellationType": s.enum("CANCELLATION", "NO_SHOW", "DUPLICATE", "FRAUD", "OTHER"),
})


def _refund(status: str) -> dict:
    return s.obj({"identifier": s.UUID, "sourceAmount": s.MONEY, "reason": s.enum(*ALL_REFUND_REASONS),
                  "requestor": s.enum("GUEST", "HOTEL", "ADMIN", "AGENT", "SYSTEM"),
                  "status": s.const(status), "createdDate": s.DATETIME,
                  "processedDate": s.nullable(s.DATETIME)})


def _payout(status: str) -> dict:
    return s.obj({"identifier": s.string("^po_"), "accountIdentifier": s.UUID,
                  "beneficiaryType": s.enum("SALE", "COMMISSION"), "sourceAmount": s.MONEY,
                  "status": s.const(status)})


def variant_schema(variant: Variant) -> dict:
    """Return the schema of a booking in the state ``variant`` describes."""
    status = s.const(variant.statuses[0]) if len(variant.statuses) == 1 else s.enum(*variant.statuses)
    extra: dict = {"bookingStatus": status}
    if not variant.paid:
        extra["paymentDetails"] = s.extend(BOOKING["properties"]["paymentDetails"],
                                           {"chargeIdentifier": s.const(None)})
    if variant.failure:
        extra["failure"] = s.FAILURE
    if variant.cancellation:
        extra["cancellation"] = _CANCELLATION
    if variant.refund:
        extra["refunds"] = s.arr(_refund(variant.refund), min_items=1)
    if variant.payout:
        extra["payouts"] = s.arr(_payout(variant.payout), min_items=1)
    if variant.funds:
        extra["funds"] = s.obj({"status": s.const(variant.funds), "sourceAmount": s.MONEY,
                                "availableDate": s.DATETIME,
                                "ledgerEntryIdentifier": s.nullable(s.UUID)})
    if variant.review:
        response = s.obj({"comment": s.TEXT, "respondedBy": s.TEXT, "respondedDate": s.DATETIME})
        extra["review"] = s.obj({
            "identifier": s.UUID, "rating": s.integer(1, 10), "title": s.TEXT,
            "comment": s.TEXT, "createdDate": s.DATETIME,
            "response": response if variant.review == 2 else s.const(None),
        })
    return s.extend(BOOKING, extra)


def _spec(variant: Variant) -> EventSpec:
    return EventSpec(lambda ctx: booking(ctx, variant), variant_schema(variant))


EVENTS = {key: _spec(variant) for key, variant in VARIANTS.items()}
