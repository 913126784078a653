"""Overrides on generated event data: a deep-merged JSON object and dotted-path assignments.

Assignments read ``path=value``. The path is keys joined by dots with ``[n]`` list indexes
(``roomStay.adults``, ``statusHistory[0].reason``; ``["odd.key"]`` quotes a key holding dots). The value
is parsed as JSON when it is JSON (``3``, ``true``, ``null``, ``"ABC"``, ``{"a": 1}``), else taken as a
plain string (``reason=late`` sets ``"late"``).
"""

from __future__ import annotations

import json
import re

from sandbox.errors import ValidationError

_TOKEN = re.compile(
    r"""
    \[\s*(?P<index>-?\d+)\s*\]                                  # [0]
    | \[\s*(?P<quoted>"(?:[^"\\]|\\.)*")\s*\]                   # ["key.with.dots"]
    | (?P<dot>\.)?(?P<name>[^.\[\]=\s"]+)                       # .name or a leading name
    """,
    re.VERBOSE,
)


MAX_DEPTH = 32  # how deeply an override value may nest; bounds recursion on hostile input


def _too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Tell whether ``value`` nests more than ``limit`` levels (checked without recursion)."""
    level = [value]
    for _ in range(limit + 1):
        level = [child for item in level if isinstance(item, (dict, list))
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return True


def deep_merge(base: dict, patch: dict) -> dict:
    """Return ``base`` with ``patch`` merged in: objects merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse_path(path: str) -> list[str | int]:
    """Split ``a.b[0]["c.d"]`` into ``["a", "b", 0, "c.d"]``; raise ValueError when malformed."""
    steps: list[str | int] = []
    position = 0
    text = path.strip()
    if not text:
        raise ValueError("the path is empty")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or (steps and match["name"] is not None and not match["dot"]) or (
            not steps and match["dot"]
        ):
            raise ValueError(f"cannot read the path at {text[position:]!r}")
        if match["index"] is not None:
            steps.append(int(match["index"]))
        elif match["quoted"] is not None:
            steps.append(json.loads(match["quoted"]))
        else:
            steps.append(match["name"])
        position = match.end()
    return steps


def parse_value(raw: str):
    """Return ``raw`` parsed as JSON, or ``raw`` itself when it is not JSON."""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    except RecursionError:
        raise ValueError(f"the value nests more than {MAX_DEPTH} levels") from None
    if _too_deep(value):
        raise ValueError(f"the value nests more than {MAX_DEPTH} levels")
    return value


def parse_assignment(text: str) -> tuple[list[str | int], object]:
    """Split ``path=value`` into the parsed path and value; raise ValueError when malformed."""
    if not isinstance(text, str):
        raise ValueError("must be a string like stay.adults=3")
    path, equals, raw = text.partition("=")
    if not equals:
        raise ValueError(f"{text!r} has no '='; write path=value, e.g. stay.adults=3")
    return parse_path(path), parse_value(raw.strip())


def _show(steps: list[str | int]) -> str:
    out = ""
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        elif re.fullmatch(r"[^.\[\]=\s\"]+", step):
            out += f".{step}" if out else step
        else:
            out += f"[{json.dumps(step)}]"
    return out


def assign(data: dict, steps: list[str | int], value) -> None:
    """Set the value at ``steps`` inside ``data`` (in place), creating missing objects on the way."""
    target = data
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        where = _show(steps[:depth]) or "the data"
        if isinstance(step, int):
            if not isinstance(target, list):
                raise ValueError(f"{where} is {_kind(target)}, not a list, so [{step}] cannot apply")
            size = len(target)
            if step == size and last:
                target.append(value)
                return
            if not -size <= step < size:
                raise ValueError(f"{where} has {size} item(s); index {step} is out of range")
        else:
            if not isinstance(target, dict):
                raise ValueError(f"{where} is {_kind(target)}, not an object, so .{step} cannot apply")
            if not last and target.get(step) is None:
                target[step] = [] if isinstance(steps[depth + 1], int) else {}
        if last:
            target[step] = value
        else:
            target = target[step]


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def apply_overrides(data: dict, overrides: dict | None = None,
                    assignments: list[str] | None = None) -> dict:
    """Return a new ``data`` with ``overrides`` deep-merged, then each assignment applied in order."""
    if overrides is not None and not isinstance(overrides, dict):
        raise ValidationError([{"field": "overrides",
                                "message": f"must be a JSON object, not {_kind(overrides)}"}])
    if overrides is not None and _too_deep(overrides):
        raise ValidationError([{"field": "overrides",
                                "message": f"nests more than {MAX_DEPTH} levels"}])
    if assignments is not None and not isinstance(assignments, list):
        raise ValidationError([{"field": "set", "message": "must be a list of path=value strings"}])
    # A JSON round trip is a fast deep copy that also drops any object shared between two places.
    result = json.loads(json.dumps(data))
    if overrides:
        result = deep_merge(result, json.loads(json.dumps(overrides)))
    errors = []
    for number, text in enumerate(assignments or []):
        try:
            steps, value = parse_assignment(text)
            assign(result, steps, value)
        except ValueError as exc:
            errors.append({"field": f"set[{number}]", "message": str(exc)})
    if errors:
        raise ValidationError(errors)
    return result
