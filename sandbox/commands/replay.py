"""``replay`` (send a fixture or scenario, with chaos) and ``export`` (save a stored event as a fixture)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click

from sandbox import fixtures, reports, signing
from sandbox.chaos import Chaos
from sandbox.cli import cli
from sandbox.client import APIProblem, SandboxClient
from sandbox.commands.common import (
    check_assignments,
    coloured,
    emit_json,
    parse_pairs,
    server_options,
    writable_file,
    write_text,
)
from sandbox.generate import MAX_SEED
from sandbox.replay import DirectTarget, Outcome, SandboxTarget, item_parts, literal_envelope, local_make, run
from sandbox.store.log import timestamp


class SandboxAccounts:
    """Which sandbox account each event is fired for: --entity, the --webhook's owner, or the
    fixture's own ``account`` (found by id, else by name)."""

    def __init__(self, client: SandboxClient, entity: str | None, webhook_id: str | None):
        self.client = client
        self.fixed: dict | None = None
        self._accounts: list[dict] | None = None
        if entity:
            self.fixed = self._get(entity, "--entity")
            if webhook_id:
                self._webhook_of(self.fixed, webhook_id)
        elif webhook_id:
            self.fixed = self._owner_of(webhook_id)

    def party(self, value: str, option: str) -> dict:
        """Return the account named by id or exact name in ``option`` (--reseller, --hotel)."""
        return self._get(value, option)

    def _get(self, account_id: str, option: str) -> dict:
        try:
            return self.client.get(f"/api/managing-entity/{account_id}")
        except APIProblem as exc:
            if exc.status != 404:
                raise
        if option in ("--entity", "--reseller", "--hotel"):  # a name works too, as in POST /api/events
            named = next((a for a in self.accounts() if a["name"] == account_id), None)
            if named is not None:
                return named
            raise click.BadParameter(f"no account has the id or name {account_id!r} on "
                                     f"{self.client.server}{self._known()}", param_hint=option)
        raise click.BadParameter(f"no account has id {account_id!r} on {self.client.server}"
                                 + self._known(), param_hint=option)

    def _webhook_of(self, account: dict, webhook_id: str) -> dict:
        try:
            return self.client.get(f"/api/managing-entity/{account['id']}/webhook/{webhook_id}")
        except APIProblem as exc:
            if exc.status == 404:
                raise click.BadParameter(f"account {account['name']!r} has no webhook {webhook_id!r}",
                                         param_hint="--webhook") from None
            raise

    def accounts(self) -> list[dict]:
        if self._accounts is None:
            self._accounts = self.client.get("/api/managing-entity")
        return self._accounts

    def _known(self) -> str:
        names = [f"{a['name']} ({a['id']})" for a in self.accounts()[:10]]
        return f"; accounts there: {', '.join(names)}" if names else "; it has no accounts yet"

    def _owner_of(self, webhook_id: str) -> dict:
        hook = next((h for h in self.client.get("/api/webhooks") if h["id"] == webhook_id), None)
        if hook is not None:
            return self._get(hook["ownerIdentifier"], "--webhook")
        raise click.BadParameter(f"no account on {self.client.server} has a webhook {webhook_id!r}",
                                 param_hint="--webhook")

    def resolve(self, spec: dict | None) -> dict:
        """Return the sandbox account an event is for."""
        if self.fixed:
            return self.fixed
        if spec and spec.get("id"):
            match = next((a for a in self.accounts() if a["id"] == spec["id"]), None)
            if match:
                return match
        if spec and spec.get("name"):
            match = next((a for a in self.accounts() if a["name"] == spec["name"]), None)
            if match:
                return match
        named = spec and (spec.get("name") or spec.get("id"))
        wanted = f" (the fixture's account {named!r} is not there)" if named else ""
        raise click.UsageError("Say which account the events are for: --entity ACCOUNT_ID or "
                               f"--webhook WEBHOOK_ID{wanted}{self._known()}.")

    def make(self):
        """A ``make`` for ``fixtures.build``: Wink envelopes for the resolved sandbox account."""
        from sandbox.envelope import make_event

        def make(key: str, spec: dict | None, *, data: dict | None = None, **options) -> dict:
            account = self.resolve(spec)
            if data is not None:
                return literal_envelope(key, account, data)
            return make_event(key, account, **options)

        return make


