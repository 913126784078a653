"""The two grids' fields: what each of Wink's field names reads in SQL, and Wink's statuses.

Deliveries keep the sandbox's lower-case statuses; on Wink's routes they read as Wink's names
(``failed`` is Wink's ``DEAD``). A letter's status follows from its deliveries: the sandbox fans a
letter out in the transaction that stores it, so a letter is ``DISPATCHED`` (at least one delivery)
or ``NO_SUBSCRIBERS`` (none) from the start, and never ``NEW``; filtering on ``NEW`` finds nothing.

Sorting by ``createdDate`` (deliveries) or ``occurredAt`` (letters) is newest first by default; ties
are broken by the order rows were written, in the direction of the last sort given.
"""

from __future__ import annotations

from sandbox import catalog
from sandbox.outbox.state import Field, Grid

# The sandbox's delivery status -> Wink's.
# ``held`` (the sandbox's hold and release) is Wink's PENDING: Wink never shows a hold.
DELIVERY_STATUSES = {"pending": "PENDING", "retrying": "RETRYING", "succeeded": "SUCCEEDED",
                     "failed": "DEAD", "cancelled": "CANCELLED", "held": "PENDING"}
WINK_DELIVERY_STATUSES = {"PENDING": "pending", "RETRYING": "retrying", "SUCCEEDED": "succeeded",
                          "DEAD": "failed", "CANCELLED": "cancelled"}
# Wink's name -> the stored statuses it stands for.
STORED_STATUSES = {wink: [ours for ours, name in DELIVERY_STATUSES.items() if name == wink]
                   for wink in WINK_DELIVERY_STATUSES}
EVENT_STATUSES = ("NEW", "DISPATCHED", "NO_SUBSCRIBERS")

# The letter's occurredAt, as its stored body says it (an index in migration m040 holds it).
OCCURRED_AT = ("case when json_valid(cast(e.body as text)) "
               "then json_extract(cast(e.body as text), '$.occurredAt') end")


def delivery_status(stored: str) -> str:
    """Return Wink's name of a stored delivery status."""
    return DELIVERY_STATUSES[stored]


def event_status(delivery_count: int) -> str:
    """Return Wink's outbox status of a letter with this many deliveries."""
    return "DISPATCHED" if delivery_count > 0 else "NO_SUBSCRIBERS"


DELIVERIES = Grid(
    name="deliveries",
    fields={
        "status": Field(
            "status", "status",
            column=("case d.status when 'failed' then 'DEAD' when 'held' then 'PENDING' "
                    "else upper(d.status) end"),
            order="d.status",   # the stored names sort as Wink's do: cancelled < failed < pending ...
            statuses={wink: "d.status in (" + ", ".join(f"'{ours}'" for ours in stored) + ")"
                      for wink, stored in STORED_STATUSES.items()},
        ),
        "type": Field("type", "text", column="d.event_key", order="d.event_key",
                      canonical=catalog.wire_key),
        "webhookId": Field("webhookId", "text", column="d.webhook_id", order="d.webhook_id"),
        "createdDate": Field("createdDate", "datetime", column="d.created", order="d.created",
                             precision="ms"),
    },
    default_sort=(("createdDate", "desc"),),
    tiebreak=("d.created", "d.seq"),
    counted=STORED_STATUSES,               # delivery_counts.status
)

EVENTS = Grid(
    name="events",
    fields={
        "type": Field("type", "text", column="e.event_key", order="e.event_key",
                      canonical=catalog.wire_key),
        "status": Field(
            "status", "status",
            column="case when e.delivery_count > 0 then 'DISPATCHED' else 'NO_SUBSCRIBERS' end",
            order="(e.delivery_count = 0)",   # DISPATCHED before NO_SUBSCRIBERS, as their names sort
            statuses={"NEW": "0", "DISPATCHED": "e.delivery_count > 0",
                      "NO_SUBSCRIBERS": "e.delivery_count = 0"},
        ),
        "occurredAt": Field("occurredAt", "datetime", column=OCCURRED_AT, order=OCCURRED_AT, precision="s"),
    },
    default_sort=(("occurredAt", "desc"),),
    tiebreak=(OCCURRED_AT, "e.seq"),
    counted={"DISPATCHED": 1, "NO_SUBSCRIBERS": 0},   # event_counts.dispatched (none is ever NEW)
)
