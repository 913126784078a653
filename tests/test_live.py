"""/ws/deliveries against a live server with real websocket clients: history, live, filters, resume,
many viewers, a stalled viewer, keepalive and a clean stop."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
import requests
import websocket

from sandbox import create_app
from sandbox.delivery import get_engine
from sandbox.hub import Hub, get_hub
from sandbox.live import Viewer as LiveViewer
from sandbox.live import frame
from sandbox.server import Runner
from tests.conftest import assert_problem
from tests.receivers import wait_until

UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


class Sandbox:
    """A running sandbox and a few helpers to drive it over HTTP."""

    def __init__(self, runner: Runner):
        self.runner = runner
        self.url = runner.url
        self.app = runner.app
        self.http = requests.Session()
        self.http.trust_env = False

    def account(self, name: str = "Cool Account") -> dict:
        response = self.http.post(self.url + "/api/managing-entity",
                                  json={"name": name, "type": "TRAVEL_AGENT"})
        response.raise_for_status()
        return response.json()

    def webhook(self, account: dict, inbox: str, *, events=(), name: str = "Hook", query: str = "") -> dict:
        response = self.http.post(f"{self.url}/api/managing-entity/{account['id']}/webhook", json={
            "name": name, "eventUrl": f"{self.url}/inbox/{inbox}{query}", "eventList": list(events)})
        response.raise_for_status()
        return response.json()["webhook"]

    def fire(self, account: dict, count: int = 1, event: str = "booking.created", **fields) -> dict:
        response = self.http.post(self.url + "/api/events",
                                  json={"event": event, "entity": account["id"], "count": count, **fields})
        assert response.status_code == 202, response.text
        return response.json()

    def log_cursors(self) -> list[int]:
        from sandbox.db import connect

        db = connect(self.app.config["DATABASE"])
        try:
            return [row[0] for row in db.conn.execute("select id from log order by id")]
        finally:
            db.close()

    def connect(self, path: str = "/ws/deliveries", **params) -> Viewer:
        return Viewer(self.url, path, params)


class Viewer:
    """A real websocket client that collects messages."""

    def __init__(self, base: str, path: str, params: dict, **options):
        query = urlencode(params)
        self.url = base.replace("http", "ws", 1) + path + (f"?{query}" if query else "")
        self.ws = websocket.create_connection(self.url, timeout=10, **options)
        self.messages: list[dict] = []

    def recv(self, timeout: float = 10) -> dict:
        self.ws.settimeout(timeout)
        data = self.ws.recv()
        if not data:  # a close frame
            raise websocket.WebSocketConnectionClosedException("the server closed the websocket")
        message = json.loads(data)
        self.messages.append(message)
        return message

    def history(self) -> tuple[list[dict], dict]:
        """Read up to the ``ready`` message; return (history, ready)."""
        got = []
        while True:
            message = self.recv()
            if message["type"] == "ready":
                return got, message
            got.append(message)

    def take(self, count: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        got = []
        while len(got) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"got {len(got)} of {count} messages: {[m['type'] for m in got][-5:]}")
            got.append(self.recv(left))
        return got

    def quiet(self, seconds: float = 0.3) -> bool:
        """Tell that nothing more arrives within ``seconds``."""
        try:
            self.recv(seconds)
        except websocket.WebSocketTimeoutException:
            return True
        return False

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def serve(tmp_path):
    """Start sandboxes with extra settings; retries are a thousand times quicker than usual."""
    started: list[Runner] = []

    def start(**config) -> Sandbox:
        app = create_app({"DATABASE": str(tmp_path / f"live{len(started)}.db"), "TESTING": True,
                          "RETRY_TIME_FACTOR": 0.001, **config})
        runner = Runner(app, "127.0.0.1", 0)
        runner.start()
        started.append(runner)
        return Sandbox(runner)

    yield start
    for runner in started:
        runner.stop(timeout=5)


@pytest.fixture
def sandbox(serve) -> Sandbox:
    return serve()


def cursors(messages):
    return [m["cursor"] for m in messages]


def test_messages_arrive_for_a_delivery(sandbox):
    account = sandbox.account()
    hook = sandbox.webhook(account, "ok")
    viewer = sandbox.connect()
    history, ready = viewer.history()
    assert history == [] and ready == {"type": "ready", "cursor": 0, "history": 0, "filters": {}}

    (event,) = sandbox.fire(account)["events"]
    created, attempted, succeeded = viewer.take(3)
    assert created["type"] == "event.created"
    assert created["eventId"] == event["id"] and created["event"] == "booking.create"
    assert created["entity"] == account["id"] and created["webhookIds"] == [hook["id"]]
    assert attempted["type"] == "delivery.attempted"
    assert attempted["deliveryId"] == event["deliveries"][0]["id"] and attempted["webhookId"] == hook["id"]
    assert attempted["attempt"] == 1 and attempted["statusCode"] == 200 and attempted["error"] is None
    assert attempted["durationMs"] >= 0 and attempted["nextAttemptAt"] is None
    assert attempted["status"] == "succeeded" and attempted["eventUrl"].endswith("/inbox/ok")
    assert succeeded["type"] == "delivery.succeeded" and succeeded["deliveryId"] == attempted["deliveryId"]
    assert cursors([created, attempted, succeeded]) == sandbox.log_cursors()
    assert all(m["at"].endswith("Z") for m in (created, attempted, succeeded))
    viewer.close()


def test_retries_failures_and_a_disabled_webhook_are_reported(serve):
    sandbox = serve(DISABLE_ON_GONE=True)   # 410 disables the webhook only when asked (not Wink's)
    account = sandbox.account()
    sandbox.http.put(sandbox.url + "/api/inbox/flaky", json={"failFirst": 1, "failStatus": 503})
    flaky = sandbox.webhook(account, "flaky", name="Flaky")
    gone = sandbox.webhook(account, "gone", name="Gone", query="?status=410")
    viewer = sandbox.connect(webhookId=f"{flaky['id']},{gone['id']}")
    viewer.history()
    sandbox.fire(account)
    by_type: dict[str, list[dict]] = {}
    for message in viewer.take(6):
        by_type.setdefault(message["type"], []).append(message)
    first, second = sorted((m for m in by_type["delivery.attempted"] if m["webhookId"] == flaky["id"]),
                           key=lambda m: m["attempt"])
    assert first["statusCode"] == 503 and first["status"] == "retrying" and first["nextAttemptAt"]
    assert second["statusCode"] == 200 and second["status"] == "succeeded"
    assert by_type["delivery.succeeded"][0]["webhookId"] == flaky["id"]
    assert by_type["delivery.failed"][0]["webhookId"] == gone["id"]
    assert by_type["delivery.failed"][0]["statusCode"] == 410
    (disabled,) = by_type["webhook.disabled"]
    assert disabled["webhookId"] == gone["id"] and disabled["status"] == "disabled"
    viewer.close()


def test_history_is_the_last_deliveries_then_ready_then_live(sandbox):
    account = sandbox.account()
    sandbox.webhook(account, "h")
    watcher = sandbox.connect()
    watcher.history()
    for _ in range(4):
        sandbox.fire(account)
    everything = watcher.take(12)

    history, ready = sandbox.connect(backlog=2).history()
    delivered = [m["deliveryId"] for m in everything if m["type"] == "delivery.attempted"]
    assert {m.get("deliveryId") for m in history} - {None} == set(delivered[-2:])
    assert history == everything[-len(history):]  # an unbroken stretch, up to the newest
    assert ready["cursor"] == everything[-1]["cursor"] and ready["history"] == len(history)

    default, _ = sandbox.connect().history()
    assert default == everything  # 50 deliveries by default: all four
    none, ready = sandbox.connect(backlog=0).history()
    assert none == [] and ready["cursor"] == everything[-1]["cursor"]

    live = sandbox.connect(backlog=1)
    live.history()
    (event,) = sandbox.fire(account)["events"]
    assert live.take(1)[0]["eventId"] == event["id"]
    assert watcher.take(3)[0]["eventId"] == event["id"]


def test_filters_filter_history_and_live(sandbox):
    cool = sandbox.account("Cool Account")
    siam = sandbox.account("The Siam Residences")
    good = sandbox.webhook(cool, "good", name="Good")
    bad = sandbox.webhook(cool, "bad", name="Bad", query="?status=500")
    sandbox.webhook(siam, "siam", name="Siam")
    filters = {
        "webhook": {"webhookId": good["id"]},
        "failed": {"status": "failed"},
        "siam": {"entity": siam["id"]},
        "alias": {"event": "booking.create", "type": "event.created"},
        "payee": {"event": "payee.update"},
        "mixed": {"webhookId": f"{good['id']},{bad['id']}", "type": "delivery.succeeded,delivery.failed"},
    }
    viewers = {name: sandbox.connect(**query) for name, query in filters.items()}
    everyone = sandbox.connect()
    for viewer in [*viewers.values(), everyone]:
        viewer.history()

    sandbox.fire(cool, count=2)
    sandbox.fire(siam)
    sandbox.fire(cool, event="payee.update", undelivered=True)
    # 4 events; cool's 3 reach 2 webhooks each, siam's 1 reaches 1; "bad" fails after 6 attempts
    expected_total = 4 + 3 * (1 + 1) + 3 * (6 + 1) + 1 * (1 + 1)
    every = everyone.take(expected_total, timeout=60)

    def wanted(message, query):
        for field, values in query.items():
            allowed = set(values.split(","))
            if field == "event":
                allowed |= {"booking.created"} if "booking.create" in allowed else set()
            if message.get(field) not in allowed:
                return False
        return True

    for name, query in filters.items():
        expected = [m for m in every if wanted(m, query)]
        assert expected, name
        assert viewers[name].take(len(expected)) == expected, name
        assert viewers[name].quiet(), name
        history, _ = sandbox.connect(backlog=1000, **query).history()
        assert history == expected, name
    assert all(m["status"] == "failed" for m in viewers["failed"].messages[1:])


@pytest.mark.parametrize(("query", "field"), [
    ("backlog=-1", "backlog"), ("backlog=1001", "backlog"), ("backlog=x", "backlog"),
    ("since=abc", "since"), ("since=-3", "since"), ("since=99999999999999999999", "since"),
    ("since=%C2%B2", "since"), ("backlog=%D9%A5", "backlog"),
    ("status=nope", "status"), ("type=event.made", "type"),
    ("event=booking.craeted", "event"), ("colour=red", "colour"), ("webhookId=" + "x," * 51, "webhookId"),
])
def test_bad_parameters_get_a_400_before_the_handshake(sandbox, query, field):
    assert_problem(requests.get(f"{sandbox.url}/ws/deliveries?{query}", headers=UPGRADE, timeout=5), 400,
                   field=field)


def test_bad_inbox_name_and_plain_http_are_refused(sandbox):
    assert_problem(requests.get(f"{sandbox.url}/ws/inbox/no.dots", headers=UPGRADE, timeout=5), 400,
                   field="name")
    assert_problem(requests.get(f"{sandbox.url}/ws/inbox/demo?entity=x", headers=UPGRADE, timeout=5), 400,
                   field="entity")
    assert_problem(requests.get(f"{sandbox.url}/ws/deliveries", timeout=5), 400)
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        sandbox.connect(status="nope")
    assert refused.value.status_code == 400


def test_the_token_may_come_in_the_query(serve):
    sandbox = serve(TOKEN="s3cret")
    assert_problem(requests.get(f"{sandbox.url}/ws/deliveries", headers=UPGRADE, timeout=5), 401)
    viewer = sandbox.connect(token="s3cret")
    assert viewer.history()[1]["type"] == "ready"
    viewer.close()


def test_resume_after_a_disconnect_misses_nothing(sandbox):
    account = sandbox.account()
    sandbox.webhook(account, "r")
    viewer = sandbox.connect()
    viewer.history()
    sandbox.fire(account, count=2)
    seen = viewer.take(6)
    viewer.close()

    watcher = sandbox.connect()
    watcher.history()
    sandbox.fire(account, count=3)  # while the first viewer is away
    missed = watcher.take(9)

    back = sandbox.connect(since=seen[-1]["cursor"])
    replayed, ready = back.history()
    assert replayed == missed and ready["cursor"] == missed[-1]["cursor"]
    sandbox.fire(account)
    live = back.take(3)
    assert cursors(seen + replayed + live) == sandbox.log_cursors()
    assert back.quiet()


def test_a_cursor_from_another_database_still_gets_live_messages(sandbox):
    """A page left open across a restart on a new database resumes with a cursor this log never had."""
    account = sandbox.account()
    sandbox.webhook(account, "fresh")
    viewer = sandbox.connect(since=100_000)
    history, ready = viewer.history()
    assert history == []
    assert ready["cursor"] == 0
    sandbox.fire(account)
    got = viewer.take(3)
    assert [m["type"] for m in got][0] == "event.created"
    assert cursors(got) == sorted(cursors(got))
    viewer.close()


def test_resuming_from_a_pruned_cursor_gets_a_gap_then_what_is_kept(serve):
    sandbox = serve(LOG_MAX_ROWS=50)  # the config mapping bypasses the minimum of 1000
    account = sandbox.account()
    sandbox.webhook(account, "pruned")
    viewer = sandbox.connect()
    viewer.history()
    fired = sandbox.fire(account, count=40)["events"]  # 40 x (event.created, attempted, succeeded)
    everything = viewer.take(120, timeout=30)
    viewer.close()
    assert cursors(everything) == list(range(1, 121))

    assert get_engine(sandbox.app).prune_log() <= 70  # the dispatcher may have pruned some already
    kept = sandbox.log_cursors()
    assert kept == list(range(71, 121))  # the newest 50
    assert get_engine(sandbox.app).prune_log() == 0

    back = sandbox.connect(since=1)
    history, ready = back.history()
    gap, *replayed = history
    assert gap == {"type": "gap", "cursor": 70, "dropped": 69, "firstCursor": 2, "lastCursor": 70,
                   "reason": "pruned"}
    assert replayed == everything[70:]  # in order, no duplicates
    assert ready["cursor"] == 120 and ready["history"] == 50

    filtered = sandbox.connect(since=0, type="delivery.succeeded")
    history, ready = filtered.history()
    assert history[0] == {"type": "gap", "cursor": 70, "dropped": None, "firstCursor": 1, "lastCursor": 70,
                          "reason": "pruned"}
    assert history[1:] == [m for m in everything[70:] if m["type"] == "delivery.succeeded"]
    filtered.close()
    from_kept, _ = sandbox.connect(since=70).history()
    assert from_kept == everything[70:]  # nothing is missing after cursor 70: no gap

    sandbox.fire(account)  # and then live, as usual
    assert cursors(back.take(3)) == [121, 122, 123]
    assert back.quiet()
    back.close()

    from sandbox.db import connect
    db = connect(sandbox.app.config["DATABASE"])
    try:
        assert db["events"].count == 41 and db["deliveries"].count == 41 and db["attempts"].count == 41
    finally:
        db.close()
    assert all(sandbox.http.get(f"{sandbox.url}/api/events/{event['id']}").status_code == 200
               for event in fired)


def test_resuming_while_deliveries_run_has_no_gap_and_no_duplicate(sandbox):
    account = sandbox.account()
    sandbox.webhook(account, "busy")
    sandbox.webhook(account, "busy2")
    received: list[dict] = []
    viewer = sandbox.connect()
    viewer.history()
    firing = threading.Thread(target=lambda: [sandbox.fire(account, count=20) for _ in range(10)])
    firing.start()
    total = 10 * 20 * 5
    while len(received) < total:
        # read a little, drop the connection, come back from the last cursor seen
        for _ in range(37):
            if len(received) == total:
                break
            received.append(viewer.recv(30))
        viewer.close()
        if len(received) < total:
            viewer = sandbox.connect(since=received[-1]["cursor"])
            received += viewer.history()[0]
    firing.join(30)
    assert cursors(received) == sandbox.log_cursors()
    replayed, _ = sandbox.connect(since=received[-1]["cursor"]).history()
    assert replayed == []


def test_fifty_viewers_each_receive_every_message(serve):
    sandbox = serve()
    account = sandbox.account()
    sandbox.webhook(account, "fifty")
    viewers = [sandbox.connect(backlog=0) for _ in range(50)]
    for viewer in viewers:
        viewer.history()
    wait_until(lambda: get_hub(sandbox.app).subscriber_count == 50)
    sandbox.fire(account, count=100)
    got: dict[int, list[dict]] = {}

    def read(index: int) -> None:
        got[index] = viewers[index].take(300, timeout=60)

    readers = [threading.Thread(target=read, args=(i,)) for i in range(50)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(90)
    expected = sandbox.log_cursors()
    assert len(expected) == 300
    assert all(cursors(got[i]) == expected for i in range(50))
    for viewer in viewers:
        viewer.close()


def test_a_stalled_viewer_does_not_hold_up_a_burst_or_the_other_viewers(serve):
    sandbox = serve(LIVE_QUEUE_SIZE=1500)  # one fire of 1,000 publishes 1,000 event.created at once
    account = sandbox.account()
    sandbox.webhook(account, "burst")
    healthy = sandbox.connect(backlog=0)
    healthy.history()

    # A viewer that stops reading: a tiny receive buffer, so the server's writes to it soon block.
    stalled = Viewer(sandbox.url, "/ws/deliveries", {"backlog": 0},
                     sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    stalled.history()
    sandbox.fire(account, count=1000)
    healthy.take(3000, timeout=120)
    # (benchmarks/bench_live.py measures the burst's speed with and without a stalled viewer)
    # The burst and the healthy viewer are done while the stalled viewer still has not read a thing.
    cursors_now = sandbox.log_cursors()
    assert cursors(healthy.messages[-3000:]) == cursors_now[-3000:]

    # When it reads again it finds either everything, or a gap saying where to resume from.
    got = []
    while not got or got[-1]["cursor"] < cursors_now[-1]:
        got.append(stalled.recv(30))
    gaps = [m for m in got if m["type"] == "gap"]
    kept = [m for m in got if m["type"] != "gap"]
    if gaps:
        (gap,) = gaps
        assert gap["dropped"] > 0 and gap["lastCursor"] > gap["cursor"]
        resumed, _ = sandbox.connect(since=gap["cursor"]).history()
        kept = [m for m in kept if m["cursor"] <= gap["cursor"]] + resumed
    assert cursors(kept) == cursors_now[-3000:]
    stalled.close()


def test_a_viewer_that_does_not_answer_pings_is_dropped(serve):
    sandbox = serve(LIVE_PING_SECONDS=1)
    # A client that completes the handshake, then never reads or answers anything.
    raw = socket.create_connection(("127.0.0.1", sandbox.runner.port), timeout=5)
    raw.sendall(b"GET /ws/deliveries HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    assert raw.recv(1024).startswith(b"HTTP/1.1 101")
    hub = get_hub(sandbox.app)
    wait_until(lambda: hub.subscriber_count == 1, message="the viewer subscribed")
    # a well-behaved viewer answers the pings (websocket-client does) and stays
    alive = sandbox.connect(backlog=0)
    alive.history()
    deadline = time.monotonic() + 15
    while hub.subscriber_count != 1 and time.monotonic() < deadline:
        assert alive.quiet(0.3)  # reading lets websocket-client answer the pings
    assert hub.subscriber_count == 1
    until = time.monotonic() + 2.5  # a few more ping intervals
    while time.monotonic() < until:
        assert alive.quiet(0.3)
    assert hub.subscriber_count == 1
    raw.close()
    alive.close()


def test_a_closed_viewer_is_cleaned_up(sandbox):
    hub = get_hub(sandbox.app)
    viewers = [sandbox.connect() for _ in range(3)]
    for viewer in viewers:
        viewer.history()
    wait_until(lambda: hub.subscriber_count == 3)
    viewers[0].close()
    viewers[1].ws.sock.shutdown(socket.SHUT_RDWR)  # gone without a close frame
    viewers[1].ws.sock.close()
    wait_until(lambda: hub.subscriber_count == 1, message="the closed viewers unsubscribed")
    viewers[2].close()
    wait_until(lambda: hub.subscriber_count == 0)


def test_stop_ends_every_viewer_promptly(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "stop.db"), "TESTING": True})
    runner = Runner(app, "127.0.0.1", 0)
    runner.start()
    viewers = [Viewer(runner.url, "/ws/deliveries", {}) for _ in range(3)]
    viewers.append(Viewer(runner.url, "/ws/inbox/demo", {}))
    for viewer in viewers:
        viewer.history()
    started = time.monotonic()
    runner.stop(timeout=5)
    assert time.monotonic() - started < 4
    threads = vars(runner.server).get("_threads") or []
    assert not [thread for thread in threads if thread.is_alive()]
    for viewer in viewers:
        with pytest.raises((websocket.WebSocketException, OSError)):
            for _ in range(3):
                viewer.recv(5)


class _Socket:
    """What ``LiveViewer`` needs of a flask-sock websocket: its socket and whether it is connected."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.connected = True
        self.pong_received = True


def test_a_viewer_keeps_what_its_socket_does_not_take_and_sends_it_in_order():
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _address = listener.accept()
    listener.close()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        viewer = LiveViewer(_Socket(server), Hub().subscribe(), 0)
        frames = [frame(json.dumps({"cursor": n, "pad": "x" * 600}).encode()) for n in range(300)]
        shared = list(frames)
        viewer.write(shared)
        assert shared == frames  # a list shared between viewers is never changed
        assert viewer.out and sum(map(len, viewer.out)) < sum(map(len, frames))  # the socket is full
        assert not viewer.flush(time.monotonic()) and viewer.stuck_since is not None
        expected = b"".join(frames)
        received = bytearray()

        def read() -> None:
            while len(received) < len(expected):
                chunk = client.recv(1 << 16)
                if not chunk:
                    return
                received.extend(chunk)

        reader = threading.Thread(target=read)
        reader.start()
        wait_until(lambda: viewer.flush(time.monotonic()), timeout=30, interval=0.001)
        reader.join(30)
        assert received == expected
        assert viewer.flush(time.monotonic()) and viewer.out == [] and viewer.stuck_since is None
    finally:
        server.close()
        client.close()
