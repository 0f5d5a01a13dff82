"""Contract: how entries are written — newer wins, snapshots are idempotent, redactions leave
tombstones, saves compare and set — and that what is written is read back whole."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest

from graph import (
    ApplyOutcome,
    CatalogStore,
    DataItem,
    Direction,
    LifecycleState,
    LifecycleStep,
    ResourceFilter,
    ShareMode,
    ShareType,
    VersionConflict,
)
from graph.rules import check_resource
from tests.graph.conftest import CHENGDU_INTRANET, OpenStore
from tests.graph.entries import MARKET, WHEN, code, newer, resource

APPLIED, STALE, CONFLICT = ApplyOutcome.APPLIED, ApplyOutcome.STALE, ApplyOutcome.CONFLICT
ALL_STATES = ResourceFilter(states=frozenset())


def rich_entry() -> object:
    """An entry using every field, to see it come back exactly as written."""
    return resource(
        "101001001/000007",
        name="人口基础信息",
        summary="人口基础信息库：姓名、公民身份号码、住址",
        share_type=ShareType.CONDITIONAL,
        share_condition="仅限政务用途，需经提供部门审核",
        share_modes=frozenset({ShareMode.INTERFACE, ShareMode.DATA_COMPARISON}),
        items=(
            DataItem(
                "公民身份号码", "string", 18, is_base_item=True, share_type=ShareType.UNCONDITIONAL
            ),
            DataItem("姓名", "string", 50, is_base_item=True, share_type=ShareType.UNCONDITIONAL),
            DataItem("住址", "string", 200),
            DataItem("照片", "blob"),
        ),
        open_to_public=True,
        open_condition="经实名注册后可查询汇总数据",
        published_on=date(2026, 2, 28),
        related_codes=("101002001/000001", "301001001/000002"),
        derived_from=("301001001/000003", "301001001/000004"),
        themes=frozenset({"社会保障", "健康保障"}),
        history=(
            LifecycleStep(LifecycleState.DRAFT, MARKET.code, WHEN),
            LifecycleStep(
                LifecycleState.SUBMITTED, MARKET.code, WHEN + timedelta(hours=1), "请审核"
            ),
            LifecycleStep(
                LifecycleState.PUBLISHED,
                "11510100MB0000009X",
                datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=8))),
            ),
        ),
        version=7,
        extensions=(("数据量", "2100万条"), ("来源系统", "人口库")),
    )


async def test_an_entry_reads_back_exactly_as_stored(store: CatalogStore) -> None:
    entry = rich_entry()
    assert isinstance(entry, type(resource()))
    saved = await store.save(entry, expected_version=None)
    assert saved == check_resource(entry, CHENGDU_INTRANET.zone)
    assert await store.get(entry.code) == saved


async def test_apply_newer_wins_and_replaces_items_themes_and_edges(store: CatalogStore) -> None:
    first = resource(
        items=(DataItem("姓名", "string", 50), DataItem("性别", "string", 2)),
        themes=frozenset({"社会保障"}),
        share_modes=frozenset({ShareMode.INTERFACE, ShareMode.BATCH_DOWNLOAD}),
        derived_from=(code(50),),
    )
    second = newer(
        first,
        items=(DataItem("住址", "string", 200),),
        themes=frozenset({"社区治理"}),
        share_modes=frozenset({ShareMode.ONLINE_QUERY}),
        derived_from=(code(51),),
    )
    assert await store.apply([first]) == [APPLIED]
    assert await store.apply([second]) == [APPLIED]
    assert await store.get(first.code) == second
    assert (await store.find(ResourceFilter(theme="社会保障"))).total_count == 0
    assert (await store.find(ResourceFilter(theme="社区治理"))).total_count == 1
    assert (await store.find(ResourceFilter(share_mode=ShareMode.INTERFACE))).total_count == 0
    assert (await store.find(ResourceFilter(share_mode=ShareMode.ONLINE_QUERY))).total_count == 1
    # Lineage shows held entries only: once both sources are, the edge goes to the new one.
    assert await store.apply([resource(code(50)), resource(code(51))]) == [APPLIED, APPLIED]
    upstream = await store.lineage(first.code, Direction.UPSTREAM, 1)
    assert set(upstream.nodes) == {first.code, code(51)}


async def test_the_same_snapshot_twice_is_stale_and_changes_nothing(store: CatalogStore) -> None:
    entry = resource()
    assert await store.apply([entry]) == [APPLIED]
    assert await store.apply([entry]) == [STALE]
    assert await store.get(entry.code) == entry
    assert (await store.find(ALL_STATES)).total_count == 1


async def test_an_older_or_equal_version_changes_nothing(store: CatalogStore) -> None:
    v3 = resource(version=3, name="户籍人口信息（三）")
    assert await store.apply([v3]) == [APPLIED]
    older = dataclasses.replace(v3, version=2, name="户籍人口信息（二）")
    same_version = dataclasses.replace(v3, name="户籍人口信息（改）")
    assert await store.apply([older, same_version]) == [STALE, STALE]
    assert await store.get(v3.code) == v3
    assert (await store.find(ResourceFilter(), search="改")).total_count == 0


async def test_apply_reports_each_snapshot_in_order(store: CatalogStore) -> None:
    a, b = resource(code(1)), resource(code(2))
    await store.apply([a])
    outcomes = await store.apply([b, a, newer(a), newer(a), resource(code(3))])
    assert outcomes == [APPLIED, STALE, APPLIED, STALE, APPLIED]
    held = await store.get_many([code(1), code(2), code(3)])
    assert held[code(1)].version == 2
    assert set(held) == {code(1), code(2), code(3)}


async def test_redact_removes_the_entry_and_leaves_a_tombstone(store: CatalogStore) -> None:
    entry = resource(version=2, derived_from=(code(60),), name="户籍人口信息")
    await store.apply([entry])
    assert await store.redact(entry.code, 3) == APPLIED
    assert await store.get(entry.code) is None
    assert (await store.find(ALL_STATES)).total_count == 0
    assert (await store.find(ALL_STATES, search="户籍")).total_count == 0
    lineage = await store.lineage(entry.code, Direction.UPSTREAM, 2)
    assert lineage.edges == ()
    # An older snapshot delivered late does not bring it back; nor does the redacted version.
    assert await store.apply([entry]) == [STALE]
    assert await store.apply([dataclasses.replace(entry, version=3)]) == [STALE]
    assert await store.get(entry.code) is None
    # A newer one does.
    back = dataclasses.replace(entry, version=4)
    assert await store.apply([back]) == [APPLIED]
    assert await store.get(entry.code) == back


async def test_redact_of_an_older_or_equal_version_is_stale(store: CatalogStore) -> None:
    entry = resource(version=5)
    await store.apply([entry])
    assert await store.redact(entry.code, 4) == STALE
    assert await store.redact(entry.code, 5) == STALE
    assert await store.get(entry.code) == entry


async def test_redact_of_an_entry_never_held_still_guards_its_code(store: CatalogStore) -> None:
    assert await store.redact(code(70), 2) == APPLIED
    assert await store.redact(code(70), 2) == STALE
    assert await store.apply([resource(code(70), version=1)]) == [STALE]
    assert await store.get(code(70)) is None


async def test_redact_keeps_edges_of_other_entries_to_it(store: CatalogStore) -> None:
    source, derived = resource(code(1)), resource(code(2), derived_from=(code(1),))
    await store.apply([source, derived])
    await store.redact(code(1), 2)
    # A lineage shows only entries held here: code(1) is not, while redacted…
    lineage = await store.lineage(code(2), Direction.UPSTREAM, 1)
    assert lineage.nodes == {code(2): derived}
    assert lineage.edges == ()
    # …but the edge to it is kept, and shows again once it is held again.
    again = resource(code(1), version=3)
    assert await store.apply([again]) == [APPLIED]
    lineage = await store.lineage(code(2), Direction.UPSTREAM, 1)
    assert lineage.nodes == {code(1): again, code(2): derived}


async def test_save_creates_only_what_does_not_exist(store: CatalogStore) -> None:
    entry = await store.save(resource(), expected_version=None)
    with pytest.raises(VersionConflict) as conflict:
        await store.save(newer(entry), expected_version=None)
    assert conflict.value.found == 1
    assert conflict.value.retriable
    assert await store.get(entry.code) == entry


async def test_save_compares_and_sets_the_version(store: CatalogStore) -> None:
    v1 = await store.save(resource(), expected_version=None)
    v2 = await store.save(newer(v1, name="户籍人口信息（新）"), expected_version=1)
    # A second writer that read version 1 loses.
    with pytest.raises(VersionConflict) as conflict:
        await store.save(newer(v1, name="另一个名称"), expected_version=1)
    assert (conflict.value.expected, conflict.value.found) == (1, 2)
    assert entry_name(await store.get(v1.code)) == "户籍人口信息（新）"
    assert v2.version == 2


async def test_save_of_a_missing_entry_with_a_version_conflicts(store: CatalogStore) -> None:
    with pytest.raises(VersionConflict):
        await store.save(resource(version=4), expected_version=3)
    assert await store.get(code(1)) is None


def entry_name(entry: object) -> str:
    assert entry is not None
    return str(entry.name)  # type: ignore[attr-defined]


async def test_get_many_returns_only_what_is_held(store: CatalogStore) -> None:
    entries = [resource(code(n), name=f"资源{n}") for n in range(1, 6)]
    await store.apply(entries)
    held = await store.get_many([code(2), code(4), code(99), code(2)])
    assert held == {code(2): entries[1], code(4): entries[3]}
    assert await store.get_many([]) == {}
    assert await store.get(code(99)) is None


async def test_an_entry_held_from_another_origin_is_a_conflict_and_changes_nothing(
    store: CatalogStore,
) -> None:
    # 一数一源: one resource, one origin.
    city = resource(code(1), version=2, name="户籍人口信息")
    await store.apply([city])
    province = dataclasses.replace(city, origin="510000/intranet", name="户籍人口信息（省）")
    older, newest = (dataclasses.replace(province, version=v) for v in (1, 5))
    outcomes = await store.apply([older, newest])
    assert outcomes == [CONFLICT, CONFLICT]
    assert await store.get(code(1)) == city
    assert (await store.find(ResourceFilter(), search="省")).total_count == 0
    # In one batch, the first origin a new code comes from is its origin.
    first, second = resource(code(2)), resource(code(2), origin="510000/intranet", version=3)
    assert await store.apply([first, second, newer(first)]) == [APPLIED, CONFLICT, APPLIED]
    assert await store.origins([code(2)]) == {code(2): CHENGDU_INTRANET.id}
    # Once redacted, the code is held by no one: another origin may list it.
    assert await store.redact(code(1), 6) == APPLIED
    assert await store.apply([dataclasses.replace(province, version=7)]) == [APPLIED]
    assert await store.origins([code(1)]) == {code(1): "510000/intranet"}


async def test_origins_name_the_catalog_each_held_entry_came_from(store: CatalogStore) -> None:
    own = resource(code(1))
    province = resource(code(2), origin="510000/intranet")
    source = code(3)  # a placeholder: derived from, held by no catalog here
    await store.apply([own, dataclasses.replace(province, derived_from=(source,))])
    await store.redact(code(4), 1)
    origins = await store.origins([code(1), code(2), source, code(4), code(99), code(1)])
    assert origins == {code(1): CHENGDU_INTRANET.id, code(2): "510000/intranet"}
    assert await store.origins([]) == {}


async def test_entries_of_every_state_are_held(store: CatalogStore) -> None:
    entries = [resource(code(i), state=state) for i, state in enumerate(LifecycleState, 1)]
    await store.apply(entries)
    assert await store.get_many([e.code for e in entries]) == {e.code: e for e in entries}


async def test_what_is_written_survives_a_reopen(open_store: OpenStore) -> None:
    entry = rich_entry()
    async with open_store(CHENGDU_INTRANET) as first:
        await first.apply([entry])
        await first.redact(code(80), 9)
    async with open_store(CHENGDU_INTRANET) as again:
        assert await again.get(entry.code) == entry  # type: ignore[attr-defined]
        assert await again.apply([resource(code(80), version=8)]) == [STALE]
        assert (await again.find(ALL_STATES, search="人口")).total_count == 1


async def test_a_store_closes_twice_harmlessly(open_store: OpenStore) -> None:
    async with open_store(CHENGDU_INTRANET) as opened:
        await opened.ping()
        close = getattr(opened, "close", None)
        if close is not None:
            await close()
            await close()


async def test_concurrent_creates_of_one_code_let_exactly_one_win(store: CatalogStore) -> None:
    import asyncio

    attempts = [resource(name=f"并发写入{n}") for n in range(8)]
    results = await asyncio.gather(
        *(store.save(e, expected_version=None) for e in attempts), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, VersionConflict) for r in results if r not in winners)
    assert await store.get(attempts[0].code) == winners[0]
