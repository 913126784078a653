"""The live log's history stays bounded on a big log: a backlog of letters is N messages, a resume
sends at most the backlog limit and says with a ``gap`` what it skipped or what was pruned."""

from __future__ import annotations

from tests.test_live import Sandbox, serve  # noqa: F401  (the fixture)


def test_a_backlog_of_letters_is_the_last_n_of_them(serve):  # noqa: F811
    sandbox: Sandbox = serve()
    account = sandbox.account()
    fired = sandbox.fire(account, count=30)["events"]     # no webhook: letters without deliveries
    history, ready = sandbox.connect(type="event.created", backlog=5).history()
    assert [m["eventId"] for m in history] == [event["id"] for event in fired[-5:]]
    assert ready["history"] == 5
    everything, _ = sandbox.connect(type="event.created,webhook.disabled", backlog=1000).history()
    assert [m["eventId"] for m in everything] == [event["id"] for event in fired]
