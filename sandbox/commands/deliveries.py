"""``deliveries``, ``cancel`` and ``redeliver-dead``: the outbox from the terminal.

``deliveries`` reads the sandbox's delivery log (``GET /api/deliveries``); ``cancel`` and
``redeliver-dead`` call Wink's own operations (``POST .../webhook/delivery/{id}/cancel``,
``POST .../webhook/{id}/redeliver-dead``) after looking up the account they sit under, so a runbook
tried here behaves as it will against Wink.
"""

from __future__ import annotations

import click

from sandbox.cli import cli
from sandbox.client import SandboxClient
from sandbox.commands.common import coloured, emit_json, server_options

STATUSES = ("pending", "retrying", "succeeded", "failed", "cancelled", "held")
WINK_NAMES = {"PENDING": "pending", "RETRYING": "retrying", "SUCCEEDED": "succeeded", "DEAD": "failed",
              "CANCELLED": "cancelled"}


def _status(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Read a status in the sandbox's words or Wink's (DEAD is failed), in any case."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in STATUSES:
        return lowered
    if value.strip().upper() in WINK_NAMES:
        return WINK_NAMES[value.strip().upper()]
    raise click.BadParameter(f"{value!r} is not a status: {', '.join(STATUSES)} (or Wink's PENDING, "
                             "RETRYING, SUCCEEDED, DEAD, CANCELLED)", ctx, param)


def _wink_base(account_id: str) -> str:
    return f"/api/managing-entity/{account_id}/webhook"


def _answer(delivery: dict) -> str:
    if delivery.get("lastStatusCode") is not None:
        return str(delivery["lastStatusCode"])
    return "error" if delivery.get("lastError") else "-"


@cli.command()
@click.option("--status", callback=_status, metavar="STATUS",
              help="Only this status: pending, retrying, succeeded, failed (Wink's DEAD), cancelled or held "
                   "(on hold; Wink's PENDING); "
                   "Wink's names work too.")
@click.option("--webhook", "webhook_id", metavar="WEBHOOK_ID", help="Only this webhook's deliveries.")
@click.option("--entity", metavar="ACCOUNT_ID", help="Only deliveries of this account's letters.")
@click.option("--event", "event_key", metavar="KEY", help="Only this event key, e.g. booking.create.")
@click.option("--search", "text", metavar="TEXT",
              help="Only deliveries whose id or event id is TEXT, or whose event key, webhook name, URL, "
                   "last error or payload contains it, ignoring case (a booking code, a guest's name).")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True,
              help="How many to show, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the deliveries as JSON.")
@server_options
def deliveries(client: SandboxClient, status: str | None, webhook_id: str | None, entity: str | None,
               event_key: str | None, text: str | None, limit: int, as_json: bool) -> None:
    """List deliveries, newest first: status, attempts, the last answer, event and webhook.

    \b
    Example:
        python run.py deliveries --status failed
        python run.py deliveries --status DEAD --webhook 1c8fc3a2-... --json
        python run.py deliveries --search ABC123
    """
    query = {"status": status, "webhookId": webhook_id, "entity": entity, "event": event_key}
    if text is None:
        page = client.get("/api/deliveries", **query, limit=limit)
        items = page["items"]
    else:
        page, items = _search(client, query, text, limit)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("No delivery matches.")
        return
    for item in items:
        when = item["createdDate"].replace("T", " ")[:19]
        status = coloured(item["status"], f"{item['status']:<9}")
        click.echo(f"{when}  {status}  {item['attemptCount']:>3}  {_answer(item):<5}  {item['event']:<28}  "
                   f"{item['webhookName']:<20}  {item['id']}")
    more = " (more: raise --limit)" if page.get("nextCursor") else ""
    if text is not None and page.get("nextCursor") and len(items) < limit:
        more = f" in the newest {page['scanned']:,} deliveries (older ones not searched)"
    click.echo(f"\n{len(items)} deliver{'y' if len(items) == 1 else 'ies'}{more}. Cancel one: "
               "python run.py cancel DELIVERY_ID")


SEARCH_DEPTH = 100_000   # deliveries one --search reads at most (the API reads 2,000 per call)


def _search(client: SandboxClient, query: dict, text: str, limit: int) -> tuple[dict, list[dict]]:
    """Follow ``?q=``'s cursor until ``limit`` matches or SEARCH_DEPTH deliveries were read; return the
    last page (with ``scanned``: how many deliveries were read in all) and the matches."""
    items: list[dict] = []
    scanned, cursor = 0, None
    while True:
        page = client.get("/api/deliveries", **query, q=text, limit=limit - len(items), cursor=cursor)
        items += page["items"]
        scanned += page["search"]["scanned"]
        cursor = page["nextCursor"]
        if not cursor or len(items) >= limit or scanned >= SEARCH_DEPTH:
            return {**page, "scanned": scanned}, items


@cli.command()
@click.argument("delivery_id")
@server_options
def cancel(client: SandboxClient, delivery_id: str) -> None:
    """Cancel a delivery: no further attempt starts (Wink's cancel).

    An attempt in flight at that moment finishes and is recorded; a delivery that succeeded cannot be
    cancelled. Redeliver it from the UI or with Wink's redeliver operation.

    \b
    Example:
        python run.py cancel 5b0c0a0e-8f7e-4a43-9d8e-3b3a7a1f2c10
    """
    known = client.get(f"/api/deliveries/{delivery_id}")
    answer = client.post(f"{_wink_base(known['entity'])}/delivery/{delivery_id}/cancel")
    click.echo(f"Delivery {delivery_id} ({answer['type']} to {known['webhookName']}) is now "
               f"{coloured('cancelled', answer['status'])}.")
    if known.get("inFlight"):
        click.echo("An attempt was in flight: it finishes and is recorded; none follows it.")


@cli.command(name="redeliver-dead")
@click.argument("webhook_id")
@server_options
def redeliver_dead(client: SandboxClient, webhook_id: str) -> None:
    """Send every dead (failed) delivery of a webhook again now (Wink's redeliver-dead).

    \b
    Example:
        python run.py redeliver-dead 1c8fc3a2-6d1e-4f57-9a43-2b1e0c4c3b8d
    """
    hook = next((hook for hook in client.get("/api/webhooks") if hook["id"] == webhook_id), None)
    if hook is None:
        raise click.ClickException(f"No webhook with id {webhook_id!r}: see its id in the UI or with "
                                   "GET /api/webhooks")
    answer = client.post(f"{_wink_base(hook['ownerIdentifier'])}/{webhook_id}/redeliver-dead")
    click.echo(answer["label"] + ".")
