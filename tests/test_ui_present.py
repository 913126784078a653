"""The presenter (/present) in real Chromium against a live sandbox and a real receiver on 127.0.0.1:
booking-life played to the end with the keyboard, each step's real outcome on screen, at 1280x800
and 1024x768 and once in Portuguese; a failing receiver's retries show live; rehearse sends nothing."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import Receiver

STEPS = ["created", "cancelled", "refund_requested", "refunded"]
KEYS = ["booking.create", "booking.cancelled", "booking.refund.request", "booking.refund.full"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("ui") / "ui.db"), "TESTING": True,
                      "RETRY_SCHEDULE": [0.2, 0.2]})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    yield runner
    runner.stop(timeout=5)


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def open_page(browser, server, viewport, locale=None):  # noqa: F811
    page = new_page(browser, server.url, viewport=viewport)
    if locale:
        page.context.add_cookies([{"name": "lang", "value": locale, "url": server.url}])
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return page


def account_with_receiver(server, name, receiver):
    hotel = api(server, "POST", "/api/managing-entity", json={"name": name, "type": "HOTEL"})
    api(server, "POST", f"/api/managing-entity/{hotel['id']}/webhook",
        json={"name": "Bookings", "eventUrl": receiver.url, "eventList": KEYS})
    return hotel


@pytest.mark.parametrize("viewport,locale", [
    ({"width": 1280, "height": 800}, None),
    ({"width": 1024, "height": 768}, None),
    ({"width": 1280, "height": 800}, "pt-PT"),
], ids=["1280x800", "1024x768", "pt-PT"])
def test_booking_life_plays_to_the_end_with_the_keyboard(browser, server, viewport, locale):  # noqa: F811
    with Receiver() as receiver:
        hotel = account_with_receiver(server, f"Hotel Present {viewport['width']} {locale}", receiver)
        page = open_page(browser, server, viewport, locale)
        page.goto(f"/present?scenario=booking-life&entity={hotel['id']}")
        expect(page.locator("#present-account")).to_have_value(hotel["id"])
        page.locator("#present-start").click()
        stage = page.locator("#present-stage")
        expect(stage).to_be_visible()
        expect(page.locator("#present-step")).to_have_text("booking-life")
        keys = ["ArrowRight", " ", "PageDown", "ArrowRight"]  # next by arrow, space and a clicker
        for n, (step, key) in enumerate(zip(STEPS, keys, strict=True)):
            page.keyboard.press(key)
            expect(page.locator("#present-step")).to_contain_text(step)
            outcome = page.locator("#present-outcome")
            expect(outcome).to_have_attribute("data-status", "succeeded")
            if locale == "pt-PT":
                expect(outcome).to_contain_text("Entregue")
                expect(page.locator("#present-count")).to_have_text(f"Passo {n + 1} de 4")
            else:
                expect(outcome).to_contain_text("Delivered: the receiver answered 200")
                expect(page.locator("#present-count")).to_have_text(f"Step {n + 1} of 4")
            expect(page.locator("#present-diagram line.answer.ok")).to_have_count(1)
            assert len(receiver.requests) == n + 1
        narration = page.locator("#present-narration")
        expect(narration).to_contain_text("FULLY_REFUNDED")
        expect(narration).to_contain_text("regressa" if locale else "whole total")
        box = page.locator("#present-next").bounding_box()
        assert box["y"] + box["height"] <= viewport["height"], "the Next button is below the screen"
        page.keyboard.press("p")
        expect(page.locator("#present-payload")).to_be_visible()
        expect(page.locator("#present-headers")).to_contain_text("content-type", ignore_case=True)
        expect(page.locator("#present-body")).to_contain_text('"booking.refund.full"')
        page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
        screenshot(page, f"present-{viewport['width']}x{viewport['height']}{'-' + locale if locale else ''}")
        page.keyboard.press("PageUp")
        expect(page.locator("#present-count")).to_contain_text("3")
        assert len(receiver.requests) == 4, "going back sends nothing again"
        assert page.js_errors == [] and page.console_errors == []
        page.context.close()


def test_a_failing_receiver_shows_its_retries_and_rehearse_sends_nothing(browser, server):  # noqa: F811
    with Receiver(lambda r: (500, {}, b"no")) as receiver:
        hotel = account_with_receiver(server, "Hotel Failing", receiver)
        page = open_page(browser, server, {"width": 1280, "height": 800})
        page.goto("/present")
        link = page.locator("nav a.nav-present")  # the sidebar links here (hidden on this page)
        expect(link).to_have_attribute("href", "/present")
        expect(link).to_have_text("Presenter")
        page.locator("#present-scenario").select_option("booking-life")
        page.locator("#present-account").select_option(hotel["id"])
        page.locator("#present-start").click()
        expect(page.locator("#present-step")).to_have_text("booking-life")
        page.keyboard.press("ArrowRight")
        outcome = page.locator("#present-outcome")
        expect(outcome).to_have_attribute("data-status", "failed")
        expect(outcome).to_have_text("Failed after 3 attempts (last answer 500)")
        expect(page.locator("#present-diagram .retries")).to_have_text("attempts: 3")
        assert len(receiver.requests) == 3
        page.keyboard.press("Escape")
        page.locator("#present-rehearse").check()
        page.locator("#present-start").click()
        expect(page.locator("#present-count")).to_have_text("Rehearsal: nothing is sent")
        for _ in STEPS:
            page.keyboard.press("ArrowRight")
            expect(outcome).to_have_attribute("data-status", "rehearsed")
        expect(page.locator("#present-step")).to_contain_text("refunded")
        assert len(receiver.requests) == 3, "a rehearsal sends nothing"
        assert page.js_errors == [] and page.console_errors == []
        page.context.close()
