"""Edits on a stored event's ``object``: RFC 6902 JSON Patch and dotted ``set``, applied with ``jsonpatch``.

Both speak of paths inside the ``object`` (Wink's payload), as ``set`` does when firing: the patch
path ``/stay/adults`` and the assignment ``stay.adults=3`` name the same field. A ``set`` becomes one
patch operation (``replace`` when the field is there, else ``add``), so every edit goes through the
library. Each bad edit is an ``APIError`` in the project's shape, with the status RFC 5789 gives a
patch that cannot be applied:

- 400 (``invalid-patch``): not a list of operations, an unknown ``op``, a missing member, a path that
  is not a JSON pointer, a ``set`` that does not read ``path=value``;
- 422 (``patch-path-not-found``): a path (or ``from``) that is not in the object;
- 409 (``patch-test-failed``): a ``test`` operation whose value differs.

Each names the failing edit as ``patch[i]`` or ``set[i]``.
"""

from __future__ import annotations

import copy
import difflib
import json
import re

from sandbox.errors import APIError
from sandbox.overrides import MAX_DEPTH, _too_deep, parse_assignment

OPS = ("add", "remove", "replace", "move", "copy", "test")
MAX_EDITS = 500
_MISSING = object()
_IN_DOCUMENT = re.compile(r" in [\[{].*$", re.DOTALL)
_HINT_OBJECT = "paths are inside the event's object, e.g. /stay/adults (not /object/stay/adults)"


def _library():
    # Imported when an edit is made, so the rest of the app starts without the package installed.
    import jsonpatch
    import jsonpointer

    return jsonpatch, jsonpointer


def _refuse(status: int, field: str, message: str, *, kind: str, title: str) -> APIError:
    return APIError(status, f"{field}: {message}", errors=[{"field": field, "message": message}],
                    kind=kind, title=title)


def _invalid(field: str, message: str) -> APIError:
    return _refuse(400, field, message, kind="invalid-patch", title="Invalid patch")


def check_patch(value: object) -> list[dict]:
    """Return ``value`` as a list of RFC 6902 operations, or raise a 400 naming the first bad one."""
    if not isinstance(value, list):
        raise _invalid("patch", "must be a JSON Patch: a list of operations such as "
                                '{"op": "replace", "path": "/stay/adults", "value": 3}')
    if len(value) > MAX_EDITS:
        raise _invalid("patch", f"has {len(value)} operations; at most {MAX_EDITS}")
    for number, op in enumerate(value):
        field = f"patch[{number}]"
        if not isinstance(op, dict):
            raise _invalid(field, "must be an object with op and path")
        name = op.get("op")
        if name not in OPS:
            raise _invalid(f"{field}.op", f"{name!r} is not an operation: one of {', '.join(OPS)}")
        for member in ("path", *(("from",) if name in ("move", "copy") else ())):
            if not isinstance(op.get(member), str):
                raise _invalid(f"{field}.{member}", "is required: a JSON pointer such as /stay/adults")
            if op[member] and not op[member].startswith("/"):
                raise _invalid(f"{field}.{member}", f"{op[member]!r} is not a JSON pointer: it starts "
                                                    "with /, e.g. /stay/adults")
        if name in ("add", "replace", "test") and "value" not in op:
            raise _invalid(f"{field}.value", f"is required by {name}")
        if "value" in op and _too_deep(op["value"]):
            raise _invalid(f"{field}.value", f"nests more than {MAX_DEPTH} levels")
    return value


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def set_operation(text: object, obj: dict, field: str) -> dict:
    """Turn one ``path=value`` into a patch operation on ``obj``: replace what is there, else add."""
    _jsonpatch, jsonpointer = _library()
    try:
        steps, value = parse_assignment(text)
    except ValueError as exc:
        raise _invalid(field, str(exc)) from None
    target = obj
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        if isinstance(step, int) != isinstance(target, list) or not isinstance(target, list | dict):
            where = jsonpointer.JsonPointer.from_parts([str(s) for s in steps[:depth]]).path or "the root"
            shown = f"[{step}]" if isinstance(step, int) else f".{step}"
            raise _refuse(422, field, f"{where} is {_kind(target)}, so {shown} cannot apply in {text!r}",
                          kind="patch-path-not-found", title="Patch path not found")
        if isinstance(step, int) and isinstance(target, list) and step < 0 and -step <= len(target):
            steps[depth] = step = len(target) + step          # stay.rooms[-1]: the last item
        inside = (isinstance(target, dict) and isinstance(step, str) and step in target) or (
            isinstance(target, list) and isinstance(step, int) and 0 <= step < len(target))
        if last:
            op = "replace" if inside else "add"
        elif not inside:
            where = jsonpointer.JsonPointer.from_parts(steps[:depth + 1]).path
            raise _refuse(422, field, f"the object has nothing at {where}, so {text!r} cannot apply",
                          kind="patch-path-not-found", title="Patch path not found")
        else:
            target = target[step]
    pointer = jsonpointer.JsonPointer.from_parts([str(step) for step in steps]).path
    return {"op": op, "path": pointer, "value": value}


