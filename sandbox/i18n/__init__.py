"""The UI's languages: English and European Portuguese (pt-PT), through Flask-Babel and i18next.

One gettext catalog (``sandbox/translations/pt_PT/LC_MESSAGES/messages.po``) holds every UI string,
those of the templates and those of the page scripts. Flask-Babel translates the templates from the
``.mo`` compiled from it when the app starts (``compiled_translations``: the .po is the only file in
git, so parallel branches never fight over a binary); the page scripts get the same catalog's
script strings as i18next resources, embedded in each page (``js_resources``), so a string is
translated once for both.

The language is the ``lang`` cookie set by the switcher (``/language/<code>``), else the best of the
browser's ``Accept-Language``, else English. See docs/i18n.md for adding a string.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, abort, make_response, redirect, request
from flask_babel import Babel, get_locale
from markupsafe import Markup

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CATALOG = TRANSLATIONS / "pt_PT" / "LC_MESSAGES" / "messages.po"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Babel locale id -> (BCP 47 tag used by the browser, the language's own name).
LOCALES = {"en": ("en", "English"), "pt_PT": ("pt-PT", "Português")}
DEFAULT = "en"

bp = Blueprint("i18n", __name__)


def _from_tag(tag: str | None) -> str | None:
    """The supported locale for a language tag: 'pt-PT', 'pt_pt', 'pt' and 'pt-BR' give pt_PT."""
    if not tag:
        return None
    language = tag.replace("_", "-").split("-")[0].lower()
    if language == "pt":
        return "pt_PT"  # European Portuguese is the only Portuguese offered: closer than English
    if language == "en":
        return "en"
    return None


def select_locale() -> str:
    """The switcher's remembered choice, else the browser's first supported language, else English."""
    chosen = _from_tag(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    for tag, _quality in request.accept_languages:  # already sorted by quality
        found = _from_tag(tag)
        if found:
            return found
    return DEFAULT


def current_tag() -> str:
    """The page's language as a BCP 47 tag for <html lang> and Intl ('en' or 'pt-PT')."""
    return LOCALES.get(str(get_locale()), LOCALES[DEFAULT])[0]


@cache
def _script_messages(locale: str) -> dict[str, str]:
    """i18next resources for one locale from the catalog's page-script strings (msgid keys).

    A plural entry becomes one i18next key per CLDR category, ``<msgid>_one``, ``_many``,
    ``_other``, in the order gettext numbers its forms; English needs only those keys, since a
    missing key shows the msgid itself.
    """
    resources: dict[str, str] = {}
    path = CATALOG
    if not path.exists():
        return resources
    with path.open("rb") as handle:
        catalog = read_po(handle)
    tags = Locale.parse(locale).plural_form.tags | {"other"}  # "other" is implicit in CLDR rules
    categories = [tag for tag in ("zero", "one", "two", "few", "many", "other") if tag in tags]
    for message in catalog:
        if not message.id or not any(loc.endswith(".js") for loc, _line in message.locations):
            continue
        if isinstance(message.id, tuple | list):
            singular = message.id[0]
            forms = list(message.id) if locale == "en" else list(message.string)
            if message.fuzzy or len(forms) != len(categories) or not all(forms):
                continue
            for category, form in zip(categories, forms, strict=True):
                resources[f"{singular}_{category}"] = form
        elif locale != "en" and message.string and not message.fuzzy:
            resources[message.id] = message.string
    return resources


def js_resources() -> Markup:
    """The current language and its script strings, as JSON safe inside a <script> element."""
    locale = str(get_locale())
    data = {"lang": current_tag(), "messages": _script_messages(locale if locale in LOCALES else DEFAULT)}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _safe_next(target: str | None) -> str:
    """A local path to go back to after switching (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


@bp.get("/language/<tag>")
def switch_language(tag: str):
    """Remember the chosen language in a cookie and go back to the page the switcher was on."""
    locale = _from_tag(tag)
    if locale is None:
        abort(404)  # only the offered languages: the page says so (sandbox.ui's 404 page)
    response = make_response(redirect(_safe_next(request.args.get("next")), code=303))
    response.set_cookie(COOKIE, LOCALES[locale][0], max_age=COOKIE_MAX_AGE, samesite="Lax")
    return response


def _template_context() -> dict:
    tag = current_tag()
    return {
        "lang_tag": tag,
        "languages": [(code_tag, name, code_tag == tag) for code_tag, name in LOCALES.values()],
        "js_i18n": js_resources,
    }


def compiled_translations(po: Path = CATALOG) -> Path:
    """A translations folder holding the .mo compiled from ``po``, for Flask-Babel.

    Compiled once per content (the folder is named by the catalog's hash, under the temporary
    directory), written to a temporary file and renamed so concurrent starts never see half a file.
    """
    data = po.read_bytes()
    folder = Path(tempfile.gettempdir()) / f"webhook-sandbox-i18n-{hashlib.sha256(data).hexdigest()[:16]}"
    target = folder / "pt_PT" / "LC_MESSAGES" / "messages.mo"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="pt_PT")
        handle, partial = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(partial, target)
    return folder


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(compiled_translations()))
    Babel(app, locale_selector=select_locale)
    app.context_processor(_template_context)
    app.register_blueprint(bp)
