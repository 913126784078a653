"""Fixtures and scenarios: loading, validation, ``${...}`` interpolation, and building their events.

A fixture file is JSON described by ``fixtures/schema/fixture.schema.json``: an *event* fixture (one
event, generated from a seed with overrides, or a literal ``data``) or a *scenario* (named, ordered
steps). Loading turns a file into a ``Fixture``; ``build`` turns a fixture plus parameters into the
list of events to send, in order, each one's references to earlier steps resolved. Sending is
``sandbox.replay``'s job. Every loading or building error names the file, the step and the field.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMA_PATH = SHIPPED_DIR / "schema" / "fixture.schema.json"
MAX_FILE_BYTES = 2 * 1024 * 1024
# References: ${params.NAME} or ${steps.STEP.event|data...}; $${ is a literal ${.
_REF = re.compile(r"\$\$\{|\$\{([^{}]*)\}")
_PARAM_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
# Fields of a step where references are resolved; `data` is always sent literally.
_INTERPOLATED = ("event", "account", "overrides", "set")


# -- errors -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong with a fixture: where (step, field) and what."""

    message: str
    step: str | None = None
    field: str | None = None

    def render(self) -> str:
        where = []
        if self.step is not None:
            where.append(f"step {self.step}")
        if self.field:
            where.append(f"field '{self.field}'")
        return ": ".join([*where, self.message])

    def as_dict(self) -> dict:
        return {"step": self.step, "field": self.field, "message": self.message}


class FixtureError(ValueError):
    """A fixture that cannot be loaded or built; ``str()`` names the file, step and field."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(f"{file}: {p.render()}" for p in problems))

    def api_errors(self) -> list[dict]:
        """The problems as ``{field, message}`` for a problem+json answer."""
        out = []
        for p in self.problems:
            where = " ".join(x for x in (f"step {p.step}" if p.step else "", p.field or "") if x)
            out.append({"field": where or "fixture", "message": p.message})
        return out


def _fail(file: str, message: str, step: str | None = None, field: str | None = None):
    raise FixtureError(file, [Problem(message, step, field)])


# -- the loaded shape ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    enum: tuple | None = None
    description: str = ""

    def as_dict(self) -> dict:
        out = {"name": self.name, "type": self.type, "default": self.default,
               "description": self.description}
        if self.enum is not None:
            out["enum"] = list(self.enum)
        return out


@dataclass(frozen=True)
class Step:
    index: int
    name: str
    event: str
    description: str = ""
    account: dict | None = None
    delay_ms: int = 0
    when: dict = field(default_factory=dict)
    seed: int | None = None
    locale: str | None = None
    overrides: dict | None = None
    set: dict | None = None
    data: dict | None = None

    @property
    def label(self) -> str:
        return f"{self.index + 1} '{self.name}'"


@dataclass(frozen=True)
class Fixture:
    name: str
    kind: str
    path: str
    description: str
    steps: tuple[Step, ...]
    params: dict[str, Param] = field(default_factory=dict)
    seed: int | None = None
    source: dict | None = None

    def summary(self) -> dict:
        """What a listing shows: name, kind, description, params and steps."""
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "file": self.path,
            "params": [p.as_dict() for p in self.params.values()],
            "steps": [{"name": s.name, "event": s.event, "delayMs": s.delay_ms} for s in self.steps],
        }


# -- loading ------------------------------------------------------------------------------------

@cache
def schema() -> dict:
    """Return the fixture JSON Schema kept in the repository."""
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


@cache
def _validator():
    import jsonschema

    return jsonschema.Draft202012Validator(schema())


def load(path: str | Path) -> Fixture:
    """Read and validate one fixture file."""
    path = Path(path)
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            _fail(file, f"is {size} bytes; a fixture may be at most {MAX_FILE_BYTES}")
        text = path.read_text("utf-8")
    except FileNotFoundError:
        _fail(file, "no such file")
    except IsADirectoryError:
        _fail(file, "is a directory, not a fixture file")
    except UnicodeDecodeError:
        _fail(file, "is not UTF-8 text")
    except OSError as exc:
        _fail(file, f"cannot be read: {exc.strerror or exc}")
    return loads(text, file=file, default_name=path.name.removesuffix(".json"))


def loads(text: str | bytes, *, file: str = "<fixture>", default_name: str = "fixture") -> Fixture:
    """Parse and validate a fixture from its JSON text."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        _fail(file, f"is not valid JSON: {exc}")
    return from_dict(raw, file=file, default_name=default_name)


