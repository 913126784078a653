"""``hold``, ``queue``, ``release`` and ``resume``: hold a webhook's deliveries and release them by hand.

Each command calls the sandbox's hold routes (``/api/webhooks/{id}/hold...``, docs/hold.md), so the
terminal, the API and the UI change the same stored queue.
"""

from __future__ import annotations

import click

from sandbox.cli import cli
from sandbox.client import SandboxClient
from sandbox.commands.common import coloured, emit_json, server_options


def _base(webhook_id: str) -> str:
    return f"/api/webhooks/{webhook_id}"


def _show(state: dict) -> None:
    """Print a hold's queue, first to be released on top."""
    name = state["webhookName"]
    if not state["held"]:
        click.echo(f"Webhook {name!r} is not on hold: its deliveries go out as they come.")
        return
    count = state["count"]
    click.echo(f"Webhook {name!r} is on hold since {state['since'].replace('T', ' ')[:19]} UTC: "
               f"{count} deliver{'y' if count == 1 else 'ies'} queued.")
    for item in state["queue"]:
        when = item["createdDate"].replace("T", " ")[:19]
        click.echo(f"{item['position']:>4}  {coloured('held', 'HELD')}  {when}  {item['event']:<28}  "
                   f"{item['id']}")
    if len(state["queue"]) < count:
        click.echo(f"... and {count - len(state['queue'])} more (--limit shows more).")


def _released(answer: dict) -> None:
    released = answer["released"]
    for number, item in enumerate(released, 1):
        click.echo(f"{number:>4}  {coloured('pending', 'RELEASED')}  {item['event']:<28}  {item['id']}")
    click.echo(f"Released {len(released)} deliver{'y' if len(released) == 1 else 'ies'}, sent in this order.")


@cli.command()
@click.argument("webhook_id")
@click.option("--json", "as_json", is_flag=True, help="Print the hold and its queue as JSON.")
@server_options
def hold(client: SandboxClient, webhook_id: str, as_json: bool) -> None:
    """Put a webhook on hold: its deliveries queue up, in order, and nothing is sent.

    Deliveries waiting to be sent join the queue too (an attempt under way finishes). Held deliveries
    show as HELD here and in the UI, and as PENDING on Wink's routes. See them with `queue`, send them
    with `release`, end the hold with `resume`.

    \b
    Example:
        python run.py hold 1c8fc3a2-6d1e-4f57-9a43-2b1e0c4c3b8d
    """
    state = client.post(f"{_base(webhook_id)}/hold")
    if as_json:
        emit_json(state)
        return
    _show(state)


@cli.command()
@click.argument("webhook_id")
@click.option("--move", "move_id", metavar="DELIVERY_ID", help="Move this held delivery (with --to).")
@click.option("--to", "position", type=click.IntRange(1), metavar="N",
              help="The position --move puts it at (1 is released first).")
@click.option("--up", "up_id", metavar="DELIVERY_ID", help="Move this held delivery one place up.")
@click.option("--down", "down_id", metavar="DELIVERY_ID", help="Move this held delivery one place down.")
@click.option("--drop", "drop_id", metavar="DELIVERY_ID",
              help="Drop this held delivery: it becomes cancelled and is never sent.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True,
              help="How many of the queue to list, from the first.")
@click.option("--json", "as_json", is_flag=True, help="Print the hold and its queue as JSON.")
@server_options
def queue(client: SandboxClient, webhook_id: str, move_id: str | None, position: int | None,
          up_id: str | None, down_id: str | None, drop_id: str | None, limit: int, as_json: bool) -> None:
    """Show a held webhook's queue in release order; move or drop a delivery in it.

    \b
    Example:
        python run.py queue 1c8fc3a2-6d1e-4f57-9a43-2b1e0c4c3b8d
        python run.py queue 1c8fc3a2-... --move 5b0c0a0e-... --to 1
        python run.py queue 1c8fc3a2-... --up 5b0c0a0e-...
        python run.py queue 1c8fc3a2-... --drop 5b0c0a0e-...
    """
    actions = [name for name, value in (("--move", move_id), ("--up", up_id), ("--down", down_id),
                                        ("--drop", drop_id)) if value]
    if len(actions) > 1:
        raise click.UsageError(f"Give one of {', '.join(actions)} at a time.")
    if (move_id is None) != (position is None):
        raise click.UsageError("--move and --to go together: --move DELIVERY_ID --to N.")
    base = _base(webhook_id)
    if move_id:
        state = client.post(f"{base}/hold/move", {"deliveryId": move_id, "position": position})
    elif up_id or down_id:
        state = client.post(f"{base}/hold/move", {"deliveryId": up_id or down_id,
                                                       "direction": "up" if up_id else "down"})
    elif drop_id:
        state = client.post(f"{base}/hold/drop", {"deliveryId": drop_id})
        if not as_json:
            click.echo(f"Dropped {drop_id}: it is {coloured('cancelled', 'CANCELLED')}.")
    else:
        state = client.get(f"{base}/hold", limit=limit)
    if as_json:
        emit_json(state)
        return
    _show(state)


@cli.command()
@click.argument("webhook_id")
@click.argument("delivery_ids", nargs=-1, metavar="[DELIVERY_ID]...")
@click.option("--count", type=click.IntRange(1), metavar="N", help="Release the first N of the queue.")
@click.option("--all", "everything", is_flag=True, help="Release the whole queue, in its order.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@server_options
def release(client: SandboxClient, webhook_id: str, delivery_ids: tuple[str, ...], count: int | None,
            everything: bool, as_json: bool) -> None:
    """Send held deliveries now: the ones named (in that order), the first N, or all.

    They go out in the order released, one at a time; the webhook stays on hold (new deliveries keep
    queuing) until `resume`.

    \b
    Example:
        python run.py release 1c8fc3a2-6d1e-4f57-9a43-2b1e0c4c3b8d --count 1
        python run.py release 1c8fc3a2-... 5b0c0a0e-... 9d1f2e3a-...
        python run.py release 1c8fc3a2-... --all
    """
    given = sum(1 for value in (delivery_ids, count, everything) if value)
    if given != 1:
        raise click.UsageError("Say what to release: DELIVERY_ID..., --count N or --all (one of them).")
    if delivery_ids:
        body: dict = {"deliveryIds": list(delivery_ids)}
    elif count:
        body = {"count": count}
    else:
        body = {"all": True}
    answer = client.post(f"{_base(webhook_id)}/hold/release", body)
    if as_json:
        emit_json(answer)
        return
    _released(answer)
    click.echo(f"{answer['count']} still held.")


@cli.command()
@click.argument("webhook_id")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@server_options
def resume(client: SandboxClient, webhook_id: str, as_json: bool) -> None:
    """End a webhook's hold: release what is still queued, in order, then send as usual.

    \b
    Example:
        python run.py resume 1c8fc3a2-6d1e-4f57-9a43-2b1e0c4c3b8d
    """
    answer = client.post(f"{_base(webhook_id)}/resume")
    if as_json:
        emit_json(answer)
        return
    if answer["released"]:
        _released(answer)
    click.echo(f"Webhook {answer['webhookName']!r} resumed: new deliveries go out as they come.")
