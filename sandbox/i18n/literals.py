"""Find UI text that is not marked for translation, in the templates and the page scripts.

Extraction (``messages.py``) only sees strings already wrapped in ``_()``; this module finds the
ones someone forgot to wrap. It is strict where text reaches people and quiet about code:

* Templates: every text node and every ``title``, ``aria-label``, ``placeholder``, ``alt`` and
  ``label`` attribute with a letter in it, once Jinja's ``{{ }}``, ``{% %}``, ``{# #}`` and
  ``{% trans %}`` blocks are taken out. Text inside ``<code>``, ``<kbd>``, ``<script>`` and
  ``<style>`` is code, not prose.
* Page scripts: string and template literals that read as prose (a capitalised word, two words,
  or a sentence's end) and are not arguments of ``_()``/``ngettext()``, not object values of keys
  such as ``class`` or ``type``, and not arguments of DOM and API calls (``$()``, ``get()``...).

A line may opt out with a trailing ``// i18n-ignore`` (JS) or ``{# i18n-ignore #}`` (templates),
for words that stay the same in every language (Wink's field names, HTTP header names).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
IGNORE = "i18n-ignore"
# Words the same in both languages: product names.
SAME_IN_EVERY_LANGUAGE = {"Webhook Sandbox", "Wink", "Standard Webhooks"}

# --- templates -----------------------------------------------------------------------------

_JINJA = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TEXT_ATTRS = {"title", "aria-label", "placeholder", "alt", "label", "aria-description"}
_CODE_TAGS = {"code", "kbd", "samp", "script", "style", "pre"}
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_ATTRIBUTE = re.compile(r'^\s*(?:[\w-]+="[^"]*"\s*)+$')  # a {% block %} filling a tag's attributes
_CODE_WORD = re.compile(r"^[\w.-]+/[\w.+-]+$|^[a-z][\w-]*\.[\w.-]+$")  # application/json, booking.created


def _is_text(value: str) -> bool:
    value = value.replace("\x00", " ")
    for name in sorted(SAME_IN_EVERY_LANGUAGE, key=len, reverse=True):
        value = value.replace(name, " ")
    value = value.strip()
    if _ATTRIBUTE.match(value) or _CODE_WORD.match(value) or re.match(r"^(https?://|/)\S*$", value):
        return False
    return bool(_LETTERS.search(value))


class _TemplateScan(HTMLParser):
    def __init__(self, ignored_lines: set[int]):
        super().__init__(convert_charrefs=True)
        self.code_depth = 0
        self.found: list[tuple[int, str]] = []
        self.ignored = ignored_lines

    def _add(self, text: str, lines: int = 0) -> None:
        line = self.getpos()[0]
        if self.ignored.isdisjoint(range(line, line + lines + 1)) and _is_text(text):
            self.found.append((line, " ".join(text.replace("\x00", "{…}").split())))

    def handle_starttag(self, tag, attrs):
        lines = (self.get_starttag_text() or "").count("\n")  # an i18n-ignore on any line of the tag
        for name, value in attrs:
            if name in _TEXT_ATTRS and value:
                self._add(value, lines)
        if tag in _CODE_TAGS:
            self.code_depth += 1

    def handle_endtag(self, tag):
        if tag in _CODE_TAGS and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data):
        if not self.code_depth:
            self._add(data)


def _blank_jinja(match: re.Match) -> str:
    """Keep line numbers: replace a Jinja block by a marker plus its newlines."""
    return "\x00" + "\n" * match.group(0).count("\n")


_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%(?!-?\s*trans\b).*?%\}", re.S)
_JINJA_STRING = re.compile(r"""(?<![\w.])(_|gettext|ngettext)?\(?\s*("[^"]*"|'[^']*')""")


