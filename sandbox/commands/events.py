"""``events``: the catalog of event types the sandbox can fire, from the running sandbox."""

from __future__ import annotations

import textwrap

import click

from sandbox.cli import cli
from sandbox.client import SandboxClient
from sandbox.commands.common import emit_json, server_options

KIND_NOTES = {"listed": "listed by Wink, never delivered: fire with --undelivered",
              "legacy": "legacy TripPay key: fire with --undelivered",
              "example-only": "a name from Wink's guides only: fire with --undelivered"}


@cli.command()
@click.option("--category", metavar="NAME", help="Only this category, e.g. Booking or 'Managing entity'.")
@click.option("--search", metavar="TEXT", help="Only keys or descriptions containing TEXT.")
@click.option("--status", type=click.Choice(["current", "legacy", "example-only"]),
              help="Only Wink's current catalog, the legacy keys, or the guides' example names.")
@click.option("--kind", type=click.Choice(["delivered", "listed", "legacy", "example-only"]),
              help="Only the keys Wink delivers, those it lists but never delivers, legacy or example-only.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@server_options
def events(client: SandboxClient, category: str | None, search: str | None, status: str | None,
           kind: str | None, as_json: bool) -> None:
    """List the event types (the catalog), grouped by category.

    \b
    Example:
        python run.py events --category Booking
        python run.py events --search refund
        python run.py events --kind delivered
    """
    items = client.get("/api/event-types", category=category, q=search, status=status, kind=kind)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("No event type matches.")
        return
    width = max(len(item["key"]) for item in items)
    current = None
    for item in items:
        if item["category"] != current:
            current = item["category"]
            click.secho(f"\n{current}", bold=True)
        kind = item.get("kind", "delivered")
        note = "" if kind == "delivered" else click.style(f" ({KIND_NOTES.get(kind, kind)})", fg="yellow")
        if item.get("aliases"):
            note += click.style(f" (also {', '.join(item['aliases'])})", fg="cyan")
        lines = textwrap.wrap(item["description"], 100 - width - 4) or [""]
        click.echo(f"  {item['key']:<{width}}  {lines[0]}{note}")
        for line in lines[1:]:
            click.echo(f"  {'':<{width}}  {line}")
    click.echo(f"\n{len(items)} event type(s). Fire one: python run.py trigger KEY --entity ACCOUNT_ID")
