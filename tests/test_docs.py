"""The README documents every setting, and every CLI command."""

from __future__ import annotations

from pathlib import Path

from sandbox import cli, settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented():
    import sandbox  # noqa: F401  (modules that own settings register them at import)

    missing = [name for name in settings.SETTINGS if f"SANDBOX_{name}" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_command_is_documented():
    cli._load_commands()
    missing = [name for name in cli.cli.commands if f"run.py {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_events_doc_preview_transcript_is_what_the_seed_gives(client):
    """docs/events.md promises byte-identical data for a seed: its seeded transcript must be real output."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "events.md").read_text()
    assert '-d \'{"seed": 7, "locale": "th_TH", "set": ["roomStay.adults=3"]}\'' in doc
    data = client.post("/api/event-types/booking.created/sample",
                       json={"seed": 7, "locale": "th_TH", "set": ["roomStay.adults=3"]}).get_json()["data"]
    hotel = data["hotel"]
    for shown in (f'"data":{{"id":"{data["id"]}","bookingCode":"{data["bookingCode"]}"',
                  f'"hotelIdentifier":"{hotel["hotelIdentifier"]}","name":"{hotel["name"]}"',
                  f'"currencyCode":"{hotel["currencyCode"]}","starRating":{hotel["starRating"]}}}',
                  f'"startDate":"{data["roomStay"]["startDate"]}","endDate":"{data["roomStay"]["endDate"]}"'):
        assert shown in doc, shown
