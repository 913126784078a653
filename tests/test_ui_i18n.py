"""The UI in Portuguese, in a real Chromium: the switcher, its memory across reloads, the browser's
own language as the default, and dates and numbers in the page's language."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import DESKTOP, PHONE, browser, screenshot  # noqa: F401 (fixture)
from tests.test_ui_account import assert_clickable, click


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui-i18n") / "ui.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def _page(browser, server, *, locale=None, viewport=None):  # noqa: F811
    """A page in a context of its own, set to ``locale`` as a browser in that language would be."""
    options = {"locale": locale} if locale else {}
    context = browser.new_context(base_url=server.url, viewport=viewport or DESKTOP, timezone_id="UTC",
                                  **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def _nav(page):
    return page.get_by_role("navigation", name="Principal")


def test_the_switcher_turns_the_ui_portuguese_and_remembers_it(browser, server):  # noqa: F811
    page = _page(browser, server)
    page.goto("/log")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    page.get_by_role("link", name="Português").click()
    # Back on the same page, in Portuguese.
    expect(page).to_have_url(f"{server.url}/log")
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    expect(page).to_have_title("Registo em direto · Webhook Sandbox")
    expect(_nav(page).get_by_role("link", name="Contas")).to_be_visible()
    expect(page.get_by_role("link", name="Português")).to_have_attribute("aria-current", "true")
    # Remembered across reloads and on other pages.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    _nav(page).get_by_role("link", name="Contas").click()
    expect(page).to_have_title("Contas · Webhook Sandbox")
    assert page.evaluate("document.cookie").count("lang=pt-PT") == 1
    screenshot(page, "i18n-switched-pt")
    # And back to English.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_title("Accounts · Webhook Sandbox")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.js_errors == []
    page.context.close()


def test_a_portuguese_browser_gets_portuguese_by_default(browser, server):  # noqa: F811
    page = _page(browser, server, locale="pt-PT")
    assert page.evaluate("navigator.language") == "pt-PT"
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    expect(_nav(page).get_by_role("link", name="Registo em direto")).to_be_visible()
    # The choice still wins over the browser's language.
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page).to_have_title("Accounts · Webhook Sandbox")
    assert page.js_errors == []
    page.context.close()


def test_an_english_browser_gets_english(browser, server):  # noqa: F811
    page = _page(browser, server, locale="en-GB")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Live log")).to_be_visible()
    page.context.close()


def test_the_switcher_is_on_a_phone_too(browser, server):  # noqa: F811
    page = _page(browser, server, viewport=PHONE)
    page.goto("/")
    switch = page.get_by_role("link", name="Português")
    expect(switch).to_be_visible()
    assert switch.inner_text().strip() == "PT"  # the short code: the name is hidden on a phone
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    screenshot(page, "i18n-phone-pt")
    page.context.close()


@pytest.mark.parametrize("lang, nav_name", [("en", "Main"), ("pt-PT", "Principal")])
def test_every_nav_item_and_the_switch_are_in_view_on_a_phone(browser, server, lang, nav_name):  # noqa: F811
    """At 390x844 the top bar holds the six nav items and EN | PT, none pushed off or covered."""
    page = _page(browser, server, viewport=PHONE)
    page.goto(f"/language/{lang}?next=/log")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    links = page.get_by_role("navigation", name=nav_name).get_by_role("link")
    expect(links).to_have_count(6)
    # Checked where they are (scroll=False): an item the user must scroll the bar to find is the bug.
    for link in links.all():
        assert_clickable(link, scroll=False)
    for name in ("English", "Português"):
        assert_clickable(page.get_by_role("link", name=name), scroll=False)
    screenshot(page, f"i18n-phone-top-bar-{lang}")
    assert page.js_errors == []
    page.context.close()


def test_dates_and_numbers_follow_the_language(browser, server):  # noqa: F811
    """The page scripts' formats (sandbox/static/js/dom.js, through Intl) in each language."""
    page = _page(browser, server, locale="pt-PT")
    formats = """async () => {
        const dom = await import('/static/js/dom.js');
        const at = '2026-02-03T14:03:07.120';
        return [dom.duration(1234.5), dom.duration(87), dom.dateTime(at), dom.clock(at, {ms: true}),
                dom.relative(new Date(Date.now() - 3 * 60 * 1000).toISOString())];
    }"""
    page.goto("/")
    duration, short, when, clock, ago = page.evaluate(formats)
    assert (duration, short, ago) == ("1,23 s", "87 ms", "há 3 min")
    assert (when, clock) == ("3/02/2026, 14:03:07", "14:03:07,120")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    duration, short, when, clock, ago = page.evaluate(formats)
    assert (duration, short, ago) == ("1.23 s", "87 ms", "3 min. ago")
    assert (when, clock) == ("Feb 3, 2026, 14:03:07", "14:03:07.120")
    page.context.close()


