"""`check` against real receivers: the two examples (exact verdicts), receivers each broken in one
way (each fails exactly its checks), Stripe's and standardwebhooks' verifiers, and bad input."""

from __future__ import annotations

import ast
import hashlib
import hmac
import importlib.util
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import stripe
from click.testing import CliRunner
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug.serving import make_server

from sandbox import cli, signing
from tests.receivers import Receiver

SECRET = "whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M"  # Wink's own example: unpadded base64
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHECK_IDS = ["valid", "duplicate", "rotation-old-secret", "rotation-new-secret", "wrong-signature",
             "missing-signature", "no-v1-signature", "tampered-body", "swapped-timestamp",
             "stale-timestamp", "future-timestamp", "unknown-event", "large-payload", "multibyte-payload"]
SECURITY = {"wrong-signature", "missing-signature", "no-v1-signature", "tampered-body", "swapped-timestamp",
            "stale-timestamp", "future-timestamp"}
ACCEPTING = set(CHECK_IDS) - SECURITY


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Served:
    """A WSGI app served for real on 127.0.0.1 with a free port."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module", autouse=True)
def _commands():
    cli._load_commands()
    import sandbox.commands.check  # noqa: F401  (registered in COMMAND_MODULES too)


def run_check(*args: str):
    return CliRunner().invoke(cli.cli, ["check", *args], catch_exceptions=False)


def checks_of(output: str) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads(output)["checks"]}


def failing(output: str) -> set[str]:
    return {key for key, check in checks_of(output).items() if not check["passed"]}


# -- the examples -------------------------------------------------------------------------------

def test_good_receiver_passes_every_check(tmp_path):
    module = _example("good_receiver")
    with Served(module.create_app(SECRET)) as served:
        junit = tmp_path / "check.xml"
        result = run_check(served.url, "--secret", SECRET, "--json", "--junit", str(junit))
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["profile"] == "wink" and document["passed"] == len(CHECK_IDS)
    assert [c["id"] for c in document["checks"]] == CHECK_IDS
    # Idempotent: the retry was acknowledged but handled once; the unknown type was ignored.
    handled = served.app.extensions["received"]
    assert [e["type"] for e in handled] == ["booking.create"] * 5  # valid, 2 rotations, large, multibyte
    assert len({e["id"] for e in handled}) == 5
    assert f'tests="{len(CHECK_IDS)}" failures="0"' in junit.read_text()


def test_good_receiver_verifies_with_nothing_but_the_standard_library():
    tree = ast.parse((EXAMPLES / "good_receiver.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported - set(sys.stdlib_module_names) == {"flask", "werkzeug"}  # the web server only
    verify = _example("good_receiver").verify_signature
    body = b'{"id":"e1","type":"booking.create"}'
    header = signing.delivery_headers("wink", secrets=[signing.new_secret(), SECRET], event_id="e1",
                                      delivery_id="d1", event_key="booking.create", attempt=1,
                                      body=body)["Wink-Signature"]
    verify(SECRET, header, body)  # the receiver's secret second, as during a rotation


def test_naive_receiver_fails_exactly_the_security_checks(tmp_path):
    module = _example("naive_receiver")
    with Served(module.create_app()) as served:
        junit = tmp_path / "naive.xml"
        result = run_check(served.url, "--secret", SECRET, "--json", "--junit", str(junit))
    assert result.exit_code == 1
    assert failing(result.output) == SECURITY
    document = json.loads(result.output)
    assert document["ok"] is False and document["failed"] == len(SECURITY)
    for check in document["checks"]:
        if check["id"] in SECURITY:
            assert check["status"] == 200 and check["reason"] == "got 200"
            assert check["fix"] and check["why"]
            assert "webhook-" not in check["fix"] and "standardwebhooks" not in check["fix"]
    xml = junit.read_text()
    assert f'tests="{len(CHECK_IDS)}" failures="{len(SECURITY)}"' in xml
    assert "wrong-signature" in xml and "Fix:" in xml


def test_report_card_names_each_check_and_the_fix():
    module = _example("naive_receiver")
    with Served(module.create_app()) as served:
        result = run_check(served.url, "--secret", SECRET)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    card = {line.split()[1]: line.split()[0] for line in lines if line.startswith((" PASS", " FAIL"))}
    assert card == {check: "FAIL" if check in SECURITY else "PASS" for check in CHECK_IDS}
    assert "(wink signatures)" in lines[0]
    assert "fix: it accepted a forged request: verify Wink-Signature on the raw body" in result.output
    assert "keyed by the whole whsec_ secret string" in result.output
    assert "stripe.WebhookSignature.verify_header" in result.output
    assert f"{len(ACCEPTING)} of {len(CHECK_IDS)} checks passed" in result.output


def test_what_the_checks_send():
    """Every request is a Wink envelope with Wink's headers; the odd ones are odd in the right way."""
    with Receiver() as receiver:
        result = run_check(receiver.url, "--secret", SECRET, "--json")
        got = receiver.wait_for(len(CHECK_IDS))
    assert result.exit_code == 1  # it accepts everything
    by_check = dict(zip(CHECK_IDS, got, strict=True))
    valid = by_check["valid"]
    envelope = valid.json()
    assert set(envelope) == {"id", "type", "occurredAt", "ownerIdentifier", "recipientRole", "schemaVersion",
                             "object"}
    assert envelope["type"] == "booking.create" and envelope["schemaVersion"] == 2
    assert valid.headers["Wink-Event-Id"] == envelope["id"] and valid.headers["Wink-Version"] == "2.0"
    assert valid.headers["Content-Type"] == "application/json"
    assert signing.verify(SECRET, valid.headers, valid.body) == "wink"
    duplicate = by_check["duplicate"]
    assert duplicate.body == valid.body and duplicate.headers["Wink-Delivery-Attempt"] == "2"
    assert duplicate.headers["Wink-Delivery-Id"] == valid.headers["Wink-Delivery-Id"]
    old_first, new_first = by_check["rotation-old-secret"], by_check["rotation-new-secret"]
    for request, position in ((old_first, 2), (new_first, 1)):
        parts = request.headers["Wink-Signature"].split(",")
        assert [p.split("=")[0] for p in parts] == ["t", "v1", "v1"]
        assert signing.verify(SECRET, {"Wink-Signature": ",".join([parts[0], parts[position]])},
                              request.body) == "wink"
    assert "Wink-Signature" not in by_check["missing-signature"].headers
    assert by_check["no-v1-signature"].headers["Wink-Signature"].startswith("t=")
    assert "v1" not in by_check["no-v1-signature"].headers["Wink-Signature"]
    reasons = {}
    for key in SECURITY - {"missing-signature"}:
        request = by_check[key]
        with pytest.raises(signing.SignatureError) as error:
            signing.verify(SECRET, request.headers, request.body)
        reasons[key] = str(error.value)
    assert "future" in reasons["future-timestamp"] and "old" in reasons["stale-timestamp"]
    assert "no v1 signature matches" in reasons["swapped-timestamp"]
    multibyte = by_check["multibyte-payload"].body
    assert len(multibyte) >= 100 * 1024 and len(multibyte) - len(multibyte.decode()) > 30_000
    assert "ขอบคุณ".encode() in multibyte and "às".encode() in multibyte and "🙏".encode() in multibyte
    assert len(by_check["large-payload"].body) >= 500 * 1024
    ids = [r.headers["Wink-Event-Id"] for r in got]
    assert len(set(ids)) == len(ids) - 1  # only the retry repeats an id