def from_dict(raw: Any, *, file: str = "<fixture>", default_name: str = "fixture") -> Fixture:
    """Validate a parsed fixture against the schema and the rules the schema cannot say."""
    if not isinstance(raw, dict):
        _fail(file, f"must be a JSON object, not {type(raw).__name__}")
    problems = _exclusive_data(raw) or _schema_problems(raw)
    if problems:
        raise FixtureError(file, problems)
    name = raw.get("name") or default_name
    if raw["kind"] == "event":
        body = {k: raw[k] for k in ("event", "account", "seed", "locale", "overrides", "set", "data")
                if k in raw}
        steps = (_step(0, {"name": name, **body}),)
        params: dict[str, Param] = {}
    else:
        params = {key: _param(key, spec) for key, spec in raw.get("params", {}).items()}
        steps = tuple(_step(i, spec, raw.get("account"), raw.get("locale"))
                      for i, spec in enumerate(raw["steps"]))
    problems = _param_problems(params) + _step_problems(steps, params)
    if problems:
        raise FixtureError(file, problems)
    return Fixture(name=name, kind=raw["kind"], path=file, description=raw.get("description", ""),
                   steps=steps, params=params, seed=raw.get("seed"), source=raw.get("source"))


def _exclusive_data(raw: dict) -> list[Problem]:
    """``data`` is sent as is, so it cannot come with generation options (clearer than the schema)."""
    holders = [(None, raw)] if raw.get("kind") == "event" else []
    if raw.get("kind") == "scenario" and isinstance(raw.get("steps"), list):
        holders += [(_step_label(raw, i), s) for i, s in enumerate(raw["steps"]) if isinstance(s, dict)]
    problems = []
    for label, obj in holders:
        if "data" in obj:
            for key in ("overrides", "set", "seed", "locale"):
                if key in obj:
                    problems.append(Problem(
                        "cannot be combined with 'data': a full data is sent byte for byte; use "
                        "'overrides'/'set' with a 'seed' to change a generated payload instead",
                        label, key))
    return problems


def _step_label(raw: dict, index: int) -> str:
    steps = raw.get("steps")
    spec = steps[index] if isinstance(steps, list) and index < len(steps) else None
    name = spec.get("name") if isinstance(spec, dict) else None
    return f"{index + 1} '{name}'" if isinstance(name, str) else str(index + 1)


def _schema_problems(raw: dict) -> list[Problem]:
    problems = []
    errors = sorted(_validator().iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        if error.validator is None:  # a `false` schema; _exclusive_data said it better
            continue
        path = list(error.absolute_path)
        step = None
        in_step = len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int)
        if raw.get("kind") == "scenario" and in_step:
            step = _step_label(raw, path[1])
            path = path[2:]
        message = error.message
        if error.validator == "required":
            missing = re.search(r"'([^']+)' is a required property", message)
            if missing:
                path = [*path, missing.group(1)]
                message = "is required"
        elif error.validator == "additionalProperties":
            for extra in re.findall(r"'([^']+)'", message.split("(", 1)[-1]):
                allowed = sorted(error.schema.get("properties", {}))
                problems.append(Problem(f"is not a fixture field (allowed: {', '.join(allowed)})",
                                        step, ".".join(str(p) for p in [*path, extra])))
            continue
        problems.append(Problem(message, step, ".".join(str(p) for p in path) or None))
    return problems


def _param(name: str, spec: dict) -> Param:
    enum = tuple(spec["enum"]) if "enum" in spec else None
    return Param(name, spec.get("type", "string"), spec["default"], enum, spec.get("description", ""))


def _step(index: int, spec: dict, account: dict | None = None, locale: str | None = None) -> Step:
    return Step(
        index=index, name=spec["name"], event=spec["event"], description=spec.get("description", ""),
        account=spec.get("account", account), delay_ms=spec.get("delayMs", 0),
        when=spec.get("when", {}), seed=spec.get("seed"),
        locale=spec.get("locale", None if "data" in spec else locale),
        overrides=spec.get("overrides"), set=spec.get("set"), data=spec.get("data"),
    )


