"""``health``: a webhook's success rate, latency and timeout budget from the terminal.

It prints ``GET /api/webhooks/{id}/health`` (the figures the Manage account page shows): attempts by
answer, p50/p95/p99 latency, and how many attempts were slower than Wink's 10 s deadline and each other
sender's published one.
"""

from __future__ import annotations

import click

from sandbox.cli import cli
from sandbox.client import SandboxClient
from sandbox.commands.common import emit_json, server_options


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def _window(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{seconds // 60} minutes" if seconds % 60 == 0 else f"{seconds} s"


def _deadline_line(entry: dict) -> str:
    name = f"{entry['sender']:<8}"
    if entry["seconds"] is None:
        return f"  {name}   no published deadline ({entry['note']})"
    over = entry["overDeadline"]
    late_ok = entry["answeredOkButLate"]
    text = f"  {name}{entry['seconds']:>4g} s  {over:>6} slower"
    if late_ok:
        text += f" ({late_ok} answered 2xx here, failed there)"
    if not entry["measurable"]:
        text += "  (at least: attempts are cut at the sandbox's own timeout)"
    return text


@cli.command()
@click.argument("webhook_id")
@click.option("--window", type=click.IntRange(60, 7 * 24 * 3600), default=3600, show_default=True,
              help="Seconds back from now to look at (60 to 604800).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer as JSON.")
@server_options
def health(client: SandboxClient, webhook_id: str, window: int, as_json: bool) -> None:
    """Show a webhook's health: success rate, latency percentiles, and Wink's timeout budget.

    Counts the webhook's attempts of the last hour (or --window), by answer; p50/p95/p99 latency; and
    how many attempts took longer than Wink's 10 s deadline and the deadlines Zoom (3 s), Shopify (5 s),
    GitHub (10 s) and Svix (15 s) publish, so a receiver shared across providers can be judged.

    \b
    Example:
        python run.py health 1c8fc3a2-6d1e-4f57-9a43-2b1e0c4c3b8d
        python run.py health 1c8fc3a2-6d1e-4f57-9a43-2b1e0c4c3b8d --window 86400 --json
    """
    report = client.get(f"/api/webhooks/{webhook_id}/health", window=window)
    if as_json:
        emit_json(report)
        return
    attempts = report["attempts"]
    click.echo(f"{report['webhookName']} ({report['webhookId']}): the last {_window(window)}")
    if not attempts["total"]:
        click.echo("  No attempts in this window: send a test event, or widen --window.")
    else:
        rate = report["successRate"] * 100
        answers = ", ".join(f"{n} {name}" for name, n in attempts["byAnswer"].items() if n)
        click.echo(f"  Attempts  {attempts['total']}  ({answers}; none = timeout or no connection)")
        click.echo(f"  Success   {rate:.1f} %")
        latency = report["latencyMs"]
        click.echo(f"  Latency   p50 {_ms(latency['p50'])}  p95 {_ms(latency['p95'])}  "
                   f"p99 {_ms(latency['p99'])}  max {_ms(latency['max'])}")
        click.echo("  Deadlines (attempts slower than each sender allows):")
        for entry in report["deadlines"]:
            click.echo(_deadline_line(entry))
    deliveries = ", ".join(f"{n} {status}" for status, n in report["deliveries"].items() if n) or "none"
    click.echo(f"  Deliveries (all time): {deliveries}")
