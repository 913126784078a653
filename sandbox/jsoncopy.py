"""A deep copy of a JSON value (dicts, lists and scalars), three to four times faster than
``copy.deepcopy``, which a firing paid for on every record it wrote a summary into."""

from __future__ import annotations

from typing import Any


def copy_json(value: Any) -> Any:
    """Return a copy of ``value`` sharing no dict or list with it. Scalars (str, numbers, bool, None)
    are immutable and kept; so is anything else (a tuple of scalars). Aliasing is not kept: a dict
    found twice is copied twice, which JSON cannot tell apart."""
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    return value