def _param_problems(params: dict[str, Param]) -> list[Problem]:
    problems = []
    for p in params.values():
        values = [("default", p.default)] + [(f"enum[{i}]", v) for i, v in enumerate(p.enum or ())]
        for label, value in values:
            if not _is_type(value, p.type):
                problems.append(Problem(f"{value!r} is not of type {p.type}", None,
                                        f"params.{p.name}.{label}"))
        if p.enum is not None and p.default not in p.enum:
            problems.append(Problem(f"{p.default!r} is not one of {list(p.enum)}", None,
                                    f"params.{p.name}.default"))
    return problems


def _is_type(value: Any, type_name: str) -> bool:
    if isinstance(value, bool) and type_name != "boolean":
        return False
    return isinstance(value, _PARAM_TYPES[type_name])


def _step_problems(steps: tuple[Step, ...], params: dict[str, Param]) -> list[Problem]:
    """Check names are unique, references point at params or earlier steps, event keys exist."""
    from sandbox import catalog

    problems = []
    seen: dict[str, int] = {}
    for step in steps:
        if step.name in seen:
            problems.append(Problem(f"the name {step.name!r} is already used by step {seen[step.name] + 1}",
                                    step.label, "name"))
        for where, text in _strings(step):
            for ref in _refs(text):
                message = _ref_problem(ref, seen, params)
                if message:
                    problems.append(Problem(message, step.label, where))
        for ref in step.when:
            message = _ref_problem(ref, seen, params)
            if message:
                problems.append(Problem(message, step.label, f"when.{ref}"))
        if "${" not in step.event and not catalog.is_known(step.event):
            problems.append(Problem(_unknown_event(step.event), step.label, "event"))
        seen.setdefault(step.name, step.index)
    return problems


def _unknown_event(key: str) -> str:
    from sandbox import catalog

    hints = catalog.suggest(key)
    return f"unknown event key {key!r}" + (f" (did you mean {', '.join(hints)}?)" if hints else "")


def _strings(step: Step) -> Iterable[tuple[str, str]]:
    """Yield (field path, text) for every string where references are resolved."""
    def walk(value, path):
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{path}[{i}]")

    for name in _INTERPOLATED:
        yield from walk(getattr(step, name), name)


def _refs(text: str) -> list[str]:
    return [m.group(1) for m in _REF.finditer(text) if m.group(0) != "$${"]


def _ref_problem(ref: str, earlier: dict[str, int], params: dict[str, Param]) -> str | None:
    parts = ref.strip().split(".")
    if parts[0] == "params":
        if len(parts) != 2:
            return f"${{{ref}}}: write ${{params.NAME}}"
        if parts[1] not in params:
            known = ", ".join(params) or "none declared"
            return f"${{{ref}}}: no param {parts[1]!r} (params: {known})"
        return None
    if parts[0] == "steps":
        if len(parts) < 3 or parts[2] not in ("data", "event"):
            return f"${{{ref}}}: write ${{steps.STEP.data.PATH}} or ${{steps.STEP.event}}"
        if parts[1] not in earlier:
            return f"${{{ref}}}: no earlier step is named {parts[1]!r}"
        return None
    return f"${{{ref}}}: a reference starts with params. or steps."


# -- finding fixtures ---------------------------------------------------------------------------

def search_dirs(extra: str | Path | None = None) -> list[Path]:
    """The directories fixtures are found in: ``extra`` (the user's) first, then the shipped ones."""
    dirs = []
    if extra:
        dirs.append(Path(extra).resolve())
    if SHIPPED_DIR.is_dir() and SHIPPED_DIR not in dirs:
        dirs.append(SHIPPED_DIR)
    return dirs


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*.json") if "schema" not in p.relative_to(directory).parts)


def discover(dirs: list[Path]) -> tuple[list[Fixture], list[FixtureError]]:
    """Load every fixture under ``dirs``; the first of a name wins. Return fixtures and errors."""
    found: dict[str, Fixture] = {}
    errors: list[FixtureError] = []
    for directory in dirs:
        for path in _files(directory):
            try:
                fixture = load(path)
            except FixtureError as exc:
                errors.append(exc)
                continue
            found.setdefault(fixture.name, fixture)
    return sorted(found.values(), key=lambda f: (f.kind != "scenario", f.name)), errors


