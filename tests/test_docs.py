"""The README documents every setting (with its default), every CLI command, what a receiver gets and
the changelog; its first transcript fetches the record behind links.self; examples name real scenario
params; the live-log tables name every field of event.created; docs/events.md's seeded preview
transcript is real output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from sandbox import cli, envelope, fixtures, settings, signing

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _section(text: str, title: str) -> str:
    """Return the body of the ``## title`` section of a Markdown text ('' when there is none)."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return match.group(1) if match else ""


def _shown_default(value: object) -> str:
    """Write a setting's default as the README's Settings table does."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def test_every_setting_is_documented_with_its_default():
    import sandbox  # noqa: F401  (modules that own settings register them at import)

    table = _section(README, "Settings")
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        for name in re.findall(r"`SANDBOX_([A-Z_]+)`", cells[0]):
            rows[name] = cells[1] if len(cells) > 1 else ""
    missing = [name for name in settings.SETTINGS if name not in rows]
    assert not missing, f"settings missing from README.md's Settings table: {missing}"
    wrong = {name: (rows[name], _shown_default(default))
             for name, (default, _parser, _help) in settings.SETTINGS.items()
             if rows[name] != _shown_default(default)}
    assert not wrong, f"README.md's Settings table shows other defaults (shown, real): {wrong}"


def test_every_command_is_documented():
    cli._load_commands()
    missing = [name for name in cli.cli.commands if f"run.py {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_readme_names_every_envelope_field_and_wink_header():
    section = _section(README, "What a receiver gets")
    headers = signing.get("wink").headers(secrets=["whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M"],
                                          event_id="e", delivery_id="d", event_key="booking.create",
                                          attempt=1, body=b"{}", timestamp=0)
    missing = [name for name in (*envelope.FIELDS, *headers, "Content-Type") if f"`{name}`" not in section]
    assert not missing, f"not in README.md's 'What a receiver gets': {missing}"


def test_readme_changelog_tells_of_the_wire_contract():
    changelog = _section(README, "Changelog")
    assert changelog, "README.md has no '## Changelog' section"
    for needed in ("booking.create", "Wink-Signature", "SANDBOX_PROFILE=standard-webhooks"):
        assert needed in changelog, needed
    assert README.index("## Changelog") < README.index("## Development")


def test_events_doc_preview_transcript_is_what_the_seed_gives(client):
    """docs/events.md promises the same object for a seed: its seeded transcript must be real output."""
    doc = (ROOT / "docs" / "events.md").read_text()
    assert "/api/event-types/booking.create/sample" in doc
    assert '-d \'{"seed": 7, "locale": "th_TH", "set": ["stay.adults=3"]}\'' in doc
    letter = client.post("/api/event-types/booking.create/sample",
                         json={"seed": 7, "locale": "th_TH", "set": ["stay.adults=3"]}).get_json()
    obj, hotel, stay = letter["object"], letter["object"]["hotel"], letter["object"]["stay"]
    head = {name: letter[name] for name in ("ownerIdentifier", "recipientRole", "schemaVersion")}
    for shown in (json.dumps(head, separators=(",", ":"))[1:-1],
                  f'"object":{{"bookingIdentifier":"{obj["bookingIdentifier"]}","bookingCode":"{obj["bookingCode"]}"',
                  json.dumps({"hotel": hotel}, ensure_ascii=False, separators=(",", ":"))[1:-1],
                  f'"stay":{{"checkIn":"{stay["checkIn"]}","checkOut":"{stay["checkOut"]}","adults":3'):
        assert shown in doc, shown


def _try_it() -> str:
    section = next((body for title, body in re.findall(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", README, re.S | re.M)
                    if title.startswith("Try it")), "")
    assert section, "README.md has no '## Try it' section"
    return section


def test_readme_try_it_shows_a_delivery_and_fetches_the_record_behind_its_links_self():
    """The first transcript shows Wink's summary of a booking.create, then curls its links.self."""
    section = _try_it()
    assert README.index(section) < README.index("## What a receiver gets")
    assert '"type": "booking.create"' in section and '"bookingIdentifier":' in section
    [url] = re.findall(r'"self": "(http://[^"]+/extranet/booking/[^"]+)"', section)
    assert f"$ curl -s {url} " in section, "the Try it transcript does not fetch the letter's links.self"
    record = section[section.index(f"$ curl -s {url} "):]
    booking_id = url.rsplit("/", 1)[1]
    assert f'id: "{booking_id}"' in record and "bookingStatus:" in record and "roomStay:" in record


