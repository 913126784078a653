"""Manage account in a real Chromium, driven with the mouse: the seed's whole flow at a desktop and a
phone size, every element clicked checked to be visible and not covered by anything else."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import DESKTOP, PHONE, browser, new_page, screenshot  # noqa: F401 (fixture)

SIZES = {"desktop": DESKTOP, "phone": PHONE}

# The element under the centre of ``el``'s box is ``el`` or inside it (nothing covers or clips it).
_HIT = """(el) => {
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const inView = r.width > 0 && r.height > 0 && x >= 0 && y >= 0 && x < innerWidth && y < innerHeight;
  const hit = inView ? document.elementFromPoint(x, y) : null;
  return {x, y, inView, hit: hit ? hit.outerHTML.slice(0, 120) : null,
          ok: !!hit && (hit === el || el.contains(hit))};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui-account") / "ui.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json() if response.content else None


def make_account(server, name, type_="TRAVEL_AGENT"):
    return api(server, "POST", "/api/managing-entity", json={"name": name, "type": type_})


def make_webhook(server, account, url, **fields):
    body = {"name": "Wink Stalker", "eventUrl": url, "eventList": ["booking.created"], **fields}
    return api(server, "POST", f"/api/managing-entity/{account['id']}/webhook", json=body)["webhook"]


def assert_clickable(locator, *, scroll: bool = True):
    """Assert ``locator`` is visible and the topmost element at its centre; return that point.

    ``scroll`` brings it into view first as a user would scroll the page; menu items are checked
    where they open (scroll=False), since a menu the user must scroll a box to reach is the bug.
    """
    expect(locator).to_be_visible()
    if scroll:
        locator.scroll_into_view_if_needed()
    hit = locator.evaluate(_HIT)
    assert hit["ok"], f"{locator} is hidden or covered at its centre: {hit}"
    return hit["x"], hit["y"]


def click(page, locator, *, scroll: bool = True):
    """Click ``locator`` with the mouse at its centre, after asserting nothing covers it there."""
    x, y = assert_clickable(locator, scroll=scroll)
    page.mouse.click(x, y)


def open_actions(page, scope):
    """Open the Actions menu in ``scope`` with the mouse; every item must show whole, unclipped."""
    click(page, scope.get_by_role("button", name=re.compile("^Actions")))
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    for item in menu.get_by_role("menuitem").all():
        assert_clickable(item, scroll=False)
    return menu


def create_webhook(page, name, url, event):
    """The Create new webhook form in Wink's order: Name, Enabled, Entity name, Events, URL, Save."""
    click(page, page.get_by_role("link", name="+ Create new webhook").first)
    expect(page.get_by_role("heading", name="Create new webhook", level=1)).to_be_visible()
    expect(page.locator("#webhook-form")).not_to_have_attribute("aria-busy", "true")  # loaded, usable
    click(page, page.get_by_label("Name", exact=True))
    page.keyboard.type(name)
    expect(page.get_by_role("switch", name="Enabled")).to_be_checked()
    expect(page.get_by_label("Entity name")).to_have_text(re.compile("Cool Account"))
    click(page, page.get_by_label("Search events"))
    page.keyboard.type(event)
    click(page, page.get_by_role("option", name=re.compile(r"^booking\.create\b")))
    expect(page.locator("#events-summary")).to_contain_text("booking.create")
    click(page, page.get_by_label("Webhook URL"))
    page.keyboard.type(url)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"seed-webhook-form-{page.viewport_size['width']}")
    click(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", name="Webhook created", level=1)).to_be_visible()
    # Wink shows the secret only now: whole, with Copy, at both sizes.
    expect(page.locator("#created-secret")).to_have_text(re.compile(r"^whsec_\S{40,}$"))
    assert_clickable(page.locator("#created-secret"))
    click(page, page.locator("#created").get_by_role("button", name="Copy"))
    click(page, page.locator("#created").get_by_role("link", name="Done"))
    expect(page.locator("tr", has_text=name)).to_be_visible()


def confirm(page, name="OK"):
    """Accept the confirmation the product asks (its own dialog) with the mouse."""
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    click(page, dialog.get_by_role("button", name=name, exact=True), scroll=False)
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize("size", SIZES)
def test_seed_flow_with_the_mouse(browser, server, size):  # noqa: F811
    """Wink's flow from REFERENCE.md section 5, each step clicked where a presenter would click."""
    page = new_page(browser, server.url, viewport=SIZES[size])
    name = f"Cool Account {size}"
    inbox = f"{server.url}/inbox/seed-{size}"
    try:
        # Accounts: add an account.
        page.goto("/")
        click(page, page.get_by_role("button", name="+ Add account"))
        page.keyboard.type(name)
        page.get_by_label("Type").select_option("TRAVEL_AGENT")
        click(page, page.get_by_role("dialog").get_by_role("button", name="Save"))
        card = page.locator("article", has_text=name)
        expect(card).to_be_visible()

        # Actions -> Manage account -> the Webhooks tab.
        click(page, open_actions(page, card).get_by_role("menuitem", name="Manage account"), scroll=False)
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        click(page, page.get_by_role("tab", name=re.compile("Webhooks")))
        expect(page.get_by_text("No webhooks yet")).to_be_visible()

        # Three webhooks, each with the seed's fields.
        for hook in ("Wink Stalker", "Reservations feed", "Payments feed"):
            create_webhook(page, hook, f"{inbox}-{hook.split()[0].lower()}", "booking.created")
        rows = page.locator("#webhooks tr")
        expect(rows).to_have_count(3)

        # Update on the first row: disable it, Save, back to the list.
        first = rows.filter(has_text="Wink Stalker")
        click(page, open_actions(page, first).get_by_role("menuitem", name="Update"), scroll=False)
        expect(page.get_by_role("heading", name="Update webhook", level=1)).to_be_visible()
        expect(page.get_by_label("Name", exact=True)).to_have_value("Wink Stalker")
        expect(page.locator("#webhook-form")).not_to_have_attribute("aria-busy", "true")
        click(page, page.get_by_role("switch", name="Enabled"))
        expect(page.get_by_role("switch", name="Enabled")).not_to_be_checked()
        click(page, page.get_by_role("button", name="Save"))
        expect(first).to_contain_text("Disabled")

        # Every row's menu shows whole; then Actions -> Remove -> OK on the third.
        for index in range(3):
            open_actions(page, rows.nth(index))
            page.keyboard.press("Escape")
        third = rows.filter(has_text="Payments feed")
        menu = open_actions(page, third)
        screenshot(page, f"seed-flow-actions-{size}")
        click(page, menu.get_by_role("menuitem", name="Remove"), scroll=False)
        confirm(page)
        expect(third).to_have_count(0)
        expect(rows).to_have_count(2)
        assert page.js_errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_actions_menu_of_a_lone_webhook_shows_whole(browser, server, size):  # noqa: F811
    """One webhook: the table's scroll box is one row high, and the menu still shows every item."""
    account = make_account(server, f"Lone {size}")
    make_webhook(server, account, "http://127.0.0.1:9/lone", name="Lone hook")
    page = new_page(browser, server.url, viewport=SIZES[size])
    try:
        page.goto(f"/accounts/{account['id']}")
        row = page.locator("tr", has_text="Lone hook")
        menu = open_actions(page, row)
        expect(menu.get_by_role("menuitem")).to_have_count(6)   # with Hold queue (docs/hold.md)
        # Scrolling the page keeps the menu by its button.
        button = row.get_by_role("button", name=re.compile("^Actions"))
        page.mouse.wheel(0, 40)
        page.wait_for_function("""([b, m]) => {
          const a = b.getBoundingClientRect(), l = m.getBoundingClientRect();
          const below = Math.abs(l.top - a.bottom - 4) < 2, above = Math.abs(a.top - l.bottom - 4) < 2;
          return below || above || !m.checkVisibility();
        }""", arg=[button.element_handle(), menu.element_handle()])
        page.keyboard.press("Escape")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_confirmations_use_the_products_dialog(browser, server):  # noqa: F811
    """Remove asks in an accessible dialog: focus on OK and trapped inside, Escape cancels; no confirm()."""
    account = make_account(server, "Dialog Hotel", "HOTEL")
    make_webhook(server, account, "http://127.0.0.1:9/d", name="Keep me")
    page = new_page(browser, server.url)
    page.on("dialog", lambda dialog: pytest.fail(f"a native dialog opened: {dialog.message}"))
    try:
        page.goto(f"/accounts/{account['id']}")
        row = page.locator("tr", has_text="Keep me")
        click(page, open_actions(page, row).get_by_role("menuitem", name="Remove"), scroll=False)
        dialog = page.get_by_role("alertdialog", name="Remove webhook")
        expect(dialog).to_contain_text('Remove webhook "Keep me"? Wink stops sending it events.')
        ok = dialog.get_by_role("button", name="OK", exact=True)
        cancel = dialog.get_by_role("button", name="Cancel")
        expect(ok).to_be_focused()
        page.keyboard.press("Tab")
        expect(cancel).to_be_focused()   # OK is last: Tab wraps to the first button
        page.keyboard.press("Shift+Tab")
        expect(ok).to_be_focused()
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(row).to_be_visible()
        expect(row.get_by_role("button", name=re.compile("^Actions"))).to_be_focused()

        # Cancel with the mouse keeps it too; OK removes it.
        click(page, open_actions(page, row).get_by_role("menuitem", name="Remove"), scroll=False)
        click(page, dialog.get_by_role("button", name="Cancel"), scroll=False)
        expect(row).to_be_visible()
        click(page, open_actions(page, row).get_by_role("menuitem", name="Remove"), scroll=False)
        confirm(page)
        expect(row).to_have_count(0)
        assert api(server, "GET", f"/api/managing-entity/{account['id']}/webhook/list") == []
        assert page.js_errors == []
    finally:
        page.context.close()


# The active option of the event list lies whole inside the list, below its group's sticky title.
_ACTIVE_UNCOVERED = """(list) => {
  const option = document.getElementById(list.getAttribute("aria-activedescendant"));
  const title = option.closest(".picker-group").querySelector(".picker-group-title");
  const o = option.getBoundingClientRect(), t = title.getBoundingClientRect();
  const l = list.getBoundingClientRect();
  return {key: option.dataset.key,
          ok: o.top >= t.bottom - 0.5 && o.bottom <= l.bottom + 0.5 && o.top >= l.top,
          option: [o.top, o.bottom], title: [t.top, t.bottom], list: [l.top, l.bottom]};
}"""


def test_event_list_is_one_tab_stop_with_arrow_keys_and_search(browser, server):  # noqa: F811
    account = make_account(server, "Keys Agency")
    page = new_page(browser, server.url)
    try:
        page.goto(f"/accounts/{account['id']}/webhooks/new")
        events = page.get_by_role("listbox", name="Events")
        expect(events.get_by_role("option")).to_have_count(131)
        page.get_by_label("Name", exact=True).fill("Keyboard hook")

        # From Name to Save: a handful of Tab presses, the whole event list being one of them.
        stops = []
        page.get_by_label("Name", exact=True).focus()
        while len(stops) < 40:
            page.keyboard.press("Tab")
            stops.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
            if stops[-1] == "save":
                break
        assert stops[-1] == "save" and len(stops) <= 12, stops
        assert stops.count("events-list") == 1, stops

        # Inside: arrows move, Space chooses; the active option is never under a sticky group title.
        events.focus()
        for _ in range(30):
            page.keyboard.press("ArrowDown")
            where = events.evaluate(_ACTIVE_UNCOVERED)
            assert where["ok"], str(where)
        first = events.evaluate(_ACTIVE_UNCOVERED)["key"]
        page.keyboard.press("Space")
        expect(events.locator(f'[data-key="{first}"]')).to_have_attribute("aria-selected", "true")
        for _ in range(25):
            page.keyboard.press("ArrowUp")
            where = events.evaluate(_ACTIVE_UNCOVERED)
            assert where["ok"], str(where)
        page.keyboard.press("End")
        assert events.evaluate(_ACTIVE_UNCOVERED)["ok"]
        page.keyboard.press("Home")
        assert events.evaluate(_ACTIVE_UNCOVERED)["ok"]
        page.keyboard.press("Space")
        page.keyboard.press("Space")   # toggles back off

        # Search filters the list; ArrowDown from the search box goes into it; Space chooses.
        search = page.get_by_label("Search events")
        search.fill("payee upd")
        expect(events.get_by_role("option").first).to_have_attribute("data-key", "payee.update")
        assert events.get_by_role("option").count() < 5
        search.press("ArrowDown")
        expect(events).to_be_focused()
        page.keyboard.press("Space")
        expect(page.locator("#events-summary")).to_contain_text("2 selected")
        expect(page.locator('#events-field input[name="eventList"]')).to_have_count(2)

        # Enter in the list does not submit; the form sends the chosen keys.
        page.get_by_label("Webhook URL").fill("http://127.0.0.1:9/keys")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="Webhook created", level=1)).to_be_visible()
        (hook,) = api(server, "GET", f"/api/managing-entity/{account['id']}/webhook/list")
        assert sorted(hook["eventList"]) == sorted([first, "payee.update"])
        assert page.js_errors == []
    finally:
        page.context.close()