def outcome_line(outcome: Outcome) -> str:
    """One line per delivery: verdict, step, event, where, answer, chaos."""
    verdict = coloured("succeeded", " ok ") if outcome.ok else coloured("failed", "FAIL")
    answer = (f"{outcome.status_code}" if outcome.status_code else outcome.status)
    if outcome.duration_ms is not None:
        answer += f" in {outcome.duration_ms:.0f} ms"
    if outcome.attempts > 1:
        answer += f" ({outcome.attempts} attempts)"
    if outcome.error and not outcome.ok:
        answer += f": {outcome.error}"
    chaos = click.style(f"  [chaos: {', '.join(outcome.chaos)}]", fg="magenta") if outcome.chaos else ""
    repeat = " (duplicate)" if outcome.duplicate else ""
    return (f"{verdict} {outcome.position + 1:>3} {outcome.step:<18} {outcome.event:<28} "
            f"-> {outcome.target or '-'}  {answer}{repeat}{chaos}")


def to_cases(fixture: fixtures.Fixture, outcomes: list[Outcome]) -> list[reports.Case]:
    return [reports.Case(
        name=f"{o.position + 1:03d} {o.step} ({o.event})" + (" duplicate" if o.duplicate else ""),
        classname=f"replay.{fixture.name}", passed=o.ok,
        message=(f"{o.status_code or o.status}" if o.ok else
                 f"{o.status}: {o.error or ('HTTP ' + str(o.status_code))}"),
        seconds=(o.duration_ms or 0) / 1000,
        details={"eventId": o.event_id, "deliveryId": o.delivery_id, "target": o.target,
                 "attempts": o.attempts, "chaos": ", ".join(o.chaos)},
    ) for o in outcomes]


def load_fixture(name: str, fixtures_dir: str | None) -> fixtures.Fixture:
    try:
        return fixtures.find(name, fixtures.search_dirs(fixtures_dir))
    except fixtures.FixtureError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("fixture")
@click.option("--entity", metavar="ACCOUNT_ID",
              help="Fire for this account of the sandbox (its id, or its exact name).")
@click.option("--webhook", "webhook_id", metavar="WEBHOOK_ID",
              help="Deliver to this one webhook only (its account is used when --entity is not given).")
@click.option("--to", "to_url", metavar="URL", help="Send straight to URL, signed here; no sandbox needed.")
@click.option("--secret", envvar="WEBHOOK_SECRET", metavar="whsec_...",
              help="Signing secret for --to, padded or not (or WEBHOOK_SECRET).")
@click.option("--profile", type=click.Choice(list(signing.PROFILES)),
              help="With --to: sign as Wink does (Wink-Signature, the default) or as a standard-webhooks "
                   "webhook does.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Set a scenario param (repeatable), e.g. --param canceller=HOTEL.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Assign a field of every event's object, on Wink's payload paths (repeatable), "
                   "e.g. --set stay.adults=3.")
@click.option("--seed", type=click.IntRange(0, MAX_SEED), help="Fix every generated value and the chaos.")
@click.option("--duplicates", type=click.FloatRange(0, 1), default=0.0, metavar="P",
              help="Chaos: resend this fraction of events (0-1) with the same event id (Wink-Event-Id).")
@click.option("--shuffle", is_flag=True, help="Chaos: deliver the events out of order.")
@click.option("--jitter", "jitter_ms", type=click.IntRange(0, 60_000), default=0, metavar="MS",
              help="Chaos: wait a random 0..MS milliseconds before each send.")
@click.option("--stale", is_flag=True,
              help="Chaos: sign with timestamps 10 minutes old (a receiver should refuse them).")
@click.option("--no-delays", is_flag=True, help="Ignore the scenario's delays between steps.")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=30.0, show_default=True,
              metavar="SECONDS", help="How long to wait for the deliveries to finish (retries included).")
