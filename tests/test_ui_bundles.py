"""Session bundles in the browser (real Chromium, two live sandboxes on two databases): the live log's
Download bundle button, then the file imported into the other sandbox and read in its bundle view."""

from __future__ import annotations

import gzip
import json

import pytest
import requests
from playwright.sync_api import expect

from sandbox import create_app
from sandbox.server import Runner
from tests.browser import PHONE, browser, new_page, screenshot  # noqa: F401 (fixture)
from tests.receivers import Receiver, wait_until


def _serve(path):
    runner = Runner(create_app({"DATABASE": str(path), "TESTING": True}), "127.0.0.1", 0)
    runner.start()
    return runner


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui-bundles")
    source, other = _serve(folder / "source.db"), _serve(folder / "other.db")
    yield source, other
    source.stop(timeout=5)
    other.stop(timeout=5)


@pytest.fixture
def page(browser):  # noqa: F811 (the fixture imported above)
    page = new_page(browser, "http://127.0.0.1")
    yield page
    assert page.js_errors == []
    page.context.close()


def api(server, method, path, **kwargs):
    response = requests.request(method, server.url + path, timeout=10, **kwargs)
    assert response.status_code < 400, response.text
    return response.json()


def test_download_a_bundle_from_the_live_log_and_read_it_in_another_sandbox(page, servers, tmp_path):
    source, other = servers
    hotel = api(source, "POST", "/api/managing-entity", json={"name": "Casa do Rio", "type": "HOTEL"})
    with Receiver() as receiver:
        api(source, "POST", f"/api/managing-entity/{hotel['id']}/webhook",
            json={"name": "Front desk", "eventUrl": receiver.url + "/wink", "eventList": []})
        fired = [api(source, "POST", "/api/events", json={"event": key, "entity": hotel["id"]})
                 for key in ("booking.create", "booking.cancelled")]
        received = receiver.wait_for(2)
        ids = [d["id"] for answer in fired for letter in answer["events"] for d in letter["deliveries"]]
        wait_until(lambda: all(api(source, "GET", f"/api/deliveries/{i}")["status"] == "succeeded"
                               for i in ids))

    page.goto(f"{source.url}/log")
    link = page.get_by_role("link", name="Download bundle")
    expect(link).to_be_visible()
    page.get_by_label("Time span of the bundle").select_option(label="Everything")
    screenshot(page, "bundle-download-button")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".wsbundle.ndjson.gz")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    records = [json.loads(line) for line in gzip.decompress(saved.read_bytes()).splitlines()]
    assert records[-1]["counts"]["event"] >= 2 and records[-1]["counts"]["attempt"] >= 2

    page.goto(f"{other.url}/bundles")
    expect(page.locator("#bundles")).to_contain_text("No bundle imported yet")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#bundle-file-error")).to_have_text("Choose a bundle file")
    broken = tmp_path / "broken.wsbundle.ndjson.gz"
    broken.write_bytes(saved.read_bytes()[:40])
    page.set_input_files("#bundle-file", str(broken))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#bundle-file-error")).to_contain_text("nothing was stored")
    page.set_input_files("#bundle-file", str(saved))
    page.get_by_label("Name (optional)").fill("Casa do Rio, Tuesday")
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/bundles/*")
    expect(page.locator("#bundle-name")).to_have_text("Casa do Rio, Tuesday")
    expect(page.locator("#read-only-badge")).to_have_text("Read-only")
    expect(page.locator("#bundle-facts")).to_contain_text("Front desk")
    expect(page.locator("#bundle-facts")).to_contain_text("Left out")  # no secrets

    row = page.locator(f"tr[data-event-id='{fired[0]['events'][0]['id']}']")
    expect(row).to_contain_text("booking.create")
    row.click()
    detail = page.locator("tr.event-detail")
    expect(detail).to_contain_text("Exact body")
    expect(detail).to_contain_text(json.loads(received[0].body)["id"])
    detail.get_by_role("button", name="Show attempts").click()
    attempt = detail.locator(".attempt").first
    expect(attempt).to_contain_text("Wink-Signature")
    expect(attempt).to_contain_text(received[0].headers["Wink-Signature"])
    expect(attempt).to_contain_text(f"POST {receiver.url}/wink")
    screenshot(page, "bundle-imported-view")
    # Replay from the page: a bad secret is refused by its field, then a real replay to a receiver.
    page.get_by_label("Signatures").select_option("resign")
    page.get_by_label("Secret to sign with").fill("not-a-secret")
    page.get_by_role("button", name="Replay").click()
    expect(page.locator("#replay-error")).to_contain_text("secret: a signing secret starts with whsec_")
    page.get_by_label("Signatures").select_option("recorded")
    page.get_by_label("Secret to sign with").fill("")
    with Receiver() as target:
        page.get_by_label("Send to").fill(target.url + "/again")
        page.get_by_role("button", name="Replay").click()
        expect(page.locator("#replay-summary")).to_have_text("Replayed 2 attempts: 2 succeeded, 0 failed.")
        replayed = target.wait_for(2)
    assert [r.body for r in replayed] == [r.body for r in received]
    assert [r.headers["Wink-Signature"] for r in replayed] == [r.headers["Wink-Signature"] for r in received]
    expect(page.locator("#replay-outcomes tbody tr")).to_have_count(2)
    screenshot(page, "bundle-replayed")
    # Read-only: the page offers no way to change anything, and the API refuses a write.
    assert page.locator("#main button:has-text('Delete'), #main button:has-text('Retry')").count() == 0
    bundle_id = page.url.rsplit("/", 1)[1]
    refused = requests.post(f"{other.url}/api/bundles/{bundle_id}/deliveries/{ids[0]}/retry", timeout=10)
    assert refused.status_code == 405 and "read-only" in refused.json()["detail"]


def test_the_bundle_pages_speak_portuguese(page, servers):
    _source, other = servers
    page.context.add_cookies([{"name": "lang", "value": "pt-PT", "url": other.url}])
    page.goto(f"{other.url}/bundles")
    expect(page.get_by_role("heading", name="Pacotes importados")).to_be_visible()
    expect(page.get_by_role("button", name="Importar")).to_be_visible()


def test_the_bundle_screens_fit_a_phone(browser, servers):  # noqa: F811
    source, other = servers
    bundle = requests.get(f"{source.url}/api/bundles/export", timeout=10).content
    imported = requests.post(f"{other.url}/api/bundles?name=Phone", data=bundle, timeout=10).json()
    page = new_page(browser, other.url, viewport=PHONE)
    try:
        for path, name in (("/bundles", "bundles"), (f"/bundles/{imported['id']}", "bundle"),
                           (f"{source.url}/log", "live-log-download")):
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} scrolls sideways ({width}px)"
            screenshot(page, f"phone-{name}")
        assert page.js_errors == []
    finally:
        page.context.close()
