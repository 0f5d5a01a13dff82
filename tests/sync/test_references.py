"""References outlive no clearance (issue: nothing classified out). An entry B mirrored while
it named A keeps naming A on the extranets after A is classified — unless the source re-sends
B, stripped, in the transaction that reclassified A (graph.versions, graph.outbox.REFRESH),
over one hop and two. DESIGN "Instances and sync", point 4; national 第十一条; Sichuan 第七、十一、
二十三条."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph import Classification, LifecycleState
from sync.errors import LogUnavailable
from sync.events import decode
from sync.guard import Refusal
from sync.links import Link
from sync.log.protocol import ChangeLog
from tests.sync.conftest import MakeLink
from tests.sync.mesh import Mesh
from tests.sync.test_end_to_end import ALL, CE, CI, PI, code, embedded, published, write
from tests.sync.test_seed import FailingAppends

PE = "510000/extranet"
A, B, C = code(1), code(2), code(3)


def network(link: MakeLink) -> list[Link]:
    """成都 intranet → its extranet → 四川 extranet, and 成都 intranet → 四川 intranet → 四川
    extranet: every extranet copy comes one way or two."""
    return [link(CI, CE), link(CE, PE), link(CI, PI), link(PI, PE)]


async def refs(store: Any, entry_code: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    held = await store.get(entry_code)
    return None if held is None else (held.related_codes, held.derived_from)


async def test_a_reclassified_entry_is_stripped_from_every_extranet_copy_naming_it(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink, on_neo4j: Any
) -> None:
    async with (
        embedded(tmp_path, CI, CE, PI, PE, neo4j=on_neo4j, on_neo4j=PE) as stores,
        Mesh(sync_log, stores, network(link)) as mesh,
    ):
        await write(stores[CI], published(1))
        await write(stores[CI], published(2, related_codes=(A, C), derived_from=(A,)))
        await write(stores[CI], published(3, related_codes=(B,)))
        await mesh.settle()
        for extranet in (CE, PE):
            assert await refs(stores[extranet], B) == ((A, C), (A,))

        # A becomes 涉密: every extranet drops A, and B's copies name only C.
        await write(stores[CI], published(1, version=2, classification=Classification.CLASSIFIED))
        await mesh.settle()
        for extranet in (CE, PE):
            assert await stores[extranet].get(A) is None
            assert await refs(stores[extranet], B) == ((C,), ())
            assert await refs(stores[extranet], C) == ((B,), ())  # untouched: B is cleared
        # The intranets keep every reference: A is within their clearance.
        assert await refs(stores[PI], B) == ((A, C), (A,))

        # Cleared again: A is back, and so are the references to it.
        await write(stores[CI], published(1, version=3))
        await mesh.settle()
        for extranet in (CE, PE):
            assert (await stores[extranet].get(A)) is not None
            assert await refs(stores[extranet], B) == ((A, C), (A,))
        assert not mesh.security_events


async def test_a_revised_entry_is_stripped_and_so_is_a_chain_and_a_cycle_through_it(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink
) -> None:
    # A ← B ← C and C → A: a revision (back to DRAFT) of A leaves B and C naming each other.
    async with (
        embedded(tmp_path, CI, CE, PI, PE) as stores,
        Mesh(sync_log, stores, network(link)) as mesh,
    ):
        await write(stores[CI], published(1, related_codes=(C,)))
        await write(stores[CI], published(2, derived_from=(A,)))
        await write(stores[CI], published(3, derived_from=(B,), related_codes=(A,)))
        await mesh.settle()
        await write(
            stores[CI], published(1, version=2, state=LifecycleState.DRAFT, published_on=None)
        )
        await mesh.settle()
        for extranet in (CE, PE):
            assert await stores[extranet].get(A) is None
            assert await refs(stores[extranet], B) == ((), ())
            assert await refs(stores[extranet], C) == ((), (B,))


async def test_the_re_send_is_written_with_the_reclassification_and_is_urgent(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path, CI) as stores:
        store = stores[CI]
        await write(store, published(1))
        await write(store, published(2, related_codes=(A,)))
        await write(store, published(3, derived_from=(A,), state=LifecycleState.DRAFT))
        before = await store.outbox_after(0, 100)
        await write(store, published(1, version=2, classification=Classification.CLASSIFIED))
        new = [record for _, record in await store.outbox_after(before[-1][0], 100)]
        # A's own event, urgent; then one refresh of the shared referrer (the draft is on no
        # target, so it needs none).
        assert [(r.key, r.urgent, r.is_refresh) for r in new] == [
            (A, True, False),
            (B, True, True),
        ]
        urgent = await store.outbox_urgent_after(0, 100)
        assert [r.key for _, r in urgent] == [A, B]
        assert (await store.find(ALL)).total_count == 3


async def test_a_refresh_that_changes_nothing_for_the_link_is_not_sent_again(
    tmp_path: Path, sync_log: ChangeLog, link: MakeLink
) -> None:
    # B names A, C and D before any of them is held: it crosses naming none of them.
    mirror = link(CI, CE)
    log = FailingAppends(sync_log, mirror.topic, after=1_000_000)
    async with (
        embedded(tmp_path, CI, CE) as stores,
        Mesh(log, stores, [mirror]) as mesh,  # type: ignore[arg-type]
    ):
        source = stores[CI]
        await write(source, published(2, related_codes=(A, C, code(4))))
        await mesh.settle()
        assert await refs(stores[CE], B) == ((), ())
        # A arrives: the refresh of B sends it naming A.
        await write(source, published(1))
        await mesh.settle()
        assert await refs(stores[CE], B) == ((A,), ())
        sent = len(await mesh.records(mirror.topic))

        # C arrives classified: B is refreshed, but crosses the mirror as it last did.
        position = (await source.outbox_after(0, 100))[-1][0]
        await write(source, published(3, classification=Classification.CLASSIFIED))
        written = [record for _, record in await source.outbox_after(position, 100)]
        assert [(r.key, r.is_refresh) for r in written] == [(C, False), (B, True)]
        await mesh.settle()
        assert len(await mesh.records(mirror.topic)) == sent

        # D arrives while the log refuses the batch: B's refresh is sent once it takes it.
        log.left = 0
        await write(source, published(4))
        with pytest.raises(LogUnavailable):
            await mesh.relay()
        log.left = 1_000_000
        await mesh.settle()
        assert await refs(stores[CE], B) == ((A, code(4)), ())
        # The compacted topic ends with it too (the urgent topic, which took it, had it first).
        records = await mesh.records(mirror.topic)
        assert len(records) == sent + 2
        last_b = decode([r for r in records if r.key == B][-1].value).snapshot
        assert last_b is not None
        assert last_b["related_codes"] == [A, code(4)]
        assert [(e.resource_code, e.refusal) for e in mesh.security_events] == [
            (C, Refusal.ABOVE_CLEARANCE)  # C itself never crosses
        ]
