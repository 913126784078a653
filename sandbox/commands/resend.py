"""``resend``: send a stored event again with edits (``POST /api/events/{id}/resend``, issue 15)."""

from __future__ import annotations

import json

import click

from sandbox.cli import cli
from sandbox.client import SandboxClient
from sandbox.commands.common import check_assignments, coloured, emit_json, server_options


def _read_patch(ctx: click.Context, param: click.Parameter, value) -> list | None:
    """Read --patch FILE (or - for stdin) as JSON; the server checks its operations."""
    if value is None:
        return None
    text = value.read()
    try:
        return json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"{value.name} is not JSON: {exc}", ctx, param) from None


def _diff_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        colour = "green" if line.startswith("+") and not line.startswith("+++") else (
            "red" if line.startswith("-") and not line.startswith("---") else None)
        lines.append(click.style(line, fg=colour) if colour else line)
    return lines


@cli.command()
@click.argument("event_id")
@click.option("--patch", type=click.File("r", encoding="utf-8"), callback=_read_patch, metavar="FILE",
              help="An RFC 6902 JSON Patch (a JSON list of operations) on the event's object, e.g. "
                   '[{"op": "replace", "path": "/stay/adults", "value": 3}]; - reads stdin.')
@click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE",
              help="Set a field of the object (repeatable), e.g. --set stay.adults=3; the value is JSON "
                   "when it reads as JSON, else a string. Applied after --patch.")
@click.option("--keep-id", is_flag=True,
              help="Keep the event's id and occurredAt: the same letter again, a true duplicate for "
                   "idempotency tests. Without it the resend is a new letter (new id and time).")
@click.option("--webhook", "webhook_id", metavar="WEBHOOK_ID",
              help="Only this webhook of the event's account (default: every enabled webhook subscribed "
                   "to the event's key).")
@click.option("--dry-run", is_flag=True, help="Show the diff and where it would go; send nothing.")
@click.option("--no-validate", is_flag=True,
              help="Send an edit that breaks the event's Wink schema anyway; its deliveries are marked "
                   "as edited outside the contract.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer as JSON.")
@server_options
def resend(client: SandboxClient, event_id: str, patch: list | None, assignments: tuple[str, ...],
           keep_id: bool, webhook_id: str | None, dry_run: bool, no_validate: bool, as_json: bool) -> None:
    """Send a stored event again, with edits: a JSON Patch and/or --set on its object.

    Each attempt is signed when it is sent, with the webhook's current secret(s). An edit that breaks
    the event's Wink schema is refused, naming the path and the rule, unless --no-validate.

    \b
    Example:
        python run.py resend 7da265b2-9348-4a2b-a94c-e96387f4ed44 --set stay.adults=3 --keep-id
        python run.py resend 7da265b2-... --patch edit.json --dry-run
        python run.py resend 7da265b2-... --set stay.adults=three --no-validate
    """
    body: dict = {"mode": "keep" if keep_id else "fresh"}
    if patch is not None:
        body["patch"] = patch
    if assignments:
        body["set"] = check_assignments(assignments)
    if webhook_id:
        body["webhookId"] = webhook_id
    if dry_run:
        body["dryRun"] = True
    if no_validate:
        body["validate"] = False
    answer = client.post(f"/api/events/{event_id}/resend", body)
    if as_json:
        emit_json(answer)
        return
    for line in _diff_lines(answer["diff"]["text"]) if answer["changed"] else ["No change to the object."]:
        click.echo(line)
    for problem in answer["problems"]:
        click.echo(coloured("failed", f"outside the contract: {problem['field']} {problem['message']}"))
    same = "same id and occurredAt" if answer["mode"] == "keep" else "a new letter"
    if answer["dryRun"]:
        names = ", ".join(hook["name"] for hook in answer["webhooks"]) or "no webhook"
        click.echo(f"Dry run: {answer['event']} ({same}) would go to {names}. Nothing was sent.")
        if answer.get("message"):
            click.echo(answer["message"])
        return
    click.echo(f"Resent {answer['event']} as {answer['eventId']} ({same}) to "
               f"{len(answer['deliveries'])} webhook{'s' if len(answer['deliveries']) != 1 else ''}:")
    names = {hook["id"]: hook["name"] for hook in answer["webhooks"]}
    for delivery in answer["deliveries"]:
        click.echo(f"  {names.get(delivery['webhookId'], delivery['webhookId'])}  {delivery['eventUrl']}  "
                   f"delivery {delivery['id']}")
    if answer["outsideContract"]:
        click.echo("Marked as edited outside the contract (--no-validate).")
