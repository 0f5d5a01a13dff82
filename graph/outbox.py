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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graph.model import Resource

__all__ = ["OutboxHook", "OutboxRecord", "records_for"]


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One record of the outbox: `key` (a resource code) and an opaque `payload`."""

    key: str
    payload: bytes

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
