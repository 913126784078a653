"""Wink's ``State`` (the body of both grids) read into a WHERE clause, an ORDER BY, skip and take.

``State`` is ``{skip, take, sort: [{field, dir}], filter: {logic, filters: [...]}, group}``: a filter
item is either a ``FilterDescriptor`` ``{field, operator, value, ignoreCase}`` or another composite,
nested as deep as the caller likes (up to MAX_DEPTH here). A grid declares its fields (``Field``):
the SQL each one reads, its kind (``text``, ``status``, ``datetime``), and for a status the SQL
condition of each of Wink's names. Values only ever reach SQL as parameters; the SQL text comes from
the field table and this module alone.

Every mistake is a 400 that names its path in the body (``take``, ``filter.filters[1].operator``) and
says what would be accepted, all mistakes of a body at once.

Sandbox choices where Wink's spec is silent: ``ignoreCase`` is false unless given; ``dir`` is ``asc``
unless given; ``group`` is accepted and has no effect (the page shape has no place for groups); a
status value that is not one of Wink's names is a 400 (it could never match); ``occurredAt`` is
stored to the second, so a bound with a fraction of a second is rounded the way that keeps the
comparison exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sandbox.errors import ValidationError

TAKE_DEFAULT = 30
TAKE_MAX = 180
SKIP_MAX = 2**31 - 1
MAX_DEPTH = 8
MAX_FILTERS = 100
MAX_VALUES = 100
MAX_SORTS = 8

# Wink's FilterDescriptor.operator enum, in the spec's order.
OPERATORS = ("neq", "eq", "contains", "doesnotcontain", "isnull", "isnotnull", "isempty", "isnotempty",
             "startswith", "endswith", "gte", "lte", "gt", "lt", "in", "nin")
_TEXT = ("eq", "neq", "in", "nin", "contains", "doesnotcontain", "startswith", "endswith", "isnull",
         "isnotnull", "isempty", "isnotempty")
_DATETIME = ("eq", "neq", "in", "nin", "gte", "lte", "gt", "lt", "isnull", "isnotnull")
OPERATORS_BY_KIND = {"text": _TEXT, "status": _TEXT, "datetime": _DATETIME}
_NO_VALUE = ("isnull", "isnotnull", "isempty", "isnotempty")
STATE_KEYS = ("skip", "take", "sort", "filter", "group")


@dataclass(frozen=True)
class Field:
    """One field a grid filters and sorts on."""

    name: str
    kind: str                                    # text, status or datetime
    column: str                                  # SQL of the value (status: Wink's name)
    order: str                                   # SQL to sort by
    statuses: Mapping[str, str] = field(default_factory=dict)   # status: Wink's name -> SQL condition
    precision: str = "ms"                        # datetime: stored to the second ("s") or the ms ("ms")
    canonical: Callable[[str], str] | None = None    # text: the stored form of a value (aliases)


@dataclass(frozen=True)
class Grid:
    """The fields of one grid, its default sort and the columns that break ties; ``counted``: the
    stored value of each status the store keeps a running count of (Wink's name -> that value)."""

    name: str
    fields: Mapping[str, Field]
    default_sort: tuple[tuple[str, str], ...]
    tiebreak: tuple[str, ...]
    counted: Mapping[str, object] = field(default_factory=dict)


@dataclass
class Query:
    """A State read into SQL: ``where`` with its ``params``, the sort, ``skip`` and ``take``."""

    where: str
    params: list
    sort: list[tuple[str, str]]
    skip: int
    take: int
    # The top-level filter's parts when it is an ``or``: the store repeats the scope (the account) in
    # each, so SQLite can answer each part from its own index and join the rows.
    alternatives: list[tuple[str, list]] | None = None
    # When the filter tests the status alone (or nothing): the stored statuses it lets through, so the
    # store can add up its running counts instead of counting rows.
    counted: list | None = None

    def order_by(self, *, by_sorting: bool = False) -> str:
        """The ORDER BY terms; ``by_sorting`` keeps SQLite from walking an index in that order (unary
        ``+``), so it picks the index that narrows the WHERE most and sorts the few rows found."""
        plus = "+" if by_sorting else ""
        return ", ".join(f"{plus}{sql} {direction}" for sql, direction in self.sort)


def read_state(body: object, grid: Grid) -> Query:
    """Check a State body against Wink's schema and ``grid``'s fields; return it as a Query."""
    errors: list[dict] = []
    if not isinstance(body, dict):
        raise ValidationError([{"field": "body", "message": "must be Wink's State object: "
                                "{skip, take, sort, filter}"}])
    errors += [{"field": name, "message": "is not a field of State (" + ", ".join(STATE_KEYS) + ")"}
               for name in sorted(set(body) - set(STATE_KEYS))]
    skip = _integer(body, "skip", 0, 0, SKIP_MAX, errors)
    take = _integer(body, "take", TAKE_DEFAULT, 1, TAKE_MAX, errors)
    sort = _sort(body.get("sort"), grid, errors)
    group = body.get("group")
    if group is not None and not isinstance(group, list):
        errors.append({"field": "group", "message": "must be an array of GroupDescriptor (it is "
                                                    "accepted and has no effect)"})
    where, params, alternatives = "1", [], None
    raw = body.get("filter")
    if raw is not None:
        logic, parts = _composite(raw, "filter", grid, errors, depth=1, counter=[0])
        where, params = _join(logic, parts)
        if logic == "or" and len(parts) > 1:
            alternatives = parts
    if errors:
        raise ValidationError(errors)
    counted = None
    status = next((item for item in grid.fields.values() if item.kind == "status"), None)
    if grid.counted and status is not None:
        names = _status_names(raw, status)
        if names is not None:
            # A name may stand for several stored values (PENDING: pending and held).
            counted = [value for name in sorted(names) if name in grid.counted
                       for value in (grid.counted[name] if isinstance(grid.counted[name], list)
                                     else [grid.counted[name]])]
    return Query(where, params, sort, skip, take, alternatives, counted)


def _is_composite(item: object) -> bool:
    return isinstance(item, dict) and ("filters" in item or ("logic" in item and "field" not in item))


def _status_names(raw: object, status: Field) -> frozenset[str] | None:
    """Return the statuses a (valid) filter lets through when it tests nothing but ``status`` with
    eq, neq, in, nin, isnull or isnotnull; None when it tests anything else."""
    everything = frozenset(status.statuses)
    names = _names(raw, status, everything) if raw is not None else _EMPTY
    return everything if names is _EMPTY else names


_EMPTY = frozenset({"(no filter)"})   # a composite with no filter in it: it is left out, as in SQL


def _names(raw: dict, status: Field, everything: frozenset[str]) -> frozenset[str] | None:
    if _is_composite(raw):
        parts = []
        for item in raw.get("filters") or []:
            names = _names(item, status, everything)
            if names is None:
                return None
            if names is not _EMPTY:
                parts.append(names)
        if not parts:
            return _EMPTY
        if (raw.get("logic") or "and") == "or":
            return frozenset().union(*parts)
        return everything.intersection(*parts)
    operator = raw.get("operator")
    if raw.get("field") != status.name or operator not in ("eq", "neq", "in", "nin", "isnull", "isnotnull"):
        return None
    if operator in ("isnull", "isnotnull"):
        return frozenset() if operator == "isnull" else everything
    values = raw["value"] if operator in ("in", "nin") else [raw["value"]]
    named = frozenset(value.upper() if raw.get("ignoreCase") else value for value in values)
    return everything - named if operator in ("neq", "nin") else everything & named


def _integer(body: dict, name: str, default: int, low: int, high: int, errors: list[dict]) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append({"field": name, "message": f"must be an integer from {low} to {high}"
                                                 + (f" (default {default})" if name == "take" else "")})
        return default
    return value


def _field(grid: Grid, name: object, path: str, errors: list[dict]) -> Field | None:
    if not isinstance(name, str) or not name:
        errors.append({"field": path, "message": "is required: one of " + ", ".join(grid.fields)})
        return None
    found = grid.fields.get(name)
    if found is None:
        errors.append({"field": path, "message": f"unknown field {name!r}: the {grid.name} grid "
                                                 "filters and sorts on " + ", ".join(grid.fields)})
    return found


def _sort(raw: object, grid: Grid, errors: list[dict]) -> list[tuple[str, str]]:
    items = list(grid.default_sort) if raw in (None, []) else None
    if items is None:
        if not isinstance(raw, list) or len(raw) > MAX_SORTS:
            errors.append({"field": "sort", "message": f"must be an array of at most {MAX_SORTS} "
                                                       "SortDescriptor {field, dir}"})
            return []
        items = []
        for number, item in enumerate(raw):
            path = f"sort[{number}]"
            if not isinstance(item, dict):
                errors.append({"field": path, "message": "must be a SortDescriptor {field, dir}"})
                continue
            errors += [{"field": f"{path}.{key}", "message": "is not a field of SortDescriptor (field, dir)"}
                       for key in sorted(set(item) - {"field", "dir"})]
            found = _field(grid, item.get("field"), f"{path}.field", errors)
            direction = item.get("dir") or "asc"
            if direction not in ("asc", "desc"):
                errors.append({"field": f"{path}.dir", "message": "must be asc or desc"})
            if found is not None:
                items.append((found.name, direction))
    order = [(grid.fields[name].order, direction) for name, direction in items]
    last = items[-1][1] if items else "desc"
    order += [(column, last) for column in grid.tiebreak if column not in {sql for sql, _ in order}]
    return order


def _join(logic: str, parts: list[tuple[str, list]]) -> tuple[str, list]:
    if not parts:
        return "1", []
    return f" {logic} ".join(f"({clause})" for clause, _ in parts), [p for _, values in parts for p in values]


def _composite(raw: object, path: str, grid: Grid, errors: list[dict], *, depth: int,
               counter: list[int]) -> tuple[str, list[tuple[str, list]]]:
    """Read a composite; return its logic and its parts' SQL (an empty list matches everything)."""
    if not isinstance(raw, dict):
        errors.append({"field": path, "message": "must be a CompositeFilterDescriptor {logic, filters}"})
        return "and", []
    if depth > MAX_DEPTH:
        errors.append({"field": path, "message": f"nests filters more than {MAX_DEPTH} deep"})
        return "and", []
    errors += [{"field": f"{path}.{key}", "message": "is not a field of CompositeFilterDescriptor "
                                                     "(logic, filters)"}
               for key in sorted(set(raw) - {"logic", "filters"})]
    logic = raw.get("logic") or "and"
    if logic not in ("and", "or"):
        errors.append({"field": f"{path}.logic", "message": "must be and or or"})
        logic = "and"
    filters = raw.get("filters")
    if filters is None:
        filters = []
    if not isinstance(filters, list):
        errors.append({"field": f"{path}.filters", "message": "must be an array of FilterDescriptor "
                                                              "or CompositeFilterDescriptor"})
        return logic, []
    parts = []
    for number, item in enumerate(filters):
        where = f"{path}.filters[{number}]"
        if _is_composite(item):
            inner = _composite(item, where, grid, errors, depth=depth + 1, counter=counter)
            if inner[1]:      # an empty composite filters nothing, in an "or" as in an "and"
                parts.append(_join(*inner))
            continue
        counter[0] += 1
        if counter[0] > MAX_FILTERS:
            if counter[0] == MAX_FILTERS + 1:
                errors.append({"field": where, "message": f"a State holds at most {MAX_FILTERS} filters"})
            continue
        parts.append(_descriptor(item, where, grid, errors))
    return logic, parts


def _descriptor(raw: object, path: str, grid: Grid, errors: list[dict]) -> tuple[str, list]:
    if not isinstance(raw, dict):
        errors.append({"field": path, "message": "must be a FilterDescriptor {field, operator, value, "
                                                 "ignoreCase} or a CompositeFilterDescriptor"})
        return "1", []
    errors += [{"field": f"{path}.{key}", "message": "is not a field of FilterDescriptor (field, operator, "
                                                     "value, ignoreCase)"}
               for key in sorted(set(raw) - {"field", "operator", "value", "ignoreCase"})]
    found = _field(grid, raw.get("field"), f"{path}.field", errors)
    operator = raw.get("operator")
    if not isinstance(operator, str) or operator not in OPERATORS:
        said = f"unknown operator {operator!r}" if operator is not None else "is required"
        errors.append({"field": f"{path}.operator",
                       "message": said + ": Wink's operators are " + ", ".join(OPERATORS)})
        return "1", []
    ignore_case = raw.get("ignoreCase")
    if ignore_case is not None and not isinstance(ignore_case, bool):
        errors.append({"field": f"{path}.ignoreCase", "message": "must be true or false"})
    if found is None:
        return "1", []
    allowed = OPERATORS_BY_KIND[found.kind]
    if operator not in allowed:
        errors.append({"field": f"{path}.operator", "message": f"{operator} does not apply to "
                       f"{found.name} ({'a date-time' if found.kind == 'datetime' else 'a text'} field): "
                       "use " + ", ".join(allowed)})
        return "1", []
    if operator in _NO_VALUE:
        return _no_value(found, operator), []
    value = raw.get("value")
    if operator in ("in", "nin"):
        if not isinstance(value, list) or not value or len(value) > MAX_VALUES:
            errors.append({"field": f"{path}.value", "message": f"{operator} needs an array of 1 to "
                                                                f"{MAX_VALUES} values"})
            return "1", []
        values = value
    else:
        values = [value]
    before = len(errors)
    kind = "date-time" if found.kind == "datetime" else "text"
    for number, item in enumerate(values):
        where = f"{path}.value" + (f"[{number}]" if operator in ("in", "nin") else "")
        if not isinstance(item, str):
            errors.append({"field": where, "message": f"must be a string ({found.name} is a {kind} field)"})
    if len(errors) > before:
        return "1", []
    builder = {"text": _text, "status": _status, "datetime": _datetime}[found.kind]
    return builder(found, operator, values, bool(ignore_case), path, errors)


def _no_value(found: Field, operator: str) -> str:
    column = found.column
    return {"isnull": f"{column} is null", "isnotnull": f"{column} is not null",
            "isempty": f"{column} = ''", "isnotempty": f"{column} != ''"}[operator]


def _membership(clauses: list[str], operator: str) -> str:
    joined = " or ".join(f"({clause})" for clause in clauses)
    return f"not ({joined})" if operator in ("neq", "nin") else joined


def _text(found: Field, operator: str, values: list[str], ignore_case: bool, path: str,
          errors: list[dict]) -> tuple[str, list]:
    column = found.column
    if operator in ("eq", "neq", "in", "nin"):
        if found.canonical is not None:
            values = [found.canonical(value) for value in values]
        if ignore_case:
            clauses = ["lower(" + column + ") = lower(?)"] * len(values)
        else:
            marks = ", ".join("?" * len(values))
            clauses = [f"{column} in ({marks})"]
        return _membership(clauses, operator), list(values)
    return _substring(column, operator, values[0], ignore_case)


def _substring(column: str, operator: str, value: str, ignore_case: bool) -> tuple[str, list]:
    if value == "":
        return ("0" if operator == "doesnotcontain" else "1"), []
    if ignore_case:
        column, mark = f"lower({column})", "lower(?)"
    else:
        mark = "?"
    clause = {
        "contains": f"instr({column}, {mark}) > 0",
        "doesnotcontain": f"instr({column}, {mark}) = 0",
        "startswith": f"instr({column}, {mark}) = 1",
        "endswith": f"substr({column}, -length({mark})) = {mark}",
    }[operator]
    return clause, [value] * clause.count("?")


def _status(found: Field, operator: str, values: list[str], ignore_case: bool, path: str,
            errors: list[dict]) -> tuple[str, list]:
    if operator not in ("eq", "neq", "in", "nin"):
        return _substring(found.column, operator, values[0], ignore_case)
    names = list(found.statuses)
    clauses = []
    for number, value in enumerate(values):
        name = value.upper() if ignore_case else value
        if name not in found.statuses:
            where = f"{path}.value" + (f"[{number}]" if operator in ("in", "nin") else "")
            hint = " (Wink's name for the sandbox's failed is DEAD)" if value.lower() == "failed" else ""
            errors.append({"field": where, "message": f"{value!r} is not a status: " + ", ".join(names)
                           + hint})
            continue
        clauses.append(found.statuses[name])
    if not clauses:
        return "1", []
    return _membership(clauses, operator), []


def _datetime(found: Field, operator: str, values: list[str], ignore_case: bool, path: str,
              errors: list[dict]) -> tuple[str, list]:
    bounds = []
    for number, value in enumerate(values):
        where = f"{path}.value" + (f"[{number}]" if operator in ("in", "nin") else "")
        bound = _instant(value, found.precision)
        if bound is None:
            errors.append({"field": where, "message": f"{value!r} is not an ISO 8601 date-time such as "
                                                      "2026-01-15T09:30:00Z (no zone means UTC)"})
            continue
        bounds.append(bound)
    if len(bounds) < len(values):
        return "1", []
    column = found.column
    if operator in ("eq", "neq", "in", "nin"):
        # A value between two stored ticks (a fraction of a second for occurredAt) equals no row.
        exact = [floor for floor, ceiling in bounds if floor == ceiling]
        if not exact:
            return ("1" if operator in ("neq", "nin") else "0"), []
        marks = ", ".join("?" * len(exact))
        clause = f"{column} in ({marks})"
        return (f"not ({clause})" if operator in ("neq", "nin") else clause), exact
    floor, ceiling = bounds[0]
    # Against stored ticks o: o >= v <=> o >= ceil(v); o > v <=> o > floor(v); o <= v <=> o <= floor(v);
    # o < v <=> o < ceil(v).
    value = {"gte": ceiling, "gt": floor, "lte": floor, "lt": ceiling}[operator]
    sign = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}[operator]
    return f"{column} {sign} ?", [value]


def _instant(value: str, precision: str) -> tuple[str, str] | None:
    """Return an ISO 8601 instant as the stored strings just at or below it and just at or above it."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        moment = moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    if precision == "s":
        floor = moment.replace(microsecond=0)
        step = dt.timedelta(seconds=1)
    else:
        floor = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        step = dt.timedelta(milliseconds=1)
    try:
        ceiling = floor if floor == moment else floor + step
    except OverflowError:
        ceiling = floor
    return _stored(floor, precision), _stored(ceiling, precision)


def _stored(moment: dt.datetime, precision: str) -> str:
    text = (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")
    if precision == "ms":
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"
