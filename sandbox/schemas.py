"""Wink's published JSON schemas (the components of its `schemas/webhooks.json`), kept verbatim."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources


@cache
def _all() -> dict:
    text = resources.files("sandbox").joinpath("data/wink-schemas.json").read_text("utf-8")
    return json.loads(text)


def wink_schema(name: str) -> dict:
    """Return a copy of one of Wink's schemas by its component name (e.g. ``WebhookEnvelope``)."""
    return copy.deepcopy(_all()[name])


def names() -> list[str]:
    """Return the names of Wink's schemas kept here."""
    return list(_all())
