"""The browser UI in a real Chromium against a live sandbox: Wink's webhook flow end to end,
errors shown by their field, escaping of hostile data, and the phone-sized layout."""

from __future__ import annotations

import json
import re

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import PHONE, browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import Receiver

XSS_SCRIPT = "<script>window.__xss = 1</script>"
XSS_IMG = "<img src=x onerror=window.__xss=1>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui") / "ui.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


@pytest.fixture
def page(browser, server):  # noqa: F811 (the fixture imported above)
    page = new_page(browser, server.url)
    yield page
    assert page.js_errors == []
    page.context.close()


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def make_account(server, name="Cool Account", type_="TRAVEL_AGENT"):
    return api(server, "POST", "/api/managing-entity", json={"name": name, "type": type_})


def make_webhook(server, account, url, **fields):
    """Create a webhook through the API and return it (Wink's create answers {secret, webhook})."""
    body = {"name": "Wink Stalker", "eventUrl": url, "eventList": ["booking.created"], **fields}
    return api(server, "POST", f"/api/managing-entity/{account['id']}/webhook", json=body)["webhook"]


def open_actions(page, scope, label="Actions"):
    scope.get_by_role("button", name=re.compile(label)).click()
    return page.get_by_role("menu")


def test_wink_flow(page, server):
    cool = make_account(server, "Cool Account", "TRAVEL_AGENT")
    make_webhook(server, cool, server.url + "/inbox/cool", name="Reservations feed", eventList=[])

    # Accounts: add an account.
    page.goto("/")
    expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()
    page.get_by_role("button", name="+ Add account").click()
    page.get_by_label("Name", exact=True).fill("The Siam Residences, Bangkok")
    page.get_by_label("Type").select_option("HOTEL")
    page.get_by_role("button", name="Save").click()
    card = page.locator("article", has_text="The Siam Residences, Bangkok")
    expect(card).to_be_visible()
    screenshot(page, "accounts")

    # Actions -> Manage account -> Webhooks tab.
    open_actions(page, card).get_by_role("menuitem", name="Manage account").click()
    expect(page.get_by_role("heading", name="The Siam Residences, Bangkok")).to_be_visible()
    webhooks_tab = page.get_by_role("tab", name=re.compile("Webhooks"))
    expect(webhooks_tab).to_have_attribute("aria-selected", "true")
    account_url = page.url

    # Create new webhook, fields in Wink's order, pointing at this sandbox's inbox.
    page.get_by_role("link", name="+ Create new webhook").first.click()
    order = page.evaluate("[...document.querySelectorAll("
                          "'#name, #enabled, #entity, #events-search, #eventUrl')].map(e => e.id)")
    assert order == ["name", "enabled", "entity", "events-search", "eventUrl"]
    page.get_by_label("Name", exact=True).fill("Wink Stalker")
    expect(page.get_by_role("switch", name="Enabled")).to_be_checked()
    expect(page.get_by_label("Entity name")).to_have_text(re.compile("The Siam Residences"))
    page.get_by_label("Search events").fill("booking.created")   # the alias finds booking.create
    page.get_by_role("option", name=re.compile(r"^booking\.create\b")).click()
    page.get_by_role("button", name="use this sandbox's inbox").click()
    expect(page.get_by_label("Webhook URL")).to_have_value(server.url + "/inbox/wink-stalker")
    expect(page.get_by_label("Signing profile")).to_have_value("wink")
    screenshot(page, "webhook-form")
    page.get_by_role("button", name="Save").click()

    # The new secret, shown once with a copy button, then back to the list.
    created = page.locator("#created")
    expect(page.get_by_role("heading", name="Webhook created", level=1)).to_be_visible()
    expect(created.get_by_role("heading", name="Signing secret")).to_be_focused()
    expect(page.locator("#created-secret")).to_have_text(re.compile(r"^whsec_\S{40,}$"))
    secret = page.locator("#created-secret").text_content()
    expect(page.locator("#created-hint")).to_have_text(secret[-4:])
    expect(page.locator("#webhook-form")).to_be_hidden()
    created.get_by_role("button", name="Copy").click()
    expect(page.locator("#toasts")).to_contain_text("Secret copied")
    screenshot(page, "webhook-created")
    created.get_by_role("link", name="Done").click()

    # Back on the list.
    row = page.locator("tr", has_text="Wink Stalker")
    expect(row).to_be_visible()
    expect(row).to_contain_text("booking.create")
    expect(row).to_contain_text("Enabled")

    # The live log is open in another tab while the event is sent.
    log = page.context.new_page()
    log.goto("/log")
    expect(log.locator("#conn")).to_have_attribute("data-state", "live")

    # Send event: booking.created (the alias) finds booking.create for the account.
    page.get_by_role("link", name="Send event").first.click()
    page.get_by_label("Account").select_option(label="The Siam Residences, Bangkok")
    page.get_by_role("searchbox", name="Search events").fill("booking.created")
    page.get_by_role("option", name="booking.create", exact=True).click()
    expect(page.locator("#event-about")).to_contain_text("A new booking")
    # booking.created is Wink's help-page name; what goes out (and what the preview shows) is booking.create.
    expect(page.locator("#payload")).to_have_value(re.compile('"type": "booking.create"'))
    expect(page.locator("#payload")).to_have_value(re.compile('"recipientRole": "SUPPLIER"'))
    expect(page.locator("#payload")).to_have_value(re.compile("The Siam Residences"))
    expect(page.locator("#targets")).to_contain_text("Wink Stalker")
    page.get_by_role("searchbox", name="Search events").fill("")
    expect(page.get_by_role("option", name="booking.create", exact=True)).to_be_in_viewport()
    screenshot(page, "send-event")
    page.get_by_role("button", name="Send", exact=True).click()
    sent = page.locator("#sent tr", has_text="Wink Stalker")
    expect(sent).to_have_attribute("data-outcome", "succeeded", timeout=5_000)
    screenshot(page, "send-event-sent")

    # The row appeared in the live log and turned to success within 5 seconds.
    logged = log.locator("#log tr", has_text="booking.create")
    expect(logged).to_have_attribute("data-outcome", "succeeded", timeout=5_000)
    expect(logged).to_contain_text("Wink Stalker")
    expect(logged).to_contain_text("200")
    screenshot(log, "live-log")

    # Its detail, then Redeliver: a second attempt appears.
    logged.get_by_role("link", name="booking.create").click()
    expect(log.get_by_role("heading", name="booking.create")).to_be_visible()
    expect(log.locator("#request")).to_contain_text("Wink-Signature")
    expect(log.locator("#attempts li.attempt")).to_have_count(1)
    # Wink redelivers only failed or cancelled deliveries; the sandbox's Send again re-sends this one.
    expect(log.get_by_role("button", name="Redeliver")).to_be_disabled()
    log.get_by_role("button", name="Send again").click()
    expect(log.locator("#attempts li.attempt")).to_have_count(2, timeout=5_000)
    expect(log.locator("#attempts")).to_contain_text("Redelivered by hand")
    screenshot(log, "delivery-detail")

    # The inbox got both, each with a valid signature.
    log.goto("/inboxes/wink-stalker")
    expect(log.locator("details.capture")).to_have_count(2)
    expect(log.locator("details.capture").first).to_contain_text("Signature valid")
    screenshot(log, "inbox")
    log.close()

    # Update: disable it.
    page.goto(account_url)
    row = page.locator("tr", has_text="Wink Stalker")
    expect(row).to_contain_text("Succeeded")
    open_actions(page, row).get_by_role("menuitem", name="Update").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Wink Stalker")
    page.get_by_role("switch", name="Enabled").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("Disabled")
    screenshot(page, "manage-account")

    # Remove, confirming with OK in the product's own dialog.
    open_actions(page, row).get_by_role("menuitem", name="Remove").click()
    page.get_by_role("alertdialog").get_by_role("button", name="OK").click()
    expect(row).to_have_count(0)
    expect(page.get_by_text("No webhooks yet")).to_be_visible()


