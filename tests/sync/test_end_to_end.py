"""The sync end to end over the embedded log and embedded stores: upward aggregation, the
mirror and its guard, opposite links, the property that nothing classified reaches the
extranet, and the outbox relay's recovery (DESIGN "Instances and sync")."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import (
    Actor,
    CatalogStore,
    Cataloguing,
    Classification,
    LifecycleState,
    Resource,
    ResourceFilter,
    Role,
    Zone,
)
from graph.audit.records import AuditFilter, AuditKind
from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailable
from graph.neo4j import Neo4jStore
from sync.consumer import LinkConsumer
from sync.events import decode, encode, event_for, outbox_record
from sync.guard import CROSSING_FIELDS, Forward, Refusal, guard_source
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.log.kafka import KafkaLog
from sync.log.protocol import ChangeLog
from sync.relay import Relay
from sync.snapshots import resource_to_dict
from sync.worker import Backoff, SyncWorker
from tests.sync import samples
from tests.sync.conftest import MakeLink, kafka_settings
from tests.sync.mesh import CATALOGS, Mesh

CI, CE = "510100/intranet", "510100/extranet"
PI, NI = "510000/intranet", "national/intranet"
ALL = ResourceFilter(states=frozenset())
REVIEWER = Actor("11510100MB0000099D", Role.REVIEWER)


def code(n: int) -> str:
    return f"301001001/{n:06d}"


@asynccontextmanager
async def embedded(
    tmp: Path, *ids: str, neo4j: Any = None, on_neo4j: str | None = None
) -> AsyncIterator[dict[str, CatalogStore]]:
    """Embedded stores of `ids` — but `on_neo4j`'s on the (emptied) Neo4j server `neo4j`,
    when one is given: one server holds one graph, so one store at most."""
    async with AsyncExitStack() as stack:
        stores: dict[str, CatalogStore] = {}
        for instance in ids:
            if neo4j is not None and instance == on_neo4j:
                opened = await stack.enter_async_context(
                    Neo4jStore.open(neo4j.uri, neo4j.auth, catalog=CATALOGS[instance])
                )
                await opened.erase_all()
                stores[instance] = opened
                continue
            path = tmp / f"{instance.replace('/', '-')}.db"
            stores[instance] = await stack.enter_async_context(
                EmbeddedStore.open(path, CATALOGS[instance])
            )
        yield stores


async def write(store: CatalogStore, entry: Resource) -> Resource:
    """What the origin's maintenance does: save the next version with its event."""
    held = await store.get(entry.code)
    return await store.save(
        entry, None if held is None else held.version, outbox=outbox_record(entry)
    )


def published(n: int, version: int = 1, **changes: Any) -> Resource:
    """A published, unclassified entry of the 成都 intranet, referring to nothing."""
    return samples.entry(
        code(n), version=version, **{"related_codes": (), "derived_from": (), **changes}
    )


# -- upward --------------------------------------------------------------------------------


