"""The README documents every setting (with its default), every CLI command, what a receiver gets and
the changelog; docs/events.md's seeded preview transcript is real output."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sandbox import cli, envelope, settings, signing

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
