"""The UI's languages: every UI string has a Portuguese translation, the catalogs are compiled, the
language follows the switcher's cookie or else the browser, and the finder of unmarked text is
strict on prose but quiet on code (sandbox/i18n)."""

from __future__ import annotations

import gettext
import re

import pytest

from sandbox.i18n import _script_messages, compiled_translations, literals, messages

# Files whose text is not marked for translation yet (every screen is translated now; a new
# screen may be listed here while its translation lands, and must come off when it does).
PENDING: set[str] = set()


def test_every_marked_ui_string_has_a_portuguese_translation():
    gaps = messages.missing()
    assert gaps == [], ("UI strings without a pt-PT translation (run `python -m sandbox.i18n.messages "
                        "update`, then translate them in messages.po):\n" + "\n".join(gaps))


def test_no_ui_text_is_left_unmarked():
    found = [line for line in literals.scan() if line.split(":", 1)[0] not in PENDING]
    assert found == [], ("UI text not marked for translation (wrap it in _() / {{ _() }}, see "
                         "docs/i18n.md):\n" + "\n".join(found))


def test_pending_files_still_have_unmarked_text():
    done = sorted(path for path in PENDING
                  if not literals.scan([literals.PACKAGE / path]))
    assert done == [], f"translated now: take these off PENDING in tests/test_i18n.py: {done}"


def test_the_catalog_is_compiled_when_the_app_starts(tmp_path):
    """Flask-Babel reads a .mo compiled from messages.po at start; a changed .po gets a fresh one."""
    folder = compiled_translations()
    with (folder / "pt_PT" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Accounts") == "Contas"
    assert compiled_translations() == folder  # compiled once per content
    edited = tmp_path / "messages.po"
    edited.write_bytes(messages.PO.read_bytes().replace(b'msgstr "Contas"', b'msgstr "Contas!"'))
    other = compiled_translations(edited)
    assert other != folder
    with (other / "pt_PT" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Accounts") == "Contas!"


def test_the_catalog_has_no_fuzzy_or_stale_entries():
    po = messages.read()
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in messages.extract() if m.id}
    stale = [m.id for m in po if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in extracted]
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert (stale, fuzzy) == ([], []), "run `python -m sandbox.i18n.messages update` and translate"


def test_wink_words_are_the_seed_pages_words():
    """Field labels follow Wink's own Portuguese help page."""
    po = messages.read()
    wink = {"Name": "Nome", "Enabled": "Ativado", "Entity name": "Nome da entidade", "Events": "Eventos",
            "Webhook URL": "URL do webhook", "Save": "Guardar", "Update": "Atualizar", "Remove": "Remover"}
    present = {en: po.get(en).string for en in wink if po.get(en) is not None}
    assert present == {en: pt for en, pt in wink.items() if en in present}


# --- which language a page is in -----------------------------------------------------------

def _page(client, path="/", **headers):
    response = client.get(path, headers={"Accept": "text/html", **headers})
    text = response.get_data(as_text=True)
    lang = re.search(r'<html lang="([^"]+)"', text).group(1)
    title = re.search(r"<title>(.*?) ·", text).group(1)
    return response.status_code, lang, title


@pytest.mark.parametrize(("accept", "lang", "title"), [
    ("pt-PT,pt;q=0.9,en;q=0.8", "pt-PT", "Contas"),
    ("pt-BR", "pt-PT", "Contas"),  # the only Portuguese offered is closer than English
    ("pt", "pt-PT", "Contas"),
    ("de-DE,pt;q=0.5", "pt-PT", "Contas"),  # German is not offered: the next choice wins
    ("en-GB,pt-PT;q=0.8", "en", "Accounts"),
    ("de-DE", "en", "Accounts"),  # nothing offered: English
    ("", "en", "Accounts"),
])
def test_the_browser_language_chooses_the_default(client, accept, lang, title):
    assert _page(client, **({"Accept-Language": accept} if accept else {})) == (200, lang, title)


def test_the_switcher_remembers_the_choice_in_a_cookie(client):
    response = client.get("/language/pt-PT?next=/log?entity=x")
    assert response.status_code == 303 and response.headers["Location"] == "/log?entity=x"
    assert re.match(r"lang=pt-PT; Expires=.*; Max-Age=31536000; Path=/; SameSite=Lax",
                    response.headers["Set-Cookie"])
    # The cookie outranks the browser's language, on every page.
    assert _page(client, "/log", **{"Accept-Language": "en"}) == (200, "pt-PT", "Registo em direto")
    client.get("/language/en")
    assert _page(client, "/log", **{"Accept-Language": "pt-PT"}) == (200, "en", "Live log")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "",
                                    "log"])