async def test_upward_city_to_province_to_nation(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    links = [link(CI, PI), link(PI, NI)]
    async with (
        embedded(tmp_path, CI, PI, NI, neo4j=on_neo4j, on_neo4j=NI) as stores,
        Mesh(sync_log, stores, links) as mesh,
    ):
        city = Cataloguing(stores[CI], outbox=outbox_record)
        provider = Actor(samples.PROVIDER)
        # A new entry names its 前段码; the city's store numbers it.
        new = published(1, state=LifecycleState.DRAFT)
        draft = await city.create(provider, dataclasses.replace(new, code=new.category_code))
        await mesh.settle()
        assert await stores[PI].get(draft.code) is None  # a draft stays in the city

        await city.submit(provider, draft.code)
        entry = await city.publish(REVIEWER, draft.code)
        await mesh.settle()
        for instance in (PI, NI):
            copy = await stores[instance].get(entry.code)
            assert copy is not None
            assert (copy.origin, copy.version, copy.state) == (CI, 3, LifecycleState.PUBLISHED)
            assert copy.history == ()  # the review trail stays at the origin

        await city.retire(provider, entry.code)
        await mesh.settle()
        for instance in (PI, NI):
            copy = await stores[instance].get(entry.code)
            assert copy is not None
            assert (copy.version, copy.state) == (4, LifecycleState.RETIRED)
        # The nation's copy came through the province: its event passed both.
        (last, *_) = reversed(await mesh.records(links[1].topic))
        assert decode(last.value).hops == (CI, PI)
        assert mesh.security_events == []


# -- the mirror ----------------------------------------------------------------------------


async def test_mirror_carries_exactly_the_unclassified_published_entries(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    mirror = link(CI, CE)
    async with (
        embedded(tmp_path, CI, CE, neo4j=on_neo4j, on_neo4j=CE) as stores,
        Mesh(sync_log, stores, [mirror]) as mesh,
    ):
        intranet, extranet = stores[CI], stores[CE]
        secret = published(2, classification=Classification.CLASSIFIED)
        entries = [
            published(1),
            secret,
            published(3, state=LifecycleState.DRAFT, published_on=None),
            # refers to the classified entry: the reference must not cross
            published(4, related_codes=(code(2), code(1)), derived_from=(code(2),)),
            published(5, classification=None),  # missing: counts as classified
        ]
        for entry in entries:
            await write(intranet, entry)
        await mesh.settle()

        held = {e.code: e for e in (await extranet.find(ALL, first=100)).items}
        assert sorted(held) == [code(1), code(4)]
        assert held[code(4)].related_codes == (code(1),)
        assert held[code(4)].derived_from == ()
        for copy in held.values():
            assert copy.classification is Classification.UNCLASSIFIED
            assert copy.history == ()
            assert copy.extensions == ()
        # Not even the codes of the classified entries reached the extranet's topic.
        crossed = b"".join(r.value for r in await mesh.records(mirror.topic))
        for hidden in (code(2), code(3), code(5)):
            assert hidden.encode() not in crossed
        for record in await mesh.records(mirror.topic):
            snapshot = decode(record.value).snapshot or {}
            assert set(snapshot) <= CROSSING_FIELDS

        # Reclassified after it was mirrored: the extranet removes its copy.
        await write(intranet, published(1, version=4, classification=Classification.CLASSIFIED))
        await mesh.settle()
        assert await extranet.get(code(1)) is None
        assert {e.code for e in (await extranet.find(ALL)).items} == {code(4)}
        refused = {e.resource_code for e in mesh.security_events}
        assert refused == {code(2), code(5)}  # refused at the source, never sent
        dead = await mesh.records(mirror.dead_letter_topic)
        assert {json.loads(r.value)["resource_code"] for r in dead} == {code(2), code(5)}
        assert all(json.loads(r.value)["payload"] is None for r in dead)


async def test_opposite_mirror_links_do_not_loop(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink
) -> None:
    log = sync_log
    inward, outward = link(CE, CI), link(CI, CE)
    async with (
        embedded(tmp_path, CI, CE) as stores,
        Mesh(log, stores, [outward, inward]) as mesh,
    ):
        for n in (1, 2, 3):
            await write(stores[CI], published(n))
        for n in (7, 8):
            await write(stores[CE], published(n, origin=CE))
        await mesh.settle()
        counts = {link.id: await log.end_offset(link.topic) for link in (outward, inward)}
        assert counts == {outward.id: 3, inward.id: 2}
        for store in stores.values():
            assert len((await store.find(ALL)).items) == 5
        # Both outboxes now also hold what they applied; relaying again sends nothing back.
        await write(stores[CI], published(1, version=2))
        await mesh.settle()
        await mesh.settle()
        assert await log.end_offset(outward.topic) == 4
        assert await log.end_offset(inward.topic) == 2
        assert sum(r.status.dropped for r in mesh.relays) == 3 + 1 + 2  # the echoes


# -- the property --------------------------------------------------------------------------

STATES = [s for s in LifecycleState]
CLASSES = [Classification.UNCLASSIFIED, Classification.CLASSIFIED, None]
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("write"),
            st.integers(1, 4),
            st.sampled_from(STATES),
            st.sampled_from(CLASSES),
        ),
        st.just(("sync",)),
    ),
    max_size=25,
)


