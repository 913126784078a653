"""What the commands share: the --server/--token options, output helpers and report writing."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable

import click

from sandbox.client import SandboxClient, default_server

OUTCOME_COLOURS = {"succeeded": "green", "failed": "red", "retrying": "yellow", "pending": "cyan",
                   "attempted": "cyan", "created": "blue", "cancelled": "magenta"}


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
