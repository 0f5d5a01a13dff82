"""Contract: the transactional outbox (graph.outbox) — a record commits with the write it
follows or not at all, is numbered in order, and the relays' positions and marks persist."""

from __future__ import annotations

import pytest

from graph import (
    Actor,
    ApplyOutcome,
    CatalogStore,
    Cataloguing,
    Classification,
    InvalidValue,
    LifecycleState,
    Resource,
    Role,
    VersionConflict,
)
from graph.outbox import OutboxRecord
from tests.graph.conftest import CHENGDU_EXTRANET, CHENGDU_INTRANET, OpenStore
from tests.graph.entries import POLICE, code, credit_code, newer, resource

APPLIED, STALE = ApplyOutcome.APPLIED, ApplyOutcome.STALE


def record(key: str, tag: str) -> OutboxRecord:
    return OutboxRecord(key, f"{key}:{tag}".encode())


async def everything(store: CatalogStore) -> list[tuple[int, OutboxRecord]]:
    return await store.outbox_after(0, limit=10_000)


async def test_a_save_commits_its_record_and_records_are_numbered_in_order(
    store: CatalogStore,
) -> None:
    first = resource(code(1))
    await store.save(first, None, outbox=record(first.code, "v1"))
    await store.save(newer(first), 1, outbox=record(first.code, "v2"))
    await store.save(resource(code(2)), None)  # no record asked for: none written
    await store.save(resource(code(3)), None, outbox=record(code(3), "v1"))
    held = await everything(store)
    assert [r for _, r in held] == [
        record(code(1), "v1"),
        record(code(1), "v2"),
        record(code(3), "v1"),
    ]
    positions = [p for p, _ in held]
    assert positions == sorted(set(positions))
    assert positions[0] >= 1
    assert [r for _, r in await store.outbox_after(positions[0], limit=1)] == [
        record(code(1), "v2")
    ]
    assert await store.outbox_after(positions[-1], limit=10) == []


async def test_a_refused_save_writes_no_record(store: CatalogStore) -> None:
    entry = resource(code(1))
    await store.save(entry, None, outbox=record(entry.code, "v1"))
    with pytest.raises(VersionConflict):
        await store.save(newer(entry), 7, outbox=record(entry.code, "conflict"))
    with pytest.raises(VersionConflict):
        await store.save(entry, None, outbox=record(entry.code, "twice"))
    bad = resource(code(2), share_type="NONE", legal_basis=None)  # NONE needs a legal basis
    with pytest.raises(InvalidValue):
        await store.save(bad, None, outbox=record(code(2), "invalid"))
    assert [r for _, r in await everything(store)] == [record(entry.code, "v1")]


async def test_apply_writes_the_record_of_each_applied_entry_only(store: CatalogStore) -> None:
    one, two = resource(code(1)), resource(code(2))
    assert await store.apply([one], outbox=[record(one.code, "v1")]) == [APPLIED]
    outcomes = await store.apply(
        [one, newer(one), two, newer(two)],
        outbox=[record(one.code, "stale"), record(one.code, "v2"), None, record(two.code, "v2")],
    )
    assert outcomes == [STALE, APPLIED, APPLIED, APPLIED]
    assert [r for _, r in await everything(store)] == [
        record(one.code, "v1"),
        record(one.code, "v2"),
        record(two.code, "v2"),
    ]
    with pytest.raises(ValueError, match="outbox records"):
        await store.apply([one], outbox=[])


async def test_a_batch_refused_by_a_rule_writes_no_record(open_store: OpenStore) -> None:
    async with open_store(CHENGDU_EXTRANET) as extranet:
        fine = resource(code(1), origin="510100/extranet")
        classified = resource(
            code(2), origin="510100/extranet", classification=Classification.CLASSIFIED
        )
        with pytest.raises(InvalidValue):
            await extranet.apply(
                [fine, classified], outbox=[record(code(1), "a"), record(code(2), "b")]
            )
        assert await everything(extranet) == []
        assert await extranet.get(fine.code) is None


async def test_redact_writes_its_record_only_when_applied(store: CatalogStore) -> None:
    entry = resource(code(1), version=3)
    await store.apply([entry])
    assert await store.redact(entry.code, 2, outbox=record(entry.code, "stale")) is STALE
    assert await store.redact(entry.code, 4, outbox=record(entry.code, "redact")) is APPLIED
    assert await store.redact(entry.code, 4, outbox=record(entry.code, "again")) is STALE
    assert [r for _, r in await everything(store)] == [record(entry.code, "redact")]