async def run_operations(
    ops: list[tuple[Any, ...]], stores: dict[str, CatalogStore], log: ChangeLog, mirror: Link
) -> None:
    intranet, extranet = stores[CI], stores[CE]
    async with Mesh(log, stores, [mirror]) as mesh:
        for op in ops:
            if op[0] == "sync":
                await mesh.settle()
                continue
            _, n, state, classification = op
            held = await intranet.get(code(n))
            on = date(2024, 3, 1) if state in ("PUBLISHED", "RETIRED") else None
            entry = published(
                n,
                version=(held.version + 1) if held else 1,
                state=state,
                classification=classification,
                published_on=on,
                related_codes=tuple(code(m) for m in (1, 2, 3, 4) if m != n),
            )
            await write(intranet, entry)
        await mesh.settle()

        mirrored = {e.code: e for e in (await extranet.find(ALL, first=100)).items}
        for copy in mirrored.values():
            source = await intranet.get(copy.code)
            assert source is not None
            assert copy.classification is Classification.UNCLASSIFIED
            assert source.classification is Classification.UNCLASSIFIED
            assert copy.version == source.version
            assert set(k for k, v in resource_to_dict(copy).items() if v not in ([], None)) <= (
                CROSSING_FIELDS
            )
            assert copy.history == ()
            assert copy.extensions == ()
            for ref in copy.related_codes:
                assert ref in mirrored or (await intranet.get(ref)) is not None
        for entry in (await intranet.find(ALL, first=100)).items:
            if (
                entry.state is LifecycleState.PUBLISHED
                and entry.classification is Classification.UNCLASSIFIED
            ):
                assert mirrored[entry.code].version == entry.version
            if entry.state in (LifecycleState.DRAFT, LifecycleState.SUBMITTED):
                assert entry.code not in mirrored
        assert all(e.refusal is Refusal.ABOVE_CLEARANCE for e in mesh.security_events)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
async def test_no_sequence_of_changes_leaks_a_classified_entry(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[Any, ...]]
) -> None:
    tmp = tmp_path_factory.mktemp("property")
    async with embedded(tmp, CI, CE) as stores, EmbeddedLog.open(tmp / "log.db") as log:
        await run_operations(ops, stores, log, Link.between(CI, CE))


ONE_SEQUENCE: list[tuple[Any, ...]] = [
    ("write", 1, LifecycleState.PUBLISHED, Classification.UNCLASSIFIED),
    ("write", 2, LifecycleState.PUBLISHED, Classification.CLASSIFIED),
    ("write", 3, LifecycleState.DRAFT, Classification.UNCLASSIFIED),
    ("sync",),
    ("write", 1, LifecycleState.PUBLISHED, Classification.CLASSIFIED),
    ("write", 2, LifecycleState.PUBLISHED, Classification.UNCLASSIFIED),
    ("write", 3, LifecycleState.PUBLISHED, None),
    ("write", 4, LifecycleState.PUBLISHED, Classification.UNCLASSIFIED),
    ("sync",),
    ("write", 4, LifecycleState.RETIRED, Classification.UNCLASSIFIED),
    ("write", 2, LifecycleState.DRAFT, Classification.UNCLASSIFIED),
]


@pytest.mark.kafka
async def test_one_sequence_of_changes_over_kafka(
    tmp_path: Path, kafka_server: Any, link: MakeLink
) -> None:
    async with (
        embedded(tmp_path, CI, CE) as stores,
        KafkaLog.open(kafka_settings(kafka_server)) as log,
    ):
        await run_operations(ONE_SEQUENCE, stores, log, link(CI, CE))
        assert [e.code for e in (await stores[CE].find(ALL)).items] == [code(4)]


# -- recovery ------------------------------------------------------------------------------


class StallingLog:
    """The real log, with one fault injected: `append` never returns (the broker is slow to
    acknowledge), so the relay is cancelled after the store commit and before the ack."""

    def __init__(self, log: ChangeLog) -> None:
        self._log = log
        self.appending = asyncio.Event()

    async def append(self, topic: str, records: Any) -> list[int]:
        self.appending.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


