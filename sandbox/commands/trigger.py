"""``trigger`` (fire N events and follow them to the end) and ``simulate`` (steady realistic traffic)."""

from __future__ import annotations

import math
import random
import time

import click

from sandbox import fixtures
from sandbox.cli import cli
from sandbox.client import APIProblem, SandboxClient
from sandbox.commands.common import check_assignments, emit_json, parse_pairs, server_options
from sandbox.commands.live import LiveFeed, clock
from sandbox.commands.replay import SandboxAccounts, load_fixture
from sandbox.generate import MAX_SEED

MAX_COUNT = 10_000
IDLE_POLL_SECONDS = 2.0


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile ``q`` (0-100) of ``values``."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


class Tally:
    """Final outcomes of a set of deliveries, fed from live-log messages (or polled deliveries)."""

    def __init__(self, started: float):
        self.started = started
        self.wanted: set[str] = set()
        self.final: dict[str, str] = {}
        self.answer_ms: dict[str, float] = {}
        self.end_to_end_ms: list[float] = []
        self._early: dict[str, tuple[str, float]] = {}

    def expect(self, delivery_ids: list[str]) -> None:
        self.wanted.update(delivery_ids)
        for delivery_id in delivery_ids:  # outcomes that arrived before the ids were known
            if delivery_id in self._early:
                self._finish(delivery_id, *self._early.pop(delivery_id))

    def feed(self, message: dict) -> bool:
        """Take one message; return True when it finished one of the wanted deliveries."""
        delivery_id = message.get("deliveryId")
        if not delivery_id:
            return False
        kind = message.get("type")
        if kind == "delivery.attempted" and message.get("durationMs") is not None:
            self.answer_ms[delivery_id] = message["durationMs"]
        if kind in ("delivery.succeeded", "delivery.failed", "delivery.cancelled"):
            status = kind.split(".", 1)[1]
            if delivery_id not in self.wanted:
                self._early[delivery_id] = (status, time.monotonic())
                return False
            return self._finish(delivery_id, status, time.monotonic())
        return False

    def _finish(self, delivery_id: str, status: str, at: float) -> bool:
        if delivery_id in self.final:
            return False
        self.final[delivery_id] = status
        self.end_to_end_ms.append((at - self.started) * 1000)
        return True

    @property
    def open(self) -> set[str]:
        return self.wanted - set(self.final)

    def counts(self) -> dict:
        succeeded = sum(1 for s in self.final.values() if s == "succeeded")
        answers = [self.answer_ms[d] for d in self.final if d in self.answer_ms]
        return {
            "deliveries": len(self.wanted), "succeeded": succeeded, "failed": len(self.final) - succeeded,
            "unfinished": len(self.open),
            "latencyMs": {"p50": percentile(answers, 50), "p99": percentile(answers, 99)},
            "endToEndMs": {"p50": percentile(self.end_to_end_ms, 50),
                           "p99": percentile(self.end_to_end_ms, 99)},
        }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def fire_events(client: SandboxClient, body: dict) -> dict:
    """POST /api/events; a refusal of a key Wink never delivers names the CLI's flag, not the API field."""
    try:
        return client.post("/api/events", body)
    except APIProblem as exc:
        exc.message = exc.message.replace('send "undelivered": true', "add --undelivered")
        raise


@cli.command()
@click.argument("event")
@click.option("--entity", metavar="ACCOUNT_ID", help="The account the events are for (id or exact name).")
@click.option("--reseller", metavar="ACCOUNT", help="The reseller a hotel's booking was made through (id or "
              "exact name): it gets its own letter, as AGENT (a travel agent) or AFFILIATE.")
@click.option("--hotel", metavar="ACCOUNT", help="The hotel, when --entity is the reseller (id or exact "
              "name): it gets its own letter as SUPPLIER.")
@click.option("--webhook", "webhook_id", metavar="WEBHOOK_ID",
              help="Deliver to this one webhook only (its account is used when --entity is not given).")
