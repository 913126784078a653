"""Where the fields of the sandbox's old ``data`` went in Wink's payloads, to say so in errors.

Before Wink published its payloads the sandbox delivered its full records as ``data``. An override,
``set`` path or fixture written for them (``roomStay.adults``) now names no field of the ``object``;
the 400 then says where the field went (``stay.adults``) instead of only refusing it.
"""

from __future__ import annotations

BOOKING = {
    "id": "bookingIdentifier",
    "bookingStatus": "status",
    "statusHistory": None,
    "guestUser": "guest",
    "roomStay": "stay",
    "roomStay.startDate": "stay.checkIn",
    "roomStay.endDate": "stay.checkOut",
    "roomStay.roomNights": "stay.nights",
    "roomStay.room": "stay.roomTypeIdentifier / stay.roomTypeName",
    "roomStay.room.id": "stay.roomTypeIdentifier",
    "roomStay.room.name": "stay.roomTypeName",
    "roomStay.ratePlan": "stay.ratePlanIdentifier / stay.ratePlanName",
    "roomStay.ratePlan.identifier": "stay.ratePlanIdentifier",
    "roomStay.ratePlan.name": "stay.ratePlanName",
    "roomStay.price": None,
    "sourceTotal": "total",
    "displayTotal": None,
    "sourceCurrency": "hotel.currencyCode",
    "displayCurrency": None,
    "affiliate": "reseller",
    "affiliate.identifier": "reseller.managingEntityIdentifier",
    "refunds": "refund (one refund, not a list)",
    "cancellation.cancelReason": "cancellation.reason",
    "createdDate": "createdAt",
    "lastUpdate": "lastUpdatedAt",
}
PROPERTY = {"id": "hotelIdentifier", "managingEntityIdentifier": "hotelIdentifier", "geolocation": "location",
            "address.line1": "address.addressLine1", "address.line2": "address.addressLine2",
            "lastUpdate": "lastUpdatedAt"}
MANAGING_ENTITY = {"id": "managingEntityIdentifier", "address.countryCode": "countryCode",
                   "lastUpdate": "lastUpdatedAt"}
INVENTORY = {"id": "itemIdentifier", "propertyIdentifier": "hotelIdentifier", "status": "active",
             "lastUpdate": "lastUpdatedAt"}
BY_PAYLOAD = {"BookingWebhookPayload": BOOKING, "PropertyWebhookPayload": PROPERTY,
              "ManagingEntityWebhookPayload": MANAGING_ENTITY, "InventoryItemWebhookPayload": INVENTORY}


def hint(payload: str | None, field: str) -> str | None:
    """Say where an old ``data`` field went, for a problem's ``object.`` path; None when unknown."""
    moves = BY_PAYLOAD.get(payload or "")
    if not moves or not field.startswith("object."):
        return None
    path = field.removeprefix("object.")
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        old = ".".join(parts[:end])
        if old in moves:
            new = moves[old]
            rest = ".".join(parts[end:])
            if new is None:
                return (f"{old} was a field of the sandbox's old data; Wink's payload has no such field "
                        "(the full record behind links.self has it)")
            plain = "/" not in new and "(" not in new
            return f"{old} is now {new}{'.' + rest if rest and plain else ''} in Wink's payload"
    return None