async def test_a_relay_killed_before_the_ack_loses_nothing(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink
) -> None:
    mirror = link(CI, CE)
    async with (
        embedded(tmp_path, CI, CE) as stores,
        Mesh(sync_log, stores, [mirror]) as mesh,
    ):
        for n in range(1, 6):
            await write(stores[CI], published(n))
        stalling = StallingLog(sync_log)
        relay = Relay(stores[CI], stalling, mirror)
        task = asyncio.create_task(relay.run())
        await asyncio.wait_for(stalling.appending.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await stores[CI].outbox_position(mirror.id) == 0  # not moved: nothing acked
        await mesh.settle()  # a new relay starts from the old position
        assert len((await stores[CE].find(ALL)).items) == 5


async def test_a_consumer_killed_before_committing_reapplies_harmlessly(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink
) -> None:
    async with (
        embedded(tmp_path, CI, CE) as stores,
        Mesh(sync_log, stores, [link(CI, CE)]) as mesh,
    ):
        for n in range(1, 4):
            await write(stores[CI], published(n))
        await mesh.settle()
        before = await stores[CE].find(ALL)
        outbox = await stores[CE].outbox_after(0, 100)
        # Consumer killed before committing: the group reads the batch again.
        consumer, reader = mesh.consumers[0], mesh._readers[0]
        await reader.commit(0)
        await mesh.close_readers()
        consumer.status.position = None
        await mesh.open_readers()
        await mesh.consume()
        assert consumer.status.stale == 3
        assert consumer.status.applied == 3
        assert await stores[CE].find(ALL) == before
        assert await stores[CE].outbox_after(0, 100) == outbox  # stale copies are not sent on


GUARD_REFUSAL, CROSSING = AuditKind.GUARD_REFUSAL, AuditKind.CROSSING


class FailingSecondApply:
    """The real store, with one fault injected: its second `apply` does not answer."""

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        self.applied: list[list[str]] = []

    async def apply(self, entries: Any, outbox: Any = None, audit: Any = None) -> Any:
        self.applied.append([entry.code for entry in entries])
        if len(self.applied) == 2:
            raise StoreUnavailable("the store did not answer")
        return await self._store.apply(entries, outbox, audit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.mark.parametrize("writers", [1, 2])
async def test_a_running_consumer_commits_only_what_it_wrote_in_order(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, writers: int
) -> None:
    mirror = link(CI, CE)
    async with embedded(tmp_path, CI, CE) as stores:
        await sync_log.create_topic(mirror.topic)
        await sync_log.create_topic(mirror.dead_letter_topic)
        for n in range(1, 7):
            await write(stores[CI], published(n))
        relay = Relay(stores[CI], sync_log, mirror)
        while await relay.run_once():
            pass
        # Batches of two: the first is written and committed; the second's write fails while
        # the third is read and checked — and, with two writers, maybe written too.
        failing = FailingSecondApply(stores[CE])
        consumer = LinkConsumer(
            failing,  # type: ignore[arg-type]
            sync_log,
            mirror,
            batch_size=2,
            timeout_ms=100,
            writers=writers,
        )
        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(consumer.run(), 20)
        assert failing.applied[:2] == [[code(1), code(2)], [code(3), code(4)]]
        async with sync_log.reader(mirror.topic, mirror.group) as reader:
            assert await reader.committed() == 2  # not past the batch that failed
        held = {e.code for e in (await stores[CE].find(ALL)).items}
        assert {code(1), code(2)} <= held <= {code(1), code(2), code(5), code(6)}
        assert consumer.status.applied == 2  # counted once committed
        # Run again: it goes on from the committed offset, and everything is there once.
        again = LinkConsumer(stores[CE], sync_log, mirror, batch_size=2, timeout_ms=100)
        task = asyncio.create_task(again.run())
        await until(lambda: again.status.applied + again.status.stale == 4)
        await until(lambda: again.status.lag == 0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert again.status.stale == len(held) - 2  # what was written but not committed
        assert len((await stores[CE].find(ALL)).items) == 6


async def test_the_worker_runs_the_links_and_reports_them(tmp_path: Path) -> None:
    links = [Link.between(CI, CE), Link.between(CI, PI)]
    async with (
        embedded(tmp_path, CI, CE) as stores,
        EmbeddedLog.open(tmp_path / "log.db") as log,
    ):
        worker = SyncWorker(stores[CI], log, links, backoff=Backoff(0.01, 0.05))
        target = SyncWorker(stores[CE], log, [links[0]], backoff=Backoff(0.01, 0.05))
        async with worker, target:
            await write(stores[CI], published(1))
            await write(stores[CI], published(2, classification=Classification.CLASSIFIED))
            await until(lambda: target.consumers[0].status.applied == 1)
            await until(lambda: target.consumers[0].status.lag == 0)
            await until(lambda: worker.relays[1].status.produced == 2)  # the upward link too
            await until(lambda: worker.relays[0].status.refused == 1)
        statuses = {(s.link, s.side.value): s for s in worker.statuses() + target.statuses()}
        mirror = statuses[(links[0].id, "relay")]
        assert (mirror.produced, mirror.refused) == (1, 1)
        assert statuses[(links[1].id, "relay")].produced == 2
        assert statuses[(links[0].id, "consumer")].as_dict()["state"] == "stopped"
        assert [e.resource_code for e in worker.security_events] == [code(2)]
        # Both are records of the audit log: the refusal at the source (written by the worker's
        # sink, flushed when it stopped), the crossing at the target (with the write itself).
        refused = await stores[CI].audit_records(0, 100, AuditFilter(kinds={GUARD_REFUSAL}))
        assert [(r.entry.actor, r.entry.subject) for r in refused] == [
            (f"link:{links[0].id}", code(2))
        ]
        crossed = await stores[CE].audit_records(0, 100, AuditFilter(kinds={CROSSING}))
        assert [(r.entry.subject, r.entry.action) for r in crossed] == [(code(1), "upsert")]


async def test_only_an_instance_that_sends_on_keeps_an_outbox_of_what_it_applied(
    tmp_path: Path,
) -> None:
    # 成都 intranet → 四川 intranet (which sends on to the nation) and → 成都 extranet (a leaf).
    upward, mirror, onward = Link.between(CI, PI), Link.between(CI, CE), Link.between(PI, NI)
    async with (
        embedded(tmp_path, CI, CE, PI) as stores,
        EmbeddedLog.open(tmp_path / "log.db") as log,
    ):
        source = SyncWorker(stores[CI], log, [upward, mirror], backoff=Backoff(0.01, 0.05))
        province = SyncWorker(stores[PI], log, [upward, onward], backoff=Backoff(0.01, 0.05))
        leaf = SyncWorker(stores[CE], log, [mirror], backoff=Backoff(0.01, 0.05))
        async with source, province, leaf:
            await write(stores[CI], published(1))
            await until(lambda: province.consumers[0].status.applied == 1)
            await until(lambda: leaf.consumers[0].status.applied == 1)
            await until(lambda: province.relays[0].status.produced == 1)
        assert [r.key for _, r in await stores[PI].outbox_after(0, 10)] == [code(1)]
        assert await stores[CE].outbox_after(0, 10) == []


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for the workers' counters to say `condition` (they run as tasks)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - counters, not events
            await asyncio.sleep(0.02)


# -- refused events, bootstrap -------------------------------------------------------------


async def test_forged_and_malformed_events_are_refused_and_the_link_flows_on(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink
) -> None:
    mirror = link(CI, CE)
    async with (
        embedded(tmp_path, CE) as stores,
        Mesh(sync_log, stores, [mirror]) as mesh,
    ):
        verdict = guard_source(event_for(published(1)), mirror, cleared=set(), held=set())
        assert isinstance(verdict, Forward)
        honest = verdict.event  # what the source's guard lets cross
        secret = published(2, classification=Classification.CLASSIFIED)
        downgraded = dataclasses.replace(
            event_for(secret), classification=Classification.UNCLASSIFIED, hops=(CI,)
        )
        wrong_zone = dataclasses.replace(
            event_for(published(3)), origin_zone=Zone.EXTRANET, hops=(CI,)
        )
        forged: list[tuple[str, bytes]] = [
            ("301001001/000009", b'{"not": "an event"'),
            (code(2), encode(downgraded)),
            (code(3), encode(wrong_zone)),
            (code(1), encode(honest)),
        ]
        await sync_log.append(mirror.topic, forged)
        await mesh.settle()
        assert [e.code for e in (await stores[CE].find(ALL)).items] == [code(1)]
        refusals = sorted(e.refusal.value for e in mesh.security_events)
        assert refusals == ["FORGED_ORIGIN", "INCONSISTENT", "MALFORMED"]
        dead = [json.loads(r.value) for r in await mesh.records(mirror.dead_letter_topic)]
        assert sorted(d["refusal"] for d in dead) == refusals
        assert {d["side"] for d in dead} == {"consumer"}
        assert mesh.consumers[0].status.refused == 3
        assert mesh.consumers[0].status.applied == 1
        assert await sync_log.end_offset(mirror.topic) == 4  # all read: committed past them


async def test_a_new_instance_bootstraps_from_the_compacted_topic(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink
) -> None:
    mirror = link(CI, CE)
    async with (
        embedded(tmp_path, CI, CE) as stores,
        Mesh(sync_log, stores, [mirror]) as mesh,
    ):
        for n in range(1, 11):
            await write(stores[CI], published(n))
        for n in range(1, 6):
            await write(stores[CI], published(n, version=2, name=f"更新后的名称{n}"))
        await write(stores[CI], published(7, version=2, classification=Classification.CLASSIFIED))
        await mesh.settle()
        if isinstance(sync_log, EmbeddedLog):
            assert await sync_log.compact(mirror.topic) == 6
        fresh_path = tmp_path / "fresh" / "510100-extranet.db"
        async with EmbeddedStore.open(fresh_path, CATALOGS[CE]) as fresh:
            newcomer = LinkConsumer(fresh, sync_log, mirror, group="mulu.test.newcomer")
            async with newcomer.reading() as reader:
                while await newcomer.consume_once(reader) is not None:
                    pass
            expected = (await stores[CE].find(ALL, first=100)).items
            assert (await fresh.find(ALL, first=100)).items == expected
            assert len(expected) == 9
