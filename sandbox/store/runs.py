"""Scenario runs: each fixture run through the engine, its options and the letters it fired, in order."""

from __future__ import annotations

import json

import sqlite_utils

from sandbox.db import immediate
from sandbox.store import NotFound, new_id


def record_run(db: sqlite_utils.Database, *, fixture: str, kind: str, params: dict, started: str,
               finished: str, events: list[dict]) -> str:
    """Store one run and its fired letters (each ``{step, id}``, in firing order); return the run's id."""
    run_id = new_id()
    with immediate(db):
        db.conn.execute("insert into runs (id, fixture, kind, params, started, finished) "
                        "values (?, ?, ?, ?, ?, ?)",
                        [run_id, fixture, kind, json.dumps(params), started, finished])
        db.conn.executemany("insert into run_events (run_id, position, step, event_id) values (?, ?, ?, ?)",
                            [(run_id, n, event["step"], event["id"]) for n, event in enumerate(events)])
    return run_id


def unknown_events(db: sqlite_utils.Database, event_ids: list[str]) -> list[str]:
    """The ids among ``event_ids`` that name no stored event."""
    known = set()
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        known |= {row[0] for row in db.conn.execute(f"select id from events where id in ({marks})", chunk)}
    return [event_id for event_id in event_ids if event_id not in known]


def _shape(row: tuple) -> dict:
    run_id, fixture, kind, params, started, finished = row
    return {"id": run_id, "fixture": fixture, "kind": kind, "params": json.loads(params),
            "startedAt": started, "finishedAt": finished}


def get_run(db: sqlite_utils.Database, run_id: str) -> dict:
    """Return one run with its letters (``{position, step, eventId}``), or raise NotFound."""
    row = db.conn.execute("select id, fixture, kind, params, started, finished from runs where id = ?",
                          [run_id]).fetchone()
    if row is None:
        raise NotFound(f"No scenario run with id {run_id!r}; GET /api/runs lists them")
    run = _shape(row)
    run["events"] = [{"position": p, "step": s, "eventId": e} for p, s, e in db.conn.execute(
        "select position, step, event_id from run_events where run_id = ? order by position", [run_id])]
    return run


def list_runs(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    """Return the latest runs, newest first (without their letters)."""
    return [_shape(row) for row in db.conn.execute(
        "select id, fixture, kind, params, started, finished from runs order by started desc limit ?",
        [limit])]