def test_the_switcher_only_goes_back_to_a_local_page(client, target):
    response = client.get("/language/pt-PT", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_an_unoffered_language_is_a_page_not_found(client):
    response = client.get("/language/de-DE", headers={"Accept": "text/html", "Accept-Language": "pt-PT"})
    assert response.status_code == 404 and "Página não encontrada" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_the_page_carries_its_script_strings(client):
    text = client.get("/", headers={"Accept": "text/html", "Accept-Language": "pt-PT"}).get_data(as_text=True)
    data = re.search(r'<script type="application/json" id="i18n-data">(.*?)</script>', text).group(1)
    assert '"lang": "pt-PT"' in data and '"just now": "agora mesmo"' in data
    english = client.get("/", headers={"Accept": "text/html", "Accept-Language": "en"}).get_data(as_text=True)
    assert '"just now"' not in english  # English shows the msgid itself


def test_plural_strings_become_i18next_plural_keys():
    po = messages.read()
    plurals = [m for m in po if isinstance(m.id, tuple) and any(p.endswith(".js") for p, _ in m.locations)]
    for message in plurals:
        singular = message.id[0]
        pt, en = _script_messages("pt_PT"), _script_messages("en")
        # Portuguese (CLDR): one, many (millions), other; English: one, other.
        assert [pt[f"{singular}_{c}"] for c in ("one", "many", "other")] == list(message.string)
        assert [en[f"{singular}_{c}"] for c in ("one", "other")] == list(message.id)


# --- the finder of unmarked text -----------------------------------------------------------

def test_the_template_finder_flags_prose_and_spares_code(tmp_path):
    template = tmp_path / "t.html"
    template.write_text(
        '{% extends "base.html" %}{% block main_attrs %}data-x="{{ x }}"{% endblock %}\n'
        '<h1>{{ _("Marked") }}</h1><p>Unmarked prose</p>\n'
        '<input placeholder="Search events" aria-label="{{ _(\'ok\') }}" class="big wide">\n'
        '<code>booking.created</code> <span>{{ name }}</span> · <kbd>Ctrl K</kbd>\n'
        '<p>{% trans n=1 %}Marked {{ n }} time{% endtrans %}</p><title>{{ t }} · Webhook Sandbox</title>\n'
        '<p>Wink-Signature</p> {# i18n-ignore #}\n'
        '<option>application/json</option><input placeholder="https://my.system.com/webhook">\n'
        '<h1>{{ "Update webhook" if id else _("Create") }}</h1>{{ url_for("ui.accounts", x="a b") }}\n',
        encoding="utf-8")
    assert literals.template_literals(template) == [(2, "Unmarked prose"), (3, "Search events"),
                                                    (8, "Update webhook")]


def test_the_script_finder_flags_prose_and_spares_code(tmp_path):
    script = tmp_path / "t.js"
    script.write_text("\n".join([
        'import { h } from "../dom.js";',                                    # 1 module path
        'const a = h("span", { class: "pill pill-ok", title: "Full URL" }, "Enabled");',  # 2
        'toast(`Webhook "${name}" removed`);',                              # 3
        'el.className = ok ? "muted small" : "text-bad small";',            # 4
        'el.textContent = ok ? "Valid JSON" : _("Invalid JSON");',          # 5
        'if (event.key === "Escape") $(".menu [role=menuitem]").focus();',   # 6
        'const url = `/api/accounts/${id}/webhook`;',                       # 7
        'const LABELS = { succeeded: "Succeeded", headers: { "Content-Type": "application/json" } };',  # 8
        'const n = ngettext("{{count}} event", "{{count}} events", 2);',    # 9
        'const re = /Not "prose" here/g; const s = "Wink-Signature";',      # 10
        'h("td", { "data-label": "Last delivery" }, `v${v} · updated ${when}`);',  # 11
        'label = "Stays English"; // i18n-ignore',                          # 12
        'const FOCUSABLE = "button, [href], input, [tabindex]:not([tabindex=\'-1\'])";',  # 13
        'if (event.key !== "Tab") return; const list = "ul > li";',        # 14
        'function ask(m, { title = "Please confirm", ok = "OK" } = {}) {}',  # 15
        'h("span", { class: "x" }, n === 1 ? "webhook" : "webhooks", "+", "div");',  # 16
        'el.append(" ", "enabled"); const tag = h("span-x"); toast(_("Saved"), "ok");',  # 17
        'h("code", {}, "POST"); const k = { "Managing entity": 1 }; x = { label: "Events:" };',  # 18
        'el.textContent = `${n} stored`; const c = `pill-${kind}`; const e = `HTTP ${status}`;',  # 19
    ]), encoding="utf-8")
    assert literals.script_literals(script) == [
        (2, "Full URL"), (2, "Enabled"), (3, 'Webhook "{…}" removed'), (5, "Valid JSON"),
        (8, "Succeeded"), (11, "Last delivery"), (11, "v{…} · updated {…}"), (15, "Please confirm"),
        (16, "webhook"), (16, "webhooks"), (16, "div"), (17, "enabled"), (18, "Events:"),
        (19, "{…} stored"),
    ]


def test_page_script_plurals_have_every_form_in_both_languages():
    """ngettext in a page script resolves plurals: i18next needs ``_one`` and ``_other`` in English and
    ``_one``, ``_many``, ``_other`` in Portuguese (Babel's plural tags leave "other" out; without it no
    plural reached the page, and "2 dead delivery" showed in English)."""
    _script_messages.cache_clear()
    singular = "{{n}} dead delivery of “{{name}}” is being sent again."
    english, portuguese = _script_messages("en"), _script_messages("pt_PT")
    assert english[f"{singular}_other"] == "{{n}} dead deliveries of “{{name}}” are being sent again."
    assert english[f"{singular}_one"] == singular
    assert {f"{singular}_{form}" for form in ("one", "many", "other")} <= set(portuguese)
