"""The example receivers tested with the sandbox's own pytest plugin, as a receiver's suite would.

Nothing here starts a server by hand: ``webhook_sandbox`` (a running sandbox, emptied before each test)
and ``serve_receiver`` (a Flask app served on a free port) come with ``pip install webhook-sandbox``.
docs/pytest-plugin.md walks through it.
"""

from __future__ import annotations

import good_receiver
import naive_receiver
import pytest

SECRET = "whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M"


@pytest.fixture
def receiver(serve_receiver):
    """The good receiver, served for this test; its handled events in ``app.extensions['received']``."""
    app = good_receiver.create_app(SECRET)
    return app, serve_receiver(app) + "/webhook"


@pytest.fixture
def hotel(webhook_sandbox):
    return webhook_sandbox.account("The Siam Residences, Bangkok", "HOTEL")


def test_a_booking_is_acknowledged_within_winks_10_seconds(webhook_sandbox, receiver, hotel):
    app, url = receiver
    webhook_sandbox.webhook(hotel, url, events=["booking.create"], secret=SECRET)

    [delivery] = webhook_sandbox.fire("booking.create", hotel, seed=7, set={"stay.adults": 3})

    done = webhook_sandbox.assert_delivered(delivery)
    assert done["attempts"][-1]["response"]["status"] == 200
    [event] = app.extensions["received"]
    assert event["type"] == "booking.create" and event["object"]["stay"]["adults"] == 3


def test_forged_and_stale_signatures_are_refused(webhook_sandbox, receiver, hotel):
    _, url = receiver
    hook = webhook_sandbox.webhook(hotel, url, secret=SECRET)

    webhook_sandbox.assert_rejects_forged(hook)
    webhook_sandbox.assert_rejects_stale(hook)


def test_a_duplicate_is_acknowledged_without_a_second_effect(webhook_sandbox, receiver, hotel):
    app, url = receiver
    webhook_sandbox.webhook(hotel, url, secret=SECRET)
    [delivery] = webhook_sandbox.fire("booking.create", hotel)

    webhook_sandbox.assert_duplicate_harmless(delivery, lambda: len(app.extensions["received"]) == 1)


def test_a_booking_life_ends_with_every_delivery_succeeded(webhook_sandbox, receiver, hotel):
    app, url = receiver
    webhook_sandbox.webhook(hotel, url, secret=SECRET, events=[
        "booking.create", "booking.cancelled", "booking.refund.partial", "booking.refund.full"])

    run = webhook_sandbox.run("booking-life", hotel)

    webhook_sandbox.assert_all_succeeded(run)
    handled = {"booking.create", "booking.cancelled", "booking.refund.partial", "booking.refund.full"}
    fired = [step["event"] for step in run["events"]]
    assert [event["type"] for event in app.extensions["received"]] == [k for k in fired if k in handled]
    assert len(fired) > len(app.extensions["received"])  # a key it does not handle was acknowledged too


def test_the_naive_receiver_is_caught_accepting_forgeries(webhook_sandbox, serve_receiver, hotel):
    url = serve_receiver(naive_receiver.create_app()) + "/webhook"
    hook = webhook_sandbox.webhook(hotel, url, secret=SECRET)

    with pytest.raises(AssertionError) as failed:
        webhook_sandbox.assert_rejects_forged(hook)

    message = str(failed.value)
    assert "failed 4 of 4 signature checks" in message
    assert "signature made with another secret: expected 4xx, got HTTP 200" in message
