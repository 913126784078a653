"""The hub: every subscription sees every message, in cursor order, within its bound; no waiting."""

from __future__ import annotations

import gc
import threading
import time
import weakref

from sandbox.hub import Hub


def msgs(*cursors, **fields):
    return [{"type": "t", "cursor": c, **fields} for c in cursors]


def cursors(batch):
    return [entry.cursor for entry in batch.entries]


def test_every_subscription_gets_every_message():
    hub = Hub()
    subs = [hub.subscribe(interval=0) for _ in range(3)]
    hub.publish(msgs(1, 2))
    hub.publish(msgs(3))
    for sub in subs:
        assert cursors(sub.poll(1)) == [1, 2, 3]
        assert cursors(sub.poll(0)) == []
    assert hub.subscriber_count == 3


def test_a_subscription_sees_only_what_is_published_after_it_starts():
    hub = Hub()
    hub.publish(msgs(1))
    sub = hub.subscribe(interval=0)
    hub.publish(msgs(2))
    assert cursors(sub.poll(1)) == [2]


def test_filters_apply_per_subscription():
    hub = Hub()
    red = hub.subscribe(lambda m: m["colour"] == "red", interval=0)
    every = hub.subscribe(interval=0)
    hub.publish(msgs(1, colour="red") + msgs(2, colour="blue") + msgs(3, colour="red"))
    assert cursors(red.poll(1)) == [1, 3]
    assert cursors(every.poll(1)) == [1, 2, 3]


def test_a_poll_with_most_returns_the_oldest_and_leaves_the_rest_for_the_next():
    hub = Hub(maxlen=10)
    every = hub.subscribe(interval=0)
    red = hub.subscribe(lambda m: m["cursor"] % 2 == 1, interval=0)
    hub.publish(msgs(*range(1, 8)))
    first = every.poll(0, most=3)
    assert cursors(first) == [1, 2, 3] and first.dropped == 0
    assert first.span == (0, 3)               # still shareable between viewers that want everything
    assert cursors(every.poll(0, most=3)) == [4, 5, 6]
    assert cursors(every.poll(0, most=3)) == [7]
    assert cursors(every.poll(0, most=3)) == []
    assert cursors(red.poll(0, most=2)) == [1, 3]
    assert cursors(red.poll(0, most=2)) == [5, 7]
    assert cursors(red.poll(0, most=2)) == []


def test_what_waits_for_a_later_poll_still_counts_against_maxlen():
    hub = Hub(maxlen=5, capacity=50)
    sub = hub.subscribe(interval=0)
    hub.publish(msgs(*range(1, 5)))
    assert cursors(sub.poll(0, most=2)) == [1, 2]
    hub.publish(msgs(*range(5, 9)))           # 3, 4 wait, and 5 to 8 come: 6 waiting, one too many
    batch = sub.poll(0, most=2)
    assert cursors(batch) == [4, 5]
    assert (batch.dropped, batch.first_dropped, batch.last_dropped) == (1, 3, 3)
    assert cursors(sub.poll(0, most=10)) == [6, 7, 8]


def test_entries_are_shared_and_keep_no_encoded_bytes():
    hub = Hub()
    sub = hub.subscribe(interval=0)
    other = hub.subscribe(interval=0)
    hub.publish([{"type": "t", "cursor": 1, "name": "Siam ü"}])
    (entry,) = sub.poll(1).entries
    (same,) = other.poll(1).entries
    assert entry is same
    assert entry.json == '{"type":"t","cursor":1,"name":"Siam ü"}'.encode()
    # The ring holds messages only: JSON and frames live as long as one round of writes (issue 13).
    assert not hasattr(entry, "__dict__") and set(type(entry).__slots__) == {"message", "cursor"}


def test_a_viewer_that_stops_reading_costs_a_bounded_ring_not_a_growing_queue():
    hub = Hub(maxlen=5, capacity=50)
    stalled = hub.subscribe(interval=0)
    for start in range(1, 10_001, 100):
        hub.publish(msgs(*range(start, start + 100)))
    assert stalled.lag == 10_000
    batch = stalled.poll(0)
    assert cursors(batch) == list(range(9_996, 10_001))  # the newest maxlen, after a gap
    assert batch.dropped == 9_995
    assert len(hub._ring) == 50  # the hub kept no more than its capacity meanwhile
    assert stalled.poll(0).entries == [] and stalled.lag == 0


def test_unsubscribing_releases_the_subscription():
    hub = Hub()
    subs = [hub.subscribe(lambda m: True, interval=0) for _ in range(20)]
    hub.publish(msgs(1, 2, 3))
    refs = [weakref.ref(sub) for sub in subs]
    for sub in subs:
        hub.unsubscribe(sub)
    del subs, sub
    gc.collect()
    assert hub.subscriber_count == 0
    assert [ref() for ref in refs] == [None] * 20
    assert hub._listeners == []  # subscribing adds no listener that could outlive it