# For each middle-ellipsis URL: its text, whether its head is cut, and whether its tail shows whole.
_URL_CELLS = """(els) => els.map((el) => {
  const head = el.querySelector(".url-head"), tail = el.querySelector(".url-tail");
  const box = el.getBoundingClientRect(), end = tail ? tail.getBoundingClientRect() : box;
  return {text: el.textContent, title: el.title, cut: head.scrollWidth > head.clientWidth,
          tail: tail ? tail.textContent : "",
          tailShown: end.left >= box.left - 0.5 && end.right <= box.right + 0.5 && end.right <= innerWidth
            && end.width > 0 && (!tail || tail.scrollWidth <= tail.clientWidth),
          // the tail's last character is on screen, inside the element
          endShown: !!tail && (() => { const r = document.createRange(), t = tail.firstChild.firstChild;
            r.setStart(t, t.length - 1); r.setEnd(t, t.length); const c = r.getBoundingClientRect();
            return c.width > 0 && c.right <= box.right + 0.5 && c.left >= box.left - 0.5; })()};
})"""


@pytest.mark.parametrize("size", SIZES)
def test_long_urls_keep_the_part_that_differs(browser, server, size):  # noqa: F811
    account = make_account(server, f"Long URLs {size}")
    prefix = f"{server.url}/inbox/a-rather-long-shared-prefix-{size}"
    names = ("wink-stalker", "reservations", "payments")
    for name in names:
        make_webhook(server, account, f"{prefix}-{name}", name=name.title())
    api(server, "POST", "/api/events", json={"event": "booking.created", "entity": account["id"]})
    page = new_page(browser, server.url, viewport=SIZES[size])
    try:
        page.goto(f"/accounts/{account['id']}")
        urls = page.locator("#webhooks .url-mid")
        expect(urls).to_have_count(3)
        cells = urls.evaluate_all(_URL_CELLS)
        assert sorted(cell["text"] for cell in cells) == sorted(f"{prefix}-{n}" for n in names)
        for cell in cells:
            assert cell["cut"] and cell["tailShown"], cell       # the start gives way, the end shows
            assert cell["title"] == cell["text"]                 # the full URL on hover
            assert any(cell["tail"].endswith(n) for n in names), cell
        # Focus (Tab) shows it whole.
        urls.first.focus()
        assert urls.first.evaluate("el => el.querySelector('.url-head').scrollWidth"
                                   " <= el.querySelector('.url-head').clientWidth")
        screenshot(page, f"urls-{size}")
        if size == "desktop":   # every column, the Actions one too, fits without scrolling the table
            table = page.locator("#panel-webhooks .table-wrap")
            assert table.evaluate("el => el.scrollWidth <= el.clientWidth")

        # The live log's URL cell uses the same helper.
        page.goto(f"/log?entity={account['id']}")
        logged = page.locator("#log .url-mid")
        expect(logged).to_have_count(3, timeout=5_000)
        for cell in logged.evaluate_all(_URL_CELLS):
            assert cell["title"] == cell["text"] and cell["text"].startswith(prefix), cell
            assert any(cell["tail"].endswith(n) for n in names), cell
            assert cell["endShown"], cell
        screenshot(page, f"urls-log-{size}")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_missing_things_say_what_is_missing_and_the_way_back(browser, server):  # noqa: F811
    account = make_account(server, "Still Here Ltd")
    page = new_page(browser, server.url)
    try:
        # A webhook that is not there: no live form loading forever.
        page.goto(f"/accounts/{account['id']}/webhooks/no-such-hook/edit")
        expect(page.get_by_role("heading", name="Webhook not found", level=1)).to_be_visible()
        missing = page.locator("#missing")
        expect(missing).to_contain_text('Account "Still Here Ltd" has no webhook with the id no-such-hook')
        expect(page.locator("#webhook-form")).to_be_hidden()
        expect(page.get_by_text("Loading events")).to_be_hidden()
        click(page, missing.get_by_role("link", name="Back to Still Here Ltd"))
        expect(page.get_by_role("heading", name="Still Here Ltd", level=1)).to_be_visible()

        # An account that is not there, on its page and on its new-webhook form.
        page.goto("/accounts/no-such-account")
        expect(page.get_by_role("heading", name="Account not found", level=1)).to_be_visible()
        expect(page.locator("#load-error")).to_contain_text("There is no account with the id no-such-account")
        expect(page.locator("#account-avatar")).to_be_hidden()
        expect(page.get_by_role("tab")).to_have_count(0)
        expect(page.locator("main")).to_have_attribute("aria-busy", "false")
        click(page, page.locator("#load-error").get_by_role("link", name="Back to accounts"))
        expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()

        page.goto("/accounts/no-such-account/webhooks/new")
        expect(page.get_by_role("heading", name="Account not found", level=1)).to_be_visible()
        expect(page.locator("#webhook-form")).to_be_hidden()
        click(page, page.locator("#missing").get_by_role("link", name="Back to accounts"))
        expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()
        assert page.js_errors == []
    finally:
        page.context.close()


