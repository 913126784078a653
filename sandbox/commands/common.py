"""What the commands share: the --server/--token options, output helpers and report writing."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from sandbox.client import SandboxClient, default_server

OUTCOME_COLOURS = {"succeeded": "green", "failed": "red", "retrying": "yellow", "pending": "cyan",
                   "attempted": "cyan", "created": "blue", "cancelled": "magenta", "held": "blue"}


def server_options(command: Callable) -> Callable:
    """Add --server and --token; the command gets ``client`` (a SandboxClient) instead."""

    @click.option("--server", default=default_server, show_default=f"{default_server()} or SANDBOX_SERVER",
                  metavar="URL", help="The running sandbox to talk to.")
    @click.option("--token", default=None, envvar="SANDBOX_TOKEN", metavar="TOKEN",
                  help="The sandbox's API token, when it runs with one (or SANDBOX_TOKEN).")
    @functools.wraps(command)
    def wrapper(*args, server: str, token: str | None, **kwargs):
        with SandboxClient(server, token) as client:
            return command(*args, client=client, **kwargs)

    return wrapper


def writable_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Option callback: refuse an output FILE that cannot be written before any work is done."""
    if value is None:
        return None
    path = Path(value)
    folder = path.parent
    if path.is_dir():
        raise click.BadParameter(f"{value} is a folder; give a file name", ctx, param)
    if not folder.is_dir():
        raise click.BadParameter(f"{value}: the folder {folder} does not exist", ctx, param)
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise click.BadParameter(f"{value} cannot be written (permission denied)", ctx, param)
    return value


def write_text(path: str, text: str) -> None:
    """Write an output file; a failure (disk full, a folder removed meanwhile) is a clear error."""
    try:
        Path(path).write_text(text, "utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}") from None


def emit_json(document: object) -> None:
    """Print one JSON document on stdout."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def coloured(status: str, text: str | None = None) -> str:
    return click.style(text or status, fg=OUTCOME_COLOURS.get(status), bold=status == "failed")


def parse_pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """Turn ``k=v`` options into a dict, or a usage error naming the option."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r}: write {option} name=value", param_hint=option)
        out[key.strip()] = value
    return out


def check_assignments(pairs: tuple[str, ...]) -> list[str]:
    """Validate ``--set path=value`` options early, with the generator's own path parser."""
    from sandbox.overrides import parse_assignment

    for pair in pairs:
        try:
            parse_assignment(pair)
        except ValueError as exc:
            raise click.BadParameter(f"{pair!r}: {exc}", param_hint="--set") from None
    return list(pairs)


def is_tty() -> bool:
    return sys.stdout.isatty()