def test_a_full_subscription_drops_its_oldest_and_says_so():
    hub = Hub(maxlen=5)
    slow = hub.subscribe(interval=0)
    fast = hub.subscribe(interval=0)
    for cursor in range(1, 13):
        hub.publish(msgs(cursor))
        assert cursors(fast.poll(1)) == [cursor]
    batch = slow.poll(1)
    assert cursors(batch) == [8, 9, 10, 11, 12]
    assert (batch.dropped, batch.first_dropped, batch.last_dropped) == (7, 1, 7)
    # the count reports only messages the subscription wanted
    picky = hub.subscribe(lambda m: m["cursor"] % 2 == 0, maxlen=2, interval=0)
    hub.publish(msgs(*range(13, 21)))
    batch = picky.poll(1)
    assert cursors(batch) == [18, 20] and batch.dropped == 2 and batch.last_dropped == 16


def test_a_subscription_far_behind_counts_what_left_memory():
    hub = Hub(maxlen=5, capacity=10)
    sub = hub.subscribe(interval=0)
    hub.publish(msgs(*range(1, 31)))
    batch = sub.poll(1)
    assert cursors(batch) == [26, 27, 28, 29, 30]
    assert batch.dropped == 25 and batch.first_dropped == 21 and batch.last_dropped == 25


def test_publishing_never_waits_for_a_subscription_that_does_not_read():
    hub = Hub(maxlen=100)
    stalled = hub.subscribe()
    reader = hub.subscribe(interval=0)
    for start in range(1, 50_001, 500):
        hub.publish(msgs(*range(start, start + 500)))
    assert cursors(reader.poll(1))[-1] == 50_000
    batch = stalled.poll(1)
    assert len(batch.entries) == 100 and batch.dropped == 49_900


def test_messages_are_released_in_cursor_order():
    hub = Hub(hold=5)
    sub = hub.subscribe(interval=0)
    hub.expect_after(10)
    hub.publish(msgs(12))
    hub.publish(msgs(13))
    assert cursors(sub.poll(0)) == []  # 11 is missing: held back
    hub.publish(msgs(11))
    assert cursors(sub.poll(1)) == [11, 12, 13]
    hub.publish(msgs(9))  # late (before what was already released): goes at once
    assert cursors(sub.poll(1)) == [9]


def test_a_missing_cursor_holds_messages_back_only_briefly():
    hub = Hub(hold=0.05)
    sub = hub.subscribe(interval=0)
    hub.publish(msgs(1))
    hub.publish(msgs(3, 4))
    batch = sub.poll(5)
    assert cursors(batch) == [1]
    assert cursors(sub.poll(5)) == [3, 4]  # released when the hold ran out
    hub.publish(msgs(2))
    assert cursors(sub.poll(1)) == [2]


def test_messages_without_cursor_are_not_ordered():
    hub = Hub(hold=5)
    sub = hub.subscribe(interval=0)
    hub.publish(msgs(1))
    hub.publish(msgs(3))
    hub.publish([{"type": "note"}])
    assert [entry.message for entry in sub.poll(1).entries] == msgs(1) + [{"type": "note"}]


def test_after_skips_what_the_viewer_already_has_without_counting_a_drop():
    hub = Hub(maxlen=2)
    sub = hub.subscribe(interval=0)
    hub.publish(msgs(1, 2, 3, 4))
    sub.after = 3
    batch = sub.poll(1)
    assert cursors(batch) == [4] and batch.dropped == 0


def test_a_busy_subscription_is_woken_at_most_once_per_interval():
    hub = Hub()
    sub = hub.subscribe(interval=0.2)
    hub.publish(msgs(1))
    assert cursors(sub.poll(1)) == [1]
    hub.publish(msgs(2))
    hub.publish(msgs(3))
    # the next poll waits out the interval, then takes both together
    assert cursors(sub.poll(1)) == [2, 3]


def test_stop_wakes_a_waiting_subscription():
    hub = Hub()
    sub = hub.subscribe(interval=0)
    results = []
    thread = threading.Thread(target=lambda: results.append(sub.poll(30)))
    thread.start()
    deadline = time.monotonic() + 5
    while not hub._cond._waiters and time.monotonic() < deadline:  # until it waits
        time.sleep(0.01)
    hub.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert results[0].closed
    assert hub.subscriber_count == 0


def test_get_returns_plain_messages():
    hub = Hub(maxlen=1)
    sub = hub.subscribe(interval=0)
    hub.publish(msgs(1, 2))
    assert sub.get(1) == (msgs(2), 1, 1)
    hub.unsubscribe(sub)
    assert sub.closed and hub.subscriber_count == 0