@click.option("--retries", type=click.IntRange(0, 10), default=0, show_default=True,
              help="With --to: retry a failed send this many times.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as one JSON document.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), metavar="FILE",
              callback=writable_file,
              help="Also write a JUnit XML report (one test case per delivery) to FILE.")
@click.option("--fixtures-dir", envvar="SANDBOX_FIXTURES_DIR", type=click.Path(file_okay=False),
              help="Your own fixtures directory, searched before the shipped one.")
@server_options
def replay(client: SandboxClient, fixture: str, entity: str | None, webhook_id: str | None,
           to_url: str | None, secret: str | None, profile: str | None, params: tuple[str, ...],
           sets: tuple[str, ...],
           seed: int | None, duplicates: float, shuffle: bool, jitter_ms: int, stale: bool, no_delays: bool,
           timeout: float, retries: int, as_json: bool, junit_path: str | None, fixtures_dir: str | None):
    """Send a fixture or scenario: through the sandbox, or straight to a URL.

    FIXTURE is a fixture name (see GET /api/fixtures, e.g. booking-life) or a .json file. Through
    the sandbox every delivery shows in the live log; with --to the events are Wink envelopes signed
    here (Wink-Signature, or --profile standard-webhooks) and POSTed to URL. Each delivery's outcome
    is printed as it happens; the exit code is 1 when any delivery finally failed.

    \b
    Example:
        python run.py replay booking-life --entity ACCOUNT_ID --param canceller=HOTEL
        python run.py replay booking.created --to http://127.0.0.1:9000/webhook \\
            --secret whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M --duplicates 0.5 --shuffle --seed 7
    """
    if to_url:
        if entity or webhook_id:
            raise click.UsageError("--to sends straight to a URL: it cannot be combined with --entity "
                                   "or --webhook (those fire through the sandbox)")
        if not secret:
            raise click.UsageError("--to needs the receiver's signing secret: --secret whsec_...")
        from sandbox.api.webhooks import url_problem

        problem = url_problem(to_url)
        if problem:
            raise click.BadParameter(f"{to_url!r} {problem}", param_hint="--to")
        try:
            signing.check_secret(secret)
        except ValueError as exc:
            raise click.BadParameter(f"{exc} (e.g. whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M)",
                                     param_hint="--secret") from None
    elif secret:
        raise click.UsageError("--secret only applies with --to (the sandbox signs with the webhook's "
                               "own secret)")
    elif profile:
        raise click.UsageError("--profile only applies with --to (the sandbox signs in the webhook's "
                               "own profile)")
    chaos = Chaos(duplicates=duplicates, shuffle=shuffle, jitter_ms=jitter_ms, stale=stale)
    given_params = parse_pairs(params, "--param")
    assignments = check_assignments(sets)
    loaded = load_fixture(fixture, fixtures_dir)
    start = fixtures.base_seed(loaded, seed)

    accounts = None if to_url else SandboxAccounts(client, entity, webhook_id)
    make = local_make() if to_url else accounts.make()
    try:
        built = fixtures.build(loaded, make, params=given_params, seed=seed, assignments=assignments,
                               start=start)
    except fixtures.FixtureError as exc:
        raise click.ClickException(str(exc)) from None

    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def report(outcome: Outcome) -> None:
        with lock:
            outcomes.append(outcome)
            if not as_json:
                click.echo(outcome_line(outcome))

    where = to_url or client.server
    if to_url:
        target = DirectTarget(to_url, secret, chaos=chaos, report=report, timeout=min(timeout, 30.0),
                              retries=retries, profile=profile)
    else:
        target = SandboxTarget(client, chaos=chaos, report=report, timeout=timeout, webhook_id=webhook_id,
                               account_of=lambda item: item_parts(item)[2])
    if not as_json:
        chaos_text = f", chaos {_chaos_text(chaos)}" if chaos.active else ""
        seeded = f", seed {start}" if chaos.active or not all(b.literal for b in built) else ""
        click.echo(f"Replaying {loaded.kind} {loaded.name!r}: {len(built)} event(s){seeded}"
                   f"{chaos_text} -> {where}")
    started = timestamp()
    run(built, target, chaos=chaos, seed=start, delays=not no_delays)
    run_id = None if to_url else _store_run(client, loaded, target.fired_events, started, {
        "entity": entity, "webhookId": webhook_id, "params": given_params, "set": list(sets), "seed": start,
        "delays": not no_delays, "chaos": chaos.as_dict()})
    # Lines were printed as each delivery became final; the reports list them in the order they were sent.
    outcomes.sort(key=lambda outcome: outcome.position)

    failed = [o for o in outcomes if not o.ok]
    if junit_path:
        write_text(junit_path, reports.junit_xml(f"replay {loaded.name}", to_cases(loaded, outcomes)))
    if as_json:
        emit_json({"fixture": loaded.name, "kind": loaded.kind, "seed": start, "target": where,
                   "runId": run_id,
                   "chaos": chaos.as_dict(), "ok": bool(outcomes) and not failed,
                   "delivered": len(outcomes) - len(failed), "failed": len(failed),
                   "outcomes": [o.as_dict() for o in outcomes]})
    else:
        summary = f"{len(outcomes) - len(failed)} of {len(outcomes)} deliveries succeeded."
        if not outcomes:
            summary = "Nothing was delivered."
        click.secho(summary, fg="red" if failed or not outcomes else "green", bold=bool(failed))
    if failed or not outcomes:
        raise SystemExit(1)