def test_field_errors_show_next_to_their_field(page, server):
    account = make_account(server, "Errors Inc")
    page.goto(f"/accounts/{account['id']}/webhooks/new")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#name-error")).to_contain_text("Name is required")
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#eventUrl-error")).to_contain_text("Webhook URL is required")

    page.get_by_label("Name", exact=True).fill("Bad URL hook")
    page.get_by_label("Webhook URL").fill("ftp://files.example.com/hook")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#eventUrl-error")).to_contain_text("Webhook URL must use http or https")
    expect(page.locator("#name-error")).to_be_empty()
    expect(page.get_by_label("Webhook URL")).to_be_focused()
    screenshot(page, "webhook-form-errors")

    # The account dialog shows its errors too.
    page.goto("/")
    page.get_by_role("button", name="+ Add account").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#account-name-error")).to_contain_text("Name is required")


def no_script_ran(page):
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img, main script").count() == 0


def test_hostile_text_is_shown_not_run(page, server):
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    hostile_answer = (200, {"Content-Type": "text/html", "X-Evil": XSS_IMG}, XSS_SCRIPT.encode())
    with Receiver(respond=lambda request: hostile_answer) as receiver:
        account = make_account(server, XSS_IMG)
        make_webhook(server, account, receiver.url + "/hook", name=XSS_SCRIPT)

        page.goto("/")
        expect(page.get_by_text(XSS_IMG)).to_be_visible()
        no_script_ran(page)
        page.goto(f"/accounts/{account['id']}")
        expect(page.get_by_role("heading", name=XSS_IMG)).to_be_visible()
        expect(page.locator("tr", has_text=XSS_SCRIPT)).to_be_visible()
        no_script_ran(page)

        # An event whose data holds markup, sent from the Send event screen.
        page.goto(f"/send?account={account['id']}&event=booking.created")
        payload = page.locator("#payload")
        expect(payload).to_have_value(re.compile('"object"'))
        envelope = json.loads(payload.input_value())
        envelope["object"]["specialRequest"] = XSS_IMG
        payload.fill(json.dumps(envelope, indent=2))
        expect(page.locator("#editor pre")).to_contain_text(XSS_IMG)
        page.get_by_role("button", name="Send", exact=True).click()
        sent = page.locator("#sent tr", has_text=XSS_SCRIPT)
        expect(sent).to_have_attribute("data-outcome", "succeeded", timeout=5_000)
        no_script_ran(page)

        # Its detail shows the request body and the receiver's answer as text.
        sent.get_by_role("link").first.click()
        expect(page.locator("#request")).to_contain_text(XSS_IMG)
        page.get_by_role("tab", name="Response").click()
        expect(page.locator("#response")).to_contain_text(XSS_SCRIPT)
        expect(page.locator("#response")).to_contain_text("X-Evil")
        no_script_ran(page)
        screenshot(page, "escaped-delivery")

        page.goto("/log")
        expect(page.locator("#log tr", has_text=XSS_SCRIPT)).to_be_visible()
        no_script_ran(page)

    # A capture with markup in its headers and body.
    response = requests.post(server.url + "/inbox/hostile?q=<b>", data=XSS_IMG.encode(),
                             headers={"Content-Type": "text/html", "X-Evil": XSS_SCRIPT}, timeout=5)
    assert response.status_code < 400
    page.goto("/inboxes/hostile")
    capture = page.locator("details.capture").first
    capture.locator("summary").click()
    expect(capture).to_contain_text(XSS_IMG)
    expect(capture).to_contain_text(XSS_SCRIPT)
    no_script_ran(page)


