"""The seed: a link added after its source's outbox was pruned first sends the source's current
state — every entry the guard lets cross, its own and the copies it forwards, and nothing
classified nor any reference to what is — then the outbox (sync.relay). Killed midway, it
resumes where it stood; what is written meanwhile arrives at its newest version; an entry
that fails alone is moved aside and the seed goes on; a link added when nothing was pruned
sends no seed, unless its source applied copies without outbox records. Over the embedded
log, and over Kafka with the store a seed walks on Neo4j."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from graph import CatalogStore, Classification, LifecycleState, Resource
from sync.errors import LogUnavailable
from sync.events import ChangeEvent
from sync.guard import Refusal
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.log.protocol import ChangeLog
from sync.relay import SEEDED, refreshed_event
from tests.sync.conftest import MakeLink
from tests.sync.mesh import Mesh
from tests.sync.test_end_to_end import ALL, CE, CI, PI, code, embedded, published, write
from tests.sync.test_property_references import cleared

NI, PE = "national/intranet", "510000/extranet"
U, C = Classification.UNCLASSIFIED, Classification.CLASSIFIED


class FailingAppends:
    """The log, with appends to `topic` failing after the first `after` (a fault injected into
    a real run: the relay dies there, as if killed before the log acknowledged)."""

    def __init__(self, log: ChangeLog, topic: str, after: int) -> None:
        self.log, self.topic, self.left = log, topic, after

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        if topic == self.topic:
            if self.left == 0:
                raise LogUnavailable(f"{topic} is down")
            self.left -= 1
        return await self.log.append(topic, records)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)


async def write_catalog(origin: CatalogStore) -> None:
    """成都's entries: shared ones, one referring to a classified and to a draft entry, one
    updated, a classified one, a draft, one retired after it was published, and one
    published and then withdrawn (its copies redacted)."""
    for n in (1, 2, 4, 5, 6):
        await write(origin, published(n))
    await write(origin, published(3, related_codes=(code(7), code(1)), derived_from=(code(8),)))
    await write(origin, published(6, version=2, name="更新后的名称"))
    await write(origin, published(7, classification=C))
    await write(origin, published(8, state=LifecycleState.DRAFT, published_on=None))
    await write(origin, published(9, state=LifecycleState.RETIRED, published_on=date(2024, 3, 1)))
    await write(origin, published(10))


async def withdraw(origin: CatalogStore, n: int) -> None:
    held = await origin.get(code(n))
    assert held is not None
    await write(origin, published(n, version=held.version + 1, state=LifecycleState.DRAFT))


async def prune_all(store: CatalogStore, links: Sequence[Link]) -> None:
    """What the worker prunes once every relay of `store` has passed its outbox."""
    below = min([await store.outbox_position(link.id) for link in links]) + 1
    await store.prune_outbox(below)
    assert await store.outbox_pruned()


async def entries(store: CatalogStore) -> dict[str, Resource]:
    return {e.code: e for e in (await store.find(ALL, first=100)).items}


async def assert_mirrored(source: CatalogStore, target: CatalogStore) -> None:
    """`target` holds exactly the entries of `source` cleared for an extranet, each at its
    version there, naming exactly the cleared part of what it names."""
    held, copies = await entries(source), await entries(target)
    assert sorted(copies) == sorted(c for c, e in held.items() if cleared(e))
    for copy in copies.values():
        origin = held[copy.code]
        assert copy.classification is U
        assert copy.version == origin.version, copy.code
        for field in ("related_codes", "derived_from"):
            expected = tuple(c for c in getattr(origin, field) if cleared(held.get(c)))
            assert getattr(copy, field) == expected, (copy.code, field)


async def assert_topic_reveals_nothing(mesh: Mesh, topic: str, hidden: Sequence[str]) -> None:
    records = await mesh.records(topic)
    assert records
    for record in records:
        assert record.key not in hidden
        for secret in hidden:
            assert secret.encode() not in record.value, (record.key, secret)


async def test_a_link_added_after_its_source_was_pruned_delivers_what_the_guard_allows(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    up, onward = link(CI, PI), link(PI, NI)
    # Added later: a mirror of 成都's own entries, and one of the copies 四川 forwards.
    own, copies = link(CI, CE), link(PI, PE)
    async with embedded(tmp_path, CI, CE, PI, NI, PE, neo4j=on_neo4j, on_neo4j=PI) as stores:
        async with Mesh(sync_log, stores, [up, onward]) as before:
            await write_catalog(stores[CI])
            await before.settle()
            await withdraw(stores[CI], 10)  # 四川's copy is redacted: a tombstone
            await before.settle()
        assert await stores[PI].get(code(10)) is None
        classified = await stores[PI].get(code(7))
        assert classified is not None
        assert classified.classification is C
        await prune_all(stores[CI], [up])
        await prune_all(stores[PI], [onward])
        assert await stores[CI].outbox_after(0, 10) == []

        async with Mesh(sync_log, stores, [up, onward, own, copies]) as after:
            await after.settle()
            for target, source in ((CE, CI), (PE, PI)):
                await assert_mirrored(stores[source], stores[target])
            assert sorted(await entries(stores[CE])) == [code(n) for n in (1, 2, 3, 4, 5, 6, 9)]
            assert sorted(await entries(stores[PE])) == sorted(await entries(stores[CE]))
            hidden = [code(7), code(8), code(10)]
            await assert_topic_reveals_nothing(after, own.topic, hidden)
            await assert_topic_reveals_nothing(after, copies.topic, hidden)
            for store, new in ((stores[CI], own), (stores[PI], copies)):
                assert await store.outbox_seed(f"{new.id}#seed") == SEEDED
            # The links that were there sent nothing again.
            old = [r for r in after.relays if r.link in (up, onward)]
            assert [r.status.produced for r in old] == [0, 0]
            assert after.security_events == []


async def test_a_relay_killed_during_the_seed_resumes_where_it_stood(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    up, mirror = link(PI, NI), link(PI, PE)
    count, batch = 20, 3
    async with embedded(tmp_path, PI, NI, PE, neo4j=on_neo4j, on_neo4j=PI) as stores:
        source = stores[PI]
        async with Mesh(sync_log, stores, [up]) as before:
            for n in range(1, count + 1):
                await write(source, published(n, origin=PI, classification=C if n == 5 else U))
            await before.settle()
        await prune_all(source, [up])

        failing = FailingAppends(sync_log, mirror.topic, after=2)
        async with Mesh(failing, stores, [mirror], batch_size=batch) as killed:  # type: ignore[arg-type]
            try:
                await killed.relay()
            except LogUnavailable:
                pass
            else:
                raise AssertionError("the fault was not injected")
        # Two batches acknowledged (one of them held the classified entry 5): the cursor
        # names the last code of the second.
        assert await source.outbox_seed(f"{mirror.id}#seed") == code(2 * batch)

        async with Mesh(sync_log, stores, [mirror], batch_size=batch) as again:
            await again.settle()
            records = await again.records(mirror.topic)
        expected = [code(n) for n in range(1, count + 1) if n != 5]
        # Each entry sent once: neither from scratch nor skipping.
        assert sorted(r.key for r in records) == expected
        copies = await entries(stores[PE])
        assert sorted(copies) == expected
        assert all(c.version == 1 for c in copies.values())


async def test_entries_written_during_the_seed_arrive_at_their_newest_version(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    up, mirror = link(CI, PI), link(CI, CE)
    async with embedded(tmp_path, CI, PI, CE, neo4j=on_neo4j, on_neo4j=CI) as stores:
        origin = stores[CI]
        async with Mesh(sync_log, stores, [up]) as before:
            for n in range(2, 21, 2):  # 2, 4, …, 20
                await write(origin, published(n))
            await before.settle()
        await prune_all(origin, [up])

        async with Mesh(sync_log, stores, [up, mirror], batch_size=3) as mesh:
            (relay,) = [r for r in mesh.relays if r.link == mirror]
            assert await relay.run_once()  # 2, 4, 6
            assert await relay.run_once()  # 8, 10, 12
            assert relay.passed is None  # nothing is pruned while it seeds
            assert await origin.outbox_seed(f"{mirror.id}#seed") == code(12)
            await write(origin, published(4, version=2, name="已送出后更新"))  # sent already
            await write(origin, published(16, version=2, name="未送出时更新"))  # not yet
            await write(origin, published(3))  # a new entry behind the cursor
            await write(origin, published(21))  # and one ahead of it
            await write(origin, published(6, version=2, classification=C))  # sent, then classified
            await write(origin, published(8, version=2, related_codes=(code(6),)))
            await mesh.settle()
            assert relay.passed is not None
        await assert_mirrored(origin, stores[CE])
        copies = await entries(stores[CE])
        assert code(6) not in copies
        assert copies[code(8)].related_codes == ()
        assert {copies[code(n)].version for n in (4, 8, 16)} == {2}
        assert code(3) in copies
        assert code(21) in copies


async def test_a_link_added_when_nothing_was_pruned_sends_no_seed(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    up, mirror = link(CI, PI), link(CI, CE)
    async with embedded(tmp_path, CI, PI, CE, neo4j=on_neo4j, on_neo4j=CI) as stores:
        origin = stores[CI]
        async with Mesh(sync_log, stores, [up]) as before:
            await write_catalog(origin)
            await before.settle()
        assert not await origin.outbox_pruned()

        walk = mock.patch.object(origin, "entries_after", wraps=origin.entries_after)
        async with Mesh(sync_log, stores, [up, mirror]) as mesh:
            with walk as spy:
                await mesh.settle()
            assert spy.call_count == 0
            (relay,) = [r for r in mesh.relays if r.link == mirror]
            # Every record from the outbox, each once, as before.
            assert relay.status.produced == len(await mesh.records(mirror.topic))
        assert await origin.outbox_seed(f"{mirror.id}#seed") is None
        await assert_mirrored(origin, stores[CE])


async def test_a_link_added_where_copies_were_applied_without_an_outbox_sends_them(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    """四川 had no link of its own to send on: it applied 成都's entries without outbox records
    (nothing was pruned, there was nothing to prune). A link from it added later seeds."""
    up, onward = link(CI, PI), link(PI, NI)
    async with embedded(tmp_path, CI, PI, NI, neo4j=on_neo4j, on_neo4j=PI) as stores:
        async with Mesh(sync_log, stores, [up], unforwarded=[PI]) as before:
            await write_catalog(stores[CI])
            await before.settle()
        assert await stores[PI].outbox_after(0, 10) == []
        assert not await stores[PI].outbox_pruned()
        held = await entries(stores[PI])
        assert len(held) > 5

        async with Mesh(sync_log, stores, [up, onward]) as after:
            await after.settle()
        copies = await entries(stores[NI])
        assert {c: e.version for c, e in copies.items()} == {c: e.version for c, e in held.items()}
        assert await stores[PI].outbox_seed(f"{onward.id}#seed") == SEEDED


async def test_an_entry_that_fails_alone_again_and_again_is_moved_aside_and_the_seed_goes_on(
    tmp_path: Path, link: MakeLink
) -> None:
    up, mirror = link(CI, PI), link(CI, CE)
    async with (
        embedded(tmp_path, CI, PI, CE) as stores,
        EmbeddedLog.open(tmp_path / "log.db") as log,
    ):
        origin = stores[CI]
        async with Mesh(log, stores, [up]) as before:
            for n in range(1, 6):
                await write(origin, published(n))
            await before.settle()
        await prune_all(origin, [up])

        def failing(entry: Resource, source: str) -> ChangeEvent:
            if entry.code == code(2):
                raise ValueError("an entry no event can be made of")
            return refreshed_event(entry, source)

        async with Mesh(log, stores, [mirror], batch_size=3) as mesh:
            with mock.patch("sync.relay.refreshed_event", failing):
                await mesh.settle()
            (relay,) = mesh.relays
            assert relay.status.moved_aside == 1
            ((event, refusal),) = [(e.resource_code, e.refusal) for e in mesh.security_events]
            assert (event, refusal) == (code(2), Refusal.UNPROCESSABLE)
        assert sorted(await entries(stores[CE])) == [code(n) for n in (1, 3, 4, 5)]
        assert await origin.outbox_seed(f"{mirror.id}#seed") == SEEDED
