"""Keep the Portuguese catalog in step with the UI's strings: extract, update, compile, check.

    python -m sandbox.i18n.messages update    # add new UI strings to messages.po (empty msgstr)
    python -m sandbox.i18n.messages check     # list strings without a Portuguese translation
    python -m sandbox.i18n.messages merge main  # after a merge conflict in messages.po

Strings are found the way ``pybabel extract`` finds them (Babel's own extractors): ``_()`` and
``ngettext()`` in the page scripts, ``{{ _() }}`` / ``{% trans %}`` in the templates, ``_``/``_l``
in the Python that renders pages. tests/test_i18n.py fails while ``check`` lists anything.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
PO = PACKAGE / "translations" / "pt_PT" / "LC_MESSAGES" / "messages.po"

METHOD_MAP = [
    ("ui.py", "python"),
    ("i18n/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("static/js/**.js", "javascript"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}


def extract() -> Catalog:
    """Every translatable UI string in the package's templates, page scripts and page Python."""
    catalog = Catalog(project="webhook-sandbox", msgid_bugs_address=None)
    found = extract_from_dir(str(PACKAGE), METHOD_MAP, keywords=KEYWORDS)
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for text, key, field in catalog_texts():
        known = catalog.get(text)
        if known is not None:
            known.locations.append((LABELS_JS, 0))
        else:
            catalog.add(text, None, [(LABELS_JS, 0)], auto_comments=[f"The event type {key}'s {field}."])
    return catalog


LABELS_JS = "static/js/labels.js"   # eventText() there shows these texts, translated


def catalog_texts() -> list[tuple[str, str, str]]:
    """The event types' labels and descriptions (text, key, "label" or "description"), which the pages
    show from GET /api/event-types through ``eventText()``: they are data, not literals in a script."""
    from sandbox.catalog import list_event_types

    out = []
    for item in list_event_types():
        for field in ("label", "description"):
            if item.get(field):
                out.append((item[field], item["key"], field))
    return out


def read() -> Catalog:
    """The Portuguese catalog as it is on disk."""
    with PO.open("rb") as handle:
        return read_po(handle, locale="pt_PT")


def translated(message) -> bool:
    """True when every form of a message has a Portuguese text and it is not marked fuzzy."""
    if message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, tuple | list) else [message.string]
    return bool(forms) and all(forms)


def missing() -> list[str]:
    """The extracted strings with no Portuguese translation, each with where it is used."""
    po = read()
    out = []
    for message in extract():
        if not message.id:
            continue
        known = po.get(message.id, context=message.context)
        if known is None or not translated(known):
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:3])
            text = message.id[0] if isinstance(message.id, tuple | list) else message.id
            out.append(f"{text!r} ({where})")
    return out


def update() -> int:
    """Merge the extracted strings into messages.po; return how many have no translation yet."""
    po = read() if PO.exists() else Catalog(locale="pt_PT")
    created = po.creation_date  # kept: a date changing on every update would make merge conflicts
    po.update(extract(), no_fuzzy_matching=True, update_header_comment=False)
    po.creation_date = created
    po.obsolete.clear()  # strings no longer in the UI are dropped, not kept as #~ comments
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, po, width=100, omit_header=False, sort_output=False)
    return sum(1 for message in po if message.id and not translated(message))


def merge(other: str) -> int:
    """Settle a merge conflict: this branch's catalog, updated, plus ``other``'s translations.

    Both sides' strings end up extracted (the merged sources hold both); a string translated on
    either side keeps its translation (this branch's wins). Returns how many are still missing.
    """
    relative = PO.relative_to(PACKAGE.parent).as_posix()

    def show(ref: str) -> bytes:
        return subprocess.run(["git", "show", f"{ref}:{relative}"], capture_output=True, check=True,
                              cwd=PACKAGE.parent).stdout

    PO.write_bytes(show("HEAD"))
    update()
    po, theirs = read(), read_po(io.BytesIO(show(other)), locale="pt_PT")
    for message in po:
        known = theirs.get(message.id, context=message.context) if message.id else None
        if message.id and not translated(message) and known is not None and translated(known):
            message.string = known.string
            message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, po, width=100, omit_header=False, sort_output=False)
    return len(missing())


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        print(f"{PO.relative_to(PACKAGE.parent)}: {update()} string(s) to translate")
        return 0
    if command == "merge" and len(argv) == 2:
        left = merge(argv[1])
        print(f"merged with {argv[1]}; {left} string(s) to translate; then git add the .po")
        return 0
    if command == "check":
        gaps = missing()
        print("\n".join(gaps) or "every UI string has a Portuguese translation")
        return 1 if gaps else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