# -- receivers broken in one way ----------------------------------------------------------------

def _mac(key: bytes, stamp: str, body: bytes) -> str:
    return hmac.new(key, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def wink_verifier(*, match: Callable = any, key: bytes = SECRET.encode(), past: bool = True,
                  future: bool = True) -> Callable[[dict, bytes], bool]:
    """A hand-written Wink verifier; each argument is one way of getting it wrong."""

    def accept(headers: dict, body: bytes) -> bool:
        parts = [part.partition("=") for part in headers.get("wink-signature", "").split(",")]
        stamp = next((value for name, _, value in parts if name == "t"), "")
        signatures = [value for name, _, value in parts if name == "v1"]
        if not stamp.isdigit() or "wink-signature" not in headers:
            return False
        expected = _mac(key, stamp, body)
        if not match(hmac.compare_digest(expected, s) for s in signatures):
            return False
        age = time.time() - int(stamp)
        return not (past and age > 300) and not (future and age < -300)

    return accept


def _first_only(matches) -> bool:
    return next(iter(matches), False)


def _last_only(matches) -> bool:
    return ([False, *matches])[-1]


def _stripe(headers: dict, body: bytes) -> bool:
    try:
        return stripe.WebhookSignature.verify_header(body, headers.get("wink-signature"), SECRET, 300)
    except stripe.SignatureVerificationError:
        return False


def wsgi_receiver(accept: Callable[[dict, bytes], bool], *, chunk: int | None = None):
    """A bare WSGI receiver answering 200 or 400 by ``accept(lower-case headers, body)``.

    ``chunk``: read and decode the body chunk by chunk, then re-encode it (a classic bug).
    """

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        stream = environ["wsgi.input"]
        if chunk:
            text = ""
            while length > 0:
                piece = stream.read(min(chunk, length))
                length -= len(piece)
                text += piece.decode("utf-8", errors="replace")
            body = text.encode("utf-8")
        else:
            body = stream.read(length)
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        status = "200 OK" if accept(headers, body) else "400 Bad Request"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]

    return app


@pytest.mark.parametrize(("receiver", "fails"), [
    (wsgi_receiver(wink_verifier()), set()),
    (wsgi_receiver(_stripe), {"future-timestamp"}),  # Stripe's verify_header only refuses the past
    (wsgi_receiver(wink_verifier(match=_first_only)), {"rotation-old-secret"}),
    (wsgi_receiver(wink_verifier(match=_last_only)), {"rotation-new-secret"}),
    (wsgi_receiver(wink_verifier(match=all)),
     {"rotation-old-secret", "rotation-new-secret", "no-v1-signature"}),
    (wsgi_receiver(wink_verifier(past=False, future=False)), {"stale-timestamp", "future-timestamp"}),
    (wsgi_receiver(wink_verifier(), chunk=1000), {"multibyte-payload"}),
    (wsgi_receiver(wink_verifier(key=signing.secret_bytes(SECRET))), ACCEPTING - {"missing-signature"}),
], ids=["hand-written", "stripe-sdk", "first-v1-only", "last-v1-only", "all-v1", "no-clock-check",
        "decodes-chunks", "base64-decoded-key"])