# --- Wink's seed flow in Portuguese ----------------------------------------------------------

def _open_acoes(page, scope):
    """Open the Ações (Actions) menu in ``scope`` with the mouse; every item must show whole."""
    click(page, scope.get_by_role("button", name=re.compile("^Ações")))
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    for item in menu.get_by_role("menuitem").all():
        assert_clickable(item, scroll=False)
    return menu


def _criar_webhook(page, name, url):
    """Criar novo webhook in Wink's order and words: Nome, Ativado, Nome da entidade, Eventos,
    URL do webhook, Guardar."""
    click(page, page.get_by_role("link", name="+ Criar novo webhook").first)
    expect(page.get_by_role("heading", name="Criar novo webhook", level=1)).to_be_visible()
    click(page, page.get_by_label("Nome", exact=True))
    page.keyboard.type(name)
    expect(page.get_by_role("switch", name="Ativado")).to_be_checked()
    expect(page.get_by_label("Nome da entidade")).to_have_text(re.compile("Conta Fixe"))
    expect(page.locator("#events-legend")).to_have_text("Eventos")
    click(page, page.get_by_label("Pesquisar eventos"))
    page.keyboard.type("booking.created")
    click(page, page.get_by_role("option", name=re.compile(r"^booking\.create\b")))
    expect(page.locator("#events-summary")).to_contain_text("1 escolhidos")
    click(page, page.get_by_label("URL do webhook"))
    page.keyboard.type(url)
    click(page, page.get_by_role("button", name="Guardar"))
    expect(page.get_by_role("heading", name="Webhook criado", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Segredo de assinatura")).to_be_visible()
    click(page, page.locator("#created").get_by_role("link", name="Concluído"))
    expect(page.locator("tr", has_text=name)).to_be_visible()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_seed_flow_in_portuguese(browser, server, size):  # noqa: F811
    """Switch to Portuguese with the switcher, then Wink's whole flow (REFERENCE.md section 5) with
    the mouse, asserting the Portuguese words of Wink's own help page on every step."""
    page = _page(browser, server, viewport=DESKTOP if size == "desktop" else PHONE)
    name = f"Conta Fixe {size}"
    inbox = f"{server.url}/inbox/semente-{size}"
    try:
        page.goto("/")
        click(page, page.get_by_role("link", name="Português"))
        expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
        page.wait_for_load_state()  # the page script has wired its buttons
        expect(page.locator("#accounts")).to_have_attribute("aria-busy", "false")

        # Contas: Adicionar conta.
        click(page, page.get_by_role("button", name="+ Adicionar conta"))
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name="Adicionar conta")).to_be_visible()
        page.keyboard.type(name)
        page.get_by_label("Tipo").select_option("TRAVEL_AGENT")
        expect(page.get_by_label("Tipo").locator("option:checked")).to_have_text("Agente de viagens")
        click(page, dialog.get_by_role("button", name="Guardar"))
        card = page.locator("article", has_text=name)
        expect(card).to_contain_text("Agente de viagens")

        # Ações -> Gerir conta -> the Webhooks tab.
        click(page, _open_acoes(page, card).get_by_role("menuitem", name="Gerir conta"), scroll=False)
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        click(page, page.get_by_role("tab", name=re.compile("Webhooks")))
        expect(page.get_by_text("Ainda sem webhooks")).to_be_visible()

        for hook in ("Wink Stalker", "Reservas", "Pagamentos"):
            _criar_webhook(page, hook, f"{inbox}-{hook.split()[0].lower()}")
        rows = page.locator("#webhooks tr")
        expect(rows).to_have_count(3)
        if size == "desktop":
            for column in ("Nome", "URL do webhook", "Eventos", "Ativado", "Última entrega"):
                expect(page.get_by_role("columnheader", name=column)).to_be_visible()
        expect(rows.first).to_contain_text("Ativado")

        # Atualizar: disable the first, Guardar, back to the list.
        first = rows.filter(has_text="Wink Stalker")
        click(page, _open_acoes(page, first).get_by_role("menuitem", name="Atualizar"), scroll=False)
        expect(page.get_by_role("heading", name="Atualizar webhook", level=1)).to_be_visible()
        expect(page.get_by_label("Nome", exact=True)).to_have_value("Wink Stalker")
        click(page, page.get_by_role("switch", name="Ativado"))
        expect(page.locator("#enabled-state")).to_have_text("Desligado")
        click(page, page.get_by_role("button", name="Guardar"))
        expect(page.get_by_role("status").filter(has_text='Webhook "Wink Stalker" guardado')).to_be_visible()
        expect(first).to_contain_text("Desativado")

        # Remover on the third, confirmed with OK in the product's dialog, in Portuguese.
        third = rows.filter(has_text="Pagamentos")
        menu = _open_acoes(page, third)
        for item in ("Atualizar", "Enviar evento", "Enviar evento de teste", "Entregas", "Remover"):
            expect(menu.get_by_role("menuitem", name=item, exact=True)).to_be_visible()
        screenshot(page, f"seed-flow-pt-{size}")
        click(page, menu.get_by_role("menuitem", name="Remover"), scroll=False)
        confirm = page.get_by_role("alertdialog")
        expect(confirm).to_contain_text('Remover o webhook "Pagamentos"? A Wink deixa de lhe enviar eventos.')
        expect(confirm.get_by_role("button", name="Cancelar")).to_be_visible()
        click(page, confirm.get_by_role("button", name="OK", exact=True), scroll=False)
        expect(confirm).to_be_hidden()
        expect(rows).to_have_count(2)
        expect(page.get_by_role("status")).to_contain_text('Webhook "Pagamentos" removido')
        if size == "desktop":
            screenshot(page, "webhooks-pt")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_event_labels_and_descriptions_are_portuguese_and_searchable_in_both(browser, server):  # noqa: F811
    # The event types' labels and descriptions come from GET /api/event-types (English data); the pages
    # show them from the catalog's Portuguese, and a search finds them by either language's words.
    account = requests.post(server.url + "/api/managing-entity", timeout=10,
                            json={"name": "Hotel Lisboa", "type": "HOTEL"}).json()
    page = _page(browser, server, locale="pt-PT")
    page.goto(f"/send?account={account['id']}&event=booking.create")
    expect(page.get_by_text("Reserva criada", exact=True)).to_be_visible()
    expect(page.get_by_text("Foi feita uma nova reserva", exact=False).first).to_be_visible()
    search = page.locator("#event-search")
    search.fill("reserva cancelada")
    expect(page.locator('[role=option][data-key="booking.cancelled"]')).to_be_visible()
    expect(page.locator('[role=option][data-key="booking.create"]')).to_have_count(0)
    cancelled = page.locator('[role=option][data-key="booking.cancelled"]')
    assert cancelled.get_attribute("title") == "Reserva cancelada"
    search.fill("booking cancelled")   # the English words still find it
    expect(page.locator('[role=option][data-key="booking.cancelled"]')).to_be_visible()
    assert page.js_errors == []
    page.context.close()
