"""`ChangeLog`: the one protocol a link's log implements — Kafka in production
(`sync.log.kafka.KafkaLog`), SQLite in single-host mode (`sync.log.embedded.EmbeddedLog`).

A topic is one link's log: one partition, so one sequence of offsets; records are keyed by
resource code and the topic is compacted, so reading it from the start yields the current
state of every entry (DESIGN "Instances and sync", point 7). Readers belong to a consumer
group, start from the group's committed offset (from the start when there is none), and
commit only after what they read was applied (point 3). Offsets are Kafka's: a committed
offset is the next one to read.

    async with EmbeddedLog.open(path) as log:
        await log.create_topic(link.topic)
        await log.append(link.topic, [(event.resource_code, encode(event))])
        async with log.reader(link.topic, group="510100-extranet") as reader:
            records = await reader.getmany(max_records=500, timeout_ms=1000)
            report = await apply_events(store, [r.value for r in records], link)
            await reader.commit()
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ChangeLog", "LogReader", "Record"]


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a topic: its offset, key (a resource code) and value (an encoded event)."""

    topic: str
    offset: int
    key: str
    value: bytes


class LogReader(Protocol):
    """A consumer of one topic in one consumer group."""

    @property
    def topic(self) -> str: ...

    @property
    def group(self) -> str: ...

    @property
    def stalls(self) -> bool:
        """Whether a wait in `getmany` can miss records the topic already holds (a Kafka
        client on a connection that a restarted broker dropped): then an idle consumer asks
        its lag now and then to find out. An embedded reader is always woken; it never
        stalls."""

    async def getmany(self, max_records: int = 500, timeout_ms: int = 1000) -> list[Record]:
        """The next records after the reader's position, at most `max_records`; waits up to
        `timeout_ms` for one to arrive, then returns what there is (maybe nothing)."""

    async def commit(self, offset: int | None = None) -> None:
        """Commit the group's position: `offset` (the next offset to read) or, by default, the
        position after the last record `getmany` returned."""

    async def committed(self) -> int | None:
        """The group's committed offset, None when it never committed."""

    async def seek_to_beginning(self) -> None:
        """Read again from the first record the topic still holds (bootstrap)."""

    async def lag(self) -> int:
        """How many offsets lie between the group's committed position and the topic's end."""


class ChangeLog(Protocol):
    """The logs of the links: open with ``async with``; closing twice is harmless."""

    async def create_topic(self, topic: str) -> None:
        """Create `topic`, compacted by key; an existing topic is left as it is."""

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        """Append (key, value) records in order; return their offsets once the log has them
        durably (Kafka: acks=all, idempotent producer)."""

    async def end_offset(self, topic: str) -> int:
        """The offset the next record appended to `topic` will get."""

    def reader(self, topic: str, group: str) -> AbstractAsyncContextManager[LogReader]:
        """A reader of `topic` for consumer group `group`, positioned at its committed offset."""
