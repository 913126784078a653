"""The command line: a click group; ``run.py`` and the ``webhook-sandbox`` script call ``main``."""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading

import click

from sandbox import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="webhook-sandbox")
def cli() -> None:
    """Webhook Sandbox: Wink's webhooks on your own machine.

    With no command, `serve` runs.
    """


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="SANDBOX_HOST",
              help="Address to listen on. Anything but loopback exposes the sandbox to your network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              envvar="SANDBOX_PORT", help="Port to listen on; 0 picks a free one.")
@click.option("--db", "db_path", default="sandbox.db", show_default=True,
              envvar=["SANDBOX_DB", "SANDBOX_DATABASE"], type=click.Path(dir_okay=False),
              help="SQLite database file (created when missing).")
@click.option("--seed/--no-seed", default=True, show_default=True, envvar="SANDBOX_SEED",
              help="Seed demo accounts and a demo webhook on the first start of an empty database.")
@click.option("--token", default=None, envvar="SANDBOX_TOKEN",
              help="Require `Authorization: Bearer TOKEN` on every /api and websocket call.")
def serve(host: str, port: int, db_path: str, seed: bool, token: str | None) -> None:
    """Start the sandbox: API, live log, inbox and browser UI.

    \b
    Example:
        python run.py serve --port 8000 --db sandbox.db
        python run.py --port 0 --no-seed
    """
    import sqlite3

    from sandbox import create_app, settings
    from sandbox import seed as seeding
    from sandbox.db import connect
    from sandbox.server import Runner, quiet_werkzeug, tune_gc
    from sandbox.store import webhooks

    quiet_werkzeug()
    config = {"DATABASE": db_path}
    if token:
        config["TOKEN"] = token
    try:
        app = create_app(config)
    except sqlite3.Error as exc:
        raise click.ClickException(f"Cannot open the database {db_path!r}: {exc}") from None
    except ValueError as exc:  # a SANDBOX_* setting that does not parse or is out of range
        hint = "" if isinstance(exc, settings.SettingError) else (
            " (check your SANDBOX_* environment variables; the README lists each setting)")
        raise click.ClickException(f"{exc}{hint}") from None
    try:
        runner = Runner(app, host, port)
    except OSError as exc:
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}. "
            "Is another sandbox running there? Try --port 0 for a free port."
        ) from None

    db = connect(db_path)
    try:
        webhooks.rebase_self_urls(db, runner.url)
        if seed and seeding.seed_demo_data(db, runner.url):
            click.echo("Seeded demo data: accounts 'Cool Account' and 'The Siam Residences, "
                       "Bangkok', webhook 'Wink Stalker' -> /inbox/demo")
    finally:
        db.close()

    stop = threading.Event()

    def _on_signal(signum, _frame):
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    tune_gc(app.config["GC_YOUNG_THRESHOLD"])
    runner.start()
    click.echo(f"Webhook Sandbox {__version__} listening on {runner.url}  (database: {db_path})")
    click.echo(f"Open {runner.url}/ in a browser; API reference at {runner.url}/openapi.json. "
               "Ctrl-C stops.")
    if not _is_loopback(host):
        click.secho(
            f"WARNING: listening on {host}, not loopback: anyone who can reach this machine can "
            "use the sandbox" + ("" if token else " (no --token set)") + ".",
            fg="yellow", err=True,
        )
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        click.echo("Stopping...")
        runner.stop(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        click.echo("Stopped.")


# Other command modules register their commands on `cli` when imported; add yours here.
COMMAND_MODULES: list[str] = [
    "sandbox.commands.check",
    "sandbox.commands.replay",
    "sandbox.commands.trigger",
    "sandbox.commands.tail",
    "sandbox.commands.events",
    "sandbox.commands.deliveries",
    "sandbox.commands.holds",
    "sandbox.commands.bundle",
    "sandbox.commands.resend",
    "sandbox.commands.health",
]


def _load_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; with no command (or only options), run ``serve``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
        args.insert(0, "serve")
    _load_commands()
    cli.main(args=args, prog_name="run.py")