def test_secret_is_hidden_until_revealed_and_rotates(page, server):
    account = make_account(server, "Secrets Ltd")
    hook = make_webhook(server, account, "http://127.0.0.1:9/hook")
    secret_url = f"/api/managing-entity/{account['id']}/webhook/{hook['id']}/secret"
    secret = api(server, "GET", secret_url)["secret"]
    page.goto(f"/accounts/{account['id']}/webhooks/{hook['id']}/edit")
    value = page.locator("#secret-value")
    # Masked, ending in Wink's secretHint (the last four characters).
    expect(value).to_have_text(re.compile(r"^whsec_•+" + re.escape(hook["secretHint"]) + "$"))
    expect(page.locator("#secret-about")).to_contain_text(hook["secretHint"])
    expect(page.locator("#secret-previous")).to_be_hidden()
    page.get_by_role("button", name="Reveal").click()
    expect(value).to_have_text(secret)
    page.get_by_role("button", name="Hide").click()
    expect(value).not_to_contain_text(secret)

    # Rotate shows the new secret at once (from rotate-secret's answer), with the overlap.
    page.get_by_role("button", name="Rotate").click()
    page.get_by_role("alertdialog", name="Rotate secret").get_by_role("button", name="OK").click()
    expect(page.locator("#secret-once")).to_be_visible()
    expect(value).not_to_have_text(secret)
    expect(value).to_have_text(re.compile(r"^whsec_[^•]+$"))
    rotated = api(server, "GET", secret_url)
    expect(value).to_have_text(rotated["secret"])
    assert rotated["previous"]["secret"] == secret
    expect(page.locator("#secret-previous")).to_contain_text("previous secret")
    expect(page.locator("#secret-about")).to_contain_text(rotated["secret"][-4:])
    screenshot(page, "webhook-secret-rotated")