def test_a_receiver_broken_one_way_fails_exactly_its_checks(receiver, fails):
    with Served(receiver) as served:
        result = run_check(served.url, "--secret", SECRET, "--json")
    assert failing(result.output) == fails
    assert result.exit_code == (1 if fails else 0)


def test_the_fixes_say_what_to_change():
    with Served(wsgi_receiver(wink_verifier(key=signing.secret_bytes(SECRET)))) as served:
        result = run_check(served.url, "--secret", SECRET, "--json")
    checks = checks_of(result.output)
    assert "not its base64-decoded bytes" in checks["valid"]["fix"]
    with Served(wsgi_receiver(wink_verifier(match=_first_only))) as served:
        result = run_check(served.url, "--secret", SECRET, "--json")
    assert "every v1 of Wink-Signature" in checks_of(result.output)["rotation-old-secret"]["fix"]
    with Served(wsgi_receiver(wink_verifier(), chunk=1000)) as served:
        result = run_check(served.url, "--secret", SECRET, "--json")
    assert "never decode chunks separately" in checks_of(result.output)["multibyte-payload"]["fix"]


def test_a_standard_webhooks_receiver_passes_with_that_profile():
    secret = signing.new_secret()  # the standardwebhooks package needs padded base64; this one is either

    def accept(headers: dict, body: bytes) -> bool:
        try:
            Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True

    with Served(wsgi_receiver(accept)) as served:
        result = run_check(served.url, "--secret", secret, "--profile", "standard-webhooks", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["profile"] == "standard-webhooks"
        wink = run_check(served.url, "--secret", secret, "--json")  # Wink's headers: none verifies
    assert failing(wink.output) == ACCEPTING


def test_the_standard_webhooks_fixes_speak_its_words():
    with Served(_example("naive_receiver").create_app()) as served:
        result = run_check(served.url, "--secret", SECRET, "--profile", "standard-webhooks", "--json")
    checks = checks_of(result.output)
    assert failing(result.output) == SECURITY
    assert checks["missing-signature"]["title"] == "no webhook-signature header"
    assert "standardwebhooks" in checks["wrong-signature"]["fix"]
    assert checks["duplicate"]["title"] == "duplicate webhook-id"


# -- answers that are never right ---------------------------------------------------------------

def test_crashing_receiver_gets_told_to_answer_4xx_not_5xx():
    with Receiver(respond=lambda r: (500, {}, b"boom")) as receiver:
        result = run_check(receiver.url + "/hook", "--secret", SECRET, "--json")
    assert result.exit_code == 1
    checks = checks_of(result.output)
    assert not any(c["passed"] for c in checks.values())
    assert checks["valid"]["fix"].startswith("it crashed (5xx)")
    assert "instead of rejecting" in checks["wrong-signature"]["fix"]


def test_receiver_refusing_everything_fails_the_2xx_checks_with_size_hint():
    with Receiver(respond=lambda r: (413 if len(r.body) > 400_000 else 401, {}, b"no")) as receiver:
        result = run_check(receiver.url, "--secret", SECRET, "--json")
    checks = checks_of(result.output)
    assert {k for k, c in checks.items() if c["passed"]} == SECURITY
    assert "413" in checks["large-payload"]["fix"]
    assert "idempotent" in checks["duplicate"]["why"]


def test_nothing_listening_fails_every_check_without_waiting():
    with Receiver() as receiver:
        url = receiver.url
    result = run_check(url, "--secret", SECRET, "--json")
    assert result.exit_code == 1
    checks = json.loads(result.output)["checks"]
    assert len(checks) == len(CHECK_IDS) and not any(c["passed"] for c in checks)
    assert all("could not connect" in c["reason"] for c in checks)


@pytest.mark.parametrize("args, message", [
    (["http://127.0.0.1:9/x", "--secret", "nope"], "starts with whsec_"),
    (["http://127.0.0.1:9/x", "--secret", "whsec_***"], "not valid base64"),
    (["ftp://127.0.0.1/x", "--secret", SECRET], "must use http or https"),
    (["http://127.0.0.1:9/x"], "Missing option '--secret'"),
    (["http://127.0.0.1:9/x", "--secret", SECRET, "--profile", "svix"], "'svix' is not one of 'wink'"),
    (["http://127.0.0.1:9/x", "--secret", SECRET, "--junit", "/no/such/folder/report.xml"],
     "the folder /no/such/folder does not exist"),
])
def test_bad_input_is_a_usage_error(args, message):
    result = run_check(*args)
    assert result.exit_code == 2
    assert message in result.output
