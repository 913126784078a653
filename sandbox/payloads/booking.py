"""Bookings: ``BookingWebhookPayload`` (8 keys), ``ReviewWebhookPayload``, ``ReviewResponseWebhookPayload``.

The full record is the generator's booking (``sandbox.generate.booking``); the payload is Wink's summary
of it. ``summarize`` reads the record, ``apply`` writes a (possibly edited) summary back into it, so
the two always agree, and ``evolve`` moves a stored booking on by one event (cancelled, refunded,
reviewed...), so a booking's record tells its whole life.
"""

from __future__ import annotations

from datetime import date

from sandbox.jsoncopy import copy_json
from sandbox.payloads.common import Resource, compact, link, unzoned, zoned

REVIEW_KEYS = frozenset({"booking.review.created"})
RESPONSE_KEYS = frozenset({"booking.review.responded"})
_EVENT_BLOCKS = ("cancellation", "failure", "payouts", "funds", "review")


def resource(key: str, summary: dict) -> Resource | None:
    """Return the booking a payload is about, or None when it names none."""
    booking_id = summary.get("bookingIdentifier")
    hotel = summary.get("hotelIdentifier") or (summary.get("hotel") or {}).get("hotelIdentifier")
    if not isinstance(booking_id, str) or not isinstance(hotel, str):
        return None
    return Resource("booking", booking_id, hotel)     # a review's event moves its booking on too


def record_resource(key: str, record: dict) -> Resource:
    """Return the booking a full record is."""
    return Resource("booking", record["id"], record["hotel"]["hotelIdentifier"])


def _review_resource(record: dict) -> Resource:
    return Resource("review", record["review"]["identifier"], record["hotel"]["hotelIdentifier"])


def also(key: str, record: dict) -> list[tuple[Resource, dict]]:
    """Return the other records a booking holds that Wink serves on their own path: its review.

    The review record follows Wink's ``Review_Supplier``: the guest's review and the hotel's response.
    """
    review = record.get("review")
    if not isinstance(review, dict) or not review.get("identifier"):
        return []
    response = review.get("response") or {}
    return [(_review_resource(record), {
        "id": review["identifier"],
        "bookingIdentifier": record.get("id"),
        "hotelIdentifier": record["hotel"]["hotelIdentifier"],
        "reviewDate": review.get("createdDate"),
        "roomRating": review.get("rating"),
        "title": review.get("title"),
        "text": review.get("comment"),
        "responded": bool(response),
        "responseFromHotel": response.get("comment"),
        "respondedBy": response.get("respondedBy"),
        "respondedDate": response.get("respondedDate"),
        "approvedText": response.get("approvedText", True) if response else None,
        "approvedImage": response.get("approvedImage", False) if response else None,
    })]


# ---- record -> summary ------------------------------------------------------------------------

def _person(person: dict | None) -> dict | None:
    if not isinstance(person, dict):
        return None
    return compact({name: person.get(name) for name in ("email", "firstName", "lastName", "telephone")})


def _nights(room_stay: dict) -> int | None:
    try:
        return (date.fromisoformat(room_stay["endDate"]) - date.fromisoformat(room_stay["startDate"])).days
    except (KeyError, TypeError, ValueError):
        return None


def refund_state(record: dict) -> str:
    """Say how much of the captured amount came back: NONE, PARTIAL or FULL (settled refunds only)."""
    total = (record.get("sourceTotal") or {}).get("amount") or 0
    settled = sum((refund.get("sourceAmount") or {}).get("amount") or 0
                  for refund in record.get("refunds") or [] if refund.get("status") == "SUCCEEDED")
    if settled <= 0:
        return "NONE"
    return "FULL" if settled >= total else "PARTIAL"


def _refund(record: dict) -> dict | None:
    refunds = record.get("refunds") or []
    if not refunds:
        return None
    latest = refunds[-1]
    return compact({
        "amount": latest.get("sourceAmount"),
        "processedAt": zoned(latest.get("processedDate")),
        "reason": latest.get("reason"),
        "refundIdentifier": latest.get("identifier"),
        "requestedAt": zoned(latest.get("createdDate")),
        "status": latest.get("status"),
    })


