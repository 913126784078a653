"""The delivery engine: takes due work from SQLite, sends it, records every attempt.

Three kinds of threads:

- the **dispatcher** claims due deliveries (``BEGIN IMMEDIATE``, oldest first) and puts each in its
  webhook's *lane*; it wakes when events are fired (``notify``) and otherwise sleeps until the next
  retry is due (at most ``POLL_SECONDS``, which also notices re-enabled webhooks);
- **senders** take a lane that has work, send its oldest delivery, and give the lane back. A lane
  has at most MAX_PER_WEBHOOK attempts in flight (default 1, which keeps each webhook's deliveries
  in fired order). Senders come in two pools, so that slow receivers cannot starve the others:
  the WORKER_THREADS *fast* senders serve webhooks whose last attempt ended within SLOW_SECONDS;
  up to SLOW_THREADS *slow* senders (started as needed) serve the webhooks whose last attempt took
  longer (a receiver that hangs until the timeout, or trickles its answer). A webhook not seen yet
  is tried on a fast sender, but at most a quarter of the fast senders try unknown webhooks at once
  (the others go to the slow pool until known). A fast sender whose attempt has run SLOW_SECONDS
  (a webhook that was fast until it hung: its receiver stopped in a debugger) is *replaced*: the
  dispatcher starts a new fast sender, and the stuck one joins the slow pool, where it goes on once
  its attempt ends. So hanging receivers hold at most SLOW_THREADS threads, and the fast pool always
  has WORKER_THREADS senders free of them (after SLOW_SECONDS + POLL_SECONDS at worst), unless the
  slow pool is full;
- the **recorder** writes finished attempts in batches: the attempt, the delivery's new state and
  the live-log rows in one transaction, then publishes the log messages to the hub.

The dispatcher also keeps the live log to LOG_MAX_ROWS rows: every PRUNE_SECONDS it deletes the
oldest rows beyond the limit (``prune_log``), PRUNE_BATCH at a time, each batch in its own short
transaction, never inside a recording one.

Nothing is lost on a crash: a delivery stays claimed in the database until its attempt is
recorded, and ``start`` releases every claim, so whatever was queued or in flight is sent again.

A delivery cancelled while the engine holds it (Wink's ``cancel``) is ``withdraw``-n: taken out of its
lane when it is only queued there, else remembered, so it is dropped instead of sent when it reaches
a lane or a sender; an attempt already in flight finishes and is recorded, and nothing follows it.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time

from flask import Flask

from sandbox import signing
from sandbox.db import ThreadConnections, immediate
from sandbox.delivery import outcomes, sender
from sandbox.delivery import schedule as schedules
from sandbox.hub import get_hub
from sandbox.store import deliveries as store
from sandbox.store import log

CLAIM_BATCH = 500          # deliveries claimed per dispatcher transaction
LANE_BACKLOG = 1000        # claimed deliveries held in memory per webhook before claiming pauses
POLL_SECONDS = 0.5         # longest dispatcher sleep (due retries, re-enabled webhooks)
RECORD_BATCH = 256         # finished attempts recorded per transaction, at most
RECORD_WAIT = 0.01         # seconds the recorder gathers results before writing them, at most
RECORD_IDLE = 0.002        # ...but it writes as soon as no further result comes for this long
LANE_STREAK = 64           # jobs a sender takes from one lane before letting other lanes go first
WEBHOOK_TTL = 0.2          # seconds a lane trusts its cached webhook (URL, secrets, enabled)
PRUNE_SECONDS = 5.0        # how often the dispatcher trims the live log to LOG_MAX_ROWS
PRUNE_BATCH = 1000         # live-log rows deleted per transaction
PRUNE_MAX_BATCHES = 50     # batches per trim, so the dispatcher is never held up long
SPEED_MEMORY = 100_000     # webhooks whose speed (fast or slow) is remembered; the oldest are forgotten

_STOP = object()


class _Sender:
    """A fast sender thread, as the dispatcher sees it: when its attempt began, whether it was replaced."""

    __slots__ = ("thread", "began", "replaced")

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.began: float | None = None   # set while an attempt runs
        self.replaced = False             # stuck past SLOW_SECONDS: now one of the slow senders


class _Lane:
    """One webhook's claimed deliveries, oldest first, and how many of them are in flight."""

    __slots__ = ("webhook_id", "heap", "in_flight", "scheduled", "full", "hook", "hook_at", "probe")

    def __init__(self, webhook_id: str):
        self.webhook_id = webhook_id
        self.heap: list[tuple[int, dict]] = []
        self.in_flight = 0
        self.scheduled = False    # in the ready queue
        self.full = False         # the dispatcher skipped it for being full
        self.hook: dict | None = None
        self.hook_at = -1.0
        self.probe = False        # holds one of the fast pool's places for webhooks of unknown speed


