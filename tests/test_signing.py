"""Signing agrees with the public standardwebhooks package, and verification says why it fails."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook

from sandbox import signing
from sandbox.store.webhooks import new_secret


def test_signature_verifies_with_standardwebhooks_package():
    secret = new_secret()
    body = b'{"id":"e1","event":"booking.created"}'
    headers = signing.headers([secret], "msg_1", body)
    assert Webhook(secret).verify(body, headers) is not None
    signing.verify(secret, headers, body)


def test_two_secrets_during_rotation_both_verify():
    old, new = new_secret(), new_secret()
    body = b"{}"
    headers = signing.headers([new, old], "msg_2", body)
    assert len(headers["webhook-signature"].split()) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b), "missing header"),
        (lambda h, b: (h, b + b" "), "no v1 signature matches"),
        (lambda h, b: ({**h, "webhook-timestamp": str(int(time.time()) - 3600)}, b), "old"),
        (lambda h, b: ({**h, "webhook-timestamp": str(int(time.time()) + 3600)}, b), "future"),
        (lambda h, b: ({**h, "webhook-timestamp": "soon"}, b), "unix seconds"),
    ],
)
def test_verify_says_why(change, reason):
    secret = new_secret()
    body = b'{"a":1}'
    headers, body = change(signing.headers([secret], "msg_3", body), body)
    with pytest.raises(signing.SignatureError, match=reason):
        signing.verify(secret, headers, body)