def find(name_or_path: str, dirs: list[Path]) -> Fixture:
    """Load a fixture by file path, or by name from ``dirs``; FixtureError when there is none."""
    path = Path(name_or_path)
    if name_or_path.endswith(".json") or path.is_file():
        return load(path)
    for directory in dirs:
        for candidate in _files(directory):
            if candidate.name.removesuffix(".json") == name_or_path:
                return load(candidate)
    fixtures, _ = discover(dirs)
    for fixture in fixtures:
        if fixture.name == name_or_path:
            return fixture
    import difflib

    names = [f.name for f in fixtures]
    hints = difflib.get_close_matches(name_or_path, names, n=3, cutoff=0.5)
    hint = f" (did you mean {', '.join(hints)}?)" if hints else f" (known: {', '.join(names)})"
    _fail(name_or_path, "no such fixture file or fixture name" + hint)


# -- params and references ----------------------------------------------------------------------

def resolve_params(fixture: Fixture, given: dict[str, Any] | None) -> dict[str, Any]:
    """Merge given values (strings from the command line, or JSON values) over the defaults."""
    values = {name: p.default for name, p in fixture.params.items()}
    problems = []
    for name, raw in (given or {}).items():
        param = fixture.params.get(name)
        if param is None:
            known = ", ".join(fixture.params) or "it declares none"
            problems.append(Problem(f"the fixture has no param {name!r} ({known})", None, f"params.{name}"))
            continue
        try:
            value = _coerce(raw, param.type)
        except ValueError:
            problems.append(Problem(f"{raw!r} is not a valid {param.type}", None, f"params.{name}"))
            continue
        if param.enum is not None and value not in param.enum:
            problems.append(Problem(f"{value!r} is not one of {list(param.enum)}", None, f"params.{name}"))
            continue
        values[name] = value
    if problems:
        raise FixtureError(fixture.path, problems)
    return values


def _coerce(raw: Any, type_name: str) -> Any:
    if not isinstance(raw, str):
        if _is_type(raw, type_name):
            return raw
        raise ValueError(raw)
    if type_name == "string":
        return raw
    if type_name == "boolean":
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(raw)
    if type_name == "integer":
        return int(raw)
    return float(raw) if any(c in raw for c in ".eE") else int(raw)


class _RefError(ValueError):
    pass


def lookup(ref: str, scope: dict) -> Any:
    """Return the value of a reference such as ``steps.created.data.id`` in ``scope``."""
    parts = ref.strip().split(".")
    value: Any = scope
    walked: list[str] = []
    for part in parts:
        if isinstance(value, dict):
            if part not in value:
                if walked == ["steps"]:
                    raise _RefError(f"${{{ref}}}: step {part!r} did not run (its 'when' did not hold)")
                raise _RefError(f"${{{ref}}}: {'.'.join(walked) or 'scope'} has no key {part!r}")
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise _RefError(f"${{{ref}}}: {'.'.join(walked)} is {_kind(value)}; cannot take {part!r}")
        walked.append(part)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "null" if value is None else f"a {type(value).__name__}"


def interpolate(value: Any, scope: dict) -> Any:
    """Resolve every ``${...}`` in strings of ``value`` (a whole-string reference keeps its type)."""
    if isinstance(value, str):
        whole = _REF.fullmatch(value)
        if whole and whole.group(0) != "$${":
            return copy.deepcopy(lookup(whole.group(1), scope))

        def replace(match: re.Match) -> str:
            if match.group(0) == "$${":
                return "${"
            found = lookup(match.group(1), scope)
            return found if isinstance(found, str) else json.dumps(found, ensure_ascii=False)

        return _REF.sub(replace, value)
    if isinstance(value, dict):
        return {key: interpolate(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, scope) for item in value]
    return value


# -- building events ----------------------------------------------------------------------------

@dataclass
class Built:
    """One event ready to send: the step it came from, its key, ``entity`` and ``data``."""

    step: str
    index: int
    event: str
    data: dict
    entity: dict  # the envelope's {identifier, name}
    delay_ms: int
    seed: int | None
    literal: bool  # the data came from the fixture as is (sent byte for byte)


# make(event, account_spec, *, seed, locale, overrides, assignments, data) -> an envelope
# {id, event, createdDate, entity, data}: generated, or around ``data`` when it is given. The
# caller decides which account a spec (the fixture's ``account``, or None) stands for.
Make = Callable[..., dict]


def new_seed() -> int:
    return secrets.randbelow(2**31)


def base_seed(fixture: Fixture, seed: int | None) -> int:
    """The seed a run starts from: the given one, else the fixture's, else a fresh random one."""
    if seed is not None:
        return seed
    return fixture.seed if fixture.seed is not None else new_seed()


