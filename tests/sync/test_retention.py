"""What a running consumer keeps between batches: nothing of a batch it has written.

Defect class: a batch — thousands of records and decoded events — kept alive by a loop's
locals (or an exception's traceback) while the consumer waits, a minute long on an idle link;
the collector promotes it to the old generations, whose growth sets off full collections.
Objects are found with `gc.get_objects` (slotted instances are always tracked), so nothing is
spied on but one injected fault.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailable
from graph.store import CatalogStore
from sync.apply import PreparedBatch
from sync.consumer import LinkConsumer
from sync.events import ChangeEvent, encode, event_for
from sync.guard import Forward, guard_source
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.log.protocol import Record
from sync.worker import Backoff, SyncWorker
from tests.sync import samples
from tests.sync.conftest import MakeLink
from tests.sync.mesh import CATALOGS

CI, PI = "510100/intranet", "510000/intranet"


async def until(check: Callable[[], bool], seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        while not check():  # noqa: ASYNC110 - a status to watch, not an event to wait on
            await asyncio.sleep(0.05)


def entries(count: int) -> list[Any]:
    return [
        samples.entry(f"301001001/{n:06d}", related_codes=(), derived_from=())
        for n in range(1, count + 1)
    ]


def relayed(event: ChangeEvent, link: Link) -> ChangeEvent:
    """`event` as the source's relay sends it over `link`: through its guard."""
    verdict = guard_source(event, link, cleared=set(), held=lambda _: False)
    assert isinstance(verdict, Forward)
    return verdict.event


def alive(topic: str) -> tuple[int, int]:
    """Records of `topic` and prepared batches of its link that are still alive."""
    records = prepared = 0
    for obj in gc.get_objects():
        if isinstance(obj, Record) and obj.topic == topic:
            records += 1
        elif isinstance(obj, PreparedBatch) and obj.link.topic == topic:
            prepared += 1
    return records, prepared


async def test_a_consumer_waiting_for_its_next_batch_holds_none_it_wrote(
    tmp_path: Path, link: MakeLink
) -> None:
    upward = link(CI, PI)
    written = entries(20)
    async with (
        EmbeddedStore.open(tmp_path / "pi.db", CATALOGS[PI]) as store,
        EmbeddedLog.open(tmp_path / "log.db") as log,
    ):
        for topic in (upward.topic, upward.urgent_topic, upward.dead_letter_topic):
            await log.create_topic(topic)
        sent = [relayed(event_for(e), upward) for e in written]
        await log.append(upward.topic, [(e.resource_code, encode(e)) for e in sent])
        consumer = LinkConsumer(store, log, upward, batch_size=8, timeout_ms=100, writers=2)
        task = asyncio.create_task(consumer.run())
        try:
            await until(lambda: consumer.status.applied == len(written))
            # Its writes done, it reads once more (100 ms), then waits idle for a minute.
            await asyncio.sleep(0.5)
            assert not task.done()
            assert alive(upward.topic) == (0, 0)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


class Unwritable:
    """The real store, with one fault injected: no `apply` answers."""

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        self.tried = 0

    async def apply(self, *args: Any, **kwargs: Any) -> Any:
        self.tried += 1
        raise StoreUnavailable("the store did not answer")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def test_a_link_pausing_after_a_failed_write_holds_nothing_of_the_batch(
    tmp_path: Path, link: MakeLink
) -> None:
    upward = link(CI, PI)
    async with (
        EmbeddedStore.open(tmp_path / "pi.db", CATALOGS[PI]) as opened,
        EmbeddedLog.open(tmp_path / "log.db") as log,
    ):
        for topic in (upward.topic, upward.urgent_topic, upward.dead_letter_topic):
            await log.create_topic(topic)
        sent = [relayed(event_for(e), upward) for e in entries(5)]
        await log.append(upward.topic, [(e.resource_code, encode(e)) for e in sent])
        store = Unwritable(opened)
        worker = SyncWorker(store, log, [upward], backoff=Backoff(30, 30))  # type: ignore[arg-type]
        async with worker:
            await until(lambda: any(s.errors for s in worker.statuses()))
            # The worker waits 30 s before it tries again; the failure's traceback is gone.
            await asyncio.sleep(0.2)
            assert store.tried == 1
            assert alive(upward.topic) == (0, 0)
