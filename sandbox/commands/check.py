"""``check``: run the receiver battery against a running receiver and print a report card."""

from __future__ import annotations

import click

from sandbox import receiver_check, reports, signing
from sandbox.cli import cli
from sandbox.commands.common import emit_json, writable_file, write_text


def _line(result: receiver_check.Result) -> str:
    verdict = click.style(" PASS ", fg="black", bg="green") if result.passed else \
        click.style(" FAIL ", fg="white", bg="red", bold=True)
    line = f"{verdict} {result.id:<19} {result.title:<38} expect {result.expected}: {result.reason}"
    if not result.passed and result.why:
        line += "\n" + " " * 7 + click.style("why: ", bold=True) + result.why
    if not result.passed and result.fix:
        line += "\n" + " " * 7 + click.style("fix: ", bold=True) + result.fix
    return line


def _cases(results: list[receiver_check.Result]) -> list[reports.Case]:
    return [reports.Case(name=f"{r.id}: {r.title}", classname="receiver_check", passed=r.passed,
                         message=r.reason if r.passed else f"{r.reason}. Fix: {r.fix}",
                         seconds=r.elapsed_ms / 1000,
                         details={"expected": r.expected, "status": r.status, "sent": r.sent.get("note"),
                                  "response": r.response})
            for r in results]


@cli.command()
@click.argument("url")
@click.option("--secret", required=True, envvar="WEBHOOK_SECRET", metavar="whsec_...",
              help="The receiver's signing secret (the webhook's whsec_ secret, padded or not; or "
                   "WEBHOOK_SECRET).")
@click.option("--profile", type=click.Choice(list(signing.PROFILES)), default=signing.DEFAULT_PROFILE,
              show_default=True,
              help="Sign as Wink does (Wink-Signature), or as a standard-webhooks webhook does.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON instead of the card.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              callback=writable_file,
              help="Also write a JUnit XML report (one test case per check) to FILE.")
def check(url: str, secret: str, profile: str, as_json: bool, junit_path: str | None) -> None:
    """Check a running webhook receiver: signatures, rotation, replays, idempotency, size, UTF-8.

    Sends a battery of Wink deliveries to URL and prints one line per check: a valid signed
    booking.create must get 2xx within 5 s, and so must a retry of it (same Wink-Event-Id), both
    halves of a secret rotation (two v1 signatures), an unknown event type, a 500 KB body and
    100 KB of Thai, Portuguese and emoji; another secret, no Wink-Signature, one without a v1, a
    tampered body, an old signature re-dated to now, and a timestamp 10 minutes old or ahead must
    get 4xx. Exits 1 when any check fails. No sandbox is needed.

    \b
    Example:
        python examples/good_receiver.py --port 9000 --secret whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M &
        python run.py check http://127.0.0.1:9000/webhook --secret whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M
    """
    from sandbox.api.webhooks import url_problem

    problem = url_problem(url)
    if problem:
        raise click.BadParameter(f"{url!r} {problem}", param_hint="URL")
    try:
        signing.check_secret(secret)  # before the first request
    except ValueError as exc:
        raise click.BadParameter(f"{exc} (e.g. whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M)",
                                 param_hint="--secret") from None
    if not as_json:
        click.echo(f"Checking the receiver at {url} ({profile} signatures)\n")
    results = receiver_check.run(url, secret, profile=profile,
                                 on_result=None if as_json else lambda r: click.echo(_line(r)))
    failed = [r for r in results if not r.passed]
    cases = _cases(results)
    if junit_path:
        write_text(junit_path, reports.junit_xml("receiver check", cases))
    if as_json:
        emit_json({"url": url, "profile": profile, "ok": not failed, "passed": len(results) - len(failed),
                   "failed": len(failed), "checks": [r.as_dict() for r in results]})
    else:
        summary = f"\n{len(results) - len(failed)} of {len(results)} checks passed."
        if failed:
            click.secho(summary + " Fix the receiver and run the check again.", fg="red", bold=True)
        else:
            click.secho(summary + " The receiver handles signed webhooks correctly.", fg="green")
    if failed:
        raise SystemExit(1)