def template_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each untranslated text in one template (in HTML and in Jinja's strings)."""
    source = path.read_text(encoding="utf-8")
    ignored = {n for n, line in enumerate(source.splitlines(), 1) if IGNORE in line}
    scan = _TemplateScan(ignored)
    scan.feed(_JINJA.sub(_blank_jinja, source))
    scan.close()
    found = scan.found
    for block in _EXPRESSION.finditer(source):  # {{ "Save" if new else "Update" }}: strings in code
        for match in _JINJA_STRING.finditer(block.group(0)):
            text, line = match.group(2)[1:-1], source.count("\n", 0, block.start() + match.start()) + 1
            if not match.group(1) and line not in ignored and _reads_as_prose(text):
                found.append((line, text))
    return sorted(found)


# --- page scripts --------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<template>`)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<number>\d[\w.]*)
  | (?P<space>\s+)
  | (?P<punct>===|!==|==|!=|=>|&&|\|\||\?\?|\?\.|\.\.\.|[{}()\[\];,]|[^\s\w"'`])
""", re.S | re.X)
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "=>", "&&", "||", "??", "===",
                                                "!==", "==", "!="}
_REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\\\n\[])+/[a-z]*")


def js_tokens(source: str):
    """Yield (kind, value, line) for names, punctuation and literals of a script (comments dropped).

    A template literal is one ``template`` token whose value is its text with each ``${...}``
    replaced by ``\\x00``; the expressions inside are tokenised in turn.
    """
    pos, line, last = 0, 1, ""
    while pos < len(source):
        if source[pos] == "/" and last in _REGEX_AFTER and source[pos:pos + 2] not in ("//", "/*"):
            match = _REGEX.match(source, pos)
            if match:
                pos, last = match.end(), "regex"
                continue
        match = _TOKEN.match(source, pos)
        kind, value = match.lastgroup, match.group(0)
        if kind == "template":
            text, end, inner = _template(source, pos + 1)
            yield "template", text, line
            for token in inner:
                yield token[0], token[1], line + token[2] - 1
            line += source.count("\n", pos, end)
            pos, last = end, "template"
            continue
        if kind not in ("comment", "space"):
            yield kind, value, line
            last = value
        line += value.count("\n")
        pos = match.end()


def _template(source: str, pos: int):
    """Read a template literal from after its backtick: (text, end, tokens of its expressions)."""
    text, inner = [], []
    while pos < len(source):
        char = source[pos]
        if char == "\\":
            text.append(source[pos:pos + 2])
            pos += 2
        elif char == "`":
            return "".join(text), pos + 1, inner
        elif source.startswith("${", pos):
            depth, start = 1, pos + 2
            pos = start
            while pos < len(source) and depth:
                if source[pos] == "`":
                    _text, pos, _inner = _template(source, pos + 1)
                    continue
                depth += {"{": 1, "}": -1}.get(source[pos], 0)
                pos += 1
            inner.extend(js_tokens(source[start:pos - 1]))
            text.append("\x00")
        else:
            text.append(char)
            pos += 1
    return "".join(text), pos, inner


# Calls whose string arguments are code (selectors, event names, URLs, attribute names...).
CODE_CALLS = {
    "$", "$$", "querySelector", "querySelectorAll", "closest", "matches", "getElementById",
    "createElement", "addEventListener", "removeEventListener", "dispatchEvent", "CustomEvent",
    "getAttribute", "setAttribute", "removeAttribute", "hasAttribute", "toggleAttribute",
    "add", "remove", "toggle", "contains", "replace", "split", "join", "startsWith", "endsWith",
    "includes", "indexOf", "padStart", "padEnd", "matchMedia", "setProperty", "getPropertyValue",
    "get", "post", "patch", "put", "del", "request", "fetch", "withQuery", "URL", "URLSearchParams",
    "WebSocket", "LiveFeed", "pageData", "Error", "log", "warn", "error", "debug", "info",
    "h", "require", "import", "set", "has", "delete", "append", "postMessage", "scrollIntoView",
    "localeCompare", "toLocaleString", "Intl", "DateTimeFormat", "NumberFormat", "RegExp",
    "execCommand", "removeItem", "send", "emit", "on", "off", "focus",
}
# Object keys whose string values are code (any other key's value may be text a person reads).
CODE_KEYS = {
    "class", "className", "type", "role", "href", "src", "id", "rel", "name", "for", "method",
    "target", "autocomplete", "inputmode", "kind", "key", "value", "status", "mode", "accept",
    "pattern", "tabindex", "dataset", "style", "hreflang", "lang", "dir", "event", "entity",
    "aria-controls", "aria-live", "aria-haspopup", "aria-expanded", "aria-hidden", "aria-current",
    "headers", "Accept", "Content-Type", "Authorization", "credentials", "cache", "body",
}
MARKED = {"_", "ngettext", "gettext"}
# Calls whose arguments first..last are shown as they are: h(tag, attrs, ...children), toast(text, kind).
_ALL = 99
TEXT_ARGUMENTS = {"h": (2, _ALL), "fill": (1, _ALL), "append": (0, _ALL), "toast": (0, 0),
                  "confirmDialog": (0, 0), "alert": (0, 0), "prompt": (0, 0)}
_PROSE = re.compile(r"[A-Z][a-z]|[^\W\d_]{2,}[^\w\x00/.:#=&?-]+[^\W\d_]{2,}|[^\W\d_]{2,}(?:[.!?]|\.\.\.|…)$")
_CODEISH = re.compile(r"^[\w.$/#:@=&?%*+\[\]()'\"<>,~^|-]+$")  # one token, no spaces
_SELECTOR = re.compile(r"[\[\]>]|:not\(|^[a-z-]+(?:, [a-z-]+)+$")  # "button, [href]", "ul > li"
_HEADER = re.compile(r"^[A-Z][A-Za-z0-9]*(?:-[A-Z0-9][A-Za-z0-9]*)+$")


def _reads_as_prose(text: str) -> bool:
    plain = text.replace("\x00", " ")
    for name in sorted(SAME_IN_EVERY_LANGUAGE, key=len, reverse=True):
        plain = plain.replace(name, " ")
    plain = plain.strip()
    if not plain or plain in SAME_IN_EVERY_LANGUAGE or not re.search(r"[^\W\d_]{2,}", plain):
        return False
    if _HEADER.match(plain) or plain.startswith(("/", "#", ".", "http:", "https:", "application/")):
        return False
    # "${n} stored": a whole word beside a value reads as text (a class or id being built has no
    # whole word: "pill-${kind}", "${id}-option").
    if "\x00" in text and re.search(r"(?:^|\s)(?=[^\W\d_]*[a-z])[^\W\d_]{3,}(?:$|[\s:.,!?])", plain):
        return True
    if _CODEISH.match(plain) and not re.match(r"^[A-Z][a-z]+[:.!?…]?$", plain):
        return False
    if _SELECTOR.search(plain) and not re.search(r"[A-Z][a-z]", plain):
        return False
    words = plain.split()
    if all(re.fullmatch(r"[a-z0-9_-]+", word) for word in words) and any("-" in word for word in words):
        return False  # a class list: "primary webhook-name"
    return bool(_PROSE.search(plain))


def _call(tokens: list, index: int) -> tuple[str | None, int]:
    """The function whose argument list holds tokens[index] and which argument it is (from 0)."""
    depth, commas = 0, 0
    for j in range(index - 1, -1, -1):
        value = tokens[j][1]
        if value in (")", "]", "}"):
            depth += 1
        elif value in ("(", "[", "{"):
            if depth:
                depth -= 1
                continue
            if value == "(" and j and tokens[j - 1][0] == "name":
                return tokens[j - 1][1], commas
            return None, 0
        elif value == "," and not depth:
            commas += 1
    return None, 0


def _object_key(tokens: list, index: int) -> str | None:
    """The key (or assigned property) that tokens[index] is (part of) the value of, else None.

    ``{key: a ? "x" : "y"}`` gives ``key``; ``el.className = a ? "x" : "y"`` gives ``className``.
    """
    depth = 0
    for j in range(index - 1, -1, -1):
        value = tokens[j][1]
        if value in (")", "]", "}"):
            depth += 1
        elif value in ("(", "["):
            if not depth:
                return None
            depth -= 1
        elif value == "{" and depth:
            depth -= 1
        elif not depth and value == "=" and j and tokens[j - 1][0] == "name":
            return tokens[j - 1][1]
        elif not depth and value in ("{", ",", ";"):
            start = tokens[j + 1: j + 3]
            if len(start) == 2 and start[0][0] in ("name", "string") and start[1][1] == ":":
                return start[0][1].strip("\"'")
            return None
    return None


def script_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string in one script that reads as UI text and is not marked."""
    source = path.read_text(encoding="utf-8")
    ignored = {n for n, line in enumerate(source.splitlines(), 1) if IGNORE in line}
    tokens = list(js_tokens(source))
    found = []
    for index, (kind, value, line) in enumerate(tokens):
        if kind not in ("string", "template") or line in ignored:
            continue
        text = value[1:-1] if kind == "string" else value
        call, argument = _call(tokens, index)
        if call in MARKED:
            continue
        # Where text surely goes on screen, one lowercase word is text too ("webhooks", "enabled").
        first, last = TEXT_ARGUMENTS.get(call, (_ALL, 0))
        shown = first <= argument <= last
        if not (_reads_as_prose(text) or shown and _is_word(text)):
            continue
        previous = tokens[index - 1][1] if index else ""
        if previous in ("import", "from", "===", "!==", "==", "!=", "case"):
            continue
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if following == ":" and previous in ("{", ","):  # an object's key, not its value
            continue
        key = _object_key(tokens, index)
        if key is not None:
            if key not in CODE_KEYS:
                found.append((line, text.replace("\x00", "{…}")))
            continue
        if call in CODE_CALLS and not shown:
            continue
        found.append((line, text.replace("\x00", "{…}")))
    return found


def _is_word(text: str) -> bool:
    plain = text.replace("\x00", " ").strip()
    if plain.isupper() or plain in SAME_IN_EVERY_LANGUAGE:  # POST, JSON: the same in every language
        return False
    return bool(re.fullmatch(r"[^\W\d_]{2,}(?:[ -][^\W\d_]+)*", plain))


def scan(files: list[Path] | None = None) -> list[str]:
    """Every untranslated UI text in the package (or the given files) as 'path:line: text'."""
    if files is None:
        files = sorted((PACKAGE / "templates").rglob("*.html"))
        files += sorted((PACKAGE / "static" / "js").rglob("*.js"))
    out = []
    for path in files:
        finder = template_literals if path.suffix == ".html" else script_literals
        for line, text in finder(path):
            out.append(f"{path.relative_to(PACKAGE)}:{line}: {text!r}")
    return out
