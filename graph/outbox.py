"""The transactional outbox: what a store write sends on, committed with the write.

A store that is asked to write an `OutboxRecord` with an entry writes both in one transaction
or neither (DESIGN "Instances and sync", point 1), and numbers the record with the next value
of one monotonic sequence. Relays read the outbox in sequence order (`outbox_after`) and keep
their own position (`outbox_position` / `set_outbox_position`), so a relay that dies between
publishing and moving its position publishes again from where it stood: nothing is lost, and
a duplicate is harmless at the target (newer wins).

The payload is opaque here — `graph` imports neither `sync` nor `federation` — and is, in
practice, an encoded `sync.events.ChangeEvent`.

    record = OutboxRecord(entry.code, encode(event_for(entry)))
    await store.save(entry, expected_version=None, outbox=record)
    for position, record in await store.outbox_after(0, limit=500): ...
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from graph.model import Resource

__all__ = [
    "REFRESH",
    "UNWATCHED_IDLE_SECONDS",
    "WATCHED_IDLE_SECONDS",
    "OutboxHook",
    "OutboxRecord",
    "OutboxSignal",
    "records_for",
]

# The longest a waiter on an `OutboxSignal` waits before it looks again without being told:
# where other processes' writes notify too, only a safety net; where they do not, the delay
# before such a write is seen.
WATCHED_IDLE_SECONDS = 60.0
UNWATCHED_IDLE_SECONDS = 5.0


# The payload of a refresh record: "send the entry `key` again as it is held now". A store
# writes one for each published entry that refers to an entry whose clearance just changed
# (see `graph.versions.clearance_changed`), in the transaction of that change, so that every
# link re-sends the referrer with its references decided anew — a reference to an entry no
# longer cleared for a link is stripped from the copy the link's target holds (DESIGN
# "Instances and sync", point 4). Not JSON, so it is never mistaken for an event.
REFRESH = b"mulu:refresh"


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One record of the outbox: `key` (a resource code) and an opaque `payload`.

    `urgent` records take something away from the targets — a redaction, an entry that stopped
    being shared, a referrer to strip — and relays send them ahead of the backlog (the store
    sets it; see `graph.versions`)."""

    key: str
    payload: bytes
    # The store's annotation, not part of what the record says: equal records, equal key and
    # payload.
    urgent: bool = field(default=False, compare=False)

    @classmethod
    def refresh(cls, code: str) -> OutboxRecord:
        """The (urgent) record asking every relay to send `code` again as now held."""
        return cls(code, REFRESH, urgent=True)

    @property
    def is_refresh(self) -> bool:
        return self.payload == REFRESH

    def __post_init__(self) -> None:
        payload: object = self.payload
        if isinstance(payload, str):  # accepted for convenience, kept as UTF-8 bytes
            payload = payload.encode("utf-8")
        if not isinstance(payload, bytes | bytearray | memoryview):
            raise TypeError(f"an outbox payload is bytes, not {type(payload).__name__}")
        object.__setattr__(self, "payload", bytes(payload))


# What `graph.Cataloguing` calls with every entry it is about to save: the record to commit
# with it (the runtime makes it the entry's change event), or None for none.
OutboxHook = Callable[[Resource], OutboxRecord | None]


def records_for(
    count: int, outbox: Sequence[OutboxRecord | None] | None
) -> Sequence[OutboxRecord | None]:
    """One outbox record (or None) for each of `count` entries of an `apply`."""
    if outbox is None:
        return [None] * count
    if len(outbox) != count:
        raise ValueError(
            f"{len(outbox)} outbox records for {count} entries; give one (or None) for each"
        )
    return outbox


class OutboxSignal:
    """Word that a store may hold more — in its outbox, its audit log: every write transaction
    of the store `notify`s once it has committed. A relay takes `waiter()` *before* it reads
    the outbox and, finding nothing, waits on it — so a write committed between its read and
    its wait still wakes it — for at most `idle_limit` seconds. Idle, a relay waits instead of
    polling; writing, it is woken at once.

    Writes of other processes (another `mulu` on the same file or the same Neo4j) notify only
    where the store watches for them: the embedded store does (`graph.embedded.changes`), and
    its `idle_limit` is a minute, a safety net; a Neo4j store cannot, and a waiter looks again
    every `UNWATCHED_IDLE_SECONDS` at most.

        waiter = store.outbox_signal.waiter()
        if not await relay.run_once():
            await asyncio.wait_for(waiter.wait(), store.outbox_signal.idle_limit)
    """

    def __init__(self, *, sees_other_processes: bool = False) -> None:
        self._event = asyncio.Event()
        self.sees_other_processes = sees_other_processes
        self.idle_limit = WATCHED_IDLE_SECONDS if sees_other_processes else UNWATCHED_IDLE_SECONDS

    def waiter(self) -> asyncio.Event:
        """The event the next `notify` sets."""
        return self._event

    def notify(self) -> None:
        """Wake everyone waiting, and start a new generation for the next."""
        self._event.set()
        self._event = asyncio.Event()