@click.option("--count", type=click.IntRange(1, MAX_COUNT), default=1, show_default=True,
              help="How many events (each its own id and payload).")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Assign a field of the generated object, on Wink's payload paths (repeatable), "
                   "e.g. --set stay.adults=3.")
@click.option("--seed", type=click.IntRange(0, MAX_SEED),
              help="Fix the generated data (event i uses seed + i).")
@click.option("--locale", metavar="LOCALE", help="Faker locale of the generated data, e.g. th_TH.")
@click.option("--wait", is_flag=True,
              help="Follow the deliveries to the end, with a progress bar and a summary.")
@click.option("--timeout", type=click.FloatRange(0.1, 24 * 3600), default=60.0, show_default=True,
              metavar="SECONDS", help="With --wait: stop waiting after SECONDS (retries included).")
@click.option("--undelivered", is_flag=True,
              help="Fire EVENT even though Wink never delivers it (a key Wink only lists, a legacy or an "
                   "example-only key); its letters are marked undelivered. Without it such a key is refused.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@server_options
def trigger(client: SandboxClient, event: str, entity: str | None, reseller: str | None, hotel: str | None,
            webhook_id: str | None, count: int, sets: tuple[str, ...], seed: int | None, locale: str | None,
            wait: bool, timeout: float, undelivered: bool, as_json: bool) -> None:
    """Fire EVENT for an account: realistic generated payloads, signed and delivered.

    Each recipient gets its own letter: the account, and the other party named with --reseller or
    --hotel. booking.created (Wink's help page) is accepted for booking.create, the key on the wire.
    A key Wink never delivers (its `kind` in `python run.py events --json` is not `delivered`) needs
    --undelivered.

    With --wait it follows every delivery to its end (a progress bar while they go), then prints
    sent, succeeded, failed and the receivers' p50/p99 answer time; it exits 1 when any failed.

    \b
    Example:
        python run.py trigger booking.create --entity ACCOUNT_ID --count 100 --wait
        python run.py trigger booking.create --entity "The Siam Residences, Bangkok" --reseller "Cool Account"
        python run.py trigger booking.cancelled --entity ACCOUNT_ID --set cancellation.cancellerType=HOTEL
        python run.py trigger payee.update --entity ACCOUNT_ID --undelivered
    """
    if not entity and not webhook_id:
        raise click.UsageError("Say which account the events are for: --entity ACCOUNT_ID (or --webhook "
                               "WEBHOOK_ID); `python run.py events` lists event keys.")
    accounts = SandboxAccounts(client, entity, webhook_id)
    account = accounts.fixed
    body: dict = {"event": event, "entity": account["id"], "count": count}
    # Ids, not names: --wait follows each party's deliveries on the live feed by account id.
    reseller = accounts.party(reseller, "--reseller")["id"] if reseller else None
    hotel = accounts.party(hotel, "--hotel")["id"] if hotel else None
    if sets:
        body["set"] = check_assignments(sets)
    if undelivered:
        body["undelivered"] = True
    for name, value in (("seed", seed), ("locale", locale), ("webhookId", webhook_id),
                        ("reseller", reseller), ("hotel", hotel)):
        if value is not None:
            body[name] = value
    if not wait:
        answer = fire_events(client, body)
        deliveries = sum(len(e["deliveries"]) for e in answer["events"])
        if as_json:
            emit_json(answer)
            return
        parties = " and ".join(f"{party['entityName']!r} ({party['recipientRole']})"
                               for party in answer.get("recipients", []))
        wire = answer["events"][0]["event"] if answer["events"] else event
        click.echo(f"Fired {len(answer['events'])} {wire} letter(s) for {parties or repr(account['name'])}: "
                   f"{deliveries} deliver{'y' if deliveries == 1 else 'ies'} queued.")
        if any(fired.get("undelivered") for fired in answer["events"]):
            click.secho(f"Wink never delivers {wire}: these letters are marked undelivered.", fg="yellow")
        for fired in answer["events"][:10]:
            click.echo(f"  {fired['id']}  {fired.get('recipientRole', '')}")
        if len(answer["events"]) > 10:
            click.echo(f"  ... and {len(answer['events']) - 10} more")
        if answer.get("message"):
            click.secho(answer["message"], fg="yellow")
        return
    _fire_and_wait(client, body, account, timeout, as_json)


def _fire_and_wait(client: SandboxClient, body: dict, account: dict, timeout: float, as_json: bool) -> None:
    entities = [account["id"], *(body[name] for name in ("reseller", "hotel") if body.get(name))]
    filters = {"entity": ",".join(entities), "webhookId": body.get("webhookId")}
    with LiveFeed(client, filters) as feed:  # subscribe first: no outcome can slip past
        tally = Tally(time.monotonic())
        answer = fire_events(client, body)
        ids = [d["id"] for e in answer["events"] for d in e["deliveries"]]
        tally.expect(ids)
        deadline = time.monotonic() + timeout
        last_news = time.monotonic()
        with click.progressbar(length=len(ids), label=f"Delivering {body['event']}", file=None,
                               show_pos=True, hidden=as_json or not ids) as bar:
            bar.update(len(tally.final))
            for message in feed.messages(until=deadline):
                if not tally.open:
                    break
                if message is not None and tally.feed(message):
                    bar.update(1)
                    last_news = time.monotonic()
                elif time.monotonic() - last_news > IDLE_POLL_SECONDS:
                    bar.update(_poll(client, tally))  # in case the feed dropped messages
                    last_news = time.monotonic()
            if tally.open:
                bar.update(_poll(client, tally))
    result = {"event": body["event"], "entity": account["id"], "sent": len(answer["events"]),
              **tally.counts()}
    if answer.get("message"):
        result["message"] = answer["message"]
    if as_json:
        emit_json(result)
    else:
        if answer.get("message"):
            click.secho(answer["message"], fg="yellow")
        unfinished = (f", {result['unfinished']} unfinished after {timeout:g} s"
                      if result["unfinished"] else "")
        colour = "red" if result["failed"] or result["unfinished"] else "green"
        click.secho(f"Sent {result['sent']} event(s), {result['deliveries']} deliveries: "
                    f"{result['succeeded']} succeeded, {result['failed']} failed{unfinished}.", fg=colour)
        click.echo(f"Receiver answer time p50 {_ms(result['latencyMs']['p50'])}, "
                   f"p99 {_ms(result['latencyMs']['p99'])}; fired to final p50 "
                   f"{_ms(result['endToEndMs']['p50'])}, p99 {_ms(result['endToEndMs']['p99'])}.")
    if result["failed"] or result["unfinished"]:
        raise SystemExit(1)


def _poll(client: SandboxClient, tally: Tally) -> int:
    """Ask the API about the deliveries still open (at most 200); return how many turned final."""
    done = 0
    for delivery_id in list(tally.open)[:200]:
        delivery = client.get(f"/api/deliveries/{delivery_id}")
        status = delivery.get("status")
        if status in ("succeeded", "failed", "cancelled"):
            attempts = delivery.get("attempts") or []
            if attempts and attempts[-1].get("durationMs") is not None:
                tally.answer_ms[delivery_id] = attempts[-1]["durationMs"]
            done += tally._finish(delivery_id, status, time.monotonic())
    return done


# -- simulate -----------------------------------------------------------------------------------

@cli.command()
@click.option("--scenario", "scenarios", multiple=True, metavar="NAME",
              help="A scenario to play (repeatable); default: every scenario, mixed.")
@click.option("--rate", type=click.FloatRange(0.01, 200), default=2.0, show_default=True, metavar="R",
              help="Events per second.")
@click.option("--entity", metavar="ACCOUNT_ID", help="The account the events are for (id or exact name).")
@click.option("--webhook", "webhook_id", metavar="WEBHOOK_ID", help="Deliver to this one webhook only.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Fix a scenario param (repeatable), e.g. --param canceller=HOTEL; otherwise params "
                   "with choices vary, mostly their default.")
@click.option("--seed", type=click.IntRange(0, MAX_SEED), help="Make the whole stream reproducible.")
@click.option("--duration", type=click.FloatRange(0.1), metavar="SECONDS", help="Stop after SECONDS.")
@click.option("--max-events", type=click.IntRange(1), metavar="N", help="Stop after N events.")
@click.option("--undelivered", is_flag=True,
              help="Also fire the steps whose keys Wink never delivers (marked undelivered); without it "
                   "only steps that say `undelivered` themselves may.")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
@server_options
def simulate(client: SandboxClient, scenarios: tuple[str, ...], rate: float, entity: str | None,
             webhook_id: str | None, params: tuple[str, ...], seed: int | None, duration: float | None,
             max_events: int | None, undelivered: bool, quiet: bool) -> None:
    """Play a steady stream of realistic traffic (scenarios, one after another) until stopped.

    Each round plays a scenario with a fresh seed (a new booking, a new hotel...), at RATE events
    per second. Watch it with `python run.py tail` or in the browser. Ctrl-C stops.

    \b
    Example:
        python run.py simulate --scenario booking-life --rate 5 --entity ACCOUNT_ID
        python run.py simulate --scenario payment-failed --param retry=true --entity ACCOUNT_ID
    """
    if not entity and not webhook_id:
        raise click.UsageError("Say which account the traffic is for: --entity ACCOUNT_ID (or --webhook).")
    account = SandboxAccounts(client, entity, webhook_id).fixed
    chosen = [load_fixture(name, None) for name in scenarios] or \
        [f for f in fixtures.discover(fixtures.search_dirs())[0] if f.kind == "scenario"]
    fixed = parse_pairs(params, "--param")
    rng = random.Random(seed)
    make = SandboxAccounts(client, account["id"], None).make()
    fired = 0
    started = time.monotonic()
    next_at = started
    stop_at = started + duration if duration else None
    if not quiet:
        click.echo(f"Simulating {', '.join(f.name for f in chosen)} at {rate:g} event(s)/s for "
                   f"{account['name']!r}. Ctrl-C stops.", err=True)
    try:
        round_number = 0
        while True:
            round_number += 1
            fixture = rng.choice(chosen)
            values = {**_vary(fixture, rng), **{k: v for k, v in fixed.items() if k in fixture.params}}
            try:
                built = fixtures.build(fixture, make, params=values, seed=rng.randrange(2**31))
            except fixtures.FixtureError as exc:
                raise click.ClickException(str(exc)) from None
            for item in built:
                now = time.monotonic()
                if (stop_at and max(now, next_at) >= stop_at) or (max_events and fired >= max_events):
                    raise _Enough
                if next_at > now:
                    time.sleep(next_at - now)
                next_at = max(next_at + 1 / rate, time.monotonic() - 1)  # no burst to catch up after a stall
                event_body: dict = {"event": item.event, "entity": account["id"], "object": item.data}
                if undelivered or any(s.undelivered for s in fixture.steps if s.name == item.step):
                    event_body["undelivered"] = True
                if webhook_id:
                    event_body["webhookId"] = webhook_id
                answer = fire_events(client, event_body)
                fired += 1
                if not quiet:
                    deliveries = sum(len(e["deliveries"]) for e in answer["events"])
                    click.echo(f"{clock(_now_iso())}  {fixture.name} #{round_number} {item.step:<16} "
                               f"{item.event:<28} {deliveries} deliver{'y' if deliveries == 1 else 'ies'}")
    except (_Enough, KeyboardInterrupt):
        pass
    elapsed = time.monotonic() - started
    click.echo(f"Fired {fired} event(s) in {elapsed:.1f} s ({fired / elapsed if elapsed else 0:.1f}/s).")


class _Enough(Exception):
    """The simulation reached its --duration or --max-events."""


def _vary(fixture: fixtures.Fixture, rng: random.Random) -> dict:
    """Pick param values for one round: the default four times in five, else another choice."""
    values = {}
    for param in fixture.params.values():
        if param.enum and len(param.enum) > 1 and rng.random() < 0.2:
            values[param.name] = rng.choice([v for v in param.enum if v != param.default])
    return values


def _now_iso() -> str:
    from sandbox.store.log import timestamp

    return timestamp()
