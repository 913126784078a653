"""Per-webhook health and its actions in the browser (real Chromium, live sandbox): the health card's
figures and chart, Wink's deadline, Send test event and Redeliver dead through the page's own
confirmation dialog (Cancel sends nothing; OK does, and says so in words)."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import PHONE, browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import Receiver, wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui") / "ui.db"), "TESTING": True,
                      "RETRY_SCHEDULE": []})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


@pytest.fixture
def page(browser, server):  # noqa: F811 (the fixture imported above)
    page = new_page(browser, server.url)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def click_visible(page, locator) -> None:
    """Click ``locator`` with the mouse after checking that nothing covers its centre."""
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    covered = page.evaluate("([x, y, el]) => { const top = document.elementFromPoint(x, y); "
                            "return !(top === el || el.contains(top)); }", [x, y, locator.element_handle()])
    assert not covered, f"{locator} is covered at its centre"
    page.mouse.click(x, y)


def test_health_card_shows_the_figures_and_sends_a_test_event(page, server):
    hotel = api(server, "POST", "/api/managing-entity", json={"name": "Hotel Health", "type": "HOTEL"})
    answers = iter([200, 200, 500])
    with Receiver(lambda r: (next(answers, 200), {}, b"")) as receiver:
        hook = api(server, "POST", f"/api/managing-entity/{hotel['id']}/webhook",
                   json={"name": "Rooms feed", "eventUrl": receiver.url, "eventList": ["room_type.created"]})[
            "webhook"]
        api(server, "POST", "/api/events",
            json={"event": "room_type.created", "entity": hotel["id"], "count": 3})
        receiver.wait_for(3)
        wait_until(lambda: api(server, "GET", f"/api/webhooks/{hook['id']}/health")["attempts"]["total"] == 3)
        page.goto(f"/accounts/{hotel['id']}")
        card = page.locator(f".health-card[data-webhook='{hook['id']}']")
        expect(card.locator("h3")).to_have_text("Rooms feed")
        expect(card.locator("[data-figure='attempts'] dd")).to_have_text("3")
        expect(card.locator("[data-figure='success'] dd")).to_have_text("66.7%")
        expect(card.locator(".chips")).to_contain_text("2xx 2")
        expect(card.locator(".chips")).to_contain_text("5xx 1")
        expect(card.locator(".budget-ok")).to_have_text("Every attempt answered within Wink's 10 s deadline.")
        expect(card.locator("svg.latency-chart rect.bar")).not_to_have_count(0)
        assert "p50" in card.locator("svg.latency-chart").get_attribute("aria-label")
        card.locator("summary").click()
        expect(card.locator("tr[data-sender='Zoom']")).to_contain_text("3 s")
        expect(card.locator("tr[data-sender='Stripe']")).to_contain_text("not published")
        expect(card.get_by_role("button", name="Redeliver dead deliveries of Rooms feed")).to_have_text(
            "Redeliver dead (1)")

        # Cancel in the page's own dialog sends nothing.
        click_visible(page, card.get_by_role("button", name="Send test event to Rooms feed"))
        dialog = page.get_by_role("alertdialog", name="Send a test event?")
        expect(dialog).to_contain_text("“Rooms feed” only")
        click_visible(page, dialog.get_by_role("button", name="Cancel"))
        expect(dialog).to_have_count(0)
        assert len(receiver.requests) == 3

        click_visible(page, card.get_by_role("button", name="Send test event to Rooms feed"))
        screenshot(page, "health-confirm-test-event")
        click_visible(page, page.get_by_role("alertdialog").get_by_role("button", name="Send test event"))
        expect(card.locator(".health-result")).to_contain_text(
            "Test event room_type.created sent to “Rooms feed”.")
        [*_, got] = receiver.wait_for(4)
        assert got.json()["type"] == "room_type.created"
        expect(card.locator("[data-figure='attempts'] dd")).to_have_text("4")   # follows the live log
        expect(card.locator("[data-figure='success'] dd")).to_have_text("75.0%")
        screenshot(page, "health-card")
        card.get_by_role("link", name="View delivery").click()
        expect(page).to_have_url(f"{server.url}/deliveries/" + page.url.rsplit("/", 1)[-1])


def test_redeliver_dead_through_the_dialog_and_a_refusal_in_words(page, server):
    agent = api(server, "POST", "/api/managing-entity", json={"name": "Agent Dead", "type": "TRAVEL_AGENT"})
    status = {"code": 503}
    with Receiver(lambda r: (status["code"], {}, b"down")) as receiver:
        hook = api(server, "POST", f"/api/managing-entity/{agent['id']}/webhook",
                   json={"name": "Down receiver", "eventUrl": receiver.url, "eventList": []})["webhook"]
        api(server, "POST", "/api/events", json={"event": "booking.create", "entity": agent["id"],
                                                  "count": 2})
        health = f"/api/webhooks/{hook['id']}/health"
        wait_until(lambda: api(server, "GET", health)["deliveries"]["failed"] == 2)
        page.set_viewport_size(PHONE)
        page.goto(f"/accounts/{agent['id']}")
        card = page.locator(f".health-card[data-webhook='{hook['id']}']")
        button = card.get_by_role("button", name="Redeliver dead deliveries of Down receiver")
        expect(button).to_have_text("Redeliver dead (2)")
        expect(card.locator(".budget-ok")).to_be_visible()
        status["code"] = 200
        click_visible(page, button)
        dialog = page.get_by_role("alertdialog", name="Redeliver dead deliveries?")
        expect(dialog).to_contain_text("its 2 dead deliveries again")
        screenshot(page, "health-confirm-redeliver-dead-phone")
        click_visible(page, dialog.get_by_role("button", name="Redeliver 2"))
        expect(card.locator(".health-result")).to_contain_text(
            "2 dead deliveries of “Down receiver” are being sent again.")
        receiver.wait_for(4)
        expect(card.locator(".health-deliveries")).to_contain_text("2 succeeded")
        expect(button).to_be_disabled()          # nothing dead any more
        expect(button).to_have_text("Redeliver dead")

        # A disabled webhook: Wink refuses (409); the buttons say why they are off.
        api(server, "PATCH", f"/api/managing-entity/{agent['id']}/webhook/{hook['id']}", json={
            "name": hook["name"], "entity": {"identifier": agent["id"]}, "enabled": False,
            "eventUrl": hook["eventUrl"], "eventList": []})
        page.reload()
        test = card.get_by_role("button", name="Send test event to Down receiver")
        expect(test).to_be_disabled()
        assert "disabled" in test.get_attribute("title")


def test_the_health_card_in_portuguese(browser, server):  # noqa: F811
    """A browser in pt-PT gets the card in Portuguese: its words, its plurals and its numbers."""
    hotel = api(server, "POST", "/api/managing-entity", json={"name": "Hotel Lisboa", "type": "HOTEL"})
    answers = iter([200, 200, 503])
    with Receiver(lambda r: (next(answers, 503), {}, b"")) as receiver:
        hook = api(server, "POST", f"/api/managing-entity/{hotel['id']}/webhook",
                   json={"name": "Receção", "eventUrl": receiver.url, "eventList": []})["webhook"]
        api(server, "POST", "/api/events",
            json={"event": "booking.create", "entity": hotel["id"], "count": 3})
        receiver.wait_for(3)
        health = f"/api/webhooks/{hook['id']}/health"
        wait_until(lambda: api(server, "GET", health)["deliveries"]["failed"] == 1)
    context = browser.new_context(base_url=server.url, locale="pt-PT")
    page = context.new_page()
    page.goto(f"/accounts/{hotel['id']}")
    card = page.locator(f".health-card[data-webhook='{hook['id']}']")
    expect(page.locator("#health-title")).to_have_text("Saúde, última hora")
    expect(card.locator("[data-figure='success'] dt")).to_have_text("Sucesso")
    expect(card.locator("[data-figure='success'] dd")).to_have_text("66,7%")
    expect(card.locator(".health-deliveries")).to_contain_text("2 bem-sucedidas")
    expect(card.locator(".health-deliveries")).to_contain_text("1 falhada")
    expect(card.locator(".budget-ok")).to_have_text(
        "Todas as tentativas tiveram resposta dentro do prazo de 10 s da Wink.")
    expect(card.get_by_role("button", name="Reenviar as entregas falhadas de Receção")).to_have_text(
        "Reenviar falhadas (1)")
    context.close()