def test_readme_changelog_tells_of_payloads_and_the_outbox():
    changelog = _section(README, "Changelog")
    headings = re.findall(r"^### (.+)$", changelog, re.M)
    assert len(headings) >= 3, headings
    # Newest first; other subsections may sit above these two, so find them by content.
    outbox = next((i for i, title in enumerate(headings) if "outbox" in title.lower()), None)
    links = next((i for i, title in enumerate(headings) if "links.self" in title), None)
    assert outbox is not None and links is not None and outbox < links, headings
    for needed in ("links.self", "stay.adults=3", "roomStay is now stay", "undelivered", "--undelivered",
                   "event/list", "partial-refund-funds", "canceller", "kind", "migrated automatically",
                   "redeliver-dead", "run.py cancel", "Send test event", "Cancel\n  delivery"):
        assert needed in changelog, needed


def _documented_examples() -> str:
    """README, docs/*.md and the help of the commands that take scenario params."""
    cli._load_commands()
    helps = "\n".join(cli.cli.commands[name].get_help(click.Context(cli.cli.commands[name]))
                      for name in ("replay", "simulate", "trigger"))
    docs = "\n".join(path.read_text() for path in sorted((ROOT / "docs").glob("*.md")))
    return "\n".join((README, docs, helps))


def test_scenario_params_and_paths_in_examples_exist():
    """Every --param NAME= shown is a param of a shipped scenario, every scenario replayed or simulated
    by name is shipped, and no help text sets a path of the old data (roomStay...)."""
    shipped, errors = fixtures.discover([fixtures.SHIPPED_DIR])
    assert not errors
    names = {fixture.name for fixture in shipped}
    params = {name for fixture in shipped for name in fixture.params}
    text = _documented_examples()
    shown = set(re.findall(r"--param ([a-z_]{2,})=", text))  # not the synopses' k=v
    assert shown and shown <= params, f"--param examples naming no scenario's param: {shown - params}"
    used = set(re.findall(r"run\.py replay ([a-z][a-z0-9._-]+)(?= )", text))
    used |= set(re.findall(r"--scenario ([a-z][a-z0-9._-]+)", text))
    used = {name for name in used if not name.endswith(".json")}
    assert used and used <= names, f"fixtures named in examples but not shipped: {used - names}"
    cli._load_commands()
    for name in ("replay", "trigger"):
        help_text = cli.cli.commands[name].get_help(click.Context(cli.cli.commands[name]))
        assert "--set roomStay" not in help_text and "--set stay.adults=3" in help_text, name


def test_event_created_fields_are_documented(client, account, db_path):
    """Each field of a real event.created message is named in the live-log tables (README, docs)."""
    from sandbox.db import connect
    from sandbox.store import log

    assert client.post("/api/events", json={"event": "payee.update", "entity": account["id"],
                                            "undelivered": True}).status_code == 202
    [message] = log.latest(connect(db_path), 1, {"type": "event.created"})
    assert message["undelivered"] is True and message["recipientRole"] == "SELF"
    fields = set(message) - {"type", "cursor", "at", "eventId", "event", "entity"}
    for path, text in (("README.md", _section(README, "Live log: websocket messages")),
                       ("docs/live.md", (ROOT / "docs" / "live.md").read_text()),
                       ("docs/delivery.md", (ROOT / "docs" / "delivery.md").read_text())):
        row = next((line for line in text.splitlines() if line.startswith("| `event.created` |")), "")
        missing = [field for field in sorted(fields) if f"`{field}`" not in row]
        assert row and not missing, f"{path}: event.created row lacks {missing}"


def test_performance_page_is_linked_and_names_real_benchmarks():
    """docs/performance.md (issue 13) is linked from the README, covers each goal, and every benchmark it
    runs is a script in benchmarks/."""
    page = (ROOT / "docs" / "performance.md").read_text()
    assert "(docs/performance.md)" in README
    for goal in ("## Isolation", "## Memory", "## Queries", "## Token", "busy machine"):
        assert goal in page, goal
    scripts = set(re.findall(r"benchmarks/(bench_\w+\.py)", page))
    assert {"bench_isolation.py", "bench_memory.py", "bench_queries.py", "bench_firing.py"} <= scripts
    assert all((ROOT / "benchmarks" / script).exists() for script in scripts), scripts