def _cancellation(record: dict) -> dict | None:
    cancellation = record.get("cancellation")
    if not cancellation:
        return None
    return compact({
        "cancellationType": cancellation.get("cancellationType"),
        "cancelledOn": zoned(cancellation.get("cancelledOn")),
        "cancellerType": cancellation.get("cancellerType"),
        "reason": cancellation.get("cancelReason"),
    })


def booking_summary(record: dict, base_url: str) -> dict:
    """Return Wink's ``BookingWebhookPayload`` of a full booking record."""
    room_stay = record.get("roomStay") or {}
    hotel = record.get("hotel") or {}
    affiliate = record.get("affiliate") or {}
    return compact({
        "bookingIdentifier": record.get("id"),
        "bookingCode": record.get("bookingCode"),
        "status": record.get("bookingStatus"),
        "refundState": refund_state(record),
        "hotel": compact({"hotelIdentifier": hotel.get("hotelIdentifier"), "name": hotel.get("name"),
                          "currencyCode": hotel.get("currencyCode")}),
        "booker": _person(record.get("booker")),
        "guest": _person(record.get("guestUser")),
        "stay": compact({
            "checkIn": room_stay.get("startDate"),
            "checkOut": room_stay.get("endDate"),
            "adults": room_stay.get("adults"),
            "children": room_stay.get("children"),
            "nights": _nights(room_stay),
            "quantity": room_stay.get("quantity"),
            "roomTypeIdentifier": (room_stay.get("room") or {}).get("id"),
            "roomTypeName": (room_stay.get("room") or {}).get("name"),
            "ratePlanIdentifier": (room_stay.get("ratePlan") or {}).get("identifier"),
            "ratePlanName": (room_stay.get("ratePlan") or {}).get("name"),
        }) if room_stay else None,
        "total": dict(record["sourceTotal"]) if record.get("sourceTotal") else None,
        "reseller": compact({"managingEntityIdentifier": affiliate.get("identifier"),
                             "name": affiliate.get("name")}) if affiliate else None,
        "groupIdentifier": record.get("groupIdentifier"),
        "cancellation": _cancellation(record),
        "refund": _refund(record),
        "createdAt": zoned(record.get("createdDate")),
        "lastUpdatedAt": zoned(record.get("lastUpdate")),
        "links": link(record_resource("booking.create", record), base_url),
    })


def review_summary(record: dict, base_url: str) -> dict:
    """Return Wink's ``ReviewWebhookPayload`` of a reviewed booking."""
    review = record.get("review") or {}
    return compact({
        "bookingIdentifier": record.get("id"),
        "hotelIdentifier": (record.get("hotel") or {}).get("hotelIdentifier"),
        "reviewIdentifier": review.get("identifier"),
        "reviewDate": zoned(review.get("createdDate")),
        "roomRating": review.get("rating"),
        "text": review.get("comment"),
        "responded": bool(review.get("response")),
        "links": link(_review_resource(record), base_url),
    })


def response_summary(record: dict, base_url: str) -> dict:
    """Return Wink's ``ReviewResponseWebhookPayload`` of a booking whose review the hotel answered."""
    review = record.get("review") or {}
    response = review.get("response") or {}
    return compact({
        "bookingIdentifier": record.get("id"),
        "bookingCode": record.get("bookingCode"),
        "hotelIdentifier": (record.get("hotel") or {}).get("hotelIdentifier"),
        "reviewIdentifier": review.get("identifier"),
        "responseFromHotel": response.get("comment") or "",
        "approvedText": response.get("approvedText", True),
        "approvedImage": response.get("approvedImage", False),
        "links": link(_review_resource(record), base_url),
    })


def summarize(key: str, record: dict, base_url: str) -> dict:
    """Return the payload of ``key`` for a full booking record."""
    if key in REVIEW_KEYS:
        return review_summary(record, base_url)
    if key in RESPONSE_KEYS:
        return response_summary(record, base_url)
    return booking_summary(record, base_url)


# ---- summary -> record ------------------------------------------------------------------------

