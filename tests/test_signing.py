"""Signing profiles: Wink's is verified by Stripe's own SDK, Standard Webhooks by its package; secrets
are read in every base64 form; verification says why a request fails."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

import pytest
import stripe
from standardwebhooks.webhooks import Webhook

from sandbox import signing
from sandbox.envelope import build_envelope, to_json

WINK_EXAMPLE_SECRET = "whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M"  # the spec's own, unpadded base64
WINK_HEADERS = {"Wink-Signature", "Wink-Event-Id", "Wink-Delivery-Id", "Wink-Event-Type",
                "Wink-Delivery-Attempt", "Wink-Version"}
EVENT_ID = "b7e4c1a2-3f5d-4e8a-9c21-6f0b5d8e3a47"
BODY = to_json(build_envelope(
    "booking.created", "d5b8a3c2-9e6f-4a1b-8d34-7c2e1f0a5b69", "SUPPLIER",
    {"id": "bk_1", "guest": "Somchai Phuket ✈️", "note": "Chegaremos às 23h — ขอบคุณค่ะ 🙏"},
    event_id=EVENT_ID, occurred="2026-08-15T09:30:00Z"))


def delivery(profile: str, secrets: list[str], body: bytes = BODY, *, timestamp: int | None = None,
             attempt: int = 1) -> dict:
    return signing.delivery_headers(profile, secrets=secrets, event_id=EVENT_ID, delivery_id="dlv_1",
                                    event_key="booking.create", attempt=attempt, body=body,
                                    timestamp=timestamp)


def stripe_verifies(body: bytes, header: str, secret: str) -> bool:
    return stripe.WebhookSignature.verify_header(body.decode("utf-8"), header, secret, 300)


# -- the wink profile ---------------------------------------------------------------------------

@pytest.mark.parametrize("secret", [signing.new_secret(), WINK_EXAMPLE_SECRET], ids=["fresh", "wink-example"])
def test_stripes_sdk_verifies_a_wink_signature(secret):
    headers = delivery("wink", [secret])
    assert stripe_verifies(BODY, headers["Wink-Signature"], secret) is True
    assert signing.verify(secret, headers, BODY) == "wink"


def test_stripes_sdk_verifies_either_secret_during_a_rotation():
    new, old = signing.new_secret(), WINK_EXAMPLE_SECRET
    header = delivery("wink", [new, old])["Wink-Signature"]
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}", header)
    for secret in (new, old):
        assert stripe_verifies(BODY, header, secret) is True
        assert signing.verify(secret, {"Wink-Signature": header}, BODY) == "wink"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe_verifies(BODY, header, signing.new_secret())


def test_stripes_sdk_and_the_sandbox_refuse_the_same_requests():
    secret = signing.new_secret()
    stale = delivery("wink", [secret], timestamp=int(time.time()) - 600)["Wink-Signature"]
    fresh = delivery("wink", [secret])["Wink-Signature"]
    for body, header in ((BODY, stale), (BODY + b" ", fresh)):
        with pytest.raises(stripe.SignatureVerificationError):
            stripe_verifies(body, header, secret)
        with pytest.raises(signing.SignatureError):
            signing.verify(secret, {"Wink-Signature": header}, body)


def test_the_key_is_the_whole_secret_string_and_the_mac_is_lower_case_hex():
    secret, stamp = WINK_EXAMPLE_SECRET, 1755000000
    header = delivery("wink", [secret], timestamp=stamp)["Wink-Signature"]
    mac = hmac.new(secret.encode("utf-8"), b"1755000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1755000000,v1={mac}"


def test_wink_sends_the_six_headers_of_the_spec():
    headers = delivery("wink", [signing.new_secret()], attempt=3)
    assert set(headers) == WINK_HEADERS
    assert headers["Wink-Event-Id"] == EVENT_ID
    assert headers["Wink-Delivery-Id"] == "dlv_1"
    assert headers["Wink-Event-Type"] == "booking.create"
    assert headers["Wink-Delivery-Attempt"] == "3"
    assert headers["Wink-Version"] == "2.0"
    assert abs(int(headers["Wink-Signature"].split(",")[0][2:]) - time.time()) < 5


def test_upper_case_hex_verifies_too():
    """The spec says "hex" without a case; a sender writing upper case is still Wink's scheme."""
    secret = signing.new_secret()
    stamp, _, mac = delivery("wink", [secret])["Wink-Signature"].partition(",v1=")
    assert signing.verify(secret, {"wink-signature": f"{stamp},v1={mac.upper()}"}, BODY) == "wink"


# -- the standard-webhooks profile --------------------------------------------------------------

def test_standard_webhooks_profile_verifies_with_the_standardwebhooks_package():
    secret = signing.new_secret()
    headers = delivery("standard-webhooks", [secret])
    assert Webhook(secret).verify(BODY, headers)["id"] == EVENT_ID
    assert signing.verify(secret, headers, BODY) == "standard-webhooks"
    assert headers["webhook-id"] == EVENT_ID and headers["X-Wink-Event"] == "booking.create"
    assert not WINK_HEADERS & set(headers)


