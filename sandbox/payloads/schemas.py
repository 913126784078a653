"""The JSON Schemas of Wink's six payloads, strict enough to catch a mistyped override.

``BookingWebhookPayload`` and its parts, ``WebhookLinks`` and ``WebhookMoney`` are Wink's own, verbatim
from ``data/wink-schemas.json``. The other four (review, review response, property, managing entity,
inventory item) are written here from the spec's component definitions, field for field. For
validation every object is closed (``additionalProperties: false``), a sandbox strictness the spec does
not state: a ``set stay.adutls=3`` is refused instead of adding a field Wink never sends.
"""

from __future__ import annotations

import copy
import json
from functools import cache

from sandbox.schemas import wink_schema

UUID = {"type": "string", "format": "uuid"}
DATETIME = {"type": "string", "format": "date-time"}
STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
LINKS = {"$ref": "#/$defs/WebhookLinks"}
ENTITY_STATUSES = ["PENDING_APPROVAL", "ACTIVE", "INACTIVE", "UNDER_REVIEW", "SUSPENDED", "REJECTED",
                   "REMOVED"]
ENTITY_TYPES = ["TRIP_PAY", "FACILITATOR", "DIRECT", "APPLICATION", "HOTEL", "TRAVELIKO", "CORPORATE",
                "TRAVEL_AGENT", "INFLUENCER", "BLOGGER", "DESTINATION", "CHANNEL_MANAGER",
                "PROPERTY_MANAGEMENT_SYSTEM", "CENTRAL_RESERVATION_SYSTEM", "GOOGLE_HOTEL_API",
                "MANAGEMENT_COMPANY", "CHAIN", "BRAND", "EVENT_ORGANIZER", "OTHER"]
ITEM_TYPES = ["ROOM_TYPE", "RATE_PLAN", "MASTER_RATE", "ADD_ON", "MEETING_ROOM", "RESTAURANT", "SPA",
              "ACTIVITY", "SALES_CHANNEL", "SPECIAL_RATE"]


def _obj(description: str, properties: dict, required: list[str]) -> dict:
    return {"type": "object", "description": description, "properties": properties, "required": required}


WRITTEN = {
    "ReviewWebhookPayload": _obj("A guest review submitted for a booking.", {
        "bookingIdentifier": UUID, "hotelIdentifier": UUID, "links": LINKS,
        "responded": {**BOOLEAN, "description": "Whether the hotel has responded."},
        "reviewDate": {**DATETIME, "description": "When the guest submitted it."},
        "reviewIdentifier": UUID,
        "roomRating": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 10,
                       "description": "Room rating 0-10."},
        "text": {**STRING, "description": "Guest's written review."},
    }, ["bookingIdentifier", "hotelIdentifier", "links", "reviewIdentifier"]),
    "ReviewResponseWebhookPayload": _obj("A hotel's response to a guest review.", {
        "approvedImage": BOOLEAN, "approvedText": BOOLEAN, "bookingCode": STRING,
        "bookingIdentifier": UUID, "hotelIdentifier": UUID, "links": LINKS,
        "responseFromHotel": STRING,
        "reviewIdentifier": {**UUID,
                             "description": "Review identifier, when the booking carries the review."},
    }, ["bookingIdentifier", "hotelIdentifier", "links", "responseFromHotel"]),
    "PropertyWebhookPayload": _obj("Summary of a property (hotel).", {
        "address": {"$ref": "#/$defs/PropertyWebhookPayload.Address"},
        "currencyCode": {**STRING, "example": "THB"},
        "hotelIdentifier": {**UUID, "description": "Hotel (managing entity) identifier."},
        "lastUpdatedAt": DATETIME,
        "links": LINKS,
        "location": {"$ref": "#/$defs/PropertyWebhookPayload.GeoPoint"},
        "name": {**STRING, "description": "Trade name."},
        "status": {"type": "string", "enum": ENTITY_STATUSES},
        "urlName": {**STRING, "description": "URL-friendly slug."},
    }, ["hotelIdentifier", "links", "name"]),
    "PropertyWebhookPayload.Address": _obj("Address.", {
        "addressLine1": STRING, "addressLine2": STRING, "city": STRING,
        "countryCode": {**STRING, "description": "ISO-3166 alpha-2.", "example": "TH"},
        "postalCode": STRING, "state": STRING,
    }, []),
    "PropertyWebhookPayload.GeoPoint": _obj("Geolocation. NOTE: longitude first.", {
        "latitude": {"type": "number", "format": "double", "description": "Latitude (y)."},
        "longitude": {"type": "number", "format": "double", "description": "Longitude (x)."},
    }, []),
    "ManagingEntityWebhookPayload": _obj("Summary of a managing entity (account).", {
        "countryCode": {**STRING, "description": "Country of the business address, ISO-3166 alpha-2."},
        "lastUpdatedAt": DATETIME,
        "links": LINKS,
        "managingEntityIdentifier": UUID,
        "name": {**STRING, "description": "Display name."},
        "status": {"type": "string", "enum": ENTITY_STATUSES},
        "type": {"type": "string", "enum": ENTITY_TYPES,
                 "description": "Entity type (HOTEL, TRAVEL_AGENT, …)."},
        "urlName": STRING,
    }, ["links", "managingEntityIdentifier", "name"]),
    "InventoryItemWebhookPayload": _obj(
        "Summary of a sellable inventory item (room type, rate plan, master rate, add-on, facility, sales "
        "channel, promotion).", {
            "active": {**BOOLEAN, "description": "Whether the item is currently on sale / enabled."},
            "counterpartyIdentifier": {**UUID, "description": "For sales channels: the reseller (owner) "
                                                              "managing entity identifier."},
            "hotelIdentifier": {**UUID, "description": "Owning hotel (managing entity) identifier."},
            "itemIdentifier": UUID,
            "itemType": {"type": "string", "enum": ITEM_TYPES},
            "lastUpdatedAt": DATETIME,
            "links": LINKS,
            "name": {**STRING, "description": "Display name."},
        }, ["hotelIdentifier", "itemIdentifier", "itemType", "links"]),
}
VERBATIM = ["BookingWebhookPayload", "BookingWebhookPayload.Cancellation", "BookingWebhookPayload.Guest",
            "BookingWebhookPayload.Hotel", "BookingWebhookPayload.Refund", "BookingWebhookPayload.Reseller",
            "BookingWebhookPayload.Stay", "WebhookLinks", "WebhookMoney"]
PAYLOADS = ("BookingWebhookPayload", "ReviewWebhookPayload", "ReviewResponseWebhookPayload",
            "PropertyWebhookPayload", "ManagingEntityWebhookPayload", "InventoryItemWebhookPayload")


@cache
def _defs() -> dict:
    defs = {name: wink_schema(name) for name in VERBATIM}
    defs.update(copy.deepcopy(WRITTEN))
    text = json.dumps(defs).replace("#/components/schemas/", "#/$defs/")
    return json.loads(text)


def _closed(schema):
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            schema["additionalProperties"] = False
        for value in schema.values():
            _closed(value)
    elif isinstance(schema, list):
        for value in schema:
            _closed(value)
    return schema


def payload_schema(name: str, *, strict: bool = False) -> dict:
    """Return the JSON Schema (2020-12) of one of Wink's six payloads, with its parts under ``$defs``.

    ``strict`` closes every object (the sandbox's validation); without it the schema is Wink's as
    published (the event-type route serves that one).
    """
    defs = copy.deepcopy(_defs())
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": name,
              **defs[name], "$defs": defs}
    return _closed(schema) if strict else schema
