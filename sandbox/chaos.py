"""Chaos for replays: what real webhook senders do to receivers, reproducible from one seed.

``plan`` turns a number of events and the chaos options into the sends to make, in order: with
``shuffle`` the events go out of order, with ``duplicates`` a fraction of them is sent a second time
with the same event id (``Wink-Event-Id``; later, as a sender's retry would be), with ``jitter_ms``
each send waits a random extra delay, and with ``stale`` every send carries a timestamp older than a
receiver should accept. The same seed gives the same plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

STALE_SECONDS = 600  # 10 minutes: twice the 5-minute tolerance Wink tells receivers to apply
LABELS = ("duplicate", "stale", "shuffle", "jitter")  # precedence of the one label an event shows


@dataclass(frozen=True)
class Chaos:
    """The chaos options of a run."""

    duplicates: float = 0.0
    shuffle: bool = False
    jitter_ms: int = 0
    stale: bool = False
    stale_seconds: int = STALE_SECONDS

    def __post_init__(self):
        if not 0.0 <= self.duplicates <= 1.0:
            raise ValueError("duplicates must be a fraction from 0 to 1")
        if self.jitter_ms < 0:
            raise ValueError("jitter must be 0 ms or more")

    @property
    def active(self) -> bool:
        return bool(self.duplicates or self.shuffle or self.jitter_ms or self.stale)

    def as_dict(self) -> dict:
        return {"duplicates": self.duplicates, "shuffle": self.shuffle, "jitterMs": self.jitter_ms,
                "stale": self.stale, "staleSeconds": self.stale_seconds if self.stale else 0}


@dataclass
class Send:
    """One send of a run: which event (index into the built events), and what chaos it carries."""

    item: int
    duplicate: bool = False
    jitter_ms: int = 0
    labels: list[str] = field(default_factory=list)

    @property
    def label(self) -> str | None:
        """The one label the live log shows for this event (None when it is not chaos)."""
        return next((name for name in LABELS if name in self.labels), None)


def plan(count: int, chaos: Chaos, seed: int) -> list[Send]:
    """Return the sends for ``count`` events under ``chaos``, the same for the same seed."""
    rng = random.Random(f"chaos:{seed}")
    order = list(range(count))
    if chaos.shuffle and count > 1:
        while order == sorted(order):
            rng.shuffle(order)
    sends = [Send(item) for item in order]
    for position, send in enumerate(sends):
        if chaos.shuffle and send.item != position:
            send.labels.append("shuffle")
    if chaos.duplicates:
        # Decide per event in event order (so the choice does not depend on the shuffle), then put
        # each copy somewhere after its original, as a retry arrives after the first attempt.
        chosen = [item for item in range(count) if rng.random() < chaos.duplicates]
        for item in chosen:
            original = next(i for i, s in enumerate(sends) if s.item == item and not s.duplicate)
            sends[original].labels.append("duplicate")
            where = rng.randint(original + 1, len(sends))
            sends.insert(where, Send(item, duplicate=True, labels=["duplicate"]))
    for send in sends:
        if chaos.stale:
            send.labels.append("stale")
        if chaos.jitter_ms:
            send.jitter_ms = rng.randint(0, chaos.jitter_ms)
            send.labels.append("jitter")
    return sends


def event_label(sends: list[Send], item: int) -> str | None:
    """The label of an event as fired (its first send), for the live log."""
    return next((s.label for s in sends if s.item == item and not s.duplicate), None)
