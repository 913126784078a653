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