def _put(target: dict, name: str, value) -> None:
    if value is not None:
        target[name] = value


def _apply_person(record: dict, name: str, person) -> None:
    if isinstance(person, dict):
        target = record.setdefault(name, {})
        for field in ("email", "firstName", "lastName", "telephone"):
            _put(target, field, person.get(field))
        if person.get("firstName") or person.get("lastName"):
            target["fullName"] = f"{target.get('firstName', '')} {target.get('lastName', '')}".strip()


def apply(key: str, record: dict, summary: dict) -> dict:
    """Return ``record`` with the summary's values written in (the fields both have)."""
    record = copy_json(record)
    if key in REVIEW_KEYS | RESPONSE_KEYS:
        return _apply_review(key, record, summary)
    _put(record, "id", summary.get("bookingIdentifier"))
    _put(record, "bookingCode", summary.get("bookingCode"))
    _put(record, "bookingStatus", summary.get("status"))
    hotel = summary.get("hotel")
    if isinstance(hotel, dict):
        for field in ("hotelIdentifier", "name", "currencyCode"):
            _put(record.setdefault("hotel", {}), field, hotel.get(field))
    _apply_person(record, "booker", summary.get("booker"))
    _apply_person(record, "guestUser", summary.get("guest"))
    stay = summary.get("stay")
    if isinstance(stay, dict):
        room_stay = record.setdefault("roomStay", {})
        _put(room_stay, "startDate", stay.get("checkIn"))
        _put(room_stay, "endDate", stay.get("checkOut"))
        for field in ("adults", "children", "quantity"):
            _put(room_stay, field, stay.get(field))
        _put(room_stay.setdefault("room", {}), "id", stay.get("roomTypeIdentifier"))
        _put(room_stay["room"], "name", stay.get("roomTypeName"))
        _put(room_stay.setdefault("ratePlan", {}), "identifier", stay.get("ratePlanIdentifier"))
        _put(room_stay["ratePlan"], "name", stay.get("ratePlanName"))
        nights, quantity = _nights(room_stay), room_stay.get("quantity")
        if isinstance(nights, int) and isinstance(quantity, int):
            room_stay["roomNights"] = nights * quantity
    total = summary.get("total")
    if isinstance(total, dict):
        record["sourceTotal"] = dict(total)
        record.setdefault("roomStay", {}).setdefault("price", {})["sourceTotal"] = dict(total)
    reseller = summary.get("reseller")
    if isinstance(reseller, dict):
        _put(record.setdefault("affiliate", {}), "identifier", reseller.get("managingEntityIdentifier"))
        _put(record["affiliate"], "name", reseller.get("name"))
    _put(record, "groupIdentifier", summary.get("groupIdentifier"))
    cancellation = summary.get("cancellation")
    if isinstance(cancellation, dict):
        target = record.setdefault("cancellation", {})
        _put(target, "cancellationType", cancellation.get("cancellationType"))
        _put(target, "cancelledOn", unzoned(cancellation.get("cancelledOn")))
        _put(target, "cancellerType", cancellation.get("cancellerType"))
        _put(target, "cancelReason", cancellation.get("reason"))
    refund = summary.get("refund")
    if isinstance(refund, dict):
        refunds = record.setdefault("refunds", [])
        if not refunds:
            refunds.append({})
        target = refunds[-1]
        _put(target, "identifier", refund.get("refundIdentifier"))
        if isinstance(refund.get("amount"), dict):
            target["sourceAmount"] = dict(refund["amount"])
        _put(target, "reason", refund.get("reason"))
        _put(target, "status", refund.get("status"))
        _put(target, "createdDate", unzoned(refund.get("requestedAt")))
        _put(target, "processedDate", unzoned(refund.get("processedAt")))
    _put(record, "createdDate", unzoned(summary.get("createdAt")))
    _put(record, "lastUpdate", unzoned(summary.get("lastUpdatedAt")))
    return record