async def test_positions_and_marks_persist_across_a_reopen(open_store: OpenStore) -> None:
    async with open_store(CHENGDU_INTRANET) as store:
        assert await store.outbox_position("a>b") == 0
        await store.set_outbox_position("a>b", 7, mark=[code(1), code(2), code(3)])
        await store.set_outbox_position("a>b", 9, mark=[code(4)], unmark=[code(2)])
        await store.set_outbox_position("c>d", 2, mark=[code(2)])
    async with open_store(CHENGDU_INTRANET) as store:
        assert await store.outbox_position("a>b") == 9
        assert await store.outbox_position("c>d") == 2
        wanted = [code(n) for n in range(1, 6)]
        assert await store.outbox_marks("a>b", wanted) == {code(1), code(3), code(4)}
        assert await store.outbox_marks("c>d", wanted) == {code(2)}
        assert await store.outbox_marks("a>b", []) == set()


async def test_prune_removes_what_every_relay_is_past_and_numbers_keep_growing(
    store: CatalogStore,
) -> None:
    for n in range(1, 5):
        await store.save(resource(code(n)), None, outbox=record(code(n), "v1"))
    positions = [p for p, _ in await everything(store)]
    assert await store.prune_outbox(positions[2]) == 2
    assert [p for p, _ in await everything(store)] == positions[2:]
    await store.save(resource(code(9)), None, outbox=record(code(9), "v1"))
    assert (await everything(store))[-1][0] > positions[-1]


async def test_the_outbox_says_whether_a_record_was_ever_pruned(store: CatalogStore) -> None:
    assert not await store.outbox_pruned()  # nothing written
    await store.save(resource(code(1)), None)  # no record
    assert not await store.outbox_pruned()
    for n in range(2, 5):
        await store.save(resource(code(n)), None, outbox=record(code(n), "v1"))
    positions = [p for p, _ in await everything(store)]
    assert not await store.outbox_pruned()  # every record from the first is held
    await store.prune_outbox(positions[0])  # nothing below the first
    assert not await store.outbox_pruned()
    await store.prune_outbox(positions[1])
    assert await store.outbox_pruned()
    await store.prune_outbox(positions[-1] + 1)  # none held: some were written
    assert await store.outbox_pruned()
    await store.save(resource(code(9)), None, outbox=record(code(9), "v1"))
    assert await store.outbox_pruned()


async def test_a_seed_cursor_persists_across_a_reopen(open_store: OpenStore) -> None:
    async with open_store(CHENGDU_INTRANET) as store:
        assert await store.outbox_seed("a>b#seed") is None
        await store.set_outbox_seed("a>b#seed", "")
        assert await store.outbox_seed("a>b#seed") == ""
        await store.set_outbox_seed("a>b#seed", code(3))
        await store.set_outbox_seed("c>d#seed", code(1))
    async with open_store(CHENGDU_INTRANET) as store:
        assert await store.outbox_seed("a>b#seed") == code(3)
        assert await store.outbox_seed("c>d#seed") == code(1)
        assert await store.outbox_seed("e>f#seed") is None


async def test_entries_after_walks_the_store_in_code_order_by_state(store: CatalogStore) -> None:
    shared = frozenset({LifecycleState.PUBLISHED, LifecycleState.RETIRED})
    draft = LifecycleState.DRAFT
    entries = [
        resource(code(n), state=draft, published_on=None) if n % 3 == 0 else resource(code(n))
        for n in (5, 1, 4, 3, 2, 6, 7)
    ]
    await store.apply(entries)
    walked: list[str] = []
    after = ""
    while page := await store.entries_after(after, 2, shared):
        assert len(page) <= 2
        walked += [e.code for e in page]
        after = page[-1].code
    assert walked == [code(n) for n in (1, 2, 4, 5, 7)]
    assert [e.code for e in await store.entries_after(code(4), 10, frozenset({draft}))] == [code(6)]
    assert await store.entries_after("", 10, frozenset()) == []
    held = await store.get_many([code(1)])
    assert (await store.entries_after("", 1, shared)) == [held[code(1)]]


async def test_cataloguing_commits_the_hooks_record_with_every_version(
    store: CatalogStore,
) -> None:
    seen: list[tuple[str, int]] = []

    def hook(entry: Resource) -> OutboxRecord:
        seen.append((entry.code, entry.version))
        return record(entry.code, f"v{entry.version}")

    cataloguing = Cataloguing(store, outbox=hook)
    provider = Actor(POLICE.code)
    draft = await cataloguing.create(provider, resource("301001001"))
    await cataloguing.submit(provider, draft.code)
    await cataloguing.publish(Actor(credit_code("510100", "MB0000099"), Role.REVIEWER), draft.code)
    with pytest.raises(InvalidValue):  # a create the rules refuse: no record
        await cataloguing.create(provider, resource("301001001", summary=" "))
    assert seen == [(code(1), 1), (code(1), 2), (code(1), 3)]
    assert [r for _, r in await everything(store)] == [
        record(code(1), "v1"),
        record(code(1), "v2"),
        record(code(1), "v3"),
    ]
