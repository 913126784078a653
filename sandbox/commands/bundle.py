"""``bundle export``, ``import``, ``list``, ``runs`` and ``replay``: session bundles from the terminal.

Each talks to a running sandbox (``--server``): export downloads a bundle file, import uploads one
into the sandbox at ``--server`` (another sandbox, another database), replay asks that sandbox to send
an imported bundle's attempts again. Files stream both ways, so their size does not matter.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from sandbox.bundles.format import SUFFIX
from sandbox.cli import cli
from sandbox.client import SandboxClient
from sandbox.commands.common import coloured, emit_json, parse_pairs, server_options, writable_file

PLURALS = {"delivery": "deliveries"}
REPLAY_TIMEOUT = 24 * 3600.0  # a replay with the original spacing may take as long as the run did


@cli.group()
def bundle() -> None:
    """Session bundles: a whole run in one file, exported, imported elsewhere, replayed.

    \b
    Example:
        python run.py bundle export --run RUN_ID -o run.wsbundle.ndjson.gz
        python run.py bundle import run.wsbundle.ndjson.gz --server http://127.0.0.1:8001
        python run.py bundle replay BUNDLE_ID --to http://127.0.0.1:4000/hooks
    """


@bundle.command("export")
@click.option("--from", "start", metavar="TIME", help="Letters created at or after this ISO 8601 time "
              "(UTC unless it has an offset), e.g. 2026-12-02T10:00.")
@click.option("--to", "end", metavar="TIME", help="Letters created before this ISO 8601 time.")
@click.option("--run", "run_id", metavar="RUN_ID", help="A scenario run instead of a time range "
              "(`python run.py bundle runs` lists them).")
@click.option("--secrets", is_flag=True, help="Put the webhooks' signing secrets in the file (left out "
              "by default: anyone with the file could sign as you).")
@click.option("--no-captures", is_flag=True, help="Leave the inbox captures out.")
@click.option("-o", "--output", required=True, callback=writable_file, metavar="FILE",
              help=f"The file to write (*{SUFFIX}).")
@server_options
def export_command(client: SandboxClient, start: str | None, end: str | None, run_id: str | None,
                   secrets: bool, no_captures: bool, output: str) -> None:
    """Download a bundle: a time range (or everything) or one scenario run, in one gzip file.

    \b
    Example:
        python run.py bundle export -o all.wsbundle.ndjson.gz
        python run.py bundle export --from 2026-12-02T10:00Z --to 2026-12-02T11:00Z -o hour.wsbundle.ndjson.gz
        python run.py bundle export --run RUN_ID --secrets -o run.wsbundle.ndjson.gz
    """
    params = {"from": start, "to": end, "run": run_id, "secrets": "true" if secrets else None,
              "captures": "false" if no_captures else None}
    part = Path(output + ".part")
    try:
        with part.open("wb") as out:
            size = client.download("/api/bundles/export", out, params)
        part.replace(output)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    click.echo(f"Wrote {output} ({size:,} bytes).")


@bundle.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--name", help="A name for the imported bundle (default: its run or time range).")
@click.option("--json", "as_json", is_flag=True, help="Print the imported bundle as JSON.")
@server_options
def import_command(client: SandboxClient, file: str, name: str | None, as_json: bool) -> None:
    """Import a bundle file into the sandbox at --server, as a read-only copy.

    A corrupt, truncated or newer-format file is refused with what is wrong, and nothing is stored.

    \b
    Example:
        python run.py bundle import run.wsbundle.ndjson.gz
        python run.py bundle import run.wsbundle.ndjson.gz --name "Friday's run" --server http://127.0.0.1:8001
    """
    with open(file, "rb") as stream:
        client.timeout = REPLAY_TIMEOUT
        imported = client.upload("/api/bundles", stream, {"name": name})
    if as_json:
        emit_json(imported)
        return
    counts = ", ".join(f"{n} {PLURALS.get(kind, kind + 's') if n != 1 else kind}"
                       for kind, n in imported["counts"].items())
    click.echo(f"Imported {imported['name']!r} as {imported['id']} (format {imported['formatVersion']}): "
               f"{counts or 'empty'}.")
    click.echo(f"See it at {client.server}/bundles/{imported['id']}")


@bundle.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the bundles as JSON.")
@server_options
def list_command(client: SandboxClient, as_json: bool) -> None:
    """List the bundles imported into the sandbox, newest first.

    \b
    Example:
        python run.py bundle list
    """
    items = client.get("/api/bundles")["items"]
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("No bundle imported yet: python run.py bundle import FILE")
    for item in items:
        counts = item["counts"]
        click.echo(f"{item['id']}  {item['importedAt']}  {item['name']}  ({counts.get('event', 0)} events, "
                   f"{counts.get('delivery', 0)} deliveries, {counts.get('attempt', 0)} attempts)")


@bundle.command("runs")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@server_options
def runs_command(client: SandboxClient, as_json: bool) -> None:
    """List the scenario runs the sandbox made, newest first (export one with --run).

    \b
    Example:
        python run.py bundle runs
    """
    items = client.get("/api/runs")["items"]
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("No scenario run yet: python run.py trigger or POST /api/fixtures/NAME/run")
    for item in items:
        params = json.dumps(item["params"].get("params") or {}, ensure_ascii=False)
        click.echo(f"{item['id']}  {item['startedAt']}  {item['fixture']}  {params}")


@bundle.command("replay")
@click.argument("bundle_id")
@click.option("--to", "to", metavar="URL", help="Send every attempt to this URL.")
@click.option("--url-map", "url_map", multiple=True, metavar="OLD=NEW",
              help="Send what went to OLD (a URL or its prefix) to NEW instead (repeatable).")
@click.option("--resign", is_flag=True, help="Sign again now (new timestamp) instead of sending the recorded "
              "signature; with --secret, or the bundle's own secrets.")
@click.option("--secret", metavar="WHSEC", help="The whsec_ secret to re-sign with (implies --resign).")
@click.option("--timing", type=click.Choice(["none", "original"]), default="none", show_default=True,
              help="none: back to back; original: the recorded spacing between attempts.")
@click.option("--speed", "factor", type=click.FloatRange(0.001, 1_000_000), default=1.0, show_default=True,
              help="With --timing original: play this many times faster (10: a minute takes 6 s).")
@click.option("--json", "as_json", is_flag=True, help="Print the replay's summary as JSON.")
@server_options
def replay_command(client: SandboxClient, bundle_id: str, to: str | None, url_map: tuple[str, ...],
                   resign: bool, secret: str | None, timing: str, factor: float, as_json: bool) -> None:
    """Send an imported bundle's attempts again, in the original order, with the exact body bytes.

    By default every recorded header goes as it was, the signature included (a byte-for-byte re-run);
    --resign (or --secret) signs each request again now.

    \b
    Example:
        python run.py bundle replay BUNDLE_ID --to http://127.0.0.1:4000/hooks
        python run.py bundle replay BUNDLE_ID --url-map https://old.example/=http://127.0.0.1:4000/
        python run.py bundle replay BUNDLE_ID --secret whsec_... --timing original --speed 10
    """
    body = {"signatures": "resign" if (resign or secret) else "recorded", "timing": timing, "factor": factor}
    if to:
        body["to"] = to
    if url_map:
        body["urlMap"] = parse_pairs(url_map, "--url-map")
    if secret:
        body["secret"] = secret
    summary = client.request("POST", f"/api/bundles/{bundle_id}/replay", json=body, timeout=REPLAY_TIMEOUT)
    if as_json:
        emit_json(summary)
        return
    for outcome in summary["outcomes"]:
        status = "succeeded" if outcome["ok"] else "failed"
        answer = outcome["statusCode"] if outcome["statusCode"] is not None else outcome["error"]
        click.echo(f"{outcome['position'] + 1:>5}  {coloured(status, str(answer)):<8}  attempt "
                   f"{outcome['attempt']} of {outcome['deliveryId']}  -> {outcome['url']}")
    click.echo(f"Replayed {summary['sent']} attempts: {summary['succeeded']} succeeded, "
               f"{summary['failed']} failed (signatures {summary['signatures']}).")