def test_standard_webhooks_rotation_carries_both_signatures():
    old, new = signing.new_secret(), WINK_EXAMPLE_SECRET
    headers = delivery("standard-webhooks", [new, old])
    assert len(headers["webhook-signature"].split()) == 2
    for secret in (old, new):
        Webhook(secret).verify(BODY, headers)
        assert signing.verify(secret, headers, BODY) == "standard-webhooks"


def test_the_profile_is_detected_from_the_signature_header():
    secret = signing.new_secret()
    assert signing.detect(delivery("wink", [secret])) == "wink"
    assert signing.detect({"Webhook-Signature": "v1,x"}) == "standard-webhooks"
    assert signing.detect({"Content-Type": "application/json"}) is None
    with pytest.raises(ValueError, match="must be one of wink, standard-webhooks"):
        signing.get("svix")


# -- secrets ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("secret", "key"), [
    ("whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M", b"test-secret-value-for-docs"),  # Wink's: unpadded
    ("whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M=", b"test-secret-value-for-docs"),  # padded
    ("whsec_-_-_", b"\xfb\xff\xbf"),  # URL-safe alphabet
    ("whsec_+/+/", b"\xfb\xff\xbf"),  # standard alphabet
    ("whsec_YWI", b"ab"),  # unpadded, two characters short
])
def test_secrets_are_read_padded_or_not_standard_or_url_safe(secret, key):
    assert signing.check_secret(secret) == secret
    assert signing.secret_bytes(secret) == key


@pytest.mark.parametrize(("secret", "message"), [
    ("", "starts with whsec_"),
    ("sk_test_abc", "starts with whsec_"),
    (None, "starts with whsec_"),
    ("whsec_", "has base64 after whsec_"),
    ("whsec_***", "not valid base64"),
    ("whsec_abcde", "not valid base64"),  # one character too many for base64
    ("whsec_YWI===", "not valid base64"),  # too much padding
    ("whsec_" + "A" * 600, "at most 512 characters"),
])
def test_a_bad_secret_is_a_value_error_saying_what_is_wrong(secret, message):
    with pytest.raises(ValueError, match=message):
        signing.check_secret(secret)


def test_a_new_secret_reads_the_same_padded_or_not():
    secret = signing.new_secret()
    tail = secret.removeprefix("whsec_")
    assert secret.startswith("whsec_") and len(tail) == 44 and "=" not in tail
    assert len(signing.secret_bytes(secret)) == 33
    Webhook(secret)  # the standardwebhooks package reads it too
    assert secret != signing.new_secret()


# -- why verification fails ---------------------------------------------------------------------

def _with_signature(value: str):
    return lambda headers, body: ({**headers, "Wink-Signature": value}, body)


NOW = int(time.time())


@pytest.mark.parametrize(("change", "reason"), [
    (lambda h, b: ({k: v for k, v in h.items() if k != "Wink-Signature"}, b),
     "missing header Wink-Signature or webhook-signature"),
    (lambda h, b: (h, b + b" "), "no v1 signature matches the secret"),
    (lambda h, b: (h, b.replace(b"booking.create", b"booking.cancel")), "wrong secret or altered body"),
    (_with_signature(f"t={NOW - 3600},v1={'0' * 64}"), "is 3600 s old"),
    (_with_signature(f"t={NOW + 3600},v1={'0' * 64}"), "in the future"),
    (_with_signature(f"t=soon,v1={'0' * 64}"), "t='soon' is not unix seconds"),
    (_with_signature(f"v1={'0' * 64}"), "has no t=<unix seconds>"),
    (_with_signature(f"t={NOW}"), "has no v1=<signature>"),
    (_with_signature(f"t={NOW},v0={'0' * 64}"), "has no v1=<signature>"),
])
def test_verify_says_why(change, reason):
    secret = signing.new_secret()
    headers, body = change(delivery("wink", [secret], timestamp=NOW), BODY)
    with pytest.raises(signing.SignatureError, match=re.escape(reason)):
        signing.verify(secret, headers, body, now=NOW)


def test_the_profile_named_is_the_one_checked():
    secret = signing.new_secret()
    headers = delivery("standard-webhooks", [secret])
    with pytest.raises(signing.SignatureError, match="missing header Wink-Signature$"):
        signing.verify(secret, headers, BODY, profile="wink")


def test_a_wrong_secret_fails_and_any_right_one_of_several_verifies():
    secret = signing.new_secret()
    headers = delivery("wink", [secret])
    with pytest.raises(signing.SignatureError, match="no v1 signature matches"):
        signing.verify(signing.new_secret(), headers, BODY)
    assert signing.verify([signing.new_secret(), secret], headers, BODY) == "wink"


def test_the_tolerance_is_five_minutes_both_ways_unless_told():
    secret = signing.new_secret()
    headers = delivery("wink", [secret], timestamp=NOW)
    for offset in (-300, 300):
        assert signing.verify(secret, headers, BODY, now=NOW + offset) == "wink"
    for offset in (-301, 301):
        with pytest.raises(signing.SignatureError):
            signing.verify(secret, headers, BODY, now=NOW + offset)
    assert signing.verify(secret, headers, BODY, now=NOW + 3000, tolerance=3600) == "wink"
