"""Pruning: the outbox and the embedded log let go of what every reader has passed, and only
that — a relay that has not sent a record keeps it across a crash and a restart, and the
targets end with every entry once, nothing applied twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.embedded import EmbeddedStore
from sync.errors import LogUnavailable
from sync.events import outbox_record
from sync.log.embedded import EmbeddedLog
from sync.topics import create_topics
from sync.worker import PRUNE_EVERY, Backoff, SyncWorker
from tests.sync import samples
from tests.sync.conftest import MakeLink
from tests.sync.mesh import CATALOGS

CI, CE, PI = "510100/intranet", "510100/extranet", "510000/intranet"
COUNT = PRUNE_EVERY * 2 + 100
FAST = Backoff(initial=0.05, maximum=0.2)


class Closed:
    """The log, with one topic's appends failing (a fault injected into a real run)."""

    def __init__(self, log: EmbeddedLog, topic: str) -> None:
        self.log, self.topic = log, topic

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        if topic == self.topic:
            raise LogUnavailable(f"{topic} is down")
        return await self.log.append(topic, records)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)


async def until(check: Callable[[], Any], seconds: float = 60) -> None:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < seconds, "not in time"
        await asyncio.sleep(0.05)


async def held(store: EmbeddedStore, codes: list[str]) -> bool:
    return len(await store.get_many(codes)) == len(codes)


async def caught_up(worker: SyncWorker, log: EmbeddedLog) -> bool:
    """Every consumer of `worker` has committed to its topic's end."""
    for consumer in worker.consumers:
        end = await log.end_offset(consumer.topic)
        if end and (consumer.status.position or 0) < end:
            return False
    return True


async def outbox(store: EmbeddedStore) -> list[int]:
    return [p for p, _ in await store.outbox_after(0, 100_000)]


async def records(log: EmbeddedLog, topic: str) -> int:
    return int(
        await log._read(
            lambda db: db.execute(
                "SELECT COUNT(*) FROM records WHERE topic = ?", (topic,)
            ).fetchone()[0]
        )
    )


async def test_what_every_relay_passed_goes_and_what_one_has_not_stays_across_a_restart(
    tmp_path: Path, link: MakeLink
) -> None:
    up, mirror = link(CI, PI), link(CI, CE)
    entries = [
        samples.entry(f"301001001/{n:06d}", related_codes=(), derived_from=())
        for n in range(1, COUNT + 1)
    ]
    codes = [e.code for e in entries]
    async with (
        EmbeddedStore.open(tmp_path / "ci.db", CATALOGS[CI]) as city,
        EmbeddedStore.open(tmp_path / "pi.db", CATALOGS[PI]) as province,
        EmbeddedStore.open(tmp_path / "ce.db", CATALOGS[CE]) as extranet,
        EmbeddedLog.open(tmp_path / "log.db", prune_consumed=True) as log,
    ):
        await create_topics(log, [up, mirror])
        for start in range(0, COUNT, 500):
            batch = entries[start : start + 500]
            await city.apply(batch, outbox=[outbox_record(e) for e in batch])
        written = await outbox(city)
        assert len(written) == COUNT

        # The mirror's topic is down: its relay passes nothing, so nothing may go.
        down = Closed(log, mirror.topic)
        source = SyncWorker(city, down, [up, mirror], backoff=FAST)  # type: ignore[arg-type]
        async with source, SyncWorker(province, log, [up], backoff=FAST) as target:
            await until(lambda: held(province, codes))
            await until(lambda: caught_up(target, log))
            await asyncio.sleep(0.5)
            assert await outbox(city) == written  # the mirror's relay still needs every one
            # The upward topic: its one reader committed everything, so it holds nothing.
            await until(lambda: _zero(records(log, up.topic)))
        # …killed (cancelled) and started again, the mirror's topic back.
        async with (
            SyncWorker(city, log, [up, mirror], backoff=FAST) as again,
            SyncWorker(province, log, [up], backoff=FAST) as target_again,
            SyncWorker(extranet, log, [mirror], backoff=FAST) as mirrored,
        ):
            await until(lambda: held(extranet, codes))
            await until(lambda: caught_up(mirrored, log))
            await until(lambda: _below(outbox(city), PRUNE_EVERY))
            assert again.pruned_below is not None
            assert again.pruned_below > written[0]
            assert [c.status.applied for c in target_again.consumers] == [0, 0]  # none again
            assert sum(c.status.applied for c in mirrored.consumers) == COUNT
        assert sum(c.status.applied for c in target.consumers) == COUNT
    # Each entry once at each target, at its version.
    for store_path, catalog in (("pi.db", PI), ("ce.db", CE)):
        async with EmbeddedStore.open(tmp_path / store_path, CATALOGS[catalog]) as store:
            copies = await store.get_many(codes)
            assert sorted(copies) == sorted(codes)
            assert {c.version for c in copies.values()} == {entries[0].version}


async def _zero(count: Any) -> bool:
    return int(await count) == 0


async def _below(positions: Any, most: int) -> bool:
    return len(await positions) < most


async def test_a_topic_no_group_committed_on_keeps_every_record(tmp_path: Path) -> None:
    async with EmbeddedLog.open(tmp_path / "log.db", prune_consumed=True) as log:
        await log.create_topic("read")
        await log.create_topic("unread")
        for topic in ("read", "unread"):
            await log.append(topic, [(str(n), b"v") for n in range(10)])
        async with log.reader("read", "g") as reader:
            assert len(await reader.getmany(timeout_ms=100)) == 10
            await reader.commit()
        assert await records(log, "read") == 0
        assert await records(log, "unread") == 10
        async with log.reader("read", "g") as reader:  # the group resumes where it was
            assert await reader.getmany(timeout_ms=100) == []
            await log.append("read", [("k", b"new")])
            (record,) = await reader.getmany(timeout_ms=1000)
        assert record.offset == 10