def build(fixture: Fixture, make: Make, *, params: dict | None = None, seed: int | None = None,
          assignments: list[str] | None = None, start: int | None = None) -> list[Built]:
    """Make every step's event in order, resolving references to earlier steps.

    ``seed`` (when given) wins over the fixture's seeds: step N gets ``seed + N``. Otherwise a step
    has its own seed, or the fixture's plus N, or ``start`` (default: random) plus N.
    ``assignments`` (the command line's ``--set``) apply to every step, after its own.
    """
    from sandbox import catalog

    values = resolve_params(fixture, params)
    start = base_seed(fixture, seed) if start is None or seed is not None or fixture.seed is not None \
        else start
    scope: dict[str, Any] = {"params": values, "steps": {}}
    built: list[Built] = []
    for step in fixture.steps:
        try:
            if not _when_holds(step, scope):
                continue
            resolved = {name: interpolate(getattr(step, name), scope) for name in _INTERPOLATED}
        except _RefError as exc:
            raise FixtureError(fixture.path, [Problem(str(exc), step.label, _field_of(step, exc))]) from None
        event = resolved["event"]
        if not isinstance(event, str) or not catalog.is_known(event):
            raise FixtureError(fixture.path, [Problem(_unknown_event(str(event)), step.label, "event")])
        step_seed = None
        data = step.data
        if data is not None:
            if assignments:
                data = _apply(fixture, step, data, assignments)
            options = {"data": data}
        else:
            step_seed = start + step.index if (seed is not None or step.seed is None) else step.seed
            options = {"seed": step_seed, "locale": step.locale, "overrides": resolved["overrides"],
                       "assignments": _assignments(resolved["set"]) + list(assignments or []) or None}
        try:
            envelope = make(event, resolved["account"], **options)
        except Exception as exc:
            raise _generation_error(fixture, step, exc, resolved["set"], assignments) from None
        built.append(Built(step.name, step.index, event, envelope["data"], envelope["entity"],
                           step.delay_ms, step_seed, literal=step.data is not None and not assignments))
        scope["steps"][step.name] = {"event": event, "data": envelope["data"]}
    return built


def _when_holds(step: Step, scope: dict) -> bool:
    for ref, expected in step.when.items():
        actual = lookup(ref, scope)
        options = expected if isinstance(expected, list) else [expected]
        if actual not in options:
            return False
    return True


def _field_of(step: Step, exc: Exception) -> str | None:
    text = str(exc)
    ref = text[2:text.index("}")] if text.startswith("${") else ""
    for where, value in _strings(step):
        if ref and "${" + ref + "}" in value:
            return where
    for key in step.when:
        if key == ref:
            return f"when.{key}"
    return None


def _assignments(sets: dict | None) -> list[str]:
    """Turn a fixture's ``set`` object into the generator's ``path=value`` strings (values as JSON)."""
    return [f"{path}={json.dumps(value, ensure_ascii=False)}" for path, value in (sets or {}).items()]


def _apply(fixture: Fixture, step: Step, data: dict, assignments: list[str]) -> dict:
    from sandbox.overrides import apply_overrides

    try:
        return apply_overrides(data, None, assignments)
    except Exception as exc:
        raise _generation_error(fixture, step, exc, None, assignments) from None


def _generation_error(fixture: Fixture, step: Step, exc: Exception, sets: dict | None,
                      extra: list[str] | None) -> FixtureError:
    """Turn the generator's errors (``{field, message}`` list) into file/step/field problems."""
    from sandbox.errors import APIError

    if not isinstance(exc, (APIError, ValueError)):
        raise exc  # not about the fixture (the sandbox is down, ...): let it through as it is
    errors = exc.errors if isinstance(exc, APIError) else None
    if not errors:
        detail = exc.detail if isinstance(exc, APIError) else str(exc)
        return FixtureError(fixture.path, [Problem(detail, step.label, None)])
    paths = list(sets or {})
    problems = []
    for error in errors:
        name = error.get("field") or ""
        numbered = re.fullmatch(r"set\[(\d+)\]", name)
        if numbered:
            number = int(numbered.group(1))
            name = f"set.{paths[number]}" if number < len(paths) else \
                f"--set {(extra or [])[number - len(paths)]}"
        problems.append(Problem(error.get("message", str(exc)), step.label, name or None))
    return FixtureError(fixture.path, problems)