class Engine:
    """The app's delivery worker: ``start()``, ``stop(timeout)``, ``notify()``, ``run_once()``."""

    def __init__(self, app: Flask):
        self.app = app
        self.running = False
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._lanes: dict[str, _Lane] = {}
        self._ready: queue.SimpleQueue = queue.SimpleQueue()        # lanes for the fast senders
        self._ready_slow: queue.SimpleQueue = queue.SimpleQueue()   # lanes for the slow senders
        self._slow: dict[str, bool] = {}    # webhook id -> its last attempt took SLOW_SECONDS or more
        self._probing = 0                   # lanes of unknown speed holding a fast place
        self._slow_senders = 0
        self._slow_idle = 0
        self._fast: list[_Sender] = []      # the fast senders that were not replaced
        self._names = itertools.count()     # numbers threads' names
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._recorder: threading.Thread | None = None
        self._http = sender.Connections()
        self._dbs = ThreadConnections(app.config["DATABASE"])
        self._once_session = None
        self._withdrawn: set[str] = set()   # cancelled while claimed and not in a lane: never send
        get_hub(app)  # made now, so it is registered as a worker before the server starts them

    # ---- settings ---------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        return float(self.app.config["REQUEST_TIMEOUT"])

    @property
    def max_per_webhook(self) -> int:
        return int(self.app.config["MAX_PER_WEBHOOK"])

    @property
    def slow_threads(self) -> int:
        return int(self.app.config["SLOW_THREADS"])

    def server_schedule(self) -> list[float]:
        return schedules.server_schedule(self.app.config)

    @property
    def server_profile(self) -> str:
        return self.app.config.get("PROFILE") or signing.DEFAULT_PROFILE

    # ---- lifecycle --------------------------------------------------------------------------

    def notify(self) -> None:
        """Tell the dispatcher that new work may be due (events fired, retries asked for)."""
        self._wake.set()

    def start(self) -> None:
        """Release every claim left by a previous run, then start the dispatcher, senders and recorder."""
        if self.running:
            return
        self._stopping.clear()
        self._lanes.clear()
        self._withdrawn.clear()
        self._ready = queue.SimpleQueue()
        self._ready_slow = queue.SimpleQueue()
        self._probing = self._slow_senders = self._slow_idle = 0
        self._results = queue.SimpleQueue()
        self._dbs = ThreadConnections(self.app.config["DATABASE"])  # a stop closed the previous ones
        released = store.release_claims(self._dbs.get())
        if released:
            self.app.logger.info("Sending again %d deliveries that were queued or in flight", released)
        self._fast = []
        self._threads = [threading.Thread(target=self._dispatch_loop, name="delivery-dispatcher",
                                          daemon=True)]
        for _ in range(int(self.app.config["WORKER_THREADS"])):
            self._fast_sender()
        self._recorder = threading.Thread(target=self._record_loop, name="delivery-recorder", daemon=True)
        self.running = True
        for thread in [*self._threads, self._recorder]:
            thread.start()

    def _fast_sender(self) -> threading.Thread:
        """Make a fast sender thread (not started), registered in ``_fast`` and ``_threads``."""
        me = _Sender()
        me.thread = threading.Thread(target=self._send_loop, args=(self._ready, me), daemon=True,
                                     name=f"delivery-sender-{next(self._names)}")
        self._fast.append(me)
        self._threads.append(me.thread)
        return me.thread

    def stop(self, timeout: float = 5.0) -> None:
        """Stop sending, record what finished, and join every thread (waiting at most ``timeout``).

        Requests still waiting on a receiver are cut short; those deliveries stay claimed in the
        database and are sent again at the next start.
        """
        if not self.running:
            return
        deadline = time.monotonic() + timeout
        with self._lock:                  # no slow sender starts once this holds
            self._stopping.set()
            threads = list(self._threads)
        self._wake.set()
        for thread in threads:
            if thread.name.startswith("delivery-sender"):
                self._ready.put(None)
            elif thread.name.startswith("delivery-slow-sender"):
                self._ready_slow.put(None)
        self._http.cut_all()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._results.put(_STOP)
        assert self._recorder is not None
        self._recorder.join(max(0.5, deadline - time.monotonic()))
        alive = [t.name for t in [*threads, self._recorder] if t.is_alive()]
        if alive:
            self.app.logger.warning("Delivery threads still busy after %.1f s: %s", timeout, ", ".join(alive))
        else:
            self._dbs.close_all()
        if self._once_session is not None:
            self._once_session.close()
            self._once_session = None
        self._http.close()
        self.running = False

    # ---- the dispatcher ---------------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        db = self._dbs.get()
        next_prune = time.monotonic()
        while not self._stopping.is_set():
            self._wake.clear()
            wait = POLL_SECONDS
            try:
                self._replace_stuck()
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_SECONDS
                    self.prune_log(db)
                claimed = self._claim(db)
                if claimed >= CLAIM_BATCH:
                    continue
                due = store.next_due(db)
                now = time.time()
                if due is not None and (claimed or due > now):
                    wait = min(POLL_SECONDS, max(0.0, due - now))
            except Exception:
                self.app.logger.exception("The delivery dispatcher failed; trying again shortly")
            if wait > 0:
                self._wake.wait(wait)

    def _replace_stuck(self) -> None:
        """Replace each fast sender whose attempt has run SLOW_SECONDS or more by a new one; the stuck
        one is counted among the slow senders from now on (none is replaced when they are all taken)."""
        if self.slow_threads <= 0:
            return
        slow_after = float(self.app.config["SLOW_SECONDS"])
        now = time.monotonic()
        started = []
        with self._lock:
            for me in list(self._fast):
                began = me.began
                if began is None or now - began < slow_after:
                    continue
                if self._stopping.is_set() or self._slow_senders >= self.slow_threads:
                    break
                me.replaced = True
                self._fast.remove(me)
                self._slow_senders += 1
                me.thread.name = f"delivery-slow-sender-{next(self._names)}"   # stop() wakes it there
                started.append(self._fast_sender())
        for thread in started:
            thread.start()

    def _claim(self, db) -> int:
        with self._lock:
            full = []
            for lane in self._lanes.values():
                if len(lane.heap) + lane.in_flight >= LANE_BACKLOG:
                    lane.full = True
                    full.append(lane.webhook_id)
        jobs = store.claim_due(db, time.time(), CLAIM_BATCH, full)
        if jobs:
            self._enqueue(jobs)
        return len(jobs)

    def _enqueue(self, jobs: list[dict]) -> None:
        limit = self.max_per_webhook
        with self._lock:
            for job in jobs:
                if job["id"] in self._withdrawn:
                    self._results.put(("release", job))   # cancelled between its claim and now
                    continue
                lane = self._lanes.get(job["webhook_id"])
                if lane is None:
                    lane = self._lanes[job["webhook_id"]] = _Lane(job["webhook_id"])
                heapq.heappush(lane.heap, (job["seq"], job))
                if not lane.scheduled and lane.in_flight < limit:
                    lane.scheduled = True
                    self._queue_for(lane).put(lane)

    def withdraw(self, delivery_id: str, webhook_id: str) -> bool:
        """Make sure a claimed delivery that was just cancelled starts no attempt.

        Returns True when it was queued in its lane and is removed (the caller unclaims it), False
        when it is being sent or on its way to a lane: it is then dropped when a lane or a sender
        gets it, or, if in flight, recorded once its attempt ends; the engine unclaims it either way.
        """
        with self._lock:
            lane = self._lanes.get(webhook_id)
            if lane is not None:
                for index, (_seq, job) in enumerate(lane.heap):
                    if job["id"] == delivery_id:
                        del lane.heap[index]
                        heapq.heapify(lane.heap)
                        return True
            self._withdrawn.add(delivery_id)
            return False

    def take_back(self, webhook_id: str) -> list[str]:
        """Take every delivery queued in a webhook's lane out of it (a hold starts); return their ids.

        The caller owns them from now on: it must store them held or unclaim them (cancelled ones
        too). A delivery being sent, or claimed and on its way to the lane, is not taken back: it
        goes out.
        """
        with self._lock:
            lane = self._lanes.get(webhook_id)
            if lane is None or not lane.heap:
                return []
            ids = [job["id"] for _seq, job in sorted(lane.heap, key=lambda item: item[0])]
            lane.heap.clear()
            self._withdrawn.difference_update(ids)
            return ids

    def prune_log(self, db=None, max_batches: int = PRUNE_MAX_BATCHES) -> int:
        """Delete the live log's oldest rows beyond LOG_MAX_ROWS, a batch per transaction; return how
        many went. The dispatcher calls it every PRUNE_SECONDS; tests and scripts may call it."""
        db = db or self._dbs.get()
        keep = int(self.app.config["LOG_MAX_ROWS"])
        deleted = 0
        for _ in range(max_batches):
            gone = log.prune(db, keep, PRUNE_BATCH)
            if not gone:
                break
            deleted += gone
        return deleted

    # ---- the senders ------------------------------------------------------------------------

    def _send_loop(self, ready: queue.SimpleQueue, me: _Sender | None = None) -> None:
        """Serve the lanes put in ``ready`` (the fast pool's queue or the slow pool's); ``me`` is a fast
        sender's registration, through which the dispatcher replaces it when an attempt hangs."""
        db = self._dbs.get()
        session = sender.new_session(self._http)
        slow_pool = ready is self._ready_slow
        slow_after = float(self.app.config["SLOW_SECONDS"])
        lane, streak = None, 0
        try:
            while True:
                if lane is None:
                    if slow_pool:
                        with self._lock:
                            self._slow_idle += 1
                    lane, streak = ready.get(), 0
                    if slow_pool:
                        with self._lock:
                            self._slow_idle -= 1
                    if lane is None:
                        return
                    if self._moved(lane, ready):
                        lane = None
                        continue
                job = self._take(lane)
                if job is None:
                    lane = None
                    continue
                began = time.monotonic()
                if me is not None:
                    me.began = began
                try:
                    result = self._attempt(session, self._hook(db, lane), job)
                except Exception:
                    self.app.logger.exception("Delivery %s failed unexpectedly; it stays queued", job["id"])
                    result = ("release", job)
                slow = time.monotonic() - began >= slow_after
                if result is not None:
                    self._results.put(result)
                streak += 1
                # A slow sender lets the other slow lanes go first after every attempt: each waits
                # its turn of at most one timeout per slow lane ahead of it.
                lane = self._done(lane, keep=not slow_pool and streak < LANE_STREAK, ready=ready, slow=slow,
                                  me=me)
                if me is not None and me.replaced:     # final once _done has ended the attempt
                    ready, slow_pool, me = self._ready_slow, True, None
        finally:
            if lane is not None:
                self._done_abandoned(lane)
            session.close()

    # ---- the two pools ----------------------------------------------------------------------

    def _queue_for(self, lane: _Lane) -> queue.SimpleQueue:
        """Return the queue ``lane`` belongs in now: the slow pool's for a webhook known to be slow
        (or of unknown speed when the fast pool's places for those are taken), else the fast pool's.
        Call with the lock held, just before putting the lane in it."""
        if self.slow_threads <= 0:
            return self._ready
        slow = self._slow.get(lane.webhook_id)
        if slow is None:
            if lane.probe:
                return self._ready
            if self._probing < max(1, int(self.app.config["WORKER_THREADS"]) // 4):
                lane.probe = True
                self._probing += 1
                return self._ready
            slow = True
        elif lane.probe:
            self._unprobe(lane)
        if not slow:
            return self._ready
        if (not self._slow_idle and self._slow_senders < self.slow_threads
                and not self._stopping.is_set()):
            self._slow_senders += 1
            self._slow_idle += 1          # counted idle until it takes its first lane
            thread = threading.Thread(target=self._slow_sender, daemon=True,
                                      name=f"delivery-slow-sender-{next(self._names)}")
            self._threads.append(thread)
            thread.start()
        return self._ready_slow

    def _slow_sender(self) -> None:
        with self._lock:
            self._slow_idle -= 1          # _send_loop counts itself idle while it waits
        self._send_loop(self._ready_slow)

    def _unprobe(self, lane: _Lane) -> None:
        if lane.probe:
            lane.probe = False
            self._probing -= 1

    def _moved(self, lane: _Lane, ready: queue.SimpleQueue) -> bool:
        """Put ``lane`` in the other pool's queue if it now belongs there (its webhook's speed
        changed while it waited); return True when it did."""
        with self._lock:
            wanted = self._queue_for(lane)
            if wanted is ready:
                return False
            wanted.put(lane)
            return True

    def _note_speed(self, lane: _Lane, slow: bool) -> None:
        """Remember how fast the webhook's receiver answered (lock held)."""
        self._unprobe(lane)
        if self._slow.get(lane.webhook_id) is not slow:
            self._slow.pop(lane.webhook_id, None)
            if len(self._slow) >= SPEED_MEMORY:
                del self._slow[next(iter(self._slow))]
            self._slow[lane.webhook_id] = slow

    def _take(self, lane: _Lane) -> dict | None:
        """Pop a lane's oldest job, or None when it has none (or the engine is stopping)."""
        with self._lock:
            while lane.heap and lane.heap[0][1]["id"] in self._withdrawn:
                self._results.put(("release", heapq.heappop(lane.heap)[1]))
            if not lane.heap or self._stopping.is_set():
                lane.scheduled = False
                if not lane.in_flight:
                    self._unprobe(lane)
                return None
            _seq, job = heapq.heappop(lane.heap)
            lane.in_flight += 1
            if lane.heap and lane.in_flight < self.max_per_webhook:
                self._queue_for(lane).put(lane)
            else:
                lane.scheduled = False
            return job

    def _done(self, lane: _Lane, *, keep: bool, ready: queue.SimpleQueue | None = None,
              slow: bool = False, me: _Sender | None = None) -> _Lane | None:
        """Finish a job of ``lane``; return the lane when this thread should go on with it.

        A busy lane stays with its thread for up to LANE_STREAK jobs (no hand-off through the ready
        queue, which would wake another thread for every delivery); then it queues up behind the
        other lanes, so that no webhook starves the rest when there are more lanes than threads. A lane
        whose webhook turned slow (or fast) goes to the other pool's queue instead.
        """
        with self._lock:
            if me is not None:
                me.began = None           # under the lock: the dispatcher replaces it now or never
                keep = keep and not me.replaced
            lane.in_flight -= 1
            self._note_speed(lane, slow)
            if lane.full and len(lane.heap) + lane.in_flight < LANE_BACKLOG // 2:
                lane.full = False
                self._wake.set()
            if lane.heap and not lane.scheduled and not self._stopping.is_set():
                lane.scheduled = True
                wanted = self._queue_for(lane)
                if keep and wanted is (ready or self._ready):
                    return lane
                wanted.put(lane)
            elif not lane.heap and not lane.in_flight and not lane.scheduled:
                if self._lanes.get(lane.webhook_id) is lane:
                    del self._lanes[lane.webhook_id]
            return None

    def _done_abandoned(self, lane: _Lane) -> None:
        with self._lock:
            lane.scheduled = False
            if not lane.in_flight:
                self._unprobe(lane)

    def _hook(self, db, lane: _Lane) -> dict | None:
        now = time.monotonic()
        if now - lane.hook_at > WEBHOOK_TTL:
            lane.hook = store.webhook_for_sending(db, lane.webhook_id)
            lane.hook_at = now
        return lane.hook

    def _attempt(self, session, hook: dict | None, job: dict):
        """Send one job; return what the recorder must do with it (None: nothing)."""
        if hook is None:
            return ("drop", job)          # the webhook was deleted; its deliveries are cancelled
        if not hook["enabled"]:
            return ("release", job)       # disabled: stays pending until enabled again
        number = job["attempts"] + 1
        headers = sender.signed_headers(
            hook["profile"] or self.server_profile,
            secrets=hook["secrets"], event_id=job["event_id"], event_key=job["event_key"],
            delivery_id=job["id"], attempt=number, body=job["body"],
            timestamp_=int(time.time()) - job["stale_seconds"],
        )
        outcome = sender.attempt(session, url=hook["url"], body=job["body"], headers=headers,
                                 timeout=self.timeout)
        if outcome["response_status"] is None and self._stopping.is_set():
            return None                   # cut short by stop: still claimed, sent again at next start
        if outcome["gone"] and self.app.config.get("DISABLE_ON_GONE"):
            hook["enabled"] = False       # send nothing more to it, even before the recorder runs
        return ("attempt", job, hook, outcome)

    # ---- the recorder -----------------------------------------------------------------------

    def _record_loop(self) -> None:
        db = self._dbs.get()
        while True:
            batch = [self._results.get()]
            # Gather for a few ms: one commit then carries many attempts, which costs far less per
            # attempt (each commit rewrites the same table and index pages) and leaves the GIL to
            # the senders. The deliveries are already sent; only their recorded state waits. A lone
            # result (a quiet moment) is written after RECORD_IDLE, so live viewers see it at once.
            deadline = time.monotonic() + RECORD_WAIT
            while len(batch) < RECORD_BATCH and batch[-1] is not _STOP:
                left = min(deadline - time.monotonic(), RECORD_IDLE)
                try:
                    batch.append(self._results.get(timeout=left) if left > 0 else self._results.get_nowait())
                except queue.Empty:
                    break
            items = [item for item in batch if item is not _STOP]
            if items:
                self._record(db, items)
            if len(items) < len(batch):
                return

    def _record(self, db, items: list[tuple]) -> None:
        """Write a batch of results in one transaction, then publish their log messages."""
        attempts = [item[1:] for item in items if item[0] == "attempt"]
        released = [item[1]["id"] for item in items if item[0] == "release"]
        if self._withdrawn:
            with self._lock:
                self._withdrawn.difference_update(item[1]["id"] for item in items)
        server_schedule = self.server_schedule()
        now = time.time()
        honour = bool(self.app.config.get("HONOUR_RETRY_AFTER"))
        disable = bool(self.app.config.get("DISABLE_ON_GONE"))
        plans = [outcomes.plan(job, hook, outcome, server_schedule, now, honour)
                 for job, hook, outcome in attempts]
        messages: list[dict] = []
        try:
            with immediate(db):
                if released:
                    store.release_claims(db, released)
                stored = store.record_attempts(db, [
                    (plan, {**outcome, "attempt": job["attempts"] + 1, "trigger": job["trigger"]})
                    for (job, _hook, outcome), plan in zip(attempts, plans, strict=True)
                ])
                for (job, hook, outcome), plan, status in zip(attempts, plans, stored, strict=True):
                    messages += outcomes.messages(db, job, hook, outcome, plan, status, disable)
                log.append(db, messages)
        except Exception:
            self.app.logger.exception(
                "Recording %d delivery results failed; those deliveries are sent again after a restart",
                len(items),
            )
            return
        get_hub(self.app).publish(messages)
        if any(plan["status"] == "retrying" for plan in plans):
            self._wake.set()

    # ---- synchronous use (tests, scripts) ---------------------------------------------------

    def run_once(self) -> int:
        """Claim every delivery due now, send each in this thread and record it; return the attempts made.

        For tests and scripts; do not call it while the engine's threads are running.
        """
        db = self._dbs.get()
        if self._once_session is None:
            self._once_session = sender.new_session(self._http)
        jobs = store.claim_due(db, time.time(), 1_000_000)
        lanes: dict[str, _Lane] = {}
        results = []
        for job in jobs:
            lane = lanes.setdefault(job["webhook_id"], _Lane(job["webhook_id"]))
            if lane.hook is None:
                lane.hook = store.webhook_for_sending(db, lane.webhook_id)
            result = self._attempt(self._once_session, lane.hook, job)
            if result is not None:
                results.append(result)
        for start in range(0, len(results), RECORD_BATCH):
            self._record(db, results[start:start + RECORD_BATCH])
        return sum(1 for result in results if result[0] == "attempt")