def test_signing_profile_is_chosen_on_create_and_changed_on_update(page, server):
    account = make_account(server, "Profiles Ltd")
    page.goto(f"/accounts/{account['id']}/webhooks/new")
    select = page.get_by_label("Signing profile")
    expect(select.locator("option")).to_have_text(["Wink (default)", "Standard Webhooks"])
    expect(select).to_have_value("wink")
    page.get_by_label("Name", exact=True).fill("Svix receiver")
    page.get_by_label("Webhook URL").fill("http://127.0.0.1:9/svix")
    select.select_option(label="Standard Webhooks")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Webhook created")).to_be_visible()
    hook = api(server, "GET", f"/api/managing-entity/{account['id']}/webhook/list")[0]
    profile_url = f"/api/webhooks/{hook['id']}/profile"
    assert api(server, "GET", profile_url)["profile"] == "standard-webhooks"

    page.locator("#created").get_by_role("link", name="Open the webhook").click()
    expect(page.get_by_role("heading", name="Update webhook")).to_be_visible()
    expect(select).to_have_value("standard-webhooks")
    select.select_option(label="Wink (default)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="Svix receiver")).to_be_visible()
    assert api(server, "GET", profile_url)["source"] == "server"


def test_keyboard_opens_actions_menu(page, server):
    account = make_account(server, "Keyboard Co")
    make_webhook(server, account, "http://127.0.0.1:9/hook", name="Keys")
    page.goto(f"/accounts/{account['id']}")
    button = page.get_by_role("button", name="Actions for Keys")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("menuitem", name="Update")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Send event")).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()


def test_every_screen_fits_a_phone(browser, server):  # noqa: F811
    account = make_account(server, "Phone Account")
    hook = make_webhook(server, account, server.url + "/inbox/phone", name="Pocket hook")
    fired = api(server, "POST", "/api/events", json={"event": "booking.created", "entity": account["id"]})
    delivery_id = fired["events"][0]["deliveries"][0]["id"]
    page = new_page(browser, server.url, viewport=PHONE)
    screens = [
        ("/", "accounts"), (f"/accounts/{account['id']}", "manage-account"),
        (f"/accounts/{account['id']}/webhooks/{hook['id']}/edit", "webhook-form"),
        (f"/send?account={account['id']}", "send-event"), ("/log", "live-log"),
        (f"/deliveries/{delivery_id}", "delivery-detail"), ("/inboxes", "inboxes"),
        ("/inboxes/phone", "inbox"),
    ]
    try:
        for path, name in screens:
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} scrolls sideways ({width}px)"
            screenshot(page, f"phone-{name}")
        assert page.js_errors == []
    finally:
        page.context.close()


def test_send_event_from_the_keyboard(page, server):
    account = make_account(server, "Keys Hotel", "HOTEL")
    page.goto(f"/send?account={account['id']}")
    search = page.get_by_role("searchbox", name="Search events")
    search.focus()
    page.keyboard.type("payee upd")
    page.keyboard.press("ArrowDown")
    listbox = page.get_by_role("listbox", name="Event")
    expect(listbox).to_be_focused()
    chosen = page.get_by_role("option", name="payee.update", exact=True)
    expect(chosen).to_have_attribute("aria-selected", "true")
    expect(page.locator("#event-about")).to_contain_text("payee.update")
    expect(page.locator("#payload")).to_have_value(re.compile('"type": "payee.update"'))

    # Tabs on the account page move with the arrow keys.
    page.goto(f"/accounts/{account['id']}")
    page.get_by_role("tab", name=re.compile("Webhooks")).focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Recent deliveries")).to_be_focused()
    expect(page.get_by_role("tabpanel", name="Recent deliveries")).to_be_visible()
    expect(page.get_by_text("No deliveries yet")).to_be_visible()


def test_unknown_page_is_html_for_browsers_and_problem_for_clients(page, server):
    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    response = requests.get(server.url + "/no/such/page", timeout=5)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
