"""The live log's history stays bounded on a big log: a backlog of letters is N messages, a resume
sends at most the backlog limit and says with a ``gap`` what it skipped or what was pruned."""

from __future__ import annotations

from sandbox.delivery import get_engine
from tests.test_live import Sandbox, cursors, serve  # noqa: F401  (serve: the fixture)


def test_a_backlog_of_letters_is_the_last_n_of_them(serve):  # noqa: F811
    sandbox: Sandbox = serve()
    account = sandbox.account()
    fired = sandbox.fire(account, count=30)["events"]     # no webhook: letters without deliveries
    history, ready = sandbox.connect(type="event.created", backlog=5).history()
    assert [m["eventId"] for m in history] == [event["id"] for event in fired[-5:]]
    assert ready["history"] == 5
    everything, _ = sandbox.connect(type="event.created,webhook.disabled", backlog=1000).history()
    assert [m["eventId"] for m in everything] == [event["id"] for event in fired]


def test_a_resume_sends_at_most_the_backlog_limit_with_a_gap_before_and_after(serve):  # noqa: F811
    sandbox: Sandbox = serve(LOG_MAX_ROWS=1050)   # the config mapping bypasses the minimum of 1000
    account = sandbox.account()
    sandbox.fire(account, count=1100)              # no webhook: 1,100 event.created, cursors 1 to 1100
    while get_engine(sandbox.app).prune_log():
        continue
    assert sandbox.log_cursors() == list(range(51, 1101))

    viewer = sandbox.connect(since=0)
    history, ready = viewer.history()
    pruned, *sent, limit = history
    assert pruned == {"type": "gap", "cursor": 50, "dropped": 50, "firstCursor": 1, "lastCursor": 50,
                      "reason": "pruned"}
    assert cursors(sent) == list(range(51, 1051))              # the first 1,000 kept, in order
    assert limit == {"type": "gap", "cursor": 1050, "dropped": 50, "firstCursor": 1051, "lastCursor": 1100,
                     "reason": "limit"}
    assert ready["cursor"] == 1100 and ready["history"] == 1000
    sandbox.fire(account)                                      # then live, after the newest
    assert cursors(viewer.take(1)) == [1101]
    assert viewer.quiet()
    viewer.close()

    rest, ready = sandbox.connect(since=limit["cursor"]).history()   # resuming at the gap gets the rest
    assert cursors(rest) == list(range(1051, 1102)) and ready["cursor"] == 1101

    filtered, _ = sandbox.connect(since=50, type="event.created").history()
    assert cursors(filtered[:-1]) == list(range(51, 1051))
    assert filtered[-1] == {"type": "gap", "cursor": 1050, "dropped": None, "firstCursor": 1051,
                            "lastCursor": 1101, "reason": "limit"}


def _frames(data: bytes) -> tuple[list[dict], bytes]:
    """Parse whole unmasked text frames (as the server sends them) off ``data``; return them and the rest."""
    import json

    out = []
    while len(data) >= 2:
        size, head = data[1] & 0x7F, 2
        if size == 126:
            if len(data) < 4:
                break
            size, head = int.from_bytes(data[2:4], "big"), 4
        if len(data) < head + size:
            break
        out.append(json.loads(data[head:head + size]))
        data = data[head + size:]
    return out, data


def test_a_viewer_that_fell_behind_is_sent_one_round_of_frames_at_a_time():
    # A viewer 3,000 messages behind (its socket was full, say) is made at most ROUND_FRAMES frames per
    # round: before, the first round made all 3,000 and kept what the socket did not take in the
    # viewer's ``out`` (50 viewers behind at different moments each held their own).
    import socket
    import time
    from types import SimpleNamespace

    from sandbox.hub import Hub
    from sandbox.live import Broadcaster, Viewer

    hub = Hub(maxlen=5000)
    broadcaster = Broadcaster(hub, 0.025, "test")     # not started: the rounds are run here
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    try:
        viewer = Viewer(SimpleNamespace(sock=server, connected=True, pong_received=True),
                        hub.subscribe(interval=0), ping_seconds=0)
        viewer.go_live(0)
        broadcaster.add(viewer)
        hub.publish([{"type": "delivery.succeeded", "cursor": c, "text": "x" * 300} for c in range(1, 3001)])
        got, rest = [], b""
        client.settimeout(0.05)
        deadline = time.monotonic() + 30
        while len(got) < 3000 and time.monotonic() < deadline:
            broadcaster.round()
            assert len(viewer.out) <= Broadcaster.ROUND_FRAMES
            try:
                chunk = client.recv(1 << 20)
            except TimeoutError:
                continue
            frames, rest = _frames(rest + chunk)
            got += frames
        assert [m["cursor"] for m in got] == list(range(1, 3001))    # all of them, in order, no gap
    finally:
        client.close()
        server.close()
