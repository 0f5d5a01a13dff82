"""A few instances joined by links, driven step by step: the relays and consumers of the real
sync, run until nothing moves (`settle`), so tests are deterministic without sleeping.

    async with Mesh(log, {CITY: city, PROVINCE: province}, [Link.between(CITY, PROVINCE)]) as m:
        await m.settle()
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Any

from graph import Catalog, CatalogStore, Zone
from graph.codes import NATION
from sync.consumer import LinkConsumer
from sync.links import Link
from sync.log.protocol import ChangeLog, LogReader, Record
from sync.relay import Relay
from sync.security import SecurityEvent

CATALOGS = {
    "510100/intranet": Catalog("510100", Zone.INTRANET, "成都市（内网）", "510000/intranet"),
    "510100/extranet": Catalog("510100", Zone.EXTRANET, "成都市（外网）", "510000/extranet"),
    "510000/intranet": Catalog("510000", Zone.INTRANET, "四川省（内网）", "national/intranet"),
    "510000/extranet": Catalog("510000", Zone.EXTRANET, "四川省（外网）", "national/extranet"),
    "national/intranet": Catalog(NATION, Zone.INTRANET, "国家（内网）"),
    "national/extranet": Catalog(NATION, Zone.EXTRANET, "国家（外网）"),
}


class Mesh:
    """The relays and consumers of `links` between `stores`, all over one `log`; the consumers
    at the `unforwarded` instances apply without outbox records, as a worker with no link of
    its instance's own to send on does (sync.worker)."""

    def __init__(
        self,
        log: ChangeLog,
        stores: Mapping[str, CatalogStore],
        links: Sequence[Link],
        *,
        batch_size: int = 200,
        timeout_ms: int = 20,
        unforwarded: Collection[str] = (),
    ) -> None:
        self.log = log
        self.links = list(links)
        self.security_events: list[SecurityEvent] = []
        record = self.security_events.append
        self.relays = [
            Relay(stores[link.source], log, link, batch_size=batch_size, on_security_event=record)
            for link in links
            if link.source in stores
        ]
        self.consumers = [
            LinkConsumer(
                stores[link.target],
                log,
                link,
                batch_size=batch_size,
                timeout_ms=timeout_ms,
                on_security_event=record,
                urgent=urgent,
                forward=link.target not in unforwarded,
            )
            for link in links
            if link.target in stores
            for urgent in (False, True)
        ]
        self._readers: list[LogReader] = []
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Mesh:
        for link in self.links:
            for topic in link.topics:
                await self.log.create_topic(topic)
        await self.open_readers()
        return self

    async def open_readers(self) -> None:
        self._readers = [
            await self._stack.enter_async_context(consumer.reading()) for consumer in self.consumers
        ]

    async def close_readers(self) -> None:
        await self._stack.aclose()
        self._stack = AsyncExitStack()
        self._readers = []

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close_readers()

    async def relay(self) -> int:
        """Run every relay until its outbox is empty; how many records they read."""
        read = 0
        for relay in self.relays:
            while done := await relay.run_once():
                read += done.read
        return read

    async def consume(self) -> int:
        """Run every consumer until its link's topic is read to the end; batches applied."""
        batches = 0
        for consumer, reader in zip(self.consumers, self._readers, strict=True):
            end = await self.log.end_offset(consumer.topic)
            while (consumer.status.position or (await reader.committed()) or 0) < end:
                if await consumer.consume_once(reader) is not None:
                    batches += 1
        return batches

    async def settle(self, rounds: int = 10) -> None:
        """Relay and consume until nothing moves."""
        for _ in range(rounds):
            if not (await self.relay()) + (await self.consume()):
                return
        raise AssertionError(f"the links did not settle in {rounds} rounds")

    async def records(self, topic: str) -> list[Record]:
        """Every record of `topic`, read by a throwaway group."""
        out: list[Record] = []
        end = await self.log.end_offset(topic)
        async with self.log.reader(topic, f"inspect-{id(out)}") as reader:
            await reader.seek_to_beginning()
            while not out or out[-1].offset < end - 1:
                batch = await reader.getmany(max_records=1000, timeout_ms=200)
                if not batch and end == 0:
                    break
                out += batch
        return out

    def status(self) -> list[dict[str, Any]]:
        return [r.status.as_dict() for r in self.relays] + [
            c.status.as_dict() for c in self.consumers
        ]
