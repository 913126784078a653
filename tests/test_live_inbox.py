"""/ws/inbox/<name>: an inbox's captures stream live, with history, resume and gaps."""

from __future__ import annotations

import socket

from tests.test_live import Viewer, serve  # noqa: F401  (the fixture)


def post(sandbox, path: str, body: bytes = b"{}", **params) -> dict:
    response = sandbox.http.post(sandbox.url + path, data=body, params=params)
    assert response.status_code in (200, 413), response.text
    return response.json()


def test_captures_stream_live_after_the_history(serve):  # noqa: F811
    sandbox = serve()
    ids = [post(sandbox, "/inbox/a", b'{"n": %d}' % n)["captureId"] for n in range(3)]
    post(sandbox, "/inbox/b")
    viewer = sandbox.connect("/ws/inbox/a", backlog=2)
    history, ready = viewer.history()
    assert [m["type"] for m in history] == ["inbox.captured"] * 2
    assert [m["cursor"] for m in history] == ids[1:]
    assert [m["capture"]["body"] for m in history] == ['{"n": 1}', '{"n": 2}']
    assert ready["cursor"] == ids[-1] + 1 and ready["filters"] == {"inbox": ["a"]}

    post(sandbox, "/inbox/b")  # another inbox: not shown
    live_id = post(sandbox, "/inbox/a/deep/path", b"hello", x="1")["captureId"]
    (message,) = viewer.take(1)
    assert message["type"] == "inbox.captured" and message["cursor"] == live_id
    capture = message["capture"]
    assert (capture["path"], capture["query"], capture["body"]) == ("/inbox/a/deep/path", "x=1", "hello")
    assert capture["signature"]["verified"] is None
    assert viewer.quiet()

    sandbox.http.delete(sandbox.url + "/api/inbox/a")
    (cleared,) = viewer.take(1)
    assert cleared["type"] == "inbox.cleared" and cleared["deleted"] == 4 and cleared["inbox"] == "a"
    viewer.close()


def test_a_delivery_streams_with_its_wink_signature_verified(serve):  # noqa: F811
    sandbox = serve()
    account = sandbox.account()
    sandbox.webhook(account, "signed")
    viewer = sandbox.connect("/ws/inbox/signed")
    viewer.history()
    (event,) = sandbox.fire(account)["events"]
    (message,) = viewer.take(1)
    capture = message["capture"]
    assert capture["headers"]["Wink-Event-Id"] == event["id"]
    assert capture["headers"]["Wink-Signature"].startswith("t=")
    assert capture["signature"]["verified"] is True and capture["signature"]["reason"] is None
    viewer.close()


def test_resume_from_a_capture_id(serve):  # noqa: F811
    sandbox = serve()
    first = post(sandbox, "/inbox/r")["captureId"]
    later = [post(sandbox, "/inbox/r")["captureId"] for _ in range(3)]
    replayed, ready = sandbox.connect("/ws/inbox/r", since=first).history()
    assert [m["cursor"] for m in replayed] == later and ready["cursor"] == later[-1]


def test_a_viewer_that_falls_behind_gets_a_gap_and_can_fill_it(serve):  # noqa: F811
    sandbox = serve(LIVE_QUEUE_SIZE=3)
    stalled = Viewer(sandbox.url, "/ws/inbox/big", {"backlog": 0},
                     sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    stalled.history()
    big = b"x" * (1024 * 1024)
    ids = [post(sandbox, "/inbox/big", big)["captureId"] for _ in range(12)]  # more than socket buffers hold
    ids += [post(sandbox, "/inbox/big")["captureId"] for _ in range(10)]
    got = []
    while not got or got[-1]["cursor"] < ids[-1]:
        got.append(stalled.recv(30))
    (gap,) = [m for m in got if m["type"] == "gap"]
    assert gap["dropped"] >= 1 and gap["cursor"] in [0, *ids[:-1]]  # 0: nothing was sent before it
    assert gap["firstCursor"] == ids[ids.index(gap["cursor"]) + 1 if gap["cursor"] else 0]
    kept = [m["cursor"] for m in got if m["type"] != "gap" and m["cursor"] <= gap["cursor"]]
    resumed, _ = sandbox.connect("/ws/inbox/big", since=gap["cursor"]).history()
    assert kept + [m["cursor"] for m in resumed] == ids
    stalled.close()


def test_a_resume_sends_at_most_the_bound_then_a_gap_to_go_on_from(serve, monkeypatch):  # noqa: F811
    # Bounded like /ws/deliveries (at most MAX_BACKLOG messages, 1,000; 5 here), however old the
    # cursor: the rest is a gap with reason "limit" whose cursor resumes where the first stopped.
    from sandbox import live
    monkeypatch.setattr(live, "MAX_BACKLOG", 5)
    sandbox = serve()
    ids = [post(sandbox, "/inbox/lim")["captureId"] for _ in range(8)]
    post(sandbox, "/inbox/other")
    first, ready = sandbox.connect("/ws/inbox/lim", since=0).history()
    *sent, gap = first
    assert [m["cursor"] for m in sent] == ids[:5]
    assert gap["type"] == "gap" and gap["reason"] == "limit" and gap["cursor"] == ids[4]
    assert gap["firstCursor"] == ids[4] + 1 and gap["dropped"] is None   # a filtered feed: unknown
    rest, _ = sandbox.connect("/ws/inbox/lim", since=gap["cursor"]).history()
    assert [m["cursor"] for m in rest] == ids[5:]
    assert ready["history"] == 5