def _apply_review(key: str, record: dict, summary: dict) -> dict:
    _put(record, "id", summary.get("bookingIdentifier"))
    _put(record.setdefault("hotel", {}), "hotelIdentifier", summary.get("hotelIdentifier"))
    _put(record, "bookingCode", summary.get("bookingCode"))
    review = record.get("review") or {}
    record["review"] = review
    _put(review, "identifier", summary.get("reviewIdentifier"))
    _put(review, "createdDate", unzoned(summary.get("reviewDate")))
    _put(review, "rating", summary.get("roomRating"))
    _put(review, "comment", summary.get("text"))
    if key in RESPONSE_KEYS and summary.get("responseFromHotel") is not None:
        response = review.get("response") or {}
        review["response"] = response
        response["comment"] = summary["responseFromHotel"]
        _put(response, "approvedText", summary.get("approvedText"))
        _put(response, "approvedImage", summary.get("approvedImage"))
    return record


# ---- a stored booking, moved on by one event --------------------------------------------------

def _scaled(money: dict, ratio: float, total: dict) -> dict:
    return {"amount": round(total["amount"] * ratio, 2), "currency": total["currency"]}


def evolve(key: str, old: dict, new: dict) -> dict:
    """Return the stored booking ``old`` after event ``key``, whose freshly generated booking is ``new``.

    The booking keeps its identity (ids, code, hotel, guest, stay, total); the event brings its new
    status with the history steps that lead there, and its own blocks (cancellation, a refund sized
    as the same share of this booking's total, payouts, funds, review).
    """
    record = copy_json(old)
    status = new.get("bookingStatus")
    history = record.setdefault("statusHistory", [])
    current = record.get("bookingStatus")
    if status and status != current:
        steps = new.get("statusHistory") or []
        start = next((i for i in range(len(steps) - 1, -1, -1) if steps[i].get("toStatus") == current), None)
        added = steps[start + 1:] if start is not None else steps[-1:]
        for step in added:
            # Each step comes after the last one the booking had, whatever the fresh record's clock said.
            latest = history[-1]["timestamp"] if history else ""
            history.append({**step, "fromStatus": history[-1]["toStatus"] if history else None,
                            "timestamp": max(step.get("timestamp") or "", latest)})
        record["bookingStatus"] = status
    total = record.get("sourceTotal")
    new_total = new.get("sourceTotal")
    for block in _EVENT_BLOCKS:
        if new.get(block) is None:
            continue
        if block in ("cancellation", "review") and record.get(block):
            # A booking is cancelled once and reviewed once: later events keep the first; an answer to
            # the review joins the review the guest wrote.
            if block == "review" and new["review"].get("response") and not record["review"].get("response"):
                record["review"]["response"] = copy_json(new["review"]["response"])
            continue
        record[block] = copy_json(new[block])
    if new.get("refunds") and total and new_total:
        for refund in new["refunds"]:
            ratio = refund["sourceAmount"]["amount"] / new_total["amount"] if new_total["amount"] else 1
            if key == "booking.refund.full":
                already = sum(r["sourceAmount"]["amount"] for r in record.get("refunds") or []
                              if r.get("status") == "SUCCEEDED")
                amount = {"amount": round(total["amount"] - already, 2), "currency": total["currency"]}
            else:
                amount = _scaled(refund["sourceAmount"], ratio, total)
            record.setdefault("refunds", []).append({**copy_json(refund), "sourceAmount": amount})
    for block in ("payouts", "funds"):
        if new.get(block) is not None and total and new_total and new_total["amount"]:
            record[block] = copy_json(new[block])
            items = record[block] if isinstance(record[block], list) else [record[block]]
            for item in items:
                share = item["sourceAmount"]["amount"] / new_total["amount"]
                item["sourceAmount"] = _scaled(item["sourceAmount"], share, total)
            if block == "payouts":
                record["payouts"][0]["accountIdentifier"] = record["hotel"]["hotelIdentifier"]
                if len(record["payouts"]) > 1 and record.get("affiliate"):
                    record["payouts"][1]["accountIdentifier"] = record["affiliate"]["identifier"]
    record["lastUpdate"] = new.get("lastUpdate") or record.get("lastUpdate")
    record["version"] = int(record.get("version") or 0) + 1
    return record
