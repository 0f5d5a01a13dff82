"""Nothing stalls a link (issue: nothing classified out, nothing stalled): bounded lookups, a
record that cannot be sent moved aside, the urgent lane ahead of a flood, and a failing link
shown as failing with the age of what waits. DESIGN "Instances and sync", point 4."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from federation.app import create_app
from federation.instance import open_instance
from federation.settings import Settings
from graph import CatalogStore, Classification
from graph.errors import StoreUnavailable
from sync.errors import LogUnavailable
from sync.events import outbox_record
from sync.guard import Refusal
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.log.protocol import ChangeLog
from sync.relay import MAX_REFERENCES_PER_BATCH, POISON_AFTER, Relay
from sync.worker import Backoff, SyncWorker
from tests.sync.mesh import Mesh
from tests.sync.test_end_to_end import ALL, CE, CI, PI, code, embedded, published, write

PE = "510000/extranet"


def referring(n: int, first: int, count: int, **changes: Any) -> Any:
    """Entry `n`, naming `count` codes from `first` on (held nowhere: a flood's references)."""
    return published(n, related_codes=tuple(code(first + i) for i in range(count)), **changes)


async def test_a_batch_naming_many_codes_is_relayed_in_bounded_lookups(tmp_path: Path) -> None:
    # 80 entries × 500 references: the relay cuts the batch at MAX_REFERENCES_PER_BATCH and
    # looks the codes up in chunks (the store contract: tests/graph/test_contract_bounds.py).
    link = Link.between(CI, CE)
    async with (
        embedded(tmp_path, CI, CE) as stores,
        EmbeddedLog.open(tmp_path / "log.db") as log,
        Mesh(log, stores, [link]) as mesh,
    ):
        entries = [referring(n, 100_000 + 500 * n, 500) for n in range(1, 81)]
        await stores[CI].apply(entries, outbox=[outbox_record(e) for e in entries])
        looked_up: list[int] = []
        get_many = stores[CI].get_many

        async def spy(codes: Sequence[str]) -> Any:
            looked_up.append(len(codes))
            return await get_many(codes)

        stores[CI].get_many = spy  # type: ignore[method-assign]
        await mesh.settle()
        assert (await stores[CE].find(ALL)).total_count == 80
        assert max(looked_up) <= MAX_REFERENCES_PER_BATCH
        copy = await stores[CE].get(code(1))
        assert copy is not None
        assert copy.related_codes == ()  # none of them is cleared


class PoisonedLog:
    """The real log, with one fault injected: appending the event of `poison` fails, the way a
    record the broker refuses (too large, say) would, while everything else goes through."""

    def __init__(self, log: ChangeLog, poison: str) -> None:
        self._log = log
        self._poison = poison.encode()
        self.attempts = 0
        self.healed = False

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        poisoned = any(self._poison in value for _, value in records)
        if poisoned and not self.healed and not topic.endswith(".dlq"):
            self.attempts += 1
            raise ValueError("the broker refuses this record")
        return await self._log.append(topic, records)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


async def test_a_record_that_fails_alone_is_moved_aside_and_the_link_goes_on(
    tmp_path: Path,
) -> None:
    link = Link.between(CI, CE)
    async with (
        embedded(tmp_path, CI, CE) as stores,
        EmbeddedLog.open(tmp_path / "log.db") as log,
        Mesh(log, stores, [link]) as mesh,
    ):
        for n in range(1, 6):
            await write(stores[CI], published(n))
        poisoned = PoisonedLog(log, code(3))
        seen: list[Any] = []
        relay = Relay(stores[CI], poisoned, link, on_security_event=seen.append)  # type: ignore[arg-type]
        done = await relay.run_once()
        assert done.read == 5
        assert relay.status.moved_aside == 1
        assert poisoned.attempts == 1 + POISON_AFTER  # the batch, then the record alone
        assert [(e.resource_code, e.refusal) for e in seen] == [(code(3), Refusal.UNPROCESSABLE)]
        (dead,) = await mesh.records(link.dead_letter_topic)
        letter = json.loads(dead.value)
        assert (letter["refusal"], letter["payload"]) == ("UNPROCESSABLE", None)
        await mesh.consume()
        held = {e.code for e in (await stores[CE].find(ALL)).items}
        assert held == {code(n) for n in (1, 2, 4, 5)}
        # Once the cause is gone, the next version goes through: nothing is lost for good.
        poisoned.healed = True
        await write(stores[CI], published(3, version=2))
        await relay.run_once()
        await mesh.consume()
        assert (await stores[CE].get(code(3))) is not None


async def until(check: Callable[[], Any], seconds: float, step: float = 0.02) -> float:
    """Wait until `check()` is true; the seconds it took. Fails after `seconds`."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(step)
    return time.monotonic() - start


FLOOD = 20_000
BOUND_SECONDS = 20.0


async def test_a_reclassification_reaches_every_extranet_within_the_bound_during_a_flood(
    tmp_path: Path,
) -> None:
    # One department floods the links with 20,000 published entries, each naming 20 codes;
    # another's entry is reclassified 涉密 right after. It must leave both extranets while most
    # of the flood is still on its way (and within 20 s however loaded the machine) — before,
    # it waited behind the whole flood, at every hop.
    links = [Link.between(CI, CE), Link.between(CE, PE), Link.between(CI, PI)]
    links.append(Link.between(PI, PE))
    backoff = Backoff(0.01, 0.1)
    async with (
        embedded(tmp_path, CI, CE, PI, PE) as stores,
        EmbeddedLog.open(tmp_path / "log.db") as log,
    ):
        own = {i: [link for link in links if i in (link.source, link.target)] for i in stores}
        workers = [SyncWorker(stores[i], log, own[i], backoff=backoff) for i in stores]
        target = published(1, provider_code="11510100MB00000022")
        await write(stores[CI], target)
        for worker in workers:
            await worker.start()
        try:

            async def everywhere() -> bool:
                return all([await stores[e].get(code(1)) is not None for e in (CE, PE)])

            await until(everywhere, 30)
            flood = [referring(n, 500_000, 20) for n in range(2, FLOOD + 2)]
            for start in range(0, FLOOD, 5000):
                chunk = flood[start : start + 5000]
                await stores[CI].apply(chunk, outbox=[outbox_record(e) for e in chunk])
            await write(
                stores[CI], published(1, version=2, classification=Classification.CLASSIFIED)
            )

            async def gone() -> bool:
                return all([await stores[e].get(code(1)) is None for e in (CE, PE)])

            took = await until(gone, BOUND_SECONDS)
            behind = (await stores[PE].find(ALL)).total_count
            print(f"reclassification crossed two hops in {took:.2f} s; {behind} of {FLOOD} there")
            # Ahead of the flood, not behind it: most of the flood has still to arrive. (The
            # wall-clock bound is loose for a loaded machine — the flood slows with it; on a
            # quiet one it crosses in about a second.)
            assert behind < FLOOD // 2
        finally:
            for worker in workers:
                await worker.stop()


class DownLog:
    """The real log, with one fault injected: the broker does not answer appends."""

    def __init__(self, log: ChangeLog) -> None:
        self._log = log

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        raise LogUnavailable("the broker did not answer")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


def test_a_link_that_cannot_send_shows_as_failing_with_the_age_of_what_waits(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)  # the 成都 intranet instance, embedded
    link = Link.between(CI, CE)

    async def prepare(store: CatalogStore) -> None:
        await write(store, published(1))

    @asynccontextmanager
    async def sync(store: CatalogStore) -> AsyncIterator[SyncWorker]:
        async with EmbeddedLog.open(tmp_path / "log.db") as log:
            worker = SyncWorker(store, DownLog(log), [link], backoff=Backoff(0.01, 0.05))  # type: ignore[arg-type]
            async with worker:
                yield worker

    opened = partial(open_instance, settings, prepare=prepare, sync=sync)
    with TestClient(create_app(settings, opened)) as client:
        deadline = time.monotonic() + 10
        while not (health := client.get("/health").json())["sync"]["failing"]:
            assert time.monotonic() < deadline, health
            time.sleep(0.05)
        time.sleep(0.2)
        health = client.get("/health").json()
        assert health["status"] == "degraded"
        assert health["sync"]["failing"] == [f"{link.id} relay"]
        (relay,) = health["sync"]["links"]
        assert relay["failing"] is True
        assert relay["oldest_unsent_seconds"] >= 0.2
        assert "LogUnavailable" in relay["last_error"] or "broker" in relay["last_error"]
        metrics = client.get("/metrics").text
        assert f'mulu_sync_link_failing{{link="{link.id}",side="relay"}} 1.0' in metrics
        assert f'mulu_sync_oldest_unsent_seconds{{link="{link.id}"}}' in metrics


class FailingOnce:
    """The real store, with one fault injected: the next position write fails, after the log
    has the batch — the relay cannot know whether the store took it."""

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        self.fail = False
        self.position_reads = 0

    async def set_outbox_position(self, *args: Any, **kwargs: Any) -> None:
        if self.fail:
            self.fail = False
            raise StoreUnavailable("the store did not answer")
        await self._store.set_outbox_position(*args, **kwargs)

    async def outbox_position(self, consumer: str) -> int:
        self.position_reads += 1
        return await self._store.outbox_position(consumer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def test_a_relay_reads_its_positions_once_and_again_after_a_failed_write(
    tmp_path: Path,
) -> None:
    link = Link.between(CI, CE)
    async with (
        embedded(tmp_path, CI, CE) as stores,
        EmbeddedLog.open(tmp_path / "log.db") as log,
        Mesh(log, stores, [link]) as mesh,
    ):
        source = FailingOnce(stores[CI])
        relay = Relay(source, log, link)  # type: ignore[arg-type]
        for n in range(1, 4):
            await write(stores[CI], published(n))
            await relay.run_once()
        assert source.position_reads == 2  # each lane's, once, however many batches
        await write(stores[CI], published(4))
        source.fail = True
        with pytest.raises(StoreUnavailable):
            await relay.run_once()
        assert (await relay.run_once()).read == 1  # read again from the store: sent again
        assert source.position_reads == 4
        assert not await relay.run_once()
        await mesh.consume()
        held = {e.code: e.version for e in (await stores[CE].find(ALL)).items}
        assert held == {code(n): 1 for n in range(1, 5)}  # each once, none lost
