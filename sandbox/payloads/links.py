"""Where the full record behind a payload lives: ``links.self``, on Wink's SUPPLIER-side extranet paths.

The paths are Wink's own single-record GETs (``wink-travel/docs``, ``schemas/supplier-*.json``,
version 30.47.0), each under ``/api/managing-entity/{hotel}/extranet/``:

=================  ==========================================  =====================
record             path after ``/extranet/``                   Wink's operationId
=================  ==========================================  =====================
booking            ``booking/{bookingIdentifier}``             ``showHotelBooking``
review             ``review/{reviewIdentifier}``               ``showReview``
property           ``property`` (the hotel is the path's id)   ``showHotelByManager``
room type          ``facility/room-type/{id}``                 ``showGuestRoom``
meeting room       ``facility/meeting-room/{id}``              ``showMeetingRoom``
restaurant         ``facility/restaurant/{id}``                ``showRestaurant``
spa                ``facility/spa/{id}``                       ``showSpa``
activity           ``experience/activity/{id}``                ``showActivity``
rate plan          ``rate-plan/{id}``                          ``showRatePlan``
master rate        ``master-rate/{id}``                        ``showMasterRate``
add-on             ``add-on/{id}``                             ``showAddOn``
sales channel      ``sales/account/{id}``                      ``showSalesChannel``
special rate       ``promotion/{id}``                          ``showPromotion``
account            ``managing-entity`` (the sandbox's choice)  --
=================  ==========================================  =====================

Wink serves a whole account at ``/api/managing-entity/{id}`` (``showManagingEntity``), outside the
extranet. In the sandbox that path is its own account record (id, name, type), so an account's full
record lives at the analogous ``/api/managing-entity/{id}/extranet/managing-entity``.
"""

from __future__ import annotations

from sandbox.payloads.common import Resource

# kind -> the path after /extranet/ (inventory kinds are Wink's itemType names)
SEGMENTS = {
    "booking": "booking",
    "review": "review",
    "property": "property",
    "managing-entity": "managing-entity",
    "ROOM_TYPE": "facility/room-type",
    "MEETING_ROOM": "facility/meeting-room",
    "RESTAURANT": "facility/restaurant",
    "SPA": "facility/spa",
    "ACTIVITY": "experience/activity",
    "RATE_PLAN": "rate-plan",
    "MASTER_RATE": "master-rate",
    "ADD_ON": "add-on",
    "SALES_CHANNEL": "sales/account",
    "SPECIAL_RATE": "promotion",
}
KINDS = {segment: kind for kind, segment in SEGMENTS.items()}
# The hotel's (or account's) own record: the path's managing entity is its id.
SINGLETONS = frozenset({"property", "managing-entity"})


def path_of(resource: Resource) -> str:
    """Return the canonical path of a stored record."""
    base = f"/api/managing-entity/{resource.hotel}/extranet/{SEGMENTS[resource.kind]}"
    return base if resource.kind in SINGLETONS else f"{base}/{resource.id}"
