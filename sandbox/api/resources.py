"""A mock of Wink's resource API: the full record behind every ``links.self`` the sandbox has sent.

``GET /api/managing-entity/{hotel}/extranet/{path}`` answers the record as it stands after the events
fired about it, on Wink's own paths (``sandbox.payloads.links`` lists them). Wink serves these paths to
the SUPPLIER only; the sandbox serves them to anyone who may call its API (``SANDBOX_TOKEN`` applies).
"""

from __future__ import annotations

from flask import jsonify

from sandbox.api import api
from sandbox.db import get_db
from sandbox.payloads.links import KINDS, SINGLETONS
from sandbox.store import resources


def get_resource(hotel: str, resource_id: str, kind: str):
    return jsonify(resources.get_resource(get_db(), hotel, kind, resource_id))


def get_own_record(hotel: str, kind: str):
    """The hotel's property, or the account's own record: the path's managing entity is its id."""
    return jsonify(resources.get_resource(get_db(), hotel, kind, hotel))


# One route per Wink path (facility/room-type/{id}, sales/account/{id}, property...), so the routes and
# the OpenAPI document name the same paths.
for _segment, _kind in KINDS.items():
    if _kind in SINGLETONS:
        api.add_url_rule(f"/managing-entity/<hotel>/extranet/{_segment}", f"resource_{_kind}",
                         get_own_record, methods=["GET"], defaults={"kind": _kind})
    else:
        api.add_url_rule(f"/managing-entity/<hotel>/extranet/{_segment}/<resource_id>", f"resource_{_kind}",
                         get_resource, methods=["GET"], defaults={"kind": _kind})


_RESOURCE = {"type": "object", "description": "The full record, as Wink's extranet API gives it"}
_HOTEL = {"name": "hotel", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "The hotel (managing entity) whose extranet serves the record"}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "The record's id (bookingIdentifier, reviewIdentifier, itemIdentifier...)"}


def _operation(kind: str) -> dict:
    what = kind.lower().replace("_", " ").replace("-", " ")
    return {
        "tags": ["Resources"], "summary": f"The full {what} record behind a payload's links.self",
        "description": "Every `links.self` the sandbox sends points at one of these paths (Wink's own). The "
                       "record is stored with its first event and moves on with later events about the same "
                       "resource. Wink serves these paths to the SUPPLIER only; the sandbox serves everyone "
                       "its API serves.",
        "operationId": "get" + "".join(part.title() for part in what.split()),
        "responses": {"200": {"description": "The record", "content": {"application/json": {
            "schema": _RESOURCE}}}, "404": {"$ref": "#/components/responses/NotFound"}},
    }


OPENAPI_PATHS = {
    (f"/api/managing-entity/{{hotel}}/extranet/{segment}" if kind in SINGLETONS
     else f"/api/managing-entity/{{hotel}}/extranet/{segment}/{{id}}"): {
        "parameters": [_HOTEL] if kind in SINGLETONS else [_HOTEL, _ID],
        "get": _operation(kind),
    }
    for segment, kind in KINDS.items()
}
