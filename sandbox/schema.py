"""The schema as code: every table and index, as ordered migrations.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite_utils

from sandbox.db import migrations


@migrations()
def m001_accounts_and_webhooks(db: sqlite_utils.Database) -> None:
    db["accounts"].create(
        {
            "id": str,
            "name": str,
            "type": str,
            "created_date": str,
        },
        pk="id",
        not_null={"name", "type", "created_date"},
    )
    db["accounts"].create_index(["created_date"])
    db["webhooks"].create(
        {
            "id": str,
            "account_id": str,
            "name": str,
            "enabled": int,
            "event_url": str,
            "event_list": str,  # JSON array; empty means all events
            "version": int,
            "created_date": str,
            "last_update": str,
            "user_identifier": str,
            "secret": str,
            "previous_secret": str,
            "previous_secret_expires": str,
            "retry_schedule": str,  # JSON array of seconds, or NULL for the server's setting
        },
        pk="id",
        not_null={"account_id", "name", "enabled", "event_url", "event_list", "version",
                  "created_date", "last_update", "secret"},
        defaults={"enabled": 1, "version": 1, "event_list": "[]"},
        foreign_keys=[("account_id", "accounts", "id")],
    )
    db["webhooks"].create_index(["account_id", "created_date"])


@migrations()
def m002_meta(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})


@migrations()
def m010_delivery_events_deliveries_attempts_log(db: sqlite_utils.Database) -> None:
    """The delivery engine's tables (issue 4): fired events, their deliveries, every attempt, the live log.

    No foreign keys to accounts or webhooks on purpose: deleting either keeps the history.
    """
    db.execute("""
        create table events (
            seq integer primary key,            -- firing order; the list cursor
            id text not null unique,            -- the envelope's id, sent as Wink-Event-Id
            event_key text not null,
            account_id text not null,
            account_name text not null,
            created text not null,              -- ISO 8601 UTC with ms and Z
            seed integer,
            locale text,
            chaos text,                         -- JSON object or NULL
            target_webhook_id text,             -- set when fired at one webhook only
            delivery_count integer not null default 0,
            body blob not null                  -- the exact bytes every attempt sends
        )
    """)
    db.execute("create index events_by_key on events (event_key, seq)")
    db.execute("create index events_by_account on events (account_id, seq)")
    db.execute("""
        create table deliveries (
            seq integer primary key,            -- per-webhook sending order; the list cursor
            id text not null unique,
            event_seq integer not null,
            event_id text not null,
            event_key text not null,
            account_id text not null,
            webhook_id text not null,
            webhook_name text not null,
            event_url text not null,            -- the URL of the latest attempt (or the one at firing)
            status text not null default 'pending',  -- pending, retrying, succeeded, failed, cancelled
            claimed integer not null default 0,      -- 1 while the engine holds it (queued or in flight)
            next_at real,                       -- unix seconds when the next attempt is due
            next_trigger text not null default 'initial',  -- initial, retry, manual
            attempts integer not null default 0,
            schedule_step integer not null default 0,      -- automatic attempts made so far
            last_status_code integer,
            last_error text,
            last_attempt_at text,
            created text not null,
            updated text not null,
            chaos text,
            stale_seconds integer not null default 0
        )
    """)
    db.execute("create index deliveries_by_webhook on deliveries (webhook_id, seq)")
    db.execute("create index deliveries_by_event on deliveries (event_id)")
    db.execute("create index deliveries_by_status on deliveries (status, seq)")
    db.execute("create index deliveries_by_account on deliveries (account_id, seq)")
    db.execute("create index deliveries_by_key on deliveries (event_key, seq)")
    db.execute("create index deliveries_queue on deliveries (seq) "
               "where claimed = 0 and status in ('pending', 'retrying')")
    db.execute("create index deliveries_due on deliveries (next_at) "
               "where claimed = 0 and status in ('pending', 'retrying')")
    db.execute("create index deliveries_claimed on deliveries (seq) where claimed = 1")
    db.execute("""
        create table attempts (
            id integer primary key,
            delivery_id text not null,
            attempt integer not null,
            trigger text not null,              -- initial, retry, manual
            started text not null,
            request_url text not null,
            request_headers text not null,      -- JSON object
            request_body blob,                  -- NULL: exactly the event's body
            response_status integer,
            response_headers text,              -- JSON object or NULL
            response_body blob,
            response_truncated integer not null default 0,
            duration_ms real not null,
            error text,
            status text not null,               -- the delivery's status after this attempt
            next_attempt_at text
        )
    """)
    db.execute("create index attempts_by_delivery on attempts (delivery_id, attempt)")
    db.execute("""
        create table log (
            id integer primary key autoincrement,   -- the live log's cursor
            type text not null,
            created text not null,
            account_id text,
            webhook_id text,
            event_key text,
            event_id text,
            delivery_id text,
            status text,
            message text not null                   -- JSON object, without type/cursor/at
        )
    """)
    db.execute("create index log_by_account on log (account_id, id)")
    db.execute("create index log_by_webhook on log (webhook_id, id)")
    db.execute("create index log_by_key on log (event_key, id)")
    db.execute("create index log_by_event on log (event_id)")
    db.execute("create index log_by_delivery on log (delivery_id)")


@migrations()
def m020_inboxes(db: sqlite_utils.Database) -> None:
    """The sandbox's own receiver (issue 5): each inbox's configured answer and its captured requests.

    ``seq`` counts the captures an inbox ever received; each capture keeps its number, so pruning to
    the cap is one indexed range delete. Captures are not linked to webhooks by key: deleting a
    webhook keeps what its inbox received.
    """
    db.execute("""
        create table inboxes (
            name text primary key,
            created text not null,
            updated text not null,
            status integer not null default 200,      -- the configured answer
            body text,                                -- NULL: a small JSON acknowledgement
            content_type text,
            headers text not null default '{}',       -- JSON object
            delay real not null default 0,            -- seconds before answering
            fail_first integer not null default 0,    -- fail this many requests, then answer as configured
            fail_status integer not null default 500,
            failed integer not null default 0,        -- requests failed so far under fail_first
            seq integer not null default 0,           -- captures ever received
            last_received text
        )
    """)
    db.execute("""
        create table inbox_captures (
            id integer primary key autoincrement,     -- the live cursor and the capture id
            inbox text not null references inboxes (name),
            seq integer not null,
            received text not null,                   -- ISO 8601 UTC with ms and Z
            method text not null,
            path text not null,
            query text not null,
            headers text not null,                    -- JSON object
            body blob,                                -- NULL when refused
            body_size integer not null,
            refused integer not null default 0,       -- 1: over the size limit, answered 413
            client text,
            response_status integer not null,
            response_reason text not null,            -- configured, fail-first, query, refused, invalid
            delay real not null default 0,
            verified integer,                         -- NULL: the inbox is bound to no webhook
            verify_reason text,
            webhook_id text                           -- the bound webhook whose secret verified
        )
    """)
    db.execute("create unique index inbox_captures_by_seq on inbox_captures (inbox, seq)")


@migrations()
def m011_delivery_indexes_for_the_hot_path(db: sqlite_utils.Database) -> None:
    """Drop delivery indexes that every attempt paid for and few reads used.

    Without them the claim walks ``deliveries_queue`` in sending order instead of sorting every
    pending row through ``deliveries_by_status``; listing by status scans newest-first instead.
    """
    for name in ("deliveries_by_status", "deliveries_due", "deliveries_claimed", "log_by_key",
                 "log_by_delivery"):
        db.execute(f"drop index if exists {name}")


@migrations()
def m030_wink_wire_contract(db: sqlite_utils.Database) -> None:
    """Speak Wink's published contract (issue 10): signing profiles, recipients, Wink's envelope.

    - ``webhooks.profile``: the webhook's signing profile (``wink``, ``standard-webhooks``), NULL for
      the server's ``SANDBOX_PROFILE``.
    - ``events.recipient_role``: why the addressed account receives the letter (SUPPLIER, AFFILIATE,
      AGENT, SELF); ``events.occurrence_id``: the platform event the letter is one recipient's copy of
      (the letters of one booking to the hotel and to the reseller share it).
    - Stored bodies ``{id, event, createdDate, entity, data}`` become Wink's
      ``{id, type, occurredAt, ownerIdentifier, recipientRole, schemaVersion, object}`` with the same id,
      owner and payload, so deliveries still queued in an old database go out in the new form, and
      ``booking.created`` rows become ``booking.create`` (the key on the wire).
    """
    from sandbox import envelope

    db.execute("alter table webhooks add column profile text")
    db.execute("alter table events add column recipient_role text")
    db.execute("alter table events add column occurrence_id text")
    db.execute("create temp table _roles (event_key text, account_type text, role text)")
    pairs = db.execute(
        "select distinct events.event_key, coalesce(accounts.type, '') from events "
        "left join accounts on accounts.id = events.account_id"
    ).fetchall()
    db.conn.executemany("insert into _roles values (?, ?, ?)", [
        (key, kind, envelope.role_for(key, {"type": kind or "HOTEL"}) or "SUPPLIER") for key, kind in pairs
    ])
    db.execute("""
        update events set
            event_key = case when event_key = 'booking.created' then 'booking.create' else event_key end,
            occurrence_id = id,
            recipient_role = coalesce((
                select role from _roles where _roles.event_key = events.event_key
                and _roles.account_type = coalesce((select type from accounts
                                                    where accounts.id = events.account_id), '')
            ), 'SUPPLIER')
    """)
    db.execute("""
        update events set body = cast(json_object(
            'id', json_extract(cast(body as text), '$.id'),
            'type', event_key,
            'occurredAt', substr(json_extract(cast(body as text), '$.createdDate'), 1, 19) || 'Z',
            'ownerIdentifier', json_extract(cast(body as text), '$.entity.identifier'),
            'recipientRole', recipient_role,
            'schemaVersion', 2,
            'object', json(json_extract(cast(body as text), '$.data'))
        ) as blob)
        where json_extract(cast(body as text), '$.event') is not null
    """)
    db.execute("update deliveries set event_key = 'booking.create' where event_key = 'booking.created'")
    db.execute("drop table _roles")


@migrations()
def m031_resources(db: sqlite_utils.Database) -> None:
    """The full records behind ``links.self`` (issue 11): one row per resource, evolving with its events.

    ``kind`` is ``booking``, ``property``, ``managing-entity`` or an inventory item type (``ROOM_TYPE``...);
    ``hotel`` is the account whose extranet path serves it. ``events`` counts the events that shaped it.
    """
    db.execute("""
        create table resources (
            kind text not null,
            id text not null,
            hotel text not null,
            record text not null,               -- JSON: the full record, as Wink's extranet API gives it
            created text not null,
            updated text not null,
            events integer not null default 1,
            last_event_id text,
            last_event_key text,
            primary key (kind, id)
        )
    """)


@migrations()
def m032_events_undelivered(db: sqlite_utils.Database) -> None:
    """Mark the letters of keys Wink never delivers (issue 11): ``events.undelivered`` is 1 when the
    event was fired with ``"undelivered": true`` (a listed, legacy or example-only key), so it is not
    a letter Wink would send. Events stored before this migration are marked by their key."""
    from sandbox import catalog

    db.execute("alter table events add column undelivered integer not null default 0")
    never = [key for key in catalog.keys() if not catalog.is_delivered(key)]
    marks = ", ".join("?" * len(never))
    db.execute(f"update events set undelivered = 1 where event_key in ({marks})", never)


@migrations()
def m040_outbox_grids(db: sqlite_utils.Database) -> None:
    """Indexes and running counts for Wink's outbox grids (issue 12): one account's deliveries or letters,
    filtered and paged.

    Each index starts with the account (every grid is one account's) and ends with the default sort
    (``created``; a letter's ``occurredAt`` as its body says it), so a page is read in order and
    ``totalElements`` is counted from the index alone. The delivery indexes that hold ``status``
    change with every attempt; the others only grow.

    ``delivery_counts`` (per account, webhook and status) and ``event_counts`` (per account, and
    whether the letter has deliveries) are kept by triggers, so the grids' most common totals (no
    filter, a webhook, a status) are a sum of a few rows however many deliveries are stored.
    """
    for name, columns in (
        ("deliveries_outbox", "account_id, created"),
        ("deliveries_outbox_by_status", "account_id, status, created"),
        ("deliveries_outbox_by_webhook", "account_id, webhook_id, status, created"),
        ("deliveries_outbox_by_key", "account_id, event_key, created"),
    ):
        db.execute(f"create index {name} on deliveries ({columns})")
    occurred = ("case when json_valid(cast(body as text)) "
                "then json_extract(cast(body as text), '$.occurredAt') end")
    # seq after occurredAt: the page order's tie-break; delivery_count: the status, read from the index.
    db.execute(f"create index events_outbox on events (account_id, {occurred}, seq, delivery_count)")
    db.execute(f"create index events_outbox_by_key on events "
               f"(account_id, event_key, {occurred}, seq, delivery_count)")
    db.execute("""
        create table delivery_counts (
            account_id text not null,
            webhook_id text not null,
            status text not null,
            n integer not null,
            primary key (account_id, webhook_id, status)
        ) without rowid
    """)
    db.execute("insert into delivery_counts select account_id, webhook_id, status, count(*) from deliveries "
               "group by account_id, webhook_id, status")
    count_in = ("insert into delivery_counts values (new.account_id, new.webhook_id, new.status, 1) "
                "on conflict (account_id, webhook_id, status) do update set n = n + 1;")
    count_out = ("update delivery_counts set n = n - 1 where account_id = old.account_id "
                 "and webhook_id = old.webhook_id and status = old.status;")
    db.execute(f"create trigger deliveries_counted after insert on deliveries begin {count_in} end")
    db.execute(f"create trigger deliveries_uncounted after delete on deliveries begin {count_out} end")
    db.execute(f"""
        create trigger deliveries_recounted after update of status, account_id, webhook_id on deliveries
        when old.status is not new.status or old.account_id is not new.account_id
             or old.webhook_id is not new.webhook_id
        begin {count_out} {count_in} end
    """)
    db.execute("""
        create table event_counts (
            account_id text not null,
            dispatched integer not null,        -- 1: the letter has deliveries, 0: nobody subscribed
            n integer not null,
            primary key (account_id, dispatched)
        ) without rowid
    """)
    db.execute("insert into event_counts select account_id, delivery_count > 0, count(*) from events "
               "group by account_id, delivery_count > 0")
    db.execute("""
        create trigger events_counted after insert on events begin
            insert into event_counts values (new.account_id, new.delivery_count > 0, 1)
            on conflict (account_id, dispatched) do update set n = n + 1;
        end
    """)
    db.execute("""
        create trigger events_uncounted after delete on events begin
            update event_counts set n = n - 1 where account_id = old.account_id
            and dispatched = (old.delivery_count > 0);
        end
    """)
    db.execute("""
        create trigger events_recounted after update of account_id, delivery_count on events
        when old.account_id is not new.account_id or (old.delivery_count > 0) is not (new.delivery_count > 0)
        begin
            update event_counts set n = n - 1 where account_id = old.account_id
            and dispatched = (old.delivery_count > 0);
            insert into event_counts values (new.account_id, new.delivery_count > 0, 1)
            on conflict (account_id, dispatched) do update set n = n + 1;
        end
    """)


@migrations()
def m041_indexes_for_every_filter(db: sqlite_utils.Database) -> None:
    """Indexes so that no list, filter or websocket subscription reads a million rows (issue 13).

    - ``deliveries_listed_by_status``: ``GET /api/deliveries?status=`` pages newest first through the
      status's own rows (a rare status, or none, was a walk over every delivery). It changes with
      every attempt, as the outbox's status indexes already do; ``deliveries_by_webhook_status`` does the
      same for one webhook's deliveries in one status (a quiet webhook's failures, say).
    - ``deliveries_by_created``: ``?since=`` finds the deliveries created since without walking the older
      ones (the list uses it when few match; when many do, the newest are the ones it wants).
    - ``deliveries_in_flight``: the claims released at start-up are found without a full scan; it holds
      only the rows in flight, so a claim adds one small entry and its release removes it.
    - The live log's filters (``deliveryId``, ``status``, ``type``, ``event``) each get an index, ending in
      the cursor (the rowid), so a backlog or a resume reads only the matching rows, in order.
    """
    db.execute("create index deliveries_listed_by_status on deliveries (status)")
    db.execute("create index deliveries_by_webhook_status on deliveries (webhook_id, status)")
    db.execute("create index deliveries_by_created on deliveries (created)")
    db.execute("create index deliveries_in_flight on deliveries (seq) where claimed = 1")
    db.execute("create index log_by_delivery_id on log (delivery_id)")
    db.execute("create index log_by_status on log (status)")
    db.execute("create index log_by_type on log (type)")
    db.execute("create index log_by_event_key on log (event_key)")


@migrations()
def m050_holds(db: sqlite_utils.Database) -> None:
    """Hold and release, per webhook (issue 15).

    ``holds`` names the webhooks on hold. A held webhook's deliveries wait with status ``held`` (Wink's
    routes read it as ``PENDING``): the engine's claim reads only ``pending`` and ``retrying`` rows, so a
    held delivery is never claimed, and it stays in the database through any crash. ``hold_rank`` is its
    place in the webhook's queue (smaller first); ``deliveries_held`` reads a queue in order.
    """
    db.execute("""
        create table holds (
            webhook_id text primary key,
            since text not null                 -- ISO 8601 UTC with ms and Z
        ) without rowid
    """)
    db.execute("alter table deliveries add column hold_rank integer")
    db.execute("create index deliveries_held on deliveries (webhook_id, hold_rank) where status = 'held'")


@migrations()
def m065_scenario_runs(db: sqlite_utils.Database) -> None:
    """Scenario runs (issue 15, session bundles): each fixture run through the engine, with its parameters
    and the letters it fired, so a bundle can hold "this run" and say what made it.

    ``run_events`` keeps each fired letter's position in the run and its step's name.
    """
    db.execute("""
        create table runs (
            id text primary key,
            fixture text not null,
            kind text not null,                 -- event or scenario
            params text not null,               -- JSON: every option of the run (params, set, seed, chaos...)
            started text not null,              -- ISO 8601 UTC with ms and Z
            finished text not null
        )
    """)
    db.execute("create index runs_by_started on runs (started)")
    db.execute("""
        create table run_events (
            run_id text not null references runs (id) on delete cascade,
            position integer not null,
            step text not null,
            event_id text not null,
            primary key (run_id, position)
        )
    """)


@migrations()
def m066_imported_bundles(db: sqlite_utils.Database) -> None:
    """Imported session bundles (issue 15): read-only copies of another sandbox's run.

    They live apart from the sandbox's own tables, so the delivery engine never sends them and no
    outbox count includes them. ``bundle_items`` keeps each record as the file had it (a JSON line);
    ``item_id`` and ``parent_id`` index the links (a delivery's event, an attempt's delivery); ``at`` is
    the record's time (an attempt's start: the replay order).
    """
    db.execute("""
        create table bundles (
            id text primary key,
            name text not null,
            imported text not null,
            format_version text not null,
            header text not null,               -- JSON: the bundle's first line
            counts text not null                -- JSON: records by type
        )
    """)
    db.execute("""
        create table bundle_items (
            id integer primary key,
            bundle_id text not null references bundles (id) on delete cascade,
            kind text not null,         -- account, webhook, scenario, event, delivery, attempt, capture
            item_id text,
            parent_id text,
            at text,
            record text not null                -- the record's JSON line, exactly as imported
        )
    """)
    db.execute("create index bundle_items_by_kind on bundle_items (bundle_id, kind, at, id)")
    db.execute("create index bundle_items_by_id on bundle_items (bundle_id, item_id)")
    db.execute("create index bundle_items_by_parent on bundle_items (bundle_id, parent_id, kind)")


@migrations()
def m060_resend_with_edits(db: sqlite_utils.Database) -> None:
    """Resend a stored event with edits (issue 15): a delivery may carry its own body.

    - ``deliveries.body``: the exact bytes this delivery sends when they differ from its event's (a
      ``keep`` resend: the same letter, same id and ``occurredAt``, with an edited ``object``); NULL
      means the event's body, as before.
    - ``deliveries.resend``: JSON ``{"of", "mode", "patch", "problems"}`` on a delivery made by a resend
      (the event resent, ``keep`` or ``fresh``, the RFC 6902 patch from the original object to the one
      sent, and the schema rules the edit broke when forced); NULL otherwise.
    - ``deliveries.outside_contract``: 1 when the resend was forced (``"validate": false``) past an edit
      that breaks the event's Wink schema, so no one takes it for something Wink would send.
    """
    db.execute("alter table deliveries add column body blob")
    db.execute("alter table deliveries add column resend text")
    db.execute("alter table deliveries add column outside_contract integer not null default 0")


@migrations()
def m085_attempts_by_webhook(db: sqlite_utils.Database) -> None:
    """Each attempt names its webhook, so a webhook's health reads only its own recent attempts (issue 14/15).

    ``attempts.webhook_id`` is copied from the delivery (deliveries never change webhook), and
    ``attempts_by_webhook`` holds what the health figures read: the webhook's attempts of the last hour
    are one range of it, with their latency and answer, and the attempts table is never walked.
    """
    db.execute("alter table attempts add column webhook_id text")
    db.execute("update attempts set webhook_id = (select webhook_id from deliveries "
               "where deliveries.id = attempts.delivery_id)")
    db.execute("create index attempts_by_webhook on attempts "
               "(webhook_id, started, duration_ms, response_status)")


@migrations()
def m090_unfinished_by_key(db: sqlite_utils.Database) -> None:
    """An event key's deliveries in a status other than succeeded, newest first (issue 13).

    ``?event=K&status=S`` walked every delivery in S (or of K) looking for the other: 66 ms on a million
    deliveries for a key with none pending. This index holds only the deliveries not (yet) succeeded,
    the few, so a success removes an entry and the common path stays cheap; its rows are in ``seq``
    order within a key and status, so a page is one range of it.
    """
    db.execute("create index deliveries_unfinished_by_key on deliveries (event_key, status) "
               "where status <> 'succeeded'")


@migrations()
def m091_log_by_webhook_status(db: sqlite_utils.Database) -> None:
    """A webhook's live-log messages in one status, newest first (issue 13).

    A subscription to ``webhookId=W&status=S`` walked every message in S (``log_by_status``), of every
    webhook, looking for W's: 53 to 60 ms at the median for ``status=cancelled&backlog=1000`` on a
    million deliveries. With this index its messages are one range, in cursor order. It costs the
    recorder one more index entry per log row (measured by ``benchmarks/bench_delivery.py``).
    """
    db.execute("create index log_by_webhook_status on log (webhook_id, status)")