def _store_run(client, loaded, fired: list[dict], started: str, params: dict) -> str | None:
    """Record the run in the sandbox (POST /api/runs) so it can be exported as a bundle; None if it cannot."""
    if not fired:
        return None
    try:
        stored = client.post("/api/runs", {
            "fixture": loaded.name, "kind": loaded.kind, "params": params, "startedAt": started,
            "events": [{"step": letter["step"], "eventId": letter["id"]} for letter in fired]})
    except click.ClickException:  # an older sandbox without /api/runs: the replay itself went well
        return None
    return stored["id"]


def _chaos_text(chaos: Chaos) -> str:
    parts = []
    if chaos.duplicates:
        parts.append(f"duplicates {chaos.duplicates:g}")
    if chaos.shuffle:
        parts.append("shuffle")
    if chaos.jitter_ms:
        parts.append(f"jitter {chaos.jitter_ms} ms")
    if chaos.stale:
        parts.append(f"stale ({chaos.stale_seconds} s old)")
    return ", ".join(parts)


@cli.command()
@click.argument("event_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE", callback=writable_file,
              help="Write the fixture to FILE (default: print it).")
@click.option("--name", help="The fixture's name (default: EVENT-KEY-<first 8 of the id>).")
@click.option("--save", is_flag=True, help="Also save it in the sandbox's fixtures directory (recorded/).")
@click.option("--force", is_flag=True, help="Overwrite FILE, or a saved fixture of the same name.")
@server_options
def export(client: SandboxClient, event_id: str, output: str | None, name: str | None, save: bool,
           force: bool) -> None:
    """Save a stored event as an event fixture; replaying it sends the same data, byte for byte.

    \b
    Example:
        python run.py export 3f2a9c1d-0b7e-4d2a-9c55-1e8f2b7a6d10 -o fixtures/my-booking.json
        python run.py replay fixtures/my-booking.json --entity ACCOUNT_ID
    """
    if output and Path(output).exists() and not force:
        raise click.ClickException(f"{output} exists; pass --force to overwrite it")
    body: dict = {"save": save, "overwrite": force}
    if name:
        body["name"] = name
    try:
        answer = client.post(f"/api/events/{event_id}/fixture", body)
    except APIProblem as exc:
        if exc.status != 409:
            raise
        what = str(exc).split(";", 1)[0]  # "A recorded fixture named 'x' exists"; the rest is the API's words
        raise click.ClickException(f"{what}; pass --force to overwrite it, or --name another (HTTP 409)"
                                   ) from None
    text = json.dumps(answer["fixture"], indent=2, ensure_ascii=False) + "\n"
    if output:
        write_text(output, text)
        click.echo(f"Wrote fixture {answer['name']!r} to {output}", err=True)
    elif not save:
        click.echo(text, nl=False)
    if save:
        click.echo(f"Saved fixture {answer['name']!r} in the sandbox: {answer['path']}", err=True)