class Gate:
    """Hold the page's API requests until ``open()``; then let them, and all later ones, through."""

    def __init__(self, page):
        self.held, self.is_open = [], False
        page.route("**/api/**", self._handle)

    def _handle(self, route):
        if self.is_open:
            route.continue_()
        else:
            self.held.append(route)

    def close(self):
        self.is_open = False

    def open(self):
        self.is_open = True
        while self.held:
            self.held.pop(0).continue_()


def test_loading_shows_no_fake_data_and_nothing_editable(browser, server):  # noqa: F811
    """Hold the API's answers: meanwhile no "Webhooks 0", no placeholder name, and an inert form."""
    account = make_account(server, "Slow Answers")
    hook = make_webhook(server, account, "http://127.0.0.1:9/slow", name="Slow hook")
    page = new_page(browser, server.url)
    gate = Gate(page)
    try:
        page.goto(f"/accounts/{account['id']}", wait_until="domcontentloaded")
        page.wait_for_function("document.querySelector('main').getAttribute('aria-busy') === 'true'")
        expect(page.locator("#webhook-count")).to_be_hidden()
        expect(page.locator("#account-name")).to_have_text("Loading the account…")  # said to screen readers
        assert page.locator("#account-name .skeleton").is_visible()
        expect(page.locator("#webhooks-table")).to_be_hidden()
        expect(page.locator("#webhooks-empty")).to_be_hidden()
        gate.open()
        expect(page.locator("#webhook-count")).to_have_text("1")
        expect(page.locator("main")).to_have_attribute("aria-busy", "false")

        gate.close()
        page.goto(f"/accounts/{account['id']}/webhooks/{hook['id']}/edit", wait_until="domcontentloaded")
        form = page.locator("#webhook-form")
        expect(form).to_have_attribute("aria-busy", "true")
        assert form.evaluate("f => f.inert")
        page.locator("#name").click(force=True)
        page.keyboard.type("typed too early")
        expect(page.locator("#name")).to_have_value("")
        gate.open()
        expect(page.locator("#name")).to_have_value("Slow hook")
        expect(form).not_to_have_attribute("aria-busy", "true")
        assert not form.evaluate("f => f.inert")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_the_seeded_demo_inbox_is_listed_before_its_first_delivery(browser, tmp_path):  # noqa: F811
    from sandbox.db import connect
    from sandbox.seed import seed_demo_data

    path = str(tmp_path / "seeded.db")
    app = create_app({"DATABASE": path, "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    db = connect(path)
    try:
        assert seed_demo_data(db, runner.url)
    finally:
        db.close()
    page = new_page(browser, runner.url)
    try:
        page.goto("/inboxes")
        row = page.locator("#inboxes tr", has_text="demo")
        expect(row).to_contain_text("Wink Stalker")
        expect(row).to_contain_text("Waiting for its first delivery")
        expect(row).to_contain_text("0")
        click(page, row.get_by_role("link", name="demo"))
        expect(page.get_by_role("heading", name=re.compile("demo"), level=1)).to_be_visible()
        expect(page.locator("#bound")).to_contain_text("Wink Stalker")
        assert page.js_errors == []
    finally:
        page.context.close()
        runner.stop(timeout=5)


def test_version_conflict_says_so_and_offers_reload(browser, server):  # noqa: F811
    account = make_account(server, "Two Editors")
    hook = make_webhook(server, account, "http://127.0.0.1:9/two", name="Shared hook")
    page = new_page(browser, server.url)
    try:
        page.goto(f"/accounts/{account['id']}/webhooks/{hook['id']}/edit")
        expect(page.get_by_label("Name", exact=True)).to_have_value("Shared hook")
        # Someone else saves it meanwhile.
        api(server, "PATCH", f"/api/managing-entity/{account['id']}/webhook/{hook['id']}",
            json={"name": "Renamed elsewhere", "enabled": True, "entity": {"identifier": account["id"]},
                  "eventUrl": hook["eventUrl"], "eventList": hook["eventList"]})
        page.get_by_label("Name", exact=True).fill("My rename")
        click(page, page.get_by_role("button", name="Save"))
        banner = page.locator("#form-error")
        expect(banner).to_contain_text("Someone else changed this webhook after you opened it")
        reload = banner.get_by_role("button", name="Reload")
        expect(reload).to_be_focused()
        click(page, reload)
        expect(page.get_by_label("Name", exact=True)).to_have_value("Renamed elsewhere")
        assert page.js_errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_more_events_chip_tabs_and_live_recent_deliveries(browser, server, size):  # noqa: F811
    account = make_account(server, f"Many Events {size}")
    events = ["booking.create", "booking.cancelled", "booking.failed", "payee.update", "payee.create"]
    make_webhook(server, account, f"{server.url}/inbox/many-{size}", name="Busy hook", eventList=events)
    page = new_page(browser, server.url, viewport=SIZES[size])
    try:
        page.goto(f"/accounts/{account['id']}")
        row = page.locator("tr", has_text="Busy hook")
        expect(row.get_by_role("button", name="+2 more")).to_be_visible()
        more = row.locator("button.chip-more")
        # Reachable by keyboard: Tab from the row's name link gets there.
        row.get_by_role("link", name="Busy hook").focus()
        for _ in range(6):
            page.keyboard.press("Tab")
            if more.evaluate("el => el === document.activeElement"):
                break
        expect(more).to_be_focused()
        page.keyboard.press("Enter")
        expect(more).to_have_attribute("aria-expanded", "true")
        expect(row.locator(".chip", has_text="payee.create")).to_be_visible()
        click(page, row.get_by_role("button", name="Show fewer"))
        expect(row.locator(".chip", has_text="payee.create")).to_have_count(0)

        # No stray scrollbar beside the tabs.
        tabs = page.get_by_role("tablist")
        assert tabs.evaluate("el => el.scrollHeight <= el.clientHeight"), "the tab strip scrolls vertically"

        # Recent deliveries follows the live websocket: an event sent now shows without a reload.
        click(page, page.get_by_role("tab", name="Recent deliveries"))
        expect(page.locator("#deliveries")).to_contain_text("No deliveries yet")
        api(server, "POST", "/api/events", json={"event": "booking.created", "entity": account["id"]})
        fresh = page.locator("#deliveries tr", has_text="booking.create")
        expect(fresh).to_contain_text("Succeeded", timeout=5_000)
        assert page.js_errors == []
    finally:
        page.context.close()