def apply(obj: dict, patch: list[dict] | None = None, assignments: list[str] | None = None) -> dict:
    """Return a copy of ``obj`` with ``patch`` applied, then each ``set`` assignment, in order.

    Operations are applied one at a time (as ``jsonpatch`` does within one patch) so that an error
    names the one that failed.
    """
    jsonpatch, jsonpointer = _library()
    edited = copy.deepcopy(obj)
    steps = [(f"patch[{number}]", op) for number, op in enumerate(check_patch(patch) if patch else [])]
    if assignments is not None and (not isinstance(assignments, list) or len(assignments) > MAX_EDITS):
        raise _invalid("set", f'must be a list of at most {MAX_EDITS} "path=value" strings')
    for number, text in enumerate(assignments or []):
        steps.append((f"set[{number}]", text))
    for field, step in steps:
        op = step if isinstance(step, dict) else set_operation(step, edited, field)
        try:
            edited = jsonpatch.JsonPatch([op]).apply(edited)
        except jsonpatch.JsonPatchTestFailed:
            found = jsonpointer.resolve_pointer(edited, op["path"], _MISSING)
            found = "missing" if found is _MISSING else json.dumps(found, ensure_ascii=False)
            raise _refuse(409, field, f"test failed: {op['path']} is {found}, not "
                                      f"{json.dumps(op['value'], ensure_ascii=False)}",
                          kind="patch-test-failed", title="Patch test failed") from None
        except (jsonpatch.JsonPatchConflict, jsonpointer.JsonPointerException, KeyError, IndexError) as exc:
            # The library's message names the part not found, then prints the whole document: keep the first.
            message = _IN_DOCUMENT.sub("", str(exc)).strip("'\"")
            if isinstance(exc, KeyError | IndexError | jsonpatch.JsonPatchPathNotFound) or not message:
                message = f"the object has nothing at {op.get('from', op.get('path'))}"
            if op.get("path", "").startswith("/object/") and "object" not in edited:
                message += f"; {_HINT_OBJECT}"
            raise _refuse(422, field, f"{op['op']} {op.get('path')}: {message}",
                          kind="patch-path-not-found", title="Patch path not found") from None
        except jsonpatch.InvalidJsonPatch as exc:
            raise _invalid(field, str(exc)) from None
    return edited


def pretty(value) -> str:
    """The JSON text a diff compares: two-space indents, keys in their order, non-ASCII kept."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def diff(original: dict, edited: dict) -> dict:
    """Return the edit as an RFC 6902 patch (``jsonpatch.make_patch``) and as a unified text diff."""
    jsonpatch, _jsonpointer = _library()
    text = "".join(difflib.unified_diff(pretty(original).splitlines(keepends=True),
                                        pretty(edited).splitlines(keepends=True),
                                        fromfile="original object", tofile="edited object"))
    return {"patch": jsonpatch.make_patch(original, edited).patch, "text": text}
