"""``tail``: the live log in the terminal, over the websocket, filtered and coloured by outcome."""

from __future__ import annotations

import json
import time

import click

from sandbox.cli import cli
from sandbox.client import SandboxClient
from sandbox.commands.common import coloured, server_options
from sandbox.commands.live import LiveFeed, clock

STATUSES = ("pending", "retrying", "succeeded", "failed", "cancelled", "held")
# The hold and release messages (docs/hold.md), in words.
HOLD_TEXTS = {
    "webhook.held": "on hold ({queued} queued)",
    "delivery.held": "held at position {position}",
    "delivery.moved": "moved from position {previousPosition} to {position}",
    "delivery.released": "released (#{order}, was at {previousPosition}; {queued} still held)",
    "webhook.resumed": "resumed ({released} released)",
}


def describe(message: dict) -> str:
    """One line for one live-log message."""
    kind = message.get("type", "?")
    status = {"event.created": "created", "delivery.succeeded": "succeeded", "delivery.failed": "failed",
              "delivery.cancelled": "cancelled", "webhook.disabled": "failed"}.get(kind) or \
        message.get("status") or "attempted"
    head = f"{clock(message.get('at'))}  {coloured(status, f'{kind:<19}')} {message.get('event', ''):<28}"
    where = message.get("webhookName") or message.get("eventUrl") or ""
    if kind == "event.created":
        count = message.get("deliveryCount", 0)
        text = (f"for {message.get('entityName') or message.get('entity')}: "
                f"{count} deliver{'y' if count == 1 else 'ies'}")
    elif kind == "delivery.attempted":
        answer = message.get("statusCode") or message.get("error") or "-"
        duration = message.get("durationMs")
        text = f"-> {where}  attempt {message.get('attempt')}: {answer}"
        if duration is not None:
            text += f" in {duration:.0f} ms"
        if message.get("status") == "retrying" and message.get("nextAttemptAt"):
            text += f"  (retry at {clock(message['nextAttemptAt'])})"
    elif kind in ("delivery.succeeded", "delivery.failed"):
        answer = message.get("statusCode") or message.get("error") or "-"
        text = f"-> {where}  {answer} after {message.get('attempt')} attempt(s)"
    elif kind in HOLD_TEXTS:
        text = f"-> {where}  " + HOLD_TEXTS[kind].format_map({"position": "?", "order": "?", "queued": 0,
                                                             "released": 0, "previousPosition": "?",
                                                             **message})
    elif kind == "ready":
        return click.style(f"{clock(message.get('at'))}  -- live from here --", dim=True)
    elif kind == "gap":
        return click.style(f"{clock(message.get('at'))}  missed some messages (the viewer fell behind): "
                           "see GET /api/deliveries", fg="yellow")
    else:
        text = f"-> {where}  {message.get('reason') or ''}".rstrip()
    if message.get("chaos"):
        text += click.style(f"  [chaos: {message['chaos']}]", fg="magenta")
    return head + " " + text


@cli.command()
@click.option("--entity", metavar="ACCOUNT_ID", help="Only this account's events.")
@click.option("--webhook", "webhook_id", metavar="WEBHOOK_ID", help="Only this webhook's deliveries.")
@click.option("--event", "event_key", metavar="KEY", help="Only this event key, e.g. booking.created.")
@click.option("--status", type=click.Choice(STATUSES), help="Only messages with this delivery status.")
@click.option("--backlog", type=click.IntRange(0, 1000), default=20, show_default=True,
              help="Show this many past messages first.")
@click.option("--json", "as_json", is_flag=True, help="Print each message as one JSON line.")
@click.option("--count", type=click.IntRange(1), metavar="N", help="Stop after N messages.")
@click.option("--duration", type=click.FloatRange(0.1), metavar="SECONDS", help="Stop after SECONDS.")
@server_options
def tail(client: SandboxClient, entity: str | None, webhook_id: str | None, event_key: str | None,
         status: str | None, backlog: int, as_json: bool, count: int | None, duration: float | None) -> None:
    """Follow the live log: every event fired and every delivery attempt, as it happens.

    Lines are coloured by outcome (green succeeded, red failed, yellow retrying). It reconnects by
    itself if the sandbox restarts, without losing messages. Ctrl-C stops.

    \b
    Example:
        python run.py tail --event booking.created --status failed
    """
    filters = {"entity": entity, "webhookId": webhook_id, "event": event_key, "status": status}
    until = time.monotonic() + duration if duration else None
    seen = 0
    try:
        with LiveFeed(client, filters, backlog=backlog) as feed:
            if not as_json:
                shown = ", ".join(f"{k}={v}" for k, v in feed.filters.items()) or "everything"
                click.echo(f"Following the live log of {client.server} ({shown}). Ctrl-C stops.", err=True)
            for message in feed.messages(until=until):
                if message is None:
                    continue
                click.echo(json.dumps(message, ensure_ascii=False) if as_json else describe(message))
                seen += 1
                if count and seen >= count:
                    break
    except KeyboardInterrupt:
        pass
